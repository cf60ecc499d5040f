"""The wheel carries the device files: build it, install it NON-editable into a fresh virtual environment and run
``qbhw demo --quick`` (whose STIRAP section loads ``transmon_qutrit_stirap``) outside the checkout.

Slow (a fresh environment installs qiskit, Aer, … from pip's cache or the package index). The socket guard of
tests/conftest.py covers the pytest process only; pip runs in subprocesses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# what the wheel build must not see: environments, VCS data and build leftovers (a stale build/lib could put files
# into the wheel that the checkout no longer has)
_ANYWHERE = shutil.ignore_patterns(".git", ".venv", "venv", ".qd-env", "*.egg-info", "__pycache__", ".pytest_cache",
                                   ".hypothesis", "*.pyc")
#: ignored only at the top of the checkout (qbhw/results is a package; /results and /runs are user output)
_TOP_LEVEL = {"build", "dist", "results", "runs"}


def _IGNORE(directory, names):
    ignored = set(_ANYWHERE(directory, names))
    if Path(directory).resolve() == ROOT:
        ignored |= _TOP_LEVEL & set(names)
    return ignored


def _run(cmd, *, cwd, env, timeout=1200):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.mark.slow
def test_wheel_ships_devices_and_demo_runs(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    # build from a copy of the checkout: pip builds in the source tree and would leave build/ and *.egg-info there
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=_IGNORE)
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, src], cwd=tmp_path, env=env)
    (wheel,) = wheels.glob("qbhw-*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "qbhw/_data/backends/transmon_qutrit_stirap.json" in names
    assert "qbhw/_data/backends/armonk_like.json" in names
    assert "qbhw/_data/backends/nmr_trimethylphosphite.json" in names  # an NMR molecule (kind "nmr_star")
    assert "qbhw/_data/calibrations/README.md" in names
    assert {"qbhw/runs.py", "qbhw/results/store.py", "qbhw/results/report.py"} <= set(names)
    assert not any(n.startswith(("backends/", "calibrations/")) for n in names)  # no top-level data packages

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=tmp_path, env=env)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    _run([python, "-m", "pip", "install", "--quiet", wheel], cwd=tmp_path, env=env)

    work = tmp_path / "elsewhere"  # outside the checkout: nothing can come from the source tree
    work.mkdir()
    demo = _run([bindir / "qbhw", "demo", "--quick"], cwd=work, env=env)
    assert "STIRAP" in demo.stdout and "STIRAP (Stokes first)" in demo.stdout, demo.stdout[-2000:]

    check = ("import qbhw, qbhw.devices as d, qbhw.pulse as qp; from pathlib import Path; "
             "assert Path(qbhw.__file__).resolve().is_relative_to(Path(r'%s').resolve()), qbhw.__file__; "
             "n = d.names(); assert {'transmon_qutrit_stirap', 'armonk_like'} <= set(n), n; "
             "dev = d.load('armonk_like'); assert dev.granularity == 16 and dev.dt_ns > 0; "
             "assert qp.load_device('transmon_qutrit_stirap') == d.load('transmon_qutrit_stirap'); "
             "assert qp.list_devices() == n; "
             "assert d.load('nmr_trimethylphosphite').n_chargers == 9 and d.molecule_for(9).name in n; "
             "run = qbhw.run('dicke_charging', {'n_cells': 2, 'times': {'start': 0, 'stop': 1, 'num': 5}}, "
             "out='run', progress=False, figures=False); assert run.done and qbhw.load_run('run').curves[0] is not None; "
             "print('ok', n)") % venv
    out = _run([python, "-c", check], cwd=work, env=env)
    assert out.stdout.startswith("ok")
