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
