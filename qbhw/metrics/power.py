"""Power of a charging process, charging times τ̃ and τ̄, and the quantum advantage Γ.

Review (Campaioli et al., Rev. Mod. Phys. 96, 031001) Sec. II.B:

* stored work ``W(t) = E(t) − E(0)`` (Eq. 3);
* instantaneous power ``P(t) = dW/dt`` (Eq. 10);
* average power ``⟨P⟩_t = W(t)/t`` (Eq. 11);
* quantum advantage ``Γ = ⟨P_collective⟩_τ / (N ⟨P_single⟩_τ)`` (Eqs. 15, 18).

Charging times (qbhw convention, design.md):

* ``tau="max_power"`` — τ̃, the time that maximises the average power ``W(t)/t`` over
  ``t > 0`` in the given window;
* ``tau="energy_peak"`` — τ̄, the first interior local maximum of ``W(t)``.

Both are refined by a parabola through the three samples around the discrete
maximum when the maximum is interior, so that they do not depend on the grid at
first order. Asking for τ̄ on a curve without an interior maximum raises
:class:`~qbhw.errors.ChargingTimeError`. No function picks a convention implicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ChargingTimeError, ConfigError, DimensionMismatchError, InvalidArgumentError
from ._inputs import check_positive_int, check_times

__all__ = [
    "TAU_CHOICES",
    "PowerCurve",
    "power_curve",
    "quantum_advantage",
    "check_tau",
    "average_power",
    "max_power_point",
    "energy_peak_point",
]

TAU_CHOICES = ("max_power", "energy_peak")
_KINDS = ("trajectory", "sweep")


def check_tau(tau: str) -> str:
    """Validate a charging-time convention name."""
    if tau not in TAU_CHOICES:
        raise ConfigError(f"unknown charging-time convention {tau!r}", argument="tau",
                          allowed=" | ".join(repr(t) for t in TAU_CHOICES))
    return tau


def _parabola_peak(x: np.ndarray, y: np.ndarray, i: int) -> tuple[float, float]:
    """Vertex of the parabola through (x[i-1..i+1], y[i-1..i+1]); falls back to the sample."""
    x0, x1, x2 = x[i - 1], x[i], x[i + 1]
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    # Lagrange form -> coefficients of a (x - x1)^2 + b (x - x1) + y1
    d0, d2 = x0 - x1, x2 - x1
    denom = d0 * d2 * (d0 - d2)
    if denom == 0:
        return float(x1), float(y1)
    a = ((y0 - y1) * d2 - (y2 - y1) * d0) / denom
    b = ((y2 - y1) * d0**2 - (y0 - y1) * d2**2) / denom
    if a >= 0:  # not a maximum (flat or convex): keep the sample
        return float(x1), float(y1)
    dx = -b / (2 * a)
    if not (d0 <= dx <= d2):
        return float(x1), float(y1)
    return float(x1 + dx), float(y1 + a * dx**2 + b * dx)


# ---- arrays-level figures (shared by PowerCurve and qbhw.metrics.intervals) -----------------
def average_power(times, work) -> np.ndarray:
    """``⟨P⟩_t = W(t)/t`` (Eq. 11) on the grid; NaN where ``t <= 0``. Arrays as given (no checks)."""
    t = np.asarray(times, dtype=float)
    w = np.asarray(work, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, w / np.where(t > 0, t, 1.0), np.nan)


def _max_power_of_average(t: np.ndarray, avg: np.ndarray) -> tuple[float, float]:
    valid = np.flatnonzero(t > 0)
    if valid.size == 0:
        raise ChargingTimeError("no time t > 0 in the window, so W(t)/t is undefined",
                                argument="times", allowed="at least one t > 0")
    i = int(valid[np.nanargmax(avg[valid])])
    if i - 1 >= valid[0] and i + 1 < t.size:
        return _parabola_peak(t, avg, i)
    return float(t[i]), float(avg[i])


def max_power_point(times, work) -> tuple[float, float]:
    """``(τ̃, ⟨P⟩_τ̃)``: the maximum of ``W(t)/t`` over ``t > 0`` (parabola-refined when interior),
    exactly as :attr:`PowerCurve.tau_max_power` / :attr:`PowerCurve.max_average_power`.

    Raises :class:`~qbhw.errors.ChargingTimeError` when no ``t > 0`` is in the window."""
    t = np.asarray(times, dtype=float)
    return _max_power_of_average(t, average_power(t, work))


def energy_peak_point(times, work) -> tuple[float, float]:
    """``(τ̄, W(τ̄))``: the first interior local maximum of ``W(t)`` (parabola-refined), exactly as
    :attr:`PowerCurve.tau_energy_peak` / :attr:`PowerCurve.work_at_energy_peak`.

    Raises :class:`~qbhw.errors.ChargingTimeError` when ``W`` has no interior maximum in the window."""
    t = np.asarray(times, dtype=float)
    w = np.asarray(work, dtype=float)
    inc = w[1:-1] > w[:-2]
    not_dec = w[1:-1] >= w[2:]
    strict_somewhere = (w[1:-1] > w[:-2]) | (w[1:-1] > w[2:])
    cand = np.flatnonzero(inc & not_dec & strict_somewhere) + 1
    if cand.size == 0:
        raise ChargingTimeError(
            "the stored work has no interior local maximum in the time window, so the energy-peak "
            "charging time τ̄ does not exist; extend the window or use tau='max_power'",
            argument="tau", allowed="'max_power', or a window that contains the first energy maximum",
        )
    return _parabola_peak(t, w, int(cand[0]))


@dataclass(frozen=True)
class PowerCurve:
    """Power of a charging curve ``W(t)``.

    Attributes
    ----------
    times, work:
        The curve (``work[k] = W(times[k])``).
    power:
        Instantaneous power ``P(t) = dW/dt`` (Eq. 10): analytic when given, else a
        second-order finite difference (``numpy.gradient``). ``None`` for a sweep
        (``kind="sweep"``), where each point is a separate run and dW/dt has no meaning.
    average_power:
        ``⟨P⟩_t = W(t)/t`` (Eq. 11); NaN where ``t <= 0``.
    kind:
        ``"trajectory"`` or ``"sweep"``.
    """

    times: np.ndarray
    work: np.ndarray
    power: np.ndarray | None
    average_power: np.ndarray
    kind: str = "trajectory"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # ---- τ̃: maximal average power -------------------------------------------------
    def _max_power(self) -> tuple[float, float]:
        if "max_power" not in self._cache:
            self._cache["max_power"] = _max_power_of_average(self.times, self.average_power)
        return self._cache["max_power"]

    @property
    def tau_max_power(self) -> float:
        """τ̃ = argmax_{t>0} W(t)/t (parabola-refined when interior)."""
        return self._max_power()[0]

    @property
    def max_average_power(self) -> float:
        """max_{t>0} W(t)/t = ⟨P⟩_τ̃."""
        return self._max_power()[1]

    # ---- τ̄: first interior energy maximum -----------------------------------------
    def _energy_peak(self) -> tuple[float, float]:
        if "energy_peak" not in self._cache:
            self._cache["energy_peak"] = energy_peak_point(self.times, self.work)
        return self._cache["energy_peak"]

    @property
    def tau_energy_peak(self) -> float:
        """τ̄: first interior local maximum of W(t), parabola-refined."""
        return self._energy_peak()[0]

    @property
    def work_at_energy_peak(self) -> float:
        return self._energy_peak()[1]

    # ---- convention-explicit accessors --------------------------------------------
    def charging_time(self, tau: str) -> float:
        """τ for the named convention (``"max_power"`` → τ̃, ``"energy_peak"`` → τ̄)."""
        return self.tau_max_power if check_tau(tau) == "max_power" else self.tau_energy_peak

    def work_at(self, tau: str) -> float:
        """W(τ) for the named convention."""
        if check_tau(tau) == "max_power":
            t, p = self._max_power()
            return p * t
        return self.work_at_energy_peak

    def average_power_at(self, tau: str) -> float:
        """⟨P⟩_τ = W(τ)/τ for the named convention."""
        if check_tau(tau) == "max_power":
            return self.max_average_power
        t, w = self._energy_peak()
        return w / t

    @property
    def peak_power(self) -> float:
        """max_t P(t) (trajectories only)."""
        if self.power is None:
            raise ChargingTimeError("a sweep has no instantaneous power", argument="kind",
                                    allowed="'trajectory'")
        return float(np.max(self.power))


def power_curve(times, work, *, power=None, kind: str = "trajectory") -> PowerCurve:
    """Power figures of a charging curve ``W(t)`` (review Eqs. 10–11).

    Parameters
    ----------
    times:
        Strictly increasing times.
    work:
        Stored work ``W(t) = E(t) − E(0)`` at those times (Eq. 3).
    power:
        Optional analytic instantaneous power ``−i Tr([H_B, H(t)] ρ(t))``; if omitted, a
        second-order finite difference of ``work`` is used (trajectories only).
    kind:
        ``"trajectory"`` (one evolution sampled in time) or ``"sweep"`` (final values of
        separate runs of different durations: only ``W(τ)/τ`` is meaningful).
    """
    if kind not in _KINDS:
        raise ConfigError(f"unknown curve kind {kind!r}", argument="kind", allowed="'trajectory' | 'sweep'")
    t = check_times(times, "times")
    w = np.asarray(work, dtype=float)
    if w.shape != t.shape:
        raise DimensionMismatchError(f"work has shape {w.shape} but times has shape {t.shape}",
                                     argument="work", allowed="same length as times")
    if not np.all(np.isfinite(w)):
        raise InvalidArgumentError("contains NaN or inf", argument="work", allowed="finite values")
    if power is not None:
        p = np.asarray(power, dtype=float)
        if p.shape != t.shape:
            raise DimensionMismatchError(f"power has shape {p.shape} but times has shape {t.shape}",
                                         argument="power", allowed="same length as times")
    elif kind == "trajectory":
        p = np.gradient(w, t, edge_order=2) if t.size >= 3 else np.gradient(w, t)
    else:
        p = None
    return PowerCurve(times=t, work=w, power=p, average_power=average_power(t, w), kind=kind)


def _as_power_curve(obj, argument: str) -> PowerCurve:
    if isinstance(obj, PowerCurve):
        return obj
    pc = getattr(obj, "power", None)
    if isinstance(pc, PowerCurve):
        return pc
    if isinstance(obj, tuple) and len(obj) == 2:
        return power_curve(obj[0], obj[1])
    raise InvalidArgumentError(f"cannot read a power curve from {type(obj).__name__}", argument=argument,
                               allowed="PowerCurve, a charging curve with .power, or a (times, work) tuple")


def quantum_advantage(collective, single_cell, n_cells: int, *, tau: str) -> float:
    """Quantum (collective) advantage Γ (review Eqs. 15, 18).

    ``Γ = ⟨P_collective⟩_τ / (n_cells · ⟨P_single⟩_τ)`` where each average power is
    taken at its own charging time under the same convention ``tau`` (``"max_power"``
    → τ̃, ``"energy_peak"`` → τ̄). ``collective`` and ``single_cell`` may be
    :class:`PowerCurve` objects, charging curves with a ``.power`` attribute, or
    ``(times, work)`` tuples.
    """
    check_tau(tau)
    n = check_positive_int(n_cells, "n_cells")
    pc = _as_power_curve(collective, "collective")
    ps = _as_power_curve(single_cell, "single_cell")
    p_single = ps.average_power_at(tau)
    if not p_single > 0:
        raise InvalidArgumentError(f"single-cell average power is {p_single!r}", argument="single_cell",
                                   allowed="a charging curve with positive average power")
    return float(pc.average_power_at(tau) / (n * p_single))
