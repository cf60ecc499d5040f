"""Cavity batteries: the symmetry-reduced solver against a brute-force full-space solve.

The full-space model (N qubits ⊗ truncated cavity, little-endian, built from Pauli matrices
by ``full_space()``) is evolved by the generic ``charge()`` path (dense diagonalisation,
battery state by partial trace over the cavity, ergotropy over all 2^N cell states).
The reduced solver uses the symmetric sector, a conserved label and its own propagator.
Both use the same photon cut-off, so they must agree to round-off: tolerance 1e-8.
"""

from itertools import combinations

import numpy as np
import pytest

import qbhw
from qbhw.metrics import ergotropy, partial_trace
from qbhw.models import DickeBattery, RabiBattery, TavisCummingsBattery
from qbhw.solvers import propagate

TOL = 1e-8


def _compare(model, times):
    red = qbhw.charge(model, times, on_truncation="ignore")
    full = qbhw.charge(model.full_space(), times)
    np.testing.assert_allclose(red.energy, full.energy, atol=TOL, rtol=0)
    np.testing.assert_allclose(red.work, full.work, atol=TOL, rtol=0)
    np.testing.assert_allclose(red.ergotropy, full.ergotropy, atol=TOL, rtol=0)
    np.testing.assert_allclose(red.power.power, full.power.power, atol=TOL, rtol=0)
    return red, full


CASES = [
    pytest.param(lambda: RabiBattery(0.3, cutoff=12), id="rabi-N1"),
    pytest.param(lambda: DickeBattery(2, 0.5, cutoff=14), id="dicke-N2-g0.5"),
    pytest.param(lambda: DickeBattery(3, 0.2, omega_c=1.3, cutoff=12), id="dicke-N3-offresonant"),
    pytest.param(lambda: DickeBattery(4, 0.05, cutoff=12), id="dicke-N4-g0.05"),
    pytest.param(lambda: DickeBattery(3, 0.4, photons=2, cutoff=12), id="dicke-N3-n2"),
    pytest.param(lambda: DickeBattery(3, 0.6, coupling_scaling="1/sqrtN", cutoff=12), id="dicke-N3-1/sqrtN"),
    pytest.param(lambda: DickeBattery(3, 0.3, photons=2.5, charger="coherent", cutoff=22), id="dicke-coherent"),
    pytest.param(lambda: DickeBattery(3, 0.3, atom_interaction=0.7, cutoff=12), id="extended-dicke"),
    pytest.param(lambda: DickeBattery.two_photon(2, 0.1, cutoff=16), id="two-photon-dicke"),
    pytest.param(lambda: DickeBattery(2, 0.3, rwa=True, photon_order=2, photons=3, cutoff=3), id="two-photon-rwa"),
    pytest.param(lambda: TavisCummingsBattery(3, 0.4, photons=3.0, charger="coherent", cutoff=20), id="tc-coherent"),
    pytest.param(lambda: TavisCummingsBattery(4, 0.25, omega_c=0.9, photons=5), id="tc-N4-offresonant"),
]


@pytest.mark.parametrize("make", CASES)
def test_reduced_solver_matches_full_space(make):
    model = make()
    times = np.linspace(0.0, 6.0, 7)
    red, full = _compare(model, times)
    assert np.max(red.energy) > 1e-3  # the battery actually charges on this window


def test_tavis_cummings_n8_matches_full_space():
    # N = 8 with the Fock charger |8>|G>: the reduced problem is the 9-state excitation manifold,
    # the full space 2^8 x 9 = 2304 (sparse propagation; battery state = partial trace over the
    # cavity done here by a reshape, ergotropy over all 256 cell states). Tolerance 1e-8.
    model = TavisCummingsBattery(8, 0.1)
    assert model.dimension == 9
    times = np.linspace(0.0, 4.0, 5)
    red = qbhw.charge(model, times)
    full = model.full_space()
    h = full.charging_hamiltonian()
    hb_local = full.h_battery_local
    for k, psi in enumerate(propagate(h, full.initial_state(), times, method="expm_multiply")):
        amp = psi.reshape(full.dims[-1], 2**8)  # cavity is the most significant factor
        rho_b = amp.T @ amp.conj()
        assert abs(np.real(np.trace(hb_local @ rho_b)) - red.energy[k]) < TOL
        assert abs(ergotropy(rho_b, hb_local) - red.ergotropy[k]) < TOL
    assert red.metadata["max_cutoff_population"] == 0.0
    assert np.max(red.energy) > 1.0


def _dicke_states(n_cells):
    """Columns: the symmetric Dicke states |J = N/2, k excited> in the little-endian qubit basis."""
    d = np.zeros((2**n_cells, n_cells + 1))
    for k in range(n_cells + 1):
        for ones in combinations(range(n_cells), k):
            d[sum(1 << i for i in ones), k] = 1.0
        d[:, k] /= np.sqrt(d[:, k].sum())
    return d


@pytest.mark.parametrize("rwa", [False, True])
def test_battery_state_is_the_full_space_partial_trace(rwa):
    # the reduced TLS state in the |J, m> basis, mapped onto the Dicke states, equals the partial
    # trace of the full-space state over the cavity (tolerance 1e-8)
    model = DickeBattery(3, 0.35, cutoff=10, rwa=rwa)
    full = model.full_space()
    t = np.array([1.7])
    psi_red = next(propagate(model.charging_hamiltonian(), model.initial_state(), t))
    psi_full = next(propagate(full.charging_hamiltonian(), full.initial_state(), t))
    rho_red = model.battery_state(psi_red)
    rho_full = partial_trace(psi_full, list(range(3)), full.dims)
    d = _dicke_states(3)
    np.testing.assert_allclose(d @ rho_red @ d.T, rho_full, atol=TOL)
    # ergotropy over all 2^N levels from the reduced state equals the full-space one
    h_local = full.h_battery_local
    assert abs(ergotropy(rho_red, model.battery_spectrum("full")) - ergotropy(rho_full, h_local)) < TOL


def test_full_space_is_little_endian():
    # cell 0 is the least-significant (rightmost) factor: H_B on |..001> (cell 0 excited) is omega_0
    model = DickeBattery(2, 0.1, omega_0=1.7, cutoff=3)
    full = model.full_space()
    hb = np.real(np.diag(full.h_battery_local))
    np.testing.assert_allclose(hb, [0.0, 1.7, 1.7, 3.4], atol=1e-14)
    assert full.dims == [2, 2, 4]
    # initial state |n = 2> (cavity, most significant) ⊗ |00>
    assert abs(full.initial_state()[2 * 4]) == 1.0
