"""``qbhw fit``: the command reproduces the library fit of the ibm_perth data; bad input exits 2 naming the
argument; a failed fit exits 1; ``--out`` writes a JSON that round-trips and a figure; ``--list-models``."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from qbhw.cli import main
from qbhw.cli.fit import resolve_options
from qbhw.cli.fit_models import FIT_MODELS, get_spec
from qbhw.fit import FitResult, RabiChargingModel, fit_curve, read_csv, transverse_ising_model

PERTH = Path(__file__).resolve().parent / "data" / "ibm_perth_tfim_battery_vqergo.csv"
H_FIELD = -0.6  # the file header's h
REL = 1e-9


def _library_fit(case: str, model):
    """The fit of tests/fit/test_real_data.py: W_hw against t with the file's σ estimate."""
    data = read_csv(PERTH).where(case=case).fit_data("t", "W_hw", "sigma_shot_est", sigma_kind="estimate")
    return fit_curve(model, data)


def _cli_json(capsys, *args) -> dict:
    assert main(["fit", str(PERTH), *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _assert_same_parameters(cli: dict, lib: FitResult) -> None:
    assert set(cli["parameters"]) == set(lib.parameter_estimates)
    for name, est in lib.parameter_estimates.items():
        got = cli["parameters"][name]
        assert got["value"] == pytest.approx(est.value, rel=REL, abs=1e-300)
        assert got["vary"] == est.vary
        if est.vary:
            assert got["stderr"] == pytest.approx(est.stderr, rel=REL)
            assert got["ci95"] == pytest.approx(list(est.ci95), rel=REL)
    assert cli["redchi"] == pytest.approx(lib.redchi, rel=REL)
    assert cli["quality"] == lib.quality and cli["ndata"] == lib.ndata
    assert cli["sigma_kind"] == "estimate"


# ---------------------------------------------------------------------------------------------
# the ibm_perth fits of tests/fit/test_real_data.py, through the command
def test_four_qubit_theory_fit_matches_library(capsys):
    cli = _cli_json(capsys, "--model", "transverse_ising", "--where", "case=tfim_N4_M2", "--set", f"field={H_FIELD}")
    lib = _library_fit("tfim_N4_M2", transverse_ising_model(4, 2, H_FIELD))
    _assert_same_parameters(cli, lib)
    assert cli["extra"]["cli"]["options"]["n_qubits"] == 4 and cli["extra"]["cli"]["options"]["m_cells"] == 2
    lo, hi = cli["parameters"]["coupling_abs"]["ci95"]
    assert lo <= 2.0 <= hi  # true |J| = 2


def test_two_qubit_fits_match_library(capsys):
    cli = _cli_json(capsys, "--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", f"field={H_FIELD}",
                    "--set", "field_in_charging=false", "--set", "contrast=true")
    lib = _library_fit("xx_N2_M1", transverse_ising_model(2, 1, H_FIELD, field_in_charging=False, scale=None))
    _assert_same_parameters(cli, lib)
    # the closed form, free and with the amplitude fixed by h (flagged poor, still exit 0)
    rabi = _cli_json(capsys, "--model", "rabi_charging", "--where", "case=xx_N2_M1", "--y", "W_hw")
    _assert_same_parameters(rabi, _library_fit("xx_N2_M1", RabiChargingModel()))
    fixed = _cli_json(capsys, "--model", "rabi_charging", "--where", "case=xx_N2_M1", "--y", "W_hw",
                      "--fix", f"amplitude={2 * abs(H_FIELD)}")
    data = read_csv(PERTH).where(case="xx_N2_M1").fit_data("t", "W_hw", "sigma_shot_est", sigma_kind="estimate")
    lib_fixed = fit_curve(RabiChargingModel(), data, fixed={"amplitude": 2 * abs(H_FIELD)})
    _assert_same_parameters(fixed, lib_fixed)
    assert fixed["quality"] == "poor"


def test_numeric_where_selects_the_same_rows(capsys):
    by_case = _cli_json(capsys, "--model", "transverse_ising", "--where", "case=tfim_N4_M2", "--set", "field=-0.6")
    by_size = _cli_json(capsys, "--model", "transverse_ising", "--where", "n_qubits=4.0", "--set", "field=-0.6")
    assert by_size["parameters"]["coupling_abs"]["value"] == by_case["parameters"]["coupling_abs"]["value"]


def test_table_output_names_the_figures(capsys):
    args = ["fit", str(PERTH), "--model", "transverse_ising", "--where", "case=tfim_N4_M2", "--set", "field=-0.6"]
    assert main(args) == 0
    out = capsys.readouterr().out
    lib = _library_fit("tfim_N4_M2", transverse_ising_model(4, 2, H_FIELD))
    for text in ("coupling_abs", f"{lib.value('coupling_abs'):.6g}", "95 % interval", "quality: poor",
                 f"chi2_red: {lib.redchi:.4g}", "N points: 6", "sigma=sigma_shot_est (estimate)", "fixed"):
        assert text in out


def test_sigma_kind_measured_keeps_values_changes_errors(capsys):
    est = _cli_json(capsys, "--model", "transverse_ising", "--where", "case=tfim_N4_M2", "--set", "field=-0.6")
    meas = _cli_json(capsys, "--model", "transverse_ising", "--where", "case=tfim_N4_M2", "--set", "field=-0.6",
                     "--sigma-kind", "measured")
    a, b = est["parameters"]["coupling_abs"], meas["parameters"]["coupling_abs"]
    assert b["value"] == pytest.approx(a["value"], rel=REL)
    assert meas["sigma_kind"] == "measured"
    assert b["stderr"] == pytest.approx(a["stderr"] / math.sqrt(est["redchi"]), rel=1e-6)  # not scaled by chi2_red


# ---------------------------------------------------------------------------------------------
# --out
def test_out_writes_json_that_round_trips_and_a_png(capsys, tmp_path):
    out = tmp_path / "fit_out"
    args = ["fit", str(PERTH), "--model", "transverse_ising", "--where", "case=tfim_N4_M2", "--set", "field=-0.6",
            "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    json_path, png_path = out / "fit.json", out / "fit.png"
    assert str(json_path) in printed and str(png_path) in printed
    loaded = FitResult.from_json(json_path)
    lib = _library_fit("tfim_N4_M2", transverse_ising_model(4, 2, H_FIELD))
    assert loaded.value("coupling_abs") == pytest.approx(lib.value("coupling_abs"), rel=REL)
    assert loaded.interval("coupling_abs") == pytest.approx(lib.interval("coupling_abs"), rel=REL)
    assert loaded.quality == lib.quality and loaded.ndata == 6
    assert np.allclose(loaded.best_fit, lib.best_fit, rtol=REL)
    assert loaded.extra["cli"]["where"] == {"case": "tfim_N4_M2"}
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_json_with_out_keeps_stdout_pure_json(capsys, tmp_path):
    args = ["fit", str(PERTH), "--model", "rabi_charging", "--where", "case=xx_N2_M1", "--y", "W_hw", "--json",
            "--out", str(tmp_path)]
    assert main(args) == 0
    captured = capsys.readouterr()
    FitResult.from_json(captured.out)
    assert "fit.json" in captured.err


# ---------------------------------------------------------------------------------------------
# models and defaults
def test_list_models(capsys):
    assert main(["fit", "--list-models"]) == 0
    listing = capsys.readouterr().out
    for name in ("rabi_charging", "fock_charging", "star_pure", "damped_rabi", "star_high_temperature",
                 "exponential_decay", "stretched_exponential_decay", "stirap_transfer", "power_law",
                 "transverse_ising"):
        assert name in FIT_MODELS and f"\n{name}\n" in f"\n{listing}"
    assert "field=required" in listing
    assert main(["fit", "--model", "help"]) == 0
    assert capsys.readouterr().out == listing


def test_every_model_builds_from_its_defaults():
    required = {"n_chargers": "3", "n_cells": "2", "field": "-0.6", "n_qubits": "2", "m_cells": "1"}
    for spec in FIT_MODELS.values():
        settings = {o.name: required[o.name] for o in spec.options if o.required}
        model = spec.build(resolve_options(spec, settings))
        assert len(model.independent_vars) == 1
        assert model.make_params()


def test_closed_form_fit_of_a_written_csv_uses_default_columns(capsys, tmp_path):
    t = np.linspace(0.0, 3.0, 31)
    rng = np.random.default_rng(3)
    sigma = 0.01
    energy = 0.8 * np.sin(1.3 * t) ** 2 + rng.normal(0, sigma, t.size)
    lines = ["# synthetic Rabi charging, omega = 1.3, amplitude = 0.8", "t,energy,energy_stderr"]
    lines += [f"{float(a)!r},{float(b)!r},{sigma!r}" for a, b in zip(t, energy)]
    path = tmp_path / "rabi.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["fit", str(path), "--model", "rabi_charging", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["sigma_kind"] == "measured" and cli["extra"]["cli"]["sigma"] == "energy_stderr"
    lo, hi = cli["parameters"]["omega"]["ci95"]
    assert lo <= 1.3 <= hi


def test_failed_fit_exits_1(capsys, tmp_path):
    # all-zero data with absolute σ: the frequency does not affect the fit, no covariance → quality "bad"
    path = tmp_path / "flat.csv"
    path.write_text("t,energy,energy_stderr\n" + "".join(f"{k / 10},0.0,0.1\n" for k in range(11)), encoding="utf-8")
    assert main(["fit", str(path), "--model", "rabi_charging", "--out", str(tmp_path / "o")]) == 1
    captured = capsys.readouterr()
    assert "quality: bad" in captured.out and "qbhw: failed: fit of rabi_charging failed" in captured.err
    assert (tmp_path / "o" / "fit.json").is_file()  # written for inspection


# ---------------------------------------------------------------------------------------------
# bad input: exit 2, the argument named on stderr
BAD_INPUTS = [
    (["--model", "no_such_model"], ["--model", "transverse_ising", "rabi_charging"]),
    (["--model", "rabi_charging"], ["--where", "case=", "tfim_N4_M2", "xx_N2_M1"]),  # multi-case file
    (["--model", "transverse_ising", "--where", "kase=xx_N2_M1"], ["--where", "kase", "case"]),
    (["--model", "transverse_ising", "--where", "case=xx_N3"], ["--where", "tfim_N4_M2", "xx_N2_M1"]),
    (["--model", "transverse_ising", "--where", "n_qubits=3"], ["--where", "n_qubits", "4", "2"]),
    (["--model", "transverse_ising", "--where", "n_qubits=four"], ["--where", "numeric"]),
    (["--model", "transverse_ising", "--where", "case"], ["--where", "COL=VALUE"]),
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1"], ["--set", "field"]),  # required option
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", "fieldd=1"], ["--set", "field_in_charging"]),
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", "field=strong"], ["--set", "real number"]),
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", "field"], ["--set", "NAME=VALUE"]),
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", "field=-0.6", "--x", "time"],
     ["--x", "time", "W_hw"]),
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", "field=-0.6", "--y", "case"],
     ["--y", "not numeric"]),
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", "field=-0.6", "--sigma", "sd"],
     ["--sigma", "sigma_shot_est"]),
    (["--model", "transverse_ising", "--where", "case=xx_N2_M1", "--set", "field=-0.6", "--fix", "omega=2"],
     ["--fix", "coupling_abs"]),
    (["--model", "rabi_charging", "--where", "case=xx_N2_M1", "--y", "W_hw", "--guess", "omega=fast"],
     ["--guess", "omega"]),
]


@pytest.mark.parametrize("args, expected", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_exits_2_naming_the_argument(capsys, args, expected):
    assert main(["fit", str(PERTH), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qbhw: error: ")
    for text in expected:
        assert text in err


def test_missing_file_and_missing_model_exit_2(capsys, tmp_path):
    assert main(["fit", str(tmp_path / "absent.csv"), "--model", "rabi_charging"]) == 2
    assert "DATA" in capsys.readouterr().err
    assert main(["fit", str(PERTH)]) == 2
    assert "--model" in capsys.readouterr().err
    assert main(["fit", "--model", "rabi_charging"]) == 2
    assert "DATA" in capsys.readouterr().err


def test_unknown_model_is_a_config_error():
    from qbhw.errors import ConfigError

    with pytest.raises(ConfigError, match="--model"):
        get_spec("rabi")
