"""qiskit-dynamics as an out-of-process cross-check (stack.md).

qiskit-dynamics 0.6 needs ``qiskit<=1.3`` and cannot be imported beside qbhw's qiskit 2.x, so it
runs in its own frozen environment, built by ``bash tools/qiskit_dynamics_env.sh`` into
``<repo>/.qd-env`` (or ``$QBHW_QD_ENV``). :func:`qiskit_dynamics_solve` sends the *same* model
(static Hamiltonian, channel operators ``2π O``, carriers, held samples, rotating frame,
rotating-wave cut-off with explicit carriers, lab-frame jump operators, initial state, sample
times) to ``_qd_runner.py`` run by that environment's python, and reads back the states (rotating
frame, original basis — the same representation as :func:`qbhw.pulse.simulate`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..errors import InvalidArgumentError
from ._errors import CrossCheckUnavailableError
from .solver import _record_indices, initial_state_vector

__all__ = ["qd_env_python", "qiskit_dynamics_available", "qiskit_dynamics_solve", "qiskit_dynamics_solve_many",
           "ENV_SCRIPT"]

_REPO = Path(__file__).resolve().parents[2]
ENV_SCRIPT = _REPO / "tools" / "qiskit_dynamics_env.sh"
RUNNER = Path(__file__).with_name("_qd_runner.py")


def qd_env_python() -> Path:
    env = Path(os.environ.get("QBHW_QD_ENV", _REPO / ".qd-env"))
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def qiskit_dynamics_available() -> tuple[bool, str]:
    """(available, reason): whether the frozen env exists and imports qiskit_dynamics."""
    py = qd_env_python()
    if not py.exists():
        return False, f"no qiskit-dynamics environment at {py.parent.parent} (build it: bash {ENV_SCRIPT})"
    r = subprocess.run([str(py), "-c", "import qiskit_dynamics; print(qiskit_dynamics.__version__)"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return False, f"{py} cannot import qiskit_dynamics: {r.stderr.strip()[-300:]}"
    return True, f"qiskit-dynamics {r.stdout.strip()}"


def _payload(model, signals, initial_state, *, frame="rotating", rwa_cutoff_ghz=None, record=None,
             open_system=None, rtol=1e-10, atol=1e-12, gaussians=None) -> dict:
    open_ = model.is_open if open_system is None else bool(open_system)
    if open_ and rwa_cutoff_ghz is not None:
        # qiskit-dynamics 0.6 applies its RWA to the static dissipators as if they were Hamiltonian terms: it
        # zeroes every element of L whose frame frequency exceeds the cut-off, i.e. it deletes T1 (b oscillates
        # at the qubit frequency in the frame). That is a different model, so it is refused here.
        raise InvalidArgumentError("qiskit-dynamics' RWA removes jump-operator elements oscillating faster than the "
                                   "cut-off (it would drop T1); cross-check open systems without a cut-off",
                                   argument="rwa_cutoff_ghz", allowed="None for open systems")
    chans = list(signals.channels)
    carriers = []
    for ch in chans:
        nus = np.unique(signals.freqs_ghz[ch])
        if nus.size > 1:
            raise InvalidArgumentError(f"channel {ch!r} changes frequency; the cross-check needs fixed carriers",
                                       argument="signals", allowed="one carrier per channel")
        carriers.append(float(nus[0]) if nus.size else 0.0)
    if isinstance(frame, str):
        fr = np.zeros(0) if frame == "lab" else model.static
    else:
        fr = np.asarray(frame, dtype=complex)
    if fr.ndim == 2 and np.allclose(fr, np.diag(np.diag(fr))):
        fr = np.real(np.diag(fr))
    v = initial_state_vector(initial_state, model.dim)
    if open_ and v.ndim == 1:
        v = np.outer(v, v.conj())
    rec = _record_indices(record, signals.n_samples)
    extra = {}
    if gaussians is not None:
        extra["gaussians"] = np.array([gaussians.get(ch, (0.0, 0.0, 1.0)) for ch in chans], dtype=float)
    return dict(**extra, static=model.static, operators=np.stack([model.channel_operators[c] for c in chans]),
                carriers_ghz=np.array(carriers), samples=np.stack([signals.absolute_amplitudes(c) for c in chans]),
                dt_ns=signals.dt_ns, frame=fr,
                dissipators=np.stack(model.jump_operators) if open_ else np.zeros((0,)),
                y0=v, t_eval=rec * signals.dt_ns,
                rwa_cutoff_ghz=np.nan if rwa_cutoff_ghz is None else float(rwa_cutoff_ghz), rtol=rtol, atol=atol)


def qiskit_dynamics_solve_many(jobs: list[dict], *, timeout_s: float = 600) -> list[tuple[np.ndarray, float]]:
    """Run several :func:`qiskit_dynamics_solve` jobs (keyword dicts) in ONE subprocess; returns (states, seconds)."""
    ok, why = qiskit_dynamics_available()
    if not ok:
        raise CrossCheckUnavailableError(why, argument="QBHW_QD_ENV", allowed=f"an env built by {ENV_SCRIPT}")
    with tempfile.TemporaryDirectory(prefix="qbhw-qd-") as tmp:
        paths = []
        for i, job in enumerate(jobs):
            job = dict(job)
            args = (job.pop("model"), job.pop("signals"), job.pop("initial_state"))
            path = os.path.join(tmp, f"job{i}.npz")
            np.savez(path, **_payload(*args, **job))
            paths.append(path)
        index = os.path.join(tmp, "index.json")
        with open(index, "w") as fh:
            json.dump(paths, fh)
        r = subprocess.run([str(qd_env_python()), str(RUNNER), index], capture_output=True, text=True,
                           timeout=timeout_s)
        if r.returncode != 0:
            raise CrossCheckUnavailableError(f"qiskit-dynamics runner failed: {r.stderr.strip()[-2000:]}",
                                             argument="jobs", allowed="a model qiskit-dynamics can solve")
        out = []
        for path in paths:
            res = np.load(path.replace(".npz", ".out.npz"))
            out.append((np.asarray(res["ys"]), float(res["elapsed_s"])))
        return out


def qiskit_dynamics_solve(model, signals, initial_state, **kw) -> np.ndarray:
    """States from qiskit-dynamics at the recorded sample boundaries (same keywords as :func:`simulate`:
    ``frame``, ``rwa_cutoff_ghz``, ``record``, ``open_system``, ``rtol``, ``atol``). ``gaussians``:
    ``{channel: (amp_ghz, centre_ns, sigma_ns)}`` plays continuous Gaussian envelopes instead of the
    held samples (the stack.md reference case; compare with ``simulate(method="ode", continuous=...)``)."""
    return qiskit_dynamics_solve_many([dict(model=model, signals=signals, initial_state=initial_state, **kw)])[0][0]
