"""``qbhw protocols [NAME]`` and ``qbhw backends`` (qbhw.cli.info)."""

from __future__ import annotations

import json

import pytest

from qbhw import protocols
from qbhw.cli import EXIT_BAD_INPUT, main

TOKEN = "not-a-real-token-0123456789abcdef"


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _line(out: str, name: str) -> str:
    """The table row of ``name`` (first column)."""
    rows = [line for line in out.splitlines() if line.split()[:1] == [name]]
    assert rows, f"no row {name!r} in:\n{out}"
    return rows[0]


# ---- qbhw protocols -----------------------------------------------------------------------------
def test_protocols_lists_names_summaries_and_backends(capsys):
    code, out, _ = _run(capsys, "protocols")
    assert code == 0
    for name in protocols.names():
        assert name in out
    star = _line(out, "star_charging")
    assert "exact" in star and "fake:<device>" in star and "charger" in star
    assert "pulse" in _line(out, "stirap_charging")
    assert "Dicke-battery charging" in _line(out, "dicke_charging")


def test_protocol_table_has_types_defaults_units_and_help(capsys):
    code, out, _ = _run(capsys, "protocols", "star_charging")
    assert code == 0
    coupling = _line(out, "coupling")
    assert "float" in coupling and "0.5" in coupling and "ω_b" in coupling and "flip-flop" in coupling
    times = _line(out, "times")
    assert "{ start = 0.0, stop = 3.0, num = 31 }" in times and "1/ω_b" in times
    assert "1/ω_b" in _line(out, "beta")
    assert "'pure'" in _line(out, "initial")
    # analysis options: its own keywords and those it passes to qbhw.fit.fit_curve
    assert "True" in _line(out, "fit") and "coupling_range" in out
    assert "qbhw.fit.fit_curve" in _line(out, "method")


def test_pulse_protocol_units_come_from_name_suffixes(capsys):
    code, out, _ = _run(capsys, "protocols", "stirap_charging")
    assert code == 0
    assert "GHz" in _line(out, "amp_pump_ghz") and "ns" in _line(out, "sigma_ns")
    assert "device name" in _line(out, "device")


def test_protocols_json_is_parseable_and_deterministic(capsys):
    _, first, _ = _run(capsys, "protocols", "--json")
    _, second, _ = _run(capsys, "protocols", "--json")
    assert first == second
    listing = json.loads(first)
    assert [p["name"] for p in listing["protocols"]] == protocols.names()
    star = next(p for p in listing["protocols"] if p["name"] == "star_charging")
    assert star["backends"] == list(protocols.get("star_charging").BACKENDS) and star["summary"]

    _, first, _ = _run(capsys, "protocols", "star_charging", "--json")
    _, second, _ = _run(capsys, "protocols", "star_charging", "--json")
    assert first == second
    details = json.loads(first)
    assert details["parameters"] == json.loads(json.dumps(protocols.get("star_charging").Parameters.field_table()))
    rows = {r["name"]: r for r in details["parameters"]}
    assert rows["coupling"]["unit"] == "ω_b" and rows["coupling"]["default"] == 0.5
    assert rows["times"]["default"] == {"start": 0.0, "stop": 3.0, "num": 31}
    options = {o["name"]: o for o in details["analyse_options"]}
    assert options["fit"] == {"name": "fit", "type": "bool", "default": True, "source": "analyse"}


def test_every_protocol_table_renders(capsys):
    for name in protocols.names():
        code, out, _ = _run(capsys, "protocols", name)
        assert code == 0
        for field in protocols.get(name).Parameters.field_names():
            assert _line(out, field)


def test_unknown_protocol_is_bad_input(capsys):
    code, out, err = _run(capsys, "protocols", "no_such_protocol")
    assert code == EXIT_BAD_INPUT
    assert "NAME" in err and "no_such_protocol" in err and "star_charging" in err
    assert out == ""


# ---- qbhw backends ------------------------------------------------------------------------------
@pytest.fixture
def account_file(tmp_path, monkeypatch):
    """qiskit-ibm-runtime's account file moved to a temporary path (no environment account)."""
    management = pytest.importorskip("qiskit_ibm_runtime.accounts.management")
    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"):
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "qiskit-ibm.json"
    monkeypatch.setattr(management, "_DEFAULT_ACCOUNT_CONFIG_JSON_FILE", str(path))
    return path


def test_backends_lists_simulators_fake_devices_account_and_crosscheck(capsys, account_file):
    code, out, _ = _run(capsys, "backends")
    assert code == 0
    for name in ("exact", "pulse", "aer", "aer:density_matrix"):
        assert _line(out, name)
    assert "fake:sherbrooke (127)" in out
    assert "IBM Quantum account (ibm:<device>): none" in out
    assert not account_file.exists()  # only looked at
    assert "qiskit-dynamics cross-check environment:" in out


def test_backends_reports_a_saved_account_without_its_token(capsys, account_file):
    account_file.write_text(json.dumps({"my-account": {
        "channel": "ibm_quantum_platform", "token": TOKEN, "url": "https://cloud.ibm.com",
        "instance": "crn:v1:bluemix:public:quantum-computing:us-east:a/abc:def::", "is_default_account": True}}))
    code, out, _ = _run(capsys, "backends")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("IBM Quantum account"))
    assert "saved" in line and "my-account" in line and "ibm_quantum_platform" in line
    code, js, _ = _run(capsys, "backends", "--json")
    account = json.loads(js)["ibm_account"]
    assert account["saved"] is True
    assert account["accounts"] == [{"name": "my-account", "channel": "ibm_quantum_platform", "default": True}]
    assert TOKEN not in out and TOKEN not in js and "crn:" not in out + js


def test_backends_survives_an_unreadable_account_file(capsys, account_file):
    account_file.write_text('{"broken": ' + repr(TOKEN))
    code, out, _ = _run(capsys, "backends")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("IBM Quantum account"))
    assert "could not be read" in line and TOKEN not in out


def test_backends_json_is_parseable_and_deterministic(capsys, account_file, tmp_path, monkeypatch):
    monkeypatch.setenv("QBHW_QD_ENV", str(tmp_path / "no-env"))
    _, first, _ = _run(capsys, "backends", "--json")
    _, second, _ = _run(capsys, "backends", "--json")
    assert first == second
    report = json.loads(first)
    assert [s["name"] for s in report["simulators"]] == ["exact", "pulse", "aer", "aer:density_matrix"]
    exact = report["simulators"][0]
    assert exact["available"] is True
    devices = {d["name"]: d for d in report["fake_devices"]["devices"]}
    assert devices["fake:sherbrooke"]["qubits"] == 127 and devices["fake:sherbrooke"]["device"] == "ibm_sherbrooke"
    assert report["ibm_account"]["saved"] is False
    cross = report["crosscheck"]
    assert cross["available"] is False and "qiskit_dynamics_env.sh" in cross["build"]


def test_backends_says_how_to_build_a_missing_crosscheck_environment(capsys, account_file, tmp_path, monkeypatch):
    monkeypatch.setenv("QBHW_QD_ENV", str(tmp_path / "no-env"))
    _, out, _ = _run(capsys, "backends")
    line = next(line for line in out.splitlines() if line.startswith("qiskit-dynamics cross-check"))
    assert "missing" in line and "qiskit_dynamics_env.sh" in line


def test_fake_device_names_are_accepted_by_get_backend(capsys, account_file):
    """Every listed name is one ``get_backend`` resolves (checked on the class, without building it)."""
    from qbhw.backends import devices

    _, js, _ = _run(capsys, "backends", "--json")
    for d in json.loads(js)["fake_devices"]["devices"]:
        assert d["name"].startswith("fake:")
        assert devices._class_for(d["name"].split(":", 1)[1]) is not None
