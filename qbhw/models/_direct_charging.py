"""Direct charging (review Eq. 25) of an N-qubit battery that starts in a pure state: the model side.

The whole system is the battery: ``H(t) = H_B^(0) + λ(t)[H_B^(1) − H_B^(0)]`` with λ = 1 on
``[0, τ]``, so during charging the state evolves under the charging generator ``H_ch``
(``H_B^(1)``, or ``H_B^(0) + H_B^(1)`` for models that keep the battery terms on — each model
says which). Shared pieces of the spin-chain, MBL, SYK and QSL models:

* :func:`ground_state` — the unique ground state of ``H_B^(0)`` (the review's Sec. III.A
  initial state), with a specific error when it is degenerate;
* :class:`DirectQubitBattery` — the ``BatteryModel`` plumbing (cached ``H_B^(0)``, ``H_ch``,
  initial vector, full-space form).

The exact charging curve (energy, analytic power, ergotropy = energy for a pure state of the
whole battery) is computed by :mod:`qbhw.solvers.direct`, which ``qbhw.charge`` runs for
these models.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import InvalidHamiltonianError
from ..metrics import Spectrum
from .base import BatteryModel, FullSpaceModel, check_space

__all__ = ["ground_state", "DirectQubitBattery"]


def ground_state(h, *, degeneracy_tol: float = 1e-9) -> tuple[float, np.ndarray]:
    """Lowest eigenvalue and eigenvector of a Hermitian (sparse) matrix; raises if degenerate.

    The global phase is fixed so that the largest-magnitude amplitude is real and positive.
    """
    dim = h.shape[0]
    if dim <= 512:
        dense = h.toarray() if sp.issparse(h) else np.asarray(h)
        evals, evecs = np.linalg.eigh(dense)
        e = evals[:2]
        v = evecs[:, 0]
    else:
        # fixed Lanczos start vector: reproducible to the last bit from run to run
        v0 = np.random.default_rng(0).normal(size=dim)
        e, vecs = spla.eigsh(sp.csr_matrix(h), k=2, which="SA", tol=1e-12, v0=v0)
        order = np.argsort(e)
        e = e[order]
        v = vecs[:, order[0]]
    scale = max(1.0, float(np.max(np.abs(e))))
    if e.size > 1 and e[1] - e[0] < degeneracy_tol * scale:
        raise InvalidHamiltonianError(
            f"the battery Hamiltonian has a degenerate ground state (gap {e[1] - e[0]:.3g}), so the initial "
            "state (its ground state) is not defined", argument="parameters",
            allowed="parameters with a unique ground state (e.g. a non-zero field)")
    k = int(np.argmax(np.abs(v)))
    v = v * (abs(v[k]) / v[k])
    return float(e[0]), v / np.linalg.norm(v)


class DirectQubitBattery(BatteryModel):
    """Base of the direct-charging N-qubit models (the whole system is the battery).

    Subclasses set ``n_sites`` and implement ``_charging_matrix()`` (the generator during
    charging, sparse) and either ``_battery_diagonal()`` (a ``H_B^(0)`` diagonal in the
    computational basis, ground energy 0) or ``_battery_matrix()`` (``H_B^(0)`` with ground
    energy 0, sparse). The initial state is |g…g⟩ unless ``_initial_vector()`` says otherwise.
    """

    protocol = "direct"
    n_sites: int

    # ---- to implement ---------------------------------------------------------------
    def _charging_matrix(self) -> sp.csr_matrix:  # pragma: no cover - abstract
        raise NotImplementedError

    def _battery_diagonal(self) -> np.ndarray | None:
        """Diagonal of ``H_B^(0)`` when it is diagonal in the computational basis (else None)."""
        return None

    def _battery_matrix(self) -> sp.csr_matrix:
        """``H_B^(0)`` (ground energy 0); by default the diagonal matrix of ``_battery_diagonal()``."""
        diag = self._battery_diagonal()
        if diag is None:  # pragma: no cover - abstract
            raise NotImplementedError
        return sp.diags(diag.astype(complex), format="csr")

    def _initial_vector(self) -> np.ndarray:
        """Every qubit in |g⟩ = |0⟩ (basis state 0), the ground state of the diagonal batteries."""
        psi = np.zeros(self.dimension, dtype=complex)
        psi[0] = 1.0
        return psi

    # ---- cached pieces ----------------------------------------------------------------
    def _cached(self, key: str, build):
        cache = self.__dict__.setdefault("_matrix_cache", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def battery_hamiltonian(self) -> sp.csr_matrix:
        return self._cached("battery", self._battery_matrix)

    def charging_hamiltonian(self) -> sp.csr_matrix:
        return self._cached("charging", self._charging_matrix)

    def interaction(self) -> sp.csr_matrix:
        """``H_ch − H_B^(0)``: the generator change at the quench (review Eq. 25)."""
        return (self.charging_hamiltonian() - self.battery_hamiltonian()).tocsr()

    @property
    def dimension(self) -> int:
        return 2 ** self.n_sites

    def basis(self) -> list[str]:
        """Bitstrings in qiskit order (leftmost character = highest site; '1' = |e⟩)."""
        return [format(k, f"0{self.n_sites}b") for k in range(self.dimension)]

    def initial_state(self) -> np.ndarray:
        return self._cached("psi0", self._initial_vector).copy()

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        psi = np.asarray(psi)
        return np.outer(psi, psi.conj()) if psi.ndim == 1 else psi

    def battery_spectrum(self, space: str = "full"):
        """``H_B^(0)`` for ergotropy (the whole 2^N space; ``space`` has no other meaning here)."""
        check_space(space)
        diag = self._battery_diagonal()
        if diag is not None:
            return Spectrum(np.asarray(diag, dtype=float))
        return self.battery_hamiltonian().toarray()

    def full_space(self) -> FullSpaceModel:
        """The same model as explicit matrices (it already lives on the full 2^N space)."""
        hb = self.battery_hamiltonian()
        return FullSpaceModel(h_battery=hb, h_charger=sp.csr_matrix(hb.shape, dtype=complex),
                              h_interaction=self.interaction(), psi0=self.initial_state(),
                              dims=[2] * self.n_sites, battery_sites=list(range(self.n_sites)),
                              h_battery_local=hb.toarray(), name=f"{self.name} (full space)",
                              protocol="direct", info=dict(self.conventions))

    @property
    def conventions(self) -> dict[str, Any]:
        return {}
