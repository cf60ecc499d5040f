"""A two-level battery stabilised in its charged state by sequential projective energy measurements
(review Sec. V.B.3, Fig. 8, Eq. 57; Gherardini, Campaioli, Caruso and Binder, Phys. Rev. Research 2, 013095,
2020).

Protocol (one run): (i) *initialisation* — a fast unitary drive takes ``ρ_0`` to ``ρ_0*``, the state of its
unitary orbit closest to ``ρ_e = |e⟩⟨e|``; (ii) *charge and stabilise* — projective measurements of ``H_B``
at ``t = 0, τ_α, 2τ_α, …``; between two of them the environment acts for ``τ_α``; (iii) *reinitialise* —
after an outcome ``|g⟩`` the same fast drive (a π pulse) returns the battery to ``|e⟩``. The measurements
cost no energy on average (they commute with ``H_B``); the drives of (i) and (iii) supply the
stabilisation work; erasing the measurement records costs ``W_Zeno = m̄ S_Sh[ρ_α]/β_eras`` (Eq. 57).

This module describes the system; :mod:`qbhw.solvers.measurement` runs the protocol. Two environments:

* ``environment="markovian"`` — amplitude damping of the battery, ``L = √γ σ^−`` (review Eq. 51). The
  probability of finding ``|e⟩`` after an interval is ``e^{−γτ_α}``, so the probability that *every*
  measurement up to ``T`` finds ``|e⟩`` is ``e^{−γT}`` whatever ``τ_α``: exponential decay shows no Zeno
  freezing, and the protocol works as "measure and re-initialise".
* ``environment="coherent"`` — the battery exchanges its quantum with one bath mode (an ancilla two-level
  system for ``bath_levels = 2``, a truncated bosonic mode above), ``H_1 = g(σ^+ a + σ^− a†)``, the mode
  optionally damped, ``L = √κ a``. The decay is quadratic at short times, ``1 − p_e ≈ (gτ_α)²``; undamped
  and resonant, ``p_e = cos²(gτ_α)`` and the survival ``cos²(gτ_α)^{T/τ_α} → 1`` as ``τ_α → 0`` (quantum
  Zeno effect).

Spaces: the battery is factor 0 (``|0⟩ = |g⟩``, ``|1⟩ = |e⟩``), the bath mode factor 1, little-endian
(``np.kron(bath, battery)``). ``H_B = ω_0 σ^+σ^−`` (ground energy 0), ``H_bath = ω_bath a†a``.
``environment_memory="reset"`` (default) gives the bath mode back its vacuum after every measurement (each
interval then applies the same map ``Λ_{τ_α}``, the setting of Eq. 57); ``"keep"`` carries the joint
battery–mode state through the measurements.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..conventions import SIGMA_MINUS, SIGMA_PLUS
from ..errors import ConfigError, InvalidArgumentError
from ..metrics._inputs import check_finite_real, check_positive_int
from .base import BatteryModel, check_space

__all__ = ["MeasuredBattery", "ENVIRONMENTS", "ENVIRONMENT_MEMORY", "ZENO_COUNTS"]

ENVIRONMENTS = ("markovian", "coherent")
ENVIRONMENT_MEMORY = ("reset", "keep")
#: what m̄ of review Eq. (57) counts: the measurements of one Zeno stage (up to and including the first |g⟩,
#: within the window) or every measurement of the window
ZENO_COUNTS = ("stage", "window")
#: largest bath-mode truncation
MAX_BATH_LEVELS = 40


def _choice(value, argument: str, choices) -> str:
    if value not in choices:
        raise ConfigError(f"got {value!r}", argument=argument, allowed=" | ".join(repr(c) for c in choices))
    return value


class MeasuredBattery(BatteryModel):
    """Two-level battery under sequential projective energy measurements (module docstring).

    Parameters
    ----------
    environment:
        ``"markovian"`` (battery amplitude damping at ``gamma``) or ``"coherent"`` (exchange ``coupling``
        with one bath mode, damped at ``bath_damping``).
    tau_alpha:
        Interval τ_α > 0 between two measurements (units 1/ω_0).
    gamma:
        Amplitude-damping rate γ ≥ 0 of the battery (``"markovian"`` only; units ω_0).
    coupling:
        Battery–mode exchange g ≥ 0 (``"coherent"`` only; units ω_0).
    bath_damping:
        Damping rate κ ≥ 0 of the bath mode, ``L = √κ a`` (``"coherent"`` only).
    bath_levels:
        Levels of the bath mode: 2 (ancilla two-level system, the default) or more (truncated boson).
    omega_0:
        Battery splitting ω_0 > 0 (1: the energy unit).
    omega_bath:
        Bath-mode frequency (``None``: resonant, ``omega_0``).
    initial_excited_population:
        ``ρ_0 = diag(1 − p, p)`` (``p`` in [0, 1], default 0: empty battery).
    reinitialise:
        Apply the π pulse after every ``|g⟩`` outcome (step iii); ``False`` leaves failed runs in ``|g⟩``.
    environment_memory:
        ``"reset"`` (bath mode back to its vacuum after each measurement) or ``"keep"``.
    beta_eras:
        Inverse temperature β_eras > 0 of the memory-erasing system (units 1/ω_0), Eq. (57).
    zeno_count:
        What m̄ of Eq. (57) counts: ``"stage"`` (mean number of measurements of the Zeno stage, up to and
        including the first ``|g⟩``, within the window) or ``"window"`` (every measurement of the window).
    """

    name = "measured battery"
    protocol = "measurement"

    def __init__(self, environment: str = "markovian", tau_alpha: float = 0.1, *, gamma: float = 0.0,
                 coupling: float = 0.0, bath_damping: float = 0.0, bath_levels: int = 2, omega_0: float = 1.0,
                 omega_bath: float | None = None, initial_excited_population: float = 0.0,
                 reinitialise: bool = True, environment_memory: str = "reset", beta_eras: float = 1.0,
                 zeno_count: str = "stage"):
        self.environment = _choice(environment, "environment", ENVIRONMENTS)
        self.tau_alpha = check_finite_real(tau_alpha, "tau_alpha", minimum=0.0, strict=True)
        self.gamma = check_finite_real(gamma, "gamma", minimum=0.0)
        self.coupling = check_finite_real(coupling, "coupling", minimum=0.0)
        self.bath_damping = check_finite_real(bath_damping, "bath_damping", minimum=0.0)
        self.bath_levels = check_positive_int(bath_levels, "bath_levels", minimum=2)
        if self.bath_levels > MAX_BATH_LEVELS:
            raise InvalidArgumentError(f"got {bath_levels}", argument="bath_levels",
                                       allowed=f"an integer 2 ... {MAX_BATH_LEVELS}")
        self.omega_0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
        self.omega_bath = self.omega_0 if omega_bath is None else check_finite_real(omega_bath, "omega_bath")
        self.initial_excited_population = check_finite_real(initial_excited_population,
                                                            "initial_excited_population", minimum=0.0)
        if self.initial_excited_population > 1.0:
            raise InvalidArgumentError(f"got {initial_excited_population!r}", argument="initial_excited_population",
                                       allowed="a population in [0, 1]")
        if not isinstance(reinitialise, (bool, np.bool_)):
            raise InvalidArgumentError(f"got {reinitialise!r}", argument="reinitialise", allowed="True | False")
        self.reinitialise = bool(reinitialise)
        self.environment_memory = _choice(environment_memory, "environment_memory", ENVIRONMENT_MEMORY)
        self.beta_eras = check_finite_real(beta_eras, "beta_eras", minimum=0.0, strict=True)
        self.zeno_count = _choice(zeno_count, "zeno_count", ZENO_COUNTS)
        if self.environment == "markovian" and (self.coupling or self.bath_damping or bath_levels != 2
                                                or omega_bath is not None):
            raise ConfigError("coupling, bath_damping, bath_levels and omega_bath describe the coherent environment",
                              argument="environment", allowed="'coherent' with those, or leave them at their defaults")
        if self.environment == "coherent" and self.gamma:
            raise ConfigError("gamma is the Markovian damping rate", argument="gamma",
                              allowed="0 with environment='coherent' (use bath_damping for the mode)")

    # ---- spaces ------------------------------------------------------------------------------
    @property
    def env_levels(self) -> int:
        """Dimension of the environment factor (1: no explicit environment, Markovian damping)."""
        return 1 if self.environment == "markovian" else self.bath_levels

    @property
    def dimension(self) -> int:
        return 2 * self.env_levels

    def _battery_op(self, op) -> sp.csr_matrix:
        return sp.kron(sp.identity(self.env_levels, dtype=complex, format="csr"), sp.csr_matrix(op), format="csr")

    def _bath_op(self, op) -> sp.csr_matrix:
        return sp.kron(sp.csr_matrix(op), sp.identity(2, dtype=complex, format="csr"), format="csr")

    def _bath_lowering(self) -> sp.csr_matrix:
        n = self.bath_levels
        return sp.diags(np.sqrt(np.arange(1, n, dtype=float)), 1, shape=(n, n), format="csr", dtype=complex)

    def basis(self) -> list[str]:
        if self.env_levels == 1:
            return ["g", "e"]
        return [f"{b}{'ge'[s]}" for b in range(self.env_levels) for s in range(2)]

    # ---- Hamiltonian pieces --------------------------------------------------------------------
    def _cached(self, key: str, build):
        cache = self.__dict__.setdefault("_operator_cache", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def battery_hamiltonian(self) -> sp.csr_matrix:
        """``H_B = ω_0 σ^+σ^−`` on the joint space (ground energy 0)."""
        return self._cached("h_b", lambda: self._battery_op(self.omega_0 * (SIGMA_PLUS @ SIGMA_MINUS)))

    def charging_hamiltonian(self) -> sp.csr_matrix:
        """``H_B + H_bath + H_1``: the generator between two measurements."""
        return self._cached("h", lambda: (self.battery_hamiltonian() + self.charger_hamiltonian()
                                          + self.interaction()).tocsr())

    def charger_hamiltonian(self) -> sp.csr_matrix:
        """The bath mode's ``ω_bath a†a`` (zero for the Markovian environment)."""
        if self.env_levels == 1:
            return sp.csr_matrix((2, 2), dtype=complex)
        a = self._bath_lowering()
        return self._bath_op(self.omega_bath * (a.conj().T @ a))

    def interaction(self) -> sp.csr_matrix:
        """``H_1 = g(σ^+ a + σ^− a†)`` (zero for the Markovian environment)."""
        if self.env_levels == 1:
            return sp.csr_matrix((2, 2), dtype=complex)
        a = self._bath_lowering()
        sp_b = self._battery_op(SIGMA_PLUS)
        sm_b = self._battery_op(SIGMA_MINUS)
        return (self.coupling * (sp_b @ self._bath_op(a) + sm_b @ self._bath_op(a.conj().T))).tocsr()

    def jump_operators(self) -> list:
        """Dissipators acting between measurements: ``√γ σ^−`` (Markovian) or ``√κ a`` (coherent, κ > 0)."""
        if self.environment == "markovian":
            return [math.sqrt(self.gamma) * sp.csr_matrix(SIGMA_MINUS)] if self.gamma > 0 else []
        return [math.sqrt(self.bath_damping) * self._bath_op(self._bath_lowering())] if self.bath_damping > 0 else []

    # ---- measurement and control -----------------------------------------------------------------
    def projectors(self) -> list[np.ndarray]:
        """``[Π_g, Π_e]``: projectors of the energy measurement (battery factor only), dense."""
        return [self._battery_op(np.diag([1.0, 0.0])).toarray(), self._battery_op(np.diag([0.0, 1.0])).toarray()]

    def reinitialisation_unitaries(self) -> list[np.ndarray]:
        """``[V_g, V_e]``: the drive applied after each outcome — the π pulse ``σ^x`` on the battery after
        ``|g⟩`` (identity when ``reinitialise=False``) and the identity after ``|e⟩``."""
        d = self.dimension
        flip = self._battery_op(SIGMA_PLUS + SIGMA_MINUS).toarray() if self.reinitialise else np.eye(d, dtype=complex)
        return [flip, np.eye(d, dtype=complex)]

    def environment_vacuum(self) -> np.ndarray:
        """The environment's state at the start and after each reset: the mode's vacuum ``|0⟩⟨0|``."""
        out = np.zeros((self.env_levels, self.env_levels), dtype=complex)
        out[0, 0] = 1.0
        return out

    def with_environment_reset(self, rho: np.ndarray) -> np.ndarray:
        """``Tr_env[ρ] ⊗ |0⟩⟨0|``: the joint state with the environment returned to its vacuum."""
        return np.kron(self.environment_vacuum(), self.battery_state(rho))

    def initial_battery_state(self) -> np.ndarray:
        """``ρ_0 = diag(1 − p, p)`` on the battery."""
        p = self.initial_excited_population
        return np.diag([1.0 - p, p]).astype(complex)

    def initialisation_unitary(self) -> np.ndarray:
        """The drive of step (i): the π pulse when ``p < ½`` (so ``ρ_0* = diag(p, 1 − p)`` is the state of the
        orbit of ``ρ_0`` closest to ``ρ_e``), else the identity; on the joint space."""
        d = self.dimension
        if self.initial_excited_population < 0.5:
            return self._battery_op(SIGMA_PLUS + SIGMA_MINUS).toarray()
        return np.eye(d, dtype=complex)

    def initial_state(self) -> np.ndarray:
        """``ρ_0 ⊗ |0⟩⟨0|_env`` (before the initialisation drive)."""
        return np.kron(self.environment_vacuum(), self.initial_battery_state())

    def excited_state(self) -> np.ndarray:
        """``ρ_e ⊗ |0⟩⟨0|_env``."""
        return np.kron(self.environment_vacuum(), np.diag([0.0, 1.0]).astype(complex))

    # ---- battery part -----------------------------------------------------------------------------
    def battery_state(self, psi) -> np.ndarray:
        """The battery's reduced density matrix (2 × 2) of a joint state vector or density matrix."""
        psi = np.asarray(psi)
        rho = np.outer(psi, psi.conj()) if psi.ndim == 1 else psi
        n = self.env_levels
        return np.einsum("aiaj->ij", rho.reshape(n, 2, n, 2))

    def battery_spectrum(self, space: str = "full") -> np.ndarray:
        check_space(space)
        return np.diag([0.0, self.omega_0]).astype(complex)

    @property
    def e_max(self) -> float:
        """Storage capacity ``E_max = Tr[H_B(ρ_e − |g⟩⟨g|)] = ω_0``."""
        return self.omega_0

    def interval_survival_analytic(self) -> float | None:
        """``p_e`` of one interval where a closed form exists: ``e^{−γτ_α}`` (Markovian) and ``cos²(gτ_α)``
        (coherent, undamped, resonant); ``None`` otherwise."""
        if self.environment == "markovian":
            return math.exp(-self.gamma * self.tau_alpha)
        if self.bath_damping == 0 and self.omega_bath == self.omega_0:
            return math.cos(self.coupling * self.tau_alpha) ** 2
        return None

    @property
    def conventions(self) -> dict[str, Any]:
        return {"name": self.name, "environment": self.environment, "tau_alpha": self.tau_alpha,
                "gamma": self.gamma, "coupling": self.coupling, "bath_damping": self.bath_damping,
                "bath_levels": self.bath_levels if self.environment == "coherent" else None,
                "omega_0": self.omega_0, "omega_bath": self.omega_bath if self.environment == "coherent" else None,
                "initial_excited_population": self.initial_excited_population,
                "reinitialise": self.reinitialise, "environment_memory": self.environment_memory,
                "beta_eras": self.beta_eras, "zeno_count": self.zeno_count,
                "battery": "two-level, H_B = omega_0 sigma^+ sigma^-, factor 0 (little-endian)",
                "sampling": "state at a measurement time: just before the projection; counters include it"}
