"""Charge a Dicke quantum battery and compare it with parallel Rabi cells (review Eqs. 28–34)."""

import numpy as np

import qbhw
from qbhw.models import DickeBattery, RabiBattery
from qbhw.solvers import advantage

g = 0.05
for n in (2, 4, 8):
    model = DickeBattery(n, g)  # cavity in |n⟩, all cells in |g⟩, resonance ω_c = ω_0 = 1
    curve = qbhw.charge(model, np.linspace(0.0, 40.0 / np.sqrt(n), 2001))
    gamma = advantage(model, tau="max_power")
    print(f"N={n}: τ̃={curve.tau_max_power:.3f}  ⟨P⟩_τ̃={curve.max_average_power:.4f}  "
          f"𝓔/E at τ̃={curve.ergotropy_fraction_at('max_power'):.3f}  Γ={gamma.gamma:.3f}")

rabi = qbhw.charge(RabiBattery(g), np.linspace(0.0, 60.0, 3001), ergotropy=False)
print(f"single Rabi cell: τ̃={rabi.tau_max_power:.2f}, ⟨P⟩_τ̃={rabi.max_average_power:.5f}")
