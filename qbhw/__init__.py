"""qbhw — a toolkit for quantum-battery experiments.

Layers (one direction of import): metrics ← models ← solvers ← compile ← backends ← protocols ← CLI;
devices and pulse sit beside models; fit uses metrics, models and solvers. Experiments are protocols
(:mod:`qbhw.protocols`: parameters → acquire → analyse → plot). Conventions (ħ = 1, |0⟩ = |g⟩ so the review's σ^z is −Z,
W = E(t) − E(0), charging times τ̃ / τ̄) are documented in :mod:`qbhw.conventions`.
"""

from . import errors, metrics
from .errors import QbhwError
from .solvers import charge

__version__ = "0.1.0"

__all__ = ["charge", "QbhwError", "errors", "metrics", "__version__"]
