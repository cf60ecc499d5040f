"""Backends: run compiled charging programs and get charging curves back (one interface).

``get_backend("exact" | "pulse" | "aer" | "aer:density_matrix" | "fake:<name>" | "ibm:<name>")``
returns an object with ``run(program, times, *, shots, tomography, seed, results_dir)`` that
gives a :class:`qbhw.metrics.ChargingCurve`. Hardware runs record their job ids in the results
directory at submission (:mod:`qbhw.backends.jobs`); :func:`qbhw.resume` finishes an interrupted run
(``qbhw.backends.resume`` is kept as an alias of it).
"""

from .accounts import MISSING_ACCOUNT_HELP, has_saved_account, load_runtime_service
from .aer import AER_METHODS, AerBackend
from .base import Backend, check_program, read_curve, write_curve
from .device_models import noise_model, target
from .devices import fake_device, fake_device_names, final_layout, transpile_for_device
from .exact import ExactBackend
from .execution import (
    ExecutionPlan,
    build_plan,
    curve_from_results,
    curve_from_states,
    measured_circuits,
)
from .pulse import PulseBackend, pulse_available, sample_populations
from .registry import BACKEND_KINDS, backend_option_names, get_backend, run
from .runtime import (
    DEFAULT_SHOTS,
    FakeBackend,
    IBMQuantumBackend,
    JobStore,
    RuntimeBackend,
    resume_jobs,
)

__all__ = [
    "Backend", "get_backend", "backend_option_names", "run", "resume", "resume_jobs", "BACKEND_KINDS",
    "ExactBackend", "PulseBackend", "AerBackend", "RuntimeBackend", "FakeBackend", "IBMQuantumBackend",
    "AER_METHODS", "DEFAULT_SHOTS", "JobStore", "ExecutionPlan", "build_plan", "measured_circuits",
    "curve_from_results", "curve_from_states", "check_program", "read_curve", "write_curve",
    "fake_device", "fake_device_names", "transpile_for_device", "final_layout",
    "load_runtime_service", "has_saved_account", "MISSING_ACCOUNT_HELP", "pulse_available", "sample_populations",
    "noise_model", "target",
]


def __getattr__(name):
    # ``qbhw.backends.resume`` — the former name of :func:`qbhw.resume`, which now also finishes protocol
    # runs — resolved on use: the run store sits above the backends and is not imported by them.
    if name == "resume":
        from ..runs import resume

        return resume
    raise AttributeError(f"module 'qbhw.backends' has no attribute {name!r}")
