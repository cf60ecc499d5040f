"""Exact charging of the transverse-field Ising battery (Hoang, Metz et al., arXiv:2308.03334).

:func:`charge_ising` is what ``qbhw.charge(model, times)`` runs for a
:class:`~qbhw.models.ising.TransverseIsingBattery` (model, units and conventions in
:mod:`qbhw.models.ising`). The state ``ψ(t) = e^{−iHt}|0…0⟩`` is propagated by
:func:`qbhw.solvers.closed.propagate_blocks` (dense diagonalisation up to 2^10 states, scipy's
``expm_multiply`` above) and, a block of times at a time,

* ``E(t) = ⟨ψ|H_B|ψ⟩`` (ground energy 0) and ``W(t) = E(t) − E(0)`` with the exact
  ``E(0) = M(h + |h|)`` (review Eq. 3);
* the analytic power ``P(t) = 2 Im⟨H_B ψ|H ψ⟩`` (review Eq. 10);
* the ergotropy (review Eq. 4) of the reduced ``M``-qubit state ``ρ_B(t)`` with respect to
  ``H_B``: ``𝓔 = E − Σ_k r_k^↓ ε_k^↑`` (eigenvalues of ρ_B in decreasing order against the levels
  of ``H_B`` in increasing order, review Eq. 6), batched over the block.

:func:`ising_work_grid` evaluates ``W(t)`` for a whole grid of couplings at once (one stacked
``eigh`` of the ``2^n × 2^n`` Hamiltonians, ``n ≤`` :data:`DENSE_ISING_QUBITS`): the fast route of
the |J| scans in :mod:`qbhw.fit`. It uses the same operators as the model
(:func:`~qbhw.models.ising.ising_bond_operator`, :func:`~qbhw.models.ising.z_diagonal`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import InvalidArgumentError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..models.base import check_space
from ..models.ising import TransverseIsingBattery, check_chain, ising_bond_operator, reduced_low_qubits, z_diagonal
from ._options import check_curve_options
from .charge import register_solver
from .closed import propagate_blocks

__all__ = ["charge_ising", "ising_work_grid", "ising_dense_operators", "DENSE_ISING_QUBITS"]

#: largest chain diagonalised densely (stacked ``eigh`` of 2^n × 2^n matrices)
DENSE_ISING_QUBITS = 10
#: times per block of states
_CHUNK = 128


@lru_cache(maxsize=32)
def _dense_operators(n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xx = ising_bond_operator(n).toarray()
    xx.setflags(write=False)
    return xx, z_diagonal(n, n), z_diagonal(n, m)


def ising_dense_operators(n_qubits: int, m_cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense ``Σ X_iX_{i+1}``, and the diagonals of ``Σ_i Z_i`` and ``Σ_{i<M} Z_i`` (read-only, cached)."""
    n, m = check_chain(n_qubits, m_cells)
    if n > DENSE_ISING_QUBITS:
        raise InvalidArgumentError(f"got {n}", argument="n_qubits", allowed=f"2..{DENSE_ISING_QUBITS} (dense)")
    return _dense_operators(n, m)


def _check_grid_times(times) -> np.ndarray:
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or not np.all(np.isfinite(t)):
        raise InvalidArgumentError("times must be a 1-D array of finite numbers", argument="times",
                                   allowed="a 1-D array of finite times")
    return t


def ising_work_grid(times, couplings, field: float, n_qubits: int, m_cells: int, *,
                    field_in_charging: bool = True) -> np.ndarray:
    """``W(t) = h⟨Σ_{i<M} Z_i⟩(t) − M h`` for every ``J`` in ``couplings``: shape ``(G, T)``
    (``G = len(couplings)``, ``T = len(times)``).

    The same curve as ``qbhw.charge(TransverseIsingBattery(n, M, J, h), t).work`` (times in any order,
    not necessarily increasing), for all couplings with one stacked diagonalisation.
    """
    t = _check_grid_times(times)
    js = np.atleast_1d(np.asarray(couplings, dtype=float))
    xx, zsum, zb = ising_dense_operators(n_qubits, m_cells)
    h = float(field)
    diag = h * zsum if field_in_charging else np.zeros_like(zsum)
    hams = js[:, None, None] * xx[None] + np.diag(diag)[None]
    w, v = np.linalg.eigh(hams)  # (G, d), (G, d, d)
    c0 = v[:, 0, :]  # overlaps <k|0…0> (ψ0 = basis state 0)
    phases = np.exp(-1j * w[:, None, :] * t[None, :, None])  # (G, T, d)
    psi = np.einsum("gik,gtk,gk->gti", v, phases, c0.conj())  # ψ_i(t) = Σ_k V_ik e^{−i w_k t} <k|0>
    e_b = h * np.einsum("gti,i->gt", np.abs(psi) ** 2, zb)
    return e_b - int(m_cells) * h


def _batched_ergotropy(rho: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """``Tr[H ρ] − Σ_k r_k^↓ ε_k^↑`` for a stack of density matrices and ``H = diag(levels)``."""
    energy = np.real(np.einsum("kaa->ka", rho)) @ levels
    r = np.linalg.eigvalsh(rho)[:, ::-1]  # decreasing
    return np.maximum(0.0, energy - r @ np.sort(levels))


def charge_ising(model: TransverseIsingBattery, times, *, ergotropy: bool = True, space: str = "full",
                 method: str = "auto", **options) -> ChargingCurve:
    """Exact charging curve of a transverse-field Ising battery (see module docstring)."""
    check_space(space)
    model.battery_spectrum(space)  # refuses space="symmetric" for several cells
    check_curve_options(options)
    t = check_times(times, allow_single=False)
    hb = model.battery_diagonal()
    h = model.charging_hamiltonian()
    levels = model.battery_levels()
    energy = np.empty(t.size)
    power = np.empty(t.size)
    erg = np.empty(t.size) if ergotropy else None
    for start, block in propagate_blocks(h, model.initial_state(), t, method=method, chunk=_CHUNK,
                                         dense_limit=2**DENSE_ISING_QUBITS):
        k = slice(start, start + block.shape[0])
        hb_psi = block * hb[None, :]
        h_psi = (h @ block.T).T
        energy[k] = np.real(np.sum(block.conj() * hb_psi, axis=1))
        power[k] = 2.0 * np.imag(np.sum(hb_psi.conj() * h_psi, axis=1))
        if ergotropy:
            rho_b = reduced_low_qubits(block, model.n_qubits, model.m_cells)
            erg[k] = _batched_ergotropy(rho_b, levels)
    meta = {**model.metadata, "space": space, "method": method}
    return make_charging_curve(t, energy, work=energy - model.initial_energy, ergotropy=erg, power=power,
                               metadata=meta)


register_solver(TransverseIsingBattery, charge_ising)
