"""Benchmark: ``qbhw calibrate`` on the simulated transmon qutrit (the calibration graph: ef spectroscopy, Rabi
0→1 and 1→2, DRAG, readout, T1 per level, Ramsey, STIRAP tune-up), and what the calibration buys.

Run:  python benchmarks/bench_calibrate.py [--device transmon_qutrit_stirap] [--truth-seed 0] [--cores 2]

Prints, for the device with hidden parameters drawn from ``--truth-seed``:
1. the seconds each routine took and the total (target: under 2 minutes on 2 cores; ``--cores`` pins the process
   to that many cores and one BLAS thread), and the total as a ratio to one STIRAP charging simulation of the
   same device measured in the same run (the unit of work of the tune-up);
2. each calibrated value against the hidden truth (inside its 95 % interval or not);
3. the final population of |2⟩ of STIRAP charging on the true device: with the definition only (the reference
   pulse, carriers at the definition's ν and α) and with the new record.

Figures are printed, nothing is asserted (timings belong here, not in tests).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def _stirap_final_p2(backend, device) -> float:
    from qbhw import protocols

    stirap = protocols.get("stirap_charging")
    p = stirap.Parameters(device=device).resolved(device)
    data = stirap.acquire(p.replace(times_ns=(0.0, p.duration_ns)), backend)
    return float(np.asarray(data.curve.observables["populations"])[-1, 2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="transmon_qutrit_stirap")
    ap.add_argument("--truth-seed", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cores", type=int, default=2)
    args = ap.parse_args()
    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))
    from threadpoolctl import threadpool_limits

    from qbhw.backends.simulated import SimulatedTransmon
    from qbhw.calibration import change_table, run_calibration
    from qbhw.devices import load

    with threadpool_limits(limits=1, user_api="blas"):
        definition = load(args.device)
        backend = SimulatedTransmon(definition, seed=args.truth_seed)
        _stirap_final_p2(backend, definition)  # warm-up (imports, caches)
        t0 = time.perf_counter()
        for _ in range(5):
            _stirap_final_p2(backend, definition)
        unit = (time.perf_counter() - t0) / 5
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            outcome = run_calibration(definition, backend=backend, start=None, seed=args.seed, out=out,
                                      figures=False)
            total = time.perf_counter() - t0
        print(f"# qbhw calibrate {args.device} (truth seed {args.truth_seed}, {args.cores} cores, 1 BLAS thread)")
        for name, s in outcome.elapsed_s.items():
            print(f"  {name:<16s} {s:7.2f} s")
        print(f"  total            {total:7.2f} s  (target < 120 s: {'met' if total < 120 else 'NOT met'}); "
              f"= {total / unit:.0f} × one STIRAP charging simulation ({1e3 * unit:.1f} ms)")
        print()
        print("\n".join(change_table(outcome.changes)))
        truth = backend._truth.device
        t1 = truth.t1_ns
        true = {"freq_ghz": truth.freq_ghz, "ef_freq_ghz": truth.transition_freq_ghz(1, 2),
                "t1_level1_ns": t1[0], "t1_level2_ns": t1[1], "t2star_ns": truth.t2_ns}
        print("\n# calibrated value vs hidden truth")
        for name, value in true.items():
            v = outcome.record.values[name]
            inside = v.ci95[0] <= value <= v.ci95[1]
            print(f"  {name:<14s} {v.value:.7g} [{v.ci95[0]:.7g}, {v.ci95[1]:.7g}]  truth {value:.7g}  "
                  f"{'inside' if inside else 'OUTSIDE'}")
        A = np.asarray(outcome.record.get("readout_assignment"))
        print(f"  readout_assignment  max |A − A_true| = {np.max(np.abs(A - np.asarray(backend._truth.readout_assignment))):.4f}")
        calibrated = load(args.device, calibration=outcome.record)
        print("\n# STIRAP charging on the true device: final P(|2>)")
        print(f"  definition only (reference pulse) : {_stirap_final_p2(backend, definition):.4f}")
        print(f"  calibrated record (tuned pulse)   : {_stirap_final_p2(backend, calibrated):.4f}")


if __name__ == "__main__":
    main()
