"""Dense GKSL propagation route (``qbhw.solvers.lindblad``, ``method="dense"`` and ``"auto"`` for small spaces).

The dense route (``scipy.linalg.expm`` of the d² × d² generator, once per distinct step) is compared with the
sparse ``expm_multiply`` route, an independent algorithm (truncated Taylor series of the sparse generator), on
random problems: states agree to 1e-10 (max |entry| difference; both are exact up to round-off, observed
~1e-14). The dense power/leakage weights of ``charge_open`` are compared with the matrix-form rate
``Tr[H_B 𝓛[ρ]]`` / ``Tr[H_B 𝓓[ρ]]`` of each propagated state, to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

import qbhw
from qbhw.errors import ConfigError
from qbhw.models import OpenBattery, StarBattery, local_decoherence
from qbhw.solvers import evolve_lindblad
from qbhw.solvers.lindblad import DENSE_LIMIT, dissipator, lindblad_rate


def _random_problem(d, n_jumps=3, seed=11):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    h = 0.5 * (a + a.conj().T)
    jumps = [0.4 * (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))) for _ in range(n_jumps)]
    psi = rng.normal(size=d) + 1j * rng.normal(size=d)
    return h, jumps, psi / np.linalg.norm(psi)


GRIDS = {
    "uniform from 0": np.linspace(0.0, 4.0, 41),
    "uniform from its step": np.linspace(0.1, 4.0, 40),
    "uniform from an offset": np.linspace(0.37, 4.0, 25),
    "long uniform": np.linspace(0.0, 50.0, 1001),
    "repeated steps": np.array([0.0, 0.2, 0.4, 0.6, 1.5, 2.4, 2.45, 2.5]),
    "geometric": np.geomspace(0.01, 5.0, 12),
    "single time": np.array([1.3]),
    "two times": np.array([0.0, 2.0]),
}


@pytest.mark.parametrize("grid", sorted(GRIDS))
def test_dense_route_agrees_with_expm_multiply(grid):
    """Random d = 6 problem with 3 jump operators: dense and expm_multiply states agree to 1e-10."""
    h, jumps, psi = _random_problem(6)
    times = GRIDS[grid]
    dense = evolve_lindblad(h, psi, times, jumps, method="dense")
    sparse = evolve_lindblad(h, psi, times, jumps, method="expm")
    assert dense.method == "dense_expm" and sparse.method == "expm_multiply"
    assert len(dense.states) == len(sparse.states) == times.size
    assert max(np.abs(a - b).max() for a, b in zip(dense.states, sparse.states)) < 1e-10
    assert dense.trace_deviation < 1e-10 and dense.min_eigenvalue > -1e-10


def test_auto_route_choice():
    """"auto": dense for d² ≤ DENSE_LIMIT on a uniform grid, expm_multiply above it or on a grid with many
    distinct steps, ODE with drives; "dense" with drives is refused."""
    small = int(np.sqrt(DENSE_LIMIT))
    h, jumps, psi = _random_problem(small, n_jumps=1)
    assert evolve_lindblad(h, psi, np.linspace(0, 1, 5), jumps).method == "dense_expm"
    assert evolve_lindblad(h, psi, np.geomspace(0.01, 1, 40), jumps, store_states=False).method == "expm_multiply"
    h, jumps, psi = _random_problem(small + 1, n_jumps=1)
    assert evolve_lindblad(h, psi, np.linspace(0, 0.2, 3), jumps).method == "expm_multiply"
    drives = [(np.diag(np.arange(small + 1.0)), np.cos)]
    assert evolve_lindblad(h, psi, [0.0, 0.1], jumps, drives=drives).method == "ode"
    with pytest.raises(ConfigError):
        evolve_lindblad(h, psi, [0.0, 0.1], jumps, drives=drives, method="dense")


def test_dense_route_above_the_limit_on_request():
    """method="dense" also works above DENSE_LIMIT (d = 17): agrees with expm_multiply to 1e-10."""
    h, jumps, psi = _random_problem(17, n_jumps=1, seed=5)
    times = np.linspace(0.0, 0.5, 6)
    dense = evolve_lindblad(h, psi, times, jumps, method="dense")
    sparse = evolve_lindblad(h, psi, times, jumps)
    assert sparse.method == "expm_multiply"
    assert max(np.abs(a - b).max() for a, b in zip(dense.states, sparse.states)) < 1e-10


def test_open_charge_power_and_leakage_match_the_matrix_form():
    """charge() of a small open star battery (dense weights): energy Tr[H_B ρ], power Tr[H_B 𝓛[ρ]] and leakage
    Tr[H_B 𝓓[ρ]] of the states from evolve_lindblad, to 1e-12; the sparse route gives the same curve to 1e-10."""
    full = StarBattery(2, 0.6).full_space()  # d = 8
    model = OpenBattery(full, local_decoherence(full.dims, None, t1=3.0, tphi=5.0))
    times = np.linspace(0.0, 3.0, 16)
    curve = qbhw.charge(model, times)
    assert curve.metadata["lindblad_method"] == "dense_expm"
    h = model.charging_hamiltonian()
    jumps = model.jump_operators()
    hb = model.battery_hamiltonian()
    hb = hb.toarray() if hasattr(hb, "toarray") else np.asarray(hb)
    states = evolve_lindblad(h, model.initial_state(), times, jumps).states
    energy = [np.trace(hb @ r).real for r in states]
    power = [np.trace(hb @ lindblad_rate(h, jumps, r)).real for r in states]
    leakage = [np.trace(hb @ dissipator(jumps, r)).real for r in states]
    assert np.allclose(curve.energy, energy, atol=1e-12, rtol=0)
    assert np.allclose(curve.power.power, power, atol=1e-12, rtol=0)
    assert np.allclose(curve.observables["leakage"], leakage, atol=1e-12, rtol=0)
    sparse = qbhw.charge(model, times, method="expm")
    assert sparse.metadata["lindblad_method"] == "expm_multiply"
    assert np.allclose(curve.energy, sparse.energy, atol=1e-10, rtol=0)
    assert np.allclose(curve.ergotropy, sparse.ergotropy, atol=1e-10, rtol=0)
