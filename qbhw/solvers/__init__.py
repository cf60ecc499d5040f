"""Time evolution of battery models (closed, GKSL, permutational) and the ``charge`` entry point."""

from .charge import charge, check_truncation
from .closed import evolve, propagate
from .cavity import charge_cavity, find_charging_time  # registers the cavity solver with charge()
from .direct import charge_direct  # registers the direct-charging qubit solver (spin chain, MBL, QSL)
from .syk import charge_syk  # registers the fermion-number-sector SYK solver
from .star import charge_star, star_polarization  # registers the collective-spin-sector star solver
from .star import star_high_temperature_frequencies, star_rabi_blocks
from .ising import charge_ising, ising_work_grid  # registers the transverse-field Ising solver
from .gaussian import charge_gaussian, gaussian_state  # registers the covariance-matrix Gaussian solver
from .disorder import disorder_average
from .advantage import advantage
from .lindblad import evolve_lindblad, liouvillian
from .open import charge_open
from .collisions import charge_collisions  # registers the repeated-collision solver (CollisionBattery)
from .measurement import charge_measured, run_measurement_protocol  # registers the MeasuredBattery solver
from .permutational import (  # registers the permutational solver (OpenDickeBattery)
    PermutationalDicke, PermutationalResult, PermutationalState, NotBlockDiagonalError, charge_permutational,
    dicke_degeneracy, dicke_j_values, dicke_operators, dicke_state, num_dicke_states, permutational_ergotropy)
from .feedback import charge_feedback, charge_feedback_trajectories, feedback_trajectories  # feedback solvers

__all__ = ["charge", "check_truncation", "evolve", "propagate", "charge_cavity", "find_charging_time",
           "charge_direct", "charge_syk", "charge_star", "star_polarization", "star_rabi_blocks",
           "star_high_temperature_frequencies", "charge_ising", "ising_work_grid", "charge_gaussian",
           "gaussian_state", "disorder_average", "advantage",
           "evolve_lindblad", "liouvillian", "charge_open",
           "charge_collisions",
           "charge_measured", "run_measurement_protocol",
           "charge_feedback", "charge_feedback_trajectories", "feedback_trajectories",
           "PermutationalDicke", "PermutationalResult", "PermutationalState", "NotBlockDiagonalError",
           "charge_permutational", "dicke_degeneracy", "dicke_j_values", "dicke_operators", "dicke_state",
           "num_dicke_states", "permutational_ergotropy"]
