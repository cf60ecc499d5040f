"""Exact and Aer backends behind one interface (states, shots, tomography, population bound)."""

import numpy as np
import pytest

from qbhw.backends import get_backend, read_curve
from qbhw.compile import parallel_charging, star_charging
from qbhw.models.star import StarBattery
from qbhw.solvers import charge

T = np.array([0.0, 0.5, 1.1, 1.8])


@pytest.fixture(scope="module")
def star():
    return star_charging(2, 0.6, max_step=0.1)


def test_exact_backend_is_the_model_solver(star):
    curve = get_backend("exact").run(star, T)
    ref = charge(StarBattery(2, 0.6), T)
    assert np.allclose(curve.energy, ref.energy, atol=1e-12) and np.allclose(curve.ergotropy, ref.ergotropy)
    assert np.allclose(curve.work, curve.energy)  # the battery starts empty


def test_statevector_and_density_matrix_agree_with_the_ideal_circuit(star):
    sv = get_backend("aer").run(star, T)
    dm = get_backend("aer:density_matrix").run(star, T)
    ideal = star.ideal_values(T)["energy"]
    assert np.allclose(sv.energy, ideal, atol=1e-9) and np.allclose(dm.energy, ideal, atol=1e-9)
    assert np.allclose(sv.ergotropy, dm.ergotropy, atol=1e-9)
    # the battery spin's state is diagonal (excitations conserved): 𝓔 = ω_b max(0, 2p_e − 1)
    assert np.allclose(sv.ergotropy, np.maximum(0, 2 * sv.energy - 1), atol=1e-9)
    assert np.all(sv.trotter_energy_bound >= 0)


def test_sampled_energy_error_bars_and_population_bound(star, tmp_path):
    shots = 4000
    curve = get_backend("aer").run(star, T, shots=shots, seed=11, results_dir=tmp_path)
    ideal = star.ideal_values(T)["energy"]
    p = ideal  # ω_b = 1: E = p_e
    sigma = np.sqrt(p * (1 - p) / shots)
    assert np.all(np.abs(curve.energy - ideal) <= 4 * sigma + 1e-12)  # 4σ shot-noise band
    assert np.allclose(curve.energy_stderr, sigma, rtol=0.1, atol=2e-3)  # binomial error bar
    exact_erg = np.maximum(0, 2 * ideal - 1)
    assert np.all(curve.ergotropy_lower_bound <= exact_erg + 8 * sigma + 1e-12)
    assert curve.ergotropy is None  # counts alone do not give the ergotropy
    stored = read_curve(tmp_path / "curve.json")
    assert np.allclose(stored.energy, curve.energy)


def test_tomography_ergotropy_of_two_cell_battery():
    """Parallel charging of 2 cells with α complex: the reduced state has coherences; tomography finds 𝓔."""
    prog = parallel_charging(2, alpha=0.5 * np.exp(0.4j))
    t = np.array([0.7, 2.0])
    exact = get_backend("aer").run(prog, t)
    tomo = get_backend("aer").run(prog, t, shots=3000, tomography=True, seed=5)
    # pure product state: 𝓔 = E (passive state = ground); tomography error ~ few/√shots
    assert np.allclose(exact.ergotropy, exact.energy, atol=1e-9)
    assert np.allclose(tomo.ergotropy, exact.ergotropy, atol=0.08)
    # the population bound misses the coherent part: here 𝓔_i < 𝓔 at t = 0.7 (p_e < 1/2 per cell)
    assert tomo.ergotropy_lower_bound[0] < exact.ergotropy[0] - 0.1


def test_sampled_model_curve_error_bars_never_zero():
    """Aer-sampled Dicke battery: σ_E > 0 everywhere incl. t = 0 (battery empty: every shot reads 0);
    the work is referred to the measured E(0): σ_W,i² = σ_E,i² + σ_E,0², W_0 ≡ 0 with σ = 0."""
    from qbhw.metrics import ChargingCurve
    from qbhw.models import DickeBattery

    t = np.array([0.0, 0.5, 1.0, 1.5])
    curve = get_backend("aer").run_model(DickeBattery(2, 0.3), t, shots=2000, seed=3)
    assert curve.energy[0] == 0.0 and np.all(curve.energy_stderr > 0)
    assert "energy_stderr" in ChargingCurve.__dataclass_fields__ and "energy_stderr" not in curve.observables
    assert curve.metadata["work_reference"] == "measured E(t=0)"
    assert curve.work_stderr[0] == 0.0 and curve.work[0] == 0.0
    assert np.allclose(curve.work_stderr[1:], np.hypot(curve.energy_stderr[1:], curve.energy_stderr[0]), rtol=1e-12)
    # a grid without t = 0: the reference is the exact initial energy, σ_W = σ_E
    later = get_backend("aer").run_model(DickeBattery(2, 0.3), t[1:], shots=2000, seed=3)
    assert np.array_equal(later.work_stderr, later.energy_stderr)
    # exact runs carry no standard errors
    exact = get_backend("aer").run_model(DickeBattery(2, 0.3), t)
    assert exact.energy_stderr is None and exact.work_stderr is None
