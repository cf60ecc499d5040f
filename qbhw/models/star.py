"""Star (central-spin) battery: one battery spin charged by 𝒩 charger spins (seed-spec §3.4).

Idealised model of the NMR star-topology experiment of Joshi & Mahesh (PRA 106, 042601, 2022;
review Sec. VI.D). Battery spin B and chargers j = 1…𝒩, all spin-1/2:

    H_B = (ω_b/2)(σ_B^z + 1),   H_C = (ω_c/2) Σ_j (σ_j^z + 1),
    H_1 = J Σ_j (σ_B^+ σ_j^− + σ_B^− σ_j^+) = (J/2) Σ_j (X_B X_j + Y_B Y_j)

(flip-flop exchange, no static Ising term; review σ^z, σ^z|e⟩ = +|e⟩). Frame: the curve is
computed in the lab frame with ``H = H_B + H_C + H_1``. For resonant chargers (``omega_c =
omega_b``, the default) the Zeeman part commutes with the exchange (both conserve the number
of excitations), so the battery observables are the same as in the doubly rotating frame
where only ``H_1`` acts — the frame in which the NMR exchange is usually written.

Collective-spin sectors. ``H_1 = J(σ_B^+ S^− + σ_B^− S^+)`` with ``S^± = Σ_j σ_j^±`` the
collective charger ladder operators, so the dynamics never leaves a sector of fixed total
charger spin ``s``; 𝒩 spins-1/2 contain spin ``s`` with multiplicity
``d_s = C(𝒩, 𝒩/2 − s) − C(𝒩, 𝒩/2 − s − 1)``. In the sector basis |b; s, m⟩ (b = g, e) the
exchange couples |g; s, m⟩ ↔ |e; s, m−1⟩ with amplitude ``J√((s+m)(s−m+1))``; as the number of
excitations is conserved, each sector (dimension 2(2s+1) ≤ 2𝒩+2) is a direct sum of these 2×2
blocks plus the two uncoupled states |g; s, −s⟩, |e; s, s⟩. The exact solver
(:mod:`qbhw.solvers.star`, run by ``qbhw.charge``; :func:`qbhw.solvers.star.star_polarization`)
uses the closed-form (detuned) Rabi solution of every block; ``method="eigh"`` diagonalises each
sector numerically instead (a cross-check). Traces are weighted by ``d_s``.

Initial states (``initial=``):

* ``"pure"``: battery |g⟩, every charger |e⟩ — the state |g; 𝒩/2, 𝒩/2⟩, which couples only to
  |e; 𝒩/2, 𝒩/2−1⟩ with strength J√𝒩: p_e(t) = sin²(J√𝒩 t) exactly (seed-spec §3.4).
* ``"high_temperature"``: the NMR state ρ = [1 + ε(−σ_B^z + w Σ_j σ_j^z)]/2^{𝒩+1} (chargers
  inverted by a π pulse; ``w = charger_weight`` = ε_C/ε_B, 1 for equal polarisations). The
  dynamics is linear, so ``⟨σ_B^z⟩(t) = ε P(t)`` exactly, with the normalised polarisation

      P(t) = Σ_s d_s Tr_s[σ_B^z(t) (−σ_B^z + 2w S^z)] / 2^{𝒩+1}

  (the identity part contributes nothing since Tr_s σ_B^z(t) = 0); ``P`` is independent of ε
  and is the ε → 0 linear-response limit of the thermal state. Exact for 𝒩 = 36 without any
  2^37 matrix.
* ``"thermal"`` (with ``beta`` = β ≥ 0): every spin thermal at inverse temperature β with its own
  splitting, excited population ``p_e = 1/(1 + e^{βω})`` (ω_b for the battery, ω_c for the chargers),
  then the chargers inverted by a π pulse (charger excited population ``q = 1/(1 + e^{−βω_c})``) —
  the NMR preparation of Joshi & Mahesh (PRA 106, 042601, 2022) before the high-temperature
  expansion. The charger state ``Π_j [q|e⟩⟨e| + (1 − q)|g⟩⟨g|] = Σ_k q^k (1 − q)^{𝒩−k} P_k`` (P_k the
  projector on k excited chargers, k = 𝒩/2 + m) is diagonal in every sector |s, m⟩ with a weight
  that depends on m only, so

      ρ_0 = ⊕_s d_s ⊕_m [(1 − p_B)|g⟩⟨g| + p_B|e⟩⟨e|] ⊗ q^{𝒩/2+m}(1 − q)^{𝒩/2−m} |s, m⟩⟨s, m|

  exactly (Tr ρ_0 = 1), with ``p_B = 1/(1 + e^{βω_b})``. β = 0 is the maximally mixed state.
  Energies are absolute: ``E = ω_b(1 + ⟨σ_B^z⟩)/2`` and ``W = E(t) − E(0)``.

Every initial state is diagonal in the sector basis; the solver needs only that diagonal
(:meth:`StarBattery.sector_diagonal_weights`), so the three states share one code path.

Energy, work and ergotropy. The number of excitations is conserved and the initial states
are diagonal in it, so the battery's reduced state stays diagonal:
ρ_B = diag((1 − ⟨σ_B^z⟩)/2, (1 + ⟨σ_B^z⟩)/2). Hence

    E(t) = ω_b (1 + ⟨σ_B^z⟩)/2,   𝓔(t) = ω_b max(0, ⟨σ_B^z⟩)   (review Eqs. 3, 4, 6).

For the high-temperature state with ``epsilon=None`` (default) every energy is reported **per
unit ε**: ``energy = work = W(t)/ε = ω_b (1 + P(t))/2`` (the battery starts at P = −1, so
this is the work deposited per unit ε, zero at t = 0), ``ergotropy = 𝓔/ε = ω_b max(0, P)``.
With a finite ``epsilon`` (0 < ε ≤ 1/(1 + |w|𝒩), where ρ ≥ 0) the curve is the exact one of
that state: ``energy = ω_b (1 + εP)/2``. ``curve.polarization`` is always ⟨σ_B^z⟩/ε = P
(for ``"pure"``: ⟨σ_B^z⟩ itself). Power is analytic (dP/dt from the sector spectra).

This module holds the model (sectors, their Hamiltonian blocks and multiplicities, initial
states, full space); the time evolution is in :mod:`qbhw.solvers.star`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from ..errors import ConfigError, InvalidArgumentError
from ._qubit_ops import SIGMA_MINUS, SIGMA_PLUS, check_coupling, check_max_size, check_real, check_size, site_operator
from .base import BatteryModel, FullSpaceModel, check_space

__all__ = ["StarBattery", "StarSector", "charger_spin_sectors", "STAR_INITIAL_STATES"]

STAR_INITIAL_STATES = ("pure", "high_temperature", "thermal")
#: largest 𝒩 for the brute-force ``full_space()`` (2^(𝒩+1) states)
MAX_FULL_SPACE_CHARGERS = 12


def charger_spin_sectors(n_spins: int) -> list[tuple[Fraction, int]]:
    """Total spins ``s`` of ``n_spins`` spin-1/2 and their multiplicities ``d_s`` (largest s first).

    ``d_s = C(n, n/2 − s) − C(n, n/2 − s − 1)``; Σ_s d_s (2s + 1) = 2^n.
    """
    out = []
    for k in range(n_spins // 2 + 1):  # k = n/2 − s
        s = Fraction(n_spins, 2) - k
        d = comb(n_spins, k) - (comb(n_spins, k - 1) if k >= 1 else 0)
        out.append((s, d))
    return out


@dataclass(frozen=True)
class StarSector:
    """One sector of fixed total charger spin s: basis |b; s, m⟩ (b = g, e; m = −s … s)."""

    spin: Fraction          # total charger spin s
    multiplicity: int       # d_s
    offset: int             # start index in the model space
    m_values: np.ndarray    # m = −s … s

    @property
    def dimension(self) -> int:
        return 2 * self.m_values.size


class StarBattery(BatteryModel):
    """Central battery spin + 𝒩 charger spins with flip-flop exchange (see module docstring).

    Parameters
    ----------
    n_chargers:
        𝒩 ≥ 1.
    coupling:
        Exchange J ≥ 0.
    omega_b:
        Battery splitting ω_b > 0.
    initial:
        ``"pure"``, ``"high_temperature"`` or ``"thermal"`` (see the module docstring).
    omega_c:
        Charger splitting (default ``omega_b``: resonant).
    charger_weight:
        ε_C/ε_B of the high-temperature state (default 1).
    epsilon:
        ``None`` (linear response, energies per unit ε) or the finite ε of the state.
    beta:
        Inverse temperature β ≥ 0 (units of 1/ω_b) of the ``"thermal"`` state; required there,
        ``None`` otherwise.
    """

    name = "star battery (central spin)"
    protocol = "charger"

    def __init__(self, n_chargers: int, coupling: float, omega_b: float = 1.0, initial: str = "pure", *,
                 omega_c: float | None = None, charger_weight: float = 1.0, epsilon: float | None = None,
                 beta: float | None = None):
        self.n_chargers = check_size(n_chargers, "n_chargers")
        self.coupling = check_coupling(coupling, "coupling")
        self.omega_b = check_coupling(omega_b, "omega_b", strict=True)
        self.omega_c = self.omega_b if omega_c is None else check_coupling(omega_c, "omega_c", strict=True)
        if initial not in STAR_INITIAL_STATES:
            raise ConfigError(f"unknown initial state {initial!r}", argument="initial",
                              allowed=" | ".join(repr(s) for s in STAR_INITIAL_STATES))
        self.initial = initial
        self.charger_weight = check_real(charger_weight, "charger_weight")
        self.epsilon_max = 1.0 / (1.0 + abs(self.charger_weight) * self.n_chargers)
        if epsilon is not None and initial != "high_temperature":
            raise ConfigError("epsilon only applies to the high-temperature state", argument="epsilon",
                              allowed=f"None for initial={initial!r}")
        if initial == "thermal":
            if beta is None:
                raise ConfigError("the thermal initial state needs an inverse temperature", argument="beta",
                                  allowed="beta >= 0 (units of 1/omega_b)")
            beta = check_coupling(beta, "beta")
        elif beta is not None:
            raise ConfigError("beta only applies to the thermal state", argument="beta",
                              allowed=f"None for initial={initial!r}")
        self.beta = beta
        if epsilon is not None:
            eps = check_real(epsilon, "epsilon")
            if not 0 < eps <= self.epsilon_max:
                raise InvalidArgumentError(f"got {epsilon!r}", argument="epsilon",
                                           allowed=f"0 < epsilon <= 1/(1 + |w| N) = {self.epsilon_max:.6g} "
                                                   "(positive density matrix), or None for linear response")
            epsilon = eps
        self.epsilon = epsilon
        self._sectors = self._build_sectors()

    # ---- sectors ------------------------------------------------------------------
    def _build_sectors(self) -> list[StarSector]:
        pairs = charger_spin_sectors(self.n_chargers)
        if self.initial == "pure":
            pairs = pairs[:1]  # |e…e⟩ lies in the symmetric sector s = 𝒩/2
        sectors, offset = [], 0
        for s, d in pairs:
            m = np.array([float(-s + k) for k in range(int(2 * s) + 1)])
            sectors.append(StarSector(spin=s, multiplicity=d, offset=offset, m_values=m))
            offset += 2 * m.size
        return sectors

    @property
    def sectors(self) -> list[tuple[float, int]]:
        """``(s, d_s)`` of the sectors the model space contains."""
        return [(float(sec.spin), sec.multiplicity) for sec in self._sectors]

    @property
    def spin_sectors(self) -> list[StarSector]:
        """The sectors the model space contains, in the order of the basis."""
        return list(self._sectors)

    @property
    def battery_excited_population(self) -> float:
        """Thermal state: ``p_B = 1/(1 + e^{βω_b})``."""
        return float(expit(-self.beta * self.omega_b))

    @property
    def charger_excited_population(self) -> float:
        """Thermal state: a charger's excited population after the π pulse, ``q = 1/(1 + e^{−βω_c})``."""
        return float(expit(self.beta * self.omega_c))

    def sector_diagonal_weights(self, sec: StarSector) -> tuple[np.ndarray, np.ndarray]:
        """``(w_g, w_e)`` over ``m = −s … s``: the diagonal of the sector source operator ``X_s`` on
        |g; s, m⟩ and |e; s, m⟩ (see :meth:`sector_source_operator`; every initial state is diagonal).

        * pure: 1 on |g; 𝒩/2, 𝒩/2⟩, 0 elsewhere;
        * high temperature: ``d_s/2^{𝒩+1} · (∓1 + 2w m)`` (the deviation ``−σ_B^z + 2wS^z``);
        * thermal: ``d_s · (1 − p_B, p_B) · q^{𝒩/2+m} (1 − q)^{𝒩/2−m}`` (the state itself).
        """
        m = sec.m_values
        if self.initial == "pure":
            w_g = np.zeros_like(m)
            if sec.spin == Fraction(self.n_chargers, 2):  # |e…e⟩ = |s = 𝒩/2, m = 𝒩/2⟩
                w_g[-1] = 1.0
            return w_g, np.zeros_like(m)
        if self.initial == "high_temperature":
            weight = self.sector_weight(sec)
            w = self.charger_weight
            return weight * (1.0 + 2.0 * w * m), weight * (-1.0 + 2.0 * w * m)
        q = self.charger_excited_population
        half = self.n_chargers / 2.0
        charger = sec.multiplicity * q ** (half + m) * (1.0 - q) ** (half - m)
        p_b = self.battery_excited_population
        return (1.0 - p_b) * charger, p_b * charger

    def sector_weight(self, sec: StarSector) -> float:
        """``d_s / 2^{𝒩+1}``: the weight of one copy of the sector in the high-temperature state."""
        return float(Fraction(sec.multiplicity, 2 ** (self.n_chargers + 1)))

    @property
    def dimension(self) -> int:
        return sum(sec.dimension for sec in self._sectors)

    def basis(self) -> list[str]:
        """Labels ``|b; s, m⟩`` (index ``offset + 2(m + s) + b``, b = 0 for |g⟩)."""
        return [f"|{'ge'[b]}; s={float(sec.spin):g}, m={m:g}>" for sec in self._sectors
                for m in sec.m_values for b in (0, 1)]

    def sector_pieces(self, sec: StarSector) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(H_B, H_C, H_1) restricted to one sector (dense, dimension 2(2s+1))."""
        s = float(sec.spin)
        m = sec.m_values
        dim = sec.dimension
        b = np.tile([0.0, 1.0], m.size)
        mm = np.repeat(m, 2)
        h_b = np.diag(self.omega_b * b).astype(complex)
        h_c = np.diag(self.omega_c * (mm + self.n_chargers / 2)).astype(complex)
        h_1 = np.zeros((dim, dim), dtype=complex)
        # σ_B^+ S^−: |g; m⟩ → |e; m − 1⟩ with amplitude √((s + m)(s − m + 1))
        for k in range(1, m.size):
            amp = self.coupling * np.sqrt((s + m[k]) * (s - m[k] + 1))
            src = 2 * k          # |g; m_k⟩
            dst = 2 * (k - 1) + 1  # |e; m_k − 1⟩
            h_1[dst, src] = amp
            h_1[src, dst] = amp
        return h_b, h_c, h_1

    def _block_diag(self, which: int) -> sp.csr_matrix:
        return sp.block_diag([self.sector_pieces(sec)[which] for sec in self._sectors], format="csr")

    # ---- BatteryModel interface ----------------------------------------------------
    def battery_hamiltonian(self) -> sp.csr_matrix:
        """``(ω_b/2)(σ_B^z + 1)`` on the sector space (ground energy 0)."""
        return self._block_diag(0)

    def charger_hamiltonian(self) -> sp.csr_matrix:
        """``(ω_c/2)Σ_j(σ_j^z + 1) = ω_c(S^z + 𝒩/2)`` on the sector space."""
        return self._block_diag(1)

    def interaction(self) -> sp.csr_matrix:
        """``J(σ_B^+ S^− + σ_B^− S^+)`` on the sector space."""
        return self._block_diag(2)

    def sector_initial_state(self, sec: StarSector, epsilon: float) -> np.ndarray:
        """The sector block of the initial state (vector for pure, weighted matrix for high temperature
        and thermal; ``epsilon`` only matters for high temperature)."""
        if self.initial == "pure":
            psi = np.zeros(sec.dimension, dtype=complex)
            psi[2 * (sec.m_values.size - 1)] = 1.0  # |g; s, m = s⟩
            return psi
        if self.initial == "thermal":
            return self.sector_source_operator(sec)
        b = np.tile([-1.0, 1.0], sec.m_values.size)
        mm = np.repeat(sec.m_values, 2)
        weight = self.sector_weight(sec)
        return np.diag(weight * (1.0 + epsilon * (-b + 2.0 * self.charger_weight * mm))).astype(complex)

    def sector_source_operator(self, sec: StarSector) -> np.ndarray:
        """``X_s``, the part of the initial sector block whose ⟨σ_B^z(t)⟩ is reported: the projector on
        |g; 𝒩/2, 𝒩/2⟩ (pure), the multiplicity-weighted deviation ``d_s(−σ_B^z + 2wS^z)/2^{𝒩+1}``
        (high temperature: ρ_0 = identity part + ε X, and Tr_s σ_B^z(t) = 0), or the thermal sector
        block itself (``d_s`` copies). Diagonal, from :meth:`sector_diagonal_weights`."""
        w_g, w_e = self.sector_diagonal_weights(sec)
        return np.diag(np.stack([w_g, w_e], axis=1).ravel()).astype(complex)

    def initial_state(self) -> np.ndarray:
        """Pure: the vector |g; 𝒩/2, 𝒩/2⟩. High temperature: the density matrix on the sector
        space, each sector weighted by its multiplicity, at ``epsilon`` (or, when
        ``epsilon=None``, at ε = 1/(1 + |w|𝒩); P = ⟨σ_B^z⟩/ε does not depend on that choice)."""
        if self.initial == "pure":
            return self.sector_initial_state(self._sectors[0], 0.0)
        if self.initial == "thermal":
            return sp.block_diag([self.sector_source_operator(sec) for sec in self._sectors], format="csr").toarray()
        eps = self.epsilon if self.epsilon is not None else self.epsilon_max
        blocks = [self.sector_initial_state(sec, eps) for sec in self._sectors]
        return sp.block_diag(blocks, format="csr").toarray()

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        """Reduced 2×2 state of the battery spin (basis |g⟩, |e⟩) for a state of the sector space."""
        psi = np.asarray(psi)
        rho = np.outer(psi, psi.conj()) if psi.ndim == 1 else psi
        out = np.zeros((2, 2), dtype=complex)
        for sec in self._sectors:
            n = sec.m_values.size
            blk = rho[sec.offset:sec.offset + 2 * n, sec.offset:sec.offset + 2 * n].reshape(n, 2, n, 2)
            out += np.einsum("ibic->bc", blk)
        return out

    def battery_spectrum(self, space: str = "full") -> np.ndarray:
        """``diag(0, ω_b)`` of the single battery spin (the battery is one cell: both spaces agree)."""
        check_space(space)
        return np.diag([0.0, self.omega_b]).astype(complex)

    # ---- brute force ------------------------------------------------------------------
    def full_space(self) -> FullSpaceModel:
        """The model on all 2^(𝒩+1) states (battery = site 0, chargers = sites 1…𝒩; 𝒩 ≤ 12).

        For ``"high_temperature"`` the initial state is the density matrix at ``epsilon`` (or
        ε = 1/(1 + |w|𝒩) when ``epsilon=None``); for ``"thermal"`` the product of the spins' thermal
        states with the chargers π-pulsed (a diagonal density matrix).
        """
        n = self.n_chargers
        check_max_size(n, MAX_FULL_SPACE_CHARGERS, "n_chargers", "the full-space star battery")
        sites = n + 1
        dim = 2 ** sites
        excited = np.diag([0.0, 1.0]).astype(complex)
        h_b = (self.omega_b * site_operator(excited, 0, sites)).tocsr()
        h_c = sp.csr_matrix((dim, dim), dtype=complex)
        h_1 = sp.csr_matrix((dim, dim), dtype=complex)
        for j in range(1, sites):
            h_c = h_c + self.omega_c * site_operator(excited, j, sites)
            flip = site_operator(SIGMA_PLUS, 0, sites) @ site_operator(SIGMA_MINUS, j, sites)
            h_1 = h_1 + self.coupling * (flip + flip.conj().T)
        if self.initial == "pure":
            psi0 = np.zeros(dim, dtype=complex)
            psi0[dim - 2] = 1.0  # chargers (sites 1…𝒩) in |1⟩ = |e⟩, battery (site 0) in |0⟩ = |g⟩
        elif self.initial == "thermal":
            idx = np.arange(dim)
            p_b, q = self.battery_excited_population, self.charger_excited_population
            pops = np.where(idx & 1, p_b, 1.0 - p_b)
            for j in range(1, sites):
                pops = pops * np.where((idx >> j) & 1, q, 1.0 - q)
            psi0 = np.diag(pops).astype(complex)
        else:
            eps = self.epsilon if self.epsilon is not None else self.epsilon_max
            idx = np.arange(dim)
            sz_b = 2.0 * (idx & 1) - 1.0
            sz_c = sum(2.0 * ((idx >> j) & 1) - 1.0 for j in range(1, sites))
            psi0 = np.diag((1.0 + eps * (-sz_b + self.charger_weight * sz_c)) / dim).astype(complex)
        return FullSpaceModel(h_battery=h_b, h_charger=h_c.tocsr(), h_interaction=h_1.tocsr(), psi0=psi0,
                              dims=[2] * sites, battery_sites=[0], h_battery_local=self.battery_spectrum(),
                              name="star battery (full space)", protocol="charger", info=dict(self.conventions))

    @property
    def conventions(self) -> dict[str, Any]:
        return {"n_chargers": self.n_chargers, "coupling": self.coupling, "omega_b": self.omega_b,
                "omega_c": self.omega_c, "initial": self.initial, "charger_weight": self.charger_weight,
                "epsilon": self.epsilon, "beta": self.beta, "interaction": "J Σ_j (σ_B^+ σ_j^− + h.c.)",
                "frame": "lab (H_B + H_C + H_1); equals the rotating frame when omega_c == omega_b"}
