"""Rabi amplitude calibration of the 1→2 π pulse (a calibration routine; qibocal's ``rabi_amplitude`` on the
1–2 transition, qiskit-experiments' ``EFRabi``).

The transmon is prepared in |1⟩ with the calibrated 0→1 π pulse (the record's ``pi_amp_01_ghz``, with DRAG once
``drag_beta_ns`` is calibrated). A Gaussian of fixed shape on the Stokes channel ``d1`` (carrier ν + α of the
description — the calibrated 1–2 frequency once ``ef_spectroscopy`` has run) is then played with amplitudes ``a``
from 0 to ``max_rotation`` times the current π estimate, and the level is read out. A resonant pulse of area
``θ = 2π √2 ∫ s dt`` (``√2``: the 1–2 matrix element of ``b + b†``) rotates the 1–2 transition by θ, so

    P(read 2)(a) = offset + contrast · [1 − cos(π a / a_π)] / 2,

with ``offset`` and ``contrast`` absorbing readout errors and the imperfect preparation, to first approximation.
The final fit (:mod:`qbhw.protocols._rabi`) uses the exact transfer of the 1–2 transition with the AC Stark shift
and dressing of level 1 by level 0 (``|α|`` away) and with the small coherent |2⟩ amplitude the short 0→1 π pulse
leaks into the prepared state (``leak``), which interferes with the transfer and moves the maximum by up to
≈ 0.5 %. The fitted ``a_π`` — the amplitude that maximises P(|2⟩) after this preparation, the π pulse that
``prepare(device, 2)`` plays — with its 95 % interval (:func:`qbhw.fit.fit_curve`) is the record's
``pi_amp_12_ghz``; the pulse shape goes with it as its settings. Transmon physics: review Campaioli et al., Rev.
Mod. Phys. 96, 031001 (2024), Sec. VI.A (the 0→1→2 ladder of a transmon qutrit battery); Koch et al., Phys. Rev.
A 76, 042319 (2007); the experiment: Krantz et al., Appl. Phys. Rev. 6, 021318 (2019), Sec. V.B. Shared
implementation with ``rabi_01``: :mod:`qbhw.protocols._rabi`.

Procedure: **parameters** → **acquisition** (``exact``/``pulse`` or a simulated device; finite, seeded shots) →
**analysis** (fit, record value) → **plot**. Units: ns, GHz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib.figure import Figure

from ._calibration import CALIBRATION_BACKENDS
from ._rabi import RabiParameters, RabiResults, acquire_rabi, analyse_rabi, plot_rabi
from .base import Data

__all__ = ["NAME", "BACKENDS", "TRANSITION", "Parameters", "Results", "acquire", "analyse", "plot"]

NAME = "rabi_12"
BACKENDS = CALIBRATION_BACKENDS
TRANSITION = "12"


@dataclass(frozen=True, kw_only=True)
class Parameters(RabiParameters):
    """``sigma_ns``, ``duration_ns``: the Gaussian 1→2 π pulse's width and window (rounded up to the device grid);
    ``max_rotation``: the largest amplitude as a multiple of the current π estimate (the record's, else the
    rotating-wave estimate); ``num_amplitudes``: points of the sweep."""


@dataclass(kw_only=True)
class Results(RabiResults):
    """``pi_amp_ghz`` and ``pi_amp_ghz_ci95``: the 1→2 π amplitude (GHz) and its 95 % interval; ``contrast``: the
    fitted contrast of ``P(read 2)``; ``leak``: the fitted coherent level-2 amplitude of the prepared state,
    relative to level 1."""

    leak: float = math.nan


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Prepare |1⟩, sweep the amplitude of the Gaussian on ``d1`` and read out (see the module docstring)."""
    return acquire_rabi(NAME, TRANSITION, parameters, backend)


def analyse(data: Data) -> Results:
    """Fit the Rabi oscillation of ``P(read 2)``; the π amplitude goes to the record as ``pi_amp_12_ghz``."""
    return analyse_rabi(NAME, TRANSITION, data, Results)


def plot(data: Data, results: Results) -> Figure:
    """P(read 2) against amplitude, the fitted oscillation and the π amplitude."""
    return plot_rabi(TRANSITION, data, results)
