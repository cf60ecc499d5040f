"""The one-page HTML report of a run (qbhw.results.report): contents, figures (stored or drawn), reloaded
runs, highlighting and escaping."""

from __future__ import annotations

import dataclasses
import re
from importlib import metadata

import pytest

import qbhw
from qbhw.results.report import _err, _num, write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# coupling 0.4 / 1.0: both fits are "good" on exact (noise-free) data
PARAMS = {"n_chargers": 3, "coupling": 0.4, "times": {"start": 0, "stop": 2, "num": 11}}
SWEEP = {"coupling": [0.4, 1.0]}


@pytest.fixture(scope="module")
def star_run(tmp_path_factory):
    return qbhw.run("star_charging", PARAMS, sweep=SWEEP, out=tmp_path_factory.mktemp("star") / "run", progress=False)


@pytest.fixture(scope="module")
def star_run_no_figures(tmp_path_factory):
    return qbhw.run("star_charging", PARAMS, sweep=SWEEP, out=tmp_path_factory.mktemp("star_nofig") / "run",
                    progress=False, figures=False)


def _check_report(run, index) -> str:
    assert index.name == "index.html" and index.is_file()
    text = index.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "<script" not in text and "http://" not in text and "https://" not in text  # self-contained
    assert "star_charging" in text and "2/2 points done" in text
    assert '<span class="sweep-values">0.4, 1.0</span>' in text  # both swept values
    for res in run.analysis:
        est = res.fit.parameter_estimates["coupling"]
        assert f"coupling = {_num(est.value)} ± {_err(est.stderr)}" in text  # the fitted coupling
    assert text.count('<span class="badge q-good">good</span>') == 2
    assert 'id="provenance"' in text
    assert f'data-package="qiskit">{metadata.version("qiskit")}<' in text
    for name in ("point-0000.png", "point-0001.png"):
        png = index.parent / name
        assert png.read_bytes().startswith(PNG_MAGIC)
        assert f'src="{name}"' in text
    return text


def test_report_of_a_sweep(star_run, tmp_path):
    assert star_run.status == "done" and all(f is not None for f in star_run.figures)
    index = star_run.report(tmp_path / "rep")
    assert index == tmp_path / "rep" / "index.html"
    _check_report(star_run, index)
    for k, fig in enumerate(star_run.figures):  # the run's own figures are copied
        assert (tmp_path / "rep" / f"point-{k:04d}.png").read_bytes() == fig.read_bytes()


def test_report_draws_figures_of_a_run_without_them(star_run_no_figures, tmp_path):
    assert star_run_no_figures.figures == [None, None]
    _check_report(star_run_no_figures, write_report(star_run_no_figures, tmp_path / "rep"))


def test_report_of_a_reloaded_run_and_default_path(star_run):
    loaded = qbhw.load_run(star_run.path)
    index = loaded.report()
    assert index == star_run.path / "report" / "index.html"
    _check_report(loaded, index)


def test_report_highlights_bad_fits_and_failures_and_escapes_text(star_run, tmp_path):
    run = qbhw.load_run(star_run.path)
    run.analysis[1].fit.quality = "poor"
    run.analysis[1].fit.flags = ("at bound: <coupling> & more",)
    run.points[0] = dataclasses.replace(run.points[0], status="failed", error="<b>boom</b>\nTraceback: line 1")
    run.data[0] = run.analysis[0] = run.figures[0] = None
    run.manifest = {**run.manifest, "host": "<img src=x onerror=alert(1)>"}
    text = write_report(run, tmp_path / "rep").read_text(encoding="utf-8")
    assert '<span class="badge q-poor">poor</span>' in text
    assert "at bound: &lt;coupling&gt; &amp; more" in text and "<coupling>" not in text
    assert re.search(r'<tr id="point-1" class="warn">', text)
    assert re.search(r'<tr id="point-0" class="fail">', text) and '<span class="badge s-failed">failed</span>' in text
    assert "&lt;b&gt;boom&lt;/b&gt;" in text and "<b>boom</b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img src=x" not in text
    assert not (tmp_path / "rep" / "point-0000.png").exists()  # no data: no figure
    assert (tmp_path / "rep" / "point-0001.png").read_bytes().startswith(PNG_MAGIC)
