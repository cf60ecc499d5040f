"""Figures of a swept run: a figure of merit against the swept parameters (:func:`plot_sweep`).

``plot_sweep(run, quantity=None, path=None)`` draws one number per point of a run's grid:

* *one swept parameter* — the quantity against the parameter's values, a line through the points with
  95 % error bars where the analysis gives an interval (``results.intervals[quantity]["ci95"]``, else a
  ``<quantity>_ci95`` field, else the fit parameter's ``ci95``);
* *two* — a heat map (``pcolormesh``, one cell per point, the value written in each cell of small grids)
  with a colour bar labelled with the quantity; the first swept parameter on the x axis, the second on y;
* *more* — one such heat map per combination of the values of the further parameters (at most
  :data:`MAX_PANELS` panels, on one shared colour scale); larger grids are refused with
  :class:`~qbhw.errors.ConfigError` naming ``sweep``.

``quantity`` is any numeric field of the points' analysis results (``max_average_power``,
``tau_max_power``, ``final_energy``, …) or a fitted parameter of their fits (``coupling``, …); ``None``
takes the protocol's main figure of merit: the module's ``MAIN_QUANTITY`` when it defines one, else
``max_average_power``, else the first numeric field. Units: times, energies and powers in the units of the
run's curves (:attr:`qbhw.metrics.ChargingCurve.units`; e.g. 1/ω₀, ω₀ and ω₀² for the dimensionless models,
ns, GHz and GHz/ns at pulse level); names that carry their unit (``t1_ns``, ``amp_ghz``) are shown as they
are. Points without a value (failed, pending, no analysis) are left empty (NaN) and counted in the title.
Non-numeric swept values (e.g. ``initial = "pure" | "thermal"``) are placed at equal spacing, labelled.

The figure is a ``matplotlib.figure.Figure`` built with the object-oriented API (pyplot and the global
backend are never touched). The run is passed in (any object with the attributes of
:class:`qbhw.runs.Run`: ``sweep``, ``points``, ``analysis``, ``manifest``, optionally ``data``, ``module``);
this module does not import :mod:`qbhw.runs`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ConfigError
from .report import _NOT_MERIT, _is_number

__all__ = ["plot_sweep", "sweep_quantities", "default_quantity", "MAX_PANELS"]

#: most heat-map panels of a sweep over more than two parameters
MAX_PANELS = 24
#: largest heat map whose cells are annotated with their values
_ANNOTATE_MAX = 49
#: names whose unit is in the name itself
_UNIT_SUFFIXES = ("_ns", "_us", "_ghz", "_mhz", "_khz", "_hz", "_s")
_ENERGY_NAMES = ("final_energy", "final_work", "final_ergotropy", "max_energy", "initial_energy",
                 "initial_ergotropy", "final_ergotropy_lower_bound")


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _fields(res: Any) -> list[str]:
    if dataclasses.is_dataclass(res):
        return [f.name for f in dataclasses.fields(res)]
    return list(vars(res))


def _fit_estimates(res: Any) -> Mapping:
    fit = getattr(res, "fit", None)
    est = getattr(fit, "parameter_estimates", None) if fit is not None else None
    return est if isinstance(est, Mapping) else {}


def _analysis(run: Any) -> list:
    analysis = getattr(run, "analysis", None)
    return list(analysis) if analysis is not None else [None] * len(run.points)


def sweep_quantities(run: Any) -> list[str]:
    """The names :func:`plot_sweep` accepts as ``quantity`` for this run: the numeric fields of its
    analysis results (in field order), then the parameters of their fits not already listed."""
    names: list[str] = []
    fit_names: list[str] = []
    for res in _analysis(run):
        if res is None:
            continue
        for name in _fields(res):
            if name in _NOT_MERIT or name.endswith("_ci95") or name in names:
                continue
            if _is_number(getattr(res, name, None)):
                names.append(name)
        for name, est in _fit_estimates(res).items():
            if name not in fit_names and _is_number(_get(est, "value")):
                fit_names.append(name)
    return names + [n for n in fit_names if n not in names]


def default_quantity(run: Any) -> str:
    """The protocol's main figure of merit (module docstring); :class:`ConfigError` when the run has none."""
    available = sweep_quantities(run)
    module = None
    try:
        module = getattr(run, "module", None)
    except Exception:  # noqa: BLE001 - a run whose protocol module cannot be loaded: fall back
        module = None
    main = getattr(module, "MAIN_QUANTITY", None)
    for name in (main, "max_average_power"):
        if name and name in available:
            return name
    if not available:
        raise ConfigError("no point of the run has a numeric figure of merit (no analysis results yet)",
                          argument="quantity", allowed="a run with analysed points")
    return available[0]


def _value(res: Any, quantity: str) -> tuple[float, tuple[float, float] | None]:
    """The quantity of one point and its 95 % interval (NaN, None when the point has none)."""
    if res is None:
        return math.nan, None
    value = getattr(res, quantity, None) if quantity in _fields(res) else None
    if _is_number(value):
        intervals = getattr(res, "intervals", None) or {}
        ci = _get(intervals.get(quantity), "ci95") if isinstance(intervals, Mapping) else None
        if ci is None:
            ci = getattr(res, f"{quantity}_ci95", None)
        if ci is None:
            ci = _get(_fit_estimates(res).get(quantity), "ci95")
        return float(value), _pair(ci)
    est = _fit_estimates(res).get(quantity)
    fit = getattr(res, "fit", None)
    if est is not None and _is_number(_get(est, "value")) and getattr(fit, "ok", True):
        return float(_get(est, "value")), _pair(_get(est, "ci95"))
    return math.nan, None


def _pair(ci: Any) -> tuple[float, float] | None:
    try:
        lo, hi = ci
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        return None
    return (lo, hi) if math.isfinite(lo) and math.isfinite(hi) else None


def _curve_units(run: Any) -> dict[str, str] | None:
    for d in getattr(run, "data", None) or []:
        curve = getattr(d, "curve", None)
        units = getattr(curve, "units", None) if curve is not None else None
        if isinstance(units, Mapping):
            return dict(units)
    return None


def _label(quantity: str, units: Mapping[str, str] | None) -> str:
    """The quantity with its unit (module docstring)."""
    name = quantity.lower()
    if units is None or name.endswith(_UNIT_SUFFIXES):
        return quantity
    if name.startswith("tau_"):
        return f"{quantity} [{units['time']}]"
    if "power" in name:
        return f"{quantity} [{units['power']}]"
    if quantity in _ENERGY_NAMES:
        return f"{quantity} [{units['energy']}]"
    return quantity


def _axis(values: list) -> tuple[np.ndarray, list[str] | None]:
    """Positions of swept values: the numbers themselves, or 0, 1, … with labels for other values."""
    if all(_is_number(v) for v in values):
        return np.asarray(values, dtype=float), None
    return np.arange(len(values), dtype=float), [str(v) for v in values]


def _set_axis(ax, which: str, name: str, values: list, *, ticks: bool = False) -> None:
    """Label an axis with the parameter's name; ticks at the swept values (``ticks``, at most 12 values, or
    always for non-numeric values); a log scale for a geometric grid spanning more than a factor 20."""
    pos, labels = _axis(values)
    set_label = ax.set_xlabel if which == "x" else ax.set_ylabel
    set_label(name)
    set_ticks = ax.set_xticks if which == "x" else ax.set_yticks
    if labels is not None:
        set_ticks(pos, labels)
        return
    if pos.size >= 3 and np.all(pos > 0) and pos.max() / pos.min() > 20:
        ratios = pos[1:] / pos[:-1]
        if np.allclose(ratios, ratios[0], rtol=1e-6):  # geometric grid: log axis
            (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    if ticks and pos.size <= 12:
        set_ticks(pos, [f"{v:g}" for v in pos])


def _grid_values(run: Any, shape: tuple[int, ...], quantity: str):
    """Values and interval bounds on the grid (NaN where a point has none)."""
    values = np.full(shape, np.nan)
    lo = np.full(shape, np.nan)
    hi = np.full(shape, np.nan)
    analysis = _analysis(run)
    size = int(np.prod(shape))
    for i, point in enumerate(run.points):
        k = int(getattr(point, "index", i))
        if not 0 <= k < size:
            continue
        res = analysis[i] if i < len(analysis) else None
        v, ci = _value(res, quantity)
        idx = np.unravel_index(k, shape)
        values[idx] = v
        if ci is not None:
            lo[idx], hi[idx] = ci
    return values, lo, hi


def plot_sweep(run: Any, quantity: str | None = None, path=None):
    """Draw ``quantity`` of every point of ``run`` against the swept parameters (module docstring) and
    return the ``matplotlib.figure.Figure``; ``path``: also save it there (PNG unless the suffix names
    another format).

    Raises :class:`~qbhw.errors.ConfigError` when the run has no sweep (``argument="sweep"``), when
    ``quantity`` is not a number of its analysis (``argument="quantity"``, the allowed names listed), or
    when a sweep over more than two parameters needs more than :data:`MAX_PANELS` heat maps."""
    from matplotlib.figure import Figure

    sweep = getattr(run, "sweep", None)
    sweep = dict(sweep if sweep is not None else (getattr(run, "manifest", None) or {}).get("sweep") or {})
    if not sweep:
        raise ConfigError("the run has no sweep, so there is nothing to draw against",
                          argument="sweep", allowed="a run with at least one swept parameter")
    order = list((getattr(run, "manifest", None) or {}).get("grid", {}).get("order") or sweep)
    names = [n for n in order if n in sweep] + [n for n in sweep if n not in order]
    available = sweep_quantities(run)
    if quantity is None:
        quantity = default_quantity(run)
    elif quantity not in available:
        raise ConfigError(f"{quantity!r} is not a number of this run's analysis",
                          argument="quantity", allowed=", ".join(available) or "none (no analysed point yet)")
    shape = tuple(len(sweep[n]) for n in names)
    panels = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    if panels > MAX_PANELS:
        raise ConfigError(f"a sweep over {', '.join(names)} needs {panels} heat maps of {quantity!r} "
                          f"(one per value of {', '.join(names[2:])})", argument="sweep",
                          allowed=f"at most two swept parameters, or at most {MAX_PANELS} combinations of the others")
    values, lo, hi = _grid_values(run, shape, quantity)
    label = _label(quantity, _curve_units(run))
    missing = int(np.isnan(values).sum())
    protocol = str((getattr(run, "manifest", None) or {}).get("protocol", ""))
    head = f"{protocol}: {quantity}" if protocol else quantity
    if missing:
        head += f" ({missing} of {values.size} points without a value)"

    if len(names) == 1:
        fig = Figure(figsize=(5.6, 4.0))
        ax = fig.subplots()
        x, _ = _axis(sweep[names[0]])
        has_ci = ~np.isnan(lo)
        if has_ci.any():
            yerr = np.vstack([np.where(has_ci, values - lo, 0.0), np.where(has_ci, hi - values, 0.0)])
            ax.errorbar(x, values, yerr=np.clip(yerr, 0.0, None), fmt="o-", ms=4, lw=1.0, capsize=2.5,
                        label=f"{quantity} (95 % interval)")
        else:
            ax.plot(x, values, "o-", ms=4, lw=1.0, label=quantity)
        _set_axis(ax, "x", names[0], sweep[names[0]])
        ax.set_ylabel(label)
        ax.legend(fontsize=7)
        ax.set_title(head, fontsize=9)
        ax.grid(alpha=0.3)
        fig.tight_layout()
    else:
        extra = names[2:]
        combos = list(itertools.product(*(range(len(sweep[n])) for n in extra))) or [()]
        ncols = min(len(combos), 3)
        nrows = math.ceil(len(combos) / ncols)
        fig = Figure(figsize=(4.8 * ncols + 1.0, 3.9 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        finite = values[np.isfinite(values)]
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        x, _ = _axis(sweep[names[0]])
        y, _ = _axis(sweep[names[1]])
        mesh = None
        for ax, combo in zip(axes, combos):
            z = values[(slice(None), slice(None), *combo)].T  # rows: second parameter (y), columns: first (x)
            mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(z), shading="nearest", vmin=vmin, vmax=vmax,
                                 cmap="viridis")
            _set_axis(ax, "x", names[0], sweep[names[0]], ticks=True)
            _set_axis(ax, "y", names[1], sweep[names[1]], ticks=True)
            if z.size <= _ANNOTATE_MAX:
                mid = 0.5 * (vmin + vmax)
                for (j, i), v in np.ndenumerate(z):
                    if np.isfinite(v):
                        ax.text(x[i], y[j], f"{v:.3g}", ha="center", va="center", fontsize=7,
                                color="black" if v > mid else "white")
            if extra:
                ax.set_title(", ".join(f"{n} = {sweep[n][k]}" for n, k in zip(extra, combo)), fontsize=8)
        for ax in axes[len(combos):]:
            ax.set_visible(False)
        fig.colorbar(mesh, ax=list(axes[:len(combos)]), label=label)
        fig.suptitle(head, fontsize=9)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
