"""Cavity-charged batteries on qubits: Dicke, Tavis–Cummings and Rabi (review Eqs. 28–33; seed-spec §2.2, §2.8).

Register: cells ``0…N−1`` (|0⟩ = |g⟩), then the cavity mode binary-encoded on
``m = ceil(log2(cutoff + 1))`` qubits ``N…N+m−1`` (:class:`~qbhw.compile.operators.FockRegister`:
photon number n ↔ n in binary, little-endian; codes above the cut-off are decoupled).

Generators (ħ = 1, review Eq. 30 splitting convention, errata E3):

* Dicke  ``H = ω_c a†a + ω_0 Σ_i |e⟩⟨e|_i + g Σ_i σ_i^x (a + a†)``;
* Tavis–Cummings ``H_1 = g Σ_i (σ_i^+ a + σ_i^− a†) = (g/2) Σ_i [X_i ⊗ (a + a†) + Y_i ⊗ i(a† − a)]``
  (σ^+ = (X − iY)/2 with |e⟩ = |1⟩);
* Rabi = Dicke with one cell (the parallel reference, Eq. 33).

Trotter fragments: the diagonal free part (Z strings) and the coupling
``Σ_i X_i ⊗ (a + a†)`` — whose terms commute for different cells, so it is exponentiated exactly
by rotating the cells with H and the mode into the eigenbasis of ``a + a†`` (a ``UnitaryGate``)
— plus, for Tavis–Cummings, ``Σ_i Y_i ⊗ i(a† − a)``. Initial state ``|n⟩ ⊗ |G⟩`` (Eq. 32).

Exact reference: the model of :mod:`qbhw.models` with the *same* cut-off (``DickeBattery``,
``TavisCummingsBattery``, ``RabiBattery``; symmetry-reduced) through :func:`qbhw.charge`.
The truncation itself is reported (population of the top kept Fock level along the exact
encoded evolution) and checked with ``on_truncation`` like the models do.
"""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from ..errors import ConfigError, InvalidArgumentError
from ..metrics._inputs import check_finite_real, check_positive_int
from .fragments import CommutingPauliFragment, DiagonalizedFragment
from .operators import FockRegister, cell_energy_operator
from .program import ChargingProgram, ExactReference, InitialState, TrotterEvolution
from .states import basis_state_circuit
from .trotter import ProductFormula

__all__ = ["dicke_charging", "tavis_cummings_charging", "rabi_charging", "default_cutoff"]


def default_cutoff(photons: int, n_cells: int) -> int:
    """Smallest ``2^m − 1 ≥ photons + n_cells`` (a full binary register; check convergence)."""
    need = int(photons) + int(n_cells)
    return 2 ** FockRegister.qubits_needed(need) - 1


def _cavity_program(kind: str, n_cells: int, coupling: float, omega_c: float, omega_0: float, photons,
                    cutoff, order: int, max_step, steps, on_truncation: str, truncation_threshold: float):
    n = check_positive_int(n_cells, "n_cells")
    g = check_finite_real(coupling, "coupling", minimum=0.0)
    wc = check_finite_real(omega_c, "omega_c", minimum=0.0)
    w0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
    nph = n if photons is None else int(photons)
    if nph < 0:
        raise InvalidArgumentError(f"got {photons!r}", argument="photons", allowed="an integer >= 0")
    cut = default_cutoff(nph, n) if cutoff is None else check_positive_int(cutoff, "cutoff")
    if cut < nph:
        raise InvalidArgumentError(f"cut-off {cut} below the initial photon number {nph}", argument="cutoff",
                                   allowed=f"cutoff >= photons = {nph}")
    if on_truncation not in ("raise", "warn", "ignore"):
        raise ConfigError(f"got {on_truncation!r}", argument="on_truncation", allowed="'raise' | 'warn' | 'ignore'")
    m = FockRegister.qubits_needed(cut)
    nq = n + m
    cells = list(range(n))
    mode = FockRegister(cut, tuple(range(n, nq)))
    free = (mode.number_operator(nq, wc) + cell_energy_operator(cells, nq, w0)).simplify(atol=1e-14)
    fragments = [CommutingPauliFragment(free, label="free")]
    if kind in ("dicke", "rabi"):
        fragments.append(DiagonalizedFragment(cells, [g] * n, "X", list(mode.qubits), mode.quadrature_x(), nq))
    else:
        fragments.append(DiagonalizedFragment(cells, [g / 2] * n, "X", list(mode.qubits), mode.quadrature_x(), nq))
        fragments.append(DiagonalizedFragment(cells, [g / 2] * n, "Y", list(mode.qubits), mode.quadrature_p(), nq))
    evolution = TrotterEvolution(ProductFormula(fragments, order=order), max_step=max_step, steps=steps)
    prep = basis_state_circuit(nq, mode.basis_bits(nph))
    top = np.zeros(mode.size)
    top[cut] = 1.0
    top_level = SparsePauliOp.from_operator(np.diag(top)).apply_layout(list(mode.qubits), nq)

    def reference(times: np.ndarray) -> ExactReference:
        from ..models import DickeBattery, RabiBattery, TavisCummingsBattery
        from ..solvers import charge

        if kind == "dicke":
            model = DickeBattery(n, g, omega_c=wc, omega_0=w0, photons=nph, cutoff=cut)
        elif kind == "rabi":
            model = RabiBattery(g, omega_c=wc, omega_0=w0, photons=nph, cutoff=cut)
        else:
            model = TavisCummingsBattery(n, g, omega_c=wc, omega_0=w0, photons=nph, cutoff=cut)
        curve = charge(model, times, ergotropy=True, on_truncation=on_truncation,
                       truncation_threshold=truncation_threshold)
        return ExactReference(times, curve.energy, f"{type(model).__name__} (cutoff {cut}) via qbhw.charge",
                              ergotropy=curve.ergotropy)

    return ChargingProgram(
        name=kind, num_qubits=nq, battery_qubits=cells, battery_hamiltonian=cell_energy_operator(cells, n, w0),
        evolution=evolution, initial_states=[InitialState(prep, 1.0, f"|{nph}> x |G>")],
        observables={"top_fock_population": top_level}, reference=reference,
        metadata={"n_cells": n, "coupling": g, "omega_c": wc, "omega_0": w0, "photons": nph, "cutoff": cut,
                  "mode_qubits": list(mode.qubits), "encoding": "binary Fock, little-endian",
                  "rwa": kind == "tavis_cummings"})


def dicke_charging(n_cells: int, coupling: float, omega_c: float = 1.0, omega_0: float = 1.0, photons=None,
                   cutoff=None, *, order: int = 2, max_step: float | None = 0.05, steps: int | None = None,
                   on_truncation: str = "warn", truncation_threshold: float = 1e-6) -> ChargingProgram:
    """Dicke battery (Ferraro 2018, review Eqs. 28–32) with the cavity in qubits, Trotterised."""
    return _cavity_program("dicke", n_cells, coupling, omega_c, omega_0, photons, cutoff, order, max_step, steps,
                           on_truncation, truncation_threshold)


def tavis_cummings_charging(n_cells: int, coupling: float, omega_c: float = 1.0, omega_0: float = 1.0,
                            photons=None, cutoff=None, *, order: int = 2, max_step: float | None = 0.05,
                            steps: int | None = None, on_truncation: str = "warn",
                            truncation_threshold: float = 1e-6) -> ChargingProgram:
    """Tavis–Cummings battery (RWA Dicke, seed-spec §2.8) with the cavity in qubits, Trotterised."""
    return _cavity_program("tavis_cummings", n_cells, coupling, omega_c, omega_0, photons, cutoff, order, max_step,
                           steps, on_truncation, truncation_threshold)


def rabi_charging(coupling: float, omega_c: float = 1.0, omega_0: float = 1.0, photons: int = 1, cutoff=None, *,
                  order: int = 2, max_step: float | None = 0.05, steps: int | None = None,
                  on_truncation: str = "warn", truncation_threshold: float = 1e-6) -> ChargingProgram:
    """Single-cell Rabi battery (review Eq. 33), the parallel reference of the Dicke battery."""
    return _cavity_program("rabi", 1, coupling, omega_c, omega_0, photons, cutoff, order, max_step, steps,
                           on_truncation, truncation_threshold)
