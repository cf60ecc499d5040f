"""Generic N-cell battery with QSL-optimal local vs global charging (review Eqs. 13–18, RR-05).

Independent routes: the closed-form charging times Nπ/(2E_max) and π/(2E_max), the operator norm
of the generator computed by dense diagonalisation, and Γ = N from ``quantum_advantage`` with the
charging curves of the generic ``qbhw.charge`` path (tol 1e-6).
"""

import numpy as np
import pytest

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.metrics import quantum_advantage
from qbhw.models import QSLBattery


def _curve(model, periods=1.5, points=3001):
    t = np.linspace(0, periods * 2 * model.qsl_time, points)
    return qbhw.charge(model, t)


@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("tau", ["energy_peak", "max_power"])
def test_rr05_global_advantage_equals_n(n, tau):
    e_max = 1.3
    collective = _curve(QSLBattery(n, e_max, "global", omega_0=0.8, phase=0.4))
    parallel = _curve(QSLBattery(n, e_max, "local", omega_0=0.8, phase=0.4))
    single = _curve(QSLBattery(n, e_max, "global", omega_0=0.8).single_cell_reference())
    assert quantum_advantage(collective, single, n, tau=tau) == pytest.approx(n, rel=1e-6)
    # the local protocol is exactly N independent cells: no advantage
    assert quantum_advantage(parallel, single, n, tau=tau) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_charging_times_norms_and_power_bound(n):
    e_max, omega_0 = 0.9, 1.1
    for mode, tau in (("global", np.pi / (2 * e_max)), ("local", n * np.pi / (2 * e_max))):
        model = QSLBattery(n, e_max, mode, omega_0=omega_0)
        h = model.charging_hamiltonian().toarray()
        assert np.max(np.abs(np.linalg.eigvalsh(h))) == pytest.approx(e_max, abs=1e-12)  # ‖H_0 + H_1‖ = E_max
        np.testing.assert_allclose(h, (model.battery_hamiltonian() + model.interaction()).toarray(), atol=1e-14)
        curve = _curve(model)
        assert curve.tau_energy_peak == pytest.approx(tau, rel=1e-6)
        assert curve.power.work_at_energy_peak == pytest.approx(n * omega_0, rel=1e-9)   # full charge |E⟩
        if mode == "global":
            # Eq. 14 saturated: ⟨P⟩ = 2 W E_max / π at τ = π/(2E_max)
            assert curve.average_power_at("energy_peak") == pytest.approx(2 * n * omega_0 * e_max / np.pi, rel=1e-6)


def test_global_path_passes_through_ghz_state():
    n, e_max = 4, 1.0
    model = QSLBattery(n, e_max, "global")
    t = np.array([0.0, model.qsl_time / 2])
    psi = list(qbhw.solvers.propagate(model.charging_hamiltonian(), model.initial_state(), t))[-1]
    assert abs(psi[0]) ** 2 == pytest.approx(0.5, abs=1e-12)
    assert abs(psi[-1]) ** 2 == pytest.approx(0.5, abs=1e-12)


def test_qsl_bad_input():
    for bad in (0, -1, 2.0, True):
        with pytest.raises(InvalidArgumentError):
            QSLBattery(bad)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(InvalidArgumentError):
            QSLBattery(3, bad)
    with pytest.raises(ConfigError):
        QSLBattery(3, 1.0, "collective")
