"""qbhw.devices.nmr: the isotope table, StarMolecule (validation, derived physics, JSON round trips), the shipped
star molecules (backends/nmr_*.json, kind "nmr_star"), molecule_for / generic_star, and a molecule as a pulse-layer
device."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

import qbhw.devices as qd
import qbhw.pulse as qp
from qbhw.errors import ConfigError, InvalidArgumentError

ROOT = Path(__file__).resolve().parents[2]
MOLECULES = qd.molecule_names()
H = 6.62607015e-34
KB = 1.380649e-23


def test_the_shipped_molecules_and_their_star_sizes():
    got = {qd.load(n).n_chargers: n for n in MOLECULES}
    assert {3, 4, 9, 12, 36} <= set(got)
    assert got[9] == "nmr_trimethylphosphite" and got[36] == "nmr_tetrakis_trimethylsilyl_silane"
    assert set(MOLECULES) <= set(qd.names())  # listed with the other device files
    assert all(n.startswith("nmr_") for n in MOLECULES)


@pytest.mark.parametrize("name", MOLECULES)
def test_every_molecule_loads_by_name_and_round_trips(name, tmp_path):
    mol = qd.load(name)
    assert isinstance(mol, qd.StarMolecule) and mol.name == name and mol.description and mol.formula
    raw = json.loads((ROOT / "backends" / f"{name}.json").read_text())
    assert raw["kind"] == "nmr_star" and raw["name"] == name
    d = mol.to_dict()
    back = qd.StarMolecule.from_dict(d)
    assert back == mol and hash(back) == hash(mol) and back.to_dict() == d and back.provenance == mol.provenance
    mol.to_json(tmp_path / "m.json")
    assert qd.load(tmp_path / "m.json") == mol  # a written file is a loadable device file
    assert qp.load_device(name) == mol  # the pulse layer's loader reads every kind
    # heteronuclear, a channel per spin, T2 <= 2 T1
    assert mol.battery.isotope != mol.chargers.isotope
    assert {mol.channel_map[mol.channel_for(s)].spin for s in ("battery", "chargers")} == {"battery", "chargers"}
    for spin in (mol.battery, mol.chargers):
        assert 0 < spin.t2_s <= 2 * spin.t1_s


@pytest.mark.parametrize("name", MOLECULES)
def test_every_number_says_where_it_comes_from(name):
    mol = qd.load(name)
    for key in ("coupling_hz", "field_t", "temperature_k", "dt_ns", "max_nutation_hz", "n_chargers",
                *(f"{s}.{f}" for s in ("battery", "chargers") for f in ("chemical_shift_ppm", "t1_s", "t2_s"))):
        source = mol.provenance[key]
        assert ("typical value, not from the paper" in source or "Phys. Rev." in source
                or "by definition" in source), (key, source)
    assert "Harris et al., Pure Appl. Chem. 73, 1795 (2001)" in mol.provenance["isotopes"]


def test_isotope_table_against_hand_values():
    """γ/2π (MHz/T) from Harris et al. 2001 (γ/10⁷ rad s⁻¹ T⁻¹ divided by 2π), to 1e-6 relative; signs."""
    hand = {"1H": 42.57747, "2H": 6.535901, "13C": 10.708397, "15N": -4.317266, "19F": 40.07757, "29Si": -8.465451,
            "31P": 17.251441}
    assert set(qd.ISOTOPES) == set(hand)
    for iso, value in hand.items():
        assert qd.ISOTOPES[iso].gamma_mhz_per_t == pytest.approx(value, rel=1e-6), iso
    assert [k for k, v in qd.ISOTOPES.items() if v.gamma_sign < 0] == ["15N", "29Si"]
    assert qd.ISOTOPES["2H"].spin == 1.0


def test_larmor_frequencies_polarization_and_weights():
    mol = qd.load("nmr_trimethylphosphite")
    # 1H at 11.7434 T is a 500 MHz magnet (1e-3 relative), with the chemical shift factor (1 + δ 1e-6) exactly
    assert mol.field_t == 11.7434
    assert mol.larmor_hz("chargers") == pytest.approx(500.0e6, rel=1e-3)
    assert mol.larmor_hz("chargers") == pytest.approx(42.577469 * 11.7434e6 * (1 + 3.5e-6), rel=1e-7)
    assert mol.larmor_hz("battery") == pytest.approx(17.251441 * 11.7434e6 * (1 + 140e-6), rel=1e-7)
    # polarization ≈ h ν / (2 k T) ≈ 4.0e-5 for 1H at 500 MHz and 298 K (high-temperature limit, 1e-8 relative)
    eps_h = mol.polarization("chargers")
    assert eps_h == pytest.approx(H * mol.larmor_hz("chargers") / (2 * KB * 298.0), rel=1e-8)
    assert eps_h == pytest.approx(4.03e-5, rel=2e-3)
    # charger weight of 31P / 1H = ε_C/ε_B ≈ |γ_H/γ_P| = 2.470 (1e-3), exactly the shifted Larmor ratio (1e-8)
    assert mol.charger_weight == pytest.approx(2.470, rel=1e-3)
    assert mol.charger_weight == pytest.approx(mol.larmor_hz("chargers") / mol.larmor_hz("battery"), rel=1e-8)
    assert mol.coupling_sign == 1 and mol.gamma_sign("battery") == mol.gamma_sign("chargers") == 1


def test_negative_gamma_battery():
    """15N and 29Si have γ < 0: the lower Zeeman level is m = −1/2 and the coupling term changes sign."""
    for name in ("nmr_ammonium_15n", "nmr_tetrakis_trimethylsilyl_silane"):
        mol = qd.load(name)
        assert mol.gamma_sign("battery") == -1 and mol.gamma_sign("chargers") == 1 and mol.coupling_sign == -1
        assert mol.larmor_hz("battery") > 0 and mol.polarization("battery") > 0
    nh4 = qd.load("nmr_ammonium_15n")
    assert nh4.charger_weight == pytest.approx(26.7522128 / 2.71261804, rel=1e-4)  # shifts change it by ~1e-5


def test_channels_are_pulse_layer_channel_specs():
    mol = qd.load("nmr_acetonitrile")
    b, c = mol.channel_map[mol.channel_for("battery")], mol.channel_map[mol.channel_for("chargers")]
    assert b.max_amp_ghz == b.max_nutation_hz * 1e-9 and c.max_amp_ghz == c.max_nutation_hz * 1e-9
    assert b.freq_ghz == pytest.approx(mol.larmor_hz("battery") * 1e-9, rel=1e-15)
    assert c.freq_ghz == pytest.approx(mol.larmor_hz("chargers") * 1e-9, rel=1e-15)
    assert mol.granularity == 1 and mol.min_length == 1 and mol.dt_ns == 50.0
    with pytest.raises(ConfigError) as e:
        mol.channel_for("solvent")
    assert e.value.argument == "spin"


def test_a_molecule_is_a_pulse_layer_device():
    """build_signals plays on a molecule: carrier = Larmor frequency, amplitude limit = max nutation (Hz·1e-9)."""
    mol = qd.load("nmr_trimethylphosphite")
    ch = mol.channel_for("battery")
    nu1 = mol.channel_map[ch].max_nutation_hz
    pi_ns = 1e9 / (2 * nu1)  # a hard π pulse at the largest nutation: 20 us, 400 samples of 50 ns
    sig = qp.build_signals(qp.Schedule(qp.Play(qp.Constant(duration_ns=pi_ns, amp_ghz=nu1 * 1e-9), ch)), mol)
    assert sig.n_samples == 400 and sig.device_name == mol.name
    assert np.allclose(sig.envelopes[ch], nu1 * 1e-9, rtol=1e-12)
    assert np.allclose(sig.freqs_ghz[ch], mol.larmor_hz("battery") * 1e-9, rtol=1e-12)
    with pytest.raises(qp.AmplitudeLimitError) as e:
        qp.build_signals(qp.Schedule(qp.Play(qp.Constant(duration_ns=pi_ns, amp_ghz=1.01 * nu1 * 1e-9), ch)), mol)
    assert e.value.argument == "amp_ghz"
    with pytest.raises(qp.UnknownChannelError):
        qp.build_signals(qp.Schedule(qp.Play(qp.Constant(duration_ns=pi_ns, amp_ghz=1e-6), "d0")), mol)


def test_molecule_for_and_generic_star():
    four = qd.molecule_for(4)
    assert four == qd.load("nmr_ammonium_15n") and four.n_chargers == 4
    assert qd.molecule_for(9).name == "nmr_trimethylphosphite" and qd.molecule_for(36).n_chargers == 36
    seven = qd.molecule_for(7)
    assert seven.n_chargers == 7 and seven.name == "generic_star_7" and "generic" in seven.description
    assert seven.provenance and all("typical" in v for v in seven.provenance.values())
    assert seven == qd.generic_star(7) and qd.StarMolecule.from_dict(seven.to_dict()) == seven
    other = qd.generic_star(5, battery_isotope="13C", coupling_hz=140.0)
    assert other.battery.isotope == "13C" and other.coupling_hz == 140.0
    for bad in (0, -1, 2.5, True):
        with pytest.raises(InvalidArgumentError) as e:
            qd.molecule_for(bad)
        assert e.value.argument == "n_chargers"


def test_replace_and_value_semantics():
    mol = qd.load("nmr_trimethylphosphite")
    assert mol.replace(n_chargers=3).n_chargers == 3 and mol.replace(n_chargers=3) != mol
    assert qd.StarMolecule.from_dict({**mol.to_dict(), "provenance": {"x": "y"}}) == mol  # provenance is commentary
    with pytest.raises(ConfigError) as e:
        mol.replace(colour="red")
    assert e.value.argument == "colour"
    moved = mol.replace(field_t=14.0921)  # a 600 MHz magnet: the channels' carriers follow
    assert moved.channel_map["rf_c"].freq_ghz == pytest.approx(0.6, rel=1e-3)


def test_calibration_records_are_refused_for_molecules():
    with pytest.raises(ConfigError) as e:
        qd.load("nmr_trimethylphosphite", calibration="latest")
    assert e.value.argument == "calibration"


# ---- invalid files: the specific error naming the field ---------------------------------------------------------
def _base() -> dict:
    return copy.deepcopy(json.loads((ROOT / "backends" / "nmr_trimethylphosphite.json").read_text()))


def _set(path: str, value):
    def change(d):
        *head, last = path.split(".")
        for k in head:
            d = d[k]
        d[last] = value
    return change


def _channel(i: int, key: str, value):
    def change(d):
        d["channels"][i][key] = value
    return change


@pytest.mark.parametrize("change, argument, error", [
    (lambda d: d.pop("battery"), "battery", ConfigError),
    (lambda d: d["chargers"].pop("t1_s"), "chargers.t1_s", ConfigError),
    (_set("battery.t2_s", -1.0), "battery.t2_s", InvalidArgumentError),
    (_set("battery.t2_s", 0.0), "battery.t2_s", InvalidArgumentError),
    (_set("battery.t2_s", 17.0), "battery.t2_s", InvalidArgumentError),  # T1 = 8 s: T2 > 2 T1
    (_set("chargers.t1_s", "long"), "chargers.t1_s", InvalidArgumentError),
    (_channel(1, "spin", "solvent"), "channels[1].spin", ConfigError),
    (_channel(0, "max_nutation_hz", -5.0), "channels[0].max_nutation_hz", InvalidArgumentError),
    (_channel(1, "colour", "red"), "channels[1].colour", ConfigError),
    (_set("chargers.isotope", "3He"), "chargers.isotope", ConfigError),
    (_set("chargers.isotope", "2H"), "chargers.isotope", ConfigError),  # spin-1: not a spin-1/2 star
    (_set("chargers.isotope", "31P"), "chargers.isotope", ConfigError),  # homonuclear
    (_set("n_chargers", 0), "n_chargers", InvalidArgumentError),
    (_set("n_chargers", 2.5), "n_chargers", InvalidArgumentError),
    (_set("coupling_hz", 0.0), "coupling_hz", InvalidArgumentError),
    (_set("field_t", -11.7), "field_t", InvalidArgumentError),
    (_set("temperature_k", 0.0), "temperature_k", InvalidArgumentError),
    (_set("magnet", "big"), "magnet", ConfigError),
    (_set("battery.spin_rate", 1.0), "battery.spin_rate", ConfigError),
    (lambda d: d["channels"].pop(1), "channels", ConfigError),  # no channel for the chargers
    (_channel(1, "spin", "battery"), "channels", ConfigError),  # two channels on the battery
    (_channel(1, "name", "rf_b"), "channels", ConfigError),  # duplicate names
], ids=["missing-battery", "missing-charger-t1", "negative-t2", "zero-t2", "t2-above-2t1", "t1-not-a-number",
        "unknown-channel-spin", "negative-nutation", "channel-unknown-key", "unknown-isotope", "spin-1-isotope",
        "homonuclear", "no-chargers", "fractional-chargers", "zero-coupling", "negative-field", "zero-kelvin",
        "unknown-key", "unknown-spin-key", "missing-charger-channel", "two-battery-channels", "duplicate-names"])
def test_invalid_molecule_files(change, argument, error, tmp_path):
    d = _base()
    change(d)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    with pytest.raises(error) as e:
        qd.load(path)
    assert type(e.value) is error and e.value.argument == argument, (e.value.argument, str(e.value))


def test_comment_keys_and_kind():
    d = _base()
    d["_comment"] = "keys starting with _ are notes"
    d["battery"]["_note"] = "so are these"
    assert qd.StarMolecule.from_dict(d) == qd.load("nmr_trimethylphosphite")
    d["kind"] = "transmon"
    with pytest.raises(ConfigError) as e:
        qd.StarMolecule.from_dict(d)
    assert e.value.argument == "kind"
    assert qd.DEVICE_KINDS["nmr_star"] == qd.StarMolecule.from_dict


def test_spin_records():
    s = qd.NuclearSpin("31P", 140.0, t1_s=8.0, t2_s=2.0)
    assert s.gamma_sign == 1 and s.tphi_s == pytest.approx(1 / (1 / 2.0 - 1 / 16.0), rel=1e-12)
    assert qd.NuclearSpin("1H", 0.0, t1_s=1.0, t2_s=2.0).tphi_s == math.inf  # T2 = 2 T1: no pure dephasing
    with pytest.raises(InvalidArgumentError) as e:
        qd.NuclearSpin("1H", 0.0, t1_s=1.0, t2_s=2.5)
    assert e.value.argument == "t2_s"
    with pytest.raises(ConfigError) as e:
        qd.NuclearSpin("1h", 0.0, t1_s=1.0, t2_s=1.0)
    assert e.value.argument == "isotope"
    with pytest.raises(ConfigError) as e:
        qd.RfChannel("x", "solvent", 1000.0)
    assert e.value.argument == "spin"
    assert qd.RfChannel("x", "battery", 1000.0).freq_ghz is None  # no carrier outside a molecule
