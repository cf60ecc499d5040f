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

Every builder goes through :func:`~qbhw.compile.dispatch.compile_model`, registered here for
``CavityBattery`` and its subclasses ``DickeBattery``, ``TavisCummingsBattery`` and ``RabiBattery``:
the scalar builders (:func:`dicke_charging`, …) build the model and compile it. The coupling is the
model's effective one (``coupling_scaling`` ``"fixed"``, ``"1/sqrtN"`` or ``"1/N"``); a model with
``rwa=True`` compiles to the Tavis–Cummings circuits. Not representable (``ConfigError`` naming the
argument): a coherent charger (``charger``), the two-photon coupling (``photon_order``), the
extended-Dicke term (``atom_interaction``) and a photon window not starting at 0 (``min_photons``).

Exact reference: ``qbhw.charge(model, times)`` of the *same* model with the *same* cut-off (for
``cutoff=None`` the compiler takes the binary-register cut-off :func:`default_cutoff` and the
reference uses the model with that cut-off). The truncation itself is reported (population of the
top kept Fock level along the exact encoded evolution) and checked with ``on_truncation`` like the
models do.
"""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from ..errors import ConfigError, InvalidArgumentError
from ..metrics import check_times
from ..metrics._inputs import check_finite_real, check_positive_int
from ..models.cavity import CavityBattery, DickeBattery, RabiBattery, TavisCummingsBattery
from ..solvers import charge
from .dispatch import check_compile_options, compile_model
from .fragments import CommutingPauliFragment, DiagonalizedFragment
from .operators import FockRegister, cell_energy_operator
from .program import ChargingProgram, ExactReference, InitialState, TrotterEvolution
from .states import basis_state_circuit
from .trotter import ProductFormula

__all__ = ["dicke_charging", "tavis_cummings_charging", "rabi_charging", "default_cutoff", "compile_cavity"]

CAVITY_OPTIONS = ("order", "max_step", "steps", "on_truncation", "truncation_threshold", "times")
#: largest photon register the automatic cut-off grows to (6 qubits: photon numbers 0 … 63)
MAX_AUTO_MODE_QUBITS = 6


def converged_cutoff(model: CavityBattery, times, *, truncation_threshold: float = 1e-6) -> int:
    """The smallest full binary register cut-off ``2^m − 1`` (at least :func:`default_cutoff`) at which the
    exact solution over ``times`` keeps the population of the top Fock level at or below
    ``truncation_threshold`` (checked with :func:`qbhw.charge` of the model with that cut-off).

    Raises :class:`~qbhw.errors.TruncationError` when even ``2^MAX_AUTO_MODE_QUBITS − 1`` photons do not
    converge (the charging window is too long or the coupling too strong for a qubit-encoded cavity).
    """
    from ..errors import TruncationError

    m = FockRegister.qubits_needed(default_cutoff(int(model.photons), model.n_cells))
    worst = None
    while m <= MAX_AUTO_MODE_QUBITS:
        cut = 2**m - 1
        curve = charge(model.with_cutoff(cut), times, ergotropy=False, on_truncation="ignore")
        worst = curve.metadata.get("max_cutoff_population")
        if worst is None or worst <= truncation_threshold:
            return cut
        m += 1
    raise TruncationError(f"population {worst:.3g} at {2**MAX_AUTO_MODE_QUBITS - 1} photons over the charging window",
                          argument="cutoff", allowed=f"a window/coupling that converges within "
                                                     f"{MAX_AUTO_MODE_QUBITS} mode qubits")


def default_cutoff(photons: int, n_cells: int) -> int:
    """Smallest ``2^m − 1 ≥ photons + n_cells`` (a full binary register; check convergence)."""
    need = int(photons) + int(n_cells)
    return 2 ** FockRegister.qubits_needed(need) - 1


def _check_representable(model: CavityBattery) -> None:
    if model.charger != "fock":
        raise ConfigError("the circuits prepare a Fock state of the cavity", argument="charger",
                          allowed="'fock'")
    if model.photon_order != 1:
        raise ConfigError("the circuits encode the dipole coupling σ^x(a + a†) only", argument="photon_order",
                          allowed="1")
    if model.atom_interaction != 0:
        raise ConfigError("the extended-Dicke term (U/N)(J^z)² is not compiled", argument="atom_interaction",
                          allowed="0")
    if model.min_photons != 0:
        raise ConfigError("the binary register keeps the photon numbers 0 … cutoff", argument="min_photons",
                          allowed="0")


def compile_cavity(model: CavityBattery, *, order: int = 2, max_step: float | None = 0.05, steps: int | None = None,
                   on_truncation: str = "warn", truncation_threshold: float = 1e-6, times=None,
                   **unknown) -> ChargingProgram:
    """Compile a cavity battery (module docstring); what :func:`compile_model` runs for cavity models.

    ``times``: the charging times the program will run at. For a model with ``cutoff=None`` they make the
    cut-off converge (:func:`converged_cutoff`: the smallest full binary register whose top Fock level
    stays below ``truncation_threshold`` over these times); without them the cut-off is
    :func:`default_cutoff` (``photons + N`` rounded up to a full register), whose truncation is checked
    (``on_truncation``) when the reference is evaluated.
    """
    check_compile_options(model, unknown, CAVITY_OPTIONS)
    _check_representable(model)
    if on_truncation not in ("raise", "warn", "ignore"):
        raise ConfigError(f"got {on_truncation!r}", argument="on_truncation", allowed="'raise' | 'warn' | 'ignore'")
    n = model.n_cells
    nph = int(model.photons)
    if model.cutoff is None:
        if times is None:
            model = model.with_cutoff(default_cutoff(nph, n))
        else:
            model = model.with_cutoff(converged_cutoff(model, check_times(times),
                                                       truncation_threshold=truncation_threshold))
    cut = model.cutoff
    g = model.effective_coupling
    wc, w0 = model.omega_c, model.omega_0
    kind = "rabi" if isinstance(model, RabiBattery) else ("tavis_cummings" if model.rwa else "dicke")
    m = FockRegister.qubits_needed(cut)
    nq = n + m
    cells = list(range(n))
    mode = FockRegister(cut, tuple(range(n, nq)))
    free = (mode.number_operator(nq, wc) + cell_energy_operator(cells, nq, w0)).simplify(atol=1e-14)
    fragments = [CommutingPauliFragment(free, label="free")]
    if not model.rwa:
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
        curve = charge(model, times, ergotropy=True, on_truncation=on_truncation,
                       truncation_threshold=truncation_threshold)
        return ExactReference(times, curve.energy, f"{type(model).__name__} (cutoff {cut}) via qbhw.charge",
                              ergotropy=curve.ergotropy)

    return ChargingProgram(
        name=kind, num_qubits=nq, battery_qubits=cells, battery_hamiltonian=cell_energy_operator(cells, n, w0),
        evolution=evolution, initial_states=[InitialState(prep, 1.0, f"|{nph}> x |G>")],
        observables={"top_fock_population": top_level}, reference=reference, model=model,
        metadata={"n_cells": n, "coupling": model.coupling, "effective_coupling": g,
                  "coupling_scaling": model.coupling_scaling, "omega_c": wc, "omega_0": w0, "photons": nph,
                  "cutoff": cut, "mode_qubits": list(mode.qubits), "encoding": "binary Fock, little-endian",
                  "rwa": model.rwa})


for _cls in (CavityBattery, DickeBattery, TavisCummingsBattery, RabiBattery):
    compile_model.register(_cls, compile_cavity)


def _checked_scalars(n_cells, coupling, omega_c, omega_0, photons, cutoff):
    """The builders' argument checks (kept so that their errors are unchanged)."""
    n = check_positive_int(n_cells, "n_cells")
    g = check_finite_real(coupling, "coupling", minimum=0.0)
    wc = check_finite_real(omega_c, "omega_c", minimum=0.0)
    w0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
    nph = n if photons is None else int(photons)
    if nph < 0:
        raise InvalidArgumentError(f"got {photons!r}", argument="photons", allowed="an integer >= 0")
    cut = None if cutoff is None else check_positive_int(cutoff, "cutoff")
    if cut is not None and cut < nph:
        raise InvalidArgumentError(f"cut-off {cut} below the initial photon number {nph}", argument="cutoff",
                                   allowed=f"cutoff >= photons = {nph}")
    return n, g, wc, w0, nph, cut


def dicke_charging(n_cells: int, coupling: float, omega_c: float = 1.0, omega_0: float = 1.0, photons=None,
                   cutoff=None, *, order: int = 2, max_step: float | None = 0.05, steps: int | None = None,
                   on_truncation: str = "warn", truncation_threshold: float = 1e-6) -> ChargingProgram:
    """Dicke battery (Ferraro et al., PRL 120, 117702, 2018; review Eqs. 28–32) with the cavity in qubits,
    Trotterised: ``compile_model(DickeBattery(n_cells, coupling, omega_c, omega_0, photons, cutoff))``."""
    n, g, wc, w0, nph, cut = _checked_scalars(n_cells, coupling, omega_c, omega_0, photons, cutoff)
    return compile_model(DickeBattery(n, g, wc, w0, nph, cut), order=order, max_step=max_step, steps=steps,
                         on_truncation=on_truncation, truncation_threshold=truncation_threshold)


def tavis_cummings_charging(n_cells: int, coupling: float, omega_c: float = 1.0, omega_0: float = 1.0,
                            photons=None, cutoff=None, *, order: int = 2, max_step: float | None = 0.05,
                            steps: int | None = None, on_truncation: str = "warn",
                            truncation_threshold: float = 1e-6) -> ChargingProgram:
    """Tavis–Cummings battery (the rotating-wave Dicke battery) with the cavity in qubits, Trotterised:
    ``compile_model(TavisCummingsBattery(n_cells, coupling, omega_c, omega_0, photons, cutoff))``."""
    n, g, wc, w0, nph, cut = _checked_scalars(n_cells, coupling, omega_c, omega_0, photons, cutoff)
    return compile_model(TavisCummingsBattery(n, g, wc, w0, nph, cut), order=order, max_step=max_step, steps=steps,
                         on_truncation=on_truncation, truncation_threshold=truncation_threshold)


def rabi_charging(coupling: float, omega_c: float = 1.0, omega_0: float = 1.0, photons: int = 1, cutoff=None, *,
                  order: int = 2, max_step: float | None = 0.05, steps: int | None = None,
                  on_truncation: str = "warn", truncation_threshold: float = 1e-6) -> ChargingProgram:
    """Single-cell Rabi battery (review Eq. 33), the parallel reference of the Dicke battery:
    ``compile_model(RabiBattery(coupling, omega_c, omega_0, photons, cutoff))``."""
    _, g, wc, w0, nph, cut = _checked_scalars(1, coupling, omega_c, omega_0, photons, cutoff)
    return compile_model(RabiBattery(g, wc, w0, nph, cut), order=order, max_step=max_step, steps=steps,
                         on_truncation=on_truncation, truncation_threshold=truncation_threshold)
