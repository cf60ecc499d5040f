"""Charging through a homodyne-monitored charger with linear feedback (review Sec. V.B.4, Eq. 58; Mitchison,
Goold and Prior, Quantum 5, 500, 2021): the zero-delay master equation and the trajectory average.

* :func:`charge_feedback` — ``qbhw.charge`` of a :class:`~qbhw.models.FeedbackBattery`: the Wiseman–Milburn
  master equation (the model's ``jump_operators()``) through the generic GKSL path
  (:func:`qbhw.solvers.open.charge_open`), with the charger's observables and the steady state added.
* :func:`feedback_trajectories` / :func:`charge_feedback_trajectories` — ``qbhw.charge`` of a
  :class:`~qbhw.models.DelayedFeedbackBattery`: the average of ``n_trajectories`` seeded solutions of the
  Itô stochastic master equation with the delayed feedback ``Ω(t) = Ω_0 − f r(t − τ)``.

The conditional state ``ρ_c`` of one trajectory obeys, with ``c = √γ σ_C^−`` and efficiency ς,

    dρ_c = −i[H(t), ρ_c] dt + 𝓓[c]ρ_c dt + √ς 𝓗[c]ρ_c dW,   𝓗[c]ρ = cρ + ρc† − Tr[(c + c†)ρ]ρ,
    dy = √ς⟨c + c†⟩_c dt + dW = √(ςγ) r dt,   H(t) = H_1 + pΩ(t)σ_C^y,

``dW`` a Wiener increment (Itô). Each time step ``Δt`` applies, in this order,

1. the measurement and the coherent exchange in the positivity-preserving Kraus form of Rouchon and Ralph
   (Phys. Rev. A 91, 012118, 2015; first order, equivalent to Euler–Milstein to O(Δt)):
   ``ρ → [MρM† + (1 − ς) cρc† Δt]/Tr``, ``M = 1 − (iH_1 + ½c†c)Δt + √ς c Δy`` (``c² = 0`` here);
2. the drive and the feedback as an exact unitary kick ``e^{−iθσ_C^y}``, ``θ = p(Ω_0Δt − f Δy_{n−k}/√(ςγ))``
   with the record increment ``Δy`` of ``k = τ/Δt`` steps earlier (none before ``t = 0``: ``Δy = 0``); for
   ``k = 0`` the kick uses the increment just measured, so the average converges to the Wiseman–Milburn
   equation as ``Δt → 0`` (the kick's second order supplies ``𝓓[F]/ς``; the exact unitary keeps it right
   although ``Δy ∼ √Δt``).

The weak (averaged) error is O(Δt); the statistical error of a mean is ``std/√n_trajectories`` (reported as
``energy_stderr`` and ``<observable>_stderr``). With ``n_trajectories = 200`` and ``Δt = 0.005/γ`` a
four-level battery takes ~1 s per 10/γ of simulated time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, InvalidArgumentError, InvalidTimesError
from ..metrics import ChargingCurve, as_hamiltonian, check_times, make_charging_curve
from ..metrics.ergotropy import _passive_energy
from ..models.base import check_space
from ..models.feedback import DelayedFeedbackBattery, FeedbackBattery
from .charge import register_solver
from .lindblad import evolve_lindblad, liouvillian

__all__ = ["FeedbackTrajectories", "feedback_trajectories", "charge_feedback_trajectories", "charge_feedback",
           "feedback_steady_state", "charger_observables"]


def _dense(op) -> np.ndarray:
    return op.toarray() if sp.issparse(op) else np.asarray(op, dtype=complex)


@dataclass(frozen=True)
class FeedbackTrajectories:
    """Trajectory average on ``times``: ``mean_states`` (the averaged joint state ϱ̄ at each time),
    ``battery_energy`` and ``charger_excited`` (``(n_trajectories, len(times))``: per-trajectory
    ``Tr[H_B ρ_c]`` and ``⟨e|ρ_c,C|e⟩``), ``top_population`` (same shape), and the numbers used."""

    times: np.ndarray
    mean_states: list
    battery_energy: np.ndarray
    charger_excited: np.ndarray
    top_population: np.ndarray
    n_trajectories: int
    time_step: float
    delay_steps: int
    seed: int

    @staticmethod
    def _stderr(x: np.ndarray) -> np.ndarray:
        return np.std(x, axis=0, ddof=1) / math.sqrt(x.shape[0])

    def mean_and_stderr(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Mean over trajectories and its standard error of ``battery_energy``, ``charger_excited`` or
        ``top_population``."""
        x = getattr(self, name)
        return np.mean(x, axis=0), self._stderr(x)


def _step_counts(times: np.ndarray, dt: float) -> np.ndarray:
    steps = times / dt
    n = np.rint(steps).astype(np.int64)
    if np.any(np.abs(steps - n) > 1e-6 * np.maximum(1.0, steps)):
        k = int(np.flatnonzero(np.abs(steps - n) > 1e-6 * np.maximum(1.0, steps))[0])
        raise InvalidTimesError(f"time {times[k]!r} is not a multiple of the time step {dt!r}", argument="times",
                                allowed="multiples of the model's time_step")
    return n


def feedback_trajectories(model: FeedbackBattery, times, *, n_trajectories: int | None = None,
                          time_step: float | None = None, delay: float | None = None,
                          seed: int | None = None) -> FeedbackTrajectories:
    """Average of seeded trajectories of the Itô stochastic master equation with delayed feedback (module
    docstring). The arguments default to the model's (a :class:`~qbhw.models.DelayedFeedbackBattery`; a plain
    :class:`~qbhw.models.FeedbackBattery` has delay 0 and needs ``n_trajectories`` and ``time_step``).
    ``times``: strictly increasing multiples of ``time_step``, ``≥ 0``."""
    if not isinstance(model, FeedbackBattery):
        raise ConfigError(f"got {type(model).__name__}", argument="model", allowed="a FeedbackBattery")
    n_traj = int(n_trajectories if n_trajectories is not None else getattr(model, "n_trajectories", 0))
    dt = float(time_step if time_step is not None else getattr(model, "time_step", 0.0))
    tau = float(delay if delay is not None else getattr(model, "delay", 0.0))
    rng_seed = int(seed if seed is not None else getattr(model, "seed", 0))
    if n_traj < 2:
        raise InvalidArgumentError(f"got {n_traj}", argument="n_trajectories", allowed="an integer >= 2")
    if not (math.isfinite(dt) and dt > 0):
        raise InvalidArgumentError(f"got {dt!r}", argument="time_step", allowed="a finite number > 0")
    if not (math.isfinite(tau) and tau >= 0):
        raise InvalidArgumentError(f"got {tau!r}", argument="delay", allowed="a finite number >= 0")
    k_delay = int(round(tau / dt))
    if abs(k_delay * dt - tau) > 1e-6 * max(dt, tau):
        raise InvalidArgumentError(f"delay {tau!r} is not a multiple of the time step {dt!r}", argument="delay",
                                   allowed="an integer number of time steps")
    t = check_times(times, allow_single=True)
    if t[0] < 0:
        raise InvalidTimesError(f"starts at {t[0]!r}", argument="times", allowed="times >= 0")
    out_steps = _step_counts(t, dt)

    d = model.dimension
    eye = np.eye(d, dtype=complex)
    c = _dense(model.emission_operator())
    cd = c.conj().T
    y_op = _dense(model.drive_operator())
    x_op = _dense(model.homodyne_operator())
    hb_diag = np.real(np.diag(_dense(model.battery_hamiltonian())))
    charger_e = np.real(np.diag(_dense(model.charger_operator(np.diag([0.0, 1.0])))))
    top = np.zeros(d)
    top[model.levels - 1] = top[2 * model.levels - 1] = 1.0
    eta, gamma, p = model.efficiency, model.gamma, model.drive_prefactor
    a_op = eye - (1j * _dense(model.interaction()) + 0.5 * cd @ c) * dt
    b_op = math.sqrt(eta) * c
    scale = math.sqrt(eta * gamma)
    # one step is rho -> K rho K^dagger (+ (1 - eta) dt J rho J^dagger), normalised, with the Kraus operator
    # K = U (A + dy B) and J = U c, U = cos(theta) 1 - i sin(theta) sigma_y: linear combinations of fixed matrices
    k_mats = np.stack([a_op, b_op, -1j * (y_op @ a_op), -1j * (y_op @ b_op)])
    k_basis = k_mats.reshape(4, d * d)
    k_basis_dag = np.conj(np.swapaxes(k_mats, 1, 2)).reshape(4, d * d)
    j_mats = np.stack([c, -1j * (y_op @ c)])
    j_basis = j_mats.reshape(2, d * d)
    j_basis_dag = np.conj(np.swapaxes(j_mats, 1, 2)).reshape(2, d * d)
    x_weights = x_op.T.reshape(-1)  # Tr[X rho] = sum_ij X_ji rho_ij

    psi0 = model.initial_state()
    rho = np.broadcast_to(np.outer(psi0, psi0.conj()), (n_traj, d, d)).copy()
    rng = np.random.default_rng(rng_seed)
    history = np.zeros((k_delay + 1, n_traj))  # ring buffer of record increments Δy
    n_out = t.size
    mean_states: list = [None] * n_out
    energy = np.empty((n_traj, n_out))
    excited = np.empty((n_traj, n_out))
    top_pop = np.empty((n_traj, n_out))

    def record(j: int) -> None:
        nonlocal rho
        rho = 0.5 * (rho + np.conj(np.swapaxes(rho, 1, 2)))  # remove round-off (the Kraus step keeps ρ Hermitian)
        diag = np.real(np.einsum("mii->mi", rho))
        energy[:, j] = diag @ hb_diag
        excited[:, j] = diag @ charger_e
        top_pop[:, j] = diag @ top
        mean_states[j] = rho.mean(axis=0)

    j = 0
    while j < n_out and out_steps[j] == 0:
        record(j)
        j += 1
    coef = np.empty((n_traj, 4), dtype=complex)
    for n in range(1, int(out_steps[-1]) + 1):
        x = np.real(rho.reshape(n_traj, d * d) @ x_weights)
        dy = scale * x * dt + rng.normal(0.0, math.sqrt(dt), n_traj)
        slot = n % (k_delay + 1)
        history[slot] = dy  # Δy of step n; the slot of step n − k is (n − k) mod (k + 1)
        past = history[(n - k_delay) % (k_delay + 1)] if n - k_delay >= 1 else 0.0
        theta = p * (model.rabi * dt - model.feedback * past / scale)
        cs, sn = np.cos(theta) * np.ones(n_traj), np.sin(theta) * np.ones(n_traj)
        coef[:, 0], coef[:, 1], coef[:, 2], coef[:, 3] = cs, cs * dy, sn, sn * dy
        new = (coef @ k_basis).reshape(n_traj, d, d) @ rho @ (coef.conj() @ k_basis_dag).reshape(n_traj, d, d)
        if eta < 1.0:
            cj = np.stack([cs, sn], axis=1).astype(complex)
            new += (1.0 - eta) * dt * ((cj @ j_basis).reshape(n_traj, d, d) @ rho
                                       @ (cj @ j_basis_dag).reshape(n_traj, d, d))
        rho = new / np.real(np.einsum("mii->m", new))[:, None, None]
        while j < n_out and out_steps[j] == n:
            record(j)
            j += 1
    return FeedbackTrajectories(times=t, mean_states=mean_states, battery_energy=energy, charger_excited=excited,
                                top_population=top_pop, n_trajectories=n_traj, time_step=dt, delay_steps=k_delay,
                                seed=rng_seed)


def charger_observables(model: FeedbackBattery, states) -> dict[str, np.ndarray]:
    """``charger_excited`` (``⟨e|ϱ_C|e⟩``), ``charger_bloch_x``, ``charger_bloch_z`` (``⟨σ_C^x⟩``, ``⟨σ_C^z⟩``),
    ``charger_purity`` (``Tr ϱ_C²``) and ``top_population`` (``⟨d−1|ϱ_B|d−1⟩``) of averaged states."""
    out = {k: np.empty(len(states)) for k in ("charger_excited", "charger_bloch_x", "charger_bloch_z",
                                              "charger_purity", "top_population")}
    for i, rho in enumerate(states):
        rc = model.charger_state(rho)
        out["charger_excited"][i] = float(np.real(rc[1, 1]))
        out["charger_bloch_x"][i] = float(np.real(rc[0, 1] + rc[1, 0]))
        out["charger_bloch_z"][i] = float(np.real(rc[1, 1] - rc[0, 0]))
        out["charger_purity"][i] = float(np.real(np.trace(rc @ rc)))
        out["top_population"][i] = float(np.real(model.battery_state(rho)[-1, -1]))
    return out


def feedback_steady_state(model: FeedbackBattery) -> np.ndarray:
    """Steady state of the zero-delay feedback master equation: the null vector of the Liouvillian
    (:func:`qbhw.solvers.lindblad.liouvillian`), normalised; :class:`InvalidArgumentError` if it is not unique."""
    lv = liouvillian(model.charging_hamiltonian(), model.jump_operators()).toarray()
    d = model.dimension
    _, s, vh = np.linalg.svd(lv)
    if s[-2] < 1e-10 * max(1.0, s[0]):
        raise InvalidArgumentError("the master equation has more than one steady state", argument="model",
                                   allowed="parameters with a unique steady state (e.g. gamma > 0, feedback != 0)")
    rho = vh[-1].conj().reshape(d, d, order="F")
    rho = rho / np.trace(rho)
    return 0.5 * (rho + rho.conj().T)


def _with_observables(curve: ChargingCurve, extra: dict, metadata: dict, **stderr) -> ChargingCurve:
    return make_charging_curve(curve.times, curve.energy, work=curve.work, ergotropy=curve.ergotropy,
                               power=curve.power.power, kind=curve.kind, metadata={**curve.metadata, **metadata},
                               observables={**curve.observables, **extra}, **stderr)


def charge_feedback(model: FeedbackBattery, times, *, charger: bool = True, **options) -> ChargingCurve:
    """``qbhw.charge`` of a :class:`~qbhw.models.FeedbackBattery` (zero delay): the generic GKSL curve of the
    Wiseman–Milburn equation plus (``charger=True``) :func:`charger_observables` of ``ϱ(t)`` and, in
    ``metadata["steady_state"]``, the top-level population, battery energy and charger purity of
    :func:`feedback_steady_state` (``None`` when it is not unique). Other options as
    :func:`qbhw.solvers.open.charge_open`."""
    from .open import charge_open

    curve = charge_open(model, times, **options)
    if not charger:
        return curve
    states = evolve_lindblad(model.charging_hamiltonian(), model.initial_state(), curve.times,
                             model.jump_operators()).states
    extra = charger_observables(model, states)
    try:
        ss = feedback_steady_state(model)
        obs = charger_observables(model, [ss])
        steady = {"top_population": float(obs["top_population"][0]),
                  "charger_purity": float(obs["charger_purity"][0]),
                  "charger_excited": float(obs["charger_excited"][0]),
                  "battery_energy": float(np.real(np.trace(_dense(model.battery_hamiltonian()) @ ss)))}
    except InvalidArgumentError:
        steady = None
    return _with_observables(curve, extra, {"steady_state": steady, "e_max": model.e_max})


def charge_feedback_trajectories(model: DelayedFeedbackBattery, times, *, ergotropy: bool = True,
                                 space: str = "full", method: str = "auto", truncation_threshold=None,
                                 on_truncation: str = "raise", **options) -> ChargingCurve:
    """``qbhw.charge`` of a :class:`~qbhw.models.DelayedFeedbackBattery`: the trajectory-averaged energy (with
    ``energy_stderr``), the ergotropy of the averaged battery state, :func:`charger_observables` of the averaged
    state and the standard errors ``charger_excited_stderr``, ``top_population_stderr``. ``power`` is the
    finite-difference rate of the averaged work. ``method`` etc. are accepted for the common interface."""
    if options:
        raise ConfigError(f"unexpected options {sorted(options)}", argument="options",
                          allowed="ergotropy, space, method, truncation_threshold, on_truncation")
    check_space(space)
    run = feedback_trajectories(model, times)
    e_mean, e_err = run.mean_and_stderr("battery_energy")
    extra = charger_observables(model, run.mean_states)
    extra["charger_excited_stderr"] = run.mean_and_stderr("charger_excited")[1]
    extra["top_population_stderr"] = run.mean_and_stderr("top_population")[1]
    erg = None
    if ergotropy:
        spectrum = as_hamiltonian(model.battery_spectrum(space))
        erg = np.array([max(0.0, spectrum.expectation(rb) - _passive_energy(rb, spectrum))
                        for rb in (model.battery_state(r) for r in run.mean_states)])
    meta = {**model.metadata, "space": space, "dynamics": "stochastic master equation, trajectory average",
            "n_trajectories": run.n_trajectories, "time_step": run.time_step, "delay_steps": run.delay_steps,
            "seed": run.seed, "steady_state": None, "e_max": model.e_max, "sigma_kind": "measured"}
    return make_charging_curve(run.times, e_mean, ergotropy=erg, metadata=meta, observables=extra,
                               energy_stderr=e_err)


register_solver(FeedbackBattery, charge_feedback)
register_solver(DelayedFeedbackBattery, charge_feedback_trajectories)
