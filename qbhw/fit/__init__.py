"""Fits of charging curves against theory (lmfit), scaling exponents, data loading.

* :mod:`~qbhw.fit.data` — validated ``(x, y, σ)`` (:class:`FitData`), CSV tables with their
  ``#`` provenance header (:func:`read_csv`), counts → probabilities with binomial errors,
  qbhw results folders (:func:`write_results_dir`, :func:`read_results_dir`).
* :mod:`~qbhw.fit.models` — closed-form lmfit models with guesses and bounds (Rabi/Fock,
  damped Rabi, star pure and high temperature, self-discharge, STIRAP transfer, power law).
* :mod:`~qbhw.fit.theory` — theory-backed models computed by qbhw solvers (Dicke, TC, star,
  transverse-field Ising), cached. Theory models of single experiments (the transmon-qutrit STIRAP
  fit, the ibmq_armonk driven qubit) live with their protocols in :mod:`qbhw.protocols`.
* :func:`fit_curve` → :class:`FitResult` (values, errors, covariance, 95 % intervals, χ²_red
  quality flag, AIC/BIC, residuals, JSON); :func:`profile_integer` /
  :func:`fit_star_high_temperature` for integer parameters chosen by AIC.
* :func:`fit_scaling_exponent` — ``y ∝ N^α`` with bootstrap intervals.
* :mod:`~qbhw.fit.plot` — a figure for every fit: :func:`plot_fit` (data ± σ, fitted curve,
  normalised residuals), :func:`plot_scaling` (log-log power law), :func:`plot_profile` (ΔAIC/ΔBIC per
  integer); each returns a ``matplotlib.figure.Figure`` (no pyplot).
"""

from .closed_forms import (
    damped_rabi_excited_population,
    exponential_decay,
    power_law,
    rabi_charging,
    star_high_temperature_polarization,
    star_high_temperature_series,
    stirap_transfer,
    stretched_exponential_decay,
)
from .data import (
    DataTable,
    FitData,
    binomial_probability,
    counts_to_expectation,
    curve_table,
    curve_to_results_dir,
    make_fit_data,
    read_csv,
    read_results_dir,
    write_results_dir,
)
from .fitting import fit_curve
from .ising import ising_work, two_qubit_xx_work
from .models import (
    CurveModel,
    DampedRabiModel,
    ExponentialDecayModel,
    FockChargingModel,
    PowerLawModel,
    RabiChargingModel,
    StarHighTemperatureModel,
    StarPureModel,
    StirapTransferModel,
    StretchedExponentialDecayModel,
)
from .plot import plot_fit, plot_profile, plot_scaling
from .profile import ProfileResult, fit_star_high_temperature, profile_integer
from .result import FitResult, ParameterEstimate
from .scaling import ScalingResult, fit_scaling_exponent, scaling_from_curves
from .theory import (
    TheoryModel,
    dicke_coupling_model,
    model_parameter_fit,
    superabsorption_model,
    star_battery_model,
    tavis_cummings_coupling_model,
    transverse_ising_model,
)

__all__ = [
    "FitData", "make_fit_data", "DataTable", "read_csv", "binomial_probability", "counts_to_expectation",
    "write_results_dir", "read_results_dir", "curve_to_results_dir", "curve_table",
    "CurveModel", "RabiChargingModel", "FockChargingModel", "StarPureModel", "DampedRabiModel",
    "StarHighTemperatureModel", "ExponentialDecayModel", "StretchedExponentialDecayModel", "StirapTransferModel",
    "PowerLawModel",
    "rabi_charging", "damped_rabi_excited_population", "star_high_temperature_polarization",
    "star_high_temperature_series", "exponential_decay", "stretched_exponential_decay", "stirap_transfer",
    "power_law",
    "TheoryModel", "model_parameter_fit", "superabsorption_model", "dicke_coupling_model", "tavis_cummings_coupling_model",
    "star_battery_model",
    "transverse_ising_model", "ising_work", "two_qubit_xx_work",
    "fit_curve", "FitResult", "ParameterEstimate", "ProfileResult", "profile_integer", "fit_star_high_temperature",
    "ScalingResult", "fit_scaling_exponent", "scaling_from_curves",
    "plot_fit", "plot_scaling", "plot_profile",
]
