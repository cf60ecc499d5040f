"""The console script and the main demo (README's first command)."""

from __future__ import annotations

import json

import pytest

from qbhw import __version__
from qbhw.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_command_fails(capsys):
    with pytest.raises(SystemExit) as e:
        main(["no-such-command"])
    assert e.value.code != 0


def test_demo_quick_json_reports_computed_figures(capsys):
    assert main(["demo", "--quick", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    fom = report["figures_of_merit"]
    assert abs(fom["qubit"]["ergotropy"] - 0.705937) < 1e-6  # RR-01
    assert abs(fom["qutrit_bound"] - 0.1957529) < 1e-7  # RR-03
    rows = {r["n_cells"]: r for r in report["dicke"]["rows"]}
    assert abs(rows[8]["max_average_power"] - 9.591) / 9.591 < 1e-3  # seed-spec §2.2 table, g = 0.5
    assert abs(rows[8]["gamma"] - 2.877) / 2.877 < 1e-3
    stirap = {(r["protocol"], r["amp_scale"]): r for r in report["transmon"]["rows"]}
    p2 = lambda name, a: stirap[(name, a)]["populations"][2]  # noqa: E731
    # STIRAP is robust to a 20 % amplitude error, sequential pi pulses are not
    assert abs(p2("STIRAP (Stokes first)", 1.0) - p2("STIRAP (Stokes first)", 0.8)) < 0.03
    assert p2("sequential π pulses", 1.0) - p2("sequential π pulses", 0.8) > 0.1


def test_demo_json_has_format_version_units_and_is_deterministic(capsys):
    assert main(["demo", "--quick", "--json"]) == 0
    first = capsys.readouterr().out
    assert main(["demo", "--quick", "--json"]) == 0
    second = capsys.readouterr().out
    assert first == second  # no timings or other run-dependent fields
    report = json.loads(first)
    assert report["format"] == "qbhw-demo/1" and report["version"] == __version__
    assert "seconds" not in first
    units = report["units"]
    assert units["dicke"]["tau_max_power"] == "1/ω_0" and units["dicke"]["max_average_power"] == "ω_0^2"
    assert units["figures_of_merit"]["ergotropy"] == "ω_0"
    assert units["transmon"]["work_ghz"] == "GHz" and units["transmon"]["tau_ns"] == "ns"
    # every numeric field of the rows has a unit
    for section, row in (("dicke", report["dicke"]["rows"][0]), ("transmon", report["transmon"]["rows"][0])):
        assert {k for k, v in row.items() if not isinstance(v, str)} <= set(units[section])


def test_demo_out_writes_figures(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["demo", "--quick", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    pngs = sorted(out.glob("*.png"))
    assert {p.name for p in pngs} >= {"dicke-charging-curves.png", "stirap-populations.png",
                                       "pi-pulse-populations.png", "transmon-amplitude-robustness.png"}
    for p in pngs:
        assert p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert str(p) in text  # the paths are printed
    assert "== Dicke quantum battery" in text  # the text report as before


def test_demo_out_must_be_a_directory(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["demo", "--quick", "--out", str(f)]) == 2
    assert "--out" in capsys.readouterr().err
