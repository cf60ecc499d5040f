"""From a compiled program to measured circuits, and from their results to a charging curve.

The :class:`ExecutionPlan` is everything needed to turn results back into a curve, in a
JSON-serialisable form, so that an interrupted hardware run can be finished later from the
results directory alone (:func:`qbhw.backends.resume`): the times, the ensemble weights, the
battery Hamiltonian, the measurement groups and which circuit ("pub") measured what.

Aggregation (:func:`curve_from_results`): for every time and ensemble member the operators'
group estimates are summed; the ensemble value is ``Σ_m w_m E_m`` with variance
``Σ_m w_m² σ_m²`` (plus, for a *sampled* thermal ensemble, the between-sample variance
``Σ_m w_m (E_m − Ē)²/(k − 1)`` of k draws); its square root is the curve's ``energy_stderr`` (never 0
for a finite number of shots, :func:`qbhw.metrics.pauli_sum_estimate`; ``None`` for exact
distributions without ``shots``). Work is ``W = E − E(t_0)`` (review Eq. 3) with ``work_stderr``
from :func:`_work_stderr`: ``σ_W,i² = σ_E,i² + σ_E,0²`` and ``σ_W,0 = 0`` (``W_0 ≡ 0``) when the
reference is the measured ``E(t=0)``, ``σ_W = σ_E`` when it is the exact initial energy.
Ergotropy is reported only when the battery state is known (state simulators, tomography);
otherwise ``None`` and the population lower bound is given as the ``ergotropy_lower_bound``
observable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from ..compile.measurement import (
    MeasurementPlan,
    add_measurement,
    battery_populations,
    group_estimates,
    plan_measurements,
    population_lower_bound,
    tomography_settings,
    tomography_state,
)
from ..compile.program import ChargingProgram
from ..errors import InvalidArgumentError
from ..metrics import ChargingCurve, check_times, ergotropy, make_charging_curve

__all__ = ["ExecutionPlan", "build_plan", "measured_circuits", "curve_from_results", "curve_from_states",
           "check_shots", "initial_energy"]


def check_shots(shots, *, allow_none: bool = True) -> int | None:
    """Shots must be a positive integer (or None for exact expectation values where allowed)."""
    if shots is None:
        if allow_none:
            return None
        raise InvalidArgumentError("this backend samples: shots are required", argument="shots",
                                   allowed="an integer >= 1")
    if isinstance(shots, bool) or not float(shots).is_integer() or int(shots) < 1:
        raise InvalidArgumentError(f"got {shots!r}", argument="shots",
                                   allowed="an integer >= 1" + (" (or None for exact values)" if allow_none else ""))
    return int(shots)


def _op_to_dict(op: SparsePauliOp) -> dict:
    return {"labels": [p.to_label() for p in op.paulis], "coeffs": [float(np.real(c)) for c in op.coeffs]}


def _op_from_dict(d: dict) -> SparsePauliOp:
    return SparsePauliOp(d["labels"], np.asarray(d["coeffs"], dtype=complex))


@dataclass
class ExecutionPlan:
    """Serialisable description of a run (see module docstring)."""

    program: str
    program_metadata: dict[str, Any]
    times: list[float]
    weights: list[float]
    weights_kind: str
    ensemble: str | None
    num_qubits: int
    battery_qubits: list[int]
    battery_hamiltonian: dict
    measurement: dict
    observables: list[str]
    tomography: bool
    pubs: list[dict] = field(default_factory=list)
    energy_bound: list[float] = field(default_factory=list)
    initial_energy: float = 0.0

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "ExecutionPlan":
        return cls(**d)

    @property
    def measurement_plan(self) -> MeasurementPlan:
        return MeasurementPlan.from_dict(self.measurement)

    @property
    def battery_operator(self) -> SparsePauliOp:
        return _op_from_dict(self.battery_hamiltonian)


def build_plan(program: ChargingProgram, times, *, tomography: bool = False) -> ExecutionPlan:
    """Which circuits to run for ``program`` on ``times`` (energy, observables, optional tomography)."""
    t = check_times(times, allow_single=True)
    ops = {"energy": program.energy_observable, **program.observables}
    mplan = plan_measurements(ops)
    pubs = []
    for i in range(t.size):
        for m in range(len(program.initial_states)):
            for g in range(len(mplan.groups)):
                pubs.append({"time": i, "member": m, "kind": "group", "index": g})
            if tomography:
                for s in tomography_settings(len(program.battery_qubits)):
                    pubs.append({"time": i, "member": m, "kind": "tomography", "index": s})
    return ExecutionPlan(
        program=program.name, program_metadata=_jsonable(program.metadata), times=[float(x) for x in t],
        weights=[float(w) for w in program.weights], weights_kind=program.weights_kind,
        ensemble=program.metadata.get("ensemble"), num_qubits=program.num_qubits,
        battery_qubits=list(program.battery_qubits), battery_hamiltonian=_op_to_dict(program.battery_hamiltonian),
        measurement=mplan.as_dict(), observables=list(program.observables), tomography=bool(tomography),
        pubs=pubs, energy_bound=[float(program.energy_bound(x)) for x in t],
        initial_energy=initial_energy(program))


def initial_energy(program: ChargingProgram) -> float:
    """Exact ``⟨H_B⟩`` of the prepared initial ensemble (the work reference E(0) when t = 0 is not measured)."""
    return float(program._weighted(program.initial_vectors, program.energy_observable))


def _work(times: np.ndarray, energy: np.ndarray, e0: float) -> tuple[np.ndarray, str]:
    """W = E − E(0): the measured E(t=0) when the grid starts at 0, else the exact initial energy."""
    if times[0] == 0:
        return energy - energy[0], "measured E(t=0)"
    return energy - e0, "exact energy of the prepared initial state"


def _work_stderr(times: np.ndarray, energy_stderr: np.ndarray | None) -> np.ndarray | None:
    """σ of the work of :func:`_work`. Reference the measured ``E(t=0)`` (independent circuits):
    ``Var W_i = Var E_i + Var E_0`` for i > 0 and ``W_0 ≡ 0`` by construction, so σ = 0 there (a fit of
    the work leaves that point out, :func:`qbhw.protocols._charging.curve_fit_data`). Reference the exact
    initial energy: ``σ_W = σ_E``."""
    if energy_stderr is None:
        return None
    es = np.asarray(energy_stderr, dtype=float)
    if times[0] == 0:
        ws = np.sqrt(es**2 + es[0] ** 2)
        ws[0] = 0.0
        return ws
    return es.copy()


def measured_circuits(program: ChargingProgram, plan: ExecutionPlan) -> list:
    """Logical circuits (prep + evolution + basis change + measurement), one per pub of ``plan``."""
    mplan = plan.measurement_plan
    base = {}
    out = []
    for pub in plan.pubs:
        key = (pub["time"], pub["member"])
        if key not in base:
            base[key] = program.circuit(plan.times[pub["time"]], pub["member"])
        if pub["kind"] == "group":
            g = mplan.groups[pub["index"]]
            qc = add_measurement(base[key], g.qubits, g.basis)
        else:
            qc = add_measurement(base[key], plan.battery_qubits, pub["index"])
        qc.name = f"{base[key].name}_{pub['kind']}{pub['index']}"
        out.append(qc)
    return out


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)


def _combine(plan: ExecutionPlan, values: np.ndarray, variances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble average over members (axis 1) with its variance."""
    w = np.asarray(plan.weights)
    mean = values @ w
    var = variances @ (w**2)
    if plan.ensemble == "sampled" and len(w) > 1:
        k = plan.program_metadata.get("samples") or len(w)
        var = var + ((values - mean[:, None]) ** 2) @ w / max(int(k) - 1, 1)
    return mean, var


def curve_from_results(plan: ExecutionPlan, results: list[dict[str, float]], *, exact: bool = False,
                       shots: int | None = None, metadata: dict | None = None,
                       bootstrap: int = 200) -> ChargingCurve:
    """Charging curve from one outcome histogram per pub (counts, or exact distributions with ``exact``).

    Sampled counts (not ``exact``) are bootstrapped over shots with ``bootstrap`` replicates (0: off;
    :mod:`qbhw.backends._bootstrap`, seeded from a hash of the counts, so reruns are identical): the
    observables ``ergotropy_lower_bound_stderr`` / ``ergotropy_stderr`` (tomography) and
    ``metadata["intervals"]`` (name → :meth:`qbhw.metrics.Interval.to_dict`: ``tau_max_power``,
    ``max_average_power``, ``tau_energy_peak``, ``average_power_energy_peak``, ``max_energy``,
    ``final_ergotropy_lower_bound``, ``final_ergotropy``).
    """
    if len(results) != len(plan.pubs):
        raise InvalidArgumentError(f"{len(results)} results for {len(plan.pubs)} circuits", argument="results",
                                   allowed="one result per circuit of the plan")
    mplan = plan.measurement_plan
    nt, nm = len(plan.times), len(plan.weights)
    names = ["energy", *plan.observables]
    vals = {k: np.zeros((nt, nm)) for k in names}
    varis = {k: np.zeros((nt, nm)) for k in names}
    for k in names:
        vals[k] += mplan.constants.get(k, 0.0)
    pops = np.full((nt, nm), None, dtype=object)
    tomo: dict[tuple[int, int], dict[str, dict]] = {}
    diag_group = mplan.diagonal_group.get("energy")
    for pub, res in zip(plan.pubs, results):
        i, m = pub["time"], pub["member"]
        if pub["kind"] == "group":
            for name, (mu, var) in group_estimates(mplan, pub["index"], res, exact=exact, shots=shots).items():
                vals[name][i, m] += mu
                varis[name][i, m] += var
            if pub["index"] == diag_group:
                pops[i, m] = battery_populations(res, mplan.groups[diag_group], plan.battery_qubits)
        else:
            tomo.setdefault((i, m), {})[pub["index"]] = res
    mean, var = {}, {}
    for k in names:
        mean[k], var[k] = _combine(plan, vals[k], varis[k])
    sampled = not exact or shots is not None  # exact distributions without shots: no shot noise
    energy_stderr = np.sqrt(var["energy"]) if sampled else None
    observables = {"trotter_energy_bound": np.asarray(plan.energy_bound)}
    for k in plan.observables:
        observables[k] = mean[k]
        if sampled:
            observables[f"{k}_stderr"] = np.sqrt(var[k])
    hb = plan.battery_operator
    if plan.weights_kind == "probability" and diag_group is not None and all(p is not None for p in pops.ravel()):
        g = mplan.groups[diag_group]
        pos = {q: k for k, q in enumerate(g.qubits)}
        basis = "".join(g.basis[pos[q]] for q in plan.battery_qubits)
        w = np.asarray(plan.weights)
        observables["ergotropy_lower_bound"] = np.array(
            [population_lower_bound(sum(w[m] * pops[i, m] for m in range(nm)), hb, basis) for i in range(nt)])
    erg = None
    if plan.tomography and plan.weights_kind == "probability":
        w = np.asarray(plan.weights)
        n_b = len(plan.battery_qubits)
        hmat = hb.to_matrix()
        erg = np.empty(nt)
        for i in range(nt):
            rho = sum(w[m] * tomography_state(tomo[(i, m)], n_b) for m in range(nm))
            erg[i] = ergotropy(rho, hmat)
    times = np.asarray(plan.times)
    work, ref = _work(times, mean["energy"], plan.initial_energy)
    meta = {"program": plan.program, **plan.program_metadata, "shots": shots, "exact_distributions": exact,
            "work_reference": ref, **(metadata or {})}
    from ._bootstrap import check_bootstrap, shot_intervals

    if check_bootstrap(bootstrap) and not exact:  # bootstrap over shots: intervals of the figures of merit
        extra, meta["intervals"] = shot_intervals(
            plan, results, int(bootstrap), times=times, energy=mean["energy"], work=work,
            work_of=lambda e: _work(times, e, plan.initial_energy)[0],
            lower_bound=observables.get("ergotropy_lower_bound"), ergotropy=erg)
        observables.update(extra)
    return make_charging_curve(times, mean["energy"], work=work, ergotropy=erg, metadata=meta,
                               observables=observables, energy_stderr=energy_stderr,
                               work_stderr=_work_stderr(times, energy_stderr))


def curve_from_states(program: ChargingProgram, times, states: list[list[np.ndarray]], *,
                      metadata: dict | None = None) -> ChargingCurve:
    """Charging curve from exact states ``states[i][m]`` (vector or density matrix on the program register)."""
    from ..metrics import partial_trace

    t = check_times(times, allow_single=True)
    w = program.weights
    ops = {"energy": program.energy_observable, **program.observables}
    mats = {k: o.to_matrix(sparse=True) for k, o in ops.items()}
    out = {k: np.empty(t.size) for k in ops}
    erg = np.empty(t.size) if program.weights_kind == "probability" else None
    n = program.num_qubits
    hb = program.battery_hamiltonian.to_matrix()
    keep = list(program.battery_qubits)
    for i in range(t.size):
        rho_b = 0.0
        for k in ops:
            acc = 0.0
            for m, st in enumerate(states[i]):
                if st.ndim == 1:
                    acc += w[m] * float(np.real(np.vdot(st, mats[k] @ st)))
                else:
                    acc += w[m] * float(np.real((mats[k] @ st).diagonal().sum()))
            out[k][i] = acc
        if erg is not None:
            for m, st in enumerate(states[i]):
                rho = np.outer(st, st.conj()) if st.ndim == 1 else st
                rho_b = rho_b + w[m] * (rho if keep == list(range(n)) else partial_trace(rho, keep, [2] * n))
            erg[i] = ergotropy(rho_b, hb)
    observables = {k: out[k] for k in program.observables}
    observables["trotter_energy_bound"] = np.array([program.energy_bound(x) for x in t])
    work, ref = _work(t, out["energy"], initial_energy(program))
    meta = {"program": program.name, **_jsonable(program.metadata), "work_reference": ref, **(metadata or {})}
    return make_charging_curve(t, out["energy"], work=work, ergotropy=erg, metadata=meta, observables=observables)
