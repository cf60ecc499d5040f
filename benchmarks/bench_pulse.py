"""Pulse-level solver benchmark (not a test): prints its figures; run ``python benchmarks/bench_pulse.py``.

1. One STIRAP Lindblad charging curve (stack.md qutrit, device T1/Tφ, held samples, RWA cut-off 2 GHz,
   state at all 1801 sample boundaries): qbhw fast path (goal < 20 ms) against the adaptive ODE path,
   QuTiP mesolve on the same model and qiskit-dynamics (out of process) in the same run.
2. A 1000-point (amplitude × delay) STIRAP scan, closed system, final P(|2⟩) (goal < 5 s) against QuTiP
   sesolve and qiskit-dynamics, timed on a few points / a prefix of samples and scaled.
3. The ibmq_armonk two-tone drive (tests/data), a qubit with 90 000 held samples recorded at 800 drive lengths:
   ``qbhw.pulse.simulate`` (goal ≲ 20 ms) and one evaluation of the fit model (compiled once) against QuTiP
   sesolve on a prefix, scaled.

References integrate the held-sample model segment by segment (the envelope jumps at each sample).
qiskit-dynamics' RWA also filters the jump operators (it would delete T1), so its Lindblad run uses the same
model without a cut-off (exact rotating frame); our fast path is timed on that model too.

BLAS threads: the qbhw timings are taken with BLAS limited to one thread (threadpoolctl, here only — never in
the library): on a loaded 2-core machine a multithreaded BLAS call can wait milliseconds for a descheduled
worker thread; the first Lindblad line also gives the timing with the default threads.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import qbhw.pulse as qp
from qbhw.pulse import protocols as pr


def timed(fn, repeat=1):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def prefix(sig, k):
    return qp.PulseSignals(sig.dt_ns, k, {c: v[:k] for c, v in sig.envelopes.items()},
                           {c: v[:k] for c, v in sig.freqs_ghz.items()}, {c: v[:k] for c, v in sig.phases.items()})


def main():
    from qbhw.pulse.crosscheck import qiskit_dynamics_available, qiskit_dynamics_solve_many

    try:
        from qbhw.pulse.reference import qutip_solve
    except ImportError:
        qutip_solve = None
    ok, why = qiskit_dynamics_available()

    dev = qp.load_device("transmon_qutrit_stirap")
    sig = pr.stirap_schedule().build(dev)
    n = sig.n_samples
    lind = qp.transmon_model(dev)
    print(f"# STIRAP Lindblad charging curve: {n} samples of {dev.dt_ns:.4f} ns, T1 = {dev.t1_ns} ns, "
          f"Tphi = {dev.tphi_ns} ns")
    t_default, _ = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0), repeat=20)
    with threadpool_limits(1):
        t_fast, r = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0), repeat=20)
        t_curve, c = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0).charging_curve(ergotropy=False), 20)
        t_split, rs = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0, scheme="split"), repeat=5)
    t_ode, ro = timed(lambda: qp.simulate(lind, sig, 0, rwa_cutoff_ghz=2.0, method="ode"))
    print(f"qbhw fast (Magnus-6, {r.substeps} step/sample):             {1e3 * t_fast:8.1f} ms   (goal < 20 ms; "
          f"{1e3 * t_default:.1f} ms with default BLAS threads)")
    print(f"  + charging curve (energy, no ergotropy):           {1e3 * t_curve:8.1f} ms")
    print(f"qbhw fast, Strang split scheme:                      {1e3 * t_split:8.1f} ms   "
          f"max |diff| vs ODE {np.max(np.abs(rs.states - ro.states)):.1e}")
    print(f"qbhw adaptive ODE (DOP853, same model):              {1e3 * t_ode:8.1f} ms   "
          f"max |diff| fast vs ODE {np.max(np.abs(r.states - ro.states)):.1e}")
    print(f"  final populations {np.round(r.populations[-1], 5)}, E = {c.energy[-1]:.4f} GHz")
    if qutip_solve is not None:
        k = 90
        t_q, _ = timed(lambda: qutip_solve(lind, prefix(sig, k), 0, rwa_cutoff_ghz=2.0, record="final"))
        print(f"QuTiP mesolve (same model, {k} samples x {n / k:.0f}):          {t_q * n / k:8.2f} s    "
              f"ratio {t_q * n / k / t_fast:7.0f}x")
    else:
        print("QuTiP not installed")
    k = 18
    part = prefix(sig, k)
    if ok:
        res = qiskit_dynamics_solve_many([dict(model=lind, signals=part, initial_state=0, record="final"),
                                          dict(model=lind.closed(), signals=part, initial_state=0, rwa_cutoff_ghz=2.0,
                                               record="final")])
        with threadpool_limits(1):
            t_nocut, rn = timed(lambda: qp.simulate(lind, sig, 0), repeat=1)
        print(f"qiskit-dynamics Lindblad, no cut-off ({k} samples x {n / k:.0f}):  {res[0][1] * n / k:8.1f} s    "
              f"ratio {res[0][1] * n / k / t_nocut:7.0f}x vs qbhw fast on that model ({t_nocut:.2f} s, "
              f"{rn.substeps} steps/sample)")
    else:
        print("qiskit-dynamics:", why)

    # ---------------------------------------------------------------- 1000-point scan
    amps = np.linspace(0.5, 1.5, 25)
    delays = np.linspace(0.0, 120.0, 40)
    closed = qp.transmon_model(dev, decoherence=False)

    ref = qp.StirapPair.reference()

    def build():
        out = []
        for a in amps:
            for dl in delays:
                pair = dataclasses.replace(ref, delay_ns=dl, amp_pump_ghz=ref.amp_pump_ghz * a,
                                           amp_stokes_ghz=ref.amp_stokes_ghz * a)
                out.append(pr.stirap_schedule(pair).build(dev))
        return out

    t_build, sigs = timed(build)
    with threadpool_limits(1):
        t_scan, ys = timed(lambda: qp.simulate_sweep(closed, sigs, 0, rwa_cutoff_ghz=2.0), repeat=2)
    p2 = (np.abs(ys[:, 2]) ** 2).reshape(amps.size, delays.size)
    print(f"\n# 1000-point scan (25 amplitudes x 40 delays), closed qutrit, {n} samples each")
    print(f"qbhw simulate_sweep: {t_scan:6.2f} s (+ {t_build:.2f} s building schedules)   (goal < 5 s)")
    i, j = np.unravel_index(np.argmax(p2), p2.shape)
    print(f"  best P2 = {p2[i, j]:.4f} at amplitude x{amps[i]:.2f}, delay {delays[j]:.0f} ns")
    chk = qp.simulate(closed, sigs[517], 0, rwa_cutoff_ghz=2.0, record="final").states[-1]
    ode = qp.simulate(closed, sigs[517], 0, rwa_cutoff_ghz=2.0, record="final", method="ode").states[-1]
    print(f"  point 517: max |diff| sweep vs single run {np.max(np.abs(chk - ys[517])):.1e}, "
          f"vs adaptive ODE {np.max(np.abs(ode - ys[517])):.1e}")
    if qutip_solve is not None:
        t_q, ref = timed(lambda: qutip_solve(closed, sigs[517], 0, rwa_cutoff_ghz=2.0, record="final"))
        print(f"QuTiP sesolve: {t_q:.2f} s per point -> {1000 * t_q:8.0f} s for 1000   "
              f"ratio {1000 * t_q / t_scan:6.0f}x   (max |diff| {np.max(np.abs(ref[-1] - ys[517])):.1e})")
    if ok:
        res = qiskit_dynamics_solve_many([dict(model=closed, signals=part, initial_state=0, rwa_cutoff_ghz=2.0,
                                               record="final")])
        t_qd = res[0][1] * n / k
        print(f"qiskit-dynamics: {t_qd:.1f} s per point ({k} samples scaled) -> {1000 * t_qd:8.0f} s for 1000   "
              f"ratio {1000 * t_qd / t_scan:6.0f}x")

    # ---------------------------------------------------------------- ibmq_armonk two-tone drive
    from qbhw.fit import read_csv
    from qbhw.protocols.driven_qubit import armonk_drive_from_header, bloch_at_samples

    table = read_csv(Path(__file__).resolve().parents[1] / "tests" / "data" / "ibmq_armonk_floquet_driven_qubit.csv")
    drive = armonk_drive_from_header(table.header, 1)
    ns = np.unique(table.where(m=1).numeric("drive_samples")).astype(int)
    arm = qp.load_device("armonk_like").with_levels(2)
    model = qp.transmon_model(arm, decoherence=False)
    sched = pr.floquet_two_tone_schedule(arm, m=1, b_rad_per_s=drive.max_drive, n_samples=int(ns.max()))
    asig = sched.build(arm)
    print(f"\n# ibmq_armonk two-tone drive: qubit, {asig.n_samples} held samples, states at {ns.size} drive lengths")
    with threadpool_limits(1):
        t_sim, ra = timed(lambda: qp.simulate(model, asig, 0, rwa_cutoff_ghz=1.0, record=ns), repeat=20)
        bloch_at_samples(drive, ns, 0.97)  # compile once (cached per drive), as the fit does
        t_eval, _ = timed(lambda: bloch_at_samples(drive, ns, 0.97), repeat=20)
    print(f"qbhw.pulse.simulate (closed-form 2x2, block/prefix products): {1e3 * t_sim:6.1f} ms   (goal <~ 20 ms)")
    print(f"  fit evaluation, drive compiled once (driven_qubit.bloch_at_samples): {1e3 * t_eval:6.1f} ms")
    if qutip_solve is not None:
        k = 900
        t_q, ref = timed(lambda: qutip_solve(model, prefix(asig, k), 0, rwa_cutoff_ghz=1.0, record=ns[ns <= k]))
        diff = np.max(np.abs(ref - ra.states[: ref.shape[0]]))
        print(f"QuTiP sesolve ({k} samples x {asig.n_samples / k:.0f}): {t_q * asig.n_samples / k:8.1f} s   "
              f"ratio {t_q * asig.n_samples / k / t_sim:7.0f}x   (max |diff| on the prefix {diff:.1e})")


if __name__ == "__main__":
    main()
