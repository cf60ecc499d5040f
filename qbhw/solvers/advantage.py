"""Quantum (collective) advantage of a battery against its parallel single-cell reference.

``Γ = ⟨P_collective⟩_τ / (N ⟨P_single⟩_τ)`` (review Eqs. 15, 18; design.md), each average
power at its own charging time under the same convention ``tau`` (``"max_power"`` → τ̃,
``"energy_peak"`` → τ̄). The single-cell reference is ``model.parallel_reference()``:
for :class:`~qbhw.models.DickeBattery` the :class:`~qbhw.models.RabiBattery` with one
photon per cell (Eq. 33; seed-spec §2.2), for :class:`~qbhw.models.TavisCummingsBattery`
its one-cell Jaynes–Cummings case.

Usage::

    res = qbhw.solvers.advantage(DickeBattery(8, 0.05), tau="max_power")   # τ found by search
    res.gamma, res.collective_power, res.single_power, res.tau_collective, res.tau_single
    qbhw.solvers.advantage(model, times, tau="energy_peak")                # on a given grid

With ``times`` the collective curve is ``qbhw.charge(model, times)`` and τ is taken on that
grid (:class:`~qbhw.metrics.PowerCurve`); the reference uses ``reference_times`` when
given, else :func:`~qbhw.solvers.cavity.find_charging_time` (the reference's time scale
is usually much longer). Without ``times`` both use :func:`find_charging_time`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidArgumentError
from ..metrics.power import check_tau
from .cavity import find_charging_time
from .charge import charge

__all__ = ["advantage", "AdvantageResult"]


@dataclass(frozen=True)
class AdvantageResult:
    """Γ and the pieces it is made of."""

    gamma: float
    tau_name: str
    n_cells: int
    collective_power: float
    single_power: float
    tau_collective: float
    tau_single: float

    def __float__(self) -> float:
        return float(self.gamma)


def _power(model, times, tau, **options) -> tuple[float, float]:
    if times is None:
        res = find_charging_time(model, tau, **options)
        return res.average_power, res.tau
    curve = charge(model, times, ergotropy=False, **options)
    return curve.average_power_at(tau), curve.charging_time(tau)


def advantage(model, times=None, *, tau: str, reference=None, reference_times=None, **options) -> AdvantageResult:
    """Γ of ``model`` against ``reference`` (default ``model.parallel_reference()``); see module docstring.

    ``options`` go to the charging routine of both models (e.g. ``method``,
    ``cutoff_tolerance``, ``truncation_threshold``).
    """
    check_tau(tau)
    if reference is None:
        maker = getattr(model, "parallel_reference", None)
        if maker is None:
            raise InvalidArgumentError(f"{type(model).__name__} has no parallel_reference()", argument="reference",
                                       allowed="a single-cell reference model")
        reference = maker()
    n = int(getattr(model, "n_cells"))
    p_c, t_c = _power(model, times, tau, **options)
    p_s, t_s = _power(reference, reference_times, tau, **options)
    if not p_s > 0:
        raise InvalidArgumentError(f"single-cell average power is {p_s!r}", argument="reference",
                                   allowed="a reference that charges")
    return AdvantageResult(gamma=float(p_c / (n * p_s)), tau_name=tau, n_cells=n, collective_power=float(p_c),
                           single_power=float(p_s), tau_collective=float(t_c), tau_single=float(t_s))
