"""The pulse backend: a Gemme-style drive program played on the transmon pulse solver.

Independent routes: the program's reference integrates the two-level rotating-frame drive
(solve_ivp); the pulse solver integrates the sampled lab-frame transmon drive (counter-rotating
terms kept). Tolerance 3e-3: the counter-rotating terms make corrections of order Ω/ω_q
(0.006 GHz / 5 GHz ≈ 1e-3) to the populations.
"""

import numpy as np
import pytest

from qbhw.backends import get_backend, pulse_available
from qbhw.compile import single_qubit_drive, star_charging
from qbhw.errors import ConfigError

pytestmark = pytest.mark.skipif(not pulse_available(), reason="qbhw.pulse not available")


def test_pulse_backend_matches_the_drive_reference():
    prog = single_qubit_drive("gaussian", amplitude=1.0, duration=np.pi, dt=0.05)
    t = np.linspace(0, np.pi, 5)
    exact = get_backend("exact").run(prog, t)
    two_level = get_backend("pulse", decoherence=False, levels=2).run(prog, t)
    assert np.allclose(two_level.energy, exact.energy, atol=3e-3)
    assert np.all(two_level.leakage == 0)
    transmon = get_backend("pulse", decoherence=False).run(prog, t)  # 3 levels: weak leakage
    assert np.all(transmon.leakage < 1e-3) and transmon.leakage[-1] > 0
    assert np.allclose(transmon.energy, exact.energy, atol=3e-3)
    assert transmon.metadata["time_unit_ns"] > 0


def test_pulse_backend_refuses_other_programs():
    with pytest.raises(ConfigError):
        get_backend("pulse").run(star_charging(1, 0.5), [0.5])
