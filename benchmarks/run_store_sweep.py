"""Benchmark: the run store (``qbhw.run``) on a 200-point STIRAP sweep — parallel speed-up and store overhead.

The sweep: ``stirap_charging`` on the ``exact`` backend (pulse-level solver), the reference STIRAP pair
shortened to a 200 ns window (σ = 20 ns, peak pump 50 MHz, Stokes 35 MHz, no decoherence, 11 recorded
times), the Stokes-pump delay swept over ``--points`` values from 10 to 40 ns; ``figures=False``. Each
point is acquired and analysed (figures of merit and the amplitude-scale fit through the solver,
about 0.35 s on one core).

Prints
1. the wall time of the whole sweep (``qbhw.run`` from call to returned ``Run``: validation, store
   creation, every point, loading the run back) run serially in this process (``executor=None``),
   through a ``ProcessPoolExecutor(max_workers=1)`` and through ``max_workers=2``, and the speed-up of
   2 workers over each 1-worker reference measured in the same run (ideal: 2× on 2 cores). Pools are
   started and warmed up before their timing (their start-up time is printed separately);
2. the store's overhead per point: ``Run.session["store_ms_per_point"]`` (the time of each point's
   commit, measured by the run), and measured directly, the serial wall time minus the pure
   computation time (the sum of the points' ``elapsed_s``) per point — everything ``qbhw.run`` adds to
   the computation — as ms/point and as a fraction of the per-point computation time; plus the time
   of ``qbhw.load_run`` for the whole run;
3. a check that the three runs agree (every point done, identical figures of merit).

BLAS is limited to one thread per process (set before numpy is imported), so that two workers do not
oversubscribe the two cores and the serial reference is a one-core computation.

Run: ``python benchmarks/run_store_sweep.py [--points 200] [--quick]`` (``--quick``: 20 points).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import concurrent.futures as cf
import tempfile
import time
from pathlib import Path

import numpy as np

import qbhw
from qbhw import protocols

PROTOCOL = "stirap_charging"
#: the reference pair in a 200 ns window: ~0.35 s per point (acquire + fit) on one core
PARAMETERS = {"duration_ns": 200.0, "sigma_ns": 20.0, "amp_pump_ghz": 0.05, "amp_stokes_ghz": 0.035,
              "times_ns": {"start": 0, "stop": 200, "num": 11}, "decoherence": False}
DELAY_RANGE_NS = (10.0, 40.0)


def _warm(_: int = 0) -> int:
    """A tiny point in a worker (imports, caches); returns the worker's pid."""
    proto = protocols.get(PROTOCOL)
    proto.analyse(proto.acquire(proto.Parameters(**{**PARAMETERS, "times_ns": {"start": 0, "stop": 200, "num": 3}}),
                                "exact"))
    return os.getpid()


def _timed_run(sweep: dict, out: Path, executor=None) -> tuple[qbhw.Run, float]:
    t0 = time.perf_counter()
    run = qbhw.run(PROTOCOL, PARAMETERS, sweep=sweep, backend="exact", out=out, executor=executor, progress=False,
                   figures=False)
    return run, time.perf_counter() - t0


def _pooled(sweep: dict, out: Path, workers: int) -> tuple[qbhw.Run, float, float]:
    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        pids = set(pool.map(_warm, range(2 * workers)))
        start = time.perf_counter() - t0
        run, wall = _timed_run(sweep, out, pool)
    if len(pids) != workers:
        print(f"  (warm-up reached {len(pids)} of {workers} worker processes)")
    return run, wall, start


def _merits(run: qbhw.Run) -> np.ndarray:
    return np.array([[a.transfer, a.max_energy, a.amp_scale] for a in run.analysis], dtype=float)


def _max_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a - b|, NaN equal to NaN (a failed fit's amp_scale), NaN against a number counted as inf."""
    both = np.isnan(a) & np.isnan(b)
    diff = np.where(both, 0.0, np.abs(a - b))
    return float(np.max(np.where(np.isnan(diff), np.inf, diff))) if diff.size else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=None, help="points of the sweep (default 200; 20 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a 20-point sweep (unless --points is given)")
    args = parser.parse_args()
    n = args.points if args.points is not None else (20 if args.quick else 200)
    delays = [round(float(x), 9) for x in np.linspace(*DELAY_RANGE_NS, n)]
    sweep = {"delay_ns": delays}
    print(f"{PROTOCOL} on 'exact': {n} points, delay_ns {delays[0]:g} … {delays[-1]:g} ns; "
          f"{os.cpu_count()} CPUs; BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}; load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (other processes slow every figure down)")
    _warm()  # imports and caches of this process (the pools fork from it)

    with tempfile.TemporaryDirectory(prefix="qbhw-bench-runs-") as tmp:
        tmp = Path(tmp)
        serial, t_serial = _timed_run(sweep, tmp / "serial")
        one, t_one, start_one = _pooled(sweep, tmp / "pool1", 1)
        two, t_two, start_two = _pooled(sweep, tmp / "pool2", 2)
        t0 = time.perf_counter()
        loaded = qbhw.load_run(tmp / "serial")
        t_load = time.perf_counter() - t0

        compute = sum(p.elapsed_s for p in serial.points)
        per_point = compute / n
        print(f"1. wall time of the {n}-point sweep (qbhw.run, call to returned Run):")
        print(f"   serial (executor=None)           {t_serial:8.2f} s  ({1e3 * t_serial / n:.0f} ms/point; "
              f"compute {1e3 * per_point:.0f} ms/point)")
        print(f"   ProcessPoolExecutor(1 worker)    {t_one:8.2f} s  (pool start-up + warm-up {start_one:.2f} s, "
              "not included)")
        print(f"   ProcessPoolExecutor(2 workers)   {t_two:8.2f} s  (pool start-up + warm-up {start_two:.2f} s, "
              "not included)")
        print(f"   speed-up of 2 workers: {t_serial / t_two:.2f}x over serial, {t_one / t_two:.2f}x over 1 worker "
              f"(ideal 2x on 2 cores); 1 worker vs serial: {t_one / t_serial:.3f}")
        if per_point > 0.5:
            print(f"   note: {per_point:.2f} s per point (> 0.5 s): a busy machine, or choose cheaper parameters")

        overhead = (t_serial - compute) / n
        print("2. store overhead per point:")
        for label, run in (("serial", serial), ("1 worker", one), ("2 workers", two)):
            s = run.session
            print(f"   Run.session['store_ms_per_point'] {label:9s}: {s['store_ms_per_point']:6.2f} ms/point "
                  f"(commits only; drive loop {s['elapsed_s']:.2f} s)")
        print(f"   direct, serial: wall {t_serial:.2f} s - sum of point elapsed_s {compute:.2f} s = "
              f"{1e3 * overhead:.2f} ms/point = {overhead / per_point:.2%} of the per-point compute "
              f"({1e3 * per_point:.0f} ms)")
        drive = serial.session["elapsed_s"]
        print(f"   of which per run (validation, manifest with versions and git revision, store creation, loading the "
              f"Run): {t_serial - drive:.2f} s = {1e3 * (t_serial - drive) / n:.2f} ms/point; in the point loop "
              f"(dispatch, commit, bookkeeping): {1e3 * (drive - compute) / n:.2f} ms/point")
        print(f"   commit share: {serial.session['store_ms_per_point'] / (1e3 * per_point):.2%} of the per-point compute;"
              f" qbhw.load_run of the {n} points: {t_load:.2f} s ({1e3 * t_load / n:.2f} ms/point)")

        ref = _merits(serial)
        ok = all(r.status == "done" and all(p.done for p in r.points) for r in (serial, one, two, loaded))
        dev = max(_max_difference(_merits(r), ref) for r in (one, two, loaded))
        not_good = [(p.parameters.delay_ns, a.fit.quality if a.fit is not None else "no fit", a.fit.flags[:1]
                     if a.fit is not None else ())
                    for p, a in zip(serial.points, serial.analysis, strict=True)
                    if a.fit is None or a.fit.quality != "good"]
        print(f"3. all points done in all runs: {ok}; max |difference| of transfer, max energy, fitted amp_scale "
              f"between runs (and load_run): {dev:.1e}; transfer {ref[:, 0].min():.3f} … {ref[:, 0].max():.3f}; "
              f"good fits {n - len(not_good)}/{n}")
        for delay, quality, flags in not_good[:5]:
            print(f"   fit {quality} at delay_ns = {delay:g}: {'; '.join(flags)}")
        if len(not_good) > 5:
            print(f"   … and {len(not_good) - 5} more")
        print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
