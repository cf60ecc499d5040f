"""The ``stirap_tuneup`` calibration routine: on simulated transmons with hidden true parameters it tunes a STIRAP
pair whose true final population of |2⟩ is at least 0.98 (and above that of the reference pair played on the
uncalibrated definition), measures that population within its errors, and recovers the true optimum of the delay
along its scan within the reported 95 % interval. On ``exact`` (the device is its description) the measured transfer
is the description's own prediction.

The description the routine starts from is the definition overlaid with a calibration record built from the hidden
truth (``backend._truth``): ν, ν + α, the T1 of levels 1 and 2, T2* = 1/(1/(2 T1) + 1/Tφ) and the readout assignment
matrix exactly, and ``pi_amp_01_ghz`` found by maximising the excited population of the routine's Gaussian on the
true device (``backend._player(True)``, the drive gain applied). These are the earlier routines' values; what is
tested here is the STIRAP tune-up alone. True populations are computed exactly on the truth (no readout)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from qbhw.backends.simulated import SimulatedTransmon
from qbhw.devices import ROUTINES, load
from qbhw.errors import InvalidArgumentError
from qbhw.protocols import Data, Results
from qbhw.protocols import stirap_tuneup as st
from qbhw.pulse import StirapPair
from qbhw.pulse.protocols import stirap_schedule

from calibration_truth import truth_description

DEVICE = "transmon_qutrit_stirap"
SEEDS = (0, 3, 6)  # seed 3: T1_2 ≈ 16 µs, Tφ ≈ 35 µs, near the worst of the drawn range
MIN_TRUE_TRANSFER = 0.98


def _true_transfer(backend, description, pair) -> float:
    """P(|2⟩) at the end of ``pair`` built against ``description`` and played on the hidden truth (no readout)."""
    return float(backend._player(True).populations([[stirap_schedule(pair).build(description)]])[0, 2])


@pytest.fixture(scope="module")
def tuned():
    out = {}
    for seed in SEEDS:
        backend = SimulatedTransmon(DEVICE, seed=seed)
        description = truth_description(backend, freq=True, ef_freq=True, t1=True, t2star=True, assignment=True,
                                        pi_01="excited")  # the record of the true values (module docstring)
        data = st.acquire(st.Parameters(device=description, seed=seed), backend)
        out[seed] = (backend, description, data, st.analyse(data))
    return out


@pytest.fixture(scope="module")
def exact_run():
    """On ``exact`` with a smaller model search than the default (the contract test of every routine,
    tests/protocols/test_calibration_routines.py, runs the defaults)."""
    data = st.acquire(st.Parameters(seed=3, model_rounds=2, model_candidates=16), "exact")
    return data, st.analyse(data)


@pytest.mark.parametrize("seed", SEEDS)
def test_tuned_pair_charges_the_hidden_device(seed, tuned):
    backend, description, _, results = tuned[seed]
    assert set(results.updates) == set(ROUTINES["stirap_tuneup"]), results.notes
    # the gain estimate from the calibrated π amplitude (exact here up to the optimiser's tolerance, 1e-4)
    assert results.gain_estimate == pytest.approx(backend._truth.drive_gain, rel=1e-4)
    true_p2 = _true_transfer(backend, description, st.pair_from_values(results.updates))
    assert true_p2 >= MIN_TRUE_TRANSFER, (true_p2, results.notes)
    # the reference pair on the uncalibrated definition (its carriers at the definition's ν and α) does worse
    reference = _true_transfer(backend, backend.device, StirapPair.reference())
    assert reference < true_p2, (reference, true_p2)
    # the measured transfer (mitigated with the exact assignment matrix: unbiased) within 4 standard errors
    assert abs(results.transfer - true_p2) <= 4 * results.transfer_stderr, (results.transfer, true_p2)
    assert results.transfer_ci95[0] <= results.transfer <= results.transfer_ci95[1]
    # the model's own prediction: the description is the truth but for the (estimated) gain
    assert results.model_transfer == pytest.approx(true_p2, abs=2e-3)
    for name, value in results.updates.items():
        assert value["settings"]["source"] == results.sources[name]
        assert (value["ci95"] is not None) == (results.sources[name] == "measured")


@pytest.mark.parametrize("seed", SEEDS)
def test_delay_vertex_covers_the_true_optimum_along_the_scan(seed, tuned):
    """The true optimum of the delay (exact populations on the truth, 25 delays across the scan at the scale the
    routine chose) lies in the fitted vertex's 95 % interval, widened by 0.05 σ for the residual bias of the
    peak model (its quartic terms; about 1 ns in repeated simulations)."""
    backend, _, data, results = tuned[seed]
    assert results.delay_fit_ns_ci95 is not None, results.notes
    model = data.metadata["model"]
    final, best = model["final_pair"], model["pair"]
    delays = np.asarray(data.raw["delays_ns"])
    grid = np.linspace(delays[0], delays[-1], 25)
    p2 = st.model_transfer(backend._truth.device, [st._pair(final, delay_ns=float(d)) for d in grid],
                           gain=backend._truth.drive_gain)
    assert 0 < np.argmax(p2) < len(grid) - 1  # an interior optimum: the scan brackets it
    true_delay = grid[np.argmax(p2)]
    lo, hi = results.delay_fit_ns_ci95
    slack = 0.05 * best["sigma_ns"]
    assert lo - slack <= true_delay <= hi + slack, (true_delay, (lo, hi), results.notes)
    if results.sources["stirap_delay_ns"] == "measured":
        assert results.updates["stirap_delay_ns"]["value"] == pytest.approx(results.delay_fit_ns)


def test_exact_backend_measures_the_descriptions_own_transfer(exact_run):
    data, results = exact_run
    assert data.backend == "exact" and set(results.updates) == set(ROUTINES["stirap_tuneup"])
    assert results.gain_estimate == 1.0 and any("gain" in n for n in results.notes)  # no calibrated π amplitude
    lo, hi = results.transfer_ci95
    assert lo <= results.model_transfer <= hi, (results.transfer, results.transfer_ci95, results.model_transfer)
    assert results.transfer >= MIN_TRUE_TRANSFER
    d = results.updates
    assert d["stirap_duration_ns"]["value"] == pytest.approx(200.0)
    assert 0.0 <= d["stirap_center_ns"]["value"] <= 200.0 and d["stirap_delay_ns"]["value"] > 0
    dev = load(DEVICE)
    assert d["stirap_amp_pump_ghz"]["value"] <= dev.channel_map["d0"].max_amp_ghz
    assert d["stirap_amp_stokes_ghz"]["value"] <= dev.channel_map["d1"].max_amp_ghz


def test_json_round_trip_plot_and_record_values(exact_run):
    data, results = exact_run
    d2 = Data.from_json(data.to_json())
    assert d2.parameters == data.parameters
    for key in ("counts", "delay_counts", "final_counts"):
        assert np.array_equal(d2.raw[key], data.raw[key])
    r2 = Results.from_json(results.to_json())
    assert type(r2) is st.Results and r2.updates == results.updates and r2.sources == results.sources
    assert r2.transfer_ci95 == results.transfer_ci95 and r2.delay_fit_ns_ci95 == results.delay_fit_ns_ci95
    again = st.analyse(d2)  # the analysis of the reloaded data gives the same values
    assert {k: v["value"] for k, v in again.updates.items()} == {k: v["value"] for k, v in results.updates.items()}
    assert isinstance(st.plot(data, results), Figure)
    values = results.values(run="runs/x")
    assert {v.routine for v in values} == {"stirap_tuneup"} and all(v.run == "runs/x" for v in values)


def test_too_few_shots_record_nothing():
    """50 shots per setting: too few for Gaussian errors, so nothing is recorded (and a note says why)."""
    p = st.Parameters(shots=50, seed=1, model_rounds=1, model_candidates=8)
    results = st.analyse(st.acquire(p, "exact"))
    assert results.updates == {} and any("shots" in n for n in results.notes)


def test_a_pair_that_cannot_transfer_records_nothing():
    """A 12 ns window is far too short for adiabatic transfer: the check stays below min_transfer."""
    p = st.Parameters(seed=1, duration_ns=12.0, model_rounds=1, model_candidates=8)
    results = st.analyse(st.acquire(p, "exact"))
    assert results.transfer < 0.9
    assert results.updates == {} and any("min_transfer" in n for n in results.notes)


@pytest.mark.parametrize("field, bad", [("scale_span", 0.0), ("num_delays", 3), ("min_transfer", 1.5),
                                        ("duration_ns", -5.0), ("model_candidates", 2)])
def test_bad_parameters_are_refused(field, bad):
    with pytest.raises(InvalidArgumentError) as err:
        st.Parameters(**{field: bad})
    assert err.value.argument == field


def test_peak_model_has_its_maximum_at_x0():
    x = np.linspace(-1, 1, 2001)
    y = st.peak(x, 0.99, 0.02, 0.1, 0.005)
    assert x[np.argmax(y)] == pytest.approx(0.1, abs=1e-3)
    assert math.isclose(st.peak(0.1, 0.99, 0.02, 0.1, 0.005), 0.99)
