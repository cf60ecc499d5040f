"""Rabi-battery charging: one cell and its own cavity mode — the parallel reference of the Dicke battery
(review Eq. 33; Ferraro et al., PRL 120, 117702, 2018).

The cavity starts in the Fock state |n⟩ (``photons``, default 1), the cell in |g⟩; the coupling
``g σ^x (a + a†)`` (counter-rotating terms kept) charges the cell. N such cells charged in parallel store N
times the energy at the same average power per cell.

Procedure: **parameters** → **acquisition** on ``exact`` or on circuits (``aer``, ``fake:``, ``ibm:``) →
**analysis**: theory-backed fit of g, τ̃, ⟨P⟩_τ̃, 𝓔/E → **plot**.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..models import RabiBattery
from ._cavity import CavityParameters, CavityResults, acquire_cavity, analyse_cavity
from ._charging import MODEL_BACKENDS, plot_charging
from .base import Data, check_int, resolve_backend

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot"]

NAME = "rabi_charging"
BACKENDS = MODEL_BACKENDS


@dataclass(frozen=True, kw_only=True)
class Parameters(CavityParameters):
    """Parameters of the Rabi battery (one cell: ``n_cells`` is fixed at 1; ``photons`` defaults to 1).

    See :class:`qbhw.protocols._cavity.CavityParameters` for the other fields.
    """

    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "n_cells": "number of cells (fixed at 1)",
        "photons": "initial Fock state n of the cavity (default 1)",
    }

    n_cells: int = 1
    photons: int | None = 1

    def _validate(self) -> None:
        check_int(self.n_cells, "n_cells", minimum=1, maximum=1)
        super()._validate()
        if self.coupling_scaling != "fixed":
            from ..errors import ConfigError

            raise ConfigError(f"got {self.coupling_scaling!r}", argument="coupling_scaling",
                              allowed="'fixed' (one cell: g/√N = g)")

    def model_kwargs(self):
        kw = super().model_kwargs()
        kw.pop("coupling_scaling")
        return kw


Results = CavityResults


def build_model(parameters: Parameters) -> RabiBattery:
    """The :class:`~qbhw.models.RabiBattery` the parameters describe."""
    return RabiBattery(parameters.coupling, **parameters.model_kwargs())


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Charging curve of the Rabi battery on ``backend``."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_cavity(NAME, parameters, build_model(parameters), obj, kind, context)


def analyse(data: Data, *, fit: bool = True, observable: str = "energy",
            coupling_range: tuple[float, float] | None = None, advantage: bool = False, **fit_options) -> Results:
    """Fit g (``fit=False`` to skip) and compute τ̃, ⟨P⟩_τ̃ and 𝓔/E (no Γ by default: this is the reference);
    the options are those of the cavity protocols' shared analysis, ``fit_options`` go to
    :func:`qbhw.fit.fit_curve`."""
    kw = data.parameters.model_kwargs()
    return analyse_cavity(data, lambda g: RabiBattery(g, **kw), n_cells=1, fit=fit, observable=observable,
                          coupling_range=coupling_range, advantage=advantage, **fit_options)


def plot(data: Data, results: Results):
    """Energy, ergotropy and the fitted curve against time (τ̃, τ̄ marked)."""
    return plot_charging(data, results, title="Rabi battery (one cell, one mode)")
