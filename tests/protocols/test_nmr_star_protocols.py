"""The NMR star-topology protocols (nmr_star_charging, nmr_star_storage) and their sequence builders
(qbhw.pulse.nmr): the public contract of the parameters, the ideal limits, the fits and the errors.

Tolerances (each stated where it is used): the Hartmann–Hahn pulse curve without relaxation at the generic
molecule's RF limits (25/50 kHz, J = 10 Hz) agrees with the idealised star to 1e-3 in energy (the finite hard
pulses contribute J·t_90 ≈ 1e-4 per pulse, the lock J√𝒩/ν1 ≈ 6e-4); INEPT with 10 µs hard pulses agrees with its
ideal formula to 2e-3 relative; exact-data fits return the truth to 1e-6; noisy fits contain the truth in their
95 % intervals (fixed seeds).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from qbhw import protocols
from qbhw.devices.nmr import generic_star, molecule_for, molecule_names
from qbhw.errors import ConfigError, InvalidArgumentError, InvalidTimesError
from qbhw.protocols import Data, Results
from qbhw.protocols import nmr_star_charging as charging
from qbhw.protocols import nmr_star_storage as storage
from qbhw.pulse import nmr as seq

pytestmark = pytest.mark.filterwarnings("ignore:averaged propagation:RuntimeWarning")


def _round_trip(data, results):
    d2 = Data.from_json(data.to_json())
    assert d2.parameters == data.parameters and np.array_equal(d2.curve.energy, data.curve.energy)
    r2 = Results.from_json(results.to_json())
    assert type(r2) is type(results)
    for name, value in vars(results).items():
        if name in ("fit", "notes"):
            continue
        other = getattr(r2, name)
        assert (math.isnan(other) if isinstance(value, float) and math.isnan(value) else other == value), name


# ---------------------------------------------------------------------------------------------
# the public contract
def test_registered_with_the_contract_fields():
    for name in ("nmr_star_charging", "nmr_star_storage"):
        proto = protocols.get(name)
        assert set(proto.BACKENDS) == {"exact", "pulse"}
        p = proto.Parameters()
        assert p.n_chargers == 4 and p.molecule is None  # default: the 𝒩 = 4 molecule
        assert p.resolved_molecule() == molecule_for(4)
        assert proto.Parameters(n_chargers=3).resolved_molecule() == molecule_for(3)
        assert p == proto.Parameters.from_dict(json.loads(json.dumps(p.to_dict())))


def test_molecule_and_n_chargers_must_agree():
    mol = generic_star(2)
    p = charging.Parameters(molecule=mol)
    assert p.n_chargers == 2 and p.resolved_molecule() == mol
    assert charging.Parameters(molecule=mol.to_dict(), n_chargers=2) == p  # a dict is read as the molecule
    back = charging.Parameters.from_dict(json.loads(json.dumps(p.to_dict())))
    assert back == p and hash(back) == hash(p)
    for bad in (mol, mol.to_dict()):
        with pytest.raises(ConfigError) as e:
            storage.Parameters(molecule=bad, n_chargers=3)
        assert e.value.argument == "molecule"
    with pytest.raises(ConfigError) as e:
        charging.Parameters(molecule="no_such_molecule")
    assert e.value.argument == "molecule"


@pytest.mark.parametrize("name", molecule_names())
def test_a_shipped_molecule_name_with_other_chargers_is_refused(name):
    n = charging.Parameters(molecule=name).n_chargers
    assert charging.Parameters(molecule=name).resolved_molecule().name == name
    with pytest.raises(ConfigError) as e:
        charging.Parameters(molecule=name, n_chargers=n + 1)
    assert e.value.argument == "molecule"


# ---------------------------------------------------------------------------------------------
# sequence builders
def test_hard_pulses_sit_on_the_grid_with_the_exact_angle():
    s = seq.hard_pulse("rf_b", math.pi / 2, seq.PHASE_Y, 30000.0, 50.0)
    wf = s.children[0].waveform
    # 90° at 30 kHz: 8333.3 ns → 167 samples of 50 ns, amplitude lowered so that 2π·amp·T = π/2
    assert wf.duration_ns == 167 * 50.0 and wf.angle == pytest.approx(math.pi / 2)
    assert 2 * math.pi * wf.amp_ghz * wf.duration_ns == pytest.approx(math.pi / 2, rel=1e-12)
    assert wf.amp_ghz <= 30000e-9
    loose = seq.hard_pulse("rf_b", math.pi / 2, 0.0, 30000.0, 50.0, exact_angle=False).children[0].waveform
    assert loose.duration_ns == 167 * 50.0 and loose.amp_ghz == pytest.approx(3e-5)
    assert seq.hard_pulse("rf_b", 0.0, 0.0, 30000.0, 50.0).duration_ns == 0.0
    block = seq.simultaneous_pulses([("rf_b", math.pi, 0.0, 25000.0), ("rf_c", math.pi, 0.0, 50000.0)], 50.0)
    starts = {ins.channel: t for t, ins in block.timed_instructions() if type(ins).__name__ == "Play"}
    assert block.duration_ns == 20000.0 and starts == {"rf_b": 0.0, "rf_c": 5000.0}  # centred
    lock = seq.spin_lock(["rf_b", "rf_c"], 1e6 + 20.0, [5000.0, 4000.0], 50.0)
    assert lock.duration_ns == 1e6 and {c.waveform.angle for c in lock.children} == {0.0}
    hh = seq.hartmann_hahn_transfer("rf_b", "rf_c", 2e6, lock_nutation_hz=5000, pulse_nutation_battery_hz=25000,
                                    pulse_nutation_chargers_hz=50000, dt_ns=50.0, mismatch_hz=100.0)
    assert [c.waveform.amp_ghz for c in hh.lock.children] == [pytest.approx(5100e-9), pytest.approx(5000e-9)]
    assert np.allclose(hh.record_ns([0.0, 1e6]), hh.prefix_ns + np.array([0.0, 1e6]))
    assert hh.schedule().duration_ns == pytest.approx(hh.prefix_ns + 2e6 + hh.readout.duration_ns)


def test_builders_refuse_bad_arguments():
    with pytest.raises(InvalidArgumentError) as e:
        seq.hard_pulse("rf_b", -1.0, 0.0, 1e4, 50.0)
    assert e.value.argument == "angle_rad"
    with pytest.raises(InvalidArgumentError) as e:
        seq.hard_pulse("rf_b", 1.0, 0.0, 0.0, 50.0)
    assert e.value.argument == "nutation_hz"
    with pytest.raises(InvalidArgumentError) as e:
        seq.hartmann_hahn_transfer("rf_b", "rf_b", 1e6, lock_nutation_hz=1e3, pulse_nutation_battery_hz=1e4,
                                   pulse_nutation_chargers_hz=1e4, dt_ns=50.0)
    assert e.value.argument == "charger_channel"
    with pytest.raises(InvalidArgumentError) as e:
        seq.hartmann_hahn_transfer("rf_b", "rf_c", 1e6, lock_nutation_hz=1e3, pulse_nutation_battery_hz=1e4,
                                   pulse_nutation_chargers_hz=1e4, dt_ns=50.0, mismatch_hz=-2e3)
    assert e.value.argument == "mismatch_hz"
    with pytest.raises(InvalidArgumentError) as e:
        seq.inept_transfer("rf_b", "rf_c", coupling_hz=10.0, n_chargers=2, nutation_battery_hz=1e4,
                           nutation_chargers_hz=1e4, dt_ns=50.0, delta_ns=1000.0)
    assert e.value.argument == "delta_ns"
    with pytest.raises(InvalidArgumentError) as e:
        seq.inept_delays(0.0, 2)
    assert e.value.argument == "coupling_hz"


# ---------------------------------------------------------------------------------------------
# charging
def test_hartmann_hahn_pulse_curve_without_relaxation_is_the_ideal_star():
    """Tolerance 1e-3 in energy per unit ε_B (J/ν1 and J·t_90 corrections, see the module docstring)."""
    p = charging.Parameters(n_chargers=2, relaxation=False, method="exact",
                            times_ms={"start": 0.0, "stop": 150.0, "num": 31})
    pulse = charging.acquire(p, "pulse")
    exact = charging.acquire(p, "exact")
    assert np.array_equal(pulse.curve.times, exact.curve.times)
    assert np.max(np.abs(pulse.curve.energy - exact.curve.energy)) < 1e-3
    # the exact backend is StarBattery(high_temperature, coupling πJ/2, charger_weight w) itself
    import qbhw
    from qbhw.models import StarBattery

    mol = p.resolved_molecule()
    ref = qbhw.charge(StarBattery(2, math.pi * mol.coupling_hz / 2, 1.0, "high_temperature",
                                  charger_weight=mol.charger_weight), exact.curve.times)
    assert np.allclose(exact.curve.energy, ref.energy, atol=1e-10)
    assert np.allclose(exact.curve.polarization, ref.polarization, atol=1e-10)
    assert np.allclose(exact.curve.ergotropy, ref.ergotropy, atol=1e-10)
    res = charging.analyse(exact)
    assert res.coupling_hz == pytest.approx(mol.coupling_hz, rel=1e-6)  # exact data: the truth
    # 𝒩 = 2: the first maximum of the high-temperature star is at (π|J|/2)√𝒩 t = π/2
    assert res.ideal_first_max_phase == pytest.approx(math.pi / 2, rel=1e-6)
    assert res.first_max_phase == pytest.approx(math.pi / 2, rel=2e-3)
    assert res.max_deviation_from_ideal < 1e-12
    rp = charging.analyse(pulse, fit=False)
    assert 0 < rp.max_deviation_from_ideal < 1e-3
    assert any("finite RF power" in n for n in rp.notes)
    assert isinstance(charging.plot(pulse, rp), Figure)
    _round_trip(exact, res)


def test_fit_recovers_coupling_and_charger_t2_within_the_interval():
    """Noisy averaged-method data of a molecule whose J and T2 differ from the nominal description: the 95 %
    intervals of the fit (theory: the same simulation, nominal molecule with J and T2 replaced) hold the truth."""
    nominal = generic_star(2)
    truth = nominal.replace(coupling_hz=11.0, chargers={**nominal.chargers.to_dict(), "t2_s": 0.4})
    p = charging.Parameters(molecule=truth, shots=64, seed=5,
                            times_ms={"start": 0.0, "stop": 200.0, "num": 25})
    data = charging.acquire(p, "pulse")
    data.metadata["molecule"] = nominal.to_dict()  # the analysis knows only the nominal molecule
    res = charging.analyse(data, scan_points=7)
    assert res.fit.ok, res.notes
    assert res.fit.parameter("coupling_hz").contains(11.0), res.coupling_hz_ci95
    assert res.fit.parameter("t2_chargers_s").contains(0.4), res.t2_chargers_s_ci95
    assert abs(res.coupling_hz - 11.0) < 0.3 and abs(res.t2_chargers_s - 0.4) < 0.15
    assert data.curve.energy_stderr is not None and data.curve.ergotropy is None


def test_inept_single_charger_reaches_the_analytic_efficiency():
    """𝒩 = 1 at τ = Δ = 1/(4J): P_z = w (complete transfer), energy (1 + w)/2; 𝒩 = 2 over Δ: the
    Doddrell–Pegg–Bendall curve w 𝒩 sin θ cos^{𝒩−1} θ (tolerance 2e-3 relative, 10 µs hard pulses)."""
    mol = generic_star(1)
    w = mol.charger_weight
    tau, delta = seq.inept_delays(mol.coupling_hz, 1)
    assert tau == delta == pytest.approx(1 / (4 * mol.coupling_hz))
    p = charging.Parameters(molecule=mol, transfer="inept", relaxation=False, method="exact",
                            times_ms=(0.25 * delta * 1e3, 0.5 * delta * 1e3, delta * 1e3))
    data = charging.acquire(p, "pulse")
    assert data.curve.polarization[-1] == pytest.approx(w, rel=2e-3)
    assert data.curve.energy[-1] == pytest.approx((1 + w) / 2, rel=2e-3)
    ideal = seq.inept_ideal_bloch(1, mol.coupling_hz, w, tau, data.curve.times)
    assert np.allclose(data.curve.polarization, ideal[:, 2], rtol=2e-3)
    mol2 = generic_star(2, battery_isotope="29Si")  # γ < 0: the g/e phases make no difference
    p2 = charging.Parameters(molecule=mol2, transfer="inept", relaxation=False, method="exact",
                             times_ms={"start": 2.0, "stop": 30.0, "num": 8})
    d2 = charging.acquire(p2, "pulse")
    ideal2 = seq.inept_ideal_bloch(2, mol2.coupling_hz, mol2.charger_weight, tau, d2.curve.times)
    assert np.allclose(d2.curve.observables["bloch"], ideal2, atol=2e-3 * mol2.charger_weight)
    r2 = charging.analyse(charging.acquire(p2, "exact"))
    assert r2.coupling_hz == pytest.approx(10.0, rel=1e-6)
    assert r2.ideal_first_max_phase == pytest.approx(math.pi / 4)  # sin θ = 1/√2


def test_charging_time_exponent_of_the_ideal_star():
    """τ ∝ 𝒩^{−α}: the idealised star gives α ≈ 1/2 (0.43 over 𝒩 = 1…4: the high-temperature first maximum drifts
    from (π|J|/2)√𝒩τ = π/2 at 𝒩 ≤ 2 to 1.72 at 𝒩 = 4); tolerance: |α − 0.5| < 0.08, phases to 2e-3."""
    res = charging.charging_time_versus_n((1, 2, 3, 4), "exact", times_ms={"start": 0.0, "stop": 120.0, "num": 241})
    assert res.n_values == (1, 2, 3, 4)
    assert abs(res.alpha - 0.5) < 0.08 and res.alpha_ci95[0] < 0.5 < res.alpha_ci95[1]
    assert res.phases[0] == pytest.approx(math.pi / 2, rel=2e-3) and res.phases[1] == pytest.approx(math.pi / 2,
                                                                                                     rel=2e-3)
    assert res.phases[3] == pytest.approx(1.722, rel=5e-3)
    json.dumps(res.to_dict(), allow_nan=False)
    with pytest.raises(InvalidArgumentError) as e:
        charging.charging_time_versus_n((2, 2, 3))
    assert e.value.argument == "n_values"


# ---------------------------------------------------------------------------------------------
# storage
def test_storage_decays_with_the_battery_t1():
    """Exact: the energy (1 + P_z)/2 decays as e^{−t/T1,B}: lifetime = T1 to 1e-6, half-life T1 ln 2; pulse
    (averaged charge, free evolution): the same law to 1e-3, and a discharge at long storage delivers only the
    thermal baseline (net 0 to 1e-3)."""
    mol = generic_star(1)
    t1 = mol.battery.t1_s
    p = storage.Parameters(molecule=mol, storage_s={"start": 0.0, "stop": 60.0, "num": 13})
    exact = storage.acquire(p, "exact")
    r = storage.analyse(exact)
    assert r.lifetime_s == pytest.approx(t1, rel=1e-6) and r.lifetime_over_t1 == pytest.approx(1.0, rel=1e-6)
    assert r.half_life_s == pytest.approx(t1 * math.log(2), rel=1e-6)
    assert r.initial_energy == pytest.approx((1 + mol.charger_weight) / 2, rel=1e-9)  # 𝒩 = 1: complete swap
    pulse = storage.acquire(p, "pulse")
    rp = storage.analyse(pulse)
    assert rp.lifetime_s == pytest.approx(t1, rel=1e-3)
    # the stored charge is the charging protocol's energy at the same lock (the ideal one lowered by T2 during the
    # 100 ms lock): tolerance 1e-6
    ch = charging.acquire(charging.Parameters(molecule=mol, times_ms=(0.0, rp.charge_ms)), "pulse")
    assert rp.initial_energy == pytest.approx(ch.curve.energy[-1], rel=1e-6)
    assert 0.9 * r.initial_energy < rp.initial_energy < r.initial_energy
    e = pulse.curve.energy
    assert np.allclose(e / e[0], np.exp(-pulse.curve.times / t1), atol=1e-3)
    delivered = pulse.curve.observables["delivered_energy"]
    assert delivered[-1] == pytest.approx(rp.discharge_baseline, abs=1e-3)
    # the discharge is reported once the chargers have relaxed (≥ 5 T1,C = 15 s): 𝒩 = 1 swaps completely, so the
    # battery gives back all its stored energy (ideal: fraction 1 − F(t_d) = 1; pulse: T2 during the lock, 5 %)
    assert r.discharge_at_s == rp.discharge_at_s == 15.0
    assert r.discharge_fraction == pytest.approx(1.0, abs=1e-6)
    assert rp.discharge_fraction == pytest.approx(1.0, abs=0.05)
    assert isinstance(storage.plot(pulse, rp), Figure)
    _round_trip(pulse, rp)


# ---------------------------------------------------------------------------------------------
# errors
@pytest.mark.parametrize("module,bad,error,argument", [
    (charging, {"transfer": "swap"}, ConfigError, "transfer"),
    (charging, {"n_chargers": 0}, InvalidArgumentError, "n_chargers"),
    (charging, {"times_ms": [0.0, 2.0, 1.0]}, InvalidTimesError, "times_ms"),
    (charging, {"tau_ms": 5.0}, ConfigError, "tau_ms"),
    (charging, {"transfer": "inept", "mismatch_hz": 100.0}, ConfigError, "mismatch_hz"),
    (charging, {"method": "fast"}, ConfigError, "method"),
    (charging, {"relaxation": "yes"}, InvalidArgumentError, "relaxation"),
    (charging, {"noise_per_scan": 0.0}, InvalidArgumentError, "noise_per_scan"),
    (storage, {"storage_s": [-1.0, 1.0]}, InvalidTimesError, "storage_s"),
    (storage, {"discharge": False, "discharge_ms": 10.0}, ConfigError, "discharge_ms"),
    (storage, {"molecule": 3}, ConfigError, "molecule"),
])
def test_bad_parameters_name_the_field(module, bad, error, argument):
    with pytest.raises(error) as e:
        module.Parameters(**bad)
    assert e.value.argument == argument


def test_bad_runs_are_refused_before_anything_runs():
    small = {"n_chargers": 1, "times_ms": (0.0, 10.0)}
    with pytest.raises(ConfigError) as e:
        charging.acquire(charging.Parameters(lock_nutation_hz=1e6, **small), "pulse")
    assert e.value.argument == "lock_nutation_hz"
    with pytest.raises(ConfigError) as e:
        charging.acquire(charging.Parameters(offset_battery_hz=50.0, **small), "exact")
    assert e.value.argument == "offset_battery_hz"
    with pytest.raises(ConfigError) as e:
        charging.acquire(charging.Parameters(shots=10, **small), "exact")
    assert e.value.argument == "shots"
    with pytest.raises(ConfigError) as e:
        charging.acquire(charging.Parameters(**small), "aer")
    assert e.value.argument == "backend"
    with pytest.raises(InvalidArgumentError) as e:
        charging.acquire(charging.Parameters(n_chargers=1, transfer="inept", times_ms=(0.001, 1.0)), "pulse")
    assert e.value.argument == "times_ms"
    with pytest.raises(ConfigError) as e:
        storage.acquire(storage.Parameters(n_chargers=1, offset_chargers_hz=5.0, storage_s=(0.0, 1.0)), "exact")
    assert e.value.argument == "offset_chargers_hz"
