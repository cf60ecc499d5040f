"""``PermutationalDicke.solve(method="krylov")``: the adaptive Arnoldi exponential integrator (Sidje's ``expv``
with dense output) against the exact route ``method="expm"`` (``scipy.sparse.linalg.expm_multiply`` step by step
between the output times, an independent algorithm).

Tolerances: expectation values and every state entry agree with the exact route to 1e-8 (run at rtol 1e-10,
atol 1e-12, whose 2-norm error target is ~1e-10; the margin covers the summation of local errors); the trace is
conserved to 1e-10 (every Krylov vector is trace-free, so it holds to rounding at any tolerance); a stationary
state is reproduced to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from qbhw.errors import InvalidArgumentError
from qbhw.solvers.permutational import (
    PermutationalDicke,
    _propagate_krylov,
    dicke_operators,
    dicke_state,
)

RATES = ("emission", "dephasing", "pumping", "collective_emission", "collective_dephasing", "collective_pumping")


def _random_problem(n: int, rng: np.random.Generator):
    rates = {name: float(rng.uniform(0.0, 1.0)) for name in RATES}
    solver = PermutationalDicke(n, **rates)
    jx, jy, jz, _, _ = dicke_operators(n)
    a, b, c = rng.uniform(-2.0, 2.0, 3)
    h = a * jz + b * jx + c * jy
    return solver, h, (jx, jy, jz)


def _random_block_state(solver: PermutationalDicke, rng: np.random.Generator) -> np.ndarray:
    """A random density matrix, block diagonal in j (weights and blocks random), in the Dicke basis."""
    lay = solver.layout
    rho = np.zeros((solver.dimension, solver.dimension), dtype=complex)
    weights = rng.dirichlet(np.ones(lay.j.size))
    for b in range(lay.j.size):
        s = int(lay.size[b])
        z = rng.normal(size=(s, s)) + 1j * rng.normal(size=(s, s))
        blk = z @ z.conj().T
        idx = lay.full_indices(b)
        rho[np.ix_(idx, idx)] = weights[b] * blk / np.trace(blk).real
    return rho


GRIDS = {
    "uniform": np.linspace(0.0, 2.0, 9),
    "non_uniform": np.array([0.0, 1e-3, 0.01, 0.3, 0.31, 0.8, 1.7, 1.75, 2.5]),
    "late_start": np.array([0.4, 0.45, 1.0, 2.2, 3.0]),
}


@pytest.mark.parametrize("n", [3, 6, 11])
@pytest.mark.parametrize("grid", sorted(GRIDS))
def test_krylov_matches_exact_propagation(n, grid):
    rng = np.random.default_rng([n, len(grid)])
    solver, h, ops = _random_problem(n, rng)
    rho0 = _random_block_state(solver, rng)
    t = GRIDS[grid]
    exact = solver.solve(h, rho0, t, e_ops=list(ops), method="expm")
    kry = solver.solve(h, rho0, t, e_ops=list(ops), method="krylov", rtol=1e-10, atol=1e-12)
    assert kry.info["method"] == "krylov" and kry.info["evaluations"] > 0
    np.testing.assert_array_equal(kry.times, t)
    for a, b in zip(exact.expect, kry.expect):
        assert np.max(np.abs(a - b)) < 1e-8
    for sa, sb in zip(exact.states, kry.states):
        assert np.max(np.abs(sa.vector - sb.vector)) < 1e-8
    assert kry.trace_deviation < 1e-10


def test_dense_output_does_not_shorten_steps():
    """Many output times cost no extra products with G: the step sequence is set by the tolerance alone."""
    rng = np.random.default_rng(7)
    solver, h, (_, _, jz) = _random_problem(8, rng)
    rho0 = dicke_state(8, 4, -4)
    few = solver.solve(h, rho0, [0.0, 3.0], e_ops=[jz], method="krylov", rtol=1e-8, atol=1e-10)
    t = np.linspace(0.0, 3.0, 301)
    many = solver.solve(h, rho0, t, e_ops=[jz], method="krylov", rtol=1e-8, atol=1e-10, store_states=False)
    exact = solver.solve(h, rho0, t, e_ops=[jz], method="expm", store_states=False)
    assert many.info["evaluations"] <= few.info["evaluations"] + many.info["krylov_dim"] + 2
    assert many.info["steps"] < t.size // 4
    assert np.max(np.abs(many.expect[0] - exact.expect[0])) < 1e-6  # rtol 1e-8, ⟨J_z⟩ ≤ 4


def test_loose_tolerance_keeps_the_trace_and_the_error_bound():
    """At rtol 1e-6 / atol 1e-8 the 2-norm error stays below ~rtol ‖x‖ + atol; the trace still to rounding."""
    rng = np.random.default_rng(11)
    solver, h, _ = _random_problem(10, rng)
    rho0 = _random_block_state(solver, rng)
    t = np.linspace(0.0, 4.0, 41)
    exact = solver.solve(h, rho0, t, method="expm")
    kry = solver.solve(h, rho0, t, method="krylov", rtol=1e-6, atol=1e-8)
    err = max(np.linalg.norm(a.vector - b.vector) for a, b in zip(exact.states, kry.states))
    assert err < 1e-6
    assert kry.trace_deviation < 1e-10


def test_stationary_state_is_a_happy_breakdown():
    """Ground state with emission only: G x0 = 0, one product with G and the state unchanged."""
    n = 6
    solver = PermutationalDicke(n, emission=0.7, collective_emission=0.3)
    jz = dicke_operators(n)[2]
    ground = dicke_state(n, n / 2, -n / 2)
    res = solver.solve(0.0 * jz, ground, np.linspace(0.5, 5.0, 7), e_ops=[jz], method="krylov")
    assert res.info["evaluations"] == 1 and res.info["steps"] == 1
    np.testing.assert_allclose(res.expect[0], -n / 2, atol=1e-12)
    ref = solver.state(ground).vector
    for st in res.states:
        assert np.max(np.abs(st.vector - ref)) < 1e-12
    assert res.trace_deviation < 1e-12


def test_breakdown_inside_the_basis_is_exact():
    """A generator whose Krylov space from x0 has dimension 3 (< m): the invariant subspace is detected and
    one step gives e^{tG} x0 to rounding."""
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(40, 40)))
    d = np.zeros(40)
    d[:3] = [-0.5, -1.3, -2.0]
    gen = sp.csr_matrix(q @ np.diag(d) @ q.T)
    x0 = q[:, :3] @ rng.normal(size=3)
    t = np.array([0.0, 0.2, 1.0, 4.0])
    out = {}
    info = _propagate_krylov(gen, x0, t, 1e-8, 1e-10, lambda k, x: out.__setitem__(k, x.copy()), krylov_dim=10)
    assert info["steps"] == 1 and info["evaluations"] <= 4
    for k, tk in enumerate(t):
        exact = q @ (np.exp(d * tk) * (q.T @ x0))
        assert np.max(np.abs(out[k] - exact)) < 1e-12


def test_krylov_refuses_drives():
    n = 3
    solver = PermutationalDicke(n, emission=0.1)
    jx, _, jz, _, _ = dicke_operators(n)
    with pytest.raises(InvalidArgumentError):
        solver.solve(jz, dicke_state(n, n / 2, -n / 2), [0.0, 1.0], drives=[(jx, np.cos)], method="krylov")


def test_auto_is_krylov_without_drives_and_ode_with_them():
    n = 4
    solver = PermutationalDicke(n, emission=0.2, dephasing=0.1)
    jx, _, jz, _, _ = dicke_operators(n)
    rho0 = dicke_state(n, n / 2, -n / 2)
    assert solver.solve(jz + jx, rho0, [0.0, 1.0]).info["method"] == "krylov"
    assert solver.solve(jz, rho0, [0.0, 1.0], drives=[(jx, np.cos)]).info["method"] == "ode"
