"""qbhw — a toolkit for quantum-battery experiments.

Layers (one direction of import): metrics ← models ← solvers ← compile ← backends ← protocols ← run store
(:mod:`qbhw.results`, :mod:`qbhw.runs`) ← CLI; devices and pulse sit beside models; fit uses metrics, models
and solvers. Experiments are protocols (:mod:`qbhw.protocols`: parameters → acquire → analyse → plot);
:func:`run` sweeps one over a grid of parameters into a resumable run directory, :func:`resume` finishes
it after any interruption and :func:`load_run` reads it back. Conventions (ħ = 1, |0⟩ = |g⟩ so the review's
σ^z is −Z, W = E(t) − E(0), charging times τ̃ / τ̄) are documented in :mod:`qbhw.conventions`.
"""

from . import errors, metrics
from .errors import QbhwError
from .solvers import charge

__version__ = "0.1.0"

__all__ = ["charge", "run", "resume", "load_run", "QbhwError", "errors", "metrics", "__version__"]


def __getattr__(name):
    # the run store imports qiskit and the protocols: loaded on first use, so `import qbhw` stays light
    if name in ("run", "resume", "load_run"):
        from . import runs

        return getattr(runs, name)
    raise AttributeError(f"module 'qbhw' has no attribute {name!r}")
