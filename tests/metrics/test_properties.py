"""Hypothesis property tests of the figures of merit (issue: foundation, "What it must show").

* 0 ≤ 𝓔 ≤ E − E_min;  𝓔(passive state) = 0;
* spectrum-only quantities (passive energy, capacity, thermal bound's β̄) are invariant under unitaries;
* thermal states are completely passive (n-copy ergotropy 0);
* qiskit and numpy inputs give the same numbers.
Tolerances are stated in each assertion (absolute, in units of the Hamiltonian's scale).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import DensityMatrix, Operator, SparsePauliOp, Statevector, random_density_matrix
from scipy.stats import unitary_group

from qbhw.metrics import (
    antiergotropy,
    capacity,
    energy,
    energy_variance,
    ergotropy,
    gibbs_state,
    n_copy_ergotropy,
    passive_energy,
    passive_state,
    thermal_bound,
)

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def state_and_h(draw, dmin=2, dmax=5):
    d = draw(st.integers(dmin, dmax))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rank = draw(st.integers(1, d))
    g = rng.normal(size=(d, rank)) + 1j * rng.normal(size=(d, rank))
    rho = g @ g.conj().T
    rho /= np.trace(rho)
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    h = (a + a.conj().T) / 2
    if draw(st.booleans()):  # force degeneracies sometimes
        evals, vecs = np.linalg.eigh(h)
        evals = np.round(evals)
        h = (vecs * evals) @ vecs.conj().T
    return rho, h, rng


@SETTINGS
@given(state_and_h())
def test_ergotropy_bounds(data):
    rho, h, _ = data
    e_min = np.linalg.eigvalsh(h)[0]
    erg = ergotropy(rho, h)
    assert -1e-12 <= erg <= energy(rho, h) - e_min + 1e-10
    assert antiergotropy(rho, h) >= -1e-12


@SETTINGS
@given(state_and_h())
def test_passive_state_has_zero_ergotropy(data):
    rho, h, _ = data
    sigma = passive_state(rho, h)
    assert abs(ergotropy(sigma, h)) < 1e-10
    assert abs(energy(sigma, h) - passive_energy(rho, h)) < 1e-10


@SETTINGS
@given(state_and_h())
def test_spectral_quantities_invariant_under_unitaries(data):
    rho, h, rng = data
    u = unitary_group.rvs(rho.shape[0], random_state=rng)
    rho_u = u @ rho @ u.conj().T
    assert abs(passive_energy(rho_u, h) - passive_energy(rho, h)) < 1e-10
    assert abs(capacity(rho_u, h) - capacity(rho, h)) < 1e-10
    # ergotropy changes by exactly the energy change (passive energy is fixed)
    assert abs((ergotropy(rho_u, h) - ergotropy(rho, h)) - (energy(rho_u, h) - energy(rho, h))) < 1e-10
    tb, tbu = thermal_bound(rho, h), thermal_bound(rho_u, h)
    assert (np.isinf(tb.beta) and np.isinf(tbu.beta)) or abs(tb.beta - tbu.beta) < 1e-8 * max(1, tb.beta)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 4), st.floats(0.0, 5.0), st.integers(0, 2**32 - 1))
def test_thermal_states_completely_passive(d, beta, seed):
    rng = np.random.default_rng(seed)
    h = np.diag(np.sort(rng.uniform(0, 2, d)))
    u = unitary_group.rvs(d, random_state=rng)
    h = u @ h @ u.conj().T  # thermal state in a rotated basis
    g = gibbs_state(h, beta)
    for n in (1, 2, 3, 4):
        assert abs(n_copy_ergotropy(g, h, n)) < 1e-10


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_qiskit_and_numpy_inputs_agree(n_qubits, seed):
    dm = random_density_matrix(2**n_qubits, seed=seed)
    rng = np.random.default_rng(seed)
    labels = ["".join(rng.choice(list("IXYZ"), n_qubits)) for _ in range(3)]
    op = SparsePauliOp(labels, coeffs=rng.normal(size=3))
    h_np = op.to_matrix()
    for f in (energy, energy_variance, ergotropy, antiergotropy, capacity):
        ref = f(dm.data, h_np)
        assert abs(f(dm, op) - ref) < 1e-12
        assert abs(f(DensityMatrix(dm.data), Operator(h_np)) - ref) < 1e-12
    sv = Statevector.from_int(0, 2**n_qubits)
    assert abs(ergotropy(sv, op) - ergotropy(sv.data, h_np)) < 1e-12
