"""qiskit-experiments integration (optional extra ``experiments``): charging sweeps and self-discharge.

:class:`ChargingTimeSweep` runs a compiled charging program for a list of charging times and fits
``E(t) = E_max sin²(Ω t) + offset``; :class:`SelfDischarge` charges the battery, waits, and fits the
stored energy ``E(τ) = e0 e^{−τ/T} + e_inf`` (the storage lifetime T). Both are
``qiskit_experiments`` ``BaseExperiment`` subclasses, so they compose with ``BatchExperiment`` /
``ParallelExperiment`` and their ``ExperimentData`` saves through ``LocalExperimentService``.
The analyses use qbhw's fit layer (:mod:`qbhw.fit`: closed forms and initial-guess scans).

This is a user-surface package (like the CLI): it may import any part of qbhw.
"""

from .charging import (BatteryEnergy, ChargingSweepAnalysis, ChargingTimeSweep, SelfDischarge,
                       SelfDischargeAnalysis)

__all__ = ["BatteryEnergy", "ChargingTimeSweep", "ChargingSweepAnalysis", "SelfDischarge", "SelfDischargeAnalysis"]
