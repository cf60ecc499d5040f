"""Time evolution of battery models (closed now) and the ``charge`` entry point."""

from .charge import charge, check_truncation
from .closed import evolve, propagate

__all__ = ["charge", "check_truncation", "evolve", "propagate"]
