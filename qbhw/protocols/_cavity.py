"""What the cavity-battery protocols (Dicke, Tavis–Cummings, Rabi) share: their parameters, acquisition,
the theory-backed fit of the coupling g and the collective advantage Γ against the parallel reference.

Physics (review Sec. III.B, Eqs. 28–34; Ferraro et al., PRL 120, 117702, 2018): N two-level cells share
one cavity mode prepared in the Fock state |n⟩ (``photons``, default N); the coupling g is switched on at
t = 0. The models (:class:`~qbhw.models.DickeBattery`, :class:`~qbhw.models.TavisCummingsBattery`,
:class:`~qbhw.models.RabiBattery`) hold the Hamiltonians, the solvers the exact symmetry-reduced
evolution, the compiler the circuits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import QbhwError
from ..fit import model_parameter_fit
from ._charging import acquire_model, fit_parameter_into
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_choice,
    check_int,
    check_real,
    time_grid,
)

__all__ = ["CavityParameters", "CavityResults", "acquire_cavity", "analyse_cavity", "cavity_protocol"]

_DEFAULT_TIMES = tuple(float(x) for x in np.linspace(0.0, 2.0, 41))


@dataclass(frozen=True, kw_only=True)
class CavityParameters(ProtocolParameters):
    """Parameters of a cavity battery (names as the model constructors').

    ``coupling``: g (units of ω_0); ``omega_c``, ``omega_0``: cavity and cell frequencies; ``photons``:
    initial Fock state n of the cavity (``None`` → N); ``cutoff``: photon cut-off (``None`` → automatic,
    converged; circuits use the smallest full binary register ≥ n + N); ``coupling_scaling``: ``"fixed"``
    (g) or ``"1/sqrtN"`` (g/√N, the thermodynamically consistent scaling); ``times``: charging times
    (units 1/ω_0, an array or ``{start, stop, num}``); ``trotter_max_step``, ``trotter_order``: the product
    formula of the circuits (circuit backends only).
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "n_cells": "",
        "coupling": "ω_0",
        "omega_c": "ω_0",
        "omega_0": "ω_0",
        "photons": "",
        "cutoff": "",
        "coupling_scaling": "",
        "times": "1/ω_0",
        "trotter_max_step": "1/ω_0",
        "trotter_order": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "n_cells": "number N of two-level cells",
        "coupling": "cell–cavity coupling g (divided by √N with coupling_scaling '1/sqrtN')",
        "omega_c": "cavity frequency ω_c",
        "omega_0": "cell splitting ω_0 (1: the model's energy unit)",
        "photons": "initial Fock state n of the cavity (None: N)",
        "cutoff": "photon cut-off (None: automatic, converged; circuits: the smallest binary register ≥ n + N)",
        "coupling_scaling": "'fixed' (g) or '1/sqrtN' (g/√N, thermodynamically consistent)",
        "times": "charging times (an array or {start, stop, num})",
        "trotter_max_step": "largest Trotter step of the circuits (circuit backends only)",
        "trotter_order": "order of the product formula, 1 or 2 (circuit backends only)",
    }

    n_cells: int = 4
    coupling: float = 0.5
    omega_c: float = 1.0
    omega_0: float = 1.0
    photons: int | None = None
    cutoff: int | None = None
    coupling_scaling: str = "fixed"
    times: tuple = _DEFAULT_TIMES
    trotter_max_step: float = 0.05
    trotter_order: int = 2

    def _validate(self) -> None:
        self._set("n_cells", check_int(self.n_cells, "n_cells", minimum=1))
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0))
        self._set("omega_c", check_real(self.omega_c, "omega_c", minimum=0.0))
        self._set("omega_0", check_real(self.omega_0, "omega_0", minimum=0.0, strict=True))
        self._set("photons", check_int(self.photons, "photons", minimum=0, allow_none=True))
        self._set("cutoff", check_int(self.cutoff, "cutoff", minimum=0, allow_none=True))
        check_choice(self.coupling_scaling, "coupling_scaling", ("fixed", "1/sqrtN"))
        self._set("times", time_grid(self.times))
        self._set("trotter_max_step", check_real(self.trotter_max_step, "trotter_max_step", minimum=0.0, strict=True))
        self._set("trotter_order", check_int(self.trotter_order, "trotter_order", minimum=1, maximum=2))

    def model_kwargs(self) -> dict[str, Any]:
        """Constructor arguments of the model, apart from ``n_cells`` and ``coupling``."""
        return {"omega_c": self.omega_c, "omega_0": self.omega_0, "photons": self.photons, "cutoff": self.cutoff,
                "coupling_scaling": self.coupling_scaling}

    def compile_options(self) -> dict[str, Any]:
        return {"max_step": self.trotter_max_step, "order": self.trotter_order}


@dataclass(kw_only=True)
class CavityResults(ChargingResults):
    """Figures of merit (see :class:`~qbhw.protocols.base.ChargingResults`), the fitted coupling and Γ.

    ``coupling``, ``coupling_ci95``: g from the theory-backed fit with its 95 % interval (NaN / ``None``
    without a fit); ``ergotropy_fraction``: 𝓔/E at τ̃ (``None`` when the state is unknown);
    ``quantum_advantage``: Γ = ⟨P⟩_τ̃ / (N ⟨P_single⟩_τ̃) (review Eqs. 15, 18) of the measured curve against
    the exact single-cell reference (``model.parallel_reference()``; ``None`` for a single cell).
    """

    coupling: float = math.nan
    coupling_ci95: tuple | None = None
    ergotropy_fraction: float | None = None
    quantum_advantage: float | None = None


def acquire_cavity(protocol: str, parameters: CavityParameters, model, backend, kind: str, context) -> Data:
    """Charge the cavity model on the backend; circuits get a photon cut-off converged over the protocol's
    times when ``cutoff`` is ``None`` (:func:`qbhw.compile.cavity.converged_cutoff`)."""
    return acquire_model(protocol, parameters, model, backend, kind, context=context,
                         compile_options={**parameters.compile_options(), "times": parameters.times})


def analyse_cavity(data: Data, factory, *, n_cells: int, fit: bool = True, observable: str = "energy",
                   coupling_range: tuple[float, float] | None = None, advantage: bool = True,
                   **fit_options) -> CavityResults:
    """Fit g through ``factory(coupling) -> model`` (the acquired model with g varied; the theory curve is
    ``qbhw.charge`` of it) and compute the figures of merit.

    ``coupling_range``: the initial-guess scan (default: acquired g / 5 … 5 g, log-spaced);
    ``advantage``: compute Γ against the exact parallel reference (collective batteries only);
    ``fit_options`` go to :func:`qbhw.fit.fit_curve`.
    """
    p: CavityParameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    notes: list[str] = []
    theory = None
    if fit:
        lo, hi = coupling_range or (max(p.coupling / 5.0, 1e-3), max(5.0 * p.coupling, 1e-2))
        theory = model_parameter_fit(factory, "coupling", observable=observable, value_range=(lo, hi), scan="log",
                                     name=f"{type(factory(p.coupling)).__name__}(N={n_cells})")
    fit_result = fit_parameter_into(out, notes, data, theory, "coupling", observable=observable, **fit_options)
    if curve.ergotropy is not None:
        try:
            out["ergotropy_fraction"] = float(curve.ergotropy_fraction_at("max_power"))
        except QbhwError as exc:  # τ̃ undefined on this grid
            notes.append(f"ergotropy fraction unavailable: {exc}")
    if advantage and n_cells > 1 and math.isfinite(out["max_average_power"]):
        from ..solvers import find_charging_time

        ref = find_charging_time(factory(p.coupling).parallel_reference(), "max_power")
        out["quantum_advantage"] = float(out["max_average_power"] / (n_cells * ref.average_power))
    return CavityResults(protocol=data.protocol, fit=fit_result, notes=notes, **out)


def cavity_protocol(name: str, model_class, title: str):
    """The ``build_model``, ``acquire``, ``analyse`` and ``plot`` functions of a collective cavity battery
    protocol (Dicke, Tavis–Cummings) for ``model_class(n_cells, coupling, **parameters.model_kwargs())``."""
    from ._charging import MODEL_BACKENDS, plot_charging
    from .base import resolve_backend

    def build_model(parameters: CavityParameters):
        """The battery model the parameters describe."""
        return model_class(parameters.n_cells, parameters.coupling, **parameters.model_kwargs())

    def acquire(parameters: CavityParameters, backend="exact", *, context=None) -> Data:
        """Charging curve on ``backend`` (``exact``: symmetry-reduced solver; ``aer``, ``fake:``, ``ibm:``:
        the same model compiled to circuits)."""
        obj, kind = resolve_backend(backend, protocol=name, supported=MODEL_BACKENDS)
        return acquire_cavity(name, parameters, build_model(parameters), obj, kind, context)

    def analyse(data: Data, *, fit: bool = True, observable: str = "energy",
                coupling_range: tuple[float, float] | None = None, advantage: bool = True,
                **fit_options) -> CavityResults:
        """Fit g (``fit=False`` to skip) through the exact solver and compute τ̃, ⟨P⟩_τ̃, 𝓔/E and Γ (options
        of :func:`qbhw.protocols._cavity.analyse_cavity`; ``fit_options`` go to :func:`qbhw.fit.fit_curve`)."""
        p = data.parameters
        kw = p.model_kwargs()
        return analyse_cavity(data, lambda g: model_class(p.n_cells, g, **kw), n_cells=p.n_cells, fit=fit,
                              observable=observable, coupling_range=coupling_range, advantage=advantage,
                              **fit_options)

    def plot(data: Data, results: CavityResults):
        """Energy, ergotropy and the fitted curve against time (τ̃, τ̄ marked)."""
        return plot_charging(data, results, title=f"{title}, N = {data.parameters.n_cells}")

    return build_model, acquire, analyse, plot
