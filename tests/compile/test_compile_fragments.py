"""Exactness of the fragment circuits and rigor of the Trotter bounds (independent route: scipy expm)."""

import numpy as np
import pytest
import scipy.linalg as sl
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.circuit.library import XXPlusYYGate
from qiskit.quantum_info import Operator, SparsePauliOp, random_pauli_list

from qbhw.compile import (CommutingPauliFragment, DiagonalizedFragment, ExchangeFragment, FockRegister,
                          GlobalSwapFragment, LocalFieldFragment, ProductFormula, diagonal_to_pauli)
from qbhw.conventions import SIGMA_MINUS, SIGMA_PLUS
from qbhw.errors import InvalidArgumentError, InvalidHamiltonianError

ATOL = 1e-12  # fragment circuits are exact: unitaries agree with expm to round-off


def _expm(frag, t):
    return sl.expm(-1j * t * frag.matrix)


def _kron_site(op, site, n):
    """op on ``site`` of n qubits, little-endian (site 0 = rightmost Kronecker factor)."""
    out = np.eye(1)
    for q in reversed(range(n)):
        out = np.kron(out, op if q == site else np.eye(2))
    return out


@given(st.floats(-2, 2), st.floats(0.01, 3))
@settings(max_examples=15, deadline=None)
def test_xx_plus_yy_gate_is_the_flip_flop_exchange(coupling, t):
    """XXPlusYYGate(2Jt) = exp(−it J(σ_a^+σ_b^− + h.c.)), σ^± from qbhw.conventions (not from Paulis)."""
    flip = _kron_site(SIGMA_PLUS, 0, 2) @ _kron_site(SIGMA_MINUS, 1, 2)
    h = coupling * (flip + flip.conj().T)
    u = Operator(XXPlusYYGate(2 * coupling * t)).data
    assert np.allclose(u, sl.expm(-1j * t * h), atol=ATOL)
    frag = ExchangeFragment([(0, 1)], coupling)
    assert np.allclose(frag.matrix, h, atol=ATOL)  # (J/2)(XX + YY) equals the σ^± form


def test_commuting_pauli_fragment_exact_and_rejects_noncommuting():
    rng = np.random.default_rng(7)
    op = SparsePauliOp(random_pauli_list(4, 30, seed=5, phase=False), rng.normal(size=30))
    for group in op.group_commuting()[:5]:
        frag = CommutingPauliFragment(group)
        assert np.allclose(Operator(frag.circuit(0.83)).data, _expm(frag, 0.83), atol=1e-11)
    with pytest.raises(InvalidHamiltonianError):
        CommutingPauliFragment(SparsePauliOp(["XI", "ZI"], [1.0, 1.0]))
    with pytest.raises(InvalidHamiltonianError):
        CommutingPauliFragment(SparsePauliOp(["XI"], [1j]))


@pytest.mark.parametrize("sigma,quad", [("X", "quadrature_x"), ("Y", "quadrature_p"), ("X", "number")])
def test_diagonalized_cavity_fragment_exact(sigma, quad):
    mode = FockRegister(5, (2, 3, 4))
    frag = DiagonalizedFragment([0, 1], [0.4, -0.7], sigma, [2, 3, 4], getattr(mode, quad)(), 5)
    assert np.allclose(Operator(frag.circuit(1.1)).data, _expm(frag, 1.1), atol=ATOL)


def test_fock_register_operators():
    mode = FockRegister(5, (0, 1, 2))
    a = mode.annihilation()
    for n in range(1, 6):
        assert a[n - 1, n] == pytest.approx(np.sqrt(n))  # a|n⟩ = √n|n−1⟩
    assert np.all(a[:, 6:] == 0) and np.all(a[6:, :] == 0)  # unused codes decoupled
    assert np.allclose(np.diag(mode.number())[:6], np.arange(6))
    # the number operator as Z strings reproduces the diagonal
    op = mode.number_operator(3, omega=2.0)
    assert np.allclose(np.diag(op.to_matrix()).real[:6], 2.0 * np.arange(6))
    assert mode.basis_bits(5) == [0, 2]
    with pytest.raises(InvalidArgumentError):
        mode.basis_bits(6)
    with pytest.raises(InvalidArgumentError):
        FockRegister(5, (0, 1))


@given(st.lists(st.floats(-3, 3), min_size=8, max_size=8))
@settings(max_examples=20, deadline=None)
def test_diagonal_to_pauli_roundtrip(values):
    op = diagonal_to_pauli(values, [1, 2, 4], 5)
    d = np.diag(op.to_matrix()).real
    idx = np.arange(32)
    code = ((idx >> 1) & 1) | (((idx >> 2) & 1) << 1) | (((idx >> 4) & 1) << 2)
    assert np.allclose(d, np.asarray(values)[code], atol=1e-12)


def test_local_field_and_global_swap_exact():
    for frag in [LocalFieldFragment([0, 2], (0.3, -0.2, 0.0), 3), LocalFieldFragment([1], (0.3, -0.2, 0.5), 3),
                 GlobalSwapFragment([0, 1, 2], 0.4 - 0.3j, 4), GlobalSwapFragment([1], 0.4j, 2)]:
        assert np.allclose(Operator(frag.circuit(0.9)).data, _expm(frag, 0.9), atol=ATOL)
    # the global swap couples only |0…0⟩ and |1…1⟩ (review Eq. 17)
    m = GlobalSwapFragment([0, 1, 2], 0.5, 3).matrix
    assert np.count_nonzero(np.abs(m) > 1e-12) == 2 and m[7, 0] == pytest.approx(0.5)


def _random_fragments(rng, n=3, k=4):
    frags = []
    for _ in range(k):
        label = "".join(rng.choice(list("IXYZ"), n))
        if set(label) == {"I"}:
            label = "X" + label[1:]
        frags.append(CommutingPauliFragment(SparsePauliOp([label], [rng.normal()])))
    return frags


@pytest.mark.parametrize("order", [1, 2])
def test_commutator_bound_is_rigorous_and_tight(order):
    """‖S(t/r)^r − e^{−iHt}‖ ≤ bound (Childs et al. 2021) on 150 random instances; tight within 3x on some."""
    rng = np.random.default_rng(11 + order)
    ratios = []
    for _ in range(150):
        pf = ProductFormula(_random_fragments(rng, k=int(rng.integers(2, 5))), order=order)
        t, r = rng.uniform(0.1, 2.0), int(rng.integers(1, 6))
        err = np.linalg.norm(Operator(pf.circuit(t, r)).data - sl.expm(-1j * t * pf.hamiltonian.to_matrix()), 2)
        bound = pf.error_bound(t, r)
        assert err <= bound + 1e-10
        if 1e-9 < bound < 2:
            ratios.append(err / bound)
    assert max(ratios) > 1 / 3  # the bound is not vacuous


def test_second_order_error_scales_as_one_over_r_squared():
    rng = np.random.default_rng(3)
    pf = ProductFormula(_random_fragments(rng, k=3), order=2)
    u = sl.expm(-1j * 1.0 * pf.hamiltonian.to_matrix())
    errs = [np.linalg.norm(Operator(pf.circuit(1.0, r)).data - u, 2) for r in (8, 16)]
    assert errs[0] / errs[1] == pytest.approx(4.0, rel=0.1)  # δ³ per step × r steps → 1/r²


def test_product_formula_bad_input():
    frag = _random_fragments(np.random.default_rng(0), k=1)
    with pytest.raises(Exception):
        ProductFormula(frag, order=3)
    with pytest.raises(InvalidArgumentError):
        ProductFormula(frag).circuit(1.0, 0)
    with pytest.raises(InvalidArgumentError):
        ProductFormula([])
