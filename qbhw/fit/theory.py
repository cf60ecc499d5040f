"""Theory-backed fit models: the curve is computed by a qbhw solver, not a closed form.

:class:`TheoryModel` wraps any function ``curve(times, **physical) -> array`` as an lmfit model

    y(t) = scale · curve(t; θ) + offset

(``scale`` — e.g. a readout contrast — and ``offset`` fixed at 1 and 0 unless freed). It is made
fast enough for fitting by

* a cache of solved curves keyed by the times and the physical parameters: lmfit's finite-
  difference Jacobian with respect to ``scale``/``offset``, repeated evaluations and the
  confidence-interval scans never re-run the solver for a θ already seen;
* an initial guess from a grid scan of one physical parameter (``scan=(name, grid)``) with
  ``scale``/``offset`` solved linearly at every grid point; a ``batch_curve(times, grid)``
  evaluates the whole grid at once when the theory can (e.g. stacked ``eigh``).

Factories: :func:`model_parameter_fit` fits one parameter of any battery model given as a model
class or factory ``factory(value) -> BatteryModel`` (the curve is ``qbhw.charge(factory(θ), t)``);
:func:`dicke_coupling_model` (g of :class:`qbhw.models.DickeBattery`, Ferraro et al., PRL 120,
117702, 2018), :func:`tavis_cummings_coupling_model` (:class:`qbhw.models.TavisCummingsBattery`) and
:func:`star_battery_model` (J of :class:`qbhw.models.StarBattery`, Joshi & Mahesh, PRA 106, 042601,
2022; pure, high-temperature or thermal) are thin wrappers over it; :func:`transverse_ising_model`
fits |J| of :class:`qbhw.models.TransverseIsingBattery` (Hoang, Metz et al., arXiv:2308.03334) with
the solver's stacked-``eigh`` scan (:func:`qbhw.solvers.ising.ising_work_grid`).
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import ConfigError, InvalidArgumentError
from ..metrics._inputs import check_positive_int
from ..models import DickeBattery, StarBattery, TavisCummingsBattery
from ..models.base import BatteryModel
from ..models.ising import check_chain
from ..solvers import charge
from ..solvers.ising import ising_work_grid
from .models import CurveModel, _shape_scan

__all__ = [
    "TheoryModel",
    "model_parameter_fit",
    "dicke_coupling_model",
    "tavis_cummings_coupling_model",
    "star_battery_model",
    "transverse_ising_model",
    "superabsorption_model",
    "SIZE_QUANTITIES",
    "CURVE_OBSERVABLES",
    "PARAMETER_SCANS",
]

#: observables a theory model can read from a ChargingCurve
CURVE_OBSERVABLES = ("energy", "work", "ergotropy", "polarization")
#: grids of the initial-guess scan of :func:`model_parameter_fit`
PARAMETER_SCANS = ("log", "linear")


class _CurveCache:
    """A small LRU cache of solved curves keyed by (times, parameter values)."""

    def __init__(self, size: int):
        self.size = int(size)
        self.data: OrderedDict = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, times: np.ndarray, values: Mapping[str, float], compute: Callable[[], np.ndarray]) -> np.ndarray:
        key = (times.shape, hash(times.tobytes()), tuple(sorted((k, float(v)) for k, v in values.items())))
        if key in self.data:
            self.hits += 1
            self.data.move_to_end(key)
            return self.data[key]
        self.misses += 1
        out = np.asarray(compute(), dtype=float)
        self.data[key] = out
        if len(self.data) > self.size:
            self.data.popitem(last=False)
        return out


class TheoryModel(CurveModel):
    """``y = scale · curve(t; θ) + offset`` with ``curve`` computed by a qbhw solver.

    Parameters
    ----------
    curve:
        ``curve(times, **physical) -> array`` (same shape as ``times``).
    physical:
        ``{name: lmfit hint dict}`` of the physical parameters (value, min, max, vary).
    scale, offset:
        a number fixes that parameter there; ``None`` leaves it free.
    scan:
        ``(name, grid)``: the initial guess scans ``name`` over ``grid`` (others at their hint
        values or fixed values); ``grid`` may be a function of the data's ``x``.
    batch_curve:
        optional ``batch_curve(times, grid, **others) -> (len(grid), len(times))`` for the scan.
    derived:
        ``{name: lmfit expression}`` of derived parameters (with propagated errors), e.g.
        ``{"j_sqrt_n": "coupling*sqrt(3)"}``.
    """

    def __init__(self, curve: Callable[..., np.ndarray], physical: Mapping[str, dict], *, name: str,
                 formula: str = "", independent_var: str = "t", scale: float | None = 1.0,
                 offset: float | None = 0.0, scan: tuple[str, np.ndarray] | None = None,
                 batch_curve: Callable[..., np.ndarray] | None = None,
                 derived: Mapping[str, str] | None = None, cache_size: int = 2048, metadata: Mapping | None = None):
        reserved = {"scale", "offset", independent_var}
        clash = reserved & set(physical)
        if clash:
            raise ConfigError(f"parameter names {sorted(clash)} are reserved", argument="physical",
                              allowed="names other than scale, offset and the independent variable")
        self.physical_names = tuple(physical)
        self.curve = curve
        self.batch_curve = batch_curve
        self.scan = None if scan is None else (scan[0], scan[1] if callable(scan[1]) else np.asarray(scan[1], float))
        if self.scan is not None and self.scan[0] not in physical:
            raise ConfigError(f"scan parameter {self.scan[0]!r} is not a physical parameter", argument="scan",
                              allowed=", ".join(physical))
        self.cache = _CurveCache(cache_size)
        self.formula = formula or f"scale * {name}(t; {', '.join(physical)}) + offset"
        self.metadata = dict(metadata or {})
        names = self.physical_names

        def theory_curve(*args, **kw):  # lmfit passes the independent variable by its name
            tt = np.asarray(args[0] if args else kw[independent_var], dtype=float)
            phys = {k: kw[k] for k in names}
            return kw["scale"] * self.cache.get(tt, phys, lambda: self._solve(tt, phys)) + kw["offset"]

        P = inspect.Parameter
        theory_curve.__signature__ = inspect.Signature(
            [P(independent_var, P.POSITIONAL_OR_KEYWORD)]
            + [P(n, P.POSITIONAL_OR_KEYWORD, default=float(physical[n].get("value", 1.0))) for n in names]
            + [P("scale", P.POSITIONAL_OR_KEYWORD, default=1.0), P("offset", P.POSITIONAL_OR_KEYWORD, default=0.0)])
        theory_curve.__name__ = name
        hints = {n: dict(h) for n, h in physical.items()}
        hints["scale"] = {"value": 1.0} if scale is None else {"value": float(scale), "vary": False}
        hints["offset"] = {"value": 0.0} if offset is None else {"value": float(offset), "vary": False}
        super().__init__(theory_curve, independent_var=independent_var, hints=hints, name=name)
        for dname, expr in (derived or {}).items():
            self.set_param_hint(dname, expr=expr)

    def _solve(self, times: np.ndarray, phys: Mapping[str, float]) -> np.ndarray:
        """Run the solver on sorted distinct times (solvers need increasing grids) and map back."""
        if times.ndim == 1 and times.size > 1 and np.all(np.diff(times) > 0):
            return np.asarray(self.curve(times, **phys), dtype=float)
        uniq, inv = np.unique(times, return_inverse=True)
        return np.asarray(self.curve(uniq, **phys), dtype=float)[inv.reshape(times.shape)]

    def evaluate_physical(self, times, **physical) -> np.ndarray:
        """The bare theory curve (no scale/offset), through the cache."""
        tt = np.asarray(times, dtype=float)
        phys = {n: float(physical.get(n, self.param_hints[n].get("value", 1.0))) for n in self.physical_names}
        return self.cache.get(tt, phys, lambda: self._solve(tt, phys))

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        base = {n: float(fixed.get(n, self.param_hints[n].get("value", 1.0))) for n in self.physical_names}
        out: dict[str, float] = {}
        if self.scan is not None and self.scan[0] not in fixed:
            pname, grid = self.scan
            grid = np.asarray(grid(np.asarray(x, float)) if callable(grid) else grid, dtype=float)
            others = {k: v for k, v in base.items() if k != pname}
            if self.batch_curve is not None:
                shapes = np.asarray(self.batch_curve(np.asarray(x, float), grid, **others), dtype=float)
            else:
                shapes = np.stack([self.evaluate_physical(x, **{**others, pname: g}) for g in grid])
            ok = np.all(np.isfinite(shapes), axis=1)
            shapes, grid = shapes[ok], grid[ok]
            if grid.size == 0:
                raise InvalidArgumentError("the theory curve is not finite anywhere on the scan grid",
                                           argument="scan", allowed="a grid where the model can be solved")
            out = _shape_scan(x, y, sigma, fixed, shapes, grid, amp_name="scale", freq_name=pname)
            base[pname] = out[pname]
        else:
            shape = self.evaluate_physical(x, **base)
            out = _shape_scan(x, y, sigma, fixed, shape[None, :], np.array([0.0]), amp_name="scale", freq_name="_")
            out.pop("_")
        for n in self.physical_names:
            if n not in fixed:
                out.setdefault(n, base[n])
        return out


def _observable(curve, observable: str) -> np.ndarray:
    if observable not in CURVE_OBSERVABLES:
        raise ConfigError(f"got {observable!r}", argument="observable", allowed=" | ".join(CURVE_OBSERVABLES))
    value = getattr(curve, observable)
    if value is None:
        raise ConfigError(f"the curve has no {observable!r}", argument="observable", allowed="energy | work")
    return np.asarray(value, dtype=float)


def _charge_observable(model, times, observable, charge_options):
    """``charge(model, times).<observable>``; the work is always referred to t = 0 (review Eq. 3): a grid
    that does not start at 0 (e.g. work data whose reference point W(0) ≡ 0 was left out) is solved with
    0 prepended and that point dropped."""
    opts = {"ergotropy": observable == "ergotropy", **dict(charge_options or {})}
    t = np.asarray(times, dtype=float)
    if observable == "work" and t.ndim == 1 and t.size and t[0] > 0:
        return _observable(charge(model, np.concatenate([[0.0], t]), **opts), observable)[1:]
    return _observable(charge(model, times, **opts), observable)


def _factory_call(factory: Callable[..., BatteryModel], parameter: str) -> Callable[[float], BatteryModel]:
    """``value -> factory(**{parameter: value})`` when the factory takes that keyword, else ``factory(value)``."""
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # builtins without a signature
        params = {}
    by_name = parameter in params and params[parameter].kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                                 inspect.Parameter.KEYWORD_ONLY)
    if by_name:
        return lambda value: factory(**{parameter: value})
    return lambda value: factory(value)


def model_parameter_fit(factory: Callable[..., BatteryModel], parameter: str = "coupling", *,
                        observable: str = "energy", value_range: tuple[float, float] = (0.01, 1.0),
                        scan: str = "log", scan_points: int = 40, scale: float | None = 1.0,
                        offset: float | None = 0.0, charge_options: Mapping[str, Any] | None = None,
                        derived: Mapping[str, str] | None = None, name: str | None = None,
                        formula: str | None = None, metadata: Mapping[str, Any] | None = None) -> TheoryModel:
    """Fit one parameter θ of a battery model to a charging curve through its exact solver.

    The model curve is

        y(t) = scale · qbhw.charge(factory(θ), t).<observable> + offset

    (``observable``: ``"energy"`` = Tr[H_B ρ(t)] above the ground energy, ``"work"`` = E(t) − E(0)
    (review Eq. 3), ``"ergotropy"`` (Eq. 4) or ``"polarization"``, in the model's energy units).

    Parameters
    ----------
    factory:
        A model class or any callable returning a :class:`~qbhw.models.base.BatteryModel`; it is
        called as ``factory(**{parameter: θ})`` when it takes a keyword named ``parameter``, else as
        ``factory(θ)`` (e.g. ``lambda g: DickeBattery(4, g)``).
    parameter:
        Name of θ in the fit (and the keyword passed to ``factory``); ``θ ≥ 0`` when
        ``value_range`` is non-negative.
    value_range, scan, scan_points:
        The initial guess scans θ over ``value_range = (lo, hi)`` on ``scan_points`` points,
        ``"log"`` (geometric, needs lo > 0) or ``"linear"``; the start value is √(lo·hi) (the
        midpoint when lo ≤ 0).
    scale, offset:
        A number fixes that parameter; ``None`` fits it (e.g. a readout contrast).
    charge_options:
        Keyword options of :func:`qbhw.charge` (``method``, ``space``, …).
    derived:
        ``{name: lmfit expression}`` of derived parameters, e.g. ``{"j_sqrt_n": "coupling*sqrt(3)"}``.
    name, formula, metadata:
        Labels of the fit model (default: from the factory's name).
    """
    if not callable(factory):
        raise ConfigError(f"got {factory!r}", argument="factory",
                          allowed="a battery model class or a callable returning a BatteryModel")
    if not isinstance(parameter, str) or not parameter.isidentifier():
        raise ConfigError(f"got {parameter!r}", argument="parameter", allowed="a parameter name (Python identifier)")
    if observable not in CURVE_OBSERVABLES:
        raise ConfigError(f"got {observable!r}", argument="observable", allowed=" | ".join(CURVE_OBSERVABLES))
    if scan not in PARAMETER_SCANS:
        raise ConfigError(f"got {scan!r}", argument="scan", allowed="'log' (geometric grid) | 'linear'")
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"got {value_range!r}", argument="value_range", allowed="(lo, hi) with lo < hi")
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi) or (scan == "log" and lo <= 0):
        raise InvalidArgumentError(f"got {value_range!r}", argument="value_range",
                                   allowed="finite (lo, hi) with lo < hi (and lo > 0 for scan='log')")
    points = check_positive_int(scan_points, "scan_points", minimum=2)
    build = _factory_call(factory, parameter)

    def curve(times, **values):
        return _charge_observable(build(values[parameter]), times, observable, charge_options)

    label = name or f"{getattr(factory, '__name__', type(factory).__name__)}({parameter})"
    hint = {"value": math.sqrt(lo * hi) if lo > 0 else 0.5 * (lo + hi)}
    if lo >= 0:
        hint["min"] = 0.0
    grid = np.geomspace(lo, hi, points) if scan == "log" else np.linspace(lo, hi, points)
    return TheoryModel(curve, {parameter: hint}, name=label,
                       formula=formula or f"scale * charge({label}, t).{observable} + offset",
                       scale=scale, offset=offset, scan=(parameter, grid), derived=derived,
                       metadata={"parameter": parameter, "observable": observable, **dict(metadata or {})})


def dicke_coupling_model(n_cells: int, *, observable: str = "energy", coupling_range: tuple[float, float] = (0.01, 1.0),
                         scan_points: int = 40, scale: float | None = 1.0, offset: float | None = 0.0,
                         charge_options: Mapping[str, Any] | None = None, **model_kwargs) -> TheoryModel:
    """Fit the coupling ``g`` of a Dicke battery (Ferraro et al., PRL 120, 117702, 2018; review Eq. 28).

    The curve is ``qbhw.charge(DickeBattery(n_cells, g, **model_kwargs), t).<observable>``
    (``omega_c``, ``omega_0``, ``photons``, ``cutoff`` as in the model). The guess scans g
    log-uniformly over ``coupling_range``. A wrapper of :func:`model_parameter_fit`.
    """
    n = check_positive_int(n_cells, "n_cells")
    return model_parameter_fit(lambda coupling: DickeBattery(n, coupling, **model_kwargs), "coupling",
                               observable=observable, value_range=coupling_range, scan="log", scan_points=scan_points,
                               scale=scale, offset=offset, charge_options=charge_options, name=f"DickeBattery(N={n})",
                               formula=f"scale * charge(DickeBattery(N={n}, g), t).{observable} + offset   "
                                       "[review Eq. 28]",
                               metadata={"n_cells": n, **model_kwargs})


def tavis_cummings_coupling_model(n_cells: int, *, observable: str = "energy",
                                  coupling_range: tuple[float, float] = (0.01, 1.0), scan_points: int = 40,
                                  scale: float | None = 1.0, offset: float | None = 0.0,
                                  charge_options: Mapping[str, Any] | None = None, **model_kwargs) -> TheoryModel:
    """Fit the coupling ``g`` of a Tavis–Cummings battery (the rotating-wave Dicke battery) to a charging
    curve: ``qbhw.charge(TavisCummingsBattery(n_cells, g, **model_kwargs), t)``; a wrapper of
    :func:`model_parameter_fit` (log scan over ``coupling_range``)."""
    n = check_positive_int(n_cells, "n_cells")
    return model_parameter_fit(lambda coupling: TavisCummingsBattery(n, coupling, **model_kwargs), "coupling",
                               observable=observable, value_range=coupling_range, scan="log", scan_points=scan_points,
                               scale=scale, offset=offset, charge_options=charge_options,
                               name=f"TavisCummingsBattery(N={n})",
                               formula=f"scale * charge(TavisCummingsBattery(N={n}, g), t).{observable} + offset   "
                                       "[rotating-wave Dicke]",
                               metadata={"n_cells": n, **model_kwargs})


def star_battery_model(n_chargers: int, *, initial: str = "pure", observable: str | None = None,
                       coupling_range: tuple[float, float] = (0.01, 3.0), scan_points: int = 80,
                       scale: float | None = 1.0, offset: float | None = 0.0,
                       charge_options: Mapping[str, Any] | None = None, **model_kwargs) -> TheoryModel:
    """Fit the exchange ``J`` of a star battery (Joshi & Mahesh, PRA 106, 042601, 2022; review Sec. VI.D)
    through :class:`qbhw.models.StarBattery`; a wrapper of :func:`model_parameter_fit`.

    ``initial="pure"``: observable ``energy`` by default; the derived parameter ``j_sqrt_n``
    (= J√𝒩, the only combination a pure-state curve determines) is reported with its error.
    ``initial="high_temperature"``: observable ``polarization`` (⟨σ_B^z⟩/ε) by default; 𝒩 is
    chosen by profiling (:func:`qbhw.fit.profile.fit_star_high_temperature` with
    ``model_factory=lambda n: star_battery_model(n, initial="high_temperature")``).
    ``initial="thermal"`` (pass ``beta=β`` among ``model_kwargs``): observable ``polarization``
    (⟨σ_B^z⟩) by default. The guess scans J linearly over ``coupling_range``.
    """
    n = check_positive_int(n_chargers, "n_chargers")
    obs = observable or ("energy" if initial == "pure" else "polarization")
    # the curve is periodic-like in J t: a linear grid resolves neighbouring aliases evenly
    return model_parameter_fit(lambda coupling: StarBattery(n, coupling, initial=initial, **model_kwargs), "coupling",
                               observable=obs, value_range=coupling_range, scan="linear", scan_points=scan_points,
                               scale=scale, offset=offset, charge_options=charge_options,
                               derived={"j_sqrt_n": f"coupling*{math.sqrt(n)!r}"},
                               name=f"StarBattery(N={n}, {initial})",
                               formula=f"scale * charge(StarBattery(N={n}, J, initial={initial!r}), t).{obs} + offset"
                                       "   [Joshi & Mahesh 2022]",
                               metadata={"n_chargers": n, "initial": initial, **model_kwargs})


def transverse_ising_model(n_qubits: int, m_cells: int, field: float, *, field_in_charging: bool = True,
                           coupling_max: float | None = None, scan_points: int = 600, scale: float | None = 1.0,
                           offset: float | None = 0.0) -> TheoryModel:
    """Fit |J| of the transverse-field Ising battery from its stored work (see :mod:`qbhw.fit.ising`).

    ``H = J Σ X_i X_{i+1} + h Σ Z_i`` (open chain; ``field_in_charging=False`` drops the field
    term during charging), start ``|0…0⟩``, battery = first ``m_cells`` qubits (little-endian),
    ``W = ⟨H_B⟩ − M h``. W is even in J, so the parameter is ``coupling_abs`` = |J| ≥ 0. The
    guess scans |J| up to ``coupling_max`` (default: the sampling limit ``π/(2 Δt_min)`` of the
    data, set at the first fit).
    """
    nq, mc = check_chain(n_qubits, m_cells)
    h = float(field)

    def curve(times, coupling_abs):
        return ising_work_grid(times, [coupling_abs], h, nq, mc, field_in_charging=field_in_charging)[0]

    def batch(times, grid):
        return ising_work_grid(times, grid, h, nq, mc, field_in_charging=field_in_charging)

    def sampling_grid(x):
        xs = np.unique(x)
        dt = float(np.min(np.diff(xs))) if xs.size > 1 else float(abs(xs[0]) or 1.0)
        top = coupling_max or math.pi / (2.0 * dt)
        return np.linspace(top / scan_points, top, int(scan_points))

    return TheoryModel(curve, {"coupling_abs": {"value": 1.0, "min": 0.0}}, name=f"TransverseIsing(N={nq},M={mc})",
                       formula=(f"scale * W(t; |J|, h={h:g}, N={nq}, M={mc}) + offset, H = J sum X_i X_i+1 "
                                f"+ h sum Z_i{'' if field_in_charging else ' (field off while charging)'}"),
                       scale=scale, offset=offset, scan=("coupling_abs", sampling_grid), batch_curve=batch,
                       metadata={"n_qubits": nq, "m_cells": mc, "field": h, "field_in_charging": field_in_charging})


def _peak_power(curve) -> float:
    p = curve.power.power
    return float(np.max(p if p is not None else np.gradient(curve.energy, curve.times)))


#: figures of a charging curve a size-scaling theory model can fit (``curve -> float``)
SIZE_QUANTITIES: dict[str, Callable[[Any], float]] = {
    "peak_power": _peak_power,
    "max_energy": lambda c: float(np.max(c.energy)),
    "max_average_power": lambda c: float(c.max_average_power),
}


def superabsorption_model(factory: Callable[[int, float], BatteryModel], times, *, quantity: str = "peak_power",
                          coupling_range: tuple[float, float] = (0.01, 1.0), scan_points: int = 25,
                          scale: float | None = 1.0, charge_options: Mapping[str, Any] | None = None,
                          name: str = "superabsorption") -> TheoryModel:
    """Fit the light–matter coupling g to a figure of merit measured versus the number of cells N.

    The model is ``y(N) = scale · Q[qbhw.charge(factory(N, g), times)]`` with ``Q`` one of
    :data:`SIZE_QUANTITIES`: ``"peak_power"`` (the largest instantaneous charging power max_t dE/dt, the
    charging rate), ``"max_energy"`` or ``"max_average_power"`` (⟨P⟩ at τ̃). It is the theory behind a
    superextensive charging rate of an ensemble in a cavity (superabsorption; review Sec. VI.C, Quach et al.,
    Sci. Adv. 8, eabk3160, 2022): ``factory(N, g)`` builds the open model (e.g. an
    :class:`~qbhw.models.OpenDickeBattery` with the experiment's losses and pump pulse), and the fit returns g
    (and a free ``scale`` when the measurement is in arbitrary units, ``scale=None``). The independent
    variable is ``n`` (integers). The guess scans g geometrically over ``coupling_range``.
    """
    if quantity not in SIZE_QUANTITIES:
        raise ConfigError(f"got {quantity!r}", argument="quantity", allowed=" | ".join(SIZE_QUANTITIES))
    try:
        lo, hi = (float(v) for v in coupling_range)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"got {coupling_range!r}", argument="coupling_range",
                                   allowed="(lo, hi) with 0 < lo < hi") from None
    if not (0 < lo < hi and math.isfinite(hi)):
        raise InvalidArgumentError(f"got {coupling_range!r}", argument="coupling_range", allowed="(lo, hi), 0 < lo < hi")
    t = np.asarray(times, dtype=float)
    get = SIZE_QUANTITIES[quantity]
    opts = {"ergotropy": False, **dict(charge_options or {})}

    def curve(n, coupling):
        values = []
        for k in np.asarray(n, dtype=float):
            if k < 1 or k != round(k):
                raise InvalidArgumentError(f"got N = {k!r}", argument="n", allowed="integers >= 1")
            values.append(get(charge(factory(int(round(k)), float(coupling)), t, **opts)))
        return np.array(values)

    grid = np.geomspace(lo, hi, check_positive_int(scan_points, "scan_points", minimum=2))
    return TheoryModel(curve, {"coupling": {"value": math.sqrt(lo * hi), "min": 0.0}}, name=name,
                       formula=f"scale * {quantity}[charge(model(N, coupling), t)]", independent_var="n",
                       scale=scale, offset=0.0, scan=("coupling", grid),
                       metadata={"quantity": quantity, "times": [float(x) for x in t]})
