"""Intervals for the figures of merit of sampled (shot-noise) charging curves (pure numpy).

A charging curve measured with finite shots carries a standard error per time (``energy_stderr``), but
the figures read off the whole curve — the charging time τ̃ and the power ⟨P⟩_τ̃, the energy peak τ̄,
the ergotropy, the quantum advantage Γ — are non-linear functionals of it (an argmax, a maximum, an
eigenvalue problem), so their uncertainty is obtained by re-computing them on replicate curves.

Definitions (review: Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Sec. II, Eqs. 10–11 for P(t) and ⟨P⟩_τ, Eqs. 15 and 18 for Γ; the
same functions as :mod:`qbhw.metrics.power` compute them, see :func:`~qbhw.metrics.power.max_power_point`
and :func:`~qbhw.metrics.power.energy_peak_point`):

* average power ``⟨P⟩_t = W(t)/t`` with ``W(t) = E(t) − E(0)``;
* ``tau_max_power`` τ̃ ``= argmax_{t>0} W(t)/t`` and ``max_average_power`` ``⟨P⟩_τ̃ = W(τ̃)/τ̃``
  (parabola-refined maximum on the grid);
* ``tau_energy_peak`` τ̄, the first interior maximum of ``W(t)``, and ``average_power_energy_peak``
  ``⟨P⟩_τ̄ = W(τ̄)/τ̄``;
* ``max_energy`` ``= max_k E(t_k)`` (as :class:`qbhw.protocols.ChargingResults`);
* the quantum advantage ``Γ = ⟨P_collective⟩_τ / (N ⟨P_single⟩_τ)``.

Methods (the ``method`` of each :class:`Interval` states which one was used):

* **bootstrap over shots** (non-parametric): every measured histogram is resampled multinomially with
  its own number of shots and the observed frequencies as probabilities (:func:`resample_counts`,
  :func:`bootstrap_counts`); each of the ``B`` replicate data sets gives a replicate curve and replicate
  figures ``θ*_b``; ``value`` stays the estimate ``θ̂`` from the measured data and ``stderr = std(θ*_b)``
  (ddof = 1). ``ci95`` (:func:`replicate_interval`):

  - *percentile* ``[q_2.5(θ*), q_97.5(θ*)]`` for the charging times τ̃, τ̄, ⟨P⟩_τ̄ and the ergotropies;
  - *bias-corrected percentile* ``[q_2.5 − 2b̂, q_97.5 − 2b̂]``, ``b̂ = mean(θ*) − θ̂``, for the global
    maxima ``max_average_power`` and ``max_energy``: the maximum of a noisy curve is biased upwards (by
    about one standard error when the noise exceeds the curvature of the curve over a few grid steps),
    the replicates are biased by the same amount again, and the plain percentile interval then misses
    the true value (measured: 5–75 % coverage on fine grids; 85–94 % bias-corrected; see
    tests/metrics/test_intervals.py).

  Replicates for which a figure does not exist (e.g. no interior energy maximum:
  :class:`~qbhw.errors.ChargingTimeError`) are dropped for that figure and counted (``dropped``).
  Limitations: a histogram with a single observed outcome (frequency 0 or 1) has no spread under
  resampling, so figures set by such points (a battery charged to exactly full) get too narrow
  intervals; τ̄, the *first* interior maximum, is unstable when the noise exceeds the rise of ``W``
  between grid points (noise makes early spurious maxima), and so is its interval.
* **parametric bootstrap**: when only means and standard errors are known (estimator results),
  ``E*_b(t_i) = Ê(t_i) + σ_i z_bi`` with independent ``z ~ N(0, 1)`` (:func:`parametric_work_replicates`),
  then as above.
* **delta method** for a ratio of independent estimates (:func:`ratio_interval`):
  ``Γ = a/(s·b)``, ``σ_Γ = |Γ| √((σ_a/a)² + (σ_b/b)²)``, ``ci95 = Γ ± 1.96 σ_Γ``.

Replicates are drawn from a :class:`numpy.random.Generator`; :func:`counts_seed` derives a seed from a
hash of the data, so an interval computed twice from the same counts is identical.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import (
    ChargingTimeError,
    DataError,
    DimensionMismatchError,
    InvalidArgumentError,
)
from .power import check_tau, energy_peak_point, max_power_point, quantum_advantage

__all__ = [
    "CURVE_FIGURES",
    "DEFAULT_BOOTSTRAP",
    "Interval",
    "bootstrap_counts",
    "counts_seed",
    "curve_figure_intervals",
    "parametric_work_replicates",
    "quantum_advantage_interval",
    "ratio_interval",
    "replicate_interval",
    "resample_counts",
]

#: default number of bootstrap replicates
DEFAULT_BOOTSTRAP = 200
#: the figures :func:`curve_figure_intervals` gives intervals for
CURVE_FIGURES = ("tau_max_power", "max_average_power", "tau_energy_peak", "average_power_energy_peak", "max_energy")
#: figures that are a global maximum of a sampled curve (upward-biased by the noise): bias-corrected
_MAXIMA = ("max_average_power", "max_energy")
_Z95 = 1.959963984540054  # standard-normal 97.5 % quantile


@dataclass(frozen=True)
class Interval:
    """An estimate with its uncertainty.

    ``value``: the estimate from the measured data; ``stderr``: its standard error; ``ci95``: a 95 %
    interval ``(low, high)``; ``method``: how they were obtained (``"bootstrap over shots (B=200),
    percentile"``, ``"… bias-corrected percentile"``, ``"parametric bootstrap (B=200), …"``,
    ``"delta method …"``, ``"exact"``); ``replicates``: bootstrap
    replicates used (``None`` for non-bootstrap methods); ``dropped``: replicates dropped because the
    figure did not exist for them.
    """

    value: float
    stderr: float
    ci95: tuple[float, float]
    method: str
    replicates: int | None = None
    dropped: int = 0

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in :attr:`ci95` (closed)."""
        return bool(self.ci95[0] <= x <= self.ci95[1])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (``ci95`` as a two-element list); :meth:`from_dict` inverts it."""
        return {"value": float(self.value), "stderr": float(self.stderr),
                "ci95": [float(self.ci95[0]), float(self.ci95[1])], "method": str(self.method),
                "replicates": None if self.replicates is None else int(self.replicates), "dropped": int(self.dropped)}

    @classmethod
    def from_dict(cls, d) -> Interval:
        if isinstance(d, Interval):
            return d
        try:
            lo, hi = d["ci95"]
            rep = d.get("replicates")
            return cls(float(d["value"]), float(d["stderr"]), (float(lo), float(hi)), str(d["method"]),
                       None if rep is None else int(rep), int(d.get("dropped", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError("not an interval", argument="interval",
                            allowed="a dict written by Interval.to_dict (value, stderr, ci95, method)") from exc


# ---- replicate data ---------------------------------------------------------------------------
def _canonical(obj):
    if isinstance(obj, dict):
        return {str(k): _canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [obj.shape, [_canonical(v) for v in obj.ravel().tolist()]]
    if isinstance(obj, (bool, np.bool_)) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float, np.integer, np.floating)):
        return repr(float(obj))
    return repr(obj)


def counts_seed(*data) -> int:
    """A 64-bit seed from a SHA-256 hash of ``data`` (histograms, arrays, numbers; order-sensitive, the
    order of a histogram's keys is not): the same data always give the same seed, so bootstrap intervals
    are reproducible and identical on rerun."""
    text = json.dumps(_canonical(list(data)), sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")


def _generator(rng, *data) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(counts_seed(*data) if rng is None else rng)


def _check_boot(n_boot) -> int:
    if isinstance(n_boot, bool) or not float(n_boot).is_integer() or int(n_boot) < 2:
        raise InvalidArgumentError(f"got {n_boot!r}", argument="n_boot", allowed="an integer >= 2")
    return int(n_boot)


def resample_counts(counts, n_boot: int, rng) -> np.ndarray:
    """Multinomial resampling of histograms, vectorised over replicates (and rows).

    ``counts``: ``(..., K)`` non-negative integer counts (each row a histogram of ``n = Σ_k c_k > 0``
    shots). Returns ``(n_boot, ..., K)`` integer counts; replicate b of row r is drawn from
    ``Multinomial(n_r, c_r/n_r)`` — the shots are resampled with replacement.
    """
    c = np.asarray(counts, dtype=float)
    if c.ndim == 0 or c.shape[-1] == 0:
        raise DimensionMismatchError(f"shape {c.shape}", argument="counts", allowed="(..., K) counts, K >= 1")
    if not np.all(np.isfinite(c)) or np.any(c < 0) or not np.all(c == np.round(c)):
        raise InvalidArgumentError("counts must be non-negative integers", argument="counts",
                                   allowed="sampled counts (not exact probabilities)")
    n = c.sum(axis=-1)
    if np.any(n <= 0):
        raise InvalidArgumentError("a histogram with no shots", argument="counts", allowed="at least one shot per row")
    b = _check_boot(n_boot)
    return rng.multinomial(n.astype(np.int64), c / n[..., None], size=(b, *c.shape[:-1]))


def bootstrap_counts(counts: dict[str, int], n_boot: int, rng=None) -> list[dict[str, int]]:
    """``n_boot`` multinomial resamplings of one histogram (same keys and shots; outcomes drawn 0 times are
    left out). ``rng``: a Generator, a seed, or ``None`` (seeded from the histogram, :func:`counts_seed`)."""
    if not counts:
        raise InvalidArgumentError("no counts", argument="counts", allowed="at least one outcome")
    keys = list(counts)
    draws = resample_counts(np.array([counts[k] for k in keys], dtype=float), n_boot, _generator(rng, counts))
    return [{k: int(v) for k, v in zip(keys, row) if v} for row in draws]


def replicate_interval(value: float, replicates, *, method: str, dropped: int = 0,
                       bias_correct: bool = False) -> Interval:
    """Bootstrap :class:`Interval` from replicates ``θ*_b`` of an estimate ``θ̂ = value``.

    ``stderr`` = std of the finite replicates (ddof = 1). ``ci95``: the percentile interval
    ``[q_2.5(θ*), q_97.5(θ*)]``; with ``bias_correct`` the bias-corrected percentile interval
    ``[q_2.5 − 2b̂, q_97.5 − 2b̂]``, ``b̂ = mean(θ*) − θ̂`` (the bootstrap bias estimate, Efron &
    Tibshirani 1993 Ch. 10: the replicates sit about ``b̂`` above ``θ̂`` as ``θ̂`` sits about ``b̂`` above
    the true value, so the interval is centred on ``θ̂ − b̂``). Non-finite replicates count as dropped.
    ``method`` gets ``", percentile"`` or ``", bias-corrected percentile"`` appended.
    """
    r = np.asarray(replicates, dtype=float).ravel()
    ok = np.isfinite(r)
    if np.count_nonzero(ok) < 2:
        raise DataError(f"{np.count_nonzero(ok)} usable replicates", argument="replicates",
                        allowed="at least 2 finite replicates")
    good = r[ok]
    lo, hi = np.percentile(good, [2.5, 97.5])
    if bias_correct:
        shift = 2.0 * (float(np.mean(good)) - float(value))
        lo, hi = lo - shift, hi - shift
        method = f"{method}, bias-corrected percentile"
    else:
        method = f"{method}, percentile"
    return Interval(float(value), float(np.std(good, ddof=1)), (float(lo), float(hi)), method,
                    int(good.size), int(dropped) + int(r.size - good.size))


# ---- figures of a curve -----------------------------------------------------------------------
def _figures(t: np.ndarray, w: np.ndarray, e: np.ndarray) -> dict[str, float]:
    """The :data:`CURVE_FIGURES` of one curve (NaN where a figure does not exist)."""
    out = dict.fromkeys(CURVE_FIGURES, math.nan)
    try:
        out["tau_max_power"], out["max_average_power"] = max_power_point(t, w)
    except ChargingTimeError:
        pass
    try:
        tau, wp = energy_peak_point(t, w)
        out["tau_energy_peak"] = tau
        out["average_power_energy_peak"] = wp / tau if tau > 0 else math.nan
    except ChargingTimeError:
        pass
    out["max_energy"] = float(np.max(e))
    return out


def curve_figure_intervals(times, work_replicates, work, *, energy=None, energy_replicates=None,
                           method: str | None = None) -> dict[str, Interval]:
    """Bootstrap intervals of the figures of merit of a charging curve (percentile; bias-corrected
    percentile for the maxima ``max_average_power`` and ``max_energy``, see the module docstring).

    Parameters
    ----------
    times:
        the time grid (``nt``).
    work_replicates:
        ``(B, nt)`` replicate work curves ``W*_b(t)`` (from resampled data).
    work:
        the measured work ``W(t)``: the point estimates ``value`` are its figures.
    energy, energy_replicates:
        ``E(t)`` and ``(B, nt)`` replicates for ``max_energy = max_k E(t_k)``; without them ``max_energy``
        is read off the work (equal when the battery starts empty with an exact reference).
    method:
        the method string (default ``"bootstrap (B=…)"``).

    Returns
    -------
    dict
        name → :class:`Interval` for each of :data:`CURVE_FIGURES` that exists on the measured curve
        (``tau_max_power``, ``max_average_power``: τ̃ and ⟨P⟩_τ̃; ``tau_energy_peak``,
        ``average_power_energy_peak``: τ̄ and ⟨P⟩_τ̄; ``max_energy``). Replicates on which a figure does
        not exist are dropped (``Interval.dropped``); a figure with fewer than 2 usable replicates is
        left out.
    """
    t = np.asarray(times, dtype=float).ravel()
    w = np.asarray(work, dtype=float).ravel()
    wr = np.asarray(work_replicates, dtype=float)
    if w.shape != t.shape or wr.ndim != 2 or wr.shape[1] != t.size:
        raise DimensionMismatchError(f"times {t.shape}, work {w.shape}, work_replicates {wr.shape}",
                                     argument="work_replicates", allowed="work (nt,) and replicates (B, nt)")
    if energy is None:
        e, er = w, wr
    else:
        e = np.asarray(energy, dtype=float).ravel()
        er = wr if energy_replicates is None else np.asarray(energy_replicates, dtype=float)
        if e.shape != t.shape or er.shape != wr.shape:
            raise DimensionMismatchError(f"energy {e.shape}, energy_replicates {er.shape}",
                                         argument="energy_replicates", allowed="shapes of work and work_replicates")
    method = method or f"bootstrap (B={wr.shape[0]})"
    point = _figures(t, w, e)
    reps = [_figures(t, wr[b], er[b]) for b in range(wr.shape[0])]
    out: dict[str, Interval] = {}
    for name in CURVE_FIGURES:
        if not math.isfinite(point[name]):
            continue
        try:
            out[name] = replicate_interval(point[name], [r[name] for r in reps], method=method,
                                           bias_correct=name in _MAXIMA)
        except DataError:
            continue
    return out


def parametric_work_replicates(energy, energy_stderr, *, initial_energy: float | None = None,
                               n_boot: int = DEFAULT_BOOTSTRAP, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Parametric-bootstrap replicate curves from means and standard errors (estimator results).

    ``E*_b(t_i) = E(t_i) + σ_i z_bi`` with independent ``z_bi ~ N(0, 1)`` (every time is a separate
    measurement); work as :func:`qbhw.backends.execution._work`: ``W*_b = E*_b − E*_b(t_0)`` (the
    measured first point; ``initial_energy=None``) or ``W*_b = E*_b − initial_energy`` (exact reference).
    ``rng``: a Generator, a seed, or ``None`` (seeded from a hash of ``energy`` and ``energy_stderr``).

    Returns ``(energy_replicates, work_replicates)``, each ``(n_boot, nt)``.
    """
    e = np.asarray(energy, dtype=float).ravel()
    s = np.asarray(energy_stderr, dtype=float).ravel()
    if e.shape != s.shape:
        raise DimensionMismatchError(f"energy {e.shape}, energy_stderr {s.shape}", argument="energy_stderr",
                                     allowed="one standard error per time")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(s))) or np.any(s < 0):
        raise InvalidArgumentError("non-finite values or negative standard errors", argument="energy_stderr",
                                   allowed="finite energies and standard errors >= 0")
    b = _check_boot(n_boot)
    gen = _generator(rng, e, s, initial_energy)
    er = e[None, :] + s[None, :] * gen.standard_normal((b, e.size))
    wr = er - (er[:, :1] if initial_energy is None else float(initial_energy))
    return er, wr


# ---- ratios and the quantum advantage ---------------------------------------------------------
def ratio_interval(a: Interval, b: Interval, scale: float = 1.0) -> Interval:
    """Delta-method interval of ``Γ = a/(scale·b)`` for independent estimates ``a`` and ``b``.

    ``σ_Γ = |Γ| √((σ_a/a)² + (σ_b/b)²)`` (first-order propagation, independent runs), ``ci95 = Γ ± 1.96 σ_Γ``.
    """
    a, b = Interval.from_dict(a), Interval.from_dict(b)
    scale = float(scale)
    if b.value == 0 or scale == 0 or not math.isfinite(scale):
        raise InvalidArgumentError(f"denominator {scale!r}·{b.value!r}", argument="b",
                                   allowed="a non-zero denominator estimate and a finite non-zero scale")
    g = a.value / (scale * b.value)
    if a.value == 0:
        sg = abs(a.stderr / (scale * b.value))
    else:
        sg = abs(g) * math.hypot(a.stderr / a.value, b.stderr / b.value)
    return Interval(g, sg, (g - _Z95 * sg, g + _Z95 * sg), "delta method")


def _stored_interval(curve, name: str, argument: str) -> Interval | None:
    stored = (getattr(curve, "metadata", None) or {}).get("intervals") or {}
    if name in stored:
        return Interval.from_dict(stored[name])
    if getattr(curve, "energy_stderr", None) is None and getattr(curve, "work_stderr", None) is None:
        return None  # an exact curve
    raise DataError(f"the curve has shot noise but no stored interval for {name!r} (made with bootstrap=0?)",
                    argument=argument, allowed="a curve with metadata['intervals'], or an exact curve")


def quantum_advantage_interval(collective_curve, single_curve, n_cells: int, *, tau: str) -> Interval:
    """Quantum advantage ``Γ = ⟨P_collective⟩_τ / (N ⟨P_single⟩_τ)`` (review Sec. II, Eqs. 15, 18) with its
    interval.

    ``value`` is :func:`qbhw.metrics.quantum_advantage`; the uncertainty comes from the two curves' stored
    intervals (``curve.metadata["intervals"]``: ``max_average_power`` for ``tau="max_power"``,
    ``average_power_energy_peak`` for ``tau="energy_peak"``) combined by the delta method for independent
    runs (:func:`ratio_interval`). An exact curve (no ``energy_stderr``) contributes no uncertainty; a
    sampled curve without stored intervals raises :class:`~qbhw.errors.DataError`.
    """
    name = "max_average_power" if check_tau(tau) == "max_power" else "average_power_energy_peak"
    value = quantum_advantage(collective_curve, single_curve, n_cells, tau=tau)
    a = _stored_interval(collective_curve, name, "collective_curve")
    b = _stored_interval(single_curve, name, "single_curve")
    if a is None and b is None:
        return Interval(value, 0.0, (value, value), "exact")
    pa = collective_curve.average_power_at(tau)
    pb = single_curve.average_power_at(tau)
    a = a if a is not None else Interval(pa, 0.0, (pa, pa), "exact")
    b = b if b is not None else Interval(pb, 0.0, (pb, pb), "exact")
    r = ratio_interval(a, b, float(n_cells))
    sg = r.stderr
    return Interval(value, sg, (value - _Z95 * sg, value + _Z95 * sg),
                    f"delta method (independent runs) on [{a.method}] / [{b.method}]")
