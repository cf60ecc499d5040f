"""Benchmark: ``PermutationalDicke.solve`` — the Krylov exponential integrator (``method="krylov"``) against the
Runge–Kutta route (``method="ode"``, RK45 at these tolerances), same problem, same run.

Problem: N cells, H = J_z + 0.5 J_x, local emission 0.05, local dephasing 0.1, collective emission 1/N, ρ0 = all
cells in |g⟩ (``dicke_state(N, N/2, −N/2)``), 200 times on [0, 10], rtol 1e-6 / atol 1e-8 (QuTiP's defaults),
``store_states=False``, ``e_ops=[J_z]``. Each (N, method, m) runs in its own process (N = 200 needs ~2.5 GB).

Run:  python benchmarks/bench_krylov.py [--n 64 128 200] [--m 12] [--scan 8 10 12 15 20 30] [--out FILE]
                                        [--blas-threads 1]
      (``--scan`` times the Krylov dimensions at the largest N only; ``--blas-threads 0``: BLAS's default.)

Printed per run: generator build time (first call, cached afterwards), propagation wall time, products with
the generator (``evaluations``), Krylov steps, final ⟨J_z⟩, and |Δ⟨J_z⟩| between the two methods (max over
the 200 times). BLAS is limited to one thread by default (threadpoolctl, here only — never in the library): on
a loaded 2-core machine a multithreaded BLAS call can wait milliseconds for a descheduled worker thread.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def _one(n: int, method: str, m: int | None, threads: int) -> dict:
    import contextlib

    import numpy as np
    from threadpoolctl import threadpool_limits

    from qbhw.solvers import permutational as perm

    if m is not None:
        perm.KRYLOV_DIM = m
    solver = perm.PermutationalDicke(n, emission=0.05, dephasing=0.1, collective_emission=1.0 / n)
    jx, _, jz, _, _ = perm.dicke_operators(n)
    h = jz + 0.5 * jx
    rho0 = perm.dicke_state(n, n / 2, -n / 2)
    times = np.linspace(0.0, 10.0, 200)
    with threadpool_limits(threads, user_api="blas") if threads else contextlib.nullcontext():
        t0 = time.perf_counter()
        solver.solve(h, rho0, [0.0], method=method, store_states=False)  # builds and caches the generators
        t1 = time.perf_counter()
        res = solver.solve(h, rho0, times, e_ops=[jz], method=method, rtol=1e-6, atol=1e-8, store_states=False)
        t2 = time.perf_counter()
    return {"n": n, "method": method, "m": res.info.get("krylov_dim"), "build_s": t1 - t0, "wall_s": t2 - t1,
            "evaluations": res.info["evaluations"], "steps": res.info.get("steps"),
            "entries": solver.stored_entries, "nnz": res.info["generator_nnz"],
            "final_jz": float(res.expect[0][-1]), "jz": [float(x) for x in res.expect[0]],
            "trace_deviation": res.trace_deviation}


def _run(n: int, method: str, m: int | None, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--child", str(n), method, str(m or 0), str(threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _line(r: dict) -> str:
    m = f" m={r['m']}" if r["m"] else ""
    steps = f", {r['steps']} steps" if r["steps"] else ""
    return (f"N={r['n']:4d} {r['method']:6s}{m:6s} build {r['build_s']:6.1f} s  propagate {r['wall_s']:7.1f} s  "
            f"{r['evaluations']:5d} products{steps}  final <J_z> = {r['final_jz']:.9f}  "
            f"trace dev {r['trace_deviation']:.1e}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        n, method, m, threads = int(sys.argv[2]), sys.argv[3], int(sys.argv[4]) or None, int(sys.argv[5])
        print(json.dumps(_one(n, method, m, threads)))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[64, 128, 200])
    ap.add_argument("--m", type=int, default=None, help="Krylov dimension (default: the library's)")
    ap.add_argument("--scan", type=int, nargs="*", default=[], help="Krylov dimensions to time at max(--n)")
    ap.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (0: the library's default)")
    ap.add_argument("--skip-ode", action="store_true", help="time the Krylov route only")
    ap.add_argument("--out", default=None, help="also append the lines to this file")
    args = ap.parse_args()
    lines = []

    def emit(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    emit(f"BLAS threads: {args.blas_threads or 'default'}")
    for n in args.n:
        kry = _run(n, "krylov", args.m, args.blas_threads)
        if args.skip_ode:
            emit(_line(kry))
            continue
        ode = _run(n, "ode", None, args.blas_threads)
        emit(_line(ode))
        emit(_line(kry))
        diff = max(abs(a - b) for a, b in zip(ode["jz"], kry["jz"]))
        emit(f"       {kry['entries']} stored entries, {kry['nnz']} nonzeros (complex generator); speed-up "
             f"{ode['wall_s'] / kry['wall_s']:.2f}x, products {ode['evaluations'] / kry['evaluations']:.2f}x; "
             f"max |<J_z>_ode - <J_z>_krylov| = {diff:.1e}")
    for m in args.scan:
        emit(_line(_run(max(args.n), "krylov", m, args.blas_threads)))
    if args.out:
        with open(args.out, "a") as fh:
            fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
