"""Spin-chain battery (Le, Levinsen, Modi, Parish, Pollock, PRA 97, 022106, 2018; review Sec. III.C.1).

Battery Hamiltonian (review Eq. 40, errata E10: nearest neighbour means g δ_{j,i+1}):

    H_B^(0) = B Σ_i σ_i^z − Σ_{i<j} g_ij [σ_i^z σ_j^z + α (σ_i^x σ_j^x + σ_i^y σ_j^y)],

with ``g_ij = g δ_{j,i+1}`` (``couplings="nearest"``), ``g_ij = g/|i − j|^p`` (``"power_law"``,
p ≥ 0; p = 0 is the "uniform" case) or an explicit symmetric matrix. α = 0 Ising, 0 < α < 1
XXZ, α = 1 XXX. g > 0 is ferromagnetic in this sign convention (negative couplings are
rejected). Energies are measured from the ground state of H_B^(0), which is also the
initial state (review Sec. III.A; computed, with an error if it is degenerate).

Charging (direct, review Eq. 25 with H_B^(1) = ω Σ_i σ_i^x): the interaction terms stay on
during charging (the review's XXX argument — "the charging field commutes with the
interactions" — needs them on). Whether the Zeeman term stays on is the option
``keep_field``:

* ``keep_field=True`` (default): generator ``H_B^(0) + ω Σσ^x`` (field, interactions and drive);
* ``keep_field=False``: generator ``H_B^(0) − BΣσ^z + ωΣσ^x`` (field switched off, drive on).

The energy is always ``Tr[H_B^(0) ρ(t)]`` (the full battery Hamiltonian, field included).

Symmetry (RR-21): for α = 1 every ``g_ij`` term is ``g_ij(σ_i·σ_j)``, which commutes with the
collective spin; with g_ij ≥ 0 and B > 0 the ground state is |g…g⟩ (total spin N/2), the
interaction energy is conserved and each spin precesses independently, so W_N(t) = N W_1(t).

Qiskit form: σ^z = −Z, σ^x = X, σ^y = −Y (so σ^yσ^y = YY), little-endian sites.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError
from ._direct_charging import DirectQubitBattery, ground_state
from ._qubit_ops import (
    SIGMA_X,
    SIGMA_Y,
    SIGMA_Z,
    check_coupling,
    check_max_size,
    check_real,
    check_size,
    site_operator,
    two_site_operator,
)

__all__ = ["SpinChainBattery", "chain_couplings"]

MAX_SPINS = 16


def chain_couplings(n_spins: int, coupling: float, couplings="nearest", exponent: float = 1.0,
                    periodic: bool = False) -> np.ndarray:
    """Symmetric matrix ``g_ij`` (zero diagonal) of the chain.

    ``couplings``: ``"nearest"`` (g on bonds i, i+1; ``periodic`` adds the bond N−1, 0 for
    N > 2), ``"power_law"`` (g/|i − j|^exponent, all pairs), or an ``(N, N)`` array of
    non-negative couplings (used as given; its upper triangle defines g_ij).
    """
    n = n_spins
    if isinstance(couplings, str):
        if couplings == "nearest":
            g = np.zeros((n, n))
            for i in range(n - 1):
                g[i, i + 1] = g[i + 1, i] = coupling
            if periodic and n > 2:
                g[0, n - 1] = g[n - 1, 0] = coupling
            return g
        if couplings == "power_law":
            p = check_coupling(exponent, "exponent")
            idx = np.arange(n)
            dist = np.abs(idx[:, None] - idx[None, :]).astype(float)
            with np.errstate(divide="ignore"):
                g = np.where(dist > 0, coupling / np.where(dist > 0, dist, 1.0) ** p, 0.0)
            return g
        raise ConfigError(f"unknown coupling pattern {couplings!r}", argument="couplings",
                          allowed="'nearest' | 'power_law' | an (N, N) array")
    g = np.asarray(couplings, dtype=float)
    if g.shape != (n, n):
        raise DimensionMismatchError(f"coupling matrix has shape {g.shape}", argument="couplings",
                                     allowed=f"shape ({n}, {n})")
    if not np.all(np.isfinite(g)) or np.any(g < 0):
        raise InvalidArgumentError("coupling matrix has negative, NaN or inf entries", argument="couplings",
                                   allowed="finite entries >= 0")
    upper = np.triu(g, 1)
    return upper + upper.T


class SpinChainBattery(DirectQubitBattery):
    """XXZ spin-chain battery of Le et al. (2018), direct charging by a transverse field.

    Parameters
    ----------
    n_spins:
        Number of spins N (1 ≤ N ≤ 16; exact solves on the full 2^N space).
    coupling:
        g ≥ 0 (ferromagnetic in the sign convention of Eq. 40).
    anisotropy:
        α (any real: 0 Ising, 1 XXX; negative values allowed).
    field:
        Zeeman field B of H_B^(0).
    drive:
        ω ≥ 0 of the charging field ω Σσ^x.
    couplings, exponent, periodic:
        Interaction pattern, see :func:`chain_couplings`.
    keep_field:
        Keep the B term on during charging (default True; see module docstring).
    """

    name = "spin-chain battery (Le 2018)"

    def __init__(self, n_spins: int, coupling: float = 1.0, anisotropy: float = 1.0, field: float = 1.0,
                 drive: float = 1.0, *, couplings="nearest", exponent: float = 1.0, periodic: bool = False,
                 keep_field: bool = True):
        self.n_sites = self.n_spins = check_size(n_spins, "n_spins")
        check_max_size(self.n_spins, MAX_SPINS, "n_spins", "a full-space spin chain")
        self.coupling = check_coupling(coupling, "coupling")
        self.anisotropy = check_real(anisotropy, "anisotropy")
        self.field = check_real(field, "field")
        self.drive = check_coupling(drive, "drive")
        self.exponent = check_coupling(exponent, "exponent")
        self.periodic = bool(periodic)
        self.keep_field = bool(keep_field)
        self.couplings_kind = couplings if isinstance(couplings, str) else "matrix"
        self.g = chain_couplings(self.n_spins, self.coupling, couplings, self.exponent, self.periodic)

    # ---- Hamiltonian pieces ---------------------------------------------------------
    def field_term(self) -> sp.csr_matrix:
        """``B Σ_i σ_i^z``."""
        n = self.n_spins
        return sum((self.field * site_operator(SIGMA_Z, i, n) for i in range(n)),
                   sp.csr_matrix((2**n, 2**n), dtype=complex)).tocsr()

    def interaction_term(self) -> sp.csr_matrix:
        """``−Σ_{i<j} g_ij [σ^zσ^z + α(σ^xσ^x + σ^yσ^y)]``."""
        n = self.n_spins
        h = sp.csr_matrix((2**n, 2**n), dtype=complex)
        for i in range(n):
            for j in range(i + 1, n):
                gij = self.g[i, j]
                if gij == 0:
                    continue
                term = two_site_operator(SIGMA_Z, i, SIGMA_Z, j, n)
                if self.anisotropy != 0:
                    term = term + self.anisotropy * (two_site_operator(SIGMA_X, i, SIGMA_X, j, n)
                                                     + two_site_operator(SIGMA_Y, i, SIGMA_Y, j, n))
                h = h - gij * term
        return h.tocsr()

    def drive_term(self) -> sp.csr_matrix:
        """``H_B^(1) = ω Σ_i σ_i^x``."""
        n = self.n_spins
        return sum((self.drive * site_operator(SIGMA_X, i, n) for i in range(n)),
                   sp.csr_matrix((2**n, 2**n), dtype=complex)).tocsr()

    def _bare_battery(self) -> sp.csr_matrix:
        return self._cached("bare", lambda: (self.field_term() + self.interaction_term()).tocsr())

    def _ground(self) -> tuple[float, np.ndarray]:
        return self._cached("ground", lambda: ground_state(self._bare_battery()))

    @property
    def ground_energy(self) -> float:
        """Ground energy of H_B^(0) before the shift (the shift applied to every energy)."""
        return self._ground()[0]

    def _battery_matrix(self) -> sp.csr_matrix:
        e0 = self._ground()[0]
        return (self._bare_battery() - e0 * sp.identity(self.dimension, dtype=complex, format="csr")).tocsr()

    def _charging_matrix(self) -> sp.csr_matrix:
        h = self._battery_matrix() + self.drive_term()
        if not self.keep_field:
            h = h - self.field_term()
        return h.tocsr()

    def _initial_vector(self) -> np.ndarray:
        return self._ground()[1]

    @property
    def conventions(self) -> dict[str, Any]:
        return {"n_spins": self.n_spins, "coupling": self.coupling, "anisotropy": self.anisotropy,
                "field": self.field, "drive": self.drive, "couplings": self.couplings_kind,
                "exponent": self.exponent if self.couplings_kind == "power_law" else None,
                "periodic": self.periodic, "keep_field": self.keep_field,
                "charging": "H_B^(0) + ω Σσ^x" + ("" if self.keep_field else " − BΣσ^z"),
                "energy_zero": "ground state of H_B^(0)"}
