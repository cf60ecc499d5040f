"""NMR star-topology battery (Joshi & Mahesh 2022): central spin charged by 𝒩 inverted charger spins."""

import numpy as np

import qbhw
from qbhw.models import StarBattery

J = 1.0
for n in (1, 3, 6, 10, 36):
    times = np.linspace(0.0, 4.0 / (J * np.sqrt(n)), 4001)
    curve = qbhw.charge(StarBattery(n, J, initial="high_temperature"), times)
    tau = curve.tau_energy_peak  # first interior maximum of the stored energy (τ̄)
    p_max = np.interp(tau, times, curve.polarization)
    print(f"𝒩={n:2d}: first maximum ⟨σ_B^z⟩/ε = {p_max:.3f} at J τ̄ √𝒩 = {tau * J * np.sqrt(n):.3f}")
