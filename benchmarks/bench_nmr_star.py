"""Benchmark: pulse-level NMR star charging (Joshi & Mahesh, PRA 106, 042601, 2022) with relaxation, 𝒩 up to 36.

Run:  python benchmarks/bench_nmr_star.py [--cores 2] [--points 200] [--lock-khz 10]

Prints, for each shipped star molecule (𝒩 = 3, 4, 9, 12, 36):
1. the seconds for one Hartmann–Hahn charging curve at pulse level (charger π pulse, (π/2)_y on both channels,
   spin-lock of 0 … 3 first maxima of the ideal curve sampled at ``--points`` times, (π/2)_{−y} readout after each
   point) with T1/T2 on, and the same without relaxation (target for 𝒩 = 36 with relaxation: under 10 s on 2
   cores); each as a ratio to the exact idealised curve (``StarBattery`` with coupling πJ/2, the collective-spin
   sector solver) of the same 𝒩 and points, measured in the same run;
2. which route each segment took (``exact`` / ``averaged``), the largest deviation of the closed pulse-level curve
   from the ideal one (finite RF power: O(J/ν1)) and of the relaxing one (relaxation during the lock);
3. for 𝒩 = 36, storage of the battery charged by a π pulse over 180 s (free evolution under T1/T2, 100 points): seconds.

Figures are printed, nothing is asserted (timings belong here, not in tests).
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--lock-khz", type=float, default=10.0)
    args = ap.parse_args()
    if args.cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[: args.cores]))

    import qbhw
    from qbhw.devices.nmr import molecule_for
    from qbhw.models import StarBattery
    from qbhw.pulse import Delay, Schedule
    from qbhw.pulse.nmr import hard_pulse, hartmann_hahn_transfer
    from qbhw.solvers.nmr import NmrStarSimulator

    nu1 = args.lock_khz * 1e3
    print(f"# Hartmann–Hahn charging curve at pulse level, {args.points} points, lock ν1 = {args.lock_khz:g} kHz, "
          f"{args.cores} cores")
    print(f"{'molecule':<38s} {'N':>3s} {'J/Hz':>6s} {'T1/T2 on':>9s} {'ratio':>7s} {'closed':>8s} {'ratio':>7s} "
          f"{'ideal':>8s}  {'|closed−ideal|':>14s} {'|relax−ideal|':>13s}  routes")
    for n in (3, 4, 9, 12, 36):
        mol = molecule_for(n)
        j_star = math.pi * abs(mol.coupling_hz) / 2
        t_max = 3 * 1.9 / (j_star * math.sqrt(n))
        lock_s = np.linspace(0.0, t_max, args.points)
        b_ch, c_ch = mol.channel_for("battery"), mol.channel_for("chargers")
        seq = hartmann_hahn_transfer(b_ch, c_ch, (t_max * 1e9 // mol.dt_ns + 1) * mol.dt_ns, lock_nutation_hz=nu1,
                                     pulse_nutation_battery_hz=mol.channel_map[b_ch].max_nutation_hz,
                                     pulse_nutation_chargers_hz=mol.channel_map[c_ch].max_nutation_hz,
                                     dt_ns=mol.dt_ns)
        record = seq.record_ns(lock_s * 1e9)
        model = StarBattery(n, coupling=j_star, initial="high_temperature", charger_weight=mol.charger_weight)
        qbhw.charge(model, lock_s)  # warm-up
        t0 = time.perf_counter()
        ideal = qbhw.charge(model, lock_s).polarization
        t_ideal = time.perf_counter() - t0
        times, curves, routes = {}, {}, None
        for relax in (True, False):
            sim = NmrStarSimulator(mol, relaxation=relax)
            t0 = time.perf_counter()
            curves[relax] = sim.bloch(seq.charge_schedule(), record_ns=record, readout=seq.readout)[:, 2]
            times[relax] = time.perf_counter() - t0
            if relax:
                routes = "/".join(sim.choose_method(s) for s in sim.segments(seq.schedule()))
        dev_closed = float(np.max(np.abs(curves[False] - ideal)))
        dev_relax = float(np.max(np.abs(curves[True] - ideal)))
        print(f"{mol.name:<38s} {n:3d} {mol.coupling_hz:6.1f} {times[True]:8.2f}s {times[True] / t_ideal:7.0f} "
              f"{times[False]:7.2f}s {times[False] / t_ideal:7.0f} {1e3 * t_ideal:6.2f}ms  {dev_closed:14.2e} "
              f"{dev_relax:13.2e}  {routes}")
        if n == 36:
            target = times[True]
    print(f"\n𝒩 = 36 with relaxation: {target:.2f} s (target < 10 s: {'met' if target < 10 else 'NOT met'})")

    mol = molecule_for(36)
    sim = NmrStarSimulator(mol)
    b_ch = mol.channel_for("battery")
    charged = sim.evolve(hard_pulse(b_ch, math.pi, 0.0, mol.channel_map[b_ch].max_nutation_hz, mol.dt_ns))
    storage_s = np.linspace(0.0, 180.0, 100)
    t0 = time.perf_counter()
    p = sim.bloch(Schedule(Delay(180e9, mol.channel_for("battery"))), record_ns=storage_s * 1e9, state=charged)[:, 2]
    t_store = time.perf_counter() - t0
    print(f"storage of the charged 𝒩 = 36 battery over 180 s (100 points): {t_store:.2f} s; energy per unit ε "
          f"(1 + P)/2 from {0.5 * (1 + p[0]):.3f} to {0.5 * (1 + p[-1]):.3f} (battery T1 = {mol.battery.t1_s:g} s)")


if __name__ == "__main__":
    main()
