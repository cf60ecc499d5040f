"""Cavity batteries: cut-offs, propagators, options and bad input."""

import warnings

import numpy as np
import pytest

import qbhw
from qbhw.errors import (
    ConfigError,
    InvalidArgumentError,
    InvalidTimesError,
    QbhwError,
    TruncationError,
    TruncationWarning,
)
from qbhw.models import DickeBattery, RabiBattery, TavisCummingsBattery
from qbhw.solvers import find_charging_time
from qbhw.solvers.chebyshev import chebyshev_propagate, gershgorin_bounds

# ------------------------------------------------------------------------------ cut-off


def test_auto_cutoff_is_converged_against_a_large_fixed_cutoff():
    # automatic window (edge population <= 1e-12) vs a much larger fixed cut-off (edge population
    # ~1e-45): energies agree to 1e-9. (Up to t = 2τ̃ at g = 0.5 the seed-spec
    # cut-off 2N + 20 = 32 is not enough: its edge population reaches ~1e-3, which charge() reports.)
    t = np.linspace(0.0, 1.2, 25)
    auto = qbhw.charge(DickeBattery(6, 0.5), t)
    fixed = qbhw.charge(DickeBattery(6, 0.5, cutoff=100), t)
    assert auto.metadata["cutoff_mode"] == "auto" and auto.metadata["max_cutoff_population"] <= 1e-12
    assert auto.metadata["cutoff"] < 100
    with pytest.raises(TruncationError):
        qbhw.charge(DickeBattery(6, 0.5, cutoff=32), t)
    np.testing.assert_allclose(auto.energy, fixed.energy, atol=1e-9, rtol=0)
    # the ergotropy (sorted eigenvalues of ρ_B, some nearly degenerate) is more sensitive: 1e-7
    np.testing.assert_allclose(auto.ergotropy, fixed.ergotropy, atol=1e-7, rtol=0)


def test_photon_window_with_lower_edge_is_converged():
    # for larger N the automatic window also drops low photon numbers; compare with the full
    # window [0, 2N + 20] (energy to 1e-8 relative to the charge N ω_0)
    n = 24
    model = DickeBattery(n, 0.05)
    tau = find_charging_time(model, "max_power")
    t = np.linspace(0.0, tau.tau, 6)
    auto = qbhw.charge(model, t, ergotropy=False)
    full = qbhw.charge(DickeBattery(n, 0.05, cutoff=2 * n + 20), t, ergotropy=False)
    np.testing.assert_allclose(auto.energy, full.energy, atol=1e-8 * n, rtol=0)


def test_too_small_cutoff_raises_or_warns():
    model = DickeBattery(4, 0.5, cutoff=5)  # photons = 4: the counter-rotating terms reach n = 5 at once
    t = np.linspace(0.0, 1.0, 5)
    with pytest.raises(TruncationError):
        qbhw.charge(model, t)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        qbhw.charge(model, t, on_truncation="warn")
    assert any(issubclass(w.category, TruncationWarning) for w in caught)
    assert model.cutoff_population(model.initial_state()) == 0.0


def test_tavis_cummings_fock_sector_is_exact_without_cutoff():
    # excitation number conserved: |n - k, k>, k = 0..N; nothing leaks, dimension N + 1
    model = TavisCummingsBattery(5, 0.3, photons=7)
    assert model.dimension == 6
    curve = qbhw.charge(model, np.linspace(0, 5, 11))
    assert curve.metadata["max_cutoff_population"] == 0.0


# -------------------------------------------------------------------------- propagators


@pytest.mark.parametrize("method", ["eigh", "chebyshev", "expm_multiply"])
def test_propagation_methods_agree(method):
    # the three propagators give the same curve (energy to 1e-10)
    model = DickeBattery(5, 0.3, cutoff=30)
    t = np.linspace(0.0, 3.0, 13)
    ref = qbhw.charge(model, t, method="eigh", ergotropy=False, on_truncation="ignore")
    other = qbhw.charge(model, t, method=method, ergotropy=False, on_truncation="ignore")
    np.testing.assert_allclose(other.energy, ref.energy, atol=1e-10, rtol=0)


def test_chebyshev_propagator_against_dense_exponential():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(40, 40)) + 1j * rng.normal(size=(40, 40))
    h = a + a.conj().T
    psi0 = rng.normal(size=40) + 1j * rng.normal(size=40)
    psi0 /= np.linalg.norm(psi0)
    t = np.array([0.0, 0.3, 1.1, 2.0])
    evals, vecs = np.linalg.eigh(h)
    lo, hi = gershgorin_bounds(h)
    assert lo <= evals[0] and evals[-1] <= hi
    for tk, psi in zip(t, chebyshev_propagate(h, psi0, t)):
        exact = vecs @ (np.exp(-1j * evals * tk) * (vecs.conj().T @ psi0))
        assert np.linalg.norm(psi - exact) < 1e-12


def test_power_is_the_derivative_of_the_energy():
    # analytic P(t) = 2 Im<H_B psi|H psi> against a finite difference of E(t) (tolerance 1e-6)
    model = DickeBattery(3, 0.4)
    t = np.linspace(1.0, 1.001, 3)
    curve = qbhw.charge(model, t, ergotropy=False)
    fd = (curve.energy[2] - curve.energy[0]) / (t[2] - t[0])
    assert abs(curve.power.power[1] - fd) < 1e-6


# ---------------------------------------------------------------------------- options


def test_rwa_dicke_is_tavis_cummings():
    t = np.linspace(0.0, 4.0, 9)
    a = qbhw.charge(DickeBattery(4, 0.2, rwa=True), t)
    b = qbhw.charge(TavisCummingsBattery(4, 0.2), t)
    np.testing.assert_allclose(a.energy, b.energy, atol=1e-12)


def test_coupling_scaling_rescales_the_coupling():
    # "1/sqrtN": g -> g/√N (seed-spec §2.6); "1/N": g -> g/N
    t = np.linspace(0.0, 5.0, 11)
    a = qbhw.charge(DickeBattery(4, 0.6, coupling_scaling="1/sqrtN"), t)
    b = qbhw.charge(DickeBattery(4, 0.3), t)
    np.testing.assert_allclose(a.energy, b.energy, atol=1e-10)
    assert DickeBattery(4, 0.8, coupling_scaling="1/N").effective_coupling == pytest.approx(0.2, abs=1e-15)
    assert a.metadata["coupling_scaling"] == "1/sqrtN"


def test_extended_dicke_reduces_to_dicke_without_interaction():
    t = np.linspace(0.0, 3.0, 7)
    a = qbhw.charge(DickeBattery(3, 0.3, atom_interaction=0.0), t)
    b = qbhw.charge(DickeBattery(3, 0.3), t)
    np.testing.assert_allclose(a.energy, b.energy, atol=1e-14)
    c = qbhw.charge(DickeBattery(3, 0.3, atom_interaction=1.0), t)
    assert np.max(np.abs(c.energy - b.energy)) > 1e-3  # the term does act


def test_coherent_charger_initial_state_and_charging():
    # coherent charger with mean photon number N (Andolina 2019): ⟨a†a⟩(0) = n̄ (1e-10), the
    # truncated Poisson state is normalised (1e-12), and most of the charge is transferred at τ̄
    model = DickeBattery(8, 0.05, charger="coherent")
    curve = qbhw.charge(model, np.linspace(0.0, 1.0, 3), ergotropy=False)
    assert abs(curve.photon_number[0] - 8.0) < 1e-10
    assert abs(np.linalg.norm(model.initial_state()) - 1.0) < 1e-12
    res = find_charging_time(model, "energy_peak")
    assert res.work > 0.5 * model.n_cells * model.omega_0


def test_two_photon_dicke_charges_at_resonance_and_refuses_spectral_collapse():
    model = DickeBattery.two_photon(2, 0.05)  # ω_0 = 2ω_c = 1, two photons per cell
    assert model.omega_0 == 2 * model.omega_c and model.photons == 4
    res = find_charging_time(model, "energy_peak")
    assert res.work > 0.5 * model.n_cells * model.omega_0  # most of the charge is transferred
    with pytest.raises(InvalidArgumentError):  # 2 g N >= ω_c: unbounded below
        DickeBattery.two_photon(2, 0.125)
    with pytest.raises(InvalidArgumentError):
        DickeBattery(4, 0.2, photon_order=2, omega_c=1.0)


def test_spectrum_spaces():
    model = DickeBattery(4, 0.1, omega_0=2.0)
    full = model.battery_spectrum("full")
    sym = model.battery_spectrum("symmetric")
    np.testing.assert_allclose(full.energies, 2.0 * np.arange(5))
    assert list(full.multiplicities) == [1, 4, 6, 4, 1]
    assert list(sym.multiplicities) == [1] * 5
    with pytest.raises(ConfigError):
        model.battery_spectrum("local")


def test_huge_multiplicities_are_exact():
    # N = 70: C(70, 35) > 2^62 is kept as an exact Python integer; for a state of the symmetric
    # sector the passive state fills 1 level at 0 and N levels at ω_0 (N + 1 eigenvalues at most),
    # so the ergotropy has a hand-countable value (1e-12); the full dimension is exactly 2^N
    from qbhw.metrics import as_hamiltonian, ergotropy

    n = 70
    rng = np.random.default_rng(3)
    a = rng.normal(size=(n + 1, 3)) + 1j * rng.normal(size=(n + 1, 3))
    rho = a @ a.conj().T
    rho /= np.trace(rho)
    capped = DickeBattery(n, 0.1).battery_spectrum("full")
    assert as_hamiltonian(capped).full_dimension == 2**n
    lam = np.sort(np.linalg.eigvalsh(rho))[::-1]
    passive = lam[1:].sum() * 1.0  # 1 state at energy 0, the other N at energy ω_0 = 1
    expected = float(np.real(np.dot(np.arange(n + 1), np.diag(rho)))) - passive
    assert abs(ergotropy(rho, capped) - expected) < 1e-12


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("n_cells", [0, -3, 2.5, True, "4"])
def test_bad_n_cells(n_cells):
    with pytest.raises(InvalidArgumentError):
        DickeBattery(n_cells, 0.1)
    with pytest.raises(InvalidArgumentError):
        TavisCummingsBattery(n_cells, 0.1)


@pytest.mark.parametrize("coupling", [-0.1, float("nan"), float("inf"), "x"])
def test_bad_coupling(coupling):
    for make in (lambda: DickeBattery(3, coupling), lambda: RabiBattery(coupling),
                 lambda: TavisCummingsBattery(3, coupling)):
        with pytest.raises(InvalidArgumentError) as err:
            make()
        assert err.value.argument == "coupling"


def test_bad_frequencies_and_options():
    with pytest.raises(InvalidArgumentError):
        DickeBattery(3, 0.1, omega_c=0.0)
    with pytest.raises(InvalidArgumentError):
        DickeBattery(3, 0.1, omega_0=float("nan"))
    with pytest.raises(ConfigError):
        DickeBattery(3, 0.1, coupling_scaling="1/N^2")
    with pytest.raises(ConfigError):
        DickeBattery(3, 0.1, charger="thermal")
    with pytest.raises(ConfigError):
        TavisCummingsBattery(3, 0.1, rwa=False)
    with pytest.raises(InvalidArgumentError):
        DickeBattery(3, 0.1, photons=-1)
    with pytest.raises(ConfigError):
        qbhw.charge(DickeBattery(2, 0.1), [0.0, 1.0], method="rk4")


def test_cutoff_below_initial_photon_number():
    with pytest.raises(TruncationError) as err:
        DickeBattery(4, 0.1, cutoff=3)  # photons = 4
    assert err.value.argument == "cutoff"
    with pytest.raises(TruncationError):
        RabiBattery(0.1, photons=5, cutoff=4)
    with pytest.raises(TruncationError):
        DickeBattery(2, 0.1, photons=6.5, charger="coherent", cutoff=6)


@pytest.mark.parametrize("times", [[0.0, 1.0, 0.5], [0.0, 0.0, 1.0], [0.0, float("nan")], [1.0]])
def test_times_not_increasing(times):
    with pytest.raises(InvalidTimesError):
        qbhw.charge(DickeBattery(2, 0.1), times)
    with pytest.raises(QbhwError):
        qbhw.solvers.advantage(DickeBattery(2, 0.1), times, tau="max_power")


def test_advantage_needs_a_convention_and_a_shareable_photon_number():
    with pytest.raises(ConfigError):
        qbhw.solvers.advantage(DickeBattery(2, 0.1), tau="peak")
    with pytest.raises(InvalidArgumentError):
        DickeBattery(3, 0.1, photons=4).parallel_reference()
