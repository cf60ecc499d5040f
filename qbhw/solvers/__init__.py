"""Time evolution of battery models (closed now) and the ``charge`` entry point."""

from .charge import charge, check_truncation
from .closed import evolve, propagate
from .cavity import charge_cavity, find_charging_time  # registers the cavity solver with charge()
from .advantage import advantage

__all__ = ["charge", "check_truncation", "evolve", "propagate", "charge_cavity", "find_charging_time",
           "advantage"]
