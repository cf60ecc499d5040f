"""Parallel (local) and global charging of N qubit cells (review Eqs. 16–18; seed-spec §2.1).

Cells ``H_0 = ω_0 Σ_i |e⟩⟨e|_i``. After the −H_0 cancellation the generators are

* parallel, Eq. (16): ``H_0 + H_∥ = Σ_i (α σ_i^+ + α* σ_i^−) = Σ_i (Re α X_i + Im α Y_i)`` — one
  ``RGate(2|α|t, arg α)`` per cell, ``E(t) = N ω_0 sin²(|α| t)``;
* global, Eq. (17): ``H_0 + H_♯ = α_N |E⟩⟨G| + α_N^* |G⟩⟨E|`` — the exact |G⟩ ↔ |E⟩ rotation of
  :class:`~qbhw.compile.fragments.GlobalSwapFragment`, ``E(t) = N ω_0 sin²(|α_N| t)``.

Both circuits are exact (one fragment: zero Trotter error). With equal operator norms
``|α_N| = N|α| = E_max`` the global protocol is N times faster (Γ = N, Eq. 18). The exact
reference is the closed form above (an independent route from the circuits).
"""

from __future__ import annotations

import numpy as np

from ..metrics._inputs import check_finite_real, check_positive_int
from .fragments import GlobalSwapFragment, LocalFieldFragment
from .operators import cell_energy_operator
from .program import ChargingProgram, ExactReference, InitialState, TrotterEvolution
from .states import basis_state_circuit
from .trotter import ProductFormula

__all__ = ["parallel_charging", "global_charging"]


def _closed_form(n: int, omega_0: float, rate: float, label: str):
    def reference(times: np.ndarray) -> ExactReference:
        return ExactReference(times, n * omega_0 * np.sin(rate * times) ** 2, f"closed form N ω_0 sin²({label} t)")
    return reference


def _check_alpha(alpha) -> complex:
    a = complex(alpha)
    check_finite_real(a.real, "alpha")
    check_finite_real(a.imag, "alpha")
    return a


def _cell_program(name: str, n: int, fragment, omega_0: float, rate: float, rate_label: str,
                  metadata: dict) -> ChargingProgram:
    """One exact fragment on ``n`` cells from |G⟩, ``H_B = ω_0 Σ(1 − Z_i)/2``, closed-form reference."""
    return ChargingProgram(
        name=name, num_qubits=n, battery_qubits=range(n),
        battery_hamiltonian=cell_energy_operator(range(n), n, omega_0),
        evolution=TrotterEvolution(ProductFormula([fragment], order=1), steps=1),
        initial_states=[InitialState(basis_state_circuit(n, []))],
        reference=_closed_form(n, omega_0, rate, rate_label), metadata=metadata)


def parallel_charging(n_cells: int, alpha: complex = 1.0, omega_0: float = 1.0) -> ChargingProgram:
    """Local charging of ``n_cells`` cells by ``α σ^+ + h.c.`` each (review Eq. 16)."""
    n = check_positive_int(n_cells, "n_cells")
    a = _check_alpha(alpha)
    w0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
    frag = LocalFieldFragment(list(range(n)), (a.real, a.imag, 0.0), n)
    return _cell_program("parallel", n, frag, w0, abs(a), "|α|",
                         {"n_cells": n, "alpha": [a.real, a.imag], "omega_0": w0, "equation": "review Eq. 16"})


def global_charging(n_cells: int, alpha_n: complex = 1.0, omega_0: float = 1.0) -> ChargingProgram:
    """Global charging ``α_N|E⟩⟨G| + h.c.`` of ``n_cells`` cells (review Eq. 17)."""
    n = check_positive_int(n_cells, "n_cells")
    a = _check_alpha(alpha_n)
    w0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
    frag = GlobalSwapFragment(list(range(n)), a, n)
    return _cell_program("global", n, frag, w0, abs(a), "|α_N|",
                         {"n_cells": n, "alpha_n": [a.real, a.imag], "omega_0": w0, "equation": "review Eq. 17"})
