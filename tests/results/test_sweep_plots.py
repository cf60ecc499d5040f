"""Sweep figures (qbhw.results.plots.plot_sweep, Run.plot_sweep) and the sweep figure of the report."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

import qbhw
from qbhw.errors import ConfigError
from qbhw.results.plots import (
    MAX_PANELS,
    default_quantity,
    plot_sweep,
    sweep_quantities,
)
from qbhw.results.report import write_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BASE = {"n_chargers": 2, "times": {"start": 0, "stop": 2, "num": 11}}


@pytest.fixture(scope="module")
def run_2d(tmp_path_factory):
    return qbhw.run("star_charging", BASE, sweep={"coupling": [0.3, 0.5], "omega_b": [1.0, 1.5]},
                    out=tmp_path_factory.mktemp("s2") / "r", progress=False)


@pytest.fixture(scope="module")
def run_1d(tmp_path_factory):
    return qbhw.run("star_charging", BASE, sweep={"coupling": [0.3, 0.5, 0.8]},
                    out=tmp_path_factory.mktemp("s1") / "r", progress=False)


def test_one_parameter_line(run_1d, tmp_path):
    assert default_quantity(run_1d) == "max_average_power"
    fig = run_1d.plot_sweep(path=tmp_path / "s.png")
    assert isinstance(fig, Figure) and (tmp_path / "s.png").read_bytes().startswith(PNG_MAGIC)
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    assert np.allclose(line.get_xdata(), [0.3, 0.5, 0.8])
    assert np.allclose(line.get_ydata(), [r.max_average_power for r in run_1d.analysis])
    assert ax.get_xlabel() == "coupling" and ax.get_ylabel() == "max_average_power [ω_b²]"
    assert not ax.containers  # exact backend: no interval, no error bars


def test_one_parameter_error_bars_from_intervals(run_1d):
    # the fitted coupling has a 95 % interval (coupling_ci95): error bars
    ax = plot_sweep(run_1d, "coupling").axes[0]
    assert any(isinstance(c, ErrorbarContainer) for c in ax.containers)
    # results.intervals[quantity]["ci95"] takes precedence
    run = qbhw.load_run(run_1d.path)
    for k, res in enumerate(run.analysis):
        v = res.max_average_power
        res.intervals = {"max_average_power": {"value": v, "ci95": (v - 0.01 * (k + 1), v + 0.02)}}
    ax = plot_sweep(run).axes[0]
    (bars,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    segs = bars.lines[2][0].get_segments()
    lows = [s[0][1] for s in segs]
    assert np.allclose(lows, [r.max_average_power - 0.01 * (k + 1) for k, r in enumerate(run.analysis)])


def test_two_parameters_heat_map(run_2d, tmp_path):
    fig = plot_sweep(run_2d, path=tmp_path / "h.png")
    ax = fig.axes[0]
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    z = np.asarray(mesh.get_array()).reshape(2, 2)  # rows: omega_b (y), columns: coupling (x)
    by_params = {(p.parameters.coupling, p.parameters.omega_b): r.max_average_power
                 for p, r in zip(run_2d.points, run_2d.analysis)}
    for j, wb in enumerate([1.0, 1.5]):
        for i, j_c in enumerate([0.3, 0.5]):
            assert z[j, i] == pytest.approx(by_params[(j_c, wb)])
    assert ax.get_xlabel() == "coupling" and ax.get_ylabel() == "omega_b"
    assert len(fig.axes) == 2 and "max_average_power" in fig.axes[1].get_ylabel()  # the colour bar
    assert (tmp_path / "h.png").read_bytes().startswith(PNG_MAGIC)
    # a fitted parameter that is not a results field
    assert "scale" in sweep_quantities(run_2d)
    plot_sweep(run_2d, "tau_max_power")


def test_failed_point_is_left_empty(run_2d):
    run = qbhw.load_run(run_2d.path)
    run.analysis[3] = None
    fig = plot_sweep(run)
    mesh = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)][0]
    assert np.ma.count_masked(mesh.get_array()) == 1
    assert "1 of 4 points without a value" in fig.texts[0].get_text()


def test_errors_name_the_argument(run_2d, tmp_path):
    with pytest.raises(ConfigError) as exc:
        plot_sweep(run_2d, "no_such_quantity")
    assert exc.value.argument == "quantity" and "max_average_power" in str(exc.value)
    flat = SimpleNamespace(sweep={}, points=[], analysis=[], manifest={"sweep": {}})
    with pytest.raises(ConfigError) as exc:
        plot_sweep(flat)
    assert exc.value.argument == "sweep"


def _fake_run(sweep: dict):
    """A run-like object with one result per grid point (value = its index)."""
    size = int(np.prod([len(v) for v in sweep.values()]))
    points = [SimpleNamespace(index=k, status="done") for k in range(size)]
    analysis = [SimpleNamespace(protocol="fake", fit=None, max_average_power=float(k)) for k in range(size)]
    return SimpleNamespace(sweep=sweep, points=points, analysis=analysis,
                           manifest={"protocol": "fake", "sweep": sweep, "grid": {"order": list(sweep)}})


def test_more_parameters_one_heat_map_per_value_or_refused():
    fig = plot_sweep(_fake_run({"a": [1, 2], "b": [0.1, 0.2, 0.3], "initial": ["pure", "thermal"]}))
    meshes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"
              and any(isinstance(c, QuadMesh) for c in ax.collections)]
    assert len(meshes) == 2 and len(fig.axes) == 3  # two panels, one shared colour bar
    assert [ax.get_title() for ax in meshes] == ["initial = pure", "initial = thermal"]
    z = np.asarray([c for c in meshes[1].collections if isinstance(c, QuadMesh)][0].get_array()).reshape(3, 2)
    assert z[0, 0] == 1.0 and z[2, 1] == 11.0  # grid order: the last parameter varies fastest
    big = _fake_run({"a": [1, 2], "b": [1, 2], "c": list(range(MAX_PANELS + 1))})
    with pytest.raises(ConfigError) as exc:
        plot_sweep(big)
    assert exc.value.argument == "sweep"


def test_categorical_values_and_no_pyplot():
    # pyplot may already be imported by another test of this process: then no figure may be registered with it
    pyplot = sys.modules.get("matplotlib.pyplot")
    figures_before = None if pyplot is None else list(pyplot.get_fignums())
    ax = plot_sweep(_fake_run({"initial": ["pure", "thermal"]})).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["pure", "thermal"]
    if pyplot is None:
        assert "matplotlib.pyplot" not in sys.modules
    else:
        assert list(pyplot.get_fignums()) == figures_before


def test_report_includes_sweep_figure(run_2d, tmp_path):
    index = write_report(run_2d, tmp_path / "rep")
    png = tmp_path / "rep" / "sweep-max_average_power.png"
    assert png.read_bytes().startswith(PNG_MAGIC)
    text = index.read_text(encoding="utf-8")
    assert 'id="sweep"' in text and 'src="sweep-max_average_power.png"' in text


def test_report_without_sweep_has_no_sweep_figure(tmp_path):
    run = qbhw.run("star_charging", BASE, out=tmp_path / "r", progress=False)
    index = run.report(tmp_path / "rep")
    assert not list((tmp_path / "rep").glob("sweep-*.png"))
    assert 'id="sweep"' not in index.read_text(encoding="utf-8")
    with pytest.raises(ConfigError):
        run.plot_sweep()
