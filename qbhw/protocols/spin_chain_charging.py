"""Spin-chain battery charged directly by a transverse field (review Sec. III.C.1, Eq. 40; Le, Levinsen,
Modi, Parish, Pollock, Phys. Rev. A 97, 022106, 2018).

``H_B = B Σ σ_i^z − Σ_{i<j} g_ij [σ_i^z σ_j^z + α(σ_i^x σ_j^x + σ_i^y σ_j^y)]`` starts in its ground state;
the charging field ``ω Σ σ_i^x`` is switched on (interactions stay on; ``keep_field`` keeps the Zeeman term).
For the XXX chain (α = 1) the interactions commute with the collective spin and W_N = N W_1; anisotropy
(α ≠ 1) changes the charging.

Procedure: **parameters** → **acquisition** on ``exact`` (full space, N ≤ 16) or on circuits (``aer``,
``fake:``, ``ibm:``; Pauli-string Trotterisation) → **analysis**: theory-backed fit of one model parameter
(default the drive ω, which every chain's curve determines; ``parameter="coupling"`` fits g, which only an
anisotropic chain's curve determines) → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..fit import model_parameter_fit
from ..models import SpinChainBattery
from ._charging import MODEL_BACKENDS, acquire_model, fit_model_parameter, plot_charging
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_bool,
    check_choice,
    check_int,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot"]

NAME = "spin_chain_charging"
BACKENDS = MODEL_BACKENDS
FIT_PARAMETERS = ("drive", "coupling", "field")


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters (names as :class:`~qbhw.models.SpinChainBattery`'s; dimensionless, energies in units of B).

    ``n_spins`` (1 … 16), ``coupling`` g ≥ 0, ``anisotropy`` α, ``field`` B, ``drive`` ω ≥ 0,
    ``couplings`` (``"nearest"`` | ``"power_law"``), ``exponent`` (power law), ``periodic``, ``keep_field``,
    ``times``, ``trotter_max_step``/``trotter_order`` (circuits).
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "n_spins": "",
        "coupling": "B",
        "anisotropy": "",
        "field": "B",
        "drive": "B",
        "couplings": "",
        "exponent": "",
        "periodic": "",
        "keep_field": "",
        "times": "1/B",
        "trotter_max_step": "1/B",
        "trotter_order": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "n_spins": "number of spins N (1 … 16)",
        "coupling": "spin–spin coupling g (≥ 0, ferromagnetic)",
        "anisotropy": "α: 0 Ising, 0 < α < 1 XXZ, 1 XXX",
        "field": "Zeeman field B (1: the model's energy unit)",
        "drive": "charging field ω of ω Σ σ^x (≥ 0)",
        "couplings": "'nearest' (g between neighbours) | 'power_law' (g/|i − j|^p)",
        "exponent": "power-law exponent p (couplings 'power_law')",
        "periodic": "close the chain into a ring",
        "keep_field": "keep the Zeeman term on while charging",
        "times": "charging times (an array or {start, stop, num})",
        "trotter_max_step": "largest Trotter step of the circuits (circuit backends only)",
        "trotter_order": "order of the product formula, 1 or 2 (circuit backends only)",
    }

    n_spins: int = 4
    coupling: float = 0.5
    anisotropy: float = 0.5
    field: float = 1.0
    drive: float = 1.0
    couplings: str = "nearest"
    exponent: float = 1.0
    periodic: bool = False
    keep_field: bool = True
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 3.0, 31))
    trotter_max_step: float = 0.05
    trotter_order: int = 2

    def _validate(self) -> None:
        self._set("n_spins", check_int(self.n_spins, "n_spins", minimum=1, maximum=16))
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0))
        self._set("anisotropy", check_real(self.anisotropy, "anisotropy"))
        self._set("field", check_real(self.field, "field"))
        self._set("drive", check_real(self.drive, "drive", minimum=0.0))
        check_choice(self.couplings, "couplings", ("nearest", "power_law"))
        self._set("exponent", check_real(self.exponent, "exponent", minimum=0.0))
        self._set("periodic", check_bool(self.periodic, "periodic"))
        self._set("keep_field", check_bool(self.keep_field, "keep_field"))
        self._set("times", time_grid(self.times))
        self._set("trotter_max_step", check_real(self.trotter_max_step, "trotter_max_step", minimum=0.0, strict=True))
        self._set("trotter_order", check_int(self.trotter_order, "trotter_order", minimum=1, maximum=2))

    def model_kwargs(self) -> dict[str, Any]:
        return {"coupling": self.coupling, "anisotropy": self.anisotropy, "field": self.field, "drive": self.drive,
                "couplings": self.couplings, "exponent": self.exponent, "periodic": self.periodic,
                "keep_field": self.keep_field}


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit and the fitted parameter: ``fitted_parameter`` names it, ``value`` and
    ``value_ci95`` give its estimate and 95 % interval."""

    fitted_parameter: str = "drive"
    value: float = math.nan
    value_ci95: tuple | None = None


def build_model(parameters: Parameters, **changes) -> SpinChainBattery:
    """The :class:`~qbhw.models.SpinChainBattery` the parameters describe (``changes`` override fields)."""
    return SpinChainBattery(parameters.n_spins, **{**parameters.model_kwargs(), **changes})


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Charging curve of the spin chain on ``backend``."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context,
                         compile_options={"max_step": parameters.trotter_max_step, "order": parameters.trotter_order})


def analyse(data: Data, *, fit: bool = True, parameter: str = "drive", value_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Fit ``parameter`` (``"drive"`` | ``"coupling"`` | ``"field"``) by the exact theory; figures of merit."""
    check_choice(parameter, "parameter", FIT_PARAMETERS)
    p: Parameters = data.parameters
    out: dict[str, Any] = ChargingResults.figures_of_merit(data.curve)
    notes: list[str] = []
    fit_result = None
    if fit:
        true = float(getattr(p, parameter))
        scale = abs(true) if true != 0 else 1.0
        lo, hi = value_range or (scale / 4.0, 4.0 * scale)
        theory = model_parameter_fit(lambda v: build_model(p, **{parameter: v}), parameter, observable="energy",
                                     value_range=(lo, hi), scan="log", name=f"SpinChainBattery(N={p.n_spins})")
        fit_result = fit_model_parameter(data, theory, x_unit="1/B", y_unit="B", **fit_options)
        if fit_result.ok:
            est = fit_result.parameter(parameter)
            out["value"], out["value_ci95"] = est.value, est.ci95
        else:
            notes.append(f"fit failed: {fit_result.message}")
    return Results(protocol=NAME, fit=fit_result, notes=notes, fitted_parameter=parameter, **out)


def plot(data: Data, results: Results):
    """Energy, ergotropy and the fitted curve against time."""
    p = data.parameters
    return plot_charging(data, results, time_label="t [1/B]", energy_label="energy [B]",
                         title=f"spin-chain battery, N = {p.n_spins}, α = {p.anisotropy:g}")
