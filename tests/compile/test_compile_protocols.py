"""Compiled charging protocols: Aer statevector results agree with the exact solvers within the reported Trotter error.

Independent routes: the circuits run on Aer (C++ statevector); the references are the
symmetry-reduced models of qbhw.models via qbhw.charge (star sectors, Dicke/TC photon-sector
solvers, spin-chain/SYK/MBL exact solvers), closed forms, or an ODE. Tolerance of every check:
the rigorous commutator bound the program reports (plus 1e-9 round-off).
"""

import warnings

import numpy as np
import pytest

from qbhw.backends import get_backend
from qbhw.compile import (dicke_charging, direct_charging, global_charging, parallel_charging, rabi_charging,
                          single_qubit_drive, star_charging, tavis_cummings_charging, tfim_charging)
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.metrics import power_curve

ROUND = 1e-9  # round-off allowance on top of the rigorous bound


def _check_within_bound(program, times, *, require_nonzero_error=False):
    rep = program.trotter_report(times)
    aer = get_backend("aer").run(program, times)
    dev = np.abs(aer.energy - rep.energy_exact)
    assert np.all(dev <= rep.energy_bound + ROUND), (dev, rep.energy_bound)
    # the report's own noise-free circuit energies are what Aer computes
    assert np.allclose(aer.energy, rep.energy_circuit, atol=1e-9)
    # and the measured Trotter error never exceeds the rigorous bound
    assert np.all(rep.trotter_error <= rep.energy_bound + ROUND)
    if require_nonzero_error:
        assert rep.max_energy_error > 1e-8  # the comparison is not vacuous: Trotter error is visible
    return rep, aer


def test_parallel_and_global_charging_exact_and_gamma_equals_n():
    """Eqs. 16-18: E = N ω0 sin²(|α|t) resp. sin²(|α_N|t); equal norms |α_N| = N|α| give Γ = N (RR-05)."""
    n = 3
    t = np.linspace(0.0, 3.0, 61)
    par, glob = parallel_charging(n, alpha=0.4), global_charging(n, alpha_n=n * 0.4)
    for prog in (par, glob):
        rep = prog.trotter_report(t)
        assert rep.max_energy_error < 1e-12 and rep.max_energy_bound == 0.0  # exact circuits
    e_par = par.ideal_values(t)["energy"]
    e_glob = glob.ideal_values(t)["energy"]
    p_par = power_curve(t, e_par).max_average_power
    p_glob = power_curve(t, e_glob).max_average_power
    assert p_glob / p_par == pytest.approx(n, rel=2e-3)  # grid-limited τ̃ (61 points)


@pytest.mark.parametrize("n_chargers", [1, 2, 4, 6])
def test_star_pure_matches_sector_solver(n_chargers):
    """Star 𝒩 ≤ 6: XXPlusYY Trotter circuits vs StarBattery sectors (p_e = sin²(J√𝒩 t))."""
    prog = star_charging(n_chargers, 0.5, order=2, max_step=0.25)
    t = np.sort(np.array([0.0, 0.6, 1.1, np.pi / (2 * 0.5 * np.sqrt(n_chargers)) + 0.05]))
    rep, aer = _check_within_bound(prog, t, require_nonzero_error=n_chargers > 1)
    # closed form as a second independent check of the reference itself
    assert np.allclose(rep.energy_exact, np.sin(0.5 * np.sqrt(n_chargers) * t) ** 2, atol=1e-10)
    assert aer.ergotropy is not None


def test_star_first_order_and_step_convergence():
    t = np.array([1.0])
    errs, bounds, state = [], [], []
    for steps in (4, 8, 16):
        rep = star_charging(3, 0.5, order=1, steps=steps, max_step=None).trotter_report(t)
        errs.append(rep.trotter_error[0])
        bounds.append(rep.energy_bound[0])
        state.append(rep.state_error[0])
    assert all(e <= b for e, b in zip(errs, bounds))
    assert state[0] / state[2] == pytest.approx(4.0, rel=0.15)  # first order: state error ∝ 1/r
    assert errs[0] / errs[2] >= 3.5  # the energy error falls at least as fast


def test_star_high_temperature_polarisation():
    """Linear-response NMR state: signed ensemble of 2^{𝒩+1} bitstrings vs the model's P(t)."""
    prog = star_charging(3, 0.5, initial="high_temperature", max_step=0.2)
    t = np.array([0.0, 1.0, 1.66 / (0.5 * np.sqrt(3))])
    rep, aer = _check_within_bound(prog, t)
    assert rep.observables_exact["polarization"][0] == pytest.approx(-1.0)
    assert np.allclose(aer.polarization, rep.observables_exact["polarization"],
                       atol=2 * rep.energy_bound.max() / 0.5 + ROUND)  # P = 2E/ω_b
    assert aer.polarization[-1] > 1.0  # seed-spec §3.4: the battery ends up more polarised than a charger


def test_star_thermal_enumerated_and_sampled():
    t = np.array([0.0, 0.8, 1.6])
    exact = star_charging(3, 0.5, initial="thermal", beta=1.0, max_step=0.2)
    rep, _ = _check_within_bound(exact, t)
    assert np.max(rep.ensemble_error) < 1e-10  # enumerated ensemble = exact thermal state
    sampled = star_charging(3, 0.5, initial="thermal", beta=1.0, samples=400, seed=5, max_step=0.2)
    rep_s = sampled.trotter_report(t)
    assert np.all(rep_s.trotter_error <= rep_s.energy_bound + ROUND)
    # sampling error of 400 draws: per-member energies spread ≤ 1, so 4σ ≤ 4·0.5/√400 = 0.1
    assert np.max(rep_s.ensemble_error) < 0.1
    with pytest.raises(InvalidArgumentError):
        star_charging(3, 0.5, initial="thermal")
    with pytest.raises(ConfigError):
        star_charging(3, 0.5, initial="hot")


@pytest.mark.parametrize("n_cells,cutoff", [(1, 3), (2, 7), (4, 7)])
def test_dicke_truncated_cavity_matches_model(n_cells, cutoff):
    """Dicke N ≤ 4 with the cavity binary-encoded (cut-off 2^m − 1) vs DickeBattery at the same cut-off."""
    prog = dicke_charging(n_cells, 0.5, photons=n_cells, cutoff=cutoff, max_step=0.1, on_truncation="ignore")
    t = np.array([0.0, 0.4, 0.9])
    rep, aer = _check_within_bound(prog, t, require_nonzero_error=True)
    assert np.max(rep.ensemble_error) < 1e-9  # encoded Hamiltonian = model Hamiltonian (same cut-off)


def test_tavis_cummings_and_rabi_match_models():
    t = np.array([0.0, 0.7, 1.5])
    _check_within_bound(tavis_cummings_charging(2, 0.3, cutoff=3, max_step=0.1), t, require_nonzero_error=True)
    rep, _ = _check_within_bound(rabi_charging(0.5, cutoff=3, max_step=0.1, on_truncation="ignore"), t)
    assert np.max(rep.ensemble_error) < 1e-9


def test_spin_chain_xxz_eight_spins():
    from qbhw.models.spin_chain import SpinChainBattery

    model = SpinChainBattery(8, coupling=1.0, anisotropy=0.5, field=1.0, drive=1.0)
    prog = direct_charging(model, max_step=0.05)
    _check_within_bound(prog, np.array([0.0, 0.3, 0.6]), require_nonzero_error=True)


def test_syk_and_mbl_via_pauli_strings():
    from qbhw.models.mbl import MBLBattery
    from qbhw.models.syk import SYKBattery

    t = np.array([0.0, 0.5, 1.0])
    _check_within_bound(direct_charging(SYKBattery(4, 1.0, seed=3), max_step=0.1), t)
    _check_within_bound(direct_charging(MBLBattery(6, seed=2), max_step=0.05), t, require_nonzero_error=True)


def test_tfim_perth_circuits():
    """2 qubits: the single exact RXX(2Jt); 4 qubits: Trotterised vs exact propagation."""
    two = tfim_charging(2, 1, field_in_charging=False)
    assert dict(two.evolution_circuit(0.6).count_ops()) == {"rxx": 1}
    assert float(two.evolution_circuit(0.6).data[0].operation.params[0]) == pytest.approx(2 * -2.0 * 0.6)
    t = np.array([0.6, 0.8, 1.0])
    rep, _ = _check_within_bound(two, t)
    assert rep.max_energy_error < 1e-12
    # the reference (TransverseIsingBattery via qbhw.charge) against the closed form
    # |00⟩ → cos(Jt)|00⟩ − i sin(Jt)|11⟩: E = |h| + h cos(2Jt) = 2|h| sin²(Jt) for h < 0 (tol 1e-12)
    assert np.allclose(rep.energy_exact, 0.6 - 0.6 * np.cos(2 * -2.0 * t), atol=1e-12)
    _check_within_bound(tfim_charging(4, 2), np.array([0.2, 0.7, 1.2]), require_nonzero_error=True)


@pytest.mark.parametrize("envelope", ["square", "gaussian", "sine", "ramp"])
def test_gemme_drive_sequence_vs_ode(envelope):
    """Piecewise-constant gate sequence vs solve_ivp of the continuous drive, within the Duhamel bound."""
    prog = single_qubit_drive(envelope, amplitude=1.2, duration=np.pi, dt=0.1, detuning=0.2)
    t = np.array([0.0, 1.0, 2.05, np.pi])
    rep = prog.trotter_report(t)
    aer = get_backend("aer").run(prog, t)
    assert np.all(np.abs(aer.energy - rep.energy_exact) <= rep.energy_bound + 1e-7)  # ODE rtol 1e-10
    if envelope == "square":
        assert rep.max_energy_bound == 0.0 and rep.max_energy_error < 1e-8
    else:
        assert rep.max_energy_bound > 0


def test_gemme_resonant_ramp_is_exact_at_midpoints():
    """On resonance all rotations share one axis: midpoint sampling of a linear ramp is exact."""
    prog = single_qubit_drive("ramp", amplitude=1.0, duration=2.0, dt=0.1)
    t = np.linspace(0, 2.0, 5)
    rep = prog.trotter_report(t)
    area = 0.5 * t**2 / 2.0  # ∫Ω = t²/(2T) for Ω = t/T
    assert np.allclose(rep.energy_circuit, np.sin(area / 2) ** 2, atol=1e-12)
    assert rep.max_energy_error < 1e-8


def test_cavity_bad_input():
    with pytest.raises(InvalidArgumentError):
        dicke_charging(2, 0.5, photons=9, cutoff=7)
    with pytest.raises(InvalidArgumentError):
        dicke_charging(0, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ConfigError):
            dicke_charging(1, 0.5, on_truncation="sometimes")
