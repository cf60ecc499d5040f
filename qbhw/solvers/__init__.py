"""Time evolution of battery models (closed now) and the ``charge`` entry point."""

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

__all__ = ["charge", "check_truncation", "evolve", "propagate", "charge_cavity", "find_charging_time",
           "charge_direct", "charge_syk", "charge_star", "star_polarization", "star_rabi_blocks",
           "star_high_temperature_frequencies", "charge_ising", "ising_work_grid", "charge_gaussian",
           "gaussian_state", "disorder_average", "advantage"]
