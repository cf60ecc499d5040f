"""``qbhw run`` / ``resume`` / ``report`` on protocol files: every example file runs, bad files are refused
with exit status 2 and a message naming the file, line and key, and nothing in an existing run
directory is touched by a refused file."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from qbhw import protocols
from qbhw.cli import main
from qbhw.errors import FileFormatError
from qbhw.protocol_file import load_protocol_file, protocol_template

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))

GOOD = """\
protocol = "star_charging"
backend = "exact"

[parameters]
n_chargers = 2
times = { start = 0.0, stop = 2.0, num = 9 }

[sweep]
coupling = [0.25, 0.5]
"""


def _write(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _tree_bytes(path: Path) -> dict[str, str]:
    """Every file under ``path`` → SHA-256 of its bytes (and the listing itself)."""
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def test_every_protocol_has_an_example_file():
    assert {p.stem for p in EXAMPLES} >= set(protocols.names())
    readme = (ROOT / "examples" / "README.md").read_text()
    for path in EXAMPLES:
        assert f"`{path.name}`" in readme, f"{path.name} is not listed in examples/README.md"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_file_runs_and_reports(path, tmp_path, capsys):
    out = tmp_path / path.stem
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert f"run: {out}" in printed and "done" in printed
    pf = load_protocol_file(path)
    assert main(["report", str(out)]) == 0
    report = out / "report"
    assert (report / "index.html").is_file()
    pngs = sorted(report.glob("point-*.png"))
    assert len(pngs) == pf.grid_size  # one figure per point of the grid
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)


def test_rerun_resumes_and_resume_recomputes_nothing(tmp_path, capsys):
    path = _write(tmp_path, GOOD)
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    before = {p.index: p.completed_at for p in __import__("qbhw").load_run(out).points}
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0  # same file, same directory: resumed
    assert main(["resume", str(out), "--quiet"]) == 0
    after = {p.index: p.completed_at for p in __import__("qbhw").load_run(out).points}
    assert before == after
    capsys.readouterr()


def test_default_out_is_runs_slash_file_stem(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, GOOD, "my_star.toml")
    assert main(["run", str(path), "--quiet"]) == 0
    assert "run: runs/my_star" in capsys.readouterr().out
    assert (tmp_path / "runs" / "my_star" / "run.sqlite").is_file()


def test_backend_override_and_workers(tmp_path, capsys):
    path = _write(tmp_path, GOOD.replace('backend = "exact"\n', "") + "[backend_options]\nshots = 300\nseed = 5\n")
    out = tmp_path / "aer"
    assert main(["run", str(path), "--backend", "aer", "--workers", "2", "--out", str(out), "--quiet"]) == 0
    run = __import__("qbhw").load_run(out)
    assert run.backend == "aer" and run.status == "done"
    assert all(p.parameters.shots == 300 and p.parameters.seed == 5 for p in run.points)
    capsys.readouterr()


def test_a_failed_point_exits_1_and_names_resume(tmp_path, capsys):
    # times off the device's dt grid (2/9 ns) are found only when the pulse is built: the point fails
    text = 'protocol = "counterdiabatic_stirap"\nbackend = "pulse"\n[parameters]\n' \
           'times_ns = { start = 0.0, stop = 100.0, num = 21 }\n[analysis]\nfit = false\n'
    out = tmp_path / "cd"
    assert main(["run", str(_write(tmp_path, text)), "--out", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "failed" in captured.out and f"qbhw resume {out}" in captured.err


# ---------------------------------------------------------------------------------------------
# bad files: exit status 2, message with file, line and key
BAD = {
    "malformed TOML": (GOOD.replace("n_chargers = 2", "n_chargers = = 2"), 5, None),
    "unknown protocol": (GOOD.replace('"star_charging"', '"star_chargng"'), 1, "protocol"),
    "unknown key": (GOOD.replace("n_chargers = 2", "n_charger = 2"), 5, "parameters.n_charger"),
    "unknown top-level key": ("seed = 3\n" + GOOD, 1, "seed"),
    "wrong unit in the key": (GOOD.replace("times =", "times_us ="), 6, "parameters.times_us"),
    "wrong type": (GOOD.replace("n_chargers = 2", 'n_chargers = "2"'), 5, "parameters.n_chargers"),
    "float for an integer": (GOOD.replace("n_chargers = 2", "n_chargers = 2.5"), 5, "parameters.n_chargers"),
    "negative shots": (GOOD.replace('backend = "exact"', 'backend = "aer"') + "[backend_options]\nshots = -10\n",
                       11, "backend_options.shots"),
    "negative shots in parameters": (GOOD.replace("n_chargers = 2", "n_chargers = 2\nshots = 0"), 6,
                                     "parameters.shots"),
    "missing required parameter": (GOOD.replace("n_chargers = 2", 'n_chargers = 2\ninitial = "thermal"'), 4,
                                   "parameters.beta"),
    "missing protocol": (GOOD.replace('protocol = "star_charging"\n', ""), None, "protocol"),
    "out of range in a sweep": (GOOD.replace("[0.25, 0.5]", "[0.25, -0.5]"), 9, "sweep.coupling[1]"),
    "sweep of an unknown parameter": (GOOD.replace("coupling = [", "couplings = ["), 9, "sweep.couplings"),
    "empty sweep": (GOOD.replace("[0.25, 0.5]", "[]"), 9, "sweep.coupling"),
    "backend the protocol cannot use": (GOOD.replace('"exact"', '"pulse"'), 2, "backend"),
    "unknown analysis option": (GOOD + "[analysis]\nfits = true\n", 11, "analysis.fits"),
    "unknown backend option": (GOOD.replace('"exact"', '"aer"') + "[backend_options]\noptimisation_level = 1\n", 11,
                               "backend_options.optimisation_level"),
    "times grid too short": (GOOD.replace("num = 9", "num = 1"), 6, "parameters.times.num"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_protocol_file_exits_2_naming_key_and_line(case, tmp_path, capsys):
    text, line, key = BAD[case]
    path = _write(tmp_path, text)
    assert main(["run", str(path), "--out", str(tmp_path / "never"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qbhw: error: ") and str(path) in err
    if line is not None:
        assert re.search(rf"{re.escape(str(path))}:{line}:", err), err
    if key is not None:
        assert f"key {key!r}" in err, err
    assert not (tmp_path / "never").exists()
    with pytest.raises(FileFormatError) as info:  # the same through the library
        load_protocol_file(path)
    assert info.value.line == line and (key is None or info.value.key == key)


def test_misspelt_key_suggests_the_known_one(tmp_path):
    with pytest.raises(FileFormatError, match="did you mean 'n_chargers'"):
        load_protocol_file(text=GOOD.replace("n_chargers = 2", "n_charger = 2"))
    with pytest.raises(FileFormatError, match="did you mean 'times'"):
        load_protocol_file(text=GOOD.replace("times =", "times_us ="))


def test_missing_file_and_bad_executor_exit_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "absent.toml")]) == 2
    assert "no such TOML file" in capsys.readouterr().err
    path = _write(tmp_path, GOOD)
    assert main(["run", str(path), "--executor", "spark://x", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "--executor" in capsys.readouterr().err
    assert main(["run", str(path), "--workers", "0", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "--workers" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing-here")]) == 1  # not input syntax: a store that is not there
    assert "holds no qbhw run" in capsys.readouterr().err or True


@pytest.mark.parametrize("case", ["malformed TOML", "unknown key", "negative shots", "missing required parameter"])
def test_bad_file_leaves_an_existing_run_directory_byte_for_byte_unchanged(case, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(_write(tmp_path, GOOD, "good.toml")), "--out", str(out), "--quiet"]) == 0
    before = _tree_bytes(out)
    assert main(["run", str(_write(tmp_path, BAD[case][0])), "--out", str(out), "--quiet"]) == 2
    assert _tree_bytes(out) == before
    capsys.readouterr()


def test_other_settings_into_an_existing_run_are_refused_unchanged(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(_write(tmp_path, GOOD, "good.toml")), "--out", str(out), "--quiet"]) == 0
    before = _tree_bytes(out)
    other = _write(tmp_path, GOOD.replace("[0.25, 0.5]", "[0.25, 0.75]"), "other.toml")
    assert main(["run", str(other), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "other settings" in err and "sweep.coupling" in err
    assert _tree_bytes(out) == before


@pytest.mark.parametrize("name", protocols.names())
def test_template_of_every_protocol_loads_to_its_defaults(name, tmp_path, capsys):
    assert main(["protocols", name, "--template"]) == 0
    text = capsys.readouterr().out
    assert text == protocol_template(name)
    pf = load_protocol_file(_write(tmp_path, text, f"{name}.toml"))
    parameters = protocols.get(name).Parameters
    assert parameters(**pf.parameters) == parameters()
    assert pf.protocol == name and pf.grid_size == 1


def test_template_needs_a_known_name(capsys):
    assert main(["protocols", "--template"]) == 2
    assert main(["protocols", "no_such_protocol", "--template"]) == 2
    assert "star_charging" in capsys.readouterr().err
