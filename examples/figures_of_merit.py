"""Figures of merit of small battery states (review Sec. II) with qbhw.metrics."""

import numpy as np
from qiskit.quantum_info import DensityMatrix, SparsePauliOp

from qbhw import metrics

# one qubit cell, H_B = ω_0 (1 − Z)/2 (|0⟩ = |g⟩), state with coherences
h = SparsePauliOp(["I", "Z"], coeffs=[0.5, -0.5])
rho = DensityMatrix(np.array([[0.3, 0.35], [0.35, 0.7]]))
print("energy", metrics.energy(rho, h))
print("ergotropy", metrics.ergotropy(rho, h), "incoherent part", metrics.incoherent_ergotropy(rho, h))
print("thermal bound", metrics.thermal_bound(rho, h))

# a passive but not completely passive qutrit: ergotropy appears with several copies (Eq. 9)
h3 = np.diag([0.0, 1.0, 2.0])
rho3 = np.diag([0.5, 0.5, 0.0])
for n in (1, 2, 3, 4, 5, 6, 12):
    print(f"n = {n:2d}: ergotropy per copy = {metrics.n_copy_ergotropy(rho3, h3, n):.6f}")
