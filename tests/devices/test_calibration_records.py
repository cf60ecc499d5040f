"""Calibration records: values with intervals and provenance, JSON round trip, the overlay on a device definition,
where records are stored and found, and specific errors naming the field for every kind of bad record."""

from __future__ import annotations

import json
import os
import warnings

import pytest

from qbhw.devices import (QUANTITIES, ROUTINES, CalibrationRecord, CalibrationValue, Device, apply_calibration,
                          definition_fingerprint, latest_record, load, load_record, records, save_record,
                          user_calibrations_folder)
from qbhw.errors import CalibrationNotFoundError, CalibrationWarning, ConfigError, InvalidArgumentError, QbhwError

DEVICE = "transmon_qutrit_stirap"


def _record(device=None, **values) -> CalibrationRecord:
    dev = device or load(DEVICE)
    vals = {k: CalibrationValue(k, v, QUANTITIES[k].routine, stderr=None if isinstance(v, list) else abs(v) * 1e-3,
                                ci95=None if isinstance(v, list) else (v - abs(v) * 2e-3, v + abs(v) * 2e-3))
            for k, v in values.items()}
    return CalibrationRecord(dev.name, definition_fingerprint(dev), vals)


FULL = dict(freq_ghz=5.0002, ef_freq_ghz=4.6931, pi_amp_01_ghz=0.031, pi_amp_12_ghz=0.022, drag_beta_ns=-0.41,
            t1_level1_ns=41000.0, t1_level2_ns=19000.0, t2star_ns=30000.0,
            readout_assignment=[[0.96, 0.03, 0.0], [0.04, 0.95, 0.05], [0.0, 0.02, 0.95]],
            stirap_amp_pump_ghz=0.05, stirap_amp_stokes_ghz=0.035, stirap_sigma_ns=30.0, stirap_delay_ns=45.0,
            stirap_duration_ns=300.0, stirap_center_ns=150.0)


def test_every_quantity_has_a_unit_suffix_and_a_routine():
    for name, q in QUANTITIES.items():
        if q.kind != "matrix":
            assert name.endswith("_" + q.unit.lower()), name
    assert set(ROUTINES) == {"ef_spectroscopy", "rabi_01", "rabi_12", "drag", "readout", "t1", "ramsey",
                             "stirap_tuneup"}
    assert set(FULL) == set(QUANTITIES)


def test_record_round_trips_through_json(tmp_path):
    rec = _record(**FULL)
    again = CalibrationRecord.from_dict(json.loads(rec.to_json()))
    assert again == rec
    path = save_record(rec, tmp_path)
    assert path.parent == tmp_path and path.name == rec.file_name and load_record(path) == rec
    assert rec.values["readout_assignment"].value[1][2] == 0.05
    assert rec.values["t1_level1_ns"].ci95 == pytest.approx((41000 - 82, 41000 + 82))


def test_overlay_sets_the_measured_device_fields_and_keeps_the_rest_in_the_record():
    dev = load(DEVICE)
    cal = apply_calibration(dev, _record(**FULL))
    assert cal.freq_ghz == 5.0002
    assert cal.anharmonicity_ghz == pytest.approx(4.6931 - 5.0002, abs=1e-12)
    assert cal.transition_freq_ghz(1, 2) == pytest.approx(4.6931, abs=1e-12)  # the Stokes carrier follows
    assert cal.t1_ns == (41000.0, 19000.0)
    # 1/Tφ = 1/T2* − 1/(2 T1), independent route: T2 of the calibrated device is T2* again
    assert cal.t2_ns == pytest.approx(30000.0, rel=1e-12)
    assert cal.calibration.get("pi_amp_01_ghz") == 0.031 and cal.calibration.get("drag_beta_ns") == -0.41
    assert Device.from_dict(cal.to_dict()) == cal  # the record travels with the device
    assert cal != dev and dev.calibration is None


def test_overlay_of_a_partial_record_keeps_the_definition_values():
    dev = load(DEVICE)  # scalar T1 = 20 µs: level k decays at k/T1
    cal = apply_calibration(dev, _record(t1_level1_ns=30000.0))
    assert cal.t1_ns == (30000.0, 10000.0) and cal.freq_ghz == dev.freq_ghz and cal.tphi_ns == dev.tphi_ns
    no_dephasing = apply_calibration(dev, _record(t1_level1_ns=30000.0, t2star_ns=60000.0))
    assert no_dephasing.tphi_ns is None  # T2* = 2 T1: no pure dephasing left


def test_load_with_calibration_latest_path_record_and_none(tmp_path, monkeypatch):
    monkeypatch.setenv("QBHW_CALIBRATIONS", str(tmp_path / "user"))
    assert user_calibrations_folder() == tmp_path / "user"
    assert load(DEVICE, calibration=None) == load(DEVICE)
    old = _record(freq_ghz=5.001)
    new = CalibrationRecord(old.device, old.definition, {"freq_ghz": CalibrationValue("freq_ghz", 5.002, "ramsey")},
                            created="2099-01-01T00:00:00+00:00")
    p_old = save_record(old)
    save_record(new)
    assert [r for _, r in records(DEVICE)] == [old, new]
    assert latest_record(DEVICE)[1] == new
    assert load(DEVICE, calibration="latest").freq_ghz == 5.002
    assert load(DEVICE, calibration=p_old).freq_ghz == 5.001
    assert load(DEVICE, calibration=old).freq_ghz == 5.001


def test_latest_without_any_record_names_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("QBHW_CALIBRATIONS", str(tmp_path / "empty"))
    with pytest.raises(CalibrationNotFoundError) as err:
        latest_record("armonk_like")
    assert err.value.argument == "calibration" and "qbhw calibrate armonk_like" in str(err.value)


def test_shipped_record_is_found_when_the_user_has_none(tmp_path, monkeypatch):
    monkeypatch.setenv("QBHW_CALIBRATIONS", str(tmp_path / "empty"))
    path, rec = latest_record(DEVICE)
    assert rec.device == DEVICE and set(QUANTITIES) <= set(rec.values)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalibrationWarning)  # made for today's definition
        cal = load(DEVICE, calibration="latest")
    assert cal.calibration == rec


def test_record_of_another_device_or_definition(tmp_path):
    rec = _record(freq_ghz=5.001)
    other = load("armonk_like")
    with pytest.raises(ConfigError) as err:
        apply_calibration(other, rec)
    assert err.value.argument == "calibration"
    changed = load(DEVICE).replace(dt_ns=0.5)
    with pytest.warns(CalibrationWarning):
        apply_calibration(changed, rec)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["values"]["t1_level1_ns"].update(value=-5.0), "t1_level1_ns"),
    (lambda d: d["values"].update(t1_level1_us=d["values"].pop("t1_level1_ns")), "t1_level1_us"),
    (lambda d: d["values"]["t1_level1_ns"].update(unit="us"), "t1_level1_ns.unit"),
    (lambda d: d["values"]["t1_level1_ns"].pop("routine"), "t1_level1_ns.routine"),
    (lambda d: d["values"]["t1_level1_ns"].update(routine="ramsey"), "t1_level1_ns.routine"),
    (lambda d: d["values"]["freq_ghz"].update(ci95=[4.0, 4.5]), "freq_ghz.ci95"),
    (lambda d: d["values"]["freq_ghz"].update(stderr=-1.0), "freq_ghz.stderr"),
    (lambda d: d["values"]["readout_assignment"].update(value=[[0.9, 0.1], [0.2, 0.9]]), "readout_assignment"),
    (lambda d: d["values"]["freq_ghz"].update(measured_at="yesterday"), "freq_ghz.measured_at"),
    (lambda d: d.pop("device"), "device"),
    (lambda d: d.update(definition="abc"), "definition"),
    (lambda d: d.update(created="2026-01-01T00:00:00"), "created"),
    (lambda d: d.update(colour="red"), "colour"),
    (lambda d: d.update(format="qbhw.calibration/0"), "format"),
])
def test_invalid_record_names_the_field(mutate, field, tmp_path):
    d = _record(**FULL).to_dict()
    mutate(d)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    with pytest.raises(QbhwError) as err:
        load_record(path)
    assert isinstance(err.value, (ConfigError, InvalidArgumentError))
    assert err.value.argument == field, str(err.value)


def test_unknown_device_and_bad_calibration_argument(tmp_path):
    with pytest.raises(ConfigError) as err:
        load("no_such_device", calibration="latest")
    assert err.value.argument == "name_or_path"
    with pytest.raises(CalibrationNotFoundError):
        load(DEVICE, calibration=tmp_path / "missing.json")
    with pytest.raises(ConfigError) as err:
        load(DEVICE, calibration=3)
    assert err.value.argument == "calibration"


def test_records_never_go_into_the_installed_package(tmp_path, monkeypatch):
    import qbhw.devices.calibration as calmod

    fake_pkg = tmp_path / "site-packages" / "qbhw" / "_data" / "calibrations"
    fake_pkg.mkdir(parents=True)
    monkeypatch.setattr(calmod, "_shipped_folder", lambda: fake_pkg)
    with pytest.raises(ConfigError) as err:
        save_record(_record(freq_ghz=5.001), fake_pkg)
    assert err.value.argument == "out" and not os.listdir(fake_pkg)


def test_device_files_name_their_kind(tmp_path, monkeypatch):
    from qbhw.devices import DEVICE_KINDS, register_device_kind

    data = load(DEVICE).to_dict()
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({**data, "kind": "transmon"}))
    assert load(path) == load(DEVICE)
    path.write_text(json.dumps({**data, "kind": "ion_trap"}))
    with pytest.raises(ConfigError) as err:
        load(path)
    assert err.value.argument == "kind" and "transmon" in str(err.value)
    monkeypatch.setitem(DEVICE_KINDS, "transmon", DEVICE_KINDS["transmon"])  # restored after the test
    register_device_kind("ion_trap", lambda d: ("ion trap", d["name"]))
    try:
        assert load(path) == ("ion trap", DEVICE)
    finally:
        DEVICE_KINDS.pop("ion_trap")


def test_the_qubit_records_of_a_calibrated_device_carry_its_calibration():
    """The per-qubit records are what the Aer noise model and the transpiler target are built from."""
    cal = apply_calibration(load(DEVICE), _record(**FULL))
    spec = cal.qubit_specs[0]
    assert spec.t1_ns == 41000.0 and spec.t2_ns == pytest.approx(30000.0, rel=1e-12)
    assert spec.readout_error == pytest.approx((1 - 0.96 + 0.03) / 2, rel=1e-12)
    assert load(DEVICE).qubit_specs[0].readout_error is None
