"""Charging by continuous homodyne measurement and linear feedback (review Sec. V.B.4, Eq. 58; Mitchison, Goold
and Prior, Quantum 5, 500, 2021): qbhw.models.FeedbackBattery / DelayedFeedbackBattery, qbhw.solvers.feedback.

References and tolerances:
* the zero-delay Wiseman–Milburn equation written independently in QuTiP (its own operators, ``mesolve`` at
  rtol 1e-10) — 1e-7;
* ideal loop (ς = 1, zero delay, p f = γ): c − iF = √γ σ_C^+ and c†F + Fc = 0 exactly (1e-14); the battery
  charges monotonically (analytic power dE/dt ≥ −1e-9 at every time) and its top level holds > 0.9 of the
  population at t = 20/γ (parameters chosen here: d = 4, g = γ/2; the steady state is |d−1⟩|e⟩, 1e-9);
* the trajectory average of the Itô stochastic master equation at zero delay against the master equation —
  within 3 standard errors at every checked time (400 trajectories, Δt = 0.005/γ; the O(Δt) bias of the
  first-order scheme is below one standard error there), for an ideal and an inefficient, driven loop;
* large delay (τ = 2/γ ≫ the loop's correlation time, f = 3γ): the charger's averaged state is within trace
  distance 0.1 of the maximally mixed state (the delayed record acts as white noise of strength f²/(ςγ) on
  σ_C^y, giving a Bloch vector of length ≈ γ/(γ + 2f²/(ςγ)) ≈ 0.05), while the zero-delay loop keeps it
  > 0.15 away.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import qbhw
from qbhw.conventions import SIGMA_MINUS, SIGMA_PLUS
from qbhw.errors import InvalidArgumentError, InvalidTimesError
from qbhw.models import DelayedFeedbackBattery, FeedbackBattery
from qbhw.solvers.feedback import (
    charger_observables,
    feedback_steady_state,
    feedback_trajectories,
)


def test_ideal_loop_turns_emission_into_pumping():
    for prefactor in (1.0, 0.5):
        model = FeedbackBattery(3, 0.4, 0.7, drive_prefactor=prefactor)  # feedback None: p f = γ
        c, f = model.emission_operator(), model.feedback_operator()
        pump = math.sqrt(0.7) * model.charger_operator(SIGMA_PLUS)
        assert abs(c - 1j * f - pump).max() < 1e-14
        assert abs(c.conj().T @ f + f @ c).max() < 1e-14
        assert len(model.jump_operators()) == 1


def test_master_equation_against_qutip():
    qt = pytest.importorskip("qutip")
    d, g, gamma, f, rabi, eta = 3, 0.6, 1.3, 0.9, 0.4, 0.6
    model = FeedbackBattery(d, g, gamma, feedback=f, rabi=rabi, efficiency=eta)
    s = qt.Qobj(np.diag(np.ones(d - 1), 1))
    sm = qt.Qobj(SIGMA_MINUS)
    sy = -1j * (qt.Qobj(SIGMA_PLUS) - sm)  # review σ^y = −i(σ^+ − σ^−)
    big = lambda charger, battery: qt.tensor(charger, battery)  # charger is the more significant factor
    c = math.sqrt(gamma) * big(sm, qt.qeye(d))
    fop = -(f / math.sqrt(gamma)) * big(sy, qt.qeye(d))
    h = g * (big(sm.dag(), s) + big(sm, s.dag())) + rabi * big(sy, qt.qeye(d)) + 0.5 * (c.dag() * fop + fop * c)
    jumps = [c - 1j * fop, math.sqrt((1 - eta) / eta) * fop]
    hb = big(qt.qeye(2), qt.Qobj(np.diag(np.arange(d, dtype=float))))
    times = np.linspace(0.0, 6.0, 13)
    psi0 = big(qt.basis(2, 0), qt.basis(d, 0))
    ref = qt.mesolve(h, psi0, times, jumps, e_ops=[hb], options={"rtol": 1e-10, "atol": 1e-12}).expect[0]
    assert np.allclose(qbhw.charge(model, times).energy, ref, atol=1e-7, rtol=0)


def test_ideal_zero_delay_loop_charges_monotonically_to_the_top():
    model = FeedbackBattery(4, 0.5, 1.0)
    curve = qbhw.charge(model, np.linspace(0.0, 20.0, 201))
    assert curve.top_population[-1] > 0.9
    assert np.all(curve.power.power >= -1e-9)
    assert np.all(np.diff(curve.energy) >= -1e-9)
    steady = feedback_steady_state(model)
    assert model.battery_state(steady)[-1, -1].real == pytest.approx(1.0, abs=1e-9)
    assert curve.metadata["steady_state"]["charger_purity"] == pytest.approx(1.0, abs=1e-9)
    # the same loop in the (Ω/2)σ^y normalisation (p = ½, f = 2γ) is the same physics
    half = qbhw.charge(FeedbackBattery(4, 0.5, 1.0, drive_prefactor=0.5), curve.times)
    assert np.allclose(half.energy, curve.energy, atol=1e-10, rtol=0)


@pytest.mark.parametrize("kw", [dict(levels=3, coupling=0.5, gamma=1.0),
                                dict(levels=2, coupling=0.7, gamma=1.0, feedback=0.6, rabi=0.4, efficiency=0.5)])
def test_trajectory_average_agrees_with_the_master_equation(kw):
    times = np.linspace(0.0, 2.0, 5)
    me = qbhw.charge(FeedbackBattery(**kw), times)
    run = feedback_trajectories(DelayedFeedbackBattery(**kw, n_trajectories=400, time_step=0.005, seed=2), times)
    for name, ref in (("battery_energy", me.energy), ("charger_excited", me.charger_excited)):
        mean, err = run.mean_and_stderr(name)
        assert np.all(np.abs(mean - ref)[1:] <= 3 * err[1:]), (name, (mean - ref) / np.maximum(err, 1e-15))
    for rho in run.mean_states:
        assert abs(np.trace(rho) - 1) < 1e-12 and np.linalg.eigvalsh(rho)[0] > -1e-12


def test_large_delay_leaves_the_charger_maximally_mixed():
    kw = dict(levels=2, coupling=0.5, gamma=1.0, feedback=3.0)
    times = np.array([0.0, 5.0, 6.0])
    model = DelayedFeedbackBattery(**kw, delay=2.0, n_trajectories=200, time_step=0.01, seed=4)
    curve = qbhw.charge(model, times)
    distance = 0.5 * np.hypot(curve.charger_bloch_x, curve.charger_bloch_z)
    assert np.all(distance[1:] < 0.1), distance  # ⟨σ^y⟩ = 0 by symmetry (checked in the next lines)
    run = feedback_trajectories(model, times)
    sy = model.drive_operator().toarray()
    assert max(abs(np.trace(sy @ rho)) for rho in run.mean_states) < 1e-12
    assert np.all(curve.charger_purity[1:] < 0.52)
    zero = qbhw.charge(FeedbackBattery(**kw), times)
    assert np.all(0.5 * np.hypot(zero.charger_bloch_x, zero.charger_bloch_z)[1:] > 0.15)


def test_trajectories_are_seeded_and_checked():
    model = DelayedFeedbackBattery(2, 0.5, n_trajectories=20, time_step=0.01, seed=9, delay=0.05)
    a = feedback_trajectories(model, [0.0, 0.5])
    b = feedback_trajectories(model, [0.0, 0.5])
    assert np.array_equal(a.battery_energy, b.battery_energy)
    with pytest.raises(InvalidTimesError):
        feedback_trajectories(model, [0.0, 0.505])
    with pytest.raises(InvalidArgumentError):
        DelayedFeedbackBattery(2, 0.5, time_step=0.01, delay=0.015)
    with pytest.raises(InvalidArgumentError):
        FeedbackBattery(2, 0.5, efficiency=1.5)
    obs = charger_observables(model, a.mean_states)
    assert obs["charger_purity"][0] == pytest.approx(1.0)
