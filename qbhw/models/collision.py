"""Dissipative charging of a qubit by repeated collisions with thermal ancillas (Barra, Phys. Rev. Lett.
122, 210601, 2019; review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.A.1 and Eq. 52).

A battery qubit B (``H_B = ω|e⟩⟨e|``, ground energy 0) meets, one after another, fresh ancilla qubits A
(``H_A = ω|e⟩⟨e|``, resonant), each prepared in its Gibbs state ``G_β[H_A] = e^{−βH_A}/Z``. Each collision
lasts a time τ with a time-independent coupling V switched on, after which the ancilla is discarded:

    Φ[ρ] = Tr_A[U (ρ ⊗ G_β[H_A]) U†],      U = exp[−i (H_B + H_A + V) τ]

(the collision time τ multiplies the generator; the review writes the exponent without it). Two couplings:

* ``"inverting"``: ``V = J(σ_B^+ σ_A^+ + σ_B^− σ_A^−)``. This is the review's recipe
  ``V = Σ_α B_α ⊗ A_α`` with ``[H_B, B_α] = λ_α B_α`` and ``[H_A, A_α] = λ_α A_α`` (here λ = ±ω), which makes
  ``[U, H'_B + H_A] = 0`` for ``H'_B = −H_B``: the fixed point is the population-inverted Gibbs state
  ``π = G_β[−H_B]`` (excited population ``1/(1 + e^{−βω})``), an *active* equilibrium with ergotropy
  ``𝓔[π] = ω tanh(βω/2)``, independent of J and τ.
* ``"energy_conserving"``: ``V = J(σ_B^+ σ_A^− + σ_B^− σ_A^+)`` commutes with ``H_B + H_A``, so
  ``H'_B = H_B`` and ``π = G_β[H_B]`` is passive (``𝓔[π] = 0``).

In both cases the map conserves the excitation parity of B ⊗ A; from a state diagonal in the energy basis the
battery's excited population relaxes geometrically, ``p_n − p_∞ = (1 − P)^n (p_0 − p_∞)``, with the
one-collision transition probability ``P = J²/(J² + ω²) sin²(√(J² + ω²) τ)`` (inverting: the pair |gg⟩, |ee⟩
is detuned by 2ω) or ``P = sin²(Jτ)`` (energy conserving, resonant pair |ge⟩, |eg⟩). ``P = 0`` (J = 0, or a
full Rabi revival) leaves every state fixed: :meth:`CollisionBattery.fixed_point` refuses it.

Charging costs (review Eq. 52). The fixed point π is computed from the map (the eigenvector of the
superoperator at eigenvalue 1), never typed in; ``H'_B`` is declared by the model (and checked by the tests
through ``[U, H'_B + H_A] = 0``). Charging from ρ_0 to π with infinitely many collisions costs

    W_ch = Tr[(H_B − H'_B)(π − ρ_0)]     (switching work: Σ over collisions of ΔE_B + ΔE_A),
    Q_ch = Tr[H'_B (π − ρ_0)]           (heat from the ancillas: −Σ ΔE_A),
    η    = 𝓔[π] / W_ch.

The review's second form ``η = 1 − |Q_ch|/W_ch`` with ``Q_ch = Tr[H'_B(π − σ_π)]`` holds for the cycle that
recharges the passive state of the fixed point, ``ρ_0 = σ_π`` (extract 𝓔[π] unitarily, π → σ_π, then
recharge σ_π → π): then ``W_ch + Q_ch = E[π] − E[σ_π] = 𝓔[π]``. For the inverting coupling from σ_π,
``W_ch = 2𝓔[π]`` and η = 1/2.

Model space. The model's matrices act on B ⊗ A (one collision, dimension 4, qiskit little-endian: battery
= site 0, the rightmost ``np.kron`` factor; ancilla = site 1): ``battery_hamiltonian`` = H_B ⊗ 1,
``charger_hamiltonian`` = H_A, ``interaction`` = V; ``initial_state()`` = ρ_0 ⊗ G_β[H_A] (the state entering
the first collision). The battery's own 2×2 objects are :meth:`battery_initial_state`,
:meth:`battery_operator`, :meth:`superoperator`, :meth:`kraus_operators`, :meth:`fixed_point`. The repeated
map is evaluated by :mod:`qbhw.solvers.collisions` (``qbhw.charge(model, times)`` with times multiples of τ).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy.special import expit

from ..errors import ConfigError, InvalidArgumentError
from ..metrics import ergotropy, partial_trace, passive_state
from ..metrics._inputs import check_finite_real
from ._qubit_ops import SIGMA_MINUS, SIGMA_PLUS, check_coupling
from .base import BatteryModel, check_space

__all__ = ["CollisionBattery", "ChargingCosts", "COLLISION_COUPLINGS", "COLLISION_INITIAL_STATES"]

#: the battery–ancilla couplings V
COLLISION_COUPLINGS = ("inverting", "energy_conserving")
#: battery states before the first collision
COLLISION_INITIAL_STATES = ("ground", "passive_fixed_point")

_IDENTITY = np.eye(2, dtype=complex)
_PROJ_E = np.diag([0.0, 1.0]).astype(complex)
#: largest |λ| of the superoperator other than the fixed point's (a unique, attracting fixed point)
_GAP_TOLERANCE = 1e-9


class ChargingCosts(NamedTuple):
    """Work, heat and efficiency of charging ρ_0 → π by collisions (review Eq. 52; module docstring).

    ``work`` = W_ch = Tr[(H_B − H'_B)(π − ρ_0)]; ``heat`` = Q_ch = Tr[H'_B(π − ρ_0)] (heat taken from the
    ancillas; negative when heat is released to them); ``ergotropy`` = 𝓔[π]; ``efficiency`` = 𝓔[π]/W_ch
    (``None`` when W_ch = 0, e.g. the energy-conserving coupling); ``efficiency_from_heat`` = 1 − |Q_ch|/W_ch
    (equal to ``efficiency`` when ρ_0 = σ_π; ``None`` when W_ch = 0). Energies in units of ω.
    """

    work: float
    heat: float
    ergotropy: float
    efficiency: float | None
    efficiency_from_heat: float | None


class CollisionBattery(BatteryModel):
    """Qubit battery charged by collisions with thermal qubit ancillas (see the module docstring).

    Parameters
    ----------
    omega:
        Battery (and ancilla) splitting ω > 0; energies in units of ω when ω = 1.
    beta:
        Inverse temperature β ≥ 0 of the ancillas (units 1/ω).
    coupling:
        J ≥ 0, strength of V (units of ω).
    tau:
        Duration τ > 0 of one collision (units 1/ω).
    coupling_kind:
        ``"inverting"`` (J(σ_B^+σ_A^+ + h.c.), active fixed point) or ``"energy_conserving"``
        (J(σ_B^+σ_A^− + h.c.), passive fixed point).
    initial:
        Battery state before the first collision: ``"ground"`` (|g⟩) or ``"passive_fixed_point"`` (σ_π, the
        passive state of the fixed point: the start of the review's charging cycle, Eq. 52).
    """

    name = "collision"
    protocol = "collisions"

    def __init__(self, omega: float = 1.0, beta: float = 1.0, coupling: float = 0.4, tau: float = 1.0,
                 coupling_kind: str = "inverting", initial: str = "ground"):
        self.omega = check_finite_real(omega, "omega", minimum=0.0, strict=True)
        self.beta = check_finite_real(beta, "beta", minimum=0.0)
        self.coupling = check_coupling(coupling, "coupling")
        self.tau = check_finite_real(tau, "tau", minimum=0.0, strict=True)
        if coupling_kind not in COLLISION_COUPLINGS:
            raise ConfigError(f"got {coupling_kind!r}", argument="coupling_kind",
                              allowed=" | ".join(repr(c) for c in COLLISION_COUPLINGS))
        if initial not in COLLISION_INITIAL_STATES:
            raise ConfigError(f"got {initial!r}", argument="initial",
                              allowed=" | ".join(repr(c) for c in COLLISION_INITIAL_STATES))
        self.coupling_kind = coupling_kind
        self.initial = initial
        self._cache: dict[str, Any] = {}

    # ---- the battery's own (2×2) operators ----------------------------------------------------
    def battery_operator(self) -> np.ndarray:
        """``H_B = ω|e⟩⟨e|`` on the battery qubit alone (ground energy 0)."""
        return self.omega * _PROJ_E

    def ancilla_hamiltonian(self) -> np.ndarray:
        """``H_A = ω|e⟩⟨e|`` on one ancilla (resonant with the battery)."""
        return self.omega * _PROJ_E

    def ancilla_state(self) -> np.ndarray:
        """``G_β[H_A]``: excited population ``1/(1 + e^{βω})``."""
        q = float(expit(-self.beta * self.omega))
        return np.diag([1.0 - q, q]).astype(complex)

    def primed_hamiltonian(self) -> np.ndarray:
        """``H'_B`` with ``[U, H'_B + H_A] = 0``: ``−H_B`` (inverting coupling) or ``H_B`` (energy conserving).

        The fixed point is ``π = G_β[H'_B]`` (Barra 2019); here it is only declared: :meth:`fixed_point`
        computes π from the map itself."""
        sign = -1.0 if self.coupling_kind == "inverting" else 1.0
        return sign * self.battery_operator()

    @property
    def equilibrium(self) -> str:
        """``"active"`` (π has ergotropy: inverting coupling) or ``"passive"`` (energy-conserving coupling)."""
        return "active" if self.coupling_kind == "inverting" else "passive"

    # ---- one collision -------------------------------------------------------------------------
    def collision_unitary(self) -> np.ndarray:
        """``U = exp[−i(H_B + H_A + V)τ]`` on B ⊗ A (4×4, battery = site 0)."""
        if "unitary" not in self._cache:  # spectral decomposition of the Hermitian generator
            energies, vectors = np.linalg.eigh(np.asarray(self.charging_hamiltonian()))
            self._cache["unitary"] = (vectors * np.exp(-1j * self.tau * energies)) @ vectors.conj().T
        return self._cache["unitary"]

    def kraus_operators(self) -> list[np.ndarray]:
        """Kraus operators of Φ: ``K_ij = √p_j ⟨i|_A U |j⟩_A`` (p_j the ancilla's Gibbs populations);
        ``Φ[ρ] = Σ_ij K_ij ρ K_ij†`` and ``Σ K†K = 1``."""
        u = self.collision_unitary().reshape(2, 2, 2, 2)  # [a, b, a', b'] (index = 2a + b)
        p = np.real(np.diag(self.ancilla_state()))
        return [np.sqrt(p[j]) * u[i, :, j, :] for i in range(2) for j in range(2) if p[j] > 0]

    def superoperator(self) -> np.ndarray:
        """Φ on column-stacked ``vec(ρ)`` (``vec(ρ)[i + 2j] = ρ[i, j]``): ``Σ_k conj(K_k) ⊗ K_k`` (4×4)."""
        if "super" not in self._cache:
            self._cache["super"] = sum(np.kron(k.conj(), k) for k in self.kraus_operators())
        return self._cache["super"]

    def collide(self, rho: np.ndarray) -> np.ndarray:
        """``Φ[ρ]`` for a battery density matrix ρ (2×2)."""
        vec = self.superoperator() @ np.asarray(rho, dtype=complex).reshape(-1, order="F")
        return vec.reshape(2, 2, order="F")

    # ---- fixed point and costs -----------------------------------------------------------------
    def fixed_point(self) -> np.ndarray:
        """π with Φ[π] = π: the superoperator's eigenvector at eigenvalue 1 (Hermitian, unit trace).

        Raises :class:`~qbhw.errors.InvalidArgumentError` when the fixed point is not unique (J = 0, or a
        collision time at which the transition probability P vanishes: every state is then fixed or
        oscillates)."""
        if "fixed_point" not in self._cache:
            vals, vecs = np.linalg.eig(self.superoperator())
            order = np.argsort(np.abs(vals - 1.0))
            others = np.abs(vals[order[1:]])
            if abs(vals[order[0]] - 1.0) > 1e-10 or np.any(others > 1.0 - _GAP_TOLERANCE):
                raise InvalidArgumentError(
                    f"the collision map has no unique attracting fixed point (J = {self.coupling:g}, "
                    f"τ = {self.tau:g}: moduli of the other eigenvalues {np.round(others, 12).tolist()})",
                    argument="coupling", allowed="J > 0 and a τ with sin²(Rabi frequency · τ) > 0")
            rho = vecs[:, order[0]].reshape(2, 2, order="F")
            rho = 0.5 * (rho + rho.conj().T)
            self._cache["fixed_point"] = rho / np.trace(rho).real
        return self._cache["fixed_point"].copy()

    def passive_fixed_point(self) -> np.ndarray:
        """σ_π, the passive state of the fixed point (same spectrum, populations sorted against H_B)."""
        return passive_state(self.fixed_point(), self.battery_operator())

    def fixed_point_ergotropy(self) -> float:
        """𝓔[π] (review Eq. 4); ``ω tanh(βω/2)`` for the inverting coupling, 0 for the energy-conserving one."""
        return ergotropy(self.fixed_point(), self.battery_operator())

    def battery_initial_state(self) -> np.ndarray:
        """ρ_0 (2×2): |g⟩⟨g| or σ_π."""
        if self.initial == "ground":
            return np.diag([1.0, 0.0]).astype(complex)
        return self.passive_fixed_point()

    def charging_costs(self, rho0: np.ndarray | None = None) -> ChargingCosts:
        """W_ch, Q_ch, 𝓔[π] and η of charging ``rho0`` (default: the model's ρ_0) to π (review Eq. 52)."""
        rho0 = self.battery_initial_state() if rho0 is None else np.asarray(rho0, dtype=complex)
        if rho0.shape != (2, 2):
            raise InvalidArgumentError(f"got shape {rho0.shape}", argument="rho0", allowed="a 2×2 density matrix")
        pi = self.fixed_point()
        hb, hp = self.battery_operator(), self.primed_hamiltonian()
        delta = pi - rho0
        work = float(np.real(np.trace((hb - hp) @ delta)))
        heat = float(np.real(np.trace(hp @ delta)))
        erg = self.fixed_point_ergotropy()
        if abs(work) <= 1e-14 * self.omega:
            eta = eta_heat = None
        else:
            eta, eta_heat = erg / work, 1.0 - abs(heat) / work
        return ChargingCosts(work=work, heat=heat, ergotropy=erg, efficiency=eta, efficiency_from_heat=eta_heat)

    def transition_probability(self) -> float:
        """P, the probability that one collision flips a battery that can flip (module docstring):
        ``J²/(J² + ω²) sin²(√(J² + ω²) τ)`` (inverting) or ``sin²(Jτ)`` (energy conserving)."""
        j, w, t = self.coupling, self.omega, self.tau
        if self.coupling_kind == "energy_conserving":
            return float(np.sin(j * t) ** 2)
        if j == 0:
            return 0.0
        r = np.hypot(j, w)
        return float((j / r) ** 2 * np.sin(r * t) ** 2)

    # ---- BatteryModel interface (space B ⊗ A of one collision) ----------------------------------
    @property
    def dimension(self) -> int:
        return 4

    def basis(self) -> list[str]:
        labels = ("g", "e")
        return [f"|{labels[a]}_A {labels[b]}_B⟩" for a in range(2) for b in range(2)]

    def battery_hamiltonian(self):
        """``H_B ⊗ 1`` on B ⊗ A (battery = site 0)."""
        return np.kron(_IDENTITY, self.battery_operator())

    def charger_hamiltonian(self):
        """``H_A`` of the ancilla of one collision."""
        return np.kron(self.ancilla_hamiltonian(), _IDENTITY)

    def interaction(self):
        """``V`` (``J(σ_B^+σ_A^+ + h.c.)`` or ``J(σ_B^+σ_A^− + h.c.)``)."""
        a_op = SIGMA_PLUS if self.coupling_kind == "inverting" else SIGMA_MINUS
        v = np.kron(a_op, SIGMA_PLUS)  # ancilla ⊗ battery
        return self.coupling * (v + v.conj().T)

    def initial_state(self) -> np.ndarray:
        """``ρ_0 ⊗ G_β[H_A]`` on B ⊗ A: the state entering the first collision."""
        return np.kron(self.ancilla_state(), self.battery_initial_state())

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        """The battery's 2×2 state of a B ⊗ A state (vector or 4×4 matrix); a 2×2 matrix is returned as is."""
        arr = np.asarray(psi, dtype=complex)
        if arr.shape == (2, 2):
            return arr
        return partial_trace(arr, [0], [2, 2])

    def battery_spectrum(self, space: str = "full"):
        check_space(space)  # one qubit: both spaces are the same
        return self.battery_operator()

    @property
    def conventions(self) -> dict[str, Any]:
        return {"omega": self.omega, "beta": self.beta, "coupling": self.coupling, "tau": self.tau,
                "coupling_kind": self.coupling_kind, "initial": self.initial,
                "interaction": ("J (σ_B^+ σ_A^+ + σ_B^- σ_A^-)" if self.coupling_kind == "inverting"
                                else "J (σ_B^+ σ_A^- + σ_B^- σ_A^+)"),
                "collision": "Φ[ρ] = Tr_A[U (ρ ⊗ G_β[H_A]) U†], U = exp[-i (H_B + H_A + V) τ]",
                "primed_hamiltonian": "-H_B" if self.coupling_kind == "inverting" else "H_B"}
