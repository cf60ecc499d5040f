"""A d-level battery charged by a driven, continuously monitored two-level charger under linear feedback
(review Sec. V.B.4, Eq. 58; Mitchison, Goold and Prior, Quantum 5, 500, 2021).

Battery levels ``|0⟩ … |d−1⟩``, lowering operator ``s_B = Σ_{k=1}^{d−1} |k−1⟩⟨k|``, ``H_B = ω_0 Σ_k k|k⟩⟨k|``
(equal spacing ω_0, the charger's splitting: ``H_C = (ω_0/2) σ_C^z``, so ``[H_B + H_C, H_1] = 0``). In the
interaction picture with respect to ``H_B + H_C`` and in the rotating-wave approximation (valid for
``Ω, g, γ ≪ ω_0``: the review's "Ω(t) ≫ ω_0" must read Ω ≪ ω_0) the generator is

    H(t) = g(s_B σ_C^+ + s_B† σ_C^−) + p Ω(t) σ_C^y,

with the charger's Rabi drive along σ_C^y (the review prints "σ_C^v"; it is σ_C^y) and ``p`` the drive
prefactor (``p = 1``: ``H_drive = Ω σ_C^y`` as the review writes it; ``p = ½`` for the ``(Ω/2)σ^y``
normalisation). The charger decays by spontaneous emission at rate γ, ``c = √γ σ_C^−``; homodyne detection of
the emitted field gives the record (Eq. 58)

    r(t) dt = ⟨σ_C^x⟩_c dt + dw(t)/√(ςγ),

(ς the detection efficiency, ``dw`` a Wiener increment), fed back into the drive: ``Ω(t) = Ω_0 − f r(t − τ)``.

Zero delay (τ → 0): with the Wiseman–Milburn homodyne current ``I = √ς⟨c + c†⟩ + ξ = √(ςγ) r`` the feedback
Hamiltonian is ``−p f r σ_C^y = I F/√ς`` with ``F = −(p f/√γ) σ_C^y``, and the noise-averaged state obeys
the Markovian feedback master equation (Wiseman and Milburn, Phys. Rev. Lett. 70, 548, 1993)

    dϱ/dt = −i[H_0 + ½(c†F + Fc), ϱ] + 𝓓[c − iF]ϱ + ((1 − ς)/ς) 𝓓[F]ϱ,

``H_0 = H_1 + pΩ_0 σ_C^y``, ``𝓓[L]ϱ = LϱL† − ½{L†L, ϱ}``. Derivation: the measurement back-action
``√ς 𝓗[c]ρ dW`` and the feedback kick ``−i[F, ρ] I dt/√ς`` correlate through ``dW² = dt`` into
``−i[F, cρ + ρc†]``, the kick's second order gives ``𝓓[F]/ς``; regrouping
``𝓓[c]ρ − i[F, cρ + ρc†] + 𝓓[F]ρ = 𝓓[c − iF]ρ − i[½(c†F + Fc), ρ]``. Here ``c†F + Fc = 0`` and, with
``p f = γ``, ``c − iF = √γ σ_C^+``: the feedback turns emission into pumping of the charger into ``|e⟩``
(the population-stabilising gain; :attr:`FeedbackBattery.feedback` defaults to it), and the charger passes
its quanta to the battery until the dark state ``|d−1⟩|e⟩``, the fully charged battery.

Spaces: battery factor 0, charger factor 1, little-endian (``np.kron(charger, battery)``, dimension 2d);
charger ``|0⟩ = |g⟩``, review Pauli matrices as in :mod:`qbhw.conventions` (``σ^y = −Y``, ``σ^z = −Z``).
:class:`FeedbackBattery` is Markovian (zero delay): ``jump_operators()`` are those above, so
:func:`qbhw.charge` evolves it by the master equation. :class:`DelayedFeedbackBattery` (delay τ ≥ 0) is
evolved by averaging seeded trajectories of the Itô stochastic master equation
(:mod:`qbhw.solvers.feedback`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..conventions import (
    SIGMA_MINUS,
    SIGMA_PLUS,
    SIGMA_X,
    SIGMA_Y_REVIEW,
    SIGMA_Z_REVIEW,
)
from ..errors import InvalidArgumentError
from ..metrics._inputs import check_finite_real, check_positive_int
from .base import BatteryModel, check_space

__all__ = ["FeedbackBattery", "DelayedFeedbackBattery", "battery_lowering"]

#: largest number of battery levels
MAX_LEVELS = 200


def battery_lowering(levels: int) -> sp.csr_matrix:
    """``s_B = Σ_{k=1}^{d−1} |k−1⟩⟨k|`` on ``d = levels`` levels (unit matrix elements, not √k)."""
    return sp.diags(np.ones(levels - 1), 1, shape=(levels, levels), format="csr", dtype=complex)


class FeedbackBattery(BatteryModel):
    """Battery charged through a homodyne-monitored charger with zero-delay linear feedback (module docstring).

    Parameters
    ----------
    levels:
        Battery levels d ≥ 2.
    coupling:
        Battery–charger exchange g ≥ 0 (units ω_0).
    gamma:
        Spontaneous-emission rate γ > 0 of the charger (units ω_0).
    feedback:
        Feedback strength f (units ω_0; ``Ω = Ω_0 − f r``); ``None``: ``γ/p``, the gain that turns the charger's
        emission into pumping (population stabilisation).
    rabi:
        Constant drive Ω_0 (units ω_0).
    efficiency:
        Detection efficiency ς in (0, 1].
    drive_prefactor:
        ``p`` of ``H_drive = p Ω(t) σ_C^y``: 1 (the review's ``Ω σ_C^y``, default) or e.g. ½.
    omega_0:
        Level spacing of battery and charger (1: the energy unit); enters only the battery energy (the
        dynamics is in the interaction picture).
    initial_level:
        The battery starts in ``|initial_level⟩``, the charger in ``|g⟩``.
    """

    name = "feedback battery"
    protocol = "charger"

    def __init__(self, levels: int = 4, coupling: float = 0.25, gamma: float = 1.0, *, feedback: float | None = None,
                 rabi: float = 0.0, efficiency: float = 1.0, drive_prefactor: float = 1.0, omega_0: float = 1.0,
                 initial_level: int = 0):
        self.levels = check_positive_int(levels, "levels", minimum=2)
        if self.levels > MAX_LEVELS:
            raise InvalidArgumentError(f"got {levels}", argument="levels", allowed=f"an integer 2 ... {MAX_LEVELS}")
        self.coupling = check_finite_real(coupling, "coupling", minimum=0.0)
        self.gamma = check_finite_real(gamma, "gamma", minimum=0.0, strict=True)
        self.drive_prefactor = check_finite_real(drive_prefactor, "drive_prefactor", minimum=0.0, strict=True)
        self.feedback = (self.gamma / self.drive_prefactor if feedback is None
                         else check_finite_real(feedback, "feedback"))
        self.rabi = check_finite_real(rabi, "rabi")
        self.efficiency = check_finite_real(efficiency, "efficiency", minimum=0.0, strict=True)
        if self.efficiency > 1.0:
            raise InvalidArgumentError(f"got {efficiency!r}", argument="efficiency", allowed="a number in (0, 1]")
        self.omega_0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
        self.initial_level = check_positive_int(initial_level, "initial_level", minimum=0)
        if self.initial_level >= self.levels:
            raise InvalidArgumentError(f"got {initial_level}", argument="initial_level",
                                       allowed=f"an integer 0 ... {self.levels - 1}")

    # ---- spaces and operators ----------------------------------------------------------------------
    @property
    def dimension(self) -> int:
        return 2 * self.levels

    def basis(self) -> list[str]:
        return [f"{k}{'ge'[c]}" for c in range(2) for k in range(self.levels)]

    def battery_operator(self, op) -> sp.csr_matrix:
        """``1_C ⊗ op``: a battery operator on the joint space."""
        return sp.kron(sp.identity(2, dtype=complex, format="csr"), sp.csr_matrix(op), format="csr")

    def charger_operator(self, op) -> sp.csr_matrix:
        """``op ⊗ 1_B``: a charger operator on the joint space."""
        return sp.kron(sp.csr_matrix(op), sp.identity(self.levels, dtype=complex, format="csr"), format="csr")

    def emission_operator(self) -> sp.csr_matrix:
        """``c = √γ σ_C^−``."""
        return math.sqrt(self.gamma) * self.charger_operator(SIGMA_MINUS)

    def drive_operator(self) -> sp.csr_matrix:
        """``σ_C^y``, the direction of the drive and of the feedback."""
        return self.charger_operator(SIGMA_Y_REVIEW)

    def homodyne_operator(self) -> sp.csr_matrix:
        """``σ_C^x``, whose expectation the record ``r`` follows (Eq. 58)."""
        return self.charger_operator(SIGMA_X)

    def feedback_operator(self) -> sp.csr_matrix:
        """``F = −(p f/√γ) σ_C^y`` of the Wiseman–Milburn equation."""
        return (-self.drive_prefactor * self.feedback / math.sqrt(self.gamma)) * self.drive_operator()

    # ---- Hamiltonian pieces ------------------------------------------------------------------------
    def battery_hamiltonian(self) -> sp.csr_matrix:
        """``H_B = ω_0 Σ_k k|k⟩⟨k|`` (ground energy 0)."""
        return self.battery_operator(sp.diags(self.omega_0 * np.arange(self.levels, dtype=float), format="csr"))

    def charger_hamiltonian(self) -> sp.csr_matrix:
        """``H_C = (ω_0/2) σ_C^z`` (lab frame; the charging generator works in the interaction picture)."""
        return self.charger_operator(0.5 * self.omega_0 * SIGMA_Z_REVIEW)

    def interaction(self) -> sp.csr_matrix:
        """``H_1 = g(s_B σ_C^+ + s_B† σ_C^−)``."""
        s = battery_lowering(self.levels)
        h = self.battery_operator(s) @ self.charger_operator(SIGMA_PLUS)
        return (self.coupling * (h + h.conj().T)).tocsr()

    def bare_hamiltonian(self) -> sp.csr_matrix:
        """``H_0 = H_1 + pΩ_0 σ_C^y`` in the interaction picture (no feedback)."""
        return (self.interaction() + self.drive_prefactor * self.rabi * self.drive_operator()).tocsr()

    def charging_hamiltonian(self) -> sp.csr_matrix:
        """The interaction-picture generator of the zero-delay feedback equation, ``H_0 + ½(c†F + Fc)``.
        ``H_B`` commutes with the frame change, so stored energies are the lab-frame ones."""
        c = self.emission_operator()
        f = self.feedback_operator()
        corr = 0.5 * (c.conj().T @ f + f @ c)
        return (self.bare_hamiltonian() + corr).tocsr()

    def jump_operators(self) -> list:
        """``[c − iF, √((1 − ς)/ς) F]`` (the second only for ς < 1 and F ≠ 0): the zero-delay
        Wiseman–Milburn feedback master equation."""
        c = self.emission_operator()
        f = self.feedback_operator()
        ops = [(c - 1j * f).tocsr()]
        if self.efficiency < 1.0 and self.feedback != 0.0:
            ops.append(math.sqrt((1.0 - self.efficiency) / self.efficiency) * f)
        return ops

    # ---- states ------------------------------------------------------------------------------------
    def initial_state(self) -> np.ndarray:
        psi = np.zeros(self.dimension, dtype=complex)
        psi[self.initial_level] = 1.0  # charger |g> (factor 1 = 0), battery |initial_level>
        return psi

    def _rho(self, psi) -> np.ndarray:
        psi = np.asarray(psi)
        return np.outer(psi, psi.conj()) if psi.ndim == 1 else psi

    def battery_state(self, psi) -> np.ndarray:
        """Battery reduced density matrix (d × d) of a joint state vector or density matrix."""
        return np.einsum("cicj->ij", self._rho(psi).reshape(2, self.levels, 2, self.levels))

    def charger_state(self, psi) -> np.ndarray:
        """Charger reduced density matrix (2 × 2; |g⟩ first) of a joint state."""
        return np.einsum("aibi->ab", self._rho(psi).reshape(2, self.levels, 2, self.levels))

    def battery_spectrum(self, space: str = "full") -> np.ndarray:
        check_space(space)
        return np.diag(self.omega_0 * np.arange(self.levels, dtype=float)).astype(complex)

    @property
    def e_max(self) -> float:
        """Storage capacity ``(d − 1) ω_0``."""
        return (self.levels - 1) * self.omega_0

    @property
    def parameters(self) -> dict[str, Any]:
        return {"levels": self.levels, "coupling": self.coupling, "gamma": self.gamma, "feedback": self.feedback,
                "rabi": self.rabi, "efficiency": self.efficiency, "drive_prefactor": self.drive_prefactor,
                "omega_0": self.omega_0, "initial_level": self.initial_level}

    @property
    def conventions(self) -> dict[str, Any]:
        return {"name": self.name, **self.parameters,
                "frame": "interaction picture w.r.t. H_B + H_C, RWA (Omega, g, gamma << omega_0)",
                "drive": "H_drive = drive_prefactor * Omega(t) * sigma_C^y, Omega = Omega_0 - f r(t - delay)",
                "record": "r dt = <sigma_C^x> dt + dw / sqrt(efficiency * gamma)",
                "dynamics": "Wiseman-Milburn zero-delay feedback master equation",
                "order": "battery factor 0, charger factor 1 (little-endian)"}


class DelayedFeedbackBattery(FeedbackBattery):
    """:class:`FeedbackBattery` with a loop delay τ ≥ 0, evolved by averaging seeded trajectories of the Itô
    stochastic master equation (:mod:`qbhw.solvers.feedback`): the averaged state is not Markovian for τ > 0.

    Extra parameters: ``delay`` τ ≥ 0 (units 1/ω_0; an integer number of ``time_step``); ``n_trajectories``
    (≥ 2); ``time_step`` (> 0, units 1/ω_0; the requested times must be multiples of it); ``seed`` (≥ 0).
    ``jump_operators()`` stay those of the zero-delay equation (the τ → 0 reference).
    """

    name = "delayed feedback battery"

    def __init__(self, levels: int = 4, coupling: float = 0.25, gamma: float = 1.0, *, delay: float = 0.0,
                 n_trajectories: int = 200, time_step: float = 0.005, seed: int = 0, **kwargs):
        super().__init__(levels, coupling, gamma, **kwargs)
        self.delay = check_finite_real(delay, "delay", minimum=0.0)
        self.n_trajectories = check_positive_int(n_trajectories, "n_trajectories", minimum=2)
        self.time_step = check_finite_real(time_step, "time_step", minimum=0.0, strict=True)
        self.seed = check_positive_int(seed, "seed", minimum=0)
        steps = self.delay / self.time_step
        if abs(steps - round(steps)) > 1e-6 * max(1.0, steps):
            raise InvalidArgumentError(f"delay {delay!r} is not a multiple of time_step {time_step!r}",
                                       argument="delay", allowed="an integer number of time steps")

    @property
    def delay_steps(self) -> int:
        return int(round(self.delay / self.time_step))

    @property
    def parameters(self) -> dict[str, Any]:
        return {**super().parameters, "delay": self.delay, "n_trajectories": self.n_trajectories,
                "time_step": self.time_step, "seed": self.seed}

    @property
    def conventions(self) -> dict[str, Any]:
        return {**super().conventions, "dynamics": "average of Ito stochastic-master-equation trajectories "
                "(positivity-preserving Kraus step, feedback as an exact unitary kick)"}
