"""Rabi amplitude calibration of the 0→1 π pulse (a calibration routine; qibocal's ``rabi_amplitude``,
qiskit-experiments' ``Rabi``).

A Gaussian of fixed shape on the pump channel ``d0`` (carrier ν) is played from |0⟩ with amplitudes ``a`` from 0 to
``max_rotation`` times the current π estimate, and the qubit is read out. In the rotating frame a resonant pulse
of area ``θ = 2π ∫ s dt`` rotates the 0–1 transition by θ, so the excited population is, to first approximation,

    P(a) = offset + contrast · [1 − cos(π a / a_π)] / 2,

with ``offset`` and ``contrast`` absorbing readout errors (the standard experiment of Krantz et al., Appl. Phys.
Rev. 6, 021318 (2019), Sec. V.B). Transmon physics (review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024),
Sec. VI.A; Koch et al., Phys. Rev. A 76, 042319 (2007)): the 1–2 transition, α away, shifts the 0–1 line during
the pulse (AC Stark) and dresses level 1, so the rotation is not quite linear in ``a``; the final fit uses the
exact transfer of the transition with these second-order corrections (:mod:`qbhw.protocols._rabi`), which removes
a bias of the plain cosine of about one standard error. The fitted ``a_π`` — the amplitude of the maximum, with
its 95 % interval (:func:`qbhw.fit.fit_curve`) — is the record's ``pi_amp_01_ghz``; the pulse shape goes with it
as its settings. The phase error the Stark shift leaves at the π amplitude is what the ``drag`` routine removes.

Shared implementation with ``rabi_12``: :mod:`qbhw.protocols._rabi`. Procedure: **parameters** →
**acquisition** (``exact``/``pulse`` or a simulated device; finite, seeded shots) → **analysis** (fit, record
value) → **plot**. Units: ns, GHz.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from ._calibration import CALIBRATION_BACKENDS
from ._rabi import (RabiParameters, RabiResults, acquire_rabi, analyse_rabi, plot_rabi,
                    rabi_excited_population)
from .base import Data

__all__ = ["NAME", "BACKENDS", "TRANSITION", "Parameters", "Results", "acquire", "analyse", "plot",
           "rabi_excited_population"]

NAME = "rabi_01"
BACKENDS = CALIBRATION_BACKENDS
TRANSITION = "01"


@dataclass(frozen=True, kw_only=True)
class Parameters(RabiParameters):
    """``sigma_ns``, ``duration_ns``: the Gaussian π pulse's width and window (rounded up to the device grid);
    ``max_rotation``: the largest amplitude as a multiple of the current π estimate (the record's, else the
    rotating-wave estimate); ``num_amplitudes``: points of the sweep."""


@dataclass(kw_only=True)
class Results(RabiResults):
    """``pi_amp_ghz`` and ``pi_amp_ghz_ci95``: the π amplitude (GHz) and its 95 % interval; ``contrast``: the
    fitted readout contrast."""


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Sweep the amplitude of the Gaussian on ``d0`` from |0⟩ and read out (see the module docstring)."""
    return acquire_rabi(NAME, TRANSITION, parameters, backend)


def analyse(data: Data) -> Results:
    """Fit the Rabi oscillation of ``P(read ≠ 0)``; the π amplitude goes to the record as ``pi_amp_01_ghz``."""
    return analyse_rabi(NAME, TRANSITION, data, Results)


def plot(data: Data, results: Results) -> Figure:
    """Excited population against amplitude, the fitted oscillation and the π amplitude."""
    return plot_rabi(TRANSITION, data, results)
