"""Runner executed by the frozen qiskit-dynamics environment's python (NOT imported by qbhw).

Usage: ``python _qd_runner.py INDEX.json``. The index lists jobs; each job is an ``.npz`` with
``static (d,d)``, ``operators (J,d,d)``, ``carriers_ghz (J,)``, ``samples (J,n)`` (absolute-time
complex amplitudes: signal_j(t) = Re[samples_j[k] e^{i 2π ν_j t}] in sample k), ``dt_ns``,
``frame`` (``(d,)`` diagonal, ``(d,d)``, or empty for the lab frame), ``dissipators (K,d,d)``,
``y0`` (``(d,)`` or ``(d,d)``), ``t_eval (T,)``, ``rwa_cutoff_ghz`` (NaN: none), ``rtol``, ``atol``.
Writes ``<job>.out.npz`` with ``ys`` (states at ``t_eval``, rotating frame, original basis) and
``elapsed_s``. With ``gaussians (J, 3)`` (amplitude GHz, centre ns, σ ns) the envelopes are the
continuous Gaussians instead of the held samples. Only numpy, scipy and qiskit-dynamics 0.6 are used.
"""

import json
import sys
import time

import numpy as np


def run_job(path):
    from qiskit_dynamics import DiscreteSignal, Solver

    p = np.load(path)
    static = p["static"]
    ops = list(p["operators"])
    carriers = [float(x) for x in p["carriers_ghz"]]
    frame = p["frame"]
    diss = list(p["dissipators"]) if p["dissipators"].size else None
    cutoff = float(p["rwa_cutoff_ghz"])
    kw = {}
    if np.isfinite(cutoff):
        kw["rwa_cutoff_freq"] = cutoff
        # explicit carriers: without them the RWA silently drops every drive term (stack.md pitfall)
        kw["rwa_carrier_freqs"] = carriers
    solver = Solver(static_hamiltonian=static, hamiltonian_operators=ops, static_dissipators=diss,
                    rotating_frame=frame if frame.size else None, **kw)
    dt = float(p["dt_ns"])
    if "gaussians" in p.files:  # continuous Gaussian envelopes (amp, centre, sigma) per channel
        from qiskit_dynamics import Signal

        def gauss(a, c, s):
            return lambda t: a * np.exp(-((t - c) ** 2) / (2 * s**2))

        signals = [Signal(envelope=gauss(*g), carrier_freq=f) for g, f in zip(p["gaussians"], carriers)]
    else:
        signals = [DiscreteSignal(dt=dt, samples=s, carrier_freq=f) for s, f in zip(p["samples"], carriers)]
    t_eval = p["t_eval"]
    opts = dict(signals=signals, method="DOP853", rtol=float(p["rtol"]), atol=float(p["atol"]))
    t0 = time.perf_counter()
    if "gaussians" in p.files:
        ys = np.asarray(solver.solve(t_span=[0.0, float(t_eval[-1])], y0=p["y0"], t_eval=t_eval, **opts).y)
    else:
        # held samples: restart the integrator at every sample boundary, where the envelope jumps
        # (one pass across the jumps makes DOP853 reject step after step). The signals are set on the
        # solver's (frame-transformed, RWA'd) model once; solve_lmde then integrates that model with scipy's
        # DOP853 segment by segment (Solver.solve(signals=...) would rebuild the RWA model on every call).
        from qiskit_dynamics.solvers.solver_functions import solve_lmde

        solver._set_new_signals(signals)
        opts.pop("signals")
        n_last = int(round(t_eval[-1] / dt))
        want = {int(round(t / dt)): i for i, t in enumerate(t_eval)}
        y = np.asarray(p["y0"], dtype=complex)
        ys = np.empty((len(t_eval),) + y.shape, dtype=complex)
        if 0 in want:
            ys[want[0]] = y
        for k in range(n_last):
            y = np.asarray(solve_lmde(generator=solver.model, t_span=[k * dt, (k + 1) * dt], y0=y, **opts).y[-1])
            if k + 1 in want:
                ys[want[k + 1]] = y
    elapsed = time.perf_counter() - t0
    np.savez(path.replace(".npz", ".out.npz"), ys=ys, elapsed_s=elapsed)


def main(index):
    with open(index) as fh:
        jobs = json.load(fh)
    for job in jobs:
        run_job(job)


if __name__ == "__main__":
    main(sys.argv[1])
