"""Dicke-battery charging: N cells charged collectively by one cavity mode (review Sec. III.B, Eqs. 28–34).

Ferraro, Campisi, Andolina, Pellegrini, Polini, PRL 120, 117702 (2018): the cavity starts in the Fock
state |n = N⟩, the cells in |G⟩; the coupling ``g σ^x (a + a†)`` charges them and the maximal average
power grows as ⟨P⟩_τ̃ ∝ N^{3/2} (Γ ∝ √N against N parallel Rabi cells) with g fixed, while with the
thermodynamically consistent scaling g/√N (``coupling_scaling="1/sqrtN"``) the advantage disappears.

Procedure: **parameters** (:class:`Parameters`) → **acquisition** on ``exact`` (symmetry-reduced solver)
or on circuits (``aer``, ``fake:<device>``, ``ibm:<device>``; the cavity binary-encoded in qubits) →
**analysis**: theory-backed fit of g through the exact solver, figures of merit (τ̃, ⟨P⟩_τ̃, 𝓔/E, Γ) →
**plot**.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import DickeBattery
from ._cavity import CavityParameters, CavityResults, cavity_protocol
from ._charging import MODEL_BACKENDS

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot"]

NAME = "dicke_charging"
BACKENDS = MODEL_BACKENDS


@dataclass(frozen=True, kw_only=True)
class Parameters(CavityParameters):
    __doc__ = CavityParameters.__doc__


Results = CavityResults

build_model, acquire, analyse, plot = cavity_protocol(NAME, DickeBattery, "Dicke battery")
