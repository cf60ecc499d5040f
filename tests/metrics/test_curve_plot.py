"""ChargingCurve.plot: what is drawn (energy, work, ergotropy, error bars, τ̃/τ̄ markers), units on the
axes, drawing into a given Axes, saving, and that pyplot is never imported."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from qbhw.errors import ConfigError
from qbhw.metrics import make_charging_curve

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
T = np.linspace(0.0, 2.0, 41)


def _peaked(**kw):
    """W(t) = sin²(t): an interior energy peak at π/2 (τ̄) and a τ̃ inside the window."""
    e = np.sin(T) ** 2
    return make_charging_curve(T, e, ergotropy=0.5 * e, **kw)


def _labels(ax):
    return [line.get_label() for line in ax.get_lines()]


def _markers(ax):
    return {line.get_gid(): line for line in ax.get_lines() if line.get_gid() in ("tau_max_power", "tau_energy_peak")}


def test_default_lines_markers_and_units():
    curve = _peaked()
    fig = curve.plot()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = _labels(ax)
    # the battery starts empty: work equals energy and is drawn once, labelled so
    assert any(lbl.startswith("energy") and "work" in lbl for lbl in labels)
    assert any(lbl.startswith("ergotropy") for lbl in labels)
    assert not ax.containers  # exact curve: no error bars
    marks = _markers(ax)
    assert set(marks) == {"tau_max_power", "tau_energy_peak"}
    assert marks["tau_max_power"].get_label().startswith("τ̃ = ")
    assert marks["tau_energy_peak"].get_label().startswith("τ̄ = ")
    assert marks["tau_energy_peak"].get_xdata()[0] == pytest.approx(curve.tau_energy_peak)
    assert marks["tau_max_power"].get_xdata()[0] == pytest.approx(curve.tau_max_power)
    assert ax.get_xlabel() == "t [1/ω₀]" and ax.get_ylabel() == "energy [ω₀]"
    assert curve.units == {"time": "1/ω₀", "energy": "ω₀", "power": "ω₀²"}


def test_error_bars_work_and_no_energy_peak():
    # a monotone curve (no interior maximum: no τ̄) that does not start empty, with standard errors
    e = 0.2 + 0.3 * T
    se = np.full(T.size, 0.01)
    curve = make_charging_curve(T, e, energy_stderr=se, metadata={"units": "time ns, energy GHz (E/h)"})
    fig = curve.plot()
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert sorted(c.get_label() for c in bars) == ["energy E(t)", "work W(t)"]
    assert set(_markers(ax)) == {"tau_max_power"}  # τ̄ does not exist: no marker, no error
    assert ax.get_xlabel() == "t [ns]" and ax.get_ylabel() == "energy [GHz]"
    assert "ns" in _markers(ax)["tau_max_power"].get_label()
    assert curve.units["power"] == "GHz/ns"


def test_no_ergotropy_and_explicit_quantities():
    curve = make_charging_curve(T, np.sin(T) ** 2)
    ax = curve.plot().axes[0]
    assert not any(lbl.startswith("ergotropy") for lbl in _labels(ax))
    with pytest.raises(ConfigError) as exc:
        curve.plot(quantities=["ergotropy"])
    assert exc.value.argument == "quantities" and "'energy'" in str(exc.value)
    ax = _peaked().plot(quantities=("work",)).axes[0]
    assert [lbl for lbl in _labels(ax) if not lbl.startswith(("τ̃", "τ̄"))] == ["work W(t)"]


def test_observable_with_stderr():
    pol = np.cos(T)
    curve = make_charging_curve(T, np.sin(T) ** 2, observables={"polarization": pol,
                                                                 "polarization_stderr": np.full(T.size, 0.02)})
    ax = curve.plot(quantities="polarization").axes[0]
    assert [c.get_label() for c in ax.containers] == ["polarization"]
    with pytest.raises(ConfigError):
        curve.plot(quantities="polarization_stderr")


def test_model_units_from_metadata():
    star = make_charging_curve(T, np.sin(T) ** 2, metadata={"model": {"model": "StarBattery"}})
    assert star.units["time"] == "1/ω_b" and star.units["energy"] == "ω_b"
    explicit = make_charging_curve(T, np.sin(T) ** 2, metadata={"time_unit": "µs", "energy_unit": "MHz"})
    assert explicit.plot().axes[0].get_xlabel() == "t [µs]"


def test_draws_into_given_axes_and_saves(tmp_path):
    fig = Figure()
    axes = fig.subplots(1, 2)
    out = _peaked().plot(axes[1], path=tmp_path / "c.png")
    assert out is fig
    assert axes[1].get_lines() and not axes[0].get_lines()
    assert (tmp_path / "c.png").read_bytes().startswith(PNG_MAGIC)
    sub = Figure().subfigures(1, 2)[0]  # from a SubFigure: the top-level figure
    assert _peaked().plot(sub.subplots()) is sub.figure


def test_pyplot_never_imported_and_backend_unchanged(tmp_path):
    code = "\n".join([
        "import sys, matplotlib, numpy as np",
        "raw = lambda: dict.__getitem__(matplotlib.rcParams, 'backend')  # without resolving it",
        "before = raw()",
        "from qbhw.metrics import make_charging_curve",
        "t = np.linspace(0, 2, 21)",
        "make_charging_curve(t, np.sin(t) ** 2, energy_stderr=0.01 + 0 * t).plot(path=sys.argv[1])",
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'",
        "assert raw() == before, 'backend changed'",
        "print('ok')"])
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path / "x.png")], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr
    assert (tmp_path / "x.png").read_bytes().startswith(PNG_MAGIC)


def test_metrics_import_does_not_load_matplotlib():
    code = "import sys, qbhw.metrics; print('matplotlib' in sys.modules)"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"
