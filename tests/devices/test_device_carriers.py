"""Carriers follow the device: derived carriers move with ν and α; fixed ones stay and warn."""

from __future__ import annotations

import warnings

import pytest

import qbhw.devices as qd
from qbhw.errors import FixedCarrierWarning
from qbhw.pulse.protocols import stirap_charging


@pytest.fixture(scope="module")
def qutrit():
    return qd.load("transmon_qutrit_stirap")


def test_reference_carriers_unchanged(qutrit):
    """The shipped file's carriers are exactly the former fixed numbers for ν = 5.0, α = −0.3 GHz."""
    carriers = {name: c.freq_ghz for name, c in qutrit.channel_map.items()}
    assert carriers == {"d0": 5.0, "d1": 4.7, "d02": 9.7}
    assert {c.name: c.carrier for c in qutrit.channels} == {"d0": "qubit", "d1": "transition:1-2",
                                                            "d02": "transition:0-2"}
    assert not any(c.fixed_carrier for c in qutrit.channels)


def test_derived_carriers_follow_replace(qutrit):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # derived carriers: no FixedCarrierWarning
        dev = qutrit.replace(freq_ghz=5.2, anharmonicity_ghz=-0.25)
    c = {name: s.freq_ghz for name, s in dev.channel_map.items()}
    assert c["d0"] == pytest.approx(5.2, abs=1e-12)
    assert c["d1"] == pytest.approx(5.2 - 0.25, abs=1e-12)  # ν + α
    assert c["d02"] == pytest.approx(2 * 5.2 - 0.25, abs=1e-12)  # 2ν + α
    assert dev.carrier_ghz("d1") == c["d1"] == dev.transition_freq_ghz(1, 2)


def test_natural_carriers_without_carrier_or_freq():
    arm = qd.load("armonk_like")  # d0: charge drive, no carrier given → ν; z0: flux → 0
    assert arm.carrier_ghz("d0") == arm.freq_ghz and arm.carrier_ghz("z0") == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        moved = arm.replace(freq_ghz=5.1)
    assert moved.carrier_ghz("d0") == 5.1


def test_fixed_carrier_warns_and_stays(qutrit):
    d = qutrit.to_dict()
    d["channels"][1] = {"name": "d1", "kind": "drive", "operator": "charge", "freq_ghz": 4.7, "max_amp_ghz": 0.1}
    fixed = qd.Device.from_dict(d)
    assert fixed.channels[1].fixed_carrier and fixed.channel_map["d1"].freq_ghz == 4.7
    with pytest.warns(FixedCarrierWarning, match=r"channel 'd1' keeps its fixed carrier freq_ghz = 4\.7 GHz"):
        moved = fixed.replace(anharmonicity_ghz=-0.25)
    assert moved.channel_map["d1"].freq_ghz == 4.7  # fixed: it does not move
    assert moved.channel_map["d0"].freq_ghz == 5.0
    with pytest.warns(FixedCarrierWarning, match="'d1'"):
        fixed.replace(freq_ghz=5.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed.replace(t1_ns=1000.0)  # ν and α unchanged: no warning


def test_stirap_reference(qutrit):
    _, ref = stirap_charging(qutrit, decoherence=False)
    assert ref.populations[-1][2] > 0.98


@pytest.mark.parametrize("changes", [{"anharmonicity_ghz": -0.25}, {"freq_ghz": 5.2},
                                     {"freq_ghz": 5.2, "anharmonicity_ghz": -0.25}],
                         ids=["alpha=-0.25", "nu=5.2", "both"])
def test_stirap_still_charges_when_the_device_changes(qutrit, changes):
    """Coherent STIRAP |0⟩ → |2⟩ (pump on 0–1 via d0, Stokes on 1–2 via d1; no T1/Tφ, so only the carriers matter)
    stays efficient when ν or α change, because the Stokes carrier follows ν + α. The reference device reaches
    P(|2⟩) = 0.982 (0.960 with its T1/Tφ; test_stirap_reference)."""
    _, result = stirap_charging(qutrit.replace(**changes), decoherence=False)
    assert result.populations[-1][2] > 0.97


def test_a_fixed_stokes_carrier_would_detune_stirap(qutrit):
    """What the derived carrier prevents: the former fixed 4.7 GHz Stokes carrier is 50 MHz off ν + α after
    α → −0.25 GHz, and the transfer to |2⟩ fails."""
    d = qutrit.to_dict()
    d["channels"][1] = {"name": "d1", "kind": "drive", "operator": "charge", "freq_ghz": 4.7, "max_amp_ghz": 0.1}
    with pytest.warns(FixedCarrierWarning):
        detuned = qd.Device.from_dict(d).replace(anharmonicity_ghz=-0.25)
    _, result = stirap_charging(detuned, decoherence=False)
    assert result.populations[-1][2] < 0.1
