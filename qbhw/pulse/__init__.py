"""qbhw.pulse — pulse-schedule IR, device descriptions and the pulse-level solver.

Units: ns and GHz (cyclic; 2π is applied internally), ħ = 1. Imports nothing from qbhw except
``qbhw.metrics`` and ``qbhw.errors`` (design.md import rule).
"""

from ._errors import (AmplitudeLimitError, CrossCheckUnavailableError, NegativeDurationError, NonFiniteSamplesError,
                      OffGridError, RWACutoffError, UnknownChannelError)
from .device import BACKENDS_DIR, ChannelSpec, Device, ResonatorSpec, list_devices, load_device
from .model import PulseModel, lowering, number, transmon_model
from .problem import (LinearProblem, commutator_superoperator, compile_problem, dissipator_superoperator,
                      lindblad_superoperator)
from .schedule import (Delay, Play, PulseSignals, Schedule, SetFrequency, SetPhase, ShiftFrequency, ShiftPhase,
                       align_left, align_right, align_sequential, build_signals)
from .solver import PulseResult, simulate, simulate_sweep
from .evolution import FreeEvolution, PulseMap, free_evolution
from .drives import QuasiperiodicDrive
from .waveforms import (Constant, Drag, FlatTop, Gaussian, GaussianSquare, Samples, SinSquared, StirapPair,
                        StirapRamp, Waveform, santos_f, waveform_from_dict)

__all__ = [
    "AmplitudeLimitError", "CrossCheckUnavailableError", "NegativeDurationError", "NonFiniteSamplesError",
    "OffGridError", "RWACutoffError", "UnknownChannelError",
    "BACKENDS_DIR", "ChannelSpec", "Device", "ResonatorSpec", "list_devices", "load_device",
    "PulseModel", "lowering", "number", "transmon_model",
    "LinearProblem", "compile_problem",
    "commutator_superoperator", "dissipator_superoperator", "lindblad_superoperator",
    "FreeEvolution", "free_evolution", "PulseMap", "QuasiperiodicDrive",
    "Delay", "Play", "PulseSignals", "Schedule", "SetFrequency", "SetPhase", "ShiftFrequency", "ShiftPhase",
    "align_left", "align_right", "align_sequential", "build_signals",
    "PulseResult", "simulate", "simulate_sweep",
    "Constant", "Drag", "FlatTop", "Gaussian", "GaussianSquare", "Samples", "SinSquared", "StirapPair", "StirapRamp",
    "Waveform", "santos_f", "waveform_from_dict",
]
