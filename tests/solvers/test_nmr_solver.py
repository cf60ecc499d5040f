"""NMR star-topology solver against a brute-force full-space reference (Joshi & Mahesh, PRA 106, 042601 (2022);
review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Sec. VI.D).

The reference (:mod:`nmr_full_space`, this folder) is first checked against closed forms (nutation about the
pulse axis, T1 and T2 relaxation, Hartmann–Hahn transfer against :class:`qbhw.models.StarBattery`), then the
sector solver :class:`qbhw.solvers.nmr.NmrStarSimulator` is compared with it.
"""

from __future__ import annotations

import numpy as np
import pytest
from nmr_full_space import SX, FullSpaceStar, Segment, hard_pulse, site

import qbhw
from qbhw.devices.nmr import NuclearSpin, generic_star
from qbhw.models import StarBattery
from qbhw.pulse import (
    Constant,
    Delay,
    Play,
    ShiftFrequency,
    ShiftPhase,
    align_left,
    align_sequential,
)
from qbhw.solvers.nmr import NmrSegment, NmrStarSimulator, NmrState

J_HZ = 20.0
W_13C_1H = 3.977  # |γ_1H/γ_13C|


def rotate(r, axis, angle):
    """Rodrigues rotation of the vector ``r`` about the unit ``axis`` by ``angle`` (right-handed)."""
    r, n = np.asarray(r, float), np.asarray(axis, float)
    return r * np.cos(angle) + np.cross(n, r) * np.sin(angle) + n * np.dot(n, r) * (1 - np.cos(angle))


# ---- the reference itself ------------------------------------------------------------------------------------
@pytest.mark.parametrize("phase", [0.0, np.pi / 2, np.pi, 1.1])
@pytest.mark.parametrize("offset_hz", [0.0, 300.0])
def test_reference_nutation_about_pulse_axis(phase, offset_hz):
    """Single spin (𝒩 = 1, J = 0): the Bloch vector rotates at √(|a|² + Δ²) about (|a|cos φ, |a|sin φ, Δ); 1e-12."""
    ref = FullSpaceStar(1, 0.0)
    nu = 1000.0
    seg = Segment(2e-3, nu * np.exp(1j * phase), 0.0, offset_hz, 0.0)
    times = np.linspace(0.0, 2e-3, 17)
    got = ref.bloch_curve([seg], times)
    field = np.array([nu * np.cos(phase), nu * np.sin(phase), offset_hz])
    nu_eff = np.linalg.norm(field)
    want = np.array([rotate([0, 0, -1], field / nu_eff, 2 * np.pi * nu_eff * t) for t in times])
    assert np.abs(got - want).max() < 1e-12


def test_reference_pulse_phases():
    """−σ^z under (π/2) at phase π/2 → −σ^x; at phase 0 → +σ^y; (π) → +σ^z (1e-12)."""
    ref = FullSpaceStar(1, 0.0)
    for phase, want in [(np.pi / 2, [-1, 0, 0]), (0.0, [0, 1, 0]), (-np.pi / 2, [1, 0, 0])]:
        got = ref.bloch_curve([hard_pulse(np.pi / 2, phase, 5e3, chargers=False)])[0]
        assert np.abs(got - want).max() < 1e-12
    assert np.abs(ref.bloch_curve([hard_pulse(np.pi, 0.3, 5e3)])[0] - [0, 0, 1]).max() < 1e-12


def test_reference_t1_relaxation():
    """T1: an inverted battery relaxes to −1 and a charger to −w at 1/T1 of each spin; 1e-10."""
    t1, t2 = (0.1, 0.3), (0.05, 0.2)
    w = 2.5
    ref = FullSpaceStar(1, 0.0, charger_weight=w, t1_s=t1, t2_s=t2)
    x0 = ref.sz[0] + w * ref.sz[1]   # both spins inverted
    times = np.linspace(0.0, 0.4, 9)
    states = ref.states([Segment(0.4)], times, x=x0)
    p_b = np.array([ref.bloch(x) for x in states])
    p_c = np.array([np.trace(ref.sz[1] @ x).real / ref.dim for x in states])
    assert np.abs(p_b[:, 2] - (-1 + 2 * np.exp(-times / t1[0]))).max() < 1e-10
    assert np.abs(p_b[:, :2]).max() < 1e-12
    assert np.abs(p_c - (-w + 2 * w * np.exp(-times / t1[1]))).max() < 1e-10


@pytest.mark.parametrize("t2_b", [0.02, 0.2])   # 0.2 = 2 T1: no pure dephasing
def test_reference_t2_decay(t2_b):
    """T2: a transverse battery component precesses at Δ and decays at 1/T2, P_z → −1 at 1/T1; 1e-10."""
    t1_b, delta = 0.1, 7.0
    ref = FullSpaceStar(1, 0.0, t1_s=(t1_b, 0.3), t2_s=(t2_b, 0.2))
    x0 = site(SX, 0, 2)
    times = np.linspace(0.0, 0.3, 13)
    got = ref.bloch_curve([Segment(0.3, 0.0, 0.0, delta, 0.0)], times, x=x0)
    decay = np.exp(-times / t2_b)
    want = np.stack([decay * np.cos(2 * np.pi * delta * times), decay * np.sin(2 * np.pi * delta * times),
                     -(1 - np.exp(-times / t1_b))], axis=1)
    assert np.abs(got - want).max() < 1e-10


@pytest.mark.parametrize("sign", [1, -1])
def test_reference_scalar_coupling(sign):
    """The Ising term 2πJ sgn (σ_B^z/2)(Σσ_j^z/2): battery coherence decays as cos^𝒩(πJt) (𝒩 = 3, each charger splits
    the line by ±J/2), and an antiphase σ_B^x σ_1^z (𝒩 = 1) turns into sgn·sin(πJt) σ_B^y; 1e-12."""
    times = np.linspace(0.0, 0.08, 9)
    ref = FullSpaceStar(3, J_HZ, coupling_sign=sign)
    got = ref.bloch_curve([Segment(0.08)], times, x=site(SX, 0, 4))
    assert np.abs(got[:, 0] - np.cos(np.pi * J_HZ * times) ** 3).max() < 1e-12
    assert np.abs(got[:, 1:]).max() < 1e-12
    ref = FullSpaceStar(1, J_HZ, coupling_sign=sign)
    got = ref.bloch_curve([Segment(0.08)], times, x=site(SX, 0, 2) @ ref.sz[1])
    assert np.abs(got[:, 1] - sign * np.sin(np.pi * J_HZ * times)).max() < 1e-12


def _hh_reference(ref, nu1_hz, times, pulse_hz=None):
    """Pulse-level Hartmann–Hahn on the reference: (π/2)_y, lock along x at ν1, readout (π/2)_{−y}."""
    p = nu1_hz if pulse_hz is None else pulse_hz
    x0 = ref.evolve([hard_pulse(np.pi / 2, np.pi / 2, p)])
    return ref.bloch_curve([Segment(times[-1], nu1_hz, nu1_hz)], times,
                           readout=[hard_pulse(np.pi / 2, -np.pi / 2, p)], x=x0)


def _star_battery(n, w, times):
    model = StarBattery(n, coupling=np.pi * J_HZ / 2, initial="high_temperature", charger_weight=w)
    return qbhw.charge(model, times).polarization


@pytest.mark.parametrize("sign", [1, -1])
def test_reference_hartmann_hahn_is_star_battery(sign):
    """𝒩 = 1 matched on-resonance spin-lock transfers polarisation as StarBattery(coupling = πJ/2).

    With (near-)ideal π/2 pulses (10^9 Hz) the lock itself reproduces the ideal curve (< 1e-6); with the
    pulses at ν1 the J evolution during the two π/2 pulses (each 1/(4ν1) long) leaves an O(J/ν1) error,
    bounded here by 3 J/ν1 (about 2 J/ν1 is seen) and decreasing with ν1.
    """
    ref = FullSpaceStar(1, J_HZ, coupling_sign=sign, charger_weight=W_13C_1H)
    times = np.linspace(0.0, 0.1, 41)
    ideal = _star_battery(1, W_13C_1H, times)
    assert np.abs(_hh_reference(ref, 5e3, times, pulse_hz=1e9)[:, 2] - ideal).max() < 1e-6
    errors = []
    for nu1 in (2e3, 2e4, 1e5):
        got = _hh_reference(ref, nu1, times)
        errors.append(np.abs(got[:, 2] - ideal).max())
        assert errors[-1] < 3 * J_HZ / nu1
        assert np.abs(got[:, :2]).max() < 3 * J_HZ / nu1
    assert errors[0] > errors[1] > errors[2]


# ---- the sector solver against the reference ----------------------------------------------------------------
T_RELAX = (0.2, 0.05, 0.1, 0.08)   # T1_B, T2_B, T1_C, T2_C (s): relaxation matters within a J period (50 ms)


def _molecule(n, battery="31P", relax=None):
    """generic_star with J = 20 Hz and, if given, (T1_B, T2_B, T1_C, T2_C)."""
    mol = generic_star(n, battery_isotope=battery, coupling_hz=J_HZ)
    if relax is not None:
        mol = mol.replace(battery=NuclearSpin(battery, 0.0, relax[0], relax[1]),
                          chargers=NuclearSpin("1H", 0.0, relax[2], relax[3]))
    return mol


def _reference(mol, relax=None):
    t1 = None if relax is None else (relax[0], relax[2])
    t2 = None if relax is None else (relax[1], relax[3])
    return FullSpaceStar(mol.n_chargers, mol.coupling_hz, coupling_sign=mol.coupling_sign,
                         charger_weight=mol.charger_weight, t1_s=t1, t2_s=t2)


def _nmr(segments):
    return [NmrSegment(s.duration_s, s.amp_battery_hz, s.amp_chargers_hz, s.offset_battery_hz, s.offset_chargers_hz)
            for s in segments]


def _hh(pulse_hz, nu_b, nu_c, lock_s, offsets=(0.0, 0.0)):
    """Hartmann–Hahn as reference segments: (π/2)_y on both, lock along x (ν_B, ν_C), readout (π/2)_{−y}."""
    quarter = 1 / (4 * pulse_hz)
    return ([Segment(quarter, 1j * pulse_hz, 1j * pulse_hz, *offsets)], [Segment(lock_s, nu_b, nu_c, *offsets)],
            [Segment(quarter, -1j * pulse_hz, -1j * pulse_hz, *offsets)])


def _inept(nu_hz, offsets, delay_s=0.01):
    """Refocused-INEPT-like sequence (off resonance, τ = 1/(4J)): (π/2)_x(C) τ π(B, C) τ (π/2)_x(B) (π/2)_y(C)
    Δ π(B, C) Δ."""
    tau, q, h = 1 / (4 * J_HZ), 1 / (4 * nu_hz), 1 / (2 * nu_hz)
    return [Segment(q, 0, nu_hz, *offsets), Segment(tau, 0, 0, *offsets), Segment(h, nu_hz, nu_hz, *offsets),
            Segment(tau, 0, 0, *offsets), Segment(q, nu_hz, 1j * nu_hz, *offsets), Segment(delay_s, 0, 0, *offsets),
            Segment(h, nu_hz, nu_hz, *offsets), Segment(delay_s, 0, 0, *offsets)]


@pytest.mark.parametrize("n, battery", [(1, "31P"), (1, "29Si"), (2, "29Si"), (3, "31P"), (4, "29Si"), (5, "31P"),
                                        (6, "29Si")])
def test_closed_sequences_match_full_space(n, battery):
    """Closed system, 𝒩 = 1…6, both coupling signs: mismatched off-resonance Hartmann–Hahn (records in the lock,
    each followed by the readout) from the charged state and an off-resonance INEPT from equilibrium; |ΔP| < 1e-8."""
    mol = _molecule(n, battery)
    sim, ref = NmrStarSimulator(mol, relaxation=False), _reference(mol)
    pre, lock, readout = _hh(20e3, 5e3, 5.15e3, 0.06, (37.0, -52.0))
    record_s = pre[0].duration_s + np.linspace(0.0, 0.06, 7)
    got = sim.bloch(_nmr(pre + lock), record_ns=record_s * 1e9, readout=_nmr(readout), state=sim.charged())
    want = ref.bloch_curve(pre + lock, record_s, readout=readout, x=ref.initial("charged"))
    assert np.abs(got - want).max() < 1e-8
    seq = _inept(3e3, (23.0, -41.0))
    record_s = np.linspace(0.0, sum(s.duration_s for s in seq), 6)
    got = sim.bloch(_nmr(seq), record_ns=record_s * 1e9, state=sim.equilibrium())
    want = ref.bloch_curve(seq, record_s, x=ref.initial("equilibrium"))
    assert np.abs(want).max() > 0.5    # a transfer happened
    assert np.abs(got - want).max() < 1e-8


@pytest.mark.parametrize("battery", ["31P", "29Si"])
def test_schedule_matches_full_space(battery):
    """A qbhw.pulse schedule (carrier shifts → offsets ν_L − ν_carrier, frame phase shift, simultaneous and single
    pulses, delay) gives the reference's Bloch vectors for the segments written by hand; |ΔP| < 1e-8 (the GHz
    carriers leave offsets exact to ~1e-8 Hz)."""
    mol = _molecule(2, battery)
    sim, ref = NmrStarSimulator(mol, relaxation=False), _reference(mol)
    cb, cc = mol.channel_for("battery"), mol.channel_for("chargers")
    sched = align_sequential(
        align_left(ShiftFrequency(-37e-9, cb), ShiftFrequency(52e-9, cc)),
        align_left(Play(Constant(12500, amp_ghz=2e-5, angle=np.pi / 2), cb),
                   Play(Constant(12500, amp_ghz=2e-5, angle=np.pi / 2), cc)),
        align_left(ShiftPhase(np.pi / 2, cc)),
        align_left(Play(Constant(30e6, amp_ghz=5e-6), cb), Play(Constant(30e6, amp_ghz=5.15e-6, angle=-np.pi / 2), cc)),
        align_left(Delay(1e6, cb), Delay(1e6, cc)),
        align_left(Play(Constant(25000, amp_ghz=1e-5, angle=-np.pi / 2), cb),
                   Play(Constant(12500, amp_ghz=2e-5), cc)))
    off = (37.0, -52.0)
    by_hand = [Segment(12.5e-6, 2e4j, 2e4j, *off), Segment(30e-3, 5e3, 5.15e3, *off), Segment(1e-3, 0, 0, *off),
               Segment(12.5e-6, -1e4j, 2e4j, *off), Segment(12.5e-6, -1e4j, 0, *off)]
    record_s = np.array([0.0, 12.5e-6, 10e-3, 30.0125e-3, 31.0125e-3, 31.0375e-3])
    got = sim.bloch(sched, record_ns=record_s * 1e9, state=sim.charged())
    want = ref.bloch_curve(by_hand, record_s, x=ref.initial("charged"))
    assert np.abs(got - want).max() < 1e-8


@pytest.mark.parametrize("n, battery", [(1, "29Si"), (2, "31P"), (3, "29Si")])
def test_open_exact_matches_full_space(n, battery):
    """T1/T2 of 0.05–0.2 s with J = 20 Hz, method="exact": mismatched off-resonance Hartmann–Hahn at ν1 = 500 Hz
    (charged start, readout after each record), then INEPT and free relaxation from equilibrium; |ΔP| < 1e-8."""
    mol = _molecule(n, battery, T_RELAX)
    sim, ref = NmrStarSimulator(mol, method="exact"), _reference(mol, T_RELAX)
    pre, lock, readout = _hh(2e3, 500.0, 520.0, 0.06, (37.0, -52.0))
    record_s = pre[0].duration_s + np.linspace(0.0, 0.06, 4)
    got = sim.bloch(_nmr(pre + lock), record_ns=record_s * 1e9, readout=_nmr(readout), state=sim.charged())
    want = ref.bloch_curve(pre + lock, record_s, readout=readout, x=ref.initial("charged"))
    assert np.abs(got - want).max() < 1e-8
    seq = _inept(3e3, (23.0, -41.0)) + [Segment(0.15, 0, 0, 23.0, -41.0)]
    total = sum(s.duration_s for s in seq)
    record_s = np.array([0.5, 0.75, 0.9, 1.0]) * total
    got = sim.bloch(_nmr(seq), record_ns=record_s * 1e9, state=sim.equilibrium())
    want = ref.bloch_curve(seq, record_s, x=ref.initial("equilibrium"))
    assert np.abs(got - want).max() < 1e-8


@pytest.mark.parametrize("n", [2, 3])
def test_averaged_free_evolution_is_exact(n):
    """Without RF the averaged route drops nothing (the Ising coupling and the relaxation commute with z
    rotations): off-resonance free relaxation of a transverse state equals the reference to 1e-8."""
    mol = _molecule(n, "31P", T_RELAX)
    sim, ref = NmrStarSimulator(mol, method="averaged"), _reference(mol, T_RELAX)
    pulse = [Segment(1 / (4 * 2e4), 2e4j, 2e4, 0.0, 0.0)]   # battery −z → −x, chargers +z → −y
    free = [Segment(0.12, 0, 0, 23.0, -41.0)]
    exact = NmrStarSimulator(mol, method="exact")
    start = NmrState(sim, exact.evolve(_nmr(pulse), state=exact.charged()).vector)
    record_s = np.linspace(0.0, 0.12, 5)
    got = sim.bloch(_nmr(free), record_ns=record_s * 1e9, state=start)
    want = ref.bloch_curve(free, record_s, x=ref.evolve(pulse, ref.initial("charged")))
    assert np.abs(want[0, :2]).max() > 0.9
    assert np.abs(got - want).max() < 1e-8


def _averaged_tolerances(n, nu1):
    """Tolerances of the first-order average against the exact open evolution.

    Lock alone (exact prefix): the dropped non-secular coupling gives a second-order error ~(J√𝒩/ν1)² and the
    dropped non-secular relaxation one ~1/(2π ν1 T2) (its terms rotate at 2πν1 with rates ≤ 1/T2); the sum is
    the tolerance. Whole sequence (the π/2 pulses averaged too): a pulse lasts only a quarter nutation period, so
    the non-secular coupling is not averaged out and leaves an O(J√𝒩/ν1) error, bounded here by 2 J√𝒩/ν1.
    """
    lock = (J_HZ * np.sqrt(n) / nu1) ** 2 + 1 / (2 * np.pi * nu1 * min(T_RELAX[1], T_RELAX[3]))
    return lock, 2 * J_HZ * np.sqrt(n) / nu1 + lock


@pytest.mark.parametrize("n", [2, 3])
def test_averaged_spin_lock_against_exact(n):
    """Strong matched spin-lock (ν1/J = 200) with T1/T2 of 0.05–0.2 s: method="averaged" against "exact" within
    the tolerances of :func:`_averaged_tolerances`; the whole-sequence error halves when ν1 doubles (ratio 1.8–2.2:
    first order in 1/ν1)."""
    mol = _molecule(n, "31P", T_RELAX)
    exact, averaged = NmrStarSimulator(mol, method="exact"), NmrStarSimulator(mol, method="averaged")
    errors = []
    for nu1 in (4e3, 8e3) if n == 2 else (4e3,):
        tol_lock, tol_full = _averaged_tolerances(n, nu1)
        pre, lock, readout = _hh(nu1, nu1, nu1, 0.025)
        lock_s = np.linspace(0.0, 0.025, 4)
        # lock alone, from the exact state after the (π/2)_y pulses
        start = exact.evolve(_nmr(pre), state=exact.charged())
        want = exact.bloch(_nmr(lock), record_ns=lock_s * 1e9, state=start)
        got = averaged.bloch(_nmr(lock), record_ns=lock_s * 1e9, state=NmrState(averaged, start.vector))
        assert np.abs(got - want).max() < tol_lock
        # the whole experiment, pulses included
        record_ns = (pre[0].duration_s + lock_s) * 1e9
        want = exact.bloch(_nmr(pre + lock), record_ns=record_ns, readout=_nmr(readout), state=exact.charged())
        got = averaged.bloch(_nmr(pre + lock), record_ns=record_ns, readout=_nmr(readout), state=averaged.charged())
        errors.append(np.abs(got - want).max())
        assert errors[-1] < tol_full
    if len(errors) == 2:
        assert 1.8 < errors[0] / errors[1] < 2.2


@pytest.mark.parametrize("n", [1, 3, 6])
def test_pulse_level_hartmann_hahn_converges_to_star_battery(n):
    """Matched on-resonance pulse-level Hartmann–Hahn (pulses and lock at ν1) → StarBattery(coupling = πJ/2,
    high-temperature, w): the largest deviation over a 100 ms curve falls as 1/ν1 (ratio 3.5–4.5 per factor 4 in
    ν1) and is < 1e-3 at ν1 = 160 kHz."""
    mol = _molecule(n)
    sim = NmrStarSimulator(mol, relaxation=False)
    times = np.linspace(0.0, 0.1, 41)
    ideal = _star_battery(n, mol.charger_weight, times)
    errors = []
    for nu1 in (2.5e3, 1e4, 4e4, 1.6e5):
        pre, lock, readout = _hh(nu1, nu1, nu1, 0.1)
        p = sim.bloch(_nmr(pre + lock), record_ns=(pre[0].duration_s + times) * 1e9, readout=_nmr(readout),
                      state=sim.charged())
        errors.append(np.abs(p[:, 2] - ideal).max())
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 3.5) & (ratios < 4.5)), ratios
    assert errors[-1] < 1e-3


@pytest.mark.parametrize("n", [3, 5])
def test_state_trace_norm_and_observables(n):
    """The solver's state: Tr X = 0 (1e-12), ‖X‖_HS/2^{(𝒩+1)/2} = √(1 + w²𝒩) at the start and conserved by closed
    evolution (1e-10, and equal to the reference's full-space Frobenius norm), battery Bloch vector and mean charger
    polarisation equal to the reference (1e-8); equilibrium gives (0, 0, −1) and −w."""
    mol = _molecule(n, "29Si")
    w = mol.charger_weight
    sim, ref = NmrStarSimulator(mol, relaxation=False), _reference(mol)
    eq = sim.equilibrium()
    assert np.abs(eq.battery_bloch - [0, 0, -1]).max() < 1e-12
    assert abs(eq.charger_polarization + w) < 1e-12
    start = sim.charged()
    norm0 = np.sqrt(1 + w ** 2 * n)
    assert abs(start.hilbert_schmidt_norm() - norm0) < 1e-10
    pre, lock, readout = _hh(20e3, 5e3, 5.15e3, 0.03, (37.0, -52.0))
    x_ref = ref.initial("charged")
    state = start
    for part in (pre + lock, readout, _inept(3e3, (23.0, -41.0))):
        state = sim.evolve(_nmr(part), state=state)
        x_ref = ref.evolve(part, x_ref)
        assert abs(state.trace) < 1e-12
        assert abs(state.hilbert_schmidt_norm() - norm0) < 1e-10
        assert abs(np.linalg.norm(x_ref) / np.sqrt(ref.dim) - norm0) < 1e-10
        assert np.abs(state.battery_bloch - ref.bloch(x_ref)).max() < 1e-8
        charger_ref = np.trace(sum(ref.sz[1:]) @ x_ref).real / ref.dim / n
        assert abs(state.charger_polarization - charger_ref) < 1e-8


def test_open_state_trace_and_return_to_equilibrium():
    """With relaxation the trace stays 0 (1e-12) and a long free delay (20 T1) brings any state back to X_eq:
    battery (0, 0, −1) and chargers −w within 1e-8 (e^{−20} ≈ 2e-9)."""
    mol = _molecule(2, "31P", T_RELAX)
    sim = NmrStarSimulator(mol, method="exact")
    pre, lock, _ = _hh(2e3, 500.0, 500.0, 0.02)
    state = sim.evolve(_nmr(pre + lock), state=sim.charged())
    assert abs(state.trace) < 1e-12
    state = sim.evolve([NmrSegment(20 * max(T_RELAX[0], T_RELAX[2]), 0, 0, 23.0, -41.0)], state=state)
    assert abs(state.trace) < 1e-12
    assert np.abs(state.battery_bloch - [0, 0, -1]).max() < 1e-8
    assert abs(state.charger_polarization + mol.charger_weight) < 1e-8
