"""Pulse-level solver benchmark (not a test): prints its figures; run ``python benchmarks/bench_pulse.py``.

1. One STIRAP Lindblad charging curve (stack.md qutrit, device T1/Tφ, held samples, RWA cut-off 2 GHz,
   state at all 1801 sample boundaries): qbhw fast path (goal < 20 ms) against the adaptive ODE path,
   QuTiP mesolve on the same model and qiskit-dynamics (out of process) in the same run.
2. A 1000-point (amplitude × delay) STIRAP scan, closed system, final P(|2⟩) (goal < 5 s) against QuTiP
   sesolve and qiskit-dynamics, timed on a few points / a prefix of samples and scaled.

References integrate the held-sample model segment by segment (the envelope jumps at each sample).
qiskit-dynamics' RWA also filters the jump operators (it would delete T1), so its Lindblad run uses the same
model without a cut-off (exact rotating frame); our fast path is timed on that model too.
"""

from __future__ import annotations

import time

import numpy as np

import qbhw.pulse as qp
from qbhw.pulse import protocols as pr


def timed(fn, repeat=1):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    dev = qp.load_device("transmon_qutrit_stirap")
    sig = pr.stirap_schedule().build(dev)
    n = sig.n_samples
    lind = qp.transmon_model(dev)
    print(f"# STIRAP Lindblad charging curve: {n} samples of {dev.dt_ns:.4f} ns, T1 = {dev.t1_ns} ns, "
          f"Tphi = {dev.tphi_ns} ns")
    t_fast, r = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0), repeat=3)
    t_curve, c = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0).charging_curve(ergotropy=False), 3)
    t_split, rs = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0, scheme="split"), repeat=3)
    t_ode, ro = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0, method="ode"))
    print(f"qbhw fast (Magnus-4, {r.substeps} sub-steps/sample): {1e3 * t_fast:8.1f} ms   (goal < 20 ms)")
    print(f"  + charging curve (energy, no ergotropy):           {1e3 * t_curve:8.1f} ms")
    print(f"qbhw fast, Strang split scheme:                      {1e3 * t_split:8.1f} ms   "
          f"max |diff| vs ODE {np.max(np.abs(rs.states - ro.states)):.1e}")
    print(f"qbhw adaptive ODE (DOP853, same model):              {1e3 * t_ode:8.1f} ms   "
          f"max |diff| fast vs ODE {np.max(np.abs(r.states - ro.states)):.1e}")
    print(f"  final populations {np.round(r.populations[-1], 5)}, E = {c.energy[-1]:.4f} GHz")
    try:
        from qbhw.pulse.reference import qutip_solve

        k = 90
        part = qp.PulseSignals(sig.dt_ns, k, {c_: v[:k] for c_, v in sig.envelopes.items()},
                               {c_: v[:k] for c_, v in sig.freqs_ghz.items()}, {c_: v[:k] for c_, v in sig.phases.items()})
        t_q, _ = timed(lambda: qutip_solve(lind, part, 0, rwa_cutoff_ghz=2.0, record="final"))
        print(f"QuTiP mesolve (same model, {k} samples x {n / k:.0f}):          {t_q * n / k:8.2f} s    "
              f"ratio {t_q * n / k / t_fast:7.0f}x")
    except ImportError:
        print("QuTiP not installed")
    from qbhw.pulse.crosscheck import qiskit_dynamics_available, qiskit_dynamics_solve_many

    ok, why = qiskit_dynamics_available()
    k = 18
    part = qp.PulseSignals(sig.dt_ns, k, {c_: v[:k] for c_, v in sig.envelopes.items()},
                           {c_: v[:k] for c_, v in sig.freqs_ghz.items()}, {c_: v[:k] for c_, v in sig.phases.items()})
    if ok:
        res = qiskit_dynamics_solve_many([dict(model=lind, signals=part, initial_state=0, record="final"),
                                          dict(model=lind.closed(), signals=part, initial_state=0, rwa_cutoff_ghz=2.0,
                                               record="final")])
        t_nocut, _ = timed(lambda: qp.simulate(lind, sig, 0), repeat=1)
        print(f"qiskit-dynamics Lindblad, no cut-off ({k} samples x {n / k:.0f}):  {res[0][1] * n / k:8.1f} s    "
              f"ratio {res[0][1] * n / k / t_nocut:7.0f}x vs qbhw fast on that model ({t_nocut:.2f} s)")
    else:
        print("qiskit-dynamics:", why)

    # ---------------------------------------------------------------- 1000-point scan
    amps = np.linspace(0.5, 1.5, 25)
    delays = np.linspace(0.0, 120.0, 40)
    closed = qp.transmon_model(dev, decoherence=False)

    def build():
        out = []
        for a in amps:
            for dl in delays:
                pair = qp.StirapPair(400.0, sigma_ns=40.0, delay_ns=dl, amp_pump_ghz=0.025 * a,
                                     amp_stokes_ghz=0.025 * a / np.sqrt(2))
                out.append(pr.stirap_schedule(pair).build(dev))
        return out

    t_build, sigs = timed(build)
    t_scan, ys = timed(lambda: qp.simulate_sweep(closed, sigs, 0, rwa_cutoff_ghz=2.0))
    p2 = (np.abs(ys[:, 2]) ** 2).reshape(amps.size, delays.size)
    print(f"\n# 1000-point scan (25 amplitudes x 40 delays), closed qutrit, {n} samples each")
    print(f"qbhw simulate_sweep: {t_scan:6.2f} s (+ {t_build:.2f} s building schedules)   (goal < 5 s)")
    i, j = np.unravel_index(np.argmax(p2), p2.shape)
    print(f"  best P2 = {p2[i, j]:.4f} at amplitude x{amps[i]:.2f}, delay {delays[j]:.0f} ns")
    chk = qp.simulate(closed, sigs[517], 0, rwa_cutoff_ghz=2.0, record="final").states[-1]
    print(f"  sweep vs single run (point 517): max |diff| {np.max(np.abs(chk - ys[517])):.1e}")
    try:
        from qbhw.pulse.reference import qutip_solve

        t_q, _ = timed(lambda: qutip_solve(closed, sigs[517], 0, rwa_cutoff_ghz=2.0, record="final"))
        print(f"QuTiP sesolve: {t_q:.2f} s per point -> {1000 * t_q:8.0f} s for 1000   ratio {1000 * t_q / t_scan:6.0f}x")
    except ImportError:
        pass
    if ok:
        res = qiskit_dynamics_solve_many([dict(model=closed, signals=part, initial_state=0, rwa_cutoff_ghz=2.0,
                                               record="final")])
        t_qd = res[0][1] * n / k
        print(f"qiskit-dynamics: {t_qd:.1f} s per point ({k} samples scaled) -> {1000 * t_qd:8.0f} s for 1000   "
              f"ratio {1000 * t_qd / t_scan:6.0f}x")


if __name__ == "__main__":
    main()
