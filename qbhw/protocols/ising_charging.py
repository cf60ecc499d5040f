"""Transverse-field Ising battery charged by a quench — the ibm_perth experiment (review Sec. IV.A;
Hoang, Metz, Thomasen, Anh-Tai, Busch, Fogarty, arXiv:2308.03334, 2023).

An open chain of ``n_qubits`` starts in |0…0⟩; the charging Hamiltonian ``H = J Σ_i X_i X_{i+1} + h Σ_i Z_i``
(``field_in_charging=False`` drops the field while charging, the two-qubit case of the paper) is switched
on; the battery is the first ``m_cells`` qubits with ``H_B = h Σ_{i<M} Z_i`` and the stored work is
``W(t) = ⟨H_B⟩(t) − M h``. W is even in J, so the analysis fits |J|.

Procedure: **parameters** → **acquisition** on ``exact`` (:class:`~qbhw.models.TransverseIsingBattery`
through :func:`qbhw.charge`) or on circuits (``aer``, ``fake:``, ``ibm:``) — or the recorded ibm_perth data
(:func:`from_table`) → **analysis**: theory-backed fit of |J| (optionally with a free contrast, as hardware
loses amplitude) → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import DataError
from ..fit import transverse_ising_model
from ..metrics import make_charging_curve
from ..models import TransverseIsingBattery
from ._charging import MODEL_BACKENDS, acquire_model, fit_model_parameter, plot_charging
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_bool,
    check_int,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot", "from_table"]

NAME = "ising_charging"
BACKENDS = MODEL_BACKENDS


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters (names as :class:`~qbhw.models.TransverseIsingBattery`'s).

    ``n_qubits`` ≥ 2 (chain length), ``m_cells`` (battery qubits, 1 … n), ``coupling`` J, ``field`` h
    (dimensionless; the paper uses J = −2, h = −0.6), ``field_in_charging`` (keep h Σ Z_i while charging),
    ``times`` (units 1/|energy|), ``trotter_max_step``/``trotter_order`` (circuits).
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "n_qubits": "",
        "m_cells": "",
        "coupling": "energy unit",
        "field": "energy unit",
        "field_in_charging": "",
        "times": "1/energy unit",
        "trotter_max_step": "1/energy unit",
        "trotter_order": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "n_qubits": "chain length n (≥ 2)",
        "m_cells": "battery cells M: the qubits 0 … M−1 (1 … n)",
        "coupling": "J of J Σ X_i X_{i+1} (the paper: −2)",
        "field": "h of h Σ Z_i, also the battery Hamiltonian's (the paper: −0.6)",
        "field_in_charging": "keep h Σ Z_i while charging (False: J Σ X_i X_{i+1} alone)",
        "times": "quench times (an array or {start, stop, num})",
        "trotter_max_step": "largest Trotter step of the circuits (circuit backends only)",
        "trotter_order": "order of the product formula, 1 or 2 (circuit backends only)",
    }

    n_qubits: int = 4
    m_cells: int = 2
    coupling: float = -2.0
    field: float = -0.6
    field_in_charging: bool = True
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 1.4, 15))
    trotter_max_step: float = 0.05
    trotter_order: int = 2

    def _validate(self) -> None:
        self._set("n_qubits", check_int(self.n_qubits, "n_qubits", minimum=2))
        self._set("m_cells", check_int(self.m_cells, "m_cells", minimum=1, maximum=self.n_qubits))
        self._set("coupling", check_real(self.coupling, "coupling"))
        self._set("field", check_real(self.field, "field"))
        self._set("field_in_charging", check_bool(self.field_in_charging, "field_in_charging"))
        self._set("times", time_grid(self.times))
        self._set("trotter_max_step", check_real(self.trotter_max_step, "trotter_max_step", minimum=0.0, strict=True))
        self._set("trotter_order", check_int(self.trotter_order, "trotter_order", minimum=1, maximum=2))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit and the fitted |J| (``coupling_abs`` with its 95 % interval); ``contrast``: the
    fitted amplitude scale when ``contrast=True`` was asked (hardware loses amplitude), else 1."""

    coupling_abs: float = math.nan
    coupling_abs_ci95: tuple | None = None
    contrast: float = 1.0


def build_model(parameters: Parameters) -> TransverseIsingBattery:
    """The :class:`~qbhw.models.TransverseIsingBattery` the parameters describe."""
    return TransverseIsingBattery(parameters.n_qubits, parameters.m_cells, parameters.coupling, parameters.field,
                                  field_in_charging=parameters.field_in_charging)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Stored work of the Ising battery on ``backend``."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context,
                         compile_options={"max_step": parameters.trotter_max_step, "order": parameters.trotter_order})


def from_table(table, case: str) -> Data:
    """The recorded ibm_perth data of one case (``"xx_N2_M1"`` or ``"tfim_N4_M2"``) as :class:`Data`.

    ``table`` is :func:`qbhw.fit.read_csv` of the data file (columns ``t``, ``W_hw``, ``sigma_shot_est``,
    ``n_qubits``, ``m_cells``); the file's J = −2, h = −0.6; ``field_in_charging`` is False for the
    two-qubit XX case. σ is the file's shot-noise *estimate* of W (stored as ``work_stderr``, and as
    ``energy_stderr``: W = E − M h with the exact empty-battery energy M h).
    """
    rows = table.where(case=case)
    if len(rows) == 0:
        raise DataError(f"no rows with case = {case!r}", argument="case", allowed="xx_N2_M1 | tfim_N4_M2")
    n = int(rows.numeric("n_qubits")[0])
    m = int(rows.numeric("m_cells")[0])
    t = rows.numeric("t")
    w = rows.numeric("W_hw")
    sig = rows.numeric("sigma_shot_est")
    params = Parameters(n_qubits=n, m_cells=m, coupling=-2.0, field=-0.6, field_in_charging=case != "xx_N2_M1",
                        times=tuple(t), shots=2048)
    curve = make_charging_curve(t, w, work=w, kind="sweep",
                                metadata={"source": "ibm_perth (Hoang, Metz et al., arXiv:2308.03334)", "case": case,
                                          "sigma_kind": "estimate"},
                                energy_stderr=sig, work_stderr=sig)
    return Data(protocol=NAME, parameters=params, backend="ibm:ibm_perth (recorded)", curve=curve,
                raw={"case": case}, metadata={"provenance": list(table.header)})


def analyse(data: Data, *, fit: bool = True, contrast: bool = False, **fit_options) -> Results:
    """Fit |J| by the exact theory (``contrast=True`` frees an amplitude scale) and the figures of merit.

    σ is the curve's shot noise; where it is only an estimate (the recorded hardware file says so in
    ``curve.metadata["sigma_kind"]``) the covariance is scaled by χ²_red.
    """
    p: Parameters = data.parameters
    out: dict[str, Any] = ChargingResults.figures_of_merit(data.curve)
    notes: list[str] = []
    fit_result = None
    if fit:
        theory = transverse_ising_model(p.n_qubits, p.m_cells, p.field, field_in_charging=p.field_in_charging,
                                        scale=None if contrast else 1.0)
        fit_result = fit_model_parameter(data, theory, observable="work", x_unit="1/|J|", y_unit="|J|",
                                         **fit_options)
        if fit_result.ok:
            est = fit_result.parameter("coupling_abs")
            out["coupling_abs"], out["coupling_abs_ci95"] = est.value, est.ci95
            if contrast:
                out["contrast"] = fit_result.value("scale")
        else:
            notes.append(f"fit failed: {fit_result.message}")
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Stored work against time with the fitted theory."""
    p = data.parameters
    return plot_charging(data, results, observable="work", time_label="t [1/|J|]", energy_label="W",
                         title=f"transverse-field Ising battery, N = {p.n_qubits}, M = {p.m_cells}")
