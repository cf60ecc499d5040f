"""Closed-system propagation: the two exact routes agree with each other, with scipy's dense expm and
with QuTiP's sesolve (independent solver); norm and trace are conserved."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as la
import scipy.sparse as sp

from qbhw.errors import ConfigError, DimensionMismatchError, InvalidTimesError
from qbhw.solvers import evolve, propagate


def random_hermitian(d, rng, density=1.0):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    if density < 1:
        a *= rng.random((d, d)) < density
    return (a + a.conj().T) / 2


@pytest.mark.parametrize("uniform", [True, False])
def test_eigh_and_expm_multiply_agree_with_dense_expm(uniform):
    rng = np.random.default_rng(0)
    h = random_hermitian(40, rng, density=0.2)
    psi0 = rng.normal(size=40) + 1j * rng.normal(size=40)
    psi0 /= np.linalg.norm(psi0)
    times = np.linspace(0, 3, 31) if uniform else np.sort(rng.uniform(0, 3, 17))
    ref = np.array([la.expm(-1j * h * t) @ psi0 for t in times])
    a = evolve(h, psi0, times, method="eigh")
    b = evolve(sp.csr_matrix(h), psi0, times, method="expm_multiply")
    assert np.max(np.abs(a - ref)) < 1e-10
    assert np.max(np.abs(b - ref)) < 1e-10
    assert np.max(np.abs(np.linalg.norm(b, axis=1) - 1)) < 1e-12  # norm conserved


def test_uniform_grid_in_several_chunks():
    rng = np.random.default_rng(1)
    h = sp.csr_matrix(random_hermitian(30, rng, density=0.3))
    psi0 = np.zeros(30, complex)
    psi0[0] = 1
    times = np.linspace(0.5, 5, 601)  # several chunks of 256, non-zero start
    got = np.array(list(propagate(h, psi0, times, method="expm_multiply", chunk=256)))
    ref = evolve(h.toarray(), psi0, times, method="eigh")
    assert np.max(np.abs(got - ref)) < 1e-10


@pytest.mark.parametrize("method", ["eigh", "expm_multiply"])
def test_density_matrix_propagation(method):
    rng = np.random.default_rng(2)
    h = random_hermitian(6, rng)
    g = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    rho0 = g @ g.conj().T
    rho0 /= np.trace(rho0)
    times = np.linspace(0, 2, 5)
    for t, rho in zip(times, propagate(h, rho0, times, method=method)):
        u = la.expm(-1j * h * t)
        assert np.max(np.abs(rho - u @ rho0 @ u.conj().T)) < 1e-10
        assert abs(np.trace(rho) - 1) < 1e-12  # trace conserved


def test_agrees_with_qutip_sesolve():
    qutip = pytest.importorskip("qutip")
    rng = np.random.default_rng(3)
    h = random_hermitian(12, rng)
    psi0 = np.zeros(12, complex)
    psi0[3] = 1
    times = np.linspace(0, 4, 41)
    res = qutip.sesolve(qutip.Qobj(h), qutip.Qobj(psi0), times,
                        options={"atol": 1e-12, "rtol": 1e-10, "nsteps": 100000})
    ref = np.array([s.full().ravel() for s in res.states])
    assert np.max(np.abs(evolve(h, psi0, times) - ref)) < 1e-8


def test_bad_input():
    h = np.eye(3)
    with pytest.raises(DimensionMismatchError):
        evolve(h, np.ones(2) / np.sqrt(2), [0, 1])
    with pytest.raises(InvalidTimesError):
        evolve(h, np.array([1, 0, 0]), [0, 2, 1])
    with pytest.raises(ConfigError):
        evolve(h, np.array([1, 0, 0]), [0, 1], method="rk4")
