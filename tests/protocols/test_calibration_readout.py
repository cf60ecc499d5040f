"""The ``readout`` routine: the assignment matrix A[i][j] = P(read i | prepared j) of a simulated transmon with a
hidden truth, from |0>, |1>, |2> prepared with the calibrated π pulses.

Dependencies: the π amplitudes (rabi_01, rabi_12) and the frequencies are not what is tested here; they come from a
calibration record built from the truth (frequencies of the true device, π amplitudes optimised on the true device
with ``backend._player(True)``).

Tolerance: the measured matrix estimates ``A_true · P_prep`` (``P_prep[k][j]``: population of level k after the
preparation of j on the true device, computed with the true player), so it is compared

* with ``A_true · P_prep`` within 3 standard errors (the statistical error alone), and
* with the true ``A`` within 3 standard errors plus the measured preparation error ``|A_true · P_prep − A_true|``
  (entrywise; ≈ 0.3 % for the DRAG-less 24 ns Gaussian π pulses: the systematic of the method).

The standard error of the check is the larger of the reported (Jeffreys) one and the binomial one of the expected
probability, ``√(p(1 − p)/n)``: for the small off-diagonal entries (a few tens of counts) the error computed from
the observed counts is itself noisy, and the test must use the error of its null hypothesis.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from matplotlib.figure import Figure

from qbhw.backends.simulated import SimulatedTransmon
from qbhw.devices import apply_calibration, load
from qbhw.errors import ConfigError
from qbhw.protocols import Data, Results, readout
from qbhw.protocols._calibration import prepare

import calibration_truth

DEVICE = "transmon_qutrit_stirap"
SEEDS = (0, 1, 2)


#: the definition overlaid with a record of the truth: ν, ν + α and the π amplitudes that maximise the transfer on
#: the true device (no readout matrix: that is what is measured)
truth_description = partial(calibration_truth.truth_description, freq=True, ef_freq=True, pi_amps=("01", "12"))


def check_sigma(err, expected, shots) -> np.ndarray:
    """The larger of the reported standard errors and the binomial ones of the expected probabilities."""
    p = np.clip(expected, 0.0, 1.0)
    return np.maximum(err, np.sqrt(p * (1 - p) / shots))


def preparation_matrix(player, device) -> np.ndarray:
    """``P[k][j]``: population of level k after preparing level j (the description's pulses, played by ``player``)."""
    seqs = [[s.build(device) for s in prepare(device, j)] for j in range(device.levels)]
    return player.populations(seqs).T


@pytest.mark.parametrize("seed", SEEDS)
def test_recovers_the_hidden_assignment_matrix(seed):
    backend = SimulatedTransmon(DEVICE, seed=seed)
    dev = truth_description(backend)
    data = readout.acquire(readout.Parameters(device=dev, seed=10 + seed), backend)
    res = readout.analyse(data)
    A, err = np.asarray(res.assignment), np.asarray(res.assignment_stderr)
    A_true = np.asarray(backend._truth.readout_assignment)
    P = preparation_matrix(backend._player(True), dev)
    expected = A_true @ P
    prep_error = np.abs(expected - A_true)
    assert prep_error.max() < 0.01, prep_error  # the systematic is small and quantified
    sigma = check_sigma(err, expected, data.parameters.shots)
    assert np.all(np.abs(A - expected) <= 3 * sigma), (A - expected) / sigma
    assert np.all(np.abs(A - A_true) <= 3 * sigma + prep_error), (A, A_true)
    assert np.allclose(A.sum(axis=0), 1.0)
    F_true = np.trace(A_true) / 3
    assert abs(res.assignment_fidelity - F_true) <= 3 * res.assignment_fidelity_stderr + prep_error.max()
    value = res.updates["readout_assignment"]
    assert np.allclose(value["value"], A) and np.allclose(value["stderr"], err) and value["ci95"] is None
    assert value["routine"] == "readout" and not res.notes


def test_exact_backend_recovers_the_descriptions_ideal_readout():
    from qbhw.pulse import transmon_model
    from qbhw.pulse.sequence import SequencePlayer

    dev = load(DEVICE)
    params = readout.Parameters(seed=4)
    res = readout.analyse(readout.acquire(params, "exact"))
    A, err = np.asarray(res.assignment), np.asarray(res.assignment_stderr)
    player = SequencePlayer(transmon_model(dev, decoherence=True, resonator=False),
                            rwa_cutoff_ghz=params.rwa_cutoff_ghz)
    P = preparation_matrix(player, dev)  # the description's readout is ideal: A = P_prep
    sigma = check_sigma(err, P, params.shots)
    assert np.all(np.abs(A - P) <= 3 * sigma), (A - P) / sigma
    assert np.all(np.abs(A - np.eye(3)) <= 3 * sigma + np.abs(P - np.eye(3)))
    assert "readout_assignment" in res.updates


def test_record_round_trip_plot_and_mitigation():
    backend = SimulatedTransmon(DEVICE, seed=5)
    dev = truth_description(backend)
    data = readout.acquire(readout.Parameters(device=dev, seed=1, shots=4000), backend)
    res = readout.analyse(data)
    d2 = Data.from_json(data.to_json())
    assert d2.parameters == data.parameters and np.array_equal(d2.raw["counts"], data.raw["counts"])
    r2 = Results.from_json(res.to_json())
    assert type(r2) is readout.Results and r2.assignment == res.assignment and r2.updates == res.updates
    assert r2.assignment_fidelity == res.assignment_fidelity
    assert isinstance(readout.plot(data, res), Figure)
    # the record value overlays the description and mitigates a later measurement of |1>
    from qbhw.protocols._calibration import measure, mitigate

    rec = dev.calibration.updated(res.values(run="runs/readout"))
    dev2 = apply_calibration(backend.device, rec)
    counts = measure(readout.Parameters(device=dev2, seed=7, shots=20000), backend, dev2, [prepare(dev2, 1)])
    raw, _ = mitigate(counts, None)
    pops, perr = mitigate(counts, dev2)
    P1 = preparation_matrix(backend._player(True), dev2)[:, 1]
    assert np.abs(raw[0] - P1).max() > 0.02  # the readout error is visible in the raw frequencies
    # the matrix was measured with the same preparation, so it absorbs the preparation error: the corrected
    # populations are those of the ideal |1>, within 3 σ of the correction plus 3 σ of the matrix's entries
    tol = 3 * perr[0] + 3 * np.asarray(res.assignment_stderr).max()
    assert np.all(np.abs(pops[0] - [0.0, 1.0, 0.0]) <= tol), (pops[0], tol)
    assert np.all(np.abs(pops[0] - P1) <= tol + np.abs(P1 - [0.0, 1.0, 0.0]))


def test_unresolved_readout_leaves_updates_empty():
    backend = SimulatedTransmon(DEVICE, seed=0)
    res = readout.analyse(readout.acquire(readout.Parameters(shots=1, seed=2), backend))
    assert res.updates == {} and any("does not resolve" in n for n in res.notes)
    assert isinstance(readout.plot(readout.acquire(readout.Parameters(shots=1, seed=2), backend), res), Figure)


def test_bad_inputs():
    with pytest.raises(ConfigError) as err:
        readout.Parameters(shots=None)
    assert err.value.argument == "shots"
    four = load(DEVICE).with_levels(4)
    with pytest.raises(ConfigError) as err:
        readout.acquire(readout.Parameters(device=four, seed=1), "exact")
    assert err.value.argument == "device"
