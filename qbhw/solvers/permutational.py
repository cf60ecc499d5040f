"""Permutation-invariant Lindblad dynamics of N identical two-level cells (and one cavity mode).

N identical cells with *local* processes — emission ``σ_i^−``, dephasing ``σ_i^z``, pumping ``σ_i^+`` on each
cell at the same rate — and *collective* ones (``J_−``, ``J_z``, ``J_+``) keep a permutation-invariant state
permutation invariant. Such a state is block diagonal in the total angular momentum j (Dicke basis
``|j, m⟩``, each j occurring ``d_j`` times in the 2^N space) and identical in every copy of a block:

    ρ = ⊕_j ρ_j ⊗ 1_{d_j} / d_j,        d_j = N! (2j + 1) / ((N/2 − j)! (N/2 + j + 1)!)

(Chase & Geremia, Phys. Rev. A 78, 052101, 2008; Baragiola, Chase & Geremia, PRA 81, 032104, 2010;
Shammah, Ahmed, Lambert, De Liberato & Nori, Phys. Rev. A 98, 063815, 2018 — the ``qutip.piqs`` paper). The
GKSL equation (review Eq. 51) then closes on the blocks ρ_j: collective processes act inside a block, local
ones couple block j to j ± 1 only. :class:`PermutationalDicke` stores only the blocks (Σ_j (2j+1)² ≈ N³/6
numbers) in a flat vector and builds the generator on them directly as a sparse matrix: nine banded couplings
per element (the coefficients of Shammah et al., App. A), plus the commutator with a Hamiltonian that is
block diagonal in j. ``qutip.piqs`` evolves the (Σ_j (2j+1))² entries of the whole Dicke-basis matrix
instead.

Conventions (those of ``qutip.piqs.Dicke``, so that its users can switch): the local dissipator is
``Σ_i γ/2 𝓛[A_i]`` with ``𝓛[A]ρ = 2AρA† − A†Aρ − ρA†A`` and ``A_i = σ_i^−, σ_i^z/2, σ_i^+`` for emission,
dephasing and pumping; collective ones ``γ/2 𝓛[J_−]``, ``γ/2 𝓛[J_z]``, ``γ/2 𝓛[J_+]``. In the project's T1/Tφ
convention ``emission = 1/T1`` (the excited population of a cell decays as e^{−t/T1}) and ``dephasing = 2/Tφ``
(the 0–1 coherence decays as e^{−t/Tφ}). Basis order: j from N/2 down to 0 (or 1/2), m from j down to −j in
each block (``qutip.piqs.jspin``); with a cavity, the cavity is the first tensor factor
(``qutip.tensor(cavity_op, dicke_op)``, index ``n · nds + i``).

Figures of merit of a permutational state must weight each block by its degeneracy: expectation values of
collective operators are ``Tr[O ρ]`` in the Dicke basis, but the eigenvalues of the full 2^N state are those
of ρ_j divided by d_j, each d_j times. :func:`permutational_ergotropy` does this (review Eqs. 4–6, the passive
state of the full space, with the levels k ω_0 of ``H_B = ω_0 (J_z + N/2)`` of multiplicity C(N, k)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply

from ..errors import DimensionMismatchError, InvalidArgumentError, InvalidHamiltonianError, InvalidStateError
from ..metrics import check_times
from ..metrics._inputs import check_finite_real
from ..metrics.ergotropy import passive_energy_with_multiplicities
from ..models.open import drive_pair
from ..models.open_dicke import PERMUTATIONAL_RATES
from ..models.dicke_basis import (
    check_n_cells,
    dicke_degeneracy,
    dicke_j_values,
    dicke_operators,
    dicke_state,
    num_dicke_states,
)

__all__ = [
    "PermutationalDicke",
    "charge_permutational",
    "PermutationalResult",
    "PermutationalState",
    "NotBlockDiagonalError",
    "dicke_operators",
    "dicke_state",
    "dicke_j_values",
    "dicke_degeneracy",
    "num_dicke_states",
    "permutational_ergotropy",
]

#: largest entry outside the j blocks tolerated in a Hamiltonian, state or observable
BLOCK_TOLERANCE = 1e-12


class NotBlockDiagonalError(InvalidArgumentError):
    """A Dicke-basis matrix couples different j (it cannot describe permutation-invariant dynamics)."""


# ---------------------------------------------------------------------------------------------
# the Dicke basis
@dataclass(frozen=True)
class _Layout:
    """Where each j block lives in the flat vector and in the Dicke-basis matrix (cavity dimension ``nc``)."""

    n_cells: int
    nc: int
    j: np.ndarray            # block j values (descending)
    size: np.ndarray         # 2j + 1
    dim_offset: np.ndarray   # first Dicke-basis index of each block
    flat_offset: np.ndarray  # first flat index of each block ((nc·size)² entries each)
    nds: int
    length: int

    @classmethod
    def of(cls, n_cells: int, nc: int = 1) -> "_Layout":
        j = dicke_j_values(n_cells)
        size = np.rint(2 * j + 1).astype(np.int64)
        dim_off = np.concatenate([[0], np.cumsum(size)[:-1]])
        flat = (nc * size) ** 2
        flat_off = np.concatenate([[0], np.cumsum(flat)[:-1]])
        return cls(n_cells, nc, j, size, dim_off, flat_off, int(size.sum()), int(flat.sum()))

    def block_of_index(self) -> np.ndarray:
        """Block number of each Dicke-basis index."""
        return np.repeat(np.arange(self.j.size), self.size)

    def full_indices(self, b: int) -> np.ndarray:
        """Indices into the (nc·nds)-dimensional matrix of block ``b``'s (n, a) states, row-major in (n, a)."""
        a = self.dim_offset[b] + np.arange(self.size[b])
        return (np.arange(self.nc)[:, None] * self.nds + a[None, :]).ravel()


# ---------------------------------------------------------------------------------------------
# the dissipator (Shammah et al. 2018, App. A; Chase & Geremia 2008): nine banded couplings
def _coefficients(kind: int, j, m, m1, n: float, r: dict) -> np.ndarray:
    """γ_kind evaluated at the source element (j, m, m') (arrays); rates r = emission, dephasing, pumping,
    collective_emission, collective_dephasing, collective_pumping."""
    yE, yD, yP = r["emission"], r["dephasing"], r["pumping"]
    yCE, yCD, yCP = r["collective_emission"], r["collective_dephasing"], r["collective_pumping"]
    with np.errstate(divide="ignore", invalid="ignore"):
        jp1 = j * (j + 1)
        if kind == 1:  # the element itself (always a loss)
            out = (yCE / 2 * (2 * jp1 - m * (m - 1) - m1 * (m1 - 1)) + yE / 2 * (n + m + m1)
                   + yP / 2 * (n - m - m1) + yCP / 2 * (2 * jp1 - m * (m + 1) - m1 * (m1 + 1))
                   + yCD / 2 * (m - m1) ** 2)
            deph = np.where(j > 0, yD / 2 * (n / 2 - m * m1 * (n / 2 + 1) / np.where(j > 0, jp1, 1.0)), yD * n / 4)
            return -(out + deph)
        if kind == 2:  # (j, m+1, m'+1) → (j, m, m'): emission inside the block
            root = np.sqrt(np.clip((j + m) * (j - m + 1) * (j + m1) * (j - m1 + 1), 0, None))
            loc = np.where(j > 0, yE / 2 * root * (n / 2 + 1) / np.where(j > 0, jp1, 1.0), 0.0)
            return yCE * root + loc
        if kind == 3:  # (j+1, m+1, m'+1) → (j, m, m'): from the block above
            root = np.sqrt(np.clip((j + m) * (j + m - 1) * (j + m1) * (j + m1 - 1), 0, None))
            return np.where(j > 0, yE / 2 * root * (n / 2 + j + 1) / np.where(j > 0, j * (2 * j + 1), 1.0), 0.0)
        if kind == 4:  # (j−1, m+1, m'+1) → (j, m, m'): from the block below
            root = np.sqrt(np.clip((j - m + 1) * (j - m + 2) * (j - m1 + 1) * (j - m1 + 2), 0, None))
            return yE / 2 * root * (n / 2 - j) / ((j + 1) * (2 * j + 1))
        if kind == 5:  # (j+1, m, m') → (j, m, m'): dephasing from above
            root = np.sqrt(np.clip((j ** 2 - m ** 2) * (j ** 2 - m1 ** 2), 0, None))
            return np.where(j > 0, yD / 2 * root * (n / 2 + j + 1) / np.where(j > 0, j * (2 * j + 1), 1.0), 0.0)
        if kind == 6:  # (j−1, m, m') → (j, m, m'): dephasing from below
            root = np.sqrt(np.clip(((j + 1) ** 2 - m ** 2) * ((j + 1) ** 2 - m1 ** 2), 0, None))
            return yD / 2 * root * (n / 2 - j) / ((j + 1) * (2 * j + 1))
        if kind == 7:  # (j+1, m−1, m'−1) → (j, m, m'): pumping from above
            root = np.sqrt(np.clip((j - m - 1) * (j - m) * (j - m1 - 1) * (j - m1), 0, None))
            return np.where(j > 0, yP / 2 * root * (n / 2 + j + 1) / np.where(j > 0, j * (2 * j + 1), 1.0), 0.0)
        if kind == 8:  # (j, m−1, m'−1) → (j, m, m'): pumping inside the block
            root = np.sqrt(np.clip((j + m + 1) * (j - m) * (j + m1 + 1) * (j - m1), 0, None))
            loc = np.where(j > 0, yP / 2 * root * (n / 2 + 1) / np.where(j > 0, jp1, 1.0), 0.0)
            return loc + yCP * root
        if kind == 9:  # (j−1, m−1, m'−1) → (j, m, m'): pumping from below
            root = np.sqrt(np.clip((j + m + 1) * (j + m + 2) * (j + m1 + 1) * (j + m1 + 2), 0, None))
            return yP / 2 * root * (n / 2 - j) / ((j + 1) * (2 * j + 1))
    raise ValueError(kind)


#: (Δj, Δm) of the source of each coupling (Δm' = Δm)
_SOURCES = {1: (0, 0), 2: (0, 1), 3: (1, 1), 4: (-1, 1), 5: (1, 0), 6: (-1, 0), 7: (1, -1), 8: (0, -1), 9: (-1, -1)}
#: which rates each coupling needs (skipped when they are all 0)
_NEEDS = {1: None, 2: ("emission", "collective_emission"), 3: ("emission",), 4: ("emission",), 5: ("dephasing",),
          6: ("dephasing",), 7: ("pumping",), 8: ("pumping", "collective_pumping"), 9: ("pumping",)}


def _dissipator_matrix(lay: _Layout, rates: dict) -> sp.csr_matrix:
    """The spin dissipator on the flat block vector (identity on the cavity indices), as a sparse matrix."""
    n = float(lay.n_cells)
    nb = lay.j.size
    rows, cols, vals = [], [], []
    # per block: the (n, a, n', b) entries, row-major, flat index = off + ((n·s + a)·nc + n')·s + b
    for bi in range(nb):
        j, s, off = float(lay.j[bi]), int(lay.size[bi]), int(lay.flat_offset[bi])
        nc = lay.nc
        cn, a, cn1, b = (x.ravel() for x in np.indices((nc, s, nc, s)))
        m, m1 = j - a, j - b
        target = off + ((cn * s + a) * nc + cn1) * s + b
        for kind, (dj, dm) in _SOURCES.items():
            need = _NEEDS[kind]
            if need is not None and not any(rates[k] for k in need):
                continue
            if kind == 1 and not any(rates.values()):
                continue
            sb = bi - dj  # blocks run in descending j: j + 1 is the block before
            if sb < 0 or sb >= nb:
                continue
            js = float(lay.j[sb])
            ms, m1s = m + dm, m1 + dm
            ok = (np.abs(ms) <= js + 1e-9) & (np.abs(m1s) <= js + 1e-9)
            if not ok.any():
                continue
            ss, soff = int(lay.size[sb]), int(lay.flat_offset[sb])
            a_s = np.rint(js - ms[ok]).astype(np.int64)
            b_s = np.rint(js - m1s[ok]).astype(np.int64)
            source = soff + ((cn[ok] * ss + a_s) * nc + cn1[ok]) * ss + b_s
            coef = _coefficients(kind, np.full(a_s.size, js), ms[ok], m1s[ok], n, rates)
            keep = coef != 0
            rows.append(target[ok][keep])
            cols.append(source[keep])
            vals.append(coef[keep])
    if not rows:
        return sp.csr_matrix((lay.length, lay.length), dtype=complex)
    return sp.csr_matrix((np.concatenate(vals).astype(complex), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(lay.length, lay.length))


def _block_superoperator(h_block: sp.spmatrix) -> sp.csr_matrix:
    """``−i(H ⊗ 1 − 1 ⊗ Hᵀ)``: the commutator on a row-major block."""
    eye = sp.identity(h_block.shape[0], dtype=complex, format="csr")
    return (-1j * (sp.kron(h_block, eye) - sp.kron(eye, h_block.T))).tocsr()


def _block_dissipator(op: sp.spmatrix) -> sp.csr_matrix:
    """``L ⊗ L̄ − ½ L†L ⊗ 1 − ½ 1 ⊗ (L†L)ᵀ``: 𝒟[L] on a row-major block."""
    eye = sp.identity(op.shape[0], dtype=complex, format="csr")
    ldl = (op.conj().T @ op).tocsr()
    return (sp.kron(op, op.conj()) - 0.5 * sp.kron(ldl, eye) - 0.5 * sp.kron(eye, ldl.T)).tocsr()


@dataclass(frozen=True)
class PermutationalState:
    """A permutation-invariant state (or operator) stored as its j blocks.

    ``vector``: the flat row-major blocks (cavity ⊗ spin inside each block); ``blocks()`` lists them as
    matrices, ``full()`` gives the Dicke-basis matrix in ``qutip.piqs`` order (cavity first when there is one).
    """

    layout: _Layout = field(repr=False)
    vector: np.ndarray = field(repr=False)

    @property
    def n_cells(self) -> int:
        return self.layout.n_cells

    @property
    def dimension(self) -> int:
        """Dimension of the Dicke-basis matrix (``nc · num_dicke_states(N)``)."""
        return self.layout.nc * self.layout.nds

    def blocks(self) -> list[np.ndarray]:
        """The blocks ρ_j (descending j), each of size (nc (2j+1))²."""
        lay = self.layout
        out = []
        for b in range(lay.j.size):
            s = lay.nc * int(lay.size[b])
            o = int(lay.flat_offset[b])
            out.append(self.vector[o:o + s * s].reshape(s, s))
        return out

    def full(self) -> np.ndarray:
        """The dense Dicke-basis matrix (``qutip.piqs`` ordering)."""
        lay = self.layout
        rho = np.zeros((self.dimension, self.dimension), dtype=complex)
        for b, blk in enumerate(self.blocks()):
            idx = lay.full_indices(b)
            rho[np.ix_(idx, idx)] = blk
        return rho

    def trace(self) -> complex:
        return complex(sum(np.trace(b) for b in self.blocks()))

    def spin_blocks(self) -> list[np.ndarray]:
        """The blocks of the spins' state (the cavity traced out)."""
        nc = self.layout.nc
        out = []
        for b, blk in zip(range(self.layout.j.size), self.blocks()):
            s = int(self.layout.size[b])
            out.append(np.einsum("nanb->ab", blk.reshape(nc, s, nc, s)))
        return out

    def cavity_state(self) -> np.ndarray:
        """The cavity's reduced density matrix (the spins traced out)."""
        nc = self.layout.nc
        out = np.zeros((nc, nc), dtype=complex)
        for b, blk in zip(range(self.layout.j.size), self.blocks()):
            s = int(self.layout.size[b])
            out += np.einsum("ncmc->nm", blk.reshape(nc, s, nc, s))
        return out

    def full_space_spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues of the spins' state in the full 2^N space and their multiplicities (floats):
        each eigenvalue λ of ρ_j appears as λ/d_j, d_j times."""
        vals, counts = [], []
        for j, blk in zip(self.layout.j, self.spin_blocks()):
            d = dicke_degeneracy(self.n_cells, float(j))
            ev = np.linalg.eigvalsh(0.5 * (blk + blk.conj().T))
            vals.append(ev / d)
            counts.append(np.full(ev.size, float(d)))
        return np.concatenate(vals), np.concatenate(counts)

    def ergotropy(self, omega_0: float = 1.0) -> float:
        """Ergotropy of the spins' state for ``H_B = ω_0 (J_z + N/2)`` over the full 2^N space
        (:func:`permutational_ergotropy`)."""
        return permutational_ergotropy(self, omega_0)


def permutational_ergotropy(state, omega_0: float = 1.0, n_cells: int | None = None) -> float:
    """Ergotropy (review Eqs. 4–6) of a permutation-invariant state of N cells, ``H_B = ω_0 (J_z + N/2)``,
    over unitaries on the whole 2^N space.

    The energy is ``ω_0 Tr[(J_z + N/2) ρ]`` (Dicke basis); the passive energy fills the levels ``k ω_0``
    (multiplicity C(N, k)) with the full-space eigenvalues λ/d_j of every block ρ_j, each d_j times — not with
    the eigenvalues of the Dicke-basis matrix itself, which would be wrong for any state outside j = N/2.
    ``state``: a :class:`PermutationalState` (the spins' state is used when there is a cavity) or a Dicke-basis
    density matrix (then ``n_cells`` is required).
    """
    if not isinstance(state, PermutationalState):
        if n_cells is None:
            raise InvalidArgumentError("a Dicke-basis matrix needs n_cells", argument="n_cells",
                                       allowed="the number of cells N")
        state = _state_from_matrix(_Layout.of(check_n_cells(n_cells)), state, "state")
    if not math.isfinite(omega_0) or omega_0 <= 0:
        raise InvalidArgumentError(f"got {omega_0!r}", argument="omega_0", allowed="a finite number > 0")
    n = state.n_cells
    energy = 0.0
    for j, blk in zip(state.layout.j, state.spin_blocks()):
        m = j - np.arange(blk.shape[0])
        energy += float(np.real(np.dot(np.diag(blk), m + n / 2)))
    p, c = state.full_space_spectrum()
    levels = np.arange(n + 1, dtype=float)
    mult = [math.comb(n, k) for k in range(n + 1)]
    passive = passive_energy_with_multiplicities(p, c, levels, mult)
    return max(0.0, omega_0 * (energy - passive))


def _as_matrix(op, dim: int, argument: str) -> sp.csr_matrix:
    if sp.issparse(op):
        m = sp.csr_matrix(op, dtype=complex)
    else:
        arr = np.asarray(getattr(op, "full", lambda: op)() if hasattr(op, "full") else op)
        if arr.dtype == object:
            raise InvalidArgumentError(f"got {type(op).__name__}", argument=argument, allowed="a matrix")
        m = sp.csr_matrix(np.atleast_2d(arr).astype(complex))
    if m.shape != (dim, dim):
        raise DimensionMismatchError(f"{argument} has shape {m.shape}", argument=argument,
                                     allowed=f"a ({dim}, {dim}) matrix in the Dicke basis (qutip.piqs order)")
    if m.nnz and not np.all(np.isfinite(m.data)):
        raise InvalidArgumentError("entries are not finite", argument=argument, allowed="finite entries")
    return m


def _block_id(lay: _Layout) -> np.ndarray:
    """Block number of every index of the (nc·nds) matrix."""
    per = lay.block_of_index()
    return np.tile(per, lay.nc)


def _check_blocks(m: sp.csr_matrix, lay: _Layout, argument: str) -> None:
    coo = m.tocoo()
    bid = _block_id(lay)
    off = bid[coo.row] != bid[coo.col]
    if off.any():
        worst = float(np.max(np.abs(coo.data[off])))
        if worst > BLOCK_TOLERANCE:
            raise NotBlockDiagonalError(f"{argument} couples different j (largest such entry {worst:.3g})",
                                        argument=argument,
                                        allowed="a matrix block diagonal in j (collective spin operators)")


def _blocks_of(m: sp.csr_matrix, lay: _Layout) -> list[sp.csr_matrix]:
    return [m[idx][:, idx].tocsr() for idx in (lay.full_indices(b) for b in range(lay.j.size))]


def _state_from_matrix(lay: _Layout, rho0, argument: str = "rho0") -> PermutationalState:
    dim = lay.nc * lay.nds
    if isinstance(rho0, PermutationalState):
        if rho0.layout != lay:
            raise DimensionMismatchError("the state belongs to another problem", argument=argument,
                                         allowed=f"N = {lay.n_cells}, cavity dimension {lay.nc}")
        return rho0
    arr = rho0.toarray() if sp.issparse(rho0) else np.asarray(getattr(rho0, "full", lambda: rho0)())
    if arr.ndim == 1:
        if arr.shape != (dim,):
            raise DimensionMismatchError(f"{argument} has {arr.size} entries", argument=argument,
                                         allowed=f"a vector of {dim} or a ({dim}, {dim}) matrix")
        arr = np.outer(arr, arr.conj())
    m = _as_matrix(arr, dim, argument)
    _check_blocks(m, lay, argument)
    vec = np.concatenate([b.toarray().ravel() for b in _blocks_of(m, lay)])
    st = PermutationalState(lay, vec)
    tr = st.trace()
    if abs(tr - 1) > 1e-8:
        raise InvalidStateError(f"trace {tr.real:.6g}", argument=argument, allowed="trace 1")
    for b, blk in enumerate(st.blocks()):
        if np.max(np.abs(blk - blk.conj().T), initial=0.0) > 1e-8:
            raise InvalidStateError("not Hermitian", argument=argument, allowed="a density matrix")
        if blk.size and np.linalg.eigvalsh(0.5 * (blk + blk.conj().T))[0] < -1e-8:
            raise InvalidStateError(f"negative eigenvalue in the j = {lay.j[b]:g} block", argument=argument,
                                    allowed="a positive semi-definite density matrix")
    return st


@dataclass
class PermutationalResult:
    """``times``; ``states`` (one :class:`PermutationalState` per time, or ``None`` when not stored);
    ``expect`` (one real array per e_op: Tr[O ρ(t)]); ``trace_deviation`` (largest |Tr ρ − 1|)."""

    times: np.ndarray
    states: list[PermutationalState] | None
    expect: list[np.ndarray]
    trace_deviation: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)


class PermutationalDicke:
    """GKSL dynamics of N identical two-level cells with local and collective processes (module docstring),
    optionally coupled to one cavity mode.

    Parameters
    ----------
    n_cells:
        N ≥ 1.
    emission, dephasing, pumping:
        Local rates γ_↓ = 1/T1, γ_φ = 2/Tφ, γ_↑ (per cell, ``qutip.piqs`` convention: ``γ/2 𝓛[A_i]`` with
        ``A_i = σ_i^−, σ_i^z/2, σ_i^+``), in the inverse time unit of ``times``.
    collective_emission, collective_dephasing, collective_pumping:
        Rates of ``γ/2 𝓛[J_−]``, ``γ/2 𝓛[J_z]``, ``γ/2 𝓛[J_+]``.
    cavity_dim:
        Fock-space dimension of one cavity mode (``None``: spins only). Hamiltonians, states and e_ops are then
        matrices on cavity ⊗ Dicke basis (cavity first).
    cavity_loss, cavity_pumping:
        κ of ``κ 𝒟[a]`` and of ``κ_p 𝒟[a†]`` (𝒟[L]ρ = LρL† − ½{L†L, ρ}).

    ``solve(hamiltonian, rho0, times, e_ops=None)`` evolves a state; the generator is built once per
    Hamiltonian and cached, so repeated solves (a fit, a sweep of initial states) reuse it.
    """

    def __init__(self, n_cells: int, emission: float = 0.0, dephasing: float = 0.0, pumping: float = 0.0,
                 collective_emission: float = 0.0, collective_dephasing: float = 0.0,
                 collective_pumping: float = 0.0, *, cavity_dim: int | None = None, cavity_loss: float = 0.0,
                 cavity_pumping: float = 0.0):
        self.n_cells = check_n_cells(n_cells)
        self.rates = {name: check_finite_real(v, name, minimum=0.0) for name, v in zip(PERMUTATIONAL_RATES, (
            emission, dephasing, pumping, collective_emission, collective_dephasing, collective_pumping))}
        if cavity_dim is not None and (isinstance(cavity_dim, bool) or not isinstance(cavity_dim, (int, np.integer))
                                       or cavity_dim < 1):
            raise InvalidArgumentError(f"got {cavity_dim!r}", argument="cavity_dim", allowed="None or an integer >= 1")
        self.cavity_dim = None if cavity_dim is None else int(cavity_dim)
        self.cavity_loss = check_finite_real(cavity_loss, "cavity_loss", minimum=0.0)
        self.cavity_pumping = check_finite_real(cavity_pumping, "cavity_pumping", minimum=0.0)
        if self.cavity_dim is None and (self.cavity_loss or self.cavity_pumping):
            raise InvalidArgumentError("cavity rates without a cavity", argument="cavity_dim",
                                       allowed="the cavity's Fock dimension when cavity_loss/cavity_pumping > 0")
        self.layout = _Layout.of(self.n_cells, self.cavity_dim or 1)
        self._dissipator: sp.csr_matrix | None = None
        self._cache: tuple[Any, sp.csr_matrix, sp.csr_matrix | None] | None = None
        self._real: _RealForm | None = None

    def __getattr__(self, name):  # qutip.piqs.Dicke-style attribute access to the rates
        rates = self.__dict__.get("rates", {})
        if name in rates:
            return rates[name]
        raise AttributeError(name)

    @property
    def dimension(self) -> int:
        """Dimension of the matrices ``solve`` takes (``cavity_dim · num_dicke_states(N)``)."""
        return self.layout.nc * self.layout.nds

    @property
    def stored_entries(self) -> int:
        """Numbers stored per state: Σ_j (nc (2j+1))²."""
        return self.layout.length

    def dissipator(self) -> sp.csr_matrix:
        """The dissipative part of the generator on the flat block vector (spins and cavity)."""
        if self._dissipator is None:
            lay = self.layout
            d = _dissipator_matrix(lay, self.rates)
            if self.cavity_loss or self.cavity_pumping:
                nc = lay.nc
                a = sp.diags(np.sqrt(np.arange(1, nc)).astype(complex), 1, shape=(nc, nc), format="csr")
                parts = []
                for b in range(lay.j.size):
                    eye = sp.identity(int(lay.size[b]), dtype=complex, format="csr")
                    blk = sp.csr_matrix(((nc * lay.size[b]) ** 2,) * 2, dtype=complex)
                    if self.cavity_loss:
                        blk = blk + self.cavity_loss * _block_dissipator(sp.kron(a, eye, format="csr"))
                    if self.cavity_pumping:
                        blk = blk + self.cavity_pumping * _block_dissipator(sp.kron(a.T.tocsr(), eye, format="csr"))
                    parts.append(blk)
                d = (d + sp.block_diag(parts, format="csr")).tocsr()
            self._dissipator = d
        return self._dissipator

    def commutator(self, hamiltonian, argument: str = "hamiltonian") -> sp.csr_matrix:
        """``−i[H, ·]`` on the flat block vector (``H`` checked: square, the right dimension, Hermitian,
        block diagonal in j)."""
        h = _as_matrix(hamiltonian, self.dimension, argument)
        if h.nnz and abs(h - h.conj().T).max() > 1e-10 * max(1.0, abs(h).max()):
            raise InvalidHamiltonianError("not Hermitian", argument=argument, allowed="a Hermitian matrix")
        _check_blocks(h, self.layout, argument)
        return sp.block_diag([_block_superoperator(b) for b in _blocks_of(h, self.layout)], format="csr")

    def liouvillian(self, hamiltonian) -> sp.csr_matrix:
        """The generator ``−i[H, ·] + 𝒟`` on the flat block vector (cached for the last Hamiltonian)."""
        if self._cache is not None and self._cache[0] is hamiltonian:
            return self._cache[1]
        gen = (self.commutator(hamiltonian) + self.dissipator()).tocsr()
        self._cache = (hamiltonian, gen, None)
        return gen

    def state(self, rho) -> PermutationalState:
        """A Dicke-basis density matrix (or state vector) as a :class:`PermutationalState` (checked)."""
        return _state_from_matrix(self.layout, rho)

    def observable(self, op, argument: str = "e_ops") -> np.ndarray:
        """``o`` with ``Tr[O ρ] = o · vector`` for every state of this problem (O block diagonal in j)."""
        m = _as_matrix(op, self.dimension, argument)
        _check_blocks(m, self.layout, argument)
        return np.concatenate([b.toarray().T.ravel() for b in _blocks_of(m, self.layout)])

    def real_form(self) -> "_RealForm":
        """The real parametrisation of Hermitian block vectors the ODE integrates (half the memory traffic)."""
        if self._real is None:
            self._real = _RealForm(self.layout)
        return self._real

    def solve(self, hamiltonian, rho0, times, e_ops=None, *, drives: Sequence[tuple[Any, Callable]] = (),
              store_states: bool = True, method: str = "auto", rtol: float = 1e-8, atol: float = 1e-10,
              check: bool = True, flat_e_ops: Sequence[np.ndarray] = ()) -> PermutationalResult:
        """Evolve ``rho0`` (the state at t = 0) under ``H`` and the dissipators and sample it at ``times``
        (≥ 0, increasing; as :func:`qbhw.solvers.lindblad.evolve_lindblad`).

        Parameters
        ----------
        hamiltonian:
            Dicke-basis matrix (dense or sparse; ``qutip.piqs`` order, cavity first), Hermitian and block
            diagonal in j.
        rho0:
            Density matrix or state vector in the same basis (or a :class:`PermutationalState`).
        e_ops:
            A matrix or a list of matrices (block diagonal in j) whose expectation values ``Tr[O ρ(t)]`` are
            returned in ``result.expect``.
        drives:
            ``(O_k, f_k)`` pairs adding ``Σ_k f_k(t) O_k`` to H (O_k Hermitian and block diagonal, f_k real).
        store_states:
            Keep every state (``False``: only the expectation values; N = 200 then never holds more than the
            integrator's stages).
        method:
            ``"ode"`` — Runge–Kutta on the real parametrisation of the Hermitian blocks (Dormand–Prince 8(5,3)
            for ``rtol < 1e-7``, else 5(4)), with error control ``rtol``/``atol`` per entry; ``"expm"`` — exact
            propagation with ``scipy.sparse.linalg.expm_multiply`` (no drives; its cost grows with the
            generator's 1-norm, so only for small N); ``"krylov"`` — adaptive Arnoldi exponential integrator
            (Sidje's ``expv`` with dense output; no drives), error held below ``rtol ‖x‖₂ + atol`` in the 2-norm
            of the real block vector over the whole interval, trace conserved to rounding; about 1.5× fewer
            products with the generator than RK45 at rtol 1e-6 and far fewer than DOP853 at tighter tolerances;
            ``"auto"`` = ``"krylov"`` without drives, else ``"ode"``.
        check:
            Raise :class:`~qbhw.errors.InvalidStateError` when the trace drifts by more than 1e-8.
        flat_e_ops:
            Vectors ``o`` on the flat block vector whose values ``o · vector`` are appended to ``expect`` (e.g.
            ``Gᵀ o_B`` for the rate of change of an observable under a generator ``G``; see :meth:`observable`).
        """
        t_out = check_times(times, allow_single=True)
        if t_out[0] < 0:
            raise InvalidArgumentError(f"starts at {t_out[0]!r}", argument="times", allowed="times >= 0 (rho0 is at t = 0)")
        if method not in ("auto", "expm", "ode", "krylov"):
            raise InvalidArgumentError(f"got {method!r}", argument="method",
                                       allowed="'auto' | 'expm' | 'ode' | 'krylov'")
        if method in ("expm", "krylov") and drives:
            raise InvalidArgumentError("time-dependent drives need the ODE", argument="method", allowed="'ode' | 'auto'")
        if method == "auto":
            method = "ode" if drives else "krylov"
        for name, val in (("rtol", rtol), ("atol", atol)):
            if not (isinstance(val, (int, float)) and math.isfinite(val) and 0 < val < 1):
                raise InvalidArgumentError(f"got {val!r}", argument=name, allowed="a number in (0, 1)")
        state0 = self.state(rho0)
        single = e_ops is not None and (sp.issparse(e_ops) or (hasattr(e_ops, "shape") and len(e_ops.shape) == 2))
        ops = [] if e_ops is None else ([e_ops] if single else list(e_ops))
        obs = [self.observable(o, f"e_ops[{k}]") for k, o in enumerate(ops)]
        for k, o in enumerate(flat_e_ops):
            o = np.asarray(o)
            if o.shape != (self.layout.length,):
                raise DimensionMismatchError(f"flat_e_ops[{k}] has shape {o.shape}", argument=f"flat_e_ops[{k}]",
                                             allowed=f"a vector of {self.layout.length} entries")
            obs.append(o)
        drive_ops = []
        for k, item in enumerate(drives):
            op, f = drive_pair(item, f"drives[{k}]")
            drive_ops.append((self.commutator(op, argument=f"drives[{k}]"), f))
        prepend = t_out[0] > 0
        t = np.concatenate([[0.0], t_out]) if prepend else t_out
        trace_obs = self.observable(sp.identity(self.dimension, format="csr"))
        expect = np.empty((len(obs), t_out.size))
        traces = np.empty(t_out.size)
        states: list[PermutationalState] | None = [] if store_states else None

        def record(k: int, vec: np.ndarray) -> None:  # vec: the complex block vector at t[k]
            if prepend:
                if k == 0:
                    return
                k -= 1
            traces[k] = float(np.real(vec @ trace_obs))
            for i, o in enumerate(obs):
                expect[i, k] = float(np.real(vec @ o))
            if states is not None:
                states.append(PermutationalState(self.layout, vec))

        gen = self.liouvillian(hamiltonian)
        if method == "expm":
            _propagate_expm(gen, state0.vector, t, record)
            info = {"integrator": "expm_multiply"}
        else:
            real = self.real_form()
            if self._cache[2] is None:  # the real form of the cached generator
                self._cache = (self._cache[0], gen, real.generator(gen))
            gen_r = self._cache[2]
            if method == "krylov":
                info = _propagate_krylov(gen_r, real.lower(state0.vector), t, rtol, atol,
                                         lambda k, x: record(k, real.lift(x)), krylov_dim=KRYLOV_DIM)
            else:
                drives_r = [(real.generator(op), f) for op, f in drive_ops]
                info = _propagate_ode(gen_r, drives_r, real.lower(state0.vector), t, rtol, atol,
                                      lambda k, x: record(k, real.lift(x)))
        dev = float(np.max(np.abs(traces - 1.0)))
        if check and dev > 1e-8:
            raise InvalidStateError(f"the trace drifted by {dev:.3g}", argument="rtol",
                                    allowed="tighter tolerances (trace conserved to 1e-8)")
        return PermutationalResult(t_out, states, list(expect), dev,
                                   {"method": method, **info, "stored_entries": self.stored_entries,
                                    "generator_nnz": int(gen.nnz)})


class _RealForm:
    """Hermitian blocks as real vectors: entry (r, c) of a block holds Re ρ_rc for r ≤ c and Im ρ_rc for r > c.

    A real-linear map of Hermitian matrices (the generator, a commutator) becomes a real sparse matrix:
    ``G_real = P_re · Re(G S) + P_im · Im(G S)`` with ``S`` the lift x ↦ ρ.
    """

    def __init__(self, lay: _Layout):
        m = lay.length
        upper = np.zeros(m, dtype=bool)
        partner = np.empty(m, dtype=np.int64)
        for b in range(lay.j.size):
            size = lay.nc * int(lay.size[b])
            off = int(lay.flat_offset[b])
            r, c = (x.ravel() for x in np.indices((size, size)))
            idx = off + r * size + c
            upper[idx] = r <= c
            partner[idx] = off + c * size + r
        k = np.arange(m)
        self.upper = upper
        self.partner = partner
        diag = partner == k
        re_src = np.where(upper, k, partner)
        im_src = np.where(upper, partner, k)
        im_sign = np.where(upper, -1.0, 1.0)
        self.lift_matrix = (sp.csr_matrix((np.ones(m, dtype=complex), (k, re_src)), shape=(m, m))
                            + sp.csr_matrix(((1j * im_sign)[~diag], (k[~diag], im_src[~diag])), shape=(m, m))).tocsr()
        self._re = sp.diags(upper.astype(float), format="csr")
        self._im = sp.diags((~upper).astype(float), format="csr")

    def lower(self, vec: np.ndarray) -> np.ndarray:
        return np.where(self.upper, vec.real, vec.imag)

    def lift(self, x: np.ndarray) -> np.ndarray:
        return self.lift_matrix @ x

    def generator(self, gen: sp.csr_matrix) -> sp.csr_matrix:
        c = (gen @ self.lift_matrix).tocsr()
        out = (self._re @ c.real + self._im @ c.imag).tocsr()
        out.eliminate_zeros()
        return out


def _propagate_expm(gen: sp.csr_matrix, v0: np.ndarray, t: np.ndarray, record) -> None:
    record(0, v0)
    v = v0
    for k, dt in enumerate(np.diff(t), start=1):
        v = expm_multiply(gen * dt, v) if dt > 0 else v
        record(k, v)


def _propagate_ode(gen, drive_ops, x0, t, rtol, atol, record) -> dict[str, Any]:
    """Integrate dx/dt = G x + Σ f_k(t) K_k x, calling ``record(k, x(t_k))`` as the integrator passes each time
    (dense output between steps), so no more than the integrator's stages are held."""
    from scipy.integrate import DOP853, RK45

    evaluations = [0]

    def rhs(time, y):
        evaluations[0] += 1
        dy = gen @ y
        for op, f in drive_ops:
            c = float(np.real(f(time)))
            if c:
                dy += c * (op @ y)
        return dy

    record(0, x0)
    if t.size == 1:
        return {"integrator": "none", "evaluations": 0}
    cls = DOP853 if rtol < 1e-7 else RK45
    solver = cls(rhs, float(t[0]), x0.astype(float), float(t[-1]), rtol=rtol, atol=atol)
    k = 1
    while k < t.size:
        solver.step()
        if solver.status == "failed":
            raise InvalidArgumentError("the integrator failed (step size too small)", argument="rtol",
                                       allowed="looser tolerances")
        dense = None
        while k < t.size and (t[k] <= solver.t or solver.status == "finished"):
            if t[k] == solver.t:
                y = solver.y
            else:
                dense = dense or solver.dense_output()
                y = dense(float(t[k]))
            record(k, np.array(y, copy=True))
            k += 1
    return {"integrator": cls.__name__, "evaluations": evaluations[0]}


#: Krylov dimension of ``method="krylov"``: products with G per unit time fall slowly with m (N = 200 benchmark:
#: 2988, 2613, 2431, 2275 for m = 8, 12, 16, 24) while the orthogonalisation per product grows ~ m; the wall time
#: is flat from 8 to 24 on one BLAS thread (``benchmarks/bench_krylov.py``), 16 keeps the products low
KRYLOV_DIM = 16


def _propagate_krylov(gen, x0, t, rtol, atol, record, krylov_dim: int = KRYLOV_DIM,
                      reorthogonalise: float = 0.1) -> dict[str, Any]:
    """Integrate dx/dt = G x (G constant) with an adaptive Arnoldi exponential integrator (Sidje's ``expv``,
    ACM Trans. Math. Softw. 24, 130, 1998), calling ``record(k, x(t_k))`` for every time; ``t[0]`` is the time of
    ``x0``.

    Each step from ``w = x(t_n)`` uses ``e^{sG} w = w + s φ_1(sG) G w`` (φ_1(z) = (e^z − 1)/z; Saad, SIAM J. Numer.
    Anal. 29, 209, 1992). m products with G build ``u_1 … u_m``, an orthonormal basis of K_m(G, G w), by
    Gram–Schmidt written as two matrix–vector products with the (m, n) basis array (BLAS ``dgemv``, in place), with
    one re-orthogonalisation pass when less than ``reorthogonalise`` of the vector's norm survived the projection
    (the Dicke generators never trigger it at 0.1 and their bases stay orthonormal to ~1e-13); one more product
    gives ``‖G u_m‖``. With the border the Hessenberg matrix ``H̄ = [[0, 0], [‖G w‖ e_1, H]]`` is the Arnoldi
    matrix of ``B = [[0, 0], [G w, G]]`` from ``e_0`` (``e^{sB} e_0 = (1, s φ_1(sG) G w)``), spanning Sidje's
    K_m(G, w) with ``u_m`` as his corrected scheme's extra vector, so his estimate applies unchanged with ``F``, the
    first column of ``exp(s H̄)`` for the (m + 2)-dimensional augmented ``H̄``:
    ``x(t_n + s) ≈ w + Σ_{i=1}^{m} F[i] u_i``, m + 1 products per step as for ``expv``. Every ``u_i`` has zero
    trace (G preserves it), so the trace is conserved to rounding whatever the tolerance.

    Error control: Sidje's estimate ``err`` of the local error in the 2-norm of x (``φ1 = |F[m]|``,
    ``φ2 = |F[m+1]| ‖G u_m‖``; ``err = φ2`` if φ1 > 10 φ2, ``φ1 φ2/(φ1 − φ2)`` if φ1 > φ2, else φ1) is
    held, for a step of length τ, below ``1.2 (τ/T) tol`` with ``tol = rtol ‖x(t_n)‖_2 + atol`` and T the whole
    interval: the local errors then add up to at most ~``tol`` (x's 2-norm is at most the Hilbert–Schmidt norm of
    ρ, ≤ 1; an observable o changes by ≤ ‖o‖_2 × that). This 2-norm test is stricter than the ODE's per-entry
    root-mean-square test with the same rtol/atol. Rejected steps shrink as ``0.9 τ (allowed/err)^{1/m}`` and cost
    only a new small ``expm``; the next step is chosen the same way (at most ten times longer).

    Dense output: every requested time inside an accepted step is evaluated from the same basis, with ``F`` for
    its offset s from the step's start (its own error estimate enters the acceptance test), so output times never shorten a
    step. Happy breakdown (a subdiagonal ``h_{j+1,j} ≤ 0.05 tol/T``, e.g. ``G w = 0`` for a stationary state): the
    Krylov space is invariant to within the tolerance and one step covers the rest of the interval.

    Holds the (m, n) basis, the state and at most four output vectors. Returns the counts (``evaluations``:
    products with G), ``steps``, ``rejected`` and the sum of the accepted error estimates.
    """
    from scipy.linalg import expm
    from scipy.linalg.blas import dgemv

    record(0, x0)
    if t.size == 1:
        return {"integrator": "krylov", "evaluations": 0}
    n = x0.size
    m = max(2, min(int(krylov_dim), n))
    span = float(t[-1] - t[0])
    anorm = float(abs(gen).sum(axis=1).max()) if gen.nnz else 0.0
    gamma, delta, max_rejections, chunk = 0.9, 1.2, 30, 4
    u = np.empty((m, n))           # u_1 … u_m: orthonormal basis of K_m(G, G w)
    hb = np.zeros((m + 2, m + 2))  # bordered, augmented Hessenberg matrix (index 0: the border, i.e. w)
    w = np.array(x0, dtype=float)
    t_now = float(t[0])
    k = 1
    evaluations = steps = rejected = reorthogonalised = 0
    err_sum = 0.0
    tau = None
    while k < t.size:
        beta = math.sqrt(float(w @ w))
        tol = rtol * beta + atol
        t_rem = float(t[-1]) - t_now
        btol = 0.05 * tol / span
        # Arnoldi on G from G w (dgemv works on u[:i+1].T, Fortran-ordered, without copies)
        hb[:] = 0.0
        p = gen @ w
        evaluations += 1
        s = math.sqrt(float(p @ p))
        invariant = None  # number of basis vectors spanning an invariant subspace (happy breakdown)
        avnorm = 0.0
        if s <= btol:
            invariant = 0
        else:
            hb[1, 0] = s
            np.multiply(p, 1.0 / s, out=u[0])
            for i in range(m):
                p = gen @ u[i]
                evaluations += 1
                if i == m - 1:  # ‖G u_m‖, for the second term of the error estimate
                    avnorm = math.sqrt(float(p @ p))
                    break
                basis = u[:i + 1].T
                h = dgemv(1.0, basis, p, trans=1)
                p = dgemv(-1.0, basis, h, beta=1.0, y=p, overwrite_y=1)
                s = math.sqrt(float(p @ p))
                if s * s < reorthogonalise ** 2 * (float(h @ h) + s * s):  # ‖p‖ before = √(‖h‖² + s²)
                    h2 = dgemv(1.0, basis, p, trans=1)
                    p = dgemv(-1.0, basis, h2, beta=1.0, y=p, overwrite_y=1)
                    h += h2
                    s = math.sqrt(float(p @ p))
                    reorthogonalised += 1
                hb[1:i + 2, i + 1] = h
                if s <= btol:
                    invariant = i + 1
                    break
                hb[i + 2, i + 1] = s
                np.multiply(p, 1.0 / s, out=u[i + 1])
        t_out, columns = [], {}  # columns: first column of exp(s H̄) for each offset s tried
        if invariant is not None:  # exact to within tol: one step to the end
            size, ncol, err, tau = invariant + 1, invariant, 0.0, t_rem
            while k + len(t_out) < t.size:
                t_out.append(k + len(t_out))
        else:
            size, ncol = m + 2, m
            hb[m + 1, m] = 1.0
            if tau is None:  # Sidje's first step
                fact = ((m + 1) / math.e) ** (m + 1) * math.sqrt(2 * math.pi * (m + 1))
                scale = max(anorm, 1e-300)
                tau = (fact * tol / (4 * max(beta, 1e-300) * scale)) ** (1 / m) / scale
            tau = min(tau, t_rem)
            rejections = 0
            while True:
                t_end = t_now + tau if tau < t_rem else float(t[-1])
                t_out = []
                while k + len(t_out) < t.size and t[k + len(t_out)] <= t_end:
                    t_out.append(k + len(t_out))
                err, order = 0.0, m
                for dt in [float(t[j]) - t_now for j in t_out] + [tau]:
                    f = columns[dt] = expm(dt * hb)[:, 0]
                    phi1, phi2 = abs(f[m]), abs(f[m + 1]) * avnorm
                    if phi1 > 10 * phi2:
                        e, q = phi2, m
                    elif phi1 > phi2:
                        e, q = phi1 * phi2 / (phi1 - phi2), m
                    else:
                        e, q = phi1, m - 1
                    if e >= err:
                        err, order = e, q
                allowed = tau / span * tol
                if err <= delta * allowed:
                    break
                tau = gamma * tau * (allowed / err) ** (1 / order)
                rejections += 1
                rejected += 1
                if rejections > max_rejections:
                    raise InvalidArgumentError("the Krylov step size underflowed", argument="rtol",
                                               allowed="looser tolerances")
        t_end = t_now + tau if tau < t_rem else float(t[-1])
        # dense output: the requested times in (t_now, t_end] and the step's end, from the same basis
        offsets = [float(t[j]) - t_now for j in t_out]
        end_is_output = bool(t_out) and t[t_out[-1]] == t_end
        if not end_is_output:
            offsets.append(tau)
        coef = np.empty((len(offsets), ncol))
        for c, dt in enumerate(offsets):
            col = columns[dt] if dt in columns else expm(dt * hb[:size, :size])[:, 0]
            coef[c] = col[1:ncol + 1]
        last = w
        for c0 in range(0, len(offsets), chunk):
            block = coef[c0:c0 + chunk] @ u[:ncol] if ncol else np.zeros((len(offsets[c0:c0 + chunk]), n))
            block += w
            for c in range(block.shape[0]):
                if c0 + c < len(t_out):
                    record(t_out[c0 + c], block[c])
            last = block[-1]
        w = np.array(last, copy=True)
        k += len(t_out)
        steps += 1
        if invariant is None:
            err_sum += err
            growth = (tau / span * tol / err) ** (1 / order) if err > 0 else 10.0
            tau = min(gamma * tau * growth, 10 * tau)
        t_now = t_end
    return {"integrator": "krylov", "krylov_dim": m, "evaluations": evaluations, "steps": steps,
            "rejected": rejected, "reorthogonalised": reorthogonalised, "error_estimate": err_sum}


# ---------------------------------------------------------------------------------------------
# qbhw.charge for models solved in the permutational basis
def charge_permutational(model, times, *, ergotropy: bool = True, space: str = "full", method: str = "auto",
                         truncation_threshold: float = 1e-6, on_truncation: str = "raise", rtol: float = 1e-8,
                         atol: float = 1e-10, **options):
    """Charging curve of an :class:`~qbhw.models.OpenDickeBattery` (registered with :func:`qbhw.charge`).

    ``energy = Tr[H_B ρ(t)]`` with ``H_B = ω_0 (J_z + N/2)``; ``work = E(t) − E(0)``; the power
    ``P = Tr[H_B 𝓛_t ρ]`` analytically (``𝓛_t`` the full generator with the drive at time t); the ergotropy of the
    cells' state over the whole 2^N space (:func:`permutational_ergotropy`; ``space="full"`` only: the state leaves
    the symmetric subspace as soon as local processes act); observables ``photons`` (cavity occupation),
    ``leakage`` (``Tr[H_B 𝒟ρ]``, the dissipators' share of the power) and ``trace_deviation``. The population of
    the cavity's highest Fock state is checked against ``truncation_threshold``.
    """
    from ..errors import ConfigError
    from ..metrics import make_charging_curve
    from .charge import check_truncation

    if options:
        raise ConfigError(f"unexpected options {sorted(options)}", argument="options",
                          allowed="ergotropy, space, method, truncation_threshold, on_truncation, rtol, atol")
    if space != "full":
        raise ConfigError(f"got {space!r}", argument="space",
                          allowed="'full' (an open ensemble leaves the symmetric subspace)")
    if method in ("eigh", "expm_multiply", "chebyshev"):
        method = "auto"
    t = check_times(times, allow_single=False)
    solver = PermutationalDicke(**model.permutational_solver())
    h = model.charging_hamiltonian()
    hb = model.battery_hamiltonian()
    drives = list(model.drives())
    gen = solver.liouvillian(h)
    o_b = solver.observable(hb, "battery_hamiltonian")
    flat = [gen.T @ o_b, solver.dissipator().T @ o_b] + [solver.commutator(op, f"drives[{k}]").T @ o_b
                                                          for k, (op, _) in enumerate(drives)]
    e_ops = [hb]
    nc = model.cavity_dim
    if nc is not None:
        nds = solver.layout.nds
        top = sp.csr_matrix((np.ones(nds), (np.arange((nc - 1) * nds, nc * nds),) * 2), shape=(nc * nds,) * 2)
        number = sp.kron(sp.diags(np.arange(nc, dtype=float)), sp.identity(nds), format="csr")
        e_ops += [number, top]
    res = solver.solve(h, model.initial_state(), t, e_ops=e_ops, drives=drives, store_states=ergotropy,
                       method=method, rtol=rtol, atol=atol, flat_e_ops=flat)
    k0 = len(e_ops)
    energy = res.expect[0]
    power = res.expect[k0] + sum(np.array([float(f(x)) for x in t]) * res.expect[k0 + 2 + i]
                                 for i, (_, f) in enumerate(drives))
    obs = {"leakage": res.expect[k0 + 1], "trace_deviation": np.full(t.size, res.trace_deviation)}
    worst = None
    if nc is not None:
        obs["photons"] = res.expect[1]
        worst = float(np.max(res.expect[2]))
        check_truncation(worst, threshold=truncation_threshold, on_truncation=on_truncation,
                         what=getattr(model, "cutoff_name", "photon cut-off"))
    erg = np.array([permutational_ergotropy(s, model.omega_0) for s in res.states]) if ergotropy else None
    meta = {**model.metadata, "space": space, "max_cutoff_population": worst, "dynamics": "GKSL (permutational)",
            "solver": res.info, "stored_entries": solver.stored_entries}
    return make_charging_curve(t, energy, ergotropy=erg, power=power, metadata=meta, observables=obs)


def _register() -> None:
    from ..models.open_dicke import OpenDickeBattery
    from .charge import register_solver

    register_solver(OpenDickeBattery, charge_permutational)


_register()
