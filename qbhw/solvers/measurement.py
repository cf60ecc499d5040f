"""Ensemble-averaged dynamics of a battery stabilised by sequential projective energy measurements (review
Sec. V.B.3, Fig. 8, Eq. 57; Gherardini, Campaioli, Caruso and Binder, Phys. Rev. Research 2, 013095, 2020).

For a :class:`~qbhw.models.MeasuredBattery` with interval ``τ_α`` the measurements happen at ``t_n = nτ_α``,
``n = 0 … N`` (``N = ⌊T/τ_α⌋`` for the last requested time ``T``). Averaged over the measurement outcomes
(a non-selective description of the whole feedback protocol):

* ``t = 0``: the initialisation drive ``U_0`` (``ρ_0 → ρ_0*``), then the first measurement;
* between two measurements the joint battery–environment state evolves by the GKSL generator of the model
  (:func:`qbhw.solvers.lindblad.evolve_lindblad`; amplitude damping, or the exchange with the bath mode);
* at ``t_n`` the state is projected on the eigenspaces ``Π_k`` of ``H_B`` and the drive ``V_k`` of the
  outcome is applied: ``ρ → Σ_k V_k Π_k ρ Π_k V_k†`` (``V_g`` the π pulse of the re-initialisation,
  ``V_e = 1``), then (``environment_memory="reset"``) the environment is returned to its vacuum.

Alongside, the *uninterrupted* branch (every measurement since ``t = 0⁺`` finds ``|e⟩``) is followed from
``ρ_e ⊗ |0⟩⟨0|``: its weight after ``n`` measurements is the survival probability
``s_n = Π_{j ≤ n} p_e^{(j)}``, ``p_e^{(j)} = Tr[Π_e Λ(ρ_branch)]`` (for Markovian damping ``e^{−γ nτ_α}``
exactly; undamped resonant exchange ``cos²(gτ_α)^n``).

Counters (each includes the measurement at the time it is read; the one at ``t = 0`` belongs to the
initialisation and is not counted by the Zeno quantities):

* ``mean_measurements`` m̄: ``zeno_count="stage"`` — the mean number of measurements of the Zeno stage,
  up to and including the first ``|g⟩``, ``m̄ = Σ_{n=1}^{N} s_{n−1}`` (``(1 − p^N)/(1 − p)`` for a
  constant ``p_e = p``); ``"window"`` — every measurement, ``m̄ = N``;
* ``zeno_cost`` (Eq. 57): ``"stage"`` — ``Σ_n s_{n−1} S_Sh[p^{(n)}]/β_eras`` (``= m̄ S_Sh[ρ_α]/β_eras``
  when every interval leaves the same ``ρ_α = Λ_{τ_α}[ρ_e]``); ``"window"`` — ``Σ_n S_Sh[p(ρ̄_n)]/β_eras``
  over the averaged state ``ρ̄_n`` each measurement finds (the Landauer cost of erasing each record);
* ``charging_work`` (at ``t = 0``: ``Tr[H_B(U_0 ρ_0 U_0† − ρ_0)]`` plus ``P(g) ω_0`` of the first
  measurement) and ``stabilisation_work`` (the re-initialisations at ``t_n > 0``, ``Σ_n P(g at t_n) ω_0``);
  a measurement itself changes no energy (``Π_k`` commute with ``H_B``);
* ``lost_energy``: the energy lost to the environment, ``E(0) + W_charge + W_stab(t⁻) − E(t)``. With the
  environment reset after each measurement, every re-initialisation replaces on average exactly the energy
  lost in the preceding interval, so ``W_stab − lost → 0`` at the measurement times (ζ_stab of Eq. 54 vanishes:
  the ideal stabilisation of review Sec. V.B.2).

A quantity of the *state* at a measurement time (energy, ergotropy, leakage) is the one the measurement finds
(just before the projection); at ``t = 0`` it is ``ρ_0`` before the initialisation. Energy balance:
``E(t) = E(0) + W_stab(t) + ∫_0^t 𝔏 dt'`` with the leakage ``𝔏 = Tr[H_B 𝓛_env[ρ]]`` of review Eq. (54)
(the environment's action on the battery energy; negative while it leaks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, InvalidTimesError
from ..metrics import (
    ChargingCurve,
    as_hamiltonian,
    check_times,
    make_charging_curve,
    shannon_entropy,
)
from ..metrics.ergotropy import _passive_energy
from ..models.base import check_space
from ..models.measured import MeasuredBattery
from .charge import register_solver
from .lindblad import evolve_lindblad, lindblad_adjoint

__all__ = ["MeasurementRun", "run_measurement_protocol", "charge_measured", "interval_outcome_probabilities"]

#: two times closer than this (relative to τ_α) are the same time
_TIME_RTOL = 1e-9


@dataclass(frozen=True)
class MeasurementRun:
    """The averaged protocol on a time grid (see the module docstring).

    ``times``: the requested times; ``states``: the averaged joint state at each (just before the projection
    at a measurement time); ``measurement_times``: ``t_n = nτ_α``, ``n = 0 … N``; ``outcome_probabilities``:
    ``(N+1, 2)`` averaged ``[P(g), P(e)]`` of each measurement (``record_entropy``: their Shannon entropies);
    ``branch_probabilities``: ``(N+1, 2)``
    outcome probabilities of the uninterrupted branch (row 0: ``[0, 1]``; ``branch_entropy``: their Shannon
    entropies); ``survival``: ``s_n``, ``(N+1,)``
    with ``s_0 = 1``; ``drive_work``: ``(N+1,)`` energy supplied by the drives at each measurement time
    (row 0 includes the initialisation).
    """

    times: np.ndarray
    states: list
    measurement_times: np.ndarray
    outcome_probabilities: np.ndarray
    branch_probabilities: np.ndarray
    survival: np.ndarray
    drive_work: np.ndarray
    record_entropy: np.ndarray
    branch_entropy: np.ndarray
    zeno_count: str
    beta_eras: float

    def measurements_up_to(self, t: float) -> int:
        """Number ``n(t)`` of Zeno-stage measurements at ``0 < t_n ≤ t``."""
        tau = self.measurement_times[1] - self.measurement_times[0] if self.measurement_times.size > 1 else math.inf
        return int(np.count_nonzero(self.measurement_times[1:] <= t + _TIME_RTOL * tau))

    def mean_measurements(self, t: float) -> float:
        """m̄ at time ``t`` (``zeno_count``: ``"stage"`` or ``"window"``)."""
        n = self.measurements_up_to(t)
        if self.zeno_count == "window":
            return float(n)
        return float(np.sum(self.survival[:n]))

    def zeno_cost(self, t: float) -> float:
        """``W_Zeno`` of review Eq. (57) accumulated up to ``t`` (energy units)."""
        n = self.measurements_up_to(t)
        if self.zeno_count == "window":
            return float(np.sum(self.record_entropy[1:n + 1])) / self.beta_eras
        return float(np.sum(self.survival[:n] * self.branch_entropy[1:n + 1])) / self.beta_eras

    def survival_at(self, t: float) -> float:
        """Probability that every measurement at ``0 < t_n ≤ t`` found ``|e⟩``."""
        return float(self.survival[self.measurements_up_to(t)])

    def charging_work(self) -> float:
        """Energy the drives supply at ``t = 0`` (initialisation ``ρ_0 → ρ_0*`` and the π pulse after a
        first ``|g⟩``)."""
        return float(self.drive_work[0])

    def stabilisation_work(self, t: float) -> float:
        """Energy supplied by the re-initialisation drives at ``0 < t_n ≤ t``."""
        n = self.measurements_up_to(t)
        return float(np.sum(self.drive_work[1:n + 1]))

    def lost_energy(self, t: float, energy_t: float, energy_0: float) -> float:
        """Energy lost to the environment during ``[0, t]``: ``E(0) + W_charge + W_stab(t⁻) − E(t)``, the drives
        at ``t_n < t`` only (``energy_t``: the energy at ``t`` just before a measurement there)."""
        tau = self.measurement_times[1] - self.measurement_times[0] if self.measurement_times.size > 1 else math.inf
        before = int(np.count_nonzero(self.measurement_times[1:] < t - _TIME_RTOL * tau))
        return energy_0 + float(np.sum(self.drive_work[:before + 1])) - energy_t


class _Segments:
    """GKSL evolution between measurements, with identical segments computed once."""

    def __init__(self, model: MeasuredBattery):
        self.h = model.charging_hamiltonian()
        self.jumps = model.jump_operators()
        self.cache: dict = {}

    def evolve(self, rho: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
        key = (np.round(rho, 13).tobytes(), tuple(np.round(offsets, 12)))
        if key not in self.cache:
            self.cache[key] = evolve_lindblad(self.h, rho, offsets, self.jumps).states
        return [s.copy() for s in self.cache[key]]


def _probabilities(projectors, rho) -> np.ndarray:
    p = np.array([float(np.real(np.trace(pk @ rho))) for pk in projectors])
    p = np.clip(p, 0.0, None)
    return p / p.sum()


def _measure(model: MeasuredBattery, rho: np.ndarray, projectors, unitaries,
             hb: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """``(Σ_k V_k Π_k ρ Π_k V_k†, p, drive work)`` (then the environment reset when asked)."""
    out = np.zeros_like(rho)
    work = 0.0
    for pk, vk in zip(projectors, unitaries):
        branch = pk @ rho @ pk
        moved = vk @ branch @ vk.conj().T
        work += float(np.real(np.trace(hb @ (moved - branch))))
        out += moved
    if model.environment_memory == "reset":
        out = model.with_environment_reset(out)
    return 0.5 * (out + out.conj().T), _probabilities(projectors, rho), work


def interval_outcome_probabilities(model: MeasuredBattery) -> np.ndarray:
    """``[p_g, p_e] = p_k[ρ_α]`` of one measurement after one interval from ``ρ_e ⊗ |0⟩⟨0|``,
    ``ρ_α = Λ_{τ_α}[ρ_e]`` (GKSL evolution of the model for ``τ_α``)."""
    rho = evolve_lindblad(model.charging_hamiltonian(), model.excited_state(), [model.tau_alpha],
                          model.jump_operators()).states[-1]
    return _probabilities(model.projectors(), rho)


def run_measurement_protocol(model: MeasuredBattery, times) -> MeasurementRun:
    """The averaged protocol of ``model`` on ``times`` (strictly increasing, ``≥ 0``; module docstring)."""
    if not isinstance(model, MeasuredBattery):
        raise ConfigError(f"got {type(model).__name__}", argument="model", allowed="a MeasuredBattery")
    t = check_times(times, allow_single=True)
    if t[0] < 0:
        raise InvalidTimesError(f"starts at {t[0]!r}", argument="times", allowed="times >= 0")
    tau = model.tau_alpha
    n_meas = int(math.floor(t[-1] / tau + _TIME_RTOL))
    t_meas = tau * np.arange(n_meas + 1)
    projectors = model.projectors()
    unitaries = model.reinitialisation_unitaries()
    hb = model.battery_hamiltonian().toarray()
    seg = _Segments(model)

    states: list = [None] * t.size
    outcome = np.zeros((n_meas + 1, 2))
    branch_p = np.zeros((n_meas + 1, 2))
    survival = np.ones(n_meas + 1)
    drive_work = np.zeros(n_meas + 1)
    record_entropy = np.zeros(n_meas + 1)

    rho0 = model.initial_state()
    u0 = model.initialisation_unitary()
    rho_star = u0 @ rho0 @ u0.conj().T
    init_work = float(np.real(np.trace(hb @ (rho_star - rho0))))
    at_zero = np.abs(t) <= _TIME_RTOL * tau
    for k in np.flatnonzero(at_zero):
        states[k] = rho0.copy()
    rho, outcome[0], w = _measure(model, rho_star, projectors, unitaries, hb)
    drive_work[0] = init_work + w
    record_entropy[0] = shannon_entropy(outcome[0])
    branch_p[0] = [0.0, 1.0]
    branch = model.excited_state()

    cycle = None  # the results of a segment that maps its start state (and the branch's) to themselves
    pending: list[tuple[int, float]] = []  # (index of a time, its offset in its interval) within the cycle
    for n in range(n_meas + 1):
        start = t_meas[n]
        end = t_meas[n + 1] if n < n_meas else t[-1]
        sel = np.flatnonzero((t > start + _TIME_RTOL * tau) & (t <= end + _TIME_RTOL * tau))
        if cycle is not None and n < n_meas:
            # a stationary cycle (e.g. re-initialisation with the environment reset): same state, same results
            outcome[n + 1], drive_work[n + 1], record_entropy[n + 1], branch_p[n + 1] = cycle
            survival[n + 1] = survival[n] * branch_p[n + 1][1]
            pending.extend((int(k), float(t[k] - start)) for k in sel)  # sampled below, in one evolution
            continue
        offsets = [float(x) for x in t[sel] - start]
        if n < n_meas:
            offsets.append(tau)
        if not offsets:
            continue
        grid = np.unique(np.round(np.asarray(offsets), 14))
        evolved = seg.evolve(rho, grid)
        for k in sel:
            states[k] = evolved[int(np.argmin(np.abs(grid - (t[k] - start))))]
        if n == n_meas:
            break
        before = evolved[-1]
        previous, previous_branch = rho, branch
        rho, outcome[n + 1], drive_work[n + 1] = _measure(model, before, projectors, unitaries, hb)
        record_entropy[n + 1] = shannon_entropy(outcome[n + 1])
        b_before = seg.evolve(branch, np.array([tau]))[-1]
        branch_p[n + 1] = _probabilities(projectors, b_before)
        survival[n + 1] = survival[n] * branch_p[n + 1][1]
        if branch_p[n + 1][1] > 0:
            b_next = projectors[1] @ b_before @ projectors[1]
            b_next /= np.real(np.trace(b_next))
            branch = model.with_environment_reset(b_next) if model.environment_memory == "reset" else b_next
        if np.max(np.abs(rho - previous)) < 1e-15 and np.max(np.abs(branch - previous_branch)) < 1e-15:
            rho, branch = previous, previous_branch
            cycle = (outcome[n + 1].copy(), drive_work[n + 1], record_entropy[n + 1], branch_p[n + 1].copy())
    if pending:
        grid = np.unique(np.round(np.asarray([off for _, off in pending] + [tau]), 14))
        evolved = seg.evolve(rho, grid)
        for k, off in pending:
            states[k] = evolved[int(np.argmin(np.abs(grid - off)))]
    return MeasurementRun(times=t, states=states, measurement_times=t_meas, outcome_probabilities=outcome,
                          branch_probabilities=branch_p, survival=survival, drive_work=drive_work,
                          record_entropy=record_entropy,
                          branch_entropy=np.array([shannon_entropy(p) for p in branch_p]), zeno_count=model.zeno_count,
                          beta_eras=model.beta_eras)


def charge_measured(model: MeasuredBattery, times, *, ergotropy: bool = True, space: str = "full",
                    method: str = "auto", truncation_threshold: float | None = None, on_truncation: str = "raise",
                    **options) -> ChargingCurve:
    """``qbhw.charge`` for a :class:`~qbhw.models.MeasuredBattery`: the averaged stored energy of the
    measurement-stabilised battery (module docstring), with ``observables``

    ``survival`` (uninterrupted ``|e⟩``), ``mean_measurements`` (m̄), ``zeno_cost`` (Eq. 57, energy),
    ``stabilisation_work`` (energy supplied by the re-initialisations so far; ``metadata["charging_work"]``: at
    ``t = 0``), ``lost_energy`` (to the environment so far; ``metadata["interval_survival"]``: ``p_e[ρ_α]`` of one
    interval from ``ρ_e``), ``leakage`` (``Tr[H_B 𝓛_env[ρ]]``, review
    Eq. 54 with the environment's generator) and ``excited_population``.

    The ``power`` of the curve is the continuous rate ``dE/dt`` between measurements (``= leakage``: no drive
    acts then); the drives act impulsively at the measurement times. ``method``, ``truncation_threshold``
    and ``on_truncation`` are accepted for the common interface and unused (the bath truncation is the
    model's ``bath_levels``).
    """
    if options:
        raise ConfigError(f"unexpected options {sorted(options)}", argument="options",
                          allowed="ergotropy, space, method, truncation_threshold, on_truncation")
    check_space(space)
    run = run_measurement_protocol(model, times)
    t = run.times
    hb = model.battery_hamiltonian().toarray()
    rate_op = lindblad_adjoint(model.charging_hamiltonian(), model.jump_operators(), hb).toarray()  # 𝓛†[H_B]
    spectrum = as_hamiltonian(model.battery_spectrum(space)) if ergotropy else None
    n = t.size
    energy, rate, erg = np.empty(n), np.empty(n), np.empty(n) if ergotropy else None
    excited = np.empty(n)
    for k, rho in enumerate(run.states):
        energy[k] = float(np.real(np.trace(hb @ rho)))
        rate[k] = float(np.real(np.sum(rate_op.T * rho)))  # Tr[H_B 𝓛[ρ]] = Tr[𝓛†[H_B] ρ]
        rho_b = model.battery_state(rho)
        excited[k] = float(np.real(rho_b[1, 1]))
        if ergotropy:
            erg[k] = max(0.0, spectrum.expectation(rho_b) - _passive_energy(rho_b, spectrum))
    obs = {"survival": np.array([run.survival_at(x) for x in t]),
           "mean_measurements": np.array([run.mean_measurements(x) for x in t]),
           "zeno_cost": np.array([run.zeno_cost(x) for x in t]),
           "stabilisation_work": np.array([run.stabilisation_work(x) for x in t]),
           "lost_energy": np.array([run.lost_energy(x, e, energy[0]) for x, e in zip(t, energy)]),
           "leakage": rate.copy(), "excited_population": excited}
    meta = {**model.metadata, "space": space, "dynamics": "sequential projective measurements",
            "measurement_times": int(run.measurement_times.size), "e_max": model.e_max,
            "charging_work": run.charging_work(),
            "interval_survival": float(interval_outcome_probabilities(model)[1])}
    return make_charging_curve(t, energy, ergotropy=erg, power=rate, metadata=meta, observables=obs)


register_solver(MeasuredBattery, charge_measured)
