"""Pulse IR: waveforms, schedules (alignment, JSON, plot), devices, and the specific errors for bad input."""

import json

import numpy as np
import pytest

import qbhw.pulse as qp
from qbhw.errors import InvalidTimesError, QbhwError

DT = 2 / 9


@pytest.mark.parametrize("wf", [
    qp.Constant(4.0, amp_ghz=0.02, angle=0.3),
    qp.Gaussian(8.0, amp_ghz=0.02, sigma_ns=2.0),
    qp.GaussianSquare(10.0, amp_ghz=0.02, sigma_ns=1.0, width_ns=4.0),
    qp.Drag(8.0, amp_ghz=0.02, sigma_ns=2.0, beta_ns=0.5),
    qp.SinSquared(6.0, amp_ghz=0.02),
    qp.FlatTop(10.0, amp_ghz=0.02, rise_ns=2.0),
    qp.StirapRamp(6.0, amp_ghz=0.02, role="stokes", law="mixing_angle"),
    qp.Samples([0.01, 0.02j, -0.01], dt_ns=DT),
])
def test_waveform_json_round_trip_and_midpoint_sampling(wf):
    back = qp.waveform_from_dict(json.loads(json.dumps(wf.to_dict())))
    assert back == wf
    s = wf.samples(DT)
    assert s.shape == (round(wf.duration_ns / DT),)
    if not isinstance(wf, qp.Samples):  # parametric: sampled at the sample midpoints (exact equality)
        np.testing.assert_array_equal(s, wf.envelope((np.arange(s.size) + 0.5) * DT))
    assert np.max(np.abs(s)) <= 0.02 * (1 + 1e-12) + 1e-15


def test_waveform_shapes():
    g = qp.Gaussian(8.0, amp_ghz=1.0, sigma_ns=2.0)
    assert g.envelope(4.0) == pytest.approx(1.0, abs=1e-15)          # peak in the middle
    assert g.envelope(6.0) == pytest.approx(np.exp(-0.5), abs=1e-15)  # one sigma away
    d = qp.Drag(8.0, amp_ghz=1.0, sigma_ns=2.0, beta_ns=0.5)         # Im part = beta dG/dt
    assert d.envelope(6.0).imag == pytest.approx(-0.5 * (2.0 / 4.0) * np.exp(-0.5) * -1 * -1, abs=1e-15)
    ft = qp.FlatTop(10.0, amp_ghz=1.0, rise_ns=2.0)
    np.testing.assert_allclose(ft.envelope([0.0, 1.0, 5.0, 9.0, 10.0]).real, [0, 0.5, 1, 0.5, 0], atol=1e-15)
    # Santos law: f(0) = 0, f(tau) = 1; pump + Stokes = amp; mixing-angle law: pump^2 + Stokes^2 = amp^2
    p = qp.StirapRamp(10.0, amp_ghz=1.0, role="pump")
    s = qp.StirapRamp(10.0, amp_ghz=1.0, role="stokes")
    t = np.linspace(0, 10, 11)
    np.testing.assert_allclose(p.envelope(t).real + s.envelope(t).real, 1.0, atol=1e-15)
    assert p.envelope(0.0).real == 0 and p.envelope(10.0).real == pytest.approx(1.0, abs=1e-15)
    pm = qp.StirapRamp(10.0, amp_ghz=1.0, role="pump", law="mixing_angle")
    sm = qp.StirapRamp(10.0, amp_ghz=1.0, role="stokes", law="mixing_angle")
    np.testing.assert_allclose(np.abs(pm.envelope(t)) ** 2 + np.abs(sm.envelope(t)) ** 2, 1.0, atol=1e-14)


def test_stirap_pair_is_counter_intuitive():
    pair = qp.StirapPair.reference()
    assert pair.stokes.center == 170.0 and pair.pump.center == 230.0  # Stokes first
    theta = pair.mixing_angle(np.array([0.0, 200.0, 400.0]))
    assert theta[0] < 0.05 and theta[2] > np.pi / 2 - 0.05  # 0 -> pi/2
    assert theta[1] == pytest.approx(np.pi / 4, abs=1e-12)   # equal Rabi frequencies at the midpoint


def test_alignment_left_right_sequential():
    a = qp.Play(qp.Constant(2.0, amp_ghz=0.01), "d0")
    b = qp.Play(qp.Constant(4.0, amp_ghz=0.01), "d1")
    c = qp.Play(qp.Constant(2.0, amp_ghz=0.01), "d0")
    left = qp.align_left(a, b, c).timed_instructions()
    assert [t for t, _ in left] == [0.0, 0.0, 2.0]
    right = qp.align_right(a, b, c).timed_instructions()
    assert sorted((t, i.channel) for t, i in right) == [(0.0, "d0"), (0.0, "d1"), (2.0, "d0")]
    right2 = qp.align_right(a, qp.Play(qp.Constant(8.0, amp_ghz=0.01), "d1"))
    assert dict((i.channel, t) for t, i in right2.timed_instructions()) == {"d0": 6.0, "d1": 0.0}
    seq = qp.align_sequential(a, b, c)
    assert [t for t, _ in seq.timed_instructions()] == [0.0, 2.0, 6.0] and seq.duration_ns == 8.0
    nested = qp.align_sequential(qp.align_left(a, b), qp.Delay(2.0, "d0"), c)
    assert nested.duration_ns == 8.0


def test_schedule_json_round_trip_and_build(qutrit_device):
    sched = qp.align_sequential(
        qp.ShiftPhase(0.5, "d0"), qp.Play(qp.Gaussian(4.0, amp_ghz=0.02, sigma_ns=1.0), "d0"),
        qp.Delay(2.0, "d1"), qp.SetFrequency(4.9, "d0"), qp.Play(qp.Constant(2.0, amp_ghz=0.01), "d0"),
        qp.align_right(qp.Play(qp.SinSquared(2.0, amp_ghz=0.01), "d1")), name="demo")
    back = qp.Schedule.from_json(sched.to_json())
    assert back == sched and back.duration_ns == sched.duration_ns
    sig = back.build(qutrit_device)
    n1 = round(4.0 / DT)
    assert sig.n_samples == round(10.0 / DT)
    assert np.all(sig.freqs_ghz["d0"][: n1 + round(2 / DT)] == 5.0) and np.all(sig.freqs_ghz["d0"][-round(4 / DT):] == 4.9)
    # frame phase 0.5 appears in the carrier phase; carrier phase is continuous across the frequency change
    assert sig.phases["d0"][0] == pytest.approx(0.5, abs=1e-12)
    k = n1 + round(2 / DT)
    expected = 0.5 + 2 * np.pi * 5.0 * k * DT
    assert sig.phases["d0"][k] == pytest.approx(expected, rel=1e-12)
    assert sig.phases["d0"][k + 1] - sig.phases["d0"][k] == pytest.approx(2 * np.pi * 4.9 * DT, rel=1e-9)


def test_plot_one_axis_per_channel(qutrit_device):
    import matplotlib

    matplotlib.use("Agg")
    sched = qp.align_left(qp.Play(qp.Gaussian(4.0, amp_ghz=0.02, sigma_ns=1.0), "d0"),
                          qp.Play(qp.Constant(2.0, amp_ghz=0.01), "d1"), name="demo")
    fig = sched.plot(qutrit_device)
    assert len(fig.axes) == len(qutrit_device.channels)


def test_devices_load_and_round_trip(tmp_path):
    assert {"armonk_like", "transmon_qutrit_stirap"} <= set(qp.list_devices())
    dev = qp.load_device("armonk_like")
    assert dev.dt_ns == pytest.approx(2 / 9, rel=1e-15) and dev.granularity == 16 and dev.min_length == 64
    p = tmp_path / "dev.json"
    dev.to_json(p)
    assert qp.load_device(p) == dev
    # 1/T2 = 1/(2 T1) + 1/Tphi (design.md)
    assert 1 / dev.t2_ns == pytest.approx(0.5 / dev.t1_ns + 1 / dev.tphi_ns, rel=1e-12)


# ---------------------------------------------------------------- bad input -> specific errors
def test_waveform_off_the_dt_grid(qutrit_device):
    with pytest.raises(qp.OffGridError) as e:
        qp.Schedule(qp.Play(qp.Constant(1.0, amp_ghz=0.01), "d0")).build(qutrit_device)  # 4.5 samples
    assert e.value.argument == "duration_ns" and isinstance(e.value, InvalidTimesError)
    with pytest.raises(qp.OffGridError):
        qp.Samples([0.01, 0.01], dt_ns=0.25).samples(DT)  # samples made for another dt
    armonk = qp.load_device("armonk_like")
    with pytest.raises(qp.OffGridError, match="granularity"):
        qp.Schedule(qp.Play(qp.Constant(70 * DT, amp_ghz=0.001), "d0")).build(armonk)
    with pytest.raises(qp.OffGridError, match="minimum"):
        qp.Schedule(qp.Play(qp.Constant(32 * DT, amp_ghz=0.001), "d0")).build(armonk)


def test_amplitude_over_device_maximum():
    armonk = qp.load_device("armonk_like")
    with pytest.raises(qp.AmplitudeLimitError) as e:
        qp.Schedule(qp.Play(qp.Constant(64 * DT, amp_ghz=0.05), "d0")).build(armonk)
    assert "0.011662" in str(e.value)


def test_unknown_channel(qutrit_device):
    with pytest.raises(qp.UnknownChannelError) as e:
        qp.Schedule(qp.Play(qp.Constant(2.0, amp_ghz=0.01), "u7")).build(qutrit_device)
    assert e.value.argument == "channel" and "d0" in e.value.allowed


def test_negative_duration():
    with pytest.raises(qp.NegativeDurationError):
        qp.Constant(-2.0, amp_ghz=0.01)
    with pytest.raises(qp.NegativeDurationError):
        qp.Delay(-1.0, "d0")


def test_nan_samples():
    with pytest.raises(qp.NonFiniteSamplesError):
        qp.Samples([0.01, np.nan], dt_ns=DT)
    with pytest.raises(qp.NonFiniteSamplesError):
        qp.Gaussian(4.0, amp_ghz=np.nan, sigma_ns=1.0)
    with pytest.raises(qp.NonFiniteSamplesError):
        qp.ShiftPhase(np.inf, "d0")
    assert issubclass(qp.NonFiniteSamplesError, QbhwError)
