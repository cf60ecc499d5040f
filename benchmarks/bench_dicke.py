"""Benchmark: closed Dicke battery, qbhw's reduced solver vs QuTiP, and the τ̃ search at large N.

Run:  python benchmarks/bench_dicke.py [--quick]

1. Dicke battery (g = 0.05, ω_0 = ω_c = 1, n = N = 200 photons), charging curve on 151 times
   in [0, 1.5] (τ̃ ≈ 0.91), automatic converged photon window (edge population ≤ 1e-12).
   Reference, same run: QuTiP ``sesolve`` (atol 1e-10, rtol 1e-8) on
   (a) the textbook Hamiltonian ω_c a†a + ω_0(J^z + N/2) + 2g J^x(a + a†) on Fock(0…n_hi) ⊗ spin N/2
       with the same photon cut-off n_hi that qbhw converged to, and
   (b) qbhw's own sector matrix (same matrix and dimension: the integrator alone).
   Prints wall times, speed-up ratios and the largest energy difference.
2. τ̃ search (``find_charging_time(model, "max_power")``) at N = 200 and N = 1000 (goal < 30 s).

Figures are printed, nothing is asserted (timings belong here, not in tests).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp

import qbhw
from qbhw.models import DickeBattery
from qbhw.solvers import find_charging_time


def _qutip_textbook(n_cells: int, g: float, n_hi: int):
    import qutip

    a = qutip.tensor(qutip.destroy(n_hi + 1), qutip.qeye(n_cells + 1))
    jx = qutip.tensor(qutip.qeye(n_hi + 1), qutip.jmat(n_cells / 2, "x"))
    jz = qutip.tensor(qutip.qeye(n_hi + 1), qutip.jmat(n_cells / 2, "z"))
    hb = jz + (n_cells / 2) * qutip.tensor(qutip.qeye(n_hi + 1), qutip.qeye(n_cells + 1))
    h = a.dag() * a + hb + 2 * g * jx * (a + a.dag())
    # jmat basis is ordered m = +J … −J: |G> (m = −J) is the last spin state
    psi0 = qutip.tensor(qutip.basis(n_hi + 1, n_cells), qutip.basis(n_cells + 1, n_cells))
    return h, hb, psi0


def bench_qutip(n_cells: int = 200, g: float = 0.05, t_max: float = 1.5, n_times: int = 151) -> None:
    import qutip

    times = np.linspace(0.0, t_max, n_times)
    model = DickeBattery(n_cells, g)
    qbhw.charge(DickeBattery(4, g), times[:5], ergotropy=False)  # warm-up (imports, caches)
    t0 = time.perf_counter()
    curve = qbhw.charge(model, times, ergotropy=False)
    t_qbhw = time.perf_counter() - t0
    lo, hi = curve.metadata["photon_window"]
    print(f"[1] Dicke N={n_cells}, g={g}, {n_times} times in [0, {t_max}]")
    print(f"    qbhw charge(): {t_qbhw:.2f} s  (photon window n in [{lo}, {hi}], sector dim "
          f"{curve.metadata['sector_dimension']}, edge population {curve.metadata['max_cutoff_population']:.1e})")

    opts = {"atol": 1e-10, "rtol": 1e-8, "nsteps": 10**8, "store_states": False}
    h, hb, psi0 = _qutip_textbook(n_cells, g, hi)
    t0 = time.perf_counter()
    res = qutip.sesolve(h, psi0, times, e_ops=[hb], options=opts)
    t_qt = time.perf_counter() - t0
    e_qt = np.real(np.asarray(res.expect[0]))
    print(f"    QuTiP sesolve, Fock(0..{hi}) x spin {n_cells / 2:g} (dim {h.shape[0]}): {t_qt:.2f} s"
          f"  -> speed-up {t_qt / t_qbhw:.1f}x;  max |E_qbhw - E_qutip| = {np.max(np.abs(e_qt - curve.energy)):.2e}")

    sector = model.sector((lo, hi))
    hs = qutip.Qobj(model.sector_hamiltonian(sector))
    hbs = qutip.Qobj(sp.diags(model.sector_battery_diagonal(sector)).tocsr())
    ps0 = qutip.Qobj(model.sector_initial_state(sector))
    t0 = time.perf_counter()
    res2 = qutip.sesolve(hs, ps0, times, e_ops=[hbs], options=opts)
    t_qt2 = time.perf_counter() - t0
    e_qt2 = np.real(np.asarray(res2.expect[0]))
    print(f"    QuTiP sesolve on qbhw's sector matrix (dim {sector.dimension}): {t_qt2:.2f} s"
          f"  -> speed-up {t_qt2 / t_qbhw:.1f}x;  max |dE| = {np.max(np.abs(e_qt2 - curve.energy)):.2e}")


def bench_tau_search(sizes=(200, 1000), g: float = 0.05) -> None:
    print(f"[2] tau search (max average power), g={g}")
    for n in sizes:
        t0 = time.perf_counter()
        res = find_charging_time(DickeBattery(n, g), "max_power")
        dt = time.perf_counter() - t0
        print(f"    N={n:5d}: {dt:6.2f} s   tau~={res.tau:.5f}  <P>={res.average_power:.6g}  "
              f"<P>/N^1.5={res.average_power / n**1.5:.5f}  window {res.info['photon_window']} "
              f"dim {res.info['sector_dimension']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (N = 60 / 200) for a smoke run")
    args = parser.parse_args()
    if args.quick:
        bench_qutip(60, t_max=3.0, n_times=61)
        bench_tau_search((60, 200))
    else:
        bench_qutip()
        bench_tau_search()


if __name__ == "__main__":
    main()
