"""The charging-curve type shared by solvers, backends and fits (design.md, "Shared types").

A :class:`ChargingCurve` holds

* ``times``;
* ``energy`` — ``Tr[H_B ρ(t)] − E_ground``, stored energy above the battery's ground energy;
* ``work`` — ``W(t) = E(t) − E(0)`` (review Eq. 3; equals ``energy`` when the battery
  starts empty);
* ``ergotropy`` — ergotropy of the battery state, or ``None`` when the state is unknown
  (e.g. counts without tomography);
* ``power`` — the :class:`~qbhw.metrics.power.PowerCurve` of ``work``;
* ``kind`` — ``"trajectory"`` or ``"sweep"``;
* ``metadata`` — model, parameters and conventions;
* ``observables`` — further named arrays on the same time grid (e.g. the
  high-temperature star battery's ``polarization``), readable as attributes;
* ``energy_stderr`` / ``work_stderr`` — standard errors of ``energy`` and ``work`` (shot noise of
  sampled backends; ``None`` for exact curves). ``work_stderr`` differs from ``energy_stderr`` when
  the work reference is a measured point: ``W = E − E(0)`` with the measured ``E(0)`` has
  ``Var W_i = Var E_i + Var E_0`` and ``W_0 ≡ 0`` by construction (σ = 0 there). Standard errors of
  other observables stay in ``observables`` as ``<name>_stderr``.

:meth:`ChargingCurve.to_dict` / :meth:`ChargingCurve.from_dict` (and ``to_json`` / ``from_json``)
round-trip a curve exactly, including the instantaneous power it was built with (analytic or
finite-difference), through :mod:`qbhw.serialization`.

Units (:attr:`ChargingCurve.units`): the ``"time_unit"`` / ``"energy_unit"`` entries of ``metadata`` when a
producer gives them; else the ``"units"`` text of pulse-level curves (``"time ns, energy GHz (E/h)"``);
else the model's own scale (star battery ω_b, spin chain B, transverse-field Ising |J|); else the
dimensionless convention of :mod:`qbhw.conventions` (time 1/ω₀, energy ω₀).

:meth:`ChargingCurve.plot` draws the curve (energy, work, ergotropy against time, error bars where the
standard errors are known, τ̃ and τ̄ marked) as a ``matplotlib.figure.Figure``; matplotlib is imported
only then (this module is the bottom layer and does not need it otherwise), and pyplot never.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError, DimensionMismatchError
from ..serialization import JsonMixin, from_jsonable, to_jsonable
from .power import PowerCurve, power_curve

__all__ = ["ChargingCurve", "make_charging_curve", "CURVE_FORMAT", "PLOT_QUANTITIES"]

#: format tag of serialised curves
CURVE_FORMAT = "qbhw-curve/1"
#: the quantities :meth:`ChargingCurve.plot` draws by default (besides 1-D ``observables`` by name)
PLOT_QUANTITIES = ("energy", "work", "ergotropy")
#: (time unit, energy unit) of models whose dimensionless scale is not ω₀ (their protocols' labels)
_MODEL_UNITS = {"StarBattery": ("1/ω_b", "ω_b"), "SpinChainBattery": ("1/B", "B"),
                "TransverseIsingBattery": ("1/|J|", "|J|")}
_DEFAULT_UNITS = ("1/ω₀", "ω₀")


@dataclass(frozen=True)
class ChargingCurve(JsonMixin):
    times: np.ndarray
    energy: np.ndarray
    work: np.ndarray
    ergotropy: np.ndarray | None
    power: PowerCurve
    kind: str = "trajectory"
    metadata: dict[str, Any] = field(default_factory=dict)
    observables: dict[str, np.ndarray] = field(default_factory=dict)
    energy_stderr: np.ndarray | None = None
    work_stderr: np.ndarray | None = None

    def __getattr__(self, name: str):
        # only called when normal lookup fails: expose observables as attributes
        obs = self.__dict__.get("observables", {})
        if name in obs:
            return obs[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    # Convenience pass-throughs to the power curve (names as in PowerCurve).
    @property
    def tau_max_power(self) -> float:
        return self.power.tau_max_power

    @property
    def tau_energy_peak(self) -> float:
        return self.power.tau_energy_peak

    @property
    def max_average_power(self) -> float:
        return self.power.max_average_power

    def charging_time(self, tau: str) -> float:
        return self.power.charging_time(tau)

    def average_power_at(self, tau: str) -> float:
        return self.power.average_power_at(tau)

    def value_at(self, values: np.ndarray, time: float) -> float:
        """Linear interpolation of an array on this curve's grid at ``time``."""
        return float(np.interp(time, self.times, values))

    def ergotropy_fraction_at(self, tau: str) -> float:
        """𝓔(τ)/E(τ) at the charging time of the named convention (review Sec. III.D)."""
        if self.ergotropy is None:
            raise AttributeError("this curve has no ergotropy (state unknown)")
        t = self.charging_time(tau)
        return self.value_at(self.ergotropy, t) / self.value_at(self.energy, t)

    # ---- units and figure -------------------------------------------------------------
    @property
    def units(self) -> dict[str, str]:
        """``{"time": …, "energy": …, "power": …}``: the units of ``times``, of ``energy`` / ``work`` /
        ``ergotropy`` and of the power (see the module docstring for where they are read from)."""
        time_unit, energy_unit = _curve_units(self.metadata)
        if time_unit == f"1/{energy_unit}":
            power_unit = f"{energy_unit}²"
        else:
            power_unit = f"{energy_unit}/{time_unit}"
        return {"time": time_unit, "energy": energy_unit, "power": power_unit}

    def plot(self, ax=None, *, path=None, quantities=None):
        """Draw the curve against time and return the ``matplotlib.figure.Figure``.

        Drawn: each quantity of ``quantities`` against ``times`` — by default the stored energy
        ``E(t)``, the work ``W(t) = E(t) − E(0)`` (left out when it equals the energy, i.e. the battery
        starts empty; the energy's label then says ``E = W``) and the ergotropy ``𝓔(t)`` when it is
        known — with ± 1 standard-error bars where the curve has them (``energy_stderr``,
        ``work_stderr``, ``observables["<name>_stderr"]``); a vertical dotted line at τ̃ (maximal
        average power) and a dashed one at τ̄ (first energy peak), each labelled with its value,
        when that charging time exists on the curve. Axes: time in the curve's time unit, energies in
        its energy unit (:attr:`units`; e.g. ns and GHz for pulse-level curves, 1/ω₀ and ω₀ for the
        dimensionless models).

        Parameters
        ----------
        ax:
            A matplotlib ``Axes`` to draw into (its figure is returned); ``None``: a new ``Figure``
            (built directly, without pyplot, so no backend is switched and no window opened).
        path:
            When given, the figure is saved there (PNG unless the suffix names another format).
        quantities:
            Names to draw, among ``"energy"``, ``"work"``, ``"ergotropy"`` (when known) and the 1-D
            ``observables`` of the curve; ``None``: the default above.
        """
        from matplotlib.figure import Figure

        from ..errors import ChargingTimeError, ConfigError

        units = self.units
        available = [q for q in PLOT_QUANTITIES if q != "ergotropy" or self.ergotropy is not None]
        available += [k for k, v in self.observables.items() if not k.endswith("_stderr")
                      and np.ndim(v) == 1 and np.shape(v)[0] == self.times.size and k not in available]
        same = np.array_equal(self.work, self.energy)  # an empty battery at t = 0: one line (E's error bars)
        if quantities is None:
            chosen = [q for q in PLOT_QUANTITIES if q in available and not (q == "work" and same)]
        else:
            chosen = [quantities] if isinstance(quantities, str) else list(quantities)
            bad = [q for q in chosen if q not in available]
            if bad or not chosen:
                raise ConfigError(f"cannot draw {bad[0]!r} on this curve" if bad else "no quantity given",
                                  argument="quantities", allowed=", ".join(repr(q) for q in available))
        if ax is None:
            fig = Figure(figsize=(6.4, 4.2))
            ax = fig.subplots()
            own = True
        else:
            fig = getattr(ax.figure, "figure", None) or ax.figure  # the top-level figure (also from a SubFigure)
            own = False
        dense = self.times.size > 60
        step = max(1, self.times.size // 40)
        energetic = {"energy", "work", "ergotropy"}
        symbols = {"energy": "E", "work": "W", "ergotropy": r"$\mathcal{E}$"}  # 𝓔 is not in matplotlib's font
        for q in chosen:
            y = np.asarray(getattr(self, q), dtype=float)
            err = {"energy": self.energy_stderr, "work": self.work_stderr}.get(q, self.observables.get(f"{q}_stderr"))
            label = q if q not in symbols else f"{q} {symbols[q]}(t)"
            if q == "energy" and same and "work" not in chosen and quantities is None:
                label = "energy E(t) = work W(t)"
            style = "--" if q == "ergotropy" else "-"
            if err is not None:
                ax.errorbar(self.times, y, yerr=np.asarray(err, dtype=float), fmt=style if dense else "o" + style,
                            ms=3, lw=1.0, elinewidth=0.7, capsize=1.5, errorevery=step if dense else 1, label=label)
            else:
                ax.plot(self.times, y, style if dense else "o" + style, ms=3, lw=1.0, label=label)
        t_unit = units["time"]
        for attr, sym, ls in (("tau_max_power", "τ̃", ":"), ("tau_energy_peak", "τ̄", "--")):
            try:
                tau = float(getattr(self, attr))
            except ChargingTimeError:
                continue
            if np.isfinite(tau):
                ax.axvline(tau, color="grey", ls=ls, lw=0.9, label=f"{sym} = {tau:.4g} {t_unit}", gid=attr)
        ax.set_xlabel(f"t [{t_unit}]")
        if all(q in energetic for q in chosen):
            ax.set_ylabel(f"energy [{units['energy']}]")
        else:
            ax.set_ylabel(", ".join(chosen))
        ax.legend(fontsize=7, loc="best")
        if own:
            model = self.metadata.get("model")
            if isinstance(model, dict):
                model = model.get("model")
            ax.set_title(f"{model} — charging curve" if model else "charging curve", fontsize=9)
            fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig

    # ---- serialisation ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON data (see :mod:`qbhw.serialization`); :meth:`from_dict` rebuilds an equal curve."""
        return {"format": CURVE_FORMAT, "kind": self.kind,
                "times": to_jsonable(self.times), "energy": to_jsonable(self.energy),
                "work": to_jsonable(self.work), "ergotropy": to_jsonable(self.ergotropy),
                "power": to_jsonable(self.power.power),
                "observables": {k: to_jsonable(np.asarray(v)) for k, v in self.observables.items()},
                "energy_stderr": to_jsonable(self.energy_stderr), "work_stderr": to_jsonable(self.work_stderr),
                "metadata": to_jsonable(self.metadata)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChargingCurve":
        """Inverse of :meth:`to_dict` (dicts written before the ``*_stderr`` fields existed read back with
        them ``None``, or taken from ``observables["energy_stderr"]`` as :func:`make_charging_curve` does)."""
        if not isinstance(data, dict) or data.get("format") != CURVE_FORMAT:
            raise DataError(f"not a qbhw charging curve (format {data.get('format') if isinstance(data, dict) else None!r})",
                            argument="data", allowed=f"a dict written by ChargingCurve.to_dict ({CURVE_FORMAT})")
        d = {k: from_jsonable(v) for k, v in data.items()}
        return make_charging_curve(d["times"], d["energy"], work=d["work"], ergotropy=d["ergotropy"],
                                   power=d["power"], kind=d["kind"], metadata=d["metadata"],
                                   observables=d["observables"], energy_stderr=d.get("energy_stderr"),
                                   work_stderr=d.get("work_stderr"))


def make_charging_curve(times, energy, *, work=None, ergotropy=None, power=None, kind="trajectory",
                        metadata=None, observables=None, energy_stderr=None, work_stderr=None) -> ChargingCurve:
    """Build a :class:`ChargingCurve`, deriving ``work = energy − energy[0]`` when not given.

    ``energy_stderr`` / ``work_stderr``: standard errors (``None`` for exact curves). For backward
    compatibility an ``"energy_stderr"`` (``"work_stderr"``) entry of ``observables`` is moved into the
    field when the keyword is not given. Without ``work_stderr``, ``work_stderr = energy_stderr`` (right
    when the work reference is exact); producers whose reference is a measured point pass it explicitly.
    """
    t = np.asarray(times, dtype=float)
    e = np.asarray(energy, dtype=float)
    if e.shape != t.shape:
        raise DimensionMismatchError(f"energy has shape {e.shape} but times has shape {t.shape}",
                                     argument="energy", allowed="same length as times")
    w = e - e[0] if work is None else np.asarray(work, dtype=float)
    erg = None if ergotropy is None else np.asarray(ergotropy, dtype=float)
    pc = power_curve(t, w, power=power, kind=kind)
    obs = {k: np.asarray(v) for k, v in (observables or {}).items()}
    if energy_stderr is None:
        energy_stderr = obs.pop("energy_stderr", None)
    else:
        obs.pop("energy_stderr", None)
    if work_stderr is None:
        work_stderr = obs.pop("work_stderr", None)
    else:
        obs.pop("work_stderr", None)
    es = _stderr(energy_stderr, t, "energy_stderr")
    ws = _stderr(work_stderr, t, "work_stderr")
    if ws is None and es is not None:
        ws = es.copy()
    return ChargingCurve(times=pc.times, energy=e, work=w, ergotropy=erg, power=pc, kind=kind,
                         metadata=dict(metadata or {}), observables=obs, energy_stderr=es, work_stderr=ws)


def _curve_units(metadata: dict[str, Any]) -> tuple[str, str]:
    """(time unit, energy unit) of a curve from its metadata (module docstring)."""
    time_unit = metadata.get("time_unit")
    energy_unit = metadata.get("energy_unit")
    text = metadata.get("units")
    if isinstance(text, str):
        if time_unit is None:
            m = re.search(r"(?:^|,)\s*(?:time|t|tau|T)\s+([^\s,()]+)", text)
            time_unit = m.group(1) if m else None
        if energy_unit is None:
            m = re.search(r"energy\s+([^\s,()]+)", text)
            energy_unit = m.group(1) if m else None
    model = metadata.get("model")
    if isinstance(model, dict):
        model = model.get("model")
    default = _MODEL_UNITS.get(model, _DEFAULT_UNITS) if isinstance(model, str) else _DEFAULT_UNITS
    return str(time_unit or default[0]), str(energy_unit or default[1])


def _stderr(values, t: np.ndarray, argument: str) -> np.ndarray | None:
    if values is None:
        return None
    s = np.asarray(values, dtype=float)
    if s.shape != t.shape:
        raise DimensionMismatchError(f"{argument} has shape {s.shape} but times has shape {t.shape}",
                                     argument=argument, allowed="one standard error per time")
    if np.any(s < 0):
        raise DataError(f"{argument} has negative entries", argument=argument, allowed="standard errors >= 0")
    return s
