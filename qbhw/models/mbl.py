"""Disordered Ising (MBL) battery of Rosa, Rossini, Andolina, Polini, Carrega (JHEP 11, 067, 2020; review Sec. IV.C).

Battery: N spins with ``H_0 = h Σ_j σ_j^z`` (review Eq. 8 with H_j = hσ_j^z), shifted to ground
energy 0: ``H_B^(0) = h Σ_j (σ_j^z + 1)`` (splitting 2h per spin; the review's figure of merit
R(τ) = W(τ)/(Nh) then runs from 0 to 2). Initial state: the ground state, all spins |g⟩.

Charging Hamiltonian (review Eq. 47):

    H_MBL = Σ_j (J_j σ_j^x σ_{j+1}^x + J_2 σ_j^x σ_{j+2}^x)

with open boundaries (bonds that would leave the chain are dropped; ``periodic=True`` wraps
them). The review does not give the distributions (seed-spec [P]); our documented defaults
follow the ranges of Kjäll, Bardarson & Pollmann (PRL 113, 107204, 2014), the phase diagram
the review cites for this model:

* ``disorder="uniform"`` (default): J_j uniform in [J − δJ, J + δJ] (``j_mean`` = J = 1,
  ``j_spread`` = δJ = 0.2);
* ``disorder="gaussian"``: J_j normal with mean J and standard deviation δJ;
* J_2 = 0.3 (``j2``), h = 1.

Which terms act during charging (option ``keep_battery``): the review says that *together
with* H_0 the chain has its ETH/AL/MBL phases, so by default the battery term stays on and the
generator is ``H_0 + H_MBL`` (``keep_battery=True``); ``keep_battery=False`` gives the literal
Eq. 25 quench to ``H_MBL`` alone. Realisations are seeded (``seed``).

Qiskit form: σ^x = X, σ^z = −Z, little-endian sites; σ^xσ^x terms conserve the parity
Π_j σ_j^z (the solve uses the full 2^N space).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError
from ._direct_charging import DirectQubitBattery
from ._qubit_ops import SIGMA_X, check_coupling, check_max_size, check_real, check_size, excitation_counts
from ._qubit_ops import two_site_operator

__all__ = ["MBLBattery", "MBL_DISORDER"]

MBL_DISORDER = ("uniform", "gaussian")
MAX_MBL_SPINS = 16


class MBLBattery(DirectQubitBattery):
    """Disordered Ising chain of review Eq. 47 charging a ``hΣσ^z`` battery (see module docstring).

    Parameters
    ----------
    n_spins:
        N (1 ≤ N ≤ 16).
    h:
        Battery field h > 0.
    j_mean, j_spread:
        Centre J (any real) and width δJ ≥ 0 of the nearest-neighbour couplings J_j.
    j2:
        Next-nearest-neighbour coupling J_2 (any real).
    disorder:
        ``"uniform"`` or ``"gaussian"``.
    seed:
        Seed of the realisation.
    keep_battery:
        Keep H_0 on during charging (default True).
    periodic:
        Periodic boundary conditions (default False).
    """

    name = "MBL battery (Rosa 2020)"

    def __init__(self, n_spins: int, h: float = 1.0, *, j_mean: float = 1.0, j_spread: float = 0.2,
                 j2: float = 0.3, disorder: str = "uniform", seed=0, keep_battery: bool = True,
                 periodic: bool = False):
        self.n_sites = self.n_spins = check_size(n_spins, "n_spins")
        check_max_size(self.n_spins, MAX_MBL_SPINS, "n_spins", "the exact MBL battery")
        self.h = check_coupling(h, "h", strict=True)
        self.j_mean = check_real(j_mean, "j_mean")
        self.j_spread = check_coupling(j_spread, "j_spread")
        self.j2 = check_real(j2, "j2")
        if disorder not in MBL_DISORDER:
            raise ConfigError(f"unknown disorder distribution {disorder!r}", argument="disorder",
                              allowed=" | ".join(repr(d) for d in MBL_DISORDER))
        self.disorder = disorder
        self.seed = seed
        self.keep_battery = bool(keep_battery)
        self.periodic = bool(periodic)
        rng = np.random.default_rng(seed)
        n_bonds = self.n_spins if periodic else max(self.n_spins - 1, 0)
        if disorder == "uniform":
            self.j_couplings = rng.uniform(self.j_mean - self.j_spread, self.j_mean + self.j_spread, size=n_bonds)
        else:
            self.j_couplings = rng.normal(self.j_mean, self.j_spread, size=n_bonds)

    def _bonds(self, distance: int) -> list[tuple[int, int]]:
        n = self.n_spins
        if self.periodic:
            return [(j, (j + distance) % n) for j in range(n)] if n > distance else []
        return [(j, j + distance) for j in range(n - distance)]

    def ising_hamiltonian(self) -> sp.csr_matrix:
        """``H_MBL = Σ_j (J_j σ^x_j σ^x_{j+1} + J_2 σ^x_j σ^x_{j+2})`` (review Eq. 47)."""
        n = self.n_spins
        h = sp.csr_matrix((2**n, 2**n), dtype=complex)
        for (a, b), jj in zip(self._bonds(1), self.j_couplings):
            if a != b:
                h = h + jj * two_site_operator(SIGMA_X, a, SIGMA_X, b, n)
        if self.j2 != 0:
            for a, b in self._bonds(2):
                if a != b:
                    h = h + self.j2 * two_site_operator(SIGMA_X, a, SIGMA_X, b, n)
        return h.tocsr()

    def _battery_diagonal(self) -> np.ndarray:
        return 2.0 * self.h * excitation_counts(self.n_spins).astype(float)

    def _charging_matrix(self) -> sp.csr_matrix:
        h = self.ising_hamiltonian()
        return (h + self.battery_hamiltonian()).tocsr() if self.keep_battery else h

    @property
    def conventions(self) -> dict[str, Any]:
        return {"n_spins": self.n_spins, "h": self.h, "j_mean": self.j_mean, "j_spread": self.j_spread,
                "j2": self.j2, "disorder": self.disorder, "seed": self.seed, "keep_battery": self.keep_battery,
                "periodic": self.periodic, "battery": "h Σ(σ^z + 1) (splitting 2h)",
                "charging": "H_0 + H_MBL" if self.keep_battery else "H_MBL (Eq. 25 quench)"}
