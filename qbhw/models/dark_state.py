"""Spontaneous dark-state charging by collective dissipation (Quach & Munro, Phys. Rev. Appl. 14, 024092,
2020; review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.C.2, Eqs. 61–62).

A battery of N_B two-level systems and a charger of N_C two-level systems (gap ω, not coupled to each
other) share one optical reservoir at temperature T. Tracing the reservoir out (weak coupling, Markov) gives
review Eq. (62):

    ρ̇ = −iω[J_B^z + J_C^z, ρ] + γ(n̄ + 1) 𝓓_−[ρ] + γ n̄ 𝓓_+[ρ],
    𝓓_±[ρ] = 2OρO† − {O†O, ρ},   O = J_B^± + J_C^±,   n̄ = 1/(e^{βω} − 1)

(n̄ = 0 at T = 0, ``beta=None``). Note the factor 2 of 𝓓_±: in the GKSL form of review Eq. (51),
Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ}), the jump operators are

    L_− = √(2γ(n̄ + 1)) (J_B^− + J_C^−),     L_+ = √(2γn̄) (J_B^+ + J_C^+)

(:meth:`DarkStateBattery.jump_operators`), so a single excited emitter alone decays at rate 2γ.

Space. The collective operators preserve the symmetric subspace of each ensemble, and the initial state
|G⟩_B|E⟩_C (battery empty, charger full) lies in it, so the model works in the tensor product of the two
symmetric subspaces, dimension (N_B + 1)(N_C + 1), basis |k_B⟩|k_C⟩ (k = number of excitations of the
ensemble, Dicke state |j = N/2, m = k − N/2⟩). The battery is the least significant factor:
index = k_B + (N_B + 1) k_C. |G⟩_B|E⟩_C is *not* an eigenstate of the total spin (J_B + J_C)², so it
cannot be written on a single Dicke ladder: it spreads over the total spins
j = |N_B − N_C|/2 … (N_B + N_C)/2 with Clebsch–Gordan weights.

Dark states and the steady state. H and every jump operator are functions of the total collective spin
J = J_B + J_C, so its Casimir J² is conserved (a strong symmetry): the weight p_j = Tr[P_j ρ_0] of each
total-spin sector (P_j its projector) never changes. Inside sector j the dynamics is the collective
emission/absorption of a single spin j, whose unique stationary state is the sector's Gibbs state

    G_j = Σ_m x^{m+j} |j, m⟩⟨j, m| / Σ_m x^{m+j},   x = n̄/(n̄ + 1) = e^{−βω}

(|j, −j⟩ at T = 0). Hence (:meth:`DarkStateBattery.steady_state`)

    ρ_∞ = Σ_j p_j G_j.

A sector with j < (N_B + N_C)/2 cannot relax to |G⟩|G⟩: its lowest state |j, −j⟩ lies ω[(N_B + N_C)/2 − j]
above it and is dark (O|j, −j⟩ = 0), so energy stays stored even at T = 0. Example N_B = N_C = 1: |g⟩|e⟩ =
(|T_0⟩ − |S⟩)/√2, the singlet S is dark, ρ_∞ = ½|S⟩⟨S| + ½|gg⟩⟨gg|, battery energy ω/4 but zero ergotropy
(the battery's reduced state diag(¾, ¼) is passive). For an initial state with coherences between sectors
of different energy at T = 0, the coherences between their dark states |j, −j⟩ keep oscillating at the
frequencies ω(j − j'); ``steady_state`` then returns the time average (the initial states of this model,
of fixed total excitation number, have no such coherences, and ρ(t) → ρ_∞).

Battery energy and ergotropy. ``H_B = ω(J_B^z + N_B/2)`` (ground energy 0). The reduced state on the
battery's symmetric subspace is the state of the whole N_B-cell ensemble, so its ergotropy over all
unitaries of the 2^{N_B}-dimensional battery space (``space="full"``) uses the levels kω with
multiplicities C(N_B, k) (:meth:`battery_spectrum`).

Power scaling (review Sec. V.C.2): Quach & Munro report ⟨P⟩_τ/N_B ∝ N_B for N_B ≤ 10 (with N_C = N_B).
"""

from __future__ import annotations

from math import comb
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidStateError
from ..metrics import Spectrum
from ._qubit_ops import check_coupling, check_max_size, check_size
from .base import BatteryModel, check_space

__all__ = ["DarkStateBattery", "collective_ladder", "thermal_occupation"]

#: largest N_B + N_C of the brute-force full-space operators (2^(N_B+N_C) states)
MAX_FULL_SPACE_SITES = 12


def thermal_occupation(beta: float | None, omega: float) -> float:
    """Bose occupation n̄ = 1/(e^{βω} − 1) of the reservoir at the gap ω (``beta=None``: T = 0, n̄ = 0)."""
    if beta is None:
        return 0.0
    return float(1.0 / np.expm1(beta * omega))


def collective_ladder(n_spins: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """``(J^−, k)`` of ``n_spins`` spins-1/2 on their symmetric subspace, basis k = 0 … N excitations.

    ``J^−|k⟩ = √(k(N − k + 1)) |k − 1⟩`` (the Dicke ladder |j = N/2, m = k − N/2⟩); ``J^z = k − N/2``.
    """
    k = np.arange(n_spins + 1, dtype=float)
    amp = np.sqrt(k[1:] * (n_spins - k[1:] + 1.0))
    j_minus = sp.diags(amp, offsets=1, shape=(n_spins + 1, n_spins + 1), dtype=complex, format="csr")
    return j_minus, k


class DarkStateBattery(BatteryModel):
    """N_B battery + N_C charger two-level systems under common collective dissipation (module docstring).

    Parameters
    ----------
    n_battery:
        N_B ≥ 1, the number of battery two-level systems.
    gamma:
        γ > 0, the collective rate of review Eq. (62) (units of ω); the jump operators carry √(2γ…).
    omega:
        ω > 0, the common gap (the energy unit).
    n_charger:
        N_C ≥ 1 (default ``n_battery``).
    beta:
        Inverse temperature β > 0 of the reservoir (units 1/ω), or ``None`` for T = 0 (n̄ = 0).
    """

    name = "dark-state battery (collective dissipation)"
    protocol = "charger"

    def __init__(self, n_battery: int, gamma: float, omega: float = 1.0, *, n_charger: int | None = None,
                 beta: float | None = None):
        self.n_battery = check_size(n_battery, "n_battery")
        self.n_charger = self.n_battery if n_charger is None else check_size(n_charger, "n_charger")
        self.gamma = check_coupling(gamma, "gamma", strict=True)
        self.omega = check_coupling(omega, "omega", strict=True)
        if beta is not None:
            beta = check_coupling(beta, "beta", strict=True)
        self.beta = beta
        self.nbar = thermal_occupation(beta, self.omega)
        jb, kb = collective_ladder(self.n_battery)
        jc, kc = collective_ladder(self.n_charger)
        eye_b = sp.identity(self.n_battery + 1, dtype=complex, format="csr")
        eye_c = sp.identity(self.n_charger + 1, dtype=complex, format="csr")
        # battery = least significant factor: index = k_B + (N_B + 1) k_C
        self._jm_b = sp.kron(eye_c, jb, format="csr")
        self._jm_c = sp.kron(jc, eye_b, format="csr")
        self._k_b = np.tile(kb, self.n_charger + 1)
        self._k_c = np.repeat(kc, self.n_battery + 1)

    # ---- operators ---------------------------------------------------------------------
    @property
    def dimension(self) -> int:
        return (self.n_battery + 1) * (self.n_charger + 1)

    def basis(self) -> list[str]:
        return [f"|k_B={int(b)}, k_C={int(c)}>" for b, c in zip(self._k_b, self._k_c)]

    def collective_lowering(self) -> sp.csr_matrix:
        """``O = J_B^− + J_C^−`` on the model space."""
        return (self._jm_b + self._jm_c).tocsr()

    def total_jz(self) -> np.ndarray:
        """Diagonal of ``J_B^z + J_C^z`` (= k_B + k_C − (N_B + N_C)/2)."""
        return self._k_b + self._k_c - 0.5 * (self.n_battery + self.n_charger)

    def total_spin_squared(self) -> sp.csr_matrix:
        """``(J_B + J_C)² = J^+J^− + (J^z)² − J^z`` (total collective spin; conserved by Eq. 62)."""
        jm = self.collective_lowering()
        jz = sp.diags(self.total_jz().astype(complex), format="csr")
        return (jm.conj().T @ jm + jz @ jz - jz).tocsr()

    def battery_hamiltonian(self) -> sp.csr_matrix:
        """``H_B = ω(J_B^z + N_B/2) = ω k_B`` (ground energy 0)."""
        return sp.diags(self.omega * self._k_b.astype(complex), format="csr")

    def charger_hamiltonian(self) -> sp.csr_matrix:
        """``H_C = ω(J_C^z + N_C/2) = ω k_C``."""
        return sp.diags(self.omega * self._k_c.astype(complex), format="csr")

    def interaction(self) -> sp.csr_matrix:
        """Zero: battery and charger are coupled only through the common reservoir (the jump operators)."""
        return sp.csr_matrix((self.dimension, self.dimension), dtype=complex)

    def jump_operators(self) -> list[sp.csr_matrix]:
        """GKSL operators of review Eq. (62): ``√(2γ(n̄+1)) (J_B^− + J_C^−)`` and, at T > 0,
        ``√(2γn̄) (J_B^+ + J_C^+)`` (the factor 2 turns 𝓓_± into the form of Eq. 51)."""
        o = self.collective_lowering()
        ops = [np.sqrt(2.0 * self.gamma * (self.nbar + 1.0)) * o]
        if self.nbar > 0:
            ops.append(np.sqrt(2.0 * self.gamma * self.nbar) * o.conj().T.tocsr())
        return [sp.csr_matrix(x) for x in ops]

    # ---- states ------------------------------------------------------------------------
    def initial_state(self) -> np.ndarray:
        """|G⟩_B|E⟩_C: battery empty (k_B = 0), charger full (k_C = N_C)."""
        psi = np.zeros(self.dimension, dtype=complex)
        psi[(self.n_battery + 1) * self.n_charger] = 1.0
        return psi

    def _density(self, state) -> np.ndarray:
        x = np.asarray(state.toarray() if sp.issparse(state) else state, dtype=complex)
        if x.ndim == 1:
            if x.shape[0] != self.dimension:
                raise InvalidStateError(f"state has dimension {x.shape[0]}", argument="state",
                                        allowed=f"dimension {self.dimension}")
            return np.outer(x, x.conj())
        if x.shape != (self.dimension, self.dimension):
            raise InvalidStateError(f"state has shape {x.shape}", argument="state",
                                    allowed=f"a vector of length {self.dimension} or a square matrix of that size")
        return x

    def battery_state(self, psi) -> np.ndarray:
        """Battery reduced state on its symmetric subspace (basis k_B = 0 … N_B), charger traced out."""
        rho = self._density(psi)
        nb, nc = self.n_battery + 1, self.n_charger + 1
        return np.einsum("cbcd->bd", rho.reshape(nc, nb, nc, nb))

    def battery_spectrum(self, space: str = "full"):
        """Levels ``ω k``, k = 0 … N_B; ``space="full"``: multiplicities C(N_B, k) (the 2^{N_B} battery
        states: the optimal unitary may act on every cell), ``"symmetric"``: one state per level."""
        check_space(space)
        energies = self.omega * np.arange(self.n_battery + 1, dtype=float)
        if space == "symmetric":
            return Spectrum(energies=energies)
        return Spectrum(energies=energies, multiplicities=[comb(self.n_battery, k) for k in range(self.n_battery + 1)])

    # ---- total-spin sectors and the steady state ---------------------------------------
    def total_spin_states(self) -> dict[float, np.ndarray]:
        """``{j: V_j}``: for every total spin j = |N_B − N_C|/2 … (N_B + N_C)/2, the columns of ``V_j`` are
        the states |j, m⟩, m = −j … j, in the model basis (each fixed by diagonalising (J_B + J_C)² in the
        subspace of fixed J^z; the arbitrary phase of each column does not matter for projectors)."""
        jz = self.total_jz()
        j2 = self.total_spin_squared().toarray()
        j_max = 0.5 * (self.n_battery + self.n_charger)
        j_min = 0.5 * abs(self.n_battery - self.n_charger)
        spins = [j_min + n for n in range(round(j_max - j_min) + 1)]
        cols: dict[float, list[np.ndarray]] = {j: [] for j in spins}
        for m in np.unique(jz):
            idx = np.nonzero(np.isclose(jz, m))[0]
            vals, vecs = np.linalg.eigh(j2[np.ix_(idx, idx)])
            for val, vec in zip(vals, vecs.T):
                j = 0.5 * (np.sqrt(1.0 + 4.0 * val) - 1.0)  # val = j(j + 1)
                jr = round(2.0 * j) / 2.0
                full = np.zeros(self.dimension, dtype=complex)
                full[idx] = vec
                cols[jr].append((m, full))
        out = {}
        for j in spins:
            ordered = sorted(cols[j], key=lambda item: item[0])
            out[float(j)] = np.stack([v for _, v in ordered], axis=1)
        return out

    def sector_weights(self, state=None) -> dict[float, float]:
        """``{j: p_j = Tr[P_j ρ]}`` (conserved by Eq. 62) of ``state`` (default: the initial state)."""
        rho = self._density(self.initial_state() if state is None else state)
        return {j: float(np.real(np.trace(v.conj().T @ rho @ v))) for j, v in self.total_spin_states().items()}

    def steady_state(self, state=None) -> np.ndarray:
        """The asymptotic state ρ_∞ = Σ_j p_j G_j reached from ``state`` (default: the initial state).

        ``p_j = Tr[P_j ρ_0]`` are the conserved total-spin weights and ``G_j`` the Gibbs state of sector j at
        the reservoir temperature (|j, −j⟩⟨j, −j| at T = 0); see the module docstring (for an initial state with
        coherences between sectors of different energy at T = 0, the time-averaged asymptotic state).
        """
        weights = self.sector_weights(state)
        x = 0.0 if self.nbar == 0 else self.nbar / (self.nbar + 1.0)
        rho = np.zeros((self.dimension, self.dimension), dtype=complex)
        for j, v in self.total_spin_states().items():
            n_levels = v.shape[1]
            w = np.array([x ** n for n in range(n_levels)]) if x > 0 else np.eye(1, n_levels).ravel()
            w = w / w.sum()
            rho += weights[j] * (v * w) @ v.conj().T
        return rho

    def steady_state_energy(self, state=None) -> float:
        """Battery energy ``Tr[H_B ρ_∞]`` of :meth:`steady_state`."""
        rho = self.steady_state(state)
        return float(np.real(np.sum(self.omega * self._k_b * np.diag(rho))))

    # ---- brute force -------------------------------------------------------------------
    def full_space_operators(self) -> dict[str, Any]:
        """The model on all 2^(N_B + N_C) states (N_B + N_C ≤ 12), for brute-force checks.

        Sites 0 … N_B − 1 are the battery, N_B … N_B + N_C − 1 the charger (little-endian). Returns a dict
        with ``hamiltonian`` (ω Σ_i |e⟩⟨e|_i), ``battery_hamiltonian``, ``jump_operators``, ``initial_state``
        (|G⟩_B|E⟩_C) and ``dims``.
        """
        from ._qubit_ops import SIGMA_MINUS, site_operator

        n = self.n_battery + self.n_charger
        check_max_size(n, MAX_FULL_SPACE_SITES, "n_battery + n_charger", "the full-space dark-state battery")
        dim = 2 ** n
        proj = np.diag([0.0, 1.0]).astype(complex)
        h_b = sum(self.omega * site_operator(proj, i, n) for i in range(self.n_battery))
        h_c = sum(self.omega * site_operator(proj, i, n) for i in range(self.n_battery, n))
        lower = sum(site_operator(SIGMA_MINUS, i, n) for i in range(n)).tocsr()
        jumps = [np.sqrt(2.0 * self.gamma * (self.nbar + 1.0)) * lower]
        if self.nbar > 0:
            jumps.append(np.sqrt(2.0 * self.gamma * self.nbar) * lower.conj().T.tocsr())
        psi0 = np.zeros(dim, dtype=complex)
        psi0[((1 << self.n_charger) - 1) << self.n_battery] = 1.0  # charger sites excited
        return {"hamiltonian": (h_b + h_c).tocsr(), "battery_hamiltonian": h_b.tocsr(),
                "jump_operators": [sp.csr_matrix(x) for x in jumps], "initial_state": psi0,
                "dims": [2] * n}

    @property
    def conventions(self) -> dict[str, Any]:
        return {"n_battery": self.n_battery, "n_charger": self.n_charger, "gamma": self.gamma, "omega": self.omega,
                "beta": self.beta, "nbar": self.nbar,
                "master_equation": "review Eq. (62): jumps sqrt(2 gamma (nbar+1)) (J_B^- + J_C^-), "
                                   "sqrt(2 gamma nbar) (J_B^+ + J_C^+)",
                "space": "product of the two symmetric subspaces, index k_B + (N_B+1) k_C",
                "initial": "|G>_B |E>_C"}
