"""Charging-time sweep and self-discharge as qiskit-experiments ``BaseExperiment`` subclasses.

Energy from counts (:class:`BatteryEnergy`): the battery is a set of qubit cells with
``H_B = ω_0 Σ_i |e⟩⟨e|_i = ω_0 Σ_i (1 − Z_i)/2`` (review Eq. 30; |1⟩ = |e⟩), so each shot gives
``ω_0 × (number of 1s)``; the data point is the mean with the standard error of
:func:`qbhw.metrics.counts_sum_estimate` (each cell's Z a Pauli term with coefficient ``−ω_0/2``: the
Jeffreys-posterior variances of the cells combined with their sample correlations, ≈ ``s/√shots``
for many shots), which is never 0 — also when every shot found the battery empty, so the fit never
gets an infinite weight.

Fit models (from :mod:`qbhw.fit`):

* sweep: ``E(t) = amplitude · sin²(omega · t) + offset`` (:func:`qbhw.fit.rabi_charging`,
  initial guess by :class:`qbhw.fit.models.RabiChargingModel`'s frequency scan); the analysis
  also reports the energy-peak time ``τ̄ = π/(2Ω)`` of the fitted curve;
* self-discharge: ``E(τ) = e0 · exp(−τ/tau) + e_inf`` (:func:`qbhw.fit.exponential_decay`, guess by
  :class:`qbhw.fit.models.ExponentialDecayModel`); ``tau`` is the storage lifetime (for a
  fully charged qubit under amplitude damping, T1).
"""

from __future__ import annotations

from collections.abc import Sequence

import lmfit
import numpy as np

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError

try:
    import qiskit_experiments.curve_analysis as curve
    from qiskit import ClassicalRegister, QuantumCircuit
    from qiskit_experiments.data_processing import DataProcessor
    from qiskit_experiments.data_processing.data_action import DataAction
    from qiskit_experiments.framework import AnalysisResultData, BackendTiming, BaseExperiment, Options
    from uncertainties import ufloat
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    raise ConfigError("qbhw.experiments needs qiskit-experiments: pip install 'qbhw[experiments]'",
                      argument="experiments", allowed="qiskit-experiments>=0.14.2,<0.15 installed") from exc

from ..fit import closed_forms as cf
from ..fit.models import ExponentialDecayModel, RabiChargingModel
from ..metrics.sampling import counts_sum_estimate

__all__ = ["BatteryEnergy", "ChargingTimeSweep", "ChargingSweepAnalysis", "SelfDischarge", "SelfDischargeAnalysis"]


class BatteryEnergy(DataAction):
    """Counts → mean cell energy ``ω_0 ⟨Σ_i n_i⟩`` with its standard error (module docstring)."""

    def __init__(self, omega_0: float = 1.0, validate: bool = True):
        super().__init__(validate)
        if not np.isfinite(omega_0) or omega_0 <= 0:
            raise InvalidArgumentError(f"got {omega_0!r}", argument="omega_0", allowed="a positive real")
        self._omega_0 = float(omega_0)

    def _process(self, data: np.ndarray) -> np.ndarray:
        out = np.empty(data.size, dtype=object)
        for k, counts in enumerate(data):
            n_cells = max(len(str(s).replace(" ", "")) for s in counts)
            coeffs = np.full(n_cells, -0.5 * self._omega_0)
            mean, err = counts_sum_estimate(counts, coeffs, constant=0.5 * self._omega_0 * n_cells)
            out[k] = ufloat(mean, err)
        return out

    def __repr__(self):
        return f"{type(self).__name__}(omega_0={self._omega_0})"


def _sin2(x, amplitude, omega, offset):
    return cf.rabi_charging(x, amplitude, omega, offset)


def _decay(x, e0, tau, e_inf):
    return cf.exponential_decay(x, e0, tau, e_inf)


class ChargingSweepAnalysis(curve.CurveAnalysis):
    """Fit ``E(t) = amplitude sin²(omega t) + offset`` to a charging-time sweep."""

    def __init__(self, name: str | None = None):
        super().__init__(models=[lmfit.Model(_sin2, name="charging")], name=name)

    @classmethod
    def _default_options(cls) -> Options:
        options = super()._default_options()
        options.data_processor = DataProcessor("counts", [BatteryEnergy(1.0)])
        options.result_parameters = ["amplitude", "omega"]
        options.bounds = {"omega": (0.0, np.inf)}
        options.plotter.set_figure_options(xlabel="charging time", ylabel="stored energy")
        return options

    def _generate_fit_guesses(self, user_opt, curve_data):
        guess = RabiChargingModel(offset=True).guess_values(np.asarray(curve_data.x), np.asarray(curve_data.y),
                                                            np.asarray(curve_data.y_err))
        user_opt.p0.set_if_empty(**{k: guess[k] for k in ("amplitude", "omega", "offset") if k in guess})
        user_opt.p0.set_if_empty(offset=0.0)
        return user_opt

    def _create_analysis_results(self, fit_data, quality, **metadata):
        out = super()._create_analysis_results(fit_data, quality, **metadata)
        omega = fit_data.ufloat_params["omega"]
        if omega.nominal_value > 0:
            out.append(AnalysisResultData(name="tau_energy_peak", value=np.pi / (2 * omega), chisq=fit_data.reduced_chisq,
                                          quality=quality, extra=metadata))
        return out

    def _evaluate_quality(self, fit_data) -> str | None:
        return "good" if 0 < fit_data.reduced_chisq < 3 and curve.utils.is_error_not_significant(
            fit_data.ufloat_params["omega"]) else "bad"


class SelfDischargeAnalysis(curve.CurveAnalysis):
    """Fit ``E(τ) = e0 exp(−τ/tau) + e_inf`` to the stored energy after a wait τ."""

    def __init__(self, name: str | None = None):
        super().__init__(models=[lmfit.Model(_decay, name="self_discharge")], name=name)

    @classmethod
    def _default_options(cls) -> Options:
        options = super()._default_options()
        options.data_processor = DataProcessor("counts", [BatteryEnergy(1.0)])
        options.result_parameters = [curve.ParameterRepr("tau", "storage_time", "s"), "e0"]
        options.bounds = {"tau": (0.0, np.inf)}
        options.plotter.set_figure_options(xlabel="wait", ylabel="stored energy", xval_unit="s")
        return options

    def _generate_fit_guesses(self, user_opt, curve_data):
        guess = ExponentialDecayModel(floor=True).guess_values(np.asarray(curve_data.x), np.asarray(curve_data.y),
                                                               np.asarray(curve_data.y_err))
        user_opt.p0.set_if_empty(**{k: guess[k] for k in ("e0", "tau", "e_inf") if k in guess})
        user_opt.p0.set_if_empty(e_inf=0.0)
        return user_opt

    def _evaluate_quality(self, fit_data) -> str | None:
        return "good" if 0 < fit_data.reduced_chisq < 3 and curve.utils.is_error_not_significant(
            fit_data.ufloat_params["tau"]) else "bad"


def _cell_omega(program) -> float:
    """ω_0 of a program whose battery Hamiltonian is ``ω_0 Σ (1 − Z_i)/2`` (else ConfigError)."""
    from ..compile.operators import cell_energy_operator

    hb = program.battery_hamiltonian
    n = hb.num_qubits
    z = [c for p, c in zip(hb.paulis, hb.coeffs) if p.to_label().count("Z") == 1 and set(p.to_label()) <= {"I", "Z"}]
    if not z:
        raise ConfigError("battery Hamiltonian is not a sum of cell energies", argument="program",
                          allowed="a program with H_B = omega_0 Σ (1 − Z_i)/2")
    w0 = -2.0 * float(np.real(z[0]))
    if w0 <= 0 or not np.allclose(hb.to_matrix(), cell_energy_operator(range(n), n, w0).to_matrix(), atol=1e-10):
        raise ConfigError("battery Hamiltonian is not a sum of equal cell energies", argument="program",
                          allowed="a program with H_B = omega_0 Σ (1 − Z_i)/2")
    return w0


class ChargingTimeSweep(BaseExperiment):
    """Stored energy versus charging time of a compiled program (one initial state, cell battery)."""

    @classmethod
    def _default_experiment_options(cls) -> Options:
        options = super()._default_experiment_options()
        options.times = None
        return options

    def __init__(self, physical_qubits: Sequence[int], program, times, backend=None):
        from ..compile.program import ChargingProgram
        from ..metrics import check_times

        if not isinstance(program, ChargingProgram):
            raise InvalidArgumentError(f"got {type(program).__name__}", argument="program",
                                       allowed="a ChargingProgram from qbhw.compile")
        if len(program.initial_states) != 1:
            raise ConfigError("sweeps of ensembles are not supported", argument="program",
                              allowed="a program with one initial state")
        if len(physical_qubits) != program.num_qubits:
            raise DimensionMismatchError(f"{len(physical_qubits)} physical qubits for a {program.num_qubits}-qubit "
                                         "program", argument="physical_qubits", allowed=f"{program.num_qubits} qubits")
        w0 = _cell_omega(program)
        analysis = ChargingSweepAnalysis()
        analysis.set_options(data_processor=DataProcessor("counts", [BatteryEnergy(w0)]))
        super().__init__(physical_qubits, analysis=analysis, backend=backend)
        self.program = program
        self.set_experiment_options(times=[float(x) for x in check_times(times, allow_single=False)])

    def circuits(self) -> list[QuantumCircuit]:
        out = []
        bq = list(self.program.battery_qubits)
        for t in self.experiment_options.times:
            qc = self.program.circuit(t)
            creg = ClassicalRegister(len(bq), "c")
            qc.add_register(creg)
            qc.measure(bq, creg)
            qc.metadata = {"xval": float(t)}
            out.append(qc)
        return out

    def _metadata(self):
        md = super()._metadata()
        md["program"] = self.program.name
        return md


class SelfDischarge(BaseExperiment):
    """Charge the battery (default: X on every cell), wait τ, measure the stored energy."""

    @classmethod
    def _default_experiment_options(cls) -> Options:
        options = super()._default_experiment_options()
        options.delays = None
        return options

    def __init__(self, physical_qubits: Sequence[int], delays, backend=None, *, charge: QuantumCircuit | None = None,
                 omega_0: float = 1.0):
        delays = np.asarray(delays, dtype=float)
        if delays.ndim != 1 or delays.size < 3 or not np.all(np.isfinite(delays)) or np.any(delays < 0):
            raise InvalidArgumentError("need at least 3 finite non-negative delays (seconds)", argument="delays",
                                       allowed="a 1-D array of >= 3 delays >= 0")
        n = len(physical_qubits)
        if charge is not None and charge.num_qubits != n:
            raise DimensionMismatchError(f"charge circuit on {charge.num_qubits} qubits", argument="charge",
                                         allowed=f"{n} qubits")
        analysis = SelfDischargeAnalysis()
        analysis.set_options(data_processor=DataProcessor("counts", [BatteryEnergy(omega_0)]))
        super().__init__(physical_qubits, analysis=analysis, backend=backend)
        self.charge = charge
        self.set_experiment_options(delays=[float(d) for d in delays])

    def circuits(self) -> list[QuantumCircuit]:
        timing = BackendTiming(self.backend)
        n = self.num_qubits
        out = []
        for delay in self.experiment_options.delays:
            qc = QuantumCircuit(n, n)
            if self.charge is None:
                qc.x(range(n))
            else:
                qc.compose(self.charge, inplace=True)
            qc.barrier()
            for q in range(n):
                qc.delay(timing.round_delay(time=delay), q, timing.delay_unit)
            qc.barrier()
            qc.measure(range(n), range(n))
            qc.metadata = {"xval": timing.delay_time(time=delay)}
            out.append(qc)
        return out
