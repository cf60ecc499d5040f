"""Compile battery charging protocols to Qiskit circuits, each with its Trotter-error report.

Conventions (:mod:`qbhw.conventions`): |0⟩ = |g⟩, the review's σ^z = −Z, little-endian registers,
``H_B`` with ground energy 0. Every builder returns a :class:`ChargingProgram` whose
``trotter_report(times)`` compares the compiled circuits with the exact solver and gives a
rigorous commutator bound; ``qbhw.backends`` runs programs on exact/Aer/fake/IBM backends.

One battery object through every stage: :func:`compile_model` dispatches on the model type
(cavity, star, transverse-field Ising and direct-charging qubit models); the scalar builders
(:func:`dicke_charging`, :func:`star_charging`, :func:`tfim_charging`, …) build the model and call it.
"""

from .dispatch import compile_model, supported_models
from .cavity import dicke_charging, rabi_charging, tavis_cummings_charging
from .drive import ENVELOPES, DriveEvolution, drive_envelope, single_qubit_drive
from .fragments import (CommutingPauliFragment, DiagonalizedFragment, ExchangeFragment, Fragment,
                        GlobalSwapFragment, LocalFieldFragment)
from .heron import RZZ_MAX_ANGLE, check_fractional, fractional_backend, to_fractional_gates
from .local_global import global_charging, parallel_charging
from .measurement import (MeasurementPlan, add_measurement, plan_measurements, population_lower_bound,
                          project_to_physical, tomography_settings, tomography_state)
from .operators import FockRegister, cell_energy_operator, diagonal_to_pauli
from .program import ChargingProgram, ExactReference, InitialState, TrotterEvolution, TrotterReport
from .qubit_models import direct_charging, pauli_fragments, tfim_charging
from .star import star_charging
from .states import basis_state_circuit, excited_population, state_vector_circuit, thermal_ensemble
from .trotter import ProductFormula, steps_for

__all__ = [
    "compile_model", "supported_models",
    "ChargingProgram", "ExactReference", "InitialState", "TrotterEvolution", "TrotterReport", "ProductFormula",
    "steps_for",
    "Fragment", "CommutingPauliFragment", "ExchangeFragment", "DiagonalizedFragment", "LocalFieldFragment",
    "GlobalSwapFragment",
    "parallel_charging", "global_charging", "star_charging", "dicke_charging", "tavis_cummings_charging",
    "rabi_charging", "direct_charging", "tfim_charging", "pauli_fragments", "single_qubit_drive",
    "drive_envelope", "DriveEvolution", "ENVELOPES",
    "FockRegister", "cell_energy_operator", "diagonal_to_pauli",
    "basis_state_circuit", "state_vector_circuit", "excited_population", "thermal_ensemble",
    "MeasurementPlan", "plan_measurements", "add_measurement", "population_lower_bound", "tomography_settings",
    "tomography_state", "project_to_physical",
    "fractional_backend", "to_fractional_gates", "check_fractional", "RZZ_MAX_ANGLE",
]
