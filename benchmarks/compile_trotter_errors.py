"""Trotter errors of the compiled charging circuits and the ibm_perth comparison (prints a table).

For every protocol: register size, Trotter steps at the last time, the measured Trotter error
max|E_circ − E_exact| (noise-free circuits vs the exact solver), the rigorous commutator bound on
it, and their ratio; then the ibm_perth 2-qubit battery: (W_hw − W_sim)/σ_shot for Aer and for
FakePerth (2048 shots). Run: python benchmarks/compile_trotter_errors.py
"""

import csv
import time
import warnings
from pathlib import Path

import numpy as np

warnings.simplefilter("ignore")

from qbhw.backends import get_backend  # noqa: E402
from qbhw.compile import (dicke_charging, direct_charging, single_qubit_drive, star_charging,  # noqa: E402
                          tavis_cummings_charging, tfim_charging)
from qbhw.models.mbl import MBLBattery  # noqa: E402
from qbhw.models.spin_chain import SpinChainBattery  # noqa: E402
from qbhw.models.syk import SYKBattery  # noqa: E402


def main():
    t = np.linspace(0.0, 1.5, 7)
    cases = [
        ("star N=6 pure (order 2, dt=0.1)", star_charging(6, 0.5, max_step=0.1)),
        ("star N=6 pure (order 1, dt=0.1)", star_charging(6, 0.5, order=1, max_step=0.1)),
        ("star N=4 high-temperature", star_charging(4, 0.5, initial="high_temperature", max_step=0.1)),
        ("Dicke N=4 g=0.5 cutoff 7", dicke_charging(4, 0.5, cutoff=7, max_step=0.05, on_truncation="ignore")),
        ("Tavis-Cummings N=4 g=0.5 cutoff 7", tavis_cummings_charging(4, 0.5, cutoff=7, max_step=0.05)),
        ("XXZ chain N=8", direct_charging(SpinChainBattery(8, 1.0, 0.5, 1.0, 1.0), max_step=0.05)),
        ("SYK N=6", direct_charging(SYKBattery(6, 1.0, seed=1), max_step=0.05)),
        ("MBL N=8", direct_charging(MBLBattery(8, seed=1), max_step=0.05)),
        ("TFIM perth N=4 M=2", tfim_charging(4, 2, max_step=0.05)),
        ("Gemme drive (sine, dt=0.05)", single_qubit_drive("sine", duration=1.5, dt=0.05)),
    ]
    print(f"{'protocol':38s} {'qubits':>6s} {'steps':>5s} {'trotter err':>12s} {'bound':>10s} {'err/bound':>9s} {'s':>6s}")
    for name, prog in cases:
        t0 = time.perf_counter()
        rep = prog.trotter_report(t)
        err, bound = rep.max_energy_error, rep.max_energy_bound
        ratio = err / bound if bound > 0 else float("nan")
        print(f"{name:38s} {prog.num_qubits:6d} {rep.steps[-1]:5d} {err:12.3e} {bound:10.3e} {ratio:9.3f} "
              f"{time.perf_counter() - t0:6.2f}")

    path = Path(__file__).resolve().parents[1] / "tests" / "data" / "ibm_perth_tfim_battery_vqergo.csv"
    with path.open() as fh:
        rows = [r for r in csv.DictReader(x for x in fh if not x.startswith("#")) if r["case"] == "xx_N2_M1"]
    tt = np.array([float(r["t"]) for r in rows])
    w_hw = np.array([float(r["W_hw"]) for r in rows])
    sig = np.array([float(r["sigma_shot_est"]) for r in rows])
    prog = tfim_charging(2, 1, coupling=-2.0, field=-0.6, field_in_charging=False)
    aer = get_backend("aer").run(prog, tt)
    print("\nibm_perth xx_N2_M1: t =", tt, " sigma_shot =", sig)
    print("  (W_hw - W_aer)/sigma_shot  =", np.round((w_hw - aer.work) / sig, 2))
    for seed in (1, 2, 3):
        fake = get_backend("fake:perth").run(prog, tt, shots=2048, seed=seed)
        print(f"  seed {seed}: (W_hw - W_fake)/sigma_shot =", np.round((w_hw - fake.work) / sig, 2),
              " /sqrt(sigma_shot^2 + sigma_fake^2) =",
              np.round((w_hw - fake.work) / np.sqrt(sig**2 + fake.work_stderr**2), 2))


if __name__ == "__main__":
    main()
