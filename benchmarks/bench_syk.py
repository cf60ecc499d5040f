"""Benchmark: N^{3/2} scaling of the disorder-averaged cSYK charging power (RR-22).

For N = 4, 6, …, N_max (default 12) it averages the exact charging curves of seeded
realisations (``qbhw.solvers.disorder_average``), and prints for each N: the number of
realisations, ⟨P⟩_τ̃ of the averaged work and the mean ± standard error of the realisations'
own ⟨P⟩_τ̃, τ̃, ⟨ΔE_1²⟩/N and the wall time; then the log-log slopes between consecutive N
(with errors propagated from the realisation spread) and a weighted fit over N ≥ 6 — the
review's claim is 3/2. Finally, at N = 10, the time of the fermion-number-sector solver against
the full-space propagation of the same realisation (``qbhw.solvers.direct``, the ``keep_battery``
path, scipy ``expm_multiply``) and their maximum energy deviation, measured in this run.

Run: ``python benchmarks/bench_syk.py [--max-n 12] [--scale 1.0] [--threads 1]``. Realisations
per N: 400, 200, 80, 30, 12, 4 for N = 4 … 14, times ``--scale`` (at least 3). ``--threads``
limits the BLAS threads (threadpoolctl): on a shared 2-core machine one thread per process is
much faster for these many small diagonalisations.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import qbhw
from qbhw.models import SYKBattery
from qbhw.solvers import disorder_average
from qbhw.solvers.direct import pure_charging_curve

REALISATIONS = {4: 400, 6: 200, 8: 80, 10: 30, 12: 12, 14: 4}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=12)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the number of realisations")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (threadpoolctl)")
    parser.add_argument("--omega0", type=float, default=1.0)
    parser.add_argument("--coupling", type=float, default=1.0)
    args = parser.parse_args()
    if args.threads is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)

    times = np.linspace(0, 3.0, 301)
    rows = []
    print(" N  reals   <P>_tau(avg W)   mean<P>_tau +- sem    tau~    <dE1^2>/N   time[s]")
    for n in range(4, args.max_n + 1, 2):
        count = max(3, int(round(REALISATIONS.get(n, 2) * args.scale)))
        t0 = time.perf_counter()
        avg = disorder_average(lambda s, n=n: SYKBattery(n, args.coupling, args.omega0, seed=s), range(count),
                               times, ergotropy=False, variances=True)
        elapsed = time.perf_counter() - t0
        mean = avg.metadata["mean_max_average_power"]
        sem = avg.metadata["sem_max_average_power"]
        rows.append((n, mean, sem))
        print(f"{n:2d}  {count:5d}   {avg.max_average_power:12.4f}   {mean:10.4f} +- {sem:.4f}   "
              f"{avg.tau_max_power:6.3f}   {avg.charging_variance[0] / n:8.4f}   {elapsed:7.2f}")
    ns = np.array([r[0] for r in rows], dtype=float)
    ps = np.array([r[1] for r in rows])
    es = np.array([r[2] for r in rows])
    for k in range(len(rows) - 1):
        slope = np.log(ps[k + 1] / ps[k]) / np.log(ns[k + 1] / ns[k])
        err = np.hypot(es[k] / ps[k], es[k + 1] / ps[k + 1]) / np.log(ns[k + 1] / ns[k])
        print(f"slope N={int(ns[k])}->{int(ns[k + 1])}: {slope:.3f} +- {err:.3f}")
    sel = ns >= 6
    if sel.sum() >= 2:
        x, y, w = np.log(ns[sel]), np.log(ps[sel]), (ps[sel] / es[sel]) ** 2
        coef = np.polyfit(x, y, 1, w=np.sqrt(w))
        print(f"weighted log-log fit over N >= 6: exponent {coef[0]:.3f} (review: 3/2)")

    n = 10
    model = SYKBattery(n, args.coupling, args.omega0, seed=1)
    t0 = time.perf_counter()
    sector = qbhw.charge(model, times, ergotropy=False)
    t_sector = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = pure_charging_curve(model.battery_hamiltonian(), model.syk_hamiltonian(), model.initial_state(), times,
                               ergotropy=False, method="expm_multiply", variances=False, metadata={})
    t_full = time.perf_counter() - t0
    print(f"N=10 sectors {t_sector:.2f} s vs full-space expm_multiply {t_full:.2f} s (ratio {t_full / t_sector:.1f}x); "
          f"max |dE| = {np.max(np.abs(sector.energy - full.energy)):.2e}")


if __name__ == "__main__":
    main()
