"""Tavis–Cummings charging: the Dicke battery without counter-rotating terms (review Sec. III.B).

The coupling ``g (σ^+ a + σ^− a†)`` conserves the number of excitations, so with the cavity in the Fock
state |n⟩ the dynamics is confined to ``min(n, N) + 1`` states (Jaynes–Cummings for one cell); the rotating-
wave limit of Ferraro et al., PRL 120, 117702 (2018), valid for g ≪ ω_0.

Procedure: **parameters** → **acquisition** on ``exact`` or on circuits (``aer``, ``fake:``, ``ibm:``) →
**analysis**: theory-backed fit of g, τ̃, ⟨P⟩_τ̃, 𝓔/E, Γ against the Jaynes–Cummings cell → **plot**.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import TavisCummingsBattery
from ._cavity import CavityParameters, CavityResults, cavity_protocol
from ._charging import MODEL_BACKENDS

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot"]

NAME = "tavis_cummings_charging"
BACKENDS = MODEL_BACKENDS


@dataclass(frozen=True, kw_only=True)
class Parameters(CavityParameters):
    __doc__ = CavityParameters.__doc__


Results = CavityResults

build_model, acquire, analyse, plot = cavity_protocol(NAME, TavisCummingsBattery, "Tavis–Cummings battery")
