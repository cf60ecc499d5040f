"""The collision_charging and dfs_storage protocols: their figures of merit as top-level Results fields.

References: closed forms of the collision fixed point (𝓔[π] = ω tanh(βω/2), η = 1/2 from σ_π, 1e-8) and the
stationarity of the dark states (1e-10). The fits on exact data are checked in test_protocols.py (rel 1e-6).
"""

from __future__ import annotations

import numpy as np
import pytest

from qbhw import protocols
from qbhw.errors import InvalidArgumentError

COLL = protocols.get("collision_charging")
DFS = protocols.get("dfs_storage")


def test_collision_protocol_reports_the_fixed_point_figures():
    """From σ_π with the inverting coupling: 𝓔[π] = tanh(0.65) = 0.57167, W_ch = 2𝓔, Q_ch = −𝓔, η = 1/2 (1e-8)."""
    p = COLL.Parameters(beta=1.3, coupling=0.4, tau=1.7, n_collisions=10, initial="passive_fixed_point")
    assert p.times == pytest.approx(tuple(1.7 * n for n in range(11)), abs=1e-15)
    data = COLL.acquire(p)
    assert data.curve.kind == "sweep"
    res = COLL.analyse(data, fit=False)
    assert res.fixed_point_ergotropy == pytest.approx(np.tanh(0.65), abs=1e-8)
    assert res.efficiency == pytest.approx(0.5, abs=1e-8) and res.efficiency_from_heat == pytest.approx(0.5, abs=1e-8)
    assert res.charging_work == pytest.approx(2 * res.fixed_point_ergotropy, abs=1e-10)
    assert res.charging_heat == pytest.approx(-res.fixed_point_ergotropy, abs=1e-10)
    assert res.equilibrium == "active" and res.average_power == pytest.approx(data.curve.work[-1] / 17.0, rel=1e-12)
    # the acquired collisions' switching work and heat satisfy the first law ΔE_B = W + Q
    assert res.final_switching_work + res.final_heat == pytest.approx(res.final_work, abs=1e-12)


def test_collision_protocol_energy_conserving_is_passive():
    res = COLL.analyse(COLL.acquire(COLL.Parameters(coupling_kind="energy_conserving", n_collisions=5)), fit=False)
    assert res.equilibrium == "passive" and res.fixed_point_ergotropy < 1e-10
    assert res.efficiency is None and any("undefined" in n for n in res.notes)


@pytest.mark.parametrize("bad", [{"beta": -0.1}, {"tau": 0.0}, {"coupling": 0.0}, {"n_collisions": 0},
                                 {"omega": -1.0}])
def test_collision_parameters_refuse_bad_values(bad):
    with pytest.raises(InvalidArgumentError, match=next(iter(bad))):
        COLL.Parameters(**bad)


def test_dfs_protocol_dark_state_is_stored_without_loss():
    """ψ_+ with χ = 0: stationary (‖𝓛[ρ_0]‖ ≤ 1e-10), energy and ergotropy retained to 1e-10, nothing fitted."""
    res = DFS.analyse(DFS.acquire(DFS.Parameters(initial="dark_plus", dephasing=1.7,
                                                 times={"start": 0, "stop": 30, "num": 7})))
    assert res.stationary and res.stationarity_residual < 1e-10 and res.fit is None
    assert res.energy_retained == pytest.approx(1.0, abs=1e-10)
    assert res.ergotropy_retained == pytest.approx(1.0, abs=1e-10)
    assert res.dfs_weight == pytest.approx(1.0, abs=1e-12) and res.symmetric and res.tau_energy_peak is None


def test_dfs_protocol_broken_symmetry_and_bright_state_lose_ergotropy():
    times = {"start": 0, "stop": 30, "num": 7}
    broken = DFS.analyse(DFS.acquire(DFS.Parameters(initial="dark_minus", chi=0.1, times=times)), fit=False)
    assert not broken.stationary and not broken.symmetric and broken.ergotropy_retained < 0.9
    bright = DFS.analyse(DFS.acquire(DFS.Parameters(initial="bright", times=times)), fit=False)
    assert not bright.stationary and bright.dfs_weight < 1e-14 and bright.ergotropy_retained < 0.5
