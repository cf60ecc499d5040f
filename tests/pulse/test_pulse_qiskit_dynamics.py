"""qiskit-dynamics 0.6 (out of process, frozen env) on the same compiled model: agreement to 1e-6.

Skips with the reason when the env is absent; build it with ``bash tools/qiskit_dynamics_env.sh``.
"""

import numpy as np
import pytest

import qbhw.pulse as qp
from qbhw.pulse.crosscheck import qiskit_dynamics_available, qiskit_dynamics_solve_many

from pulse_helpers import STIRAP_GAUSSIANS, continuous_gaussians, random_signals

_OK, _WHY = qiskit_dynamics_available()
pytestmark = pytest.mark.skipif(not _OK, reason=_WHY)


def test_qiskit_dynamics_agrees_on_stirap_and_random_pulses(qutrit_device, stirap_signals):
    closed = qp.transmon_model(qutrit_device, decoherence=False)
    rec_s = np.arange(0, stirap_signals.n_samples + 1, 300)
    dev = qutrit_device.replace(t1_ns=500.0, tphi_ns=800.0)
    sig = random_signals(dev, 10, seed=11)
    rec_r = np.arange(0, 11, 5)
    jobs = [
        dict(model=closed, signals=stirap_signals, initial_state=0, rwa_cutoff_ghz=2.0, record=rec_s,
             gaussians=STIRAP_GAUSSIANS),
        dict(model=qp.transmon_model(dev, decoherence=False), signals=sig, initial_state=0, rwa_cutoff_ghz=2.0,
             record=rec_r),
        # open systems without a cut-off: qiskit-dynamics' RWA would also filter the jump operators
        dict(model=qp.transmon_model(dev), signals=sig, initial_state=0, rwa_cutoff_ghz=None, record=rec_r),
    ]
    results = qiskit_dynamics_solve_many(jobs)
    ours = [
        qp.simulate(closed, stirap_signals, 0, method="ode", rwa_cutoff_ghz=2.0, record=rec_s,
                    continuous=continuous_gaussians()).states,
        qp.simulate(jobs[1]["model"], sig, 0, rwa_cutoff_ghz=2.0, record=rec_r).states,
        qp.simulate(jobs[2]["model"], sig, 0, record=rec_r).states,
    ]
    for (ys, _), mine in zip(results, ours):
        assert np.max(np.abs(ys - mine)) < 1e-6
    assert np.abs(results[0][0][-1, 2]) ** 2 == pytest.approx(0.9822, abs=1e-3)


def test_open_system_with_cutoff_is_refused():
    dev = qp.load_device("transmon_qutrit_stirap")
    from qbhw.errors import InvalidArgumentError
    from qbhw.pulse.crosscheck import _payload

    with pytest.raises(InvalidArgumentError, match="T1"):
        _payload(qp.transmon_model(dev), random_signals(dev, 4, seed=0), 0, rwa_cutoff_ghz=2.0)
