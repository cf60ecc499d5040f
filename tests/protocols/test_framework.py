"""The protocol layer's shape: registry, parameters, JSON round trips of curves, fits, data and results;
the import rules (qbhw.fit never imports qbhw.pulse) and the untouched matplotlib backend."""

from __future__ import annotations

import ast
import json
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from qbhw import protocols
from qbhw.errors import ConfigError, InvalidArgumentError, InvalidTimesError
from qbhw.fit import FitResult, RabiChargingModel, fit_curve, make_fit_data
from qbhw.metrics import ChargingCurve, make_charging_curve
from qbhw.protocols.base import time_grid

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXPECTED = {"dicke_charging", "tavis_cummings_charging", "rabi_charging", "star_charging", "ising_charging",
            "spin_chain_charging", "stirap_charging", "stirap_storage", "pi_pulse_charging", "counterdiabatic_stirap",
            "single_qubit_drive", "driven_qubit", "collision_charging", "environment_assisted_charging", "dfs_storage",
            "dark_state_charging", "measurement_stabilisation", "feedback_charging", "microcavity_superabsorption"}


def test_registry_lists_every_protocol_with_its_shape():
    assert EXPECTED <= set(protocols.names())
    for name in protocols.names():
        proto = protocols.get(name)
        for attr in ("Parameters", "acquire", "analyse", "plot", "Results", "BACKENDS"):
            assert hasattr(proto, attr), (name, attr)
        p = proto.Parameters()  # every protocol has runnable defaults
        assert p == proto.Parameters.from_dict(json.loads(json.dumps(p.to_dict())))
        assert hash(p) == hash(proto.Parameters.from_dict(p.to_dict()))
    assert protocols.get(protocols.get("dicke_charging")) is protocols.get("dicke_charging")
    with pytest.raises(ConfigError) as e:
        protocols.get("no_such_protocol")
    assert e.value.argument == "protocol" and "dicke_charging" in str(e.value)


def test_times_grid_forms_and_errors():
    assert time_grid({"start": 0, "stop": 1, "num": 5}) == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert time_grid(np.array([0.0, 0.5])) == (0.0, 0.5)
    with pytest.raises(InvalidArgumentError) as e:
        time_grid({"start": 0, "stop": 1})
    assert e.value.argument == "times"
    with pytest.raises(InvalidArgumentError):
        time_grid({"start": 0, "stop": 1, "num": 5, "step": 2})
    with pytest.raises(InvalidTimesError):
        time_grid([0.0, 1.0, 0.5])
    with pytest.raises(InvalidTimesError):
        time_grid([-1.0, 1.0])
    with pytest.raises(InvalidTimesError):
        time_grid([0.0, float("nan")])
    p = protocols.get("dicke_charging").Parameters(times={"start": 0, "stop": 2, "num": 11})
    assert isinstance(p.times, tuple) and len(p.times) == 11 and p.times[-1] == 2.0


@pytest.mark.parametrize("name,bad,argument", [
    ("dicke_charging", {"n_cells": 0}, "n_cells"),
    ("dicke_charging", {"coupling": float("nan")}, "coupling"),
    ("dicke_charging", {"shots": 0}, "shots"),
    ("dicke_charging", {"coupling_scaling": "1/N^2"}, "coupling_scaling"),
    ("star_charging", {"initial": "thermal"}, "beta"),
    ("star_charging", {"initial": "hot"}, "initial"),
    ("ising_charging", {"m_cells": 5}, "m_cells"),
    ("stirap_charging", {"times_ns": [0.0, 500.0]}, "times_ns"),
    ("stirap_charging", {"device": "no_such_device"}, "device"),
    ("single_qubit_drive", {"envelope": "triangle"}, "envelope"),
])
def test_bad_parameters_name_the_field(name, bad, argument):
    with pytest.raises((ConfigError, InvalidArgumentError, InvalidTimesError)) as e:
        protocols.get(name).Parameters(**bad)
    assert e.value.argument == argument


def test_unknown_parameter_and_backend_are_refused():
    dicke = protocols.get("dicke_charging")
    with pytest.raises(ConfigError) as e:
        dicke.Parameters.from_dict({"n_cell": 3})
    assert e.value.argument == "n_cell"
    with pytest.raises(ConfigError) as e:
        dicke.acquire(dicke.Parameters(), "pulse")
    assert e.value.argument == "backend"
    with pytest.raises(ConfigError):
        protocols.get("stirap_charging").acquire(protocols.get("stirap_charging").Parameters(), "aer")


def test_charging_curve_round_trips_exactly():
    t = np.linspace(0.0, 2.0, 9)
    curve = make_charging_curve(t, np.sin(t) ** 2, ergotropy=np.sin(t) ** 2 * 0.5, power=np.sin(2 * t),
                                metadata={"model": "x", "nested": {"a": np.float64(1.5), "b": [1, 2]}},
                                observables={"populations": np.stack([np.cos(t) ** 2, np.sin(t) ** 2], axis=1),
                                             "with_nan": np.array([np.nan, *t[1:]])})
    back = ChargingCurve.from_json(curve.to_json())
    for name in ("times", "energy", "work", "ergotropy"):
        assert np.array_equal(getattr(back, name), getattr(curve, name))
    assert np.array_equal(back.power.power, curve.power.power)
    assert np.array_equal(back.populations, curve.populations)
    assert np.isnan(back.with_nan[0]) and np.array_equal(back.with_nan[1:], t[1:])
    assert back.metadata["nested"] == {"a": 1.5, "b": [1, 2]}
    assert back.tau_max_power == curve.tau_max_power


def test_fit_result_round_trips(tmp_path):
    t = np.linspace(0.0, 6.0, 30)
    rng = np.random.default_rng(4)
    y = 0.9 * np.sin(0.7 * t) ** 2 + 0.02 * rng.standard_normal(t.size)
    r = fit_curve(RabiChargingModel(), make_fit_data(t, y, np.full(t.size, 0.02), x_name="t"))
    back = FitResult.from_json(r.to_json())
    assert back.values == r.values
    assert back.parameter("omega").ci95 == r.parameter("omega").ci95
    assert back.stderr("omega") == r.stderr("omega")
    assert np.array_equal(back.covariance, r.covariance)
    assert (back.quality, back.flags, back.chi2, back.redchi, back.dof, back.aic) == \
        (r.quality, r.flags, r.chi2, r.redchi, r.dof, r.aic)
    assert np.array_equal(back.x, r.x) and np.array_equal(back.y, r.y) and np.array_equal(back.sigma, r.sigma)
    assert np.array_equal(back.best_fit, r.best_fit)
    assert back.lmfit_result is None and back.evaluator is None  # dropped (documented)
    path = tmp_path / "fit.json"
    r.to_json(path)
    assert FitResult.from_json(path).values == r.values
    assert FitResult.from_json(back.to_json()).to_dict() == back.to_dict()


def _imports(path: pathlib.Path) -> set[str]:
    """qbhw modules imported by one file (absolute, with relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("qbhw"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("qbhw"):
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def test_fit_imports_nothing_from_pulse():
    offenders = {}
    for f in sorted((ROOT / "qbhw" / "fit").glob("*.py")):
        bad = sorted(m for m in _imports(f) if m == "qbhw.pulse" or m.startswith("qbhw.pulse."))
        if bad:
            offenders[f.name] = bad
    assert not offenders, offenders


# the import rule of the layers (design of the package): who may import whom inside qbhw
ALLOWED = {
    "metrics": set(),
    "models": {"metrics"},
    # devices and pulse sit beside models (design.md): a solver may run pulse schedules on a device (NMR star)
    "solvers": {"models", "metrics", "devices", "pulse"},
    "devices": {"metrics"},
    "pulse": {"devices", "metrics"},
    "compile": {"models", "solvers", "metrics"},
    "fit": {"metrics", "models", "solvers"},
    "backends": {"metrics", "models", "solvers", "compile", "devices", "pulse"},
    "protocols": {"metrics", "models", "solvers", "compile", "devices", "pulse", "backends", "fit"},
    "results": {"metrics", "models", "solvers", "compile", "devices", "pulse", "backends", "fit", "protocols"},
    "cli": {"metrics", "models", "solvers", "compile", "devices", "pulse", "backends", "fit", "protocols", "results",
            "runs", "calibration", "protocol_file", "demo", "__version__"},
}
TOP_LEVEL = {"errors", "conventions", "serialization", "parallel", "schema"}
#: the one upward reference: ``qbhw.backends.resume`` is kept as an alias of ``qbhw.resume`` (resolved on use)
UPWARD_ALIASES = {("qbhw/backends/__init__.py", "qbhw.runs")}


def test_layers_import_only_what_they_may():
    offenders = []
    for layer, allowed in ALLOWED.items():
        folder = ROOT / "qbhw" / layer
        files = sorted(folder.glob("*.py")) if folder.is_dir() else []
        for f in files:
            for mod in _imports(f):
                parts = mod.split(".")
                if len(parts) < 2 or parts[1] in TOP_LEVEL or parts[1] == layer:
                    continue
                if (str(f.relative_to(ROOT)), ".".join(parts[:2])) in UPWARD_ALIASES:
                    continue
                if parts[1] not in allowed:
                    offenders.append(f"{f.relative_to(ROOT)} imports {mod}")
    assert not offenders, "\n".join(sorted(set(offenders)))


def test_importing_qbhw_leaves_the_matplotlib_backend_alone():
    code = (
        "import matplotlib, importlib, pkgutil\n"
        "before = matplotlib.rcParams._get_backend_or_none()\n"
        "import qbhw\n"
        "for m in pkgutil.walk_packages(qbhw.__path__, 'qbhw.'):\n"
        "    if m.name.startswith('qbhw._data') or m.name == 'qbhw.__main__': continue\n"
        "    importlib.import_module(m.name)\n"
        "after = matplotlib.rcParams._get_backend_or_none()\n"
        "import sys\n"
        "assert before == after, (before, after)\n"
        "rc = matplotlib.rcParams['backend']\n"
        "assert rc == 'svg', rc\n"
        "print('ok', before)\n"
    )
    import os

    env = {**os.environ, "MPLBACKEND": "svg"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.startswith("ok")
    # and no qbhw module switches it
    for f in (ROOT / "qbhw").rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "matplotlib.use(" not in text and "import matplotlib.pyplot" not in text, f


def test_plots_do_not_touch_pyplot_state():
    import matplotlib

    from qbhw.fit.plot import plot_fit

    t = np.linspace(0.0, 6.0, 30)
    r = fit_curve(RabiChargingModel(), make_fit_data(t, 0.9 * np.sin(0.7 * t) ** 2 + 0.01 * np.cos(5 * t), np.full(t.size, 0.02)))
    backend = matplotlib.get_backend()
    fig = plot_fit(r)
    assert type(fig).__name__ == "Figure" and matplotlib.get_backend() == backend
    assert math.isfinite(r.value("omega"))


def test_curve_fit_data_uses_the_stderr_fields_and_drops_the_work_reference():
    """energy → energy_stderr; work → work_stderr without the measured reference point W_0 ≡ 0 (σ = 0); the
    theory's work stays referred to t = 0 on the shortened grid."""
    import qbhw
    from qbhw.fit import model_parameter_fit
    from qbhw.models import DickeBattery
    from qbhw.protocols._charging import curve_fit_data

    t = np.linspace(0.0, 2.0, 9)
    ref = qbhw.charge(DickeBattery(2, 0.4), t, ergotropy=False)
    es = np.full(t.size, 0.01)
    ws = np.hypot(es, es[0])
    ws[0] = 0.0
    curve = make_charging_curve(t, ref.energy, energy_stderr=es, work_stderr=ws)  # W = E − E(0): W_0 = 0 exactly
    fd_e = curve_fit_data(curve, "energy")
    assert len(fd_e) == t.size and np.array_equal(fd_e.sigma, es) and fd_e.sigma_kind == "measured"
    fd_w = curve_fit_data(curve, "work")
    assert len(fd_w) == t.size - 1 and fd_w.x[0] == t[1] and np.array_equal(fd_w.sigma, ws[1:])
    theory = model_parameter_fit(lambda g: DickeBattery(2, g), "coupling", observable="work", value_range=(0.1, 1.0))
    assert np.allclose(theory.eval(theory.make_params(coupling=0.4), t=fd_w.x), ref.work[1:], atol=1e-10)
    res = fit_curve(theory, fd_w)
    assert res.ok and res.value("coupling") == pytest.approx(0.4, rel=1e-6)
    assert curve_fit_data(make_charging_curve(t, ref.energy), "work").sigma is None  # exact: no σ


def test_theory_work_is_referred_to_t0_on_a_grid_without_0():
    """The generic solver path refers work to the grid's first point; the fit theory prepends t = 0."""
    import qbhw
    from qbhw.fit import model_parameter_fit
    from qbhw.models import SpinChainBattery

    t = np.linspace(0.0, 2.0, 9)
    full = qbhw.charge(SpinChainBattery(3), t, ergotropy=False).work
    assert qbhw.charge(SpinChainBattery(3), t[1:], ergotropy=False).work[0] == 0.0  # the solver's own convention
    theory = model_parameter_fit(lambda d: SpinChainBattery(3, drive=d), "drive", observable="work",
                                 value_range=(0.1, 2.0))
    d0 = SpinChainBattery(3).metadata["drive"]
    assert np.allclose(theory.eval(theory.make_params(drive=d0), t=t[1:]), full[1:], atol=1e-10)
