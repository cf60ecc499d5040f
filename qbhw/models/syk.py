"""Complex-SYK battery (Rossini, Andolina, Rosa, Carrega, Polini, PRL 125, 236402, 2020; review Sec. III.C.2).

Battery (review Eq. 41, errata E12: i = 1…N), shifted so that its ground energy is 0:

    H_B^(0) = ω_0 Σ_i σ_i^y + N ω_0            (levels 2ω_0 k, k = 0…N, multiplicity C(N, k)).

Charging Hamiltonian (review Eq. 42), spinless fermions on N sites:

    H_B^(1) = Σ_{i,j,k,l=1}^{N} J_{ij;kl} c_i† c_j† c_k c_l,
    c_j† = σ_j^+ Π_{m<j} σ_m^z                (Jordan–Wigner, review σ^z = −Z).

Couplings (the standard cSYK ensemble; the review states only the variance, seed-spec [P]):
antisymmetric ``J_{ji;kl} = −J_{ij;kl} = J_{ij;lk}``, Hermitian ``J_{kl;ij} = J_{ij;kl}^*``, and
otherwise independent zero-mean Gaussians with ``⟨⟨|J_{ij;kl}|²⟩⟩ = J²/N³`` for every element
(complex with independent real and imaginary parts of variance J²/(2N³) when the pairs
(ij) ≠ (kl); real with variance J²/N³ on the "diagonal" (ij) = (kl)). The sum runs over all
ordered indices, so ``H_B^(1) = 4 Σ_{i<j, k<l} J_{ij;kl} c_i†c_j†c_k c_l``. This is our
normalisation choice; a different constant only rescales J, not the N-scaling.
Disorder realisations are seeded: the same ``seed`` gives the same couplings.

Protocol (direct charging, review Eq. 25): during charging the generator is ``H_B^(1)``
alone (``keep_battery=False``, default) or ``H_B^(0) + H_B^(1)`` (``keep_battery=True``).
Initial state: the ground state of H_B^(0), every spin in the σ^y = −1 eigenstate,
(|0⟩ + i|1⟩)/√2 per qubit.

Sectors: ``H_B^(1)`` conserves the fermion number n (popcount); :meth:`SYKBattery.sector_hamiltonian`
gives it in each sector n (dimension C(N, n) ≤ C(14, 7) = 3432). The exact solver
(:mod:`qbhw.solvers.syk`, run by ``qbhw.charge``) propagates sector by sector with
``keep_battery=False`` and uses the full-space propagator with ``keep_battery=True``;
``full_space()`` gives the sparse full-space matrices for brute-force checks.
"""

from __future__ import annotations

from math import comb
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..metrics import Spectrum
from ._direct_charging import DirectQubitBattery
from ._qubit_ops import check_coupling, check_max_size, check_size, excitation_counts

__all__ = ["SYKBattery", "syk_couplings", "MAX_SYK_SITES"]

MAX_SYK_SITES = 16


def _pair_list(n: int) -> np.ndarray:
    return np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64).reshape(-1, 2)


def syk_couplings(n_sites: int, coupling: float, seed) -> np.ndarray:
    """Hermitian matrix ``K[A, B] = J_{ij;kl}`` over ordered pairs A = (i<j), B = (k<l).

    Off-diagonal entries: complex Gaussian, ⟨|K_AB|²⟩ = J²/N³; diagonal: real Gaussian with
    variance J²/N³. The remaining elements of the 4-index tensor follow from antisymmetry.
    """
    rng = np.random.default_rng(seed)
    p = n_sites * (n_sites - 1) // 2
    var = coupling**2 / n_sites**3
    re = rng.normal(size=(p, p))
    im = rng.normal(size=(p, p))
    upper = np.triu((re + 1j * im) * np.sqrt(var / 2.0), 1)
    diag = rng.normal(size=p) * np.sqrt(var)
    return upper + upper.conj().T + np.diag(diag)


def _zeros_below(states: np.ndarray, site: np.ndarray) -> np.ndarray:
    """Number of EMPTY sites below ``site`` in each state (elementwise)."""
    below = states & ((np.int64(1) << site) - 1)
    count = np.zeros_like(states)
    tmp = below.copy()
    while np.any(tmp):
        count += tmp & 1
        tmp >>= 1
    return site - count


class SYKBattery(DirectQubitBattery):
    """cSYK-charged battery of N spins (see module docstring).

    Parameters
    ----------
    n_sites:
        N (2 ≤ N ≤ 16).
    coupling:
        J ≥ 0, the disorder strength (⟨⟨|J_{ij;kl}|²⟩⟩ = J²/N³).
    omega_0:
        ω_0 > 0 of H_B^(0) = ω_0 Σσ^y.
    seed:
        Seed of the disorder realisation (``numpy.random.default_rng(seed)``).
    keep_battery:
        Keep H_B^(0) on during charging (default False: review Eq. 25).
    """

    name = "cSYK battery (Rossini 2020)"

    def __init__(self, n_sites: int, coupling: float = 1.0, omega_0: float = 1.0, *, seed=0,
                 keep_battery: bool = False):
        self.n_sites = check_size(n_sites, "n_sites")
        check_max_size(self.n_sites, MAX_SYK_SITES, "n_sites", "the exact SYK battery")
        self.coupling = check_coupling(coupling, "coupling")
        self.omega_0 = check_coupling(omega_0, "omega_0", strict=True)
        self.seed = seed
        self.keep_battery = bool(keep_battery)
        self.pairs = _pair_list(self.n_sites)
        self.couplings = syk_couplings(self.n_sites, self.coupling, seed)

    # ---- couplings as a 4-index tensor (brute-force reference) --------------------------
    def coupling_tensor(self) -> np.ndarray:
        """The full antisymmetric tensor ``J[i, j, k, l]`` (N^4 entries; small N)."""
        n = self.n_sites
        t = np.zeros((n, n, n, n), dtype=complex)
        for a, (i, j) in enumerate(self.pairs):
            for b, (k, l) in enumerate(self.pairs):
                v = self.couplings[a, b]
                t[i, j, k, l] = v
                t[j, i, k, l] = -v
                t[i, j, l, k] = -v
                t[j, i, l, k] = v
        return t

    # ---- sectors of fixed fermion number -------------------------------------------------
    def sector_states(self) -> list[np.ndarray]:
        """Computational basis states (ascending) of every fermion-number sector n = 0 … N."""
        def build():
            counts = excitation_counts(self.n_sites)
            states = np.arange(2 ** self.n_sites, dtype=np.int64)
            return [states[counts == n] for n in range(self.n_sites + 1)]
        return self._cached("sector_states", build)

    def _sector_index(self) -> np.ndarray:
        def build():
            index = np.empty(2 ** self.n_sites, dtype=np.int64)
            for states in self.sector_states():
                index[states] = np.arange(states.size)
            return index
        return self._cached("sector_index", build)

    def sector_hamiltonian(self, n: int) -> np.ndarray:
        """Dense ``H_B^(1)`` in the sector of n fermions (basis: states of popcount n, ascending).

        Built from ``c_i†c_j†c_k c_l|u ∪ {k,l}⟩`` over the intermediate states u with n − 2
        fermions: for pairs A = (i<j), B = (k<l) free in u, the element from |u∪B⟩ to |u∪A⟩ is
        ``4 J_AB ρ_A(u) σ_B(u)``, with ``c_i†c_j†|u⟩ = ρ_A(u)|u∪A⟩``, ``c_k c_l|u∪B⟩ = σ_B(u)|u⟩``
        and σ_B(u) = −ρ_B(u); ρ_A(u) = (−1)^{z_i(u) + z_j(u)}, z_x(u) the number of empty
        sites below x (the review's σ^z = −Z string).
        """
        n_sites = self.n_sites
        states_n = self.sector_states()[n]
        d = states_n.size
        h = np.zeros((d, d), dtype=complex)
        if n < 2:
            return h
        index = self._sector_index()
        u = self.sector_states()[n - 2]
        occupied = ((u[:, None] >> np.arange(n_sites)[None, :]) & 1).astype(bool)
        free = np.nonzero(~occupied)[1].reshape(u.size, n_sites - n + 2)   # free sites, ascending
        f = free.shape[1]
        la, lb = np.triu_indices(f, 1)
        site_i, site_j = free[:, la], free[:, lb]                            # (num_u, P_f)
        pair_id = np.full((n_sites, n_sites), -1, dtype=np.int64)
        pair_id[self.pairs[:, 0], self.pairs[:, 1]] = np.arange(self.pairs.shape[0])
        pid = pair_id[site_i, site_j]
        uu = np.broadcast_to(u[:, None], site_i.shape)
        rho = 1.0 - 2.0 * ((_zeros_below(uu, site_i) + _zeros_below(uu, site_j)) & 1)
        target = index[uu | (np.int64(1) << site_i) | (np.int64(1) << site_j)]
        vals = -4.0 * self.couplings[pid[:, :, None], pid[:, None, :]] * (rho[:, :, None] * rho[:, None, :])
        flat = (target[:, :, None] * d + target[:, None, :]).ravel()
        vals = vals.ravel()
        h.real = np.bincount(flat, weights=vals.real, minlength=d * d).reshape(d, d)
        h.imag = np.bincount(flat, weights=vals.imag, minlength=d * d).reshape(d, d)
        return h

    def syk_hamiltonian(self) -> sp.csr_matrix:
        """``H_B^(1)`` on the full 2^N space (block diagonal in the fermion number)."""
        def build():
            rows, cols, vals = [], [], []
            for n, states in enumerate(self.sector_states()):
                h = self.sector_hamiltonian(n)
                r, c = np.nonzero(h)
                rows.append(states[r])
                cols.append(states[c])
                vals.append(h[r, c])
            dim = 2 ** self.n_sites
            return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                                 shape=(dim, dim))
        return self._cached("syk", build)

    # ---- battery --------------------------------------------------------------------------
    def apply_sigma_y_sum(self, psi: np.ndarray) -> np.ndarray:
        """``Σ_i σ_i^y ψ`` for states stacked along the last axis (σ^y = −Y: (σ^y_iψ)[s] = i(1 − 2s_i)ψ[s ⊕ 2^i])."""
        s = np.arange(2 ** self.n_sites, dtype=np.int64)
        out = np.zeros_like(psi)
        for i in range(self.n_sites):
            bit = (s >> i) & 1
            out += (1j * (1.0 - 2.0 * bit)) * psi[..., s ^ (1 << i)]
        return out

    def _battery_matrix(self) -> sp.csr_matrix:
        n = self.n_sites
        dim = 2**n
        s = np.arange(dim, dtype=np.int64)
        rows, cols, vals = [], [], []
        for i in range(n):
            bit = (s >> i) & 1
            rows.append(s)
            cols.append(s ^ (1 << i))
            vals.append(self.omega_0 * 1j * (1.0 - 2.0 * bit))
        h = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(dim, dim))
        return (h + n * self.omega_0 * sp.identity(dim, dtype=complex, format="csr")).tocsr()

    def _charging_matrix(self) -> sp.csr_matrix:
        h = self.syk_hamiltonian()
        return (h + self.battery_hamiltonian()).tocsr() if self.keep_battery else h

    def _initial_vector(self) -> np.ndarray:
        counts = excitation_counts(self.n_sites)
        return (1j ** (counts % 4)) / 2 ** (self.n_sites / 2)

    def battery_spectrum(self, space: str = "full"):
        """Levels 2ω_0 k with multiplicity C(N, k), with the matrix of H_B^(0) in the computational
        basis as ``sector_matrix`` (dense: small N only)."""
        n = self.n_sites
        return Spectrum(energies=2 * self.omega_0 * np.arange(n + 1), multiplicities=[comb(n, k) for k in range(n + 1)],
                        sector_matrix=self.battery_hamiltonian().toarray())

    @property
    def conventions(self) -> dict[str, Any]:
        return {"n_sites": self.n_sites, "coupling": self.coupling, "omega_0": self.omega_0, "seed": self.seed,
                "keep_battery": self.keep_battery,
                "coupling_variance": "<<|J_ij;kl|^2>> = J^2/N^3 per element, sum over ordered i,j,k,l",
                "jordan_wigner": "c_j^dag = sigma_j^+ prod_{m<j} sigma_m^z (sigma^z = -Z)",
                "charging": "H_B^(0) + H_SYK" if self.keep_battery else "H_SYK (H_B^(0) switched off, Eq. 25)"}

