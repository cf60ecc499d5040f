"""Aer backends: statevector, density matrix, and noisy simulation of a device (``AerSimulator.from_backend``).

* ``shots=None`` — exact values from the simulated state (``save_statevector`` /
  ``save_density_matrix``): energy, observables and the battery ergotropy.
* ``shots=k`` — the measured circuits are sampled (energy with shot-noise error bars,
  population lower bound on the ergotropy, tomography on request).
* ``noise=<device>`` (a fake backend or its name, or a multi-qubit :class:`qbhw.devices.Device`, e.g. one
  converted by :func:`qbhw.devices.from_backend`) — the circuits are transpiled onto the device
  exactly as :class:`~qbhw.backends.runtime.FakeBackend` does (same seed → same physical
  circuits) and simulated with the device's noise model. With ``shots=None`` the curve is the
  *prediction of the measurement*: for each measured circuit the exact outcome distribution of
  the noisy density matrix, passed through the device's readout-error matrices; its
  ``energy_stderr`` is the shot noise a ``predict_shots``-shot run would have (``None`` without
  ``predict_shots``). The noisy state's
  own energy (no readout error) and ergotropy are the observables ``energy_state`` and
  ``ergotropy_state``.
"""

from __future__ import annotations

import numpy as np
from qiskit import transpile

from ..compile.program import ChargingProgram
from ..errors import ConfigError
from ..metrics import ChargingCurve, check_times, ergotropy, partial_trace
from .base import Backend, check_program, write_curve
from .devices import device_simulator, fake_device, final_layout, transpile_for_device
from .execution import (
    build_plan,
    check_shots,
    curve_from_results,
    curve_from_states,
    measured_circuits,
)

__all__ = ["AerBackend", "AER_METHODS"]

AER_METHODS = ("statevector", "density_matrix")


def _readout_matrix(noise_model, qubit: int) -> np.ndarray:
    """2×2 assignment matrix P(measured j | prepared i) of a physical qubit (identity if none)."""
    err = getattr(noise_model, "_local_readout_errors", {}).get((qubit,))
    if err is None:
        err = getattr(noise_model, "_default_readout_error", None)
    return np.eye(2) if err is None else np.asarray(err.probabilities, dtype=float)


class AerBackend(Backend):
    """Aer simulation (see module docstring)."""

    def __init__(self, method: str = "statevector", *, noise=None, optimization_level: int = 1,
                 predict_shots: int | None = None, max_parallel: int = 1):
        if method not in AER_METHODS:
            raise ConfigError(f"unknown Aer method {method!r}", argument="method", allowed=" | ".join(AER_METHODS))
        self.method = method
        self.device = fake_device(noise) if isinstance(noise, str) else noise
        self.optimization_level = optimization_level
        self.predict_shots = check_shots(predict_shots)
        self.max_parallel = max_parallel
        self.name = f"aer:{method}" + (f"+noise({self.device.name})" if self.device is not None else "")
        self.num_qubits = None if self.device is None else int(self.device.num_qubits)
        self._sim = None

    # ---- simulators --------------------------------------------------------------------
    def simulator(self):
        """The noise-free simulator (noisy runs build a device simulator restricted to the used qubits)."""
        if self._sim is None:
            from qiskit_aer import AerSimulator

            self._sim = AerSimulator(method=self.method)
            self._sim.set_options(max_parallel_experiments=self.max_parallel)
        return self._sim

    def _logical(self, circuits):
        return transpile(circuits, self.simulator(), optimization_level=0)

    # ---- run -----------------------------------------------------------------------------
    def run(self, program: ChargingProgram, times, *, shots: int | None = None, tomography: bool = False,
            seed: int | None = None, results_dir=None) -> ChargingCurve:
        program = check_program(program, self.num_qubits, self.name)
        shots = check_shots(shots)
        t = check_times(times, allow_single=True)
        if shots is None and tomography:
            raise ConfigError("tomography needs shots (exact runs report the ergotropy of the state directly)",
                              argument="tomography", allowed="False when shots is None")
        if shots is None:
            curve = self._exact(program, t, seed)
        else:
            curve = self._sampled(program, t, shots, tomography, seed)
        if results_dir is not None:
            write_curve(curve, f"{results_dir}/curve.json")
        return curve

    def _sampled(self, program, t, shots, tomography, seed) -> ChargingCurve:
        plan = build_plan(program, t, tomography=tomography)
        circs = measured_circuits(program, plan)
        if self.device is None:
            circs, sim = self._logical(circs), self.simulator()
        else:
            circs = transpile_for_device(circs, self.device, seed=seed, optimization_level=self.optimization_level)
            sim = device_simulator(self.device, circs, method=self.method)
        res = sim.run(circs, shots=shots, seed_simulator=seed).result()
        counts = [res.get_counts(k) for k in range(len(circs))]
        return curve_from_results(plan, counts, shots=shots, metadata={"backend": self.name})

    def _exact(self, program, t, seed) -> ChargingCurve:
        n = program.num_qubits
        members = len(program.initial_states)
        base = [program.circuit(x, m) for x in t for m in range(members)]
        if self.device is None:
            circs = self._logical(base)
            for qc in circs:
                qc.save_statevector() if self.method == "statevector" else qc.save_density_matrix()
            res = self.simulator().run(circs, seed_simulator=seed).result()
            states = [[np.asarray(res.data(i * members + m)["statevector" if self.method == "statevector"
                                                            else "density_matrix"])
                       for m in range(members)] for i in range(t.size)]
            return curve_from_states(program, t, states, metadata={"backend": self.name})
        if self.method != "density_matrix":
            raise ConfigError("exact noisy values need the density-matrix method", argument="method",
                              allowed="'density_matrix' with noise (or shots for sampling)")
        # (1) prediction of the measured values: exact distributions through readout errors
        plan = build_plan(program, t)
        measured = transpile_for_device(measured_circuits(program, plan), self.device, seed=seed,
                                        optimization_level=self.optimization_level)
        isa = transpile_for_device(base, self.device, seed=seed, optimization_level=self.optimization_level)
        sim = device_simulator(self.device, list(measured) + list(isa), method="density_matrix")
        nm = sim.options.noise_model
        prob_circs, clbit_qubits = [], []
        for qc in measured:
            phys = [None] * qc.num_clbits
            stripped = qc.copy_empty_like()
            for inst in qc.data:
                if inst.operation.name == "measure":
                    phys[qc.find_bit(inst.clbits[0]).index] = qc.find_bit(inst.qubits[0]).index
                else:
                    stripped.append(inst)
            stripped.save_probabilities(qubits=phys)
            prob_circs.append(stripped)
            clbit_qubits.append(phys)
        res = sim.run(prob_circs, seed_simulator=seed).result()
        dists = []
        for k, phys in enumerate(clbit_qubits):
            p = np.asarray(res.data(k)["probabilities"], dtype=float)
            p = p.reshape([2] * len(phys))  # axis a ↔ clbit len−1−a
            for j, q in enumerate(phys):
                axis = len(phys) - 1 - j
                p = np.moveaxis(np.tensordot(_readout_matrix(nm, q).T, np.moveaxis(p, axis, 0), axes=1), 0, axis)
            p = p.ravel()
            dists.append({format(b, f"0{len(phys)}b"): float(v) for b, v in enumerate(p) if v > 0})
        curve = curve_from_results(plan, dists, exact=True, shots=self.predict_shots,
                                   metadata={"backend": self.name, "prediction": "noisy density matrix with readout "
                                                                                 "errors"})
        # (2) the noisy state itself (no readout error): energy and ergotropy
        for qc in isa:
            qc.save_density_matrix(qubits=final_layout(qc, n))
        res = sim.run(isa, seed_simulator=seed).result()
        e_state = np.zeros(t.size)
        erg = np.zeros(t.size) if program.weights_kind == "probability" else None
        hb = program.battery_hamiltonian.to_matrix()
        h_full = program.energy_observable.to_matrix(sparse=True)
        for i in range(t.size):
            rho_b = 0.0
            for m in range(members):
                rho = np.asarray(res.data(i * members + m)["density_matrix"])
                w = program.weights[m]
                e_state[i] += w * float(np.real((h_full @ rho).diagonal().sum()))
                if erg is not None:
                    keep = list(program.battery_qubits)
                    rho_b = rho_b + w * (rho if keep == list(range(n)) else partial_trace(rho, keep, [2] * n))
            if erg is not None:
                erg[i] = ergotropy(rho_b, hb)
        curve.observables["energy_state"] = e_state
        if erg is not None:
            curve.observables["ergotropy_state"] = erg
        return curve
