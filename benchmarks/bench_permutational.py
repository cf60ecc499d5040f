"""Benchmark: qbhw.solvers.PermutationalDicke against qutip.piqs on the same open Dicke problem.

Run:  python benchmarks/bench_permutational.py [--sizes 16 32 64] [--large 200] [--no-piqs-at 64]

Problem (both solvers): N two-level cells, H = ω_0 J_z + Ω J_x (ω_0 = 1, Ω = 0.5: a coherent drive), local
emission γ_↓ = 0.05, local dephasing γ_φ = 0.1, collective emission γ_c = 1/N (the superradiant rate per cell
fixed as N grows), all cells initially in |g⟩, ⟨J_z⟩ on 200 times in [0, 10]. Tolerances: qutip's defaults
(atol 1e-8, rtol 1e-6) for both. qutip.piqs: ``Dicke(N, hamiltonian, …).liouvillian()`` and ``qutip.mesolve``
(the Liouvillian build is timed separately). qbhw: ``PermutationalDicke(N, …).solve(H, ρ_0, times, e_ops=[J_z],
store_states=False)`` (build included). Each run happens in its own subprocess, so the peak memory (max RSS)
printed is that run's. Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

RUN = r"""
import json, resource, sys, time
import numpy as np
n, which, method = int(sys.argv[1]), sys.argv[2], sys.argv[3]
times = np.linspace(0.0, 10.0, 200)
rates = dict(emission=0.05, dephasing=0.1, collective_emission=1.0 / n)
out = {"n": n, "which": which}
if which == "qbhw":
    from qbhw.solvers import PermutationalDicke, dicke_operators, dicke_state
    jx, jy, jz, jp, jm = dicke_operators(n)
    t0 = time.perf_counter()
    solver = PermutationalDicke(n, **rates)
    res = solver.solve(jz + 0.5 * jx, dicke_state(n, n / 2, -n / 2), times, e_ops=[jz], store_states=False,
                       rtol=1e-6, atol=1e-8, method=method)
    out.update(seconds=time.perf_counter() - t0, jz=[float(x) for x in res.expect[0]],
               stored=solver.stored_entries, nnz=res.info["generator_nnz"], info=res.info)
else:
    import qutip, qutip.piqs as piqs
    jx, jy, jz = piqs.jspin(n)
    t0 = time.perf_counter()
    lv = piqs.Dicke(n, hamiltonian=jz + 0.5 * jx, **rates).liouvillian()
    build = time.perf_counter() - t0
    res = qutip.mesolve(lv, piqs.dicke(n, n / 2, -n / 2), times, e_ops=[jz], options={"store_states": False})
    out.update(seconds=time.perf_counter() - t0, build=build, jz=[float(np.real(x)) for x in res.expect[0]],
               stored=piqs.num_dicke_states(n) ** 2, nnz=int(lv.data.as_scipy().nnz) if hasattr(lv.data, "as_scipy")
               else None)
out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _run(n: int, which: str, method: str, timeout: float | None = None) -> dict | None:
    try:
        proc = subprocess.run([sys.executable, "-c", RUN, str(n), which, method], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[16, 32, 64])
    ap.add_argument("--large", type=int, nargs="*", default=[200])
    ap.add_argument("--method", default="auto", help="PermutationalDicke.solve method")
    ap.add_argument("--piqs-timeout", type=float, default=1800.0)
    args = ap.parse_args(argv)
    print("open Dicke: H = J_z + 0.5 J_x, emission 0.05, dephasing 0.1, collective emission 1/N, 200 times in "
          "[0, 10], atol 1e-8 / rtol 1e-6")
    print(f"{'N':>4} {'qbhw [s]':>9} {'piqs [s]':>9} {'speed-up':>8} {'max |Δ<Jz>|':>12} {'qbhw entries':>12} "
          f"{'piqs entries':>12} {'qbhw RSS':>9} {'piqs RSS':>9}  qbhw integrator")
    for n in args.sizes:
        ours = _run(n, "qbhw", args.method)
        ref = _run(n, "piqs", args.method, timeout=args.piqs_timeout)
        if ours is None:
            print(f"{n:>4} qbhw failed")
            continue
        integ = f"{ours['info'].get('integrator')} ({ours['info'].get('evaluations')} evaluations)"
        if ref is None:
            print(f"{n:>4} {ours['seconds']:>9.2f} {'>' + str(int(args.piqs_timeout)):>9} {'':>8} {'':>12} "
                  f"{ours['stored']:>12} {'':>12} {ours['max_rss_mb']:>7.0f}MB {'':>9}  {integ}")
            continue
        diff = max(abs(a - b) for a, b in zip(ours["jz"], ref["jz"]))
        print(f"{n:>4} {ours['seconds']:>9.2f} {ref['seconds']:>9.2f} {ref['seconds'] / ours['seconds']:>7.1f}x "
              f"{diff:>12.2e} {ours['stored']:>12} {ref['stored']:>12} {ours['max_rss_mb']:>7.0f}MB "
              f"{ref['max_rss_mb']:>7.0f}MB  {integ}  (piqs Liouvillian build {ref['build']:.2f} s)")
    for n in args.large:
        ours = _run(n, "qbhw", args.method)
        if ours is None:
            print(f"{n:>4} qbhw failed")
            continue
        print(f"{n:>4} {ours['seconds']:>9.2f} {'—':>9} {'':>8} {'':>12} {ours['stored']:>12} {'':>12} "
              f"{ours['max_rss_mb']:>7.0f}MB {'':>9}  {ours['info'].get('integrator')} "
              f"({ours['info'].get('evaluations')} evaluations, generator nnz {ours['nnz']}); final <Jz> = "
              f"{ours['jz'][-1]:.6f}")


if __name__ == "__main__":
    main()
