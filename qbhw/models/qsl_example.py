"""Generic N-cell battery with QSL-optimal local or global charging (review Eqs. 13–18; seed-spec §2.1, RR-05).

Binder et al. (NJP 17, 075015, 2015) and Campaioli et al. (PRL 118, 150601, 2017). N qubit cells,
``H_0 = (ω_0/2) Σ_i (σ_i^z + 1)`` (ground energy 0), task |G⟩ = |g…g⟩ → |E⟩ = |e…e⟩.

Charging Hamiltonians (errata E1: the Hermitian forms):

* local / parallel (Eq. 16): ``H_∥ = Σ_i V_i``, ``V_i = −h_0 + α|e⟩⟨g| + α*|g⟩⟨e|`` on cell i;
* global / collective (Eq. 17): ``H_♯ = −H_0 + α_N|E⟩⟨G| + α_N*|G⟩⟨E|``.

The −H_0 cancels the bare Hamiltonian, so the total generator during charging is the swap term
alone. The comparison is at equal operator norm of that total generator (Eq. 18, errata E2):
``N|α| = |α_N| = E_max``. Then the local protocol reaches |E⟩ first at ``τ_∥ = Nπ/(2E_max)``,
the global one at ``τ_♯ = π/(2E_max)``, and Γ = ⟨P_♯⟩/⟨P_∥⟩ = N.

With ``qbhw.metrics.quantum_advantage(collective, single_cell, n_cells, tau=...)`` the single-cell
reference is one cell of the *parallel* battery under the shared budget, i.e.
``QSLBattery(1, e_max/N)`` (:meth:`QSLBattery.single_cell_reference`): its N copies are the
local protocol, so Γ = ⟨P_♯⟩/(N⟨P_1⟩) = ⟨P_♯⟩/⟨P_∥⟩.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError
from ._direct_charging import DirectQubitBattery
from ._qubit_ops import SIGMA_MINUS, SIGMA_PLUS, check_coupling, check_max_size, check_real, check_size
from ._qubit_ops import excitation_counts, site_operator

__all__ = ["QSLBattery", "QSL_MODES"]

QSL_MODES = ("local", "global")
MAX_QSL_CELLS = 14


class QSLBattery(DirectQubitBattery):
    """N qubit cells charged by the QSL-optimal local or global Hamiltonian (see module docstring).

    Parameters
    ----------
    n_cells:
        N ≥ 1.
    e_max:
        Operator-norm budget E_max > 0 of the total charging generator.
    mode:
        ``"local"`` (Eq. 16) or ``"global"`` (Eq. 17).
    omega_0:
        Cell splitting ω_0 > 0.
    phase:
        Phase φ of α = |α|e^{iφ} (does not change any energy).
    """

    name = "QSL-optimal N-cell battery"

    def __init__(self, n_cells: int, e_max: float = 1.0, mode: str = "global", *, omega_0: float = 1.0,
                 phase: float = 0.0):
        self.n_sites = self.n_cells = check_size(n_cells, "n_cells")
        check_max_size(self.n_cells, MAX_QSL_CELLS, "n_cells", "the full-space QSL example")
        self.e_max = check_coupling(e_max, "e_max", strict=True)
        if mode not in QSL_MODES:
            raise ConfigError(f"unknown charging mode {mode!r}", argument="mode", allowed="'local' | 'global'")
        self.mode = mode
        self.omega_0 = check_coupling(omega_0, "omega_0", strict=True)
        self.phase = check_real(phase, "phase")

    @property
    def alpha(self) -> complex:
        """α (local, |α| = E_max/N) or α_N (global, |α_N| = E_max)."""
        mag = self.e_max / self.n_cells if self.mode == "local" else self.e_max
        return mag * np.exp(1j * self.phase)

    @property
    def qsl_time(self) -> float:
        """First time the protocol reaches |E⟩: Nπ/(2E_max) (local) or π/(2E_max) (global)."""
        return np.pi / (2.0 * abs(self.alpha))

    def single_cell_reference(self) -> "QSLBattery":
        """One cell of the parallel battery under the same budget: ``QSLBattery(1, e_max/N)``."""
        return QSLBattery(1, self.e_max / self.n_cells, "local", omega_0=self.omega_0, phase=self.phase)

    def _battery_diagonal(self) -> np.ndarray:
        return self.omega_0 * excitation_counts(self.n_cells).astype(float)

    def _charging_matrix(self) -> sp.csr_matrix:
        """Total generator during charging, ``H_0 + H_∥`` or ``H_0 + H_♯`` (the swap term)."""
        n, a = self.n_cells, self.alpha
        dim = 2**n
        if self.mode == "local":
            h = sp.csr_matrix((dim, dim), dtype=complex)
            for i in range(n):
                h = h + a * site_operator(SIGMA_PLUS, i, n) + np.conj(a) * site_operator(SIGMA_MINUS, i, n)
            return h.tocsr()
        full, empty = dim - 1, 0
        return sp.csr_matrix(([a, np.conj(a)], ([full, empty], [empty, full])), shape=(dim, dim), dtype=complex)

    @property
    def conventions(self) -> dict[str, Any]:
        return {"n_cells": self.n_cells, "e_max": self.e_max, "mode": self.mode, "omega_0": self.omega_0,
                "phase": self.phase, "norm_budget": "||H_0 + H_1||_op = E_max (total generator)"}
