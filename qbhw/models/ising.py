"""Transverse-field Ising battery: an open chain charged by a quench (Hoang, Metz et al., arXiv:2308.03334).

The many-body battery whose stored work and ergotropy were measured on ibm_perth by Hoang, Metz,
Thomasen, Anh-Tai, Busch and Fogarty ("Variational quantum algorithm for ergotropy estimation in
quantum many-body batteries", arXiv:2308.03334); the review discusses spin-chain batteries of this
kind in Sec. III.C. An open chain of ``n`` qubits (qiskit Paulis, little-endian: qubit 0 is the least
significant bit) starts in ``|0…0⟩`` and evolves under the charging Hamiltonian

    H = J Σ_{i=0}^{n−2} X_i X_{i+1} + h Σ_{i=0}^{n−1} Z_i        (field_in_charging=True)
    H = J Σ_{i=0}^{n−2} X_i X_{i+1}                               (field_in_charging=False)

The battery is the first ``M = m_cells`` qubits with ``H_B = h Σ_{i<M} Z_i``, measured from its
ground energy ``−M|h|``; the other ``n − M`` qubits act as the charger. ħ = 1; ``J`` and ``h`` are in
one (arbitrary) energy unit, times in its inverse. In the language of :class:`BatteryModel`:

    battery_hamiltonian()  = h Σ_{i<M} Z_i + M|h|          (ground energy 0)
    charger_hamiltonian()  = h Σ_{i≥M} Z_i
    interaction()          = J Σ_i X_i X_{i+1}               (field_in_charging=True)
                           = J Σ_i X_i X_{i+1} − h Σ_i Z_i   (field_in_charging=False: the field is off)

so that ``charging_hamiltonian() = H + M|h|`` (the constant is a global phase). The stored energy is
``E(t) = ⟨H_B⟩(t)`` and the work ``W(t) = E(t) − E(0) = h⟨Σ_{i<M} Z_i⟩(t) − M h`` (review Eq. 3);
``E(0) = 0`` for ``h < 0``, where ``|0…0⟩`` is the battery's ground state. The ergotropy (review
Eq. 4) is that of the battery's reduced ``M``-qubit state with respect to ``H_B``.

W is even in J: the unitary ``Π_{i odd} Z_i`` flips the sign of every ``X_i X_{i+1}``, commutes with
the field and ``H_B`` and leaves ``|0…0⟩`` invariant, so only ``|J|`` can be measured. Two qubits
without the field (the data set's ``xx_N2_M1`` case): ``e^{−iJtXX}|00⟩ = cos(Jt)|00⟩ − i sin(Jt)|11⟩``
and ``W = h(cos 2Jt − 1) = 2|h| sin²(Jt)`` for ``h < 0``.

The model lives on the full ``2^n`` space (it is its own ``full_space()``); its matrices are sparse and
built up to :data:`MAX_CHAIN_QUBITS` qubits. The time evolution is in :mod:`qbhw.solvers.ising`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, InvalidArgumentError
from ..metrics._inputs import check_positive_int
from ._qubit_ops import check_max_size, check_real
from .base import BatteryModel, FullSpaceModel, check_space

__all__ = ["TransverseIsingBattery", "MAX_CHAIN_QUBITS", "check_chain", "ising_bond_operator", "z_diagonal",
           "reduced_low_qubits"]

#: largest chain whose (sparse) 2^n matrices the model builds
MAX_CHAIN_QUBITS = 16


def check_chain(n_qubits, m_cells) -> tuple[int, int]:
    """Validated ``(n, M)``: ``2 ≤ n ≤ MAX_CHAIN_QUBITS`` and ``1 ≤ M ≤ n``."""
    n = check_positive_int(n_qubits, "n_qubits", minimum=2)
    check_max_size(n, MAX_CHAIN_QUBITS, "n_qubits", "the transverse-field Ising battery (2^n matrices)")
    m = check_positive_int(m_cells, "m_cells")
    if m > n:
        raise InvalidArgumentError(f"m_cells = {m} > n_qubits = {n}", argument="m_cells",
                                   allowed=f"1 <= m_cells <= {n}")
    return n, m


@lru_cache(maxsize=32)
def ising_bond_operator(n_qubits: int) -> sp.csr_matrix:
    """``Σ_{i=0}^{n−2} X_i X_{i+1}`` (open chain, little-endian) as a real sparse matrix."""
    n = int(n_qubits)
    d = 2**n
    idx = np.arange(d)
    rows = np.concatenate([idx ^ ((1 << i) | (1 << (i + 1))) for i in range(n - 1)])
    cols = np.tile(idx, n - 1)
    return sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(d, d))


@lru_cache(maxsize=64)
def z_diagonal(n_qubits: int, n_first: int) -> np.ndarray:
    """Diagonal of ``Σ_{i<n_first} Z_i`` on ``n_qubits`` qubits (``Z|0⟩ = +|0⟩``, little-endian)."""
    idx = np.arange(2 ** int(n_qubits))
    bits = (idx[:, None] >> np.arange(int(n_first))[None, :]) & 1
    out = (1.0 - 2.0 * bits).sum(axis=1)
    out.setflags(write=False)
    return out


def reduced_low_qubits(states: np.ndarray, n_qubits: int, n_low: int) -> np.ndarray:
    """Reduced density matrices of the ``n_low`` least significant qubits of state vectors.

    ``states``: one vector ``(2^n,)`` or a stack ``(k, 2^n)``. With the index split
    ``c · 2^{n_low} + a`` (qubits ``0 … n_low − 1`` are the low bits), ``ρ[a, b] = Σ_c ψ[c, a] ψ*[c, b]``.
    """
    lo = 2 ** int(n_low)
    hi = 2 ** (int(n_qubits) - int(n_low))
    a = np.asarray(states).reshape(*np.shape(states)[:-1], hi, lo)
    return np.einsum("...ca,...cb->...ab", a, a.conj())


class TransverseIsingBattery(BatteryModel):
    """Open transverse-field Ising chain charged by a quench (see module docstring).

    Parameters
    ----------
    n_qubits:
        Chain length ``n`` (2 … :data:`MAX_CHAIN_QUBITS`).
    m_cells:
        Battery cells ``M``: the qubits ``0 … M−1`` (1 ≤ M ≤ n).
    coupling:
        ``J`` of ``J Σ X_i X_{i+1}`` (any sign; energy units).
    field:
        ``h`` of ``h Σ Z_i`` and of the battery Hamiltonian ``H_B = h Σ_{i<M} Z_i`` (energy units).
    field_in_charging:
        Keep ``h Σ Z_i`` in the charging Hamiltonian (default ``True``); ``False`` charges with
        ``J Σ X_i X_{i+1}`` alone (the 2-qubit ``RXX`` experiment).
    """

    name = "transverse-field Ising battery"
    protocol = "charger"

    def __init__(self, n_qubits: int, m_cells: int, coupling: float, field: float, *,
                 field_in_charging: bool = True):
        self.n_qubits, self.m_cells = check_chain(n_qubits, m_cells)
        self.coupling = check_real(coupling, "coupling")
        self.field = check_real(field, "field")
        if not isinstance(field_in_charging, (bool, np.bool_)):
            raise InvalidArgumentError(f"got {field_in_charging!r}", argument="field_in_charging",
                                       allowed="True | False")
        self.field_in_charging = bool(field_in_charging)

    # ---- pieces -----------------------------------------------------------------------
    @property
    def battery_offset(self) -> float:
        """``M|h|``: minus the ground energy of ``h Σ_{i<M} Z_i``."""
        return self.m_cells * abs(self.field)

    @property
    def initial_energy(self) -> float:
        """``E(0) = ⟨0…0|H_B|0…0⟩ = M(h + |h|)`` (0 for ``h ≤ 0``)."""
        return self.m_cells * self.field + self.battery_offset

    def battery_diagonal(self) -> np.ndarray:
        """Diagonal of ``H_B = h Σ_{i<M} Z_i + M|h|`` on the full space."""
        return self.field * z_diagonal(self.n_qubits, self.m_cells) + self.battery_offset

    def charging_field_diagonal(self) -> np.ndarray:
        """Diagonal of the field part of ``H`` (``h Σ_i Z_i``, or zeros with the field off)."""
        if not self.field_in_charging:
            return np.zeros(self.dimension)
        return self.field * z_diagonal(self.n_qubits, self.n_qubits)

    def battery_hamiltonian(self) -> sp.csr_matrix:
        """``h Σ_{i<M} Z_i + M|h|`` (ground energy 0)."""
        return sp.diags(self.battery_diagonal().astype(complex), format="csr")

    def charger_hamiltonian(self) -> sp.csr_matrix:
        """``h Σ_{i≥M} Z_i`` (zero when every qubit is a battery cell)."""
        diag = self.field * (z_diagonal(self.n_qubits, self.n_qubits) - z_diagonal(self.n_qubits, self.m_cells))
        return sp.diags(diag.astype(complex), format="csr")

    def interaction(self) -> sp.csr_matrix:
        """``J Σ X_i X_{i+1}``, minus ``h Σ_i Z_i`` when the field is off during charging."""
        h1 = self.coupling * ising_bond_operator(self.n_qubits).astype(complex)
        if not self.field_in_charging:
            h1 = h1 - sp.diags(self.field * z_diagonal(self.n_qubits, self.n_qubits).astype(complex))
        return sp.csr_matrix(h1)

    def charging_hamiltonian(self) -> sp.csr_matrix:
        """``H + M|h|`` with ``H = J Σ X_i X_{i+1} (+ h Σ Z_i)``."""
        h = self.coupling * ising_bond_operator(self.n_qubits).astype(complex)
        diag = self.charging_field_diagonal() + self.battery_offset
        return sp.csr_matrix(h + sp.diags(diag.astype(complex)))

    # ---- basis and states -----------------------------------------------------------------
    @property
    def dimension(self) -> int:
        return 2**self.n_qubits

    def basis(self) -> list[str]:
        """Bitstrings in qiskit order (leftmost character = qubit n−1)."""
        return [format(k, f"0{self.n_qubits}b") for k in range(self.dimension)]

    def initial_state(self) -> np.ndarray:
        """``|0…0⟩``."""
        psi = np.zeros(self.dimension, dtype=complex)
        psi[0] = 1.0
        return psi

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        """Reduced ``2^M × 2^M`` state of qubits ``0 … M−1`` (vector or full density matrix)."""
        psi = np.asarray(psi)
        if psi.ndim == 1:
            return reduced_low_qubits(psi, self.n_qubits, self.m_cells)
        lo, hi = 2**self.m_cells, 2 ** (self.n_qubits - self.m_cells)
        return np.einsum("cacb->ab", psi.reshape(hi, lo, hi, lo))

    def battery_levels(self) -> np.ndarray:
        """Diagonal of ``H_B`` on the ``M`` battery qubits (``h Σ_{i<M} z_i + M|h|``)."""
        return self.field * z_diagonal(self.m_cells, self.m_cells) + self.battery_offset

    def battery_spectrum(self, space: str = "full") -> np.ndarray:
        """``H_B`` on the battery's ``M`` qubits (diagonal matrix), for the ergotropy of ``battery_state``.

        ``space="symmetric"`` only makes sense for one cell (the reduced state of ``M ≥ 2`` cells of the
        chain is not confined to the symmetric subspace).
        """
        check_space(space)
        if space == "symmetric" and self.m_cells > 1:
            raise ConfigError("the reduced state of several Ising cells is not symmetric", argument="space",
                              allowed="'full' (or 'symmetric' with m_cells = 1)")
        return np.diag(self.battery_levels()).astype(complex)

    # ---- validation ---------------------------------------------------------------------
    def full_space(self) -> FullSpaceModel:
        """The same matrices (the model already lives on the full ``2^n`` space)."""
        return FullSpaceModel(h_battery=self.battery_hamiltonian(), h_charger=self.charger_hamiltonian(),
                              h_interaction=self.interaction(), psi0=self.initial_state(), dims=[2] * self.n_qubits,
                              battery_sites=list(range(self.m_cells)), h_battery_local=self.battery_spectrum(),
                              name=f"{self.name} (full space)", protocol=self.protocol, info=dict(self.conventions))

    @property
    def conventions(self) -> dict[str, Any]:
        return {"n_qubits": self.n_qubits, "m_cells": self.m_cells, "coupling": self.coupling, "field": self.field,
                "field_in_charging": self.field_in_charging,
                "charging": "J Σ X_i X_{i+1}" + (" + h Σ Z_i" if self.field_in_charging else ""),
                "battery": "H_B = h Σ_{i<M} Z_i + M|h| (qubits 0…M−1, little-endian)",
                "initial": "|0…0>", "source": "Hoang, Metz et al., arXiv:2308.03334 (ibm_perth)"}
