"""Benchmark: dark-state charging by collective dissipation (Quach & Munro, Phys. Rev. Appl. 14, 024092, 2020;
review Sec. V.C.2, Eq. 62).

Run:  python benchmarks/bench_dark_state.py [--quick]

1. Steady-state battery energy and full-space ergotropy for N_B = N_C = 1 … 4 at T = 0, three ways:
   the conserved-total-spin projection (``DarkStateBattery.steady_state``), the reduced GKSL solve at
   γT = 15 (``qbhw.charge``, product of the two symmetric subspaces), and the brute-force QuTiP ``mesolve``
   on all 2^(N_B+N_C) two-level systems at the same time (N = 4: 256 states, ~20 s; ``--quick`` stops at 3).
2. Power density ⟨P⟩_τ̃/N_B (τ̃ = argmax W(t)/t) against N_B = N_C = 1 … 10 on the reduced space; the paper
   reports ⟨P⟩_τ/N_B ∝ N_B for N_B ≤ 10 with its own choice of τ.

Figures are printed, nothing is asserted (timings belong here, not in tests).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import qbhw
from qbhw.metrics import ergotropy
from qbhw.models import DarkStateBattery


def _full_space(n: int, gamma: float, t_final: float):
    import qutip

    sm = [qutip.tensor([qutip.sigmam() if k == i else qutip.qeye(2) for k in range(2 * n)]) for i in range(2 * n)]
    h = sum(s.dag() * s for s in sm)
    hb = sum(s.dag() * s for s in sm[:n])
    psi0 = qutip.tensor([qutip.basis(2, 1)] * n + [qutip.basis(2, 0)] * n)  # QuTiP: basis(2, 0) is excited
    res = qutip.mesolve(h, psi0, [0.0, t_final], c_ops=[np.sqrt(2 * gamma) * sum(sm)],
                        options={"atol": 1e-10, "rtol": 1e-8, "nsteps": 100000})
    rho = res.states[-1]
    hb_local = sum(qutip.tensor([qutip.sigmap() * qutip.sigmam() if k == i else qutip.qeye(2) for k in range(n)])
                   for i in range(n))
    return qutip.expect(hb, rho), ergotropy(rho.ptrace(list(range(n))).full(), hb_local.full())


def main(quick: bool) -> None:
    gamma, t_final = 1.0, 15.0
    print("1. steady state, T = 0 (energies in ω)")
    print(" N  projection  reduced(γT=15)  full-space QuTiP  |Δ|       erg(proj)  erg(full)  t_full[s]")
    for n in range(1, 4 if quick else 5):
        m = DarkStateBattery(n, gamma)
        e_proj = m.steady_state_energy()
        erg_proj = ergotropy(m.battery_state(m.steady_state()), m.battery_spectrum("full"))
        e_red = qbhw.charge(m, [0.0, t_final], ergotropy=False).energy[-1]
        t0 = time.perf_counter()
        e_full, erg_full = _full_space(n, gamma, t_final)
        dt = time.perf_counter() - t0
        print(f"{n:2d}  {e_proj:.8f}  {e_red:.8f}      {e_full:.8f}        {abs(e_full - e_proj):.1e}   "
              f"{erg_proj:.6f}   {erg_full:.6f}   {dt:.1f}")
    print("\n2. power density ⟨P⟩_τ̃/N_B, N_C = N_B, γ = 0.05, T = 0")
    gamma = 0.05
    for n in range(1, 6 if quick else 11):
        m = DarkStateBattery(n, gamma)
        t0 = time.perf_counter()
        curve = qbhw.charge(m, np.linspace(0.0, 20.0 / (gamma * n), 401), ergotropy=False)
        dt = time.perf_counter() - t0
        print(f"N_B = {n:2d}: τ̃ = {curve.tau_max_power:8.4f}  ⟨P⟩_τ̃ = {curve.max_average_power:.5f}  "
              f"⟨P⟩/N_B = {curve.max_average_power / n:.5f}  E_∞ = {m.steady_state_energy():.5f}  ({dt:.2f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop the full-space check at N = 3, scaling at 5")
    main(parser.parse_args().quick)
