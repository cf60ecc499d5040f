"""Public entry points of the pulse-level solver.

``simulate(model, signals, initial_state, method="fast" | "ode", frame="rotating" | "lab",
rwa_cutoff_ghz=None, record=None)`` evolves a :class:`~qbhw.pulse.model.PulseModel` under
sampled :class:`~qbhw.pulse.schedule.PulseSignals` (hardware model: envelopes held for one dt,
carriers continuous) and returns a :class:`PulseResult` with the states at the requested sample
boundaries. ``method="fast"`` is the sample-by-sample Magnus propagator
(:mod:`qbhw.pulse.propagate`), ``method="ode"`` the adaptive DOP853 reference on the *same*
compiled model (:mod:`qbhw.pulse.ode`). Closed systems evolve ψ, open ones ρ (Lindblad, with the
model's jump operators). ``simulate_sweep`` runs many signal sets of the same structure at once
(vectorised over the sweep) and returns final states.

States are reported in the original basis, in the rotating frame of ``frame`` (default) or in
the lab frame (``output_frame="lab"``). Energies are ``Tr[H_B ρ] − E_ground`` in GHz (E/h) and
do not depend on the frame when ``H_B`` commutes with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError, InvalidStateError, InvalidTimesError
from ..metrics import ergotropy as _ergotropy
from ..metrics import make_charging_curve
from .ode import solve_ode
from .problem import LinearProblem, compile_problem
from .propagate import MAX_PHASE, active_terms, propagate_lanes, propagate_trajectory, substeps_for

__all__ = ["PulseResult", "simulate", "simulate_sweep", "initial_state_vector"]

METHODS = ("fast", "ode")


def initial_state_vector(state, dim: int) -> np.ndarray:
    """An integer level ``k`` → ``|k⟩``; a vector or density matrix is checked and returned as complex."""
    if isinstance(state, (int, np.integer)):
        if not 0 <= int(state) < dim:
            raise InvalidStateError(f"level {state} outside 0..{dim - 1}", argument="initial_state",
                                    allowed=f"0..{dim - 1}")
        v = np.zeros(dim, dtype=complex)
        v[int(state)] = 1
        return v
    arr = np.asarray(state, dtype=complex)
    if not np.all(np.isfinite(arr)):
        raise InvalidStateError("contains NaN or inf", argument="initial_state", allowed="finite entries")
    if arr.shape == (dim,):
        nrm = np.linalg.norm(arr)
        if abs(nrm - 1) > 1e-8:
            raise InvalidStateError(f"norm {nrm:.6g}", argument="initial_state", allowed="a unit vector")
        return arr
    if arr.shape == (dim, dim):
        if abs(np.trace(arr) - 1) > 1e-8 or not np.allclose(arr, arr.conj().T, atol=1e-10):
            raise InvalidStateError("not a density matrix (trace 1, Hermitian)", argument="initial_state",
                                    allowed="a density matrix")
        return arr
    raise DimensionMismatchError(f"shape {arr.shape}", argument="initial_state",
                                 allowed=f"a level index, ({dim},) or ({dim}, {dim})")


def _record_indices(record, n: int) -> np.ndarray:
    if record is None or (isinstance(record, str) and record == "all"):
        return np.arange(n + 1)
    if isinstance(record, str) and record == "final":
        return np.array([n])
    r = np.asarray(record)
    if r.ndim != 1 or r.size == 0 or not np.issubdtype(r.dtype, np.integer):
        raise InvalidArgumentError("record must be 'all', 'final' or sample indices", argument="record",
                                   allowed=f"integers in 0..{n}")
    if np.any(r < 0) or np.any(r > n) or np.any(np.diff(r) <= 0):
        raise InvalidArgumentError("sample indices must be increasing within 0..n", argument="record",
                                   allowed=f"strictly increasing integers in 0..{n}")
    return r.astype(int)


@dataclass
class PulseResult:
    """States of one pulse-level run at sample boundaries ``samples`` (times ``times_ns``)."""

    times_ns: np.ndarray
    samples: np.ndarray
    states: np.ndarray            # (K, d) vectors or (K, d, d) density matrices, original basis
    output_frame: str
    model: object
    problem: LinearProblem
    method: str
    substeps: int | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.states.ndim == 3

    def density_matrices(self) -> np.ndarray:
        if self.is_open:
            return self.states
        return np.einsum("ki,kj->kij", self.states, self.states.conj())

    @property
    def populations(self) -> np.ndarray:
        """Level populations ``(K, d)`` in the original basis."""
        if self.is_open:
            return np.real(np.einsum("kii->ki", self.states))
        return np.abs(self.states) ** 2

    def expectation(self, operator) -> np.ndarray:
        return self._expect(self.states, np.asarray(operator, dtype=complex), self.is_open)

    def lab_states(self) -> np.ndarray:
        if self.output_frame == "lab":
            return self.states
        V, f = self.problem.frame_vectors, self.problem.frame_freqs
        ph = np.exp(-1j * np.outer(self.times_ns, f))
        if self.is_open:
            r = V.conj().T @ self.states @ V
            r = ph[:, :, None] * r * ph.conj()[:, None, :]
            return V @ r @ V.conj().T
        return ((self.states @ V.conj()) * ph) @ V.T

    def battery_energy_ghz(self, hamiltonian=None) -> np.ndarray:
        """``Tr[H_B ρ(t)] − E_ground`` in GHz (E/h), with ``H_B`` the model's battery Hamiltonian by default."""
        hb = self.model.battery_hamiltonian if hamiltonian is None else np.asarray(hamiltonian, dtype=complex)
        e0 = float(np.min(np.linalg.eigvalsh(hb)))
        return (self._expect(self.lab_states(), hb, self.is_open) - e0) / (2 * np.pi)

    @staticmethod
    def _expect(states, op, is_open):
        if is_open:
            return np.real(np.einsum("ij,kji->k", op, states))
        return np.real(np.einsum("ki,ij,kj->k", states.conj(), op, states))

    def battery_states(self) -> np.ndarray:
        """Reduced transmon states (lab frame): partial trace over the resonator when there is one."""
        rho = self.lab_states() if self.is_open else None
        if rho is None:
            psi = self.lab_states()
            rho = np.einsum("ki,kj->kij", psi, psi.conj())
        dims = self.model.dims
        if len(dims) == 1:
            return rho
        dq, dr = dims
        r = rho.reshape(-1, dr, dq, dr, dq)
        return np.einsum("kaiaj->kij", r)

    def charging_curve(self, *, ergotropy: bool = True, kind: str = "trajectory", metadata=None):
        """A :func:`qbhw.metrics.make_charging_curve` of the battery energy (GHz) against time (ns).

        ``energy`` = ``Tr[H_B ρ(t)] − E_ground`` of the recorded states, ``work`` = ``E(t) − E(t_0)`` with ``t_0``
        the first recorded time, and (``ergotropy=True``) the ergotropy of the battery's reduced state at every
        recorded sample. A curve carries a power curve and therefore needs at least two recorded times: a
        run recorded at one sample (e.g. ``record="final"``) raises :class:`~qbhw.errors.InvalidTimesError`
        naming ``record`` — record the start as well (``record=[0, n]``), or read the single state from
        :attr:`states` / :meth:`battery_energy_ghz`.
        """
        if self.times_ns.size < 2:
            raise InvalidTimesError(f"the run was recorded at {self.times_ns.size} sample(s) "
                                    f"({self.samples.tolist()}); a charging curve (with its power curve) needs at "
                                    "least two times",
                                    argument="record", allowed="at least two recorded samples, e.g. [0, n] or 'all'")
        energy = self.battery_energy_ghz()
        erg = None
        if ergotropy:
            hb = self.model.battery_hamiltonian
            dims = self.model.dims
            hq = hb if len(dims) == 1 else hb.reshape(dims[1], dims[0], dims[1], dims[0])[0, :, 0, :]
            erg = np.array([_ergotropy(r, hq) for r in self.battery_states()]) / (2 * np.pi)
        meta = {"model": getattr(self.model, "name", ""), "method": self.method, "units": "time ns, energy GHz (E/h)",
                "frame": self.output_frame, "substeps": self.substeps, **(metadata or {})}
        return make_charging_curve(self.times_ns, energy, ergotropy=erg, kind=kind, metadata=meta,
                                   observables={"populations": self.populations})


def _y0(problem: LinearProblem, state, dim: int) -> np.ndarray:
    v = initial_state_vector(state, dim)
    if problem.open:
        return problem.to_frame(v)
    if v.ndim == 2:
        raise InvalidStateError("a density matrix needs an open-system run", argument="initial_state",
                                allowed="a state vector or level index for closed systems")
    return problem.to_frame(v)


def simulate(model, signals, initial_state, *, method: str = "fast", frame="rotating",
             rwa_cutoff_ghz: float | None = None, record=None, output_frame: str = "rotating",
             open_system: bool | None = None, max_phase: float = MAX_PHASE, substeps: int | None = None,
             rtol: float = 1e-10, atol: float = 1e-12, continuous: dict | None = None,
             scheme: str = "auto") -> PulseResult:
    """Evolve ``model`` under ``signals`` from ``initial_state`` (see the module doc).

    ``record``: ``None``/"all" (every sample boundary), "final", or increasing sample indices in 0..n.
    ``open_system``: default = the model has jump operators. ``max_phase``/``substeps``: sub-stepping
    of the fast path. ``rtol``/``atol``: tolerances of the ODE path. ``continuous``: ODE path only,
    ``{channel: callable(t_ns) -> ŝ(t)}`` continuous absolute-time amplitudes (GHz) that replace the
    held samples (the continuous-envelope reference of stack.md; carriers as in ``signals``).
    ``scheme``: open systems on the fast path, ``"auto"`` | ``"split"`` | ``"magnus"``
    (:func:`qbhw.pulse.propagate.propagate_trajectory`).
    """
    if continuous is not None and method != "ode":
        raise ConfigError("continuous envelopes need the ODE path", argument="method", allowed="'ode'")
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}", argument="method", allowed="'fast' | 'ode'")
    problem = compile_problem(model, signals, frame=frame, rwa_cutoff_ghz=rwa_cutoff_ghz, open_system=open_system)
    rec = _record_indices(record, problem.n_samples)
    y0 = _y0(problem, initial_state, model.dim)
    M = None
    if method == "fast":
        active = active_terms(problem)
        M = substeps_for(problem, max_phase, active) if substeps is None else int(substeps)
        ys = propagate_trajectory(problem, y0, rec, substeps=M, scheme=scheme, active=active)
    else:
        env = None if continuous is None else problem.continuous_coefficients(continuous)
        ys = solve_ode(problem, y0, rec, rtol=rtol, atol=atol, envelope=env)
    times = rec * problem.dt_ns
    states = problem.from_frame(ys, times, output_frame)
    return PulseResult(times, rec, states, output_frame, model, problem, method, M,
                       {"rwa_cutoff_ghz": rwa_cutoff_ghz, "frame": frame if isinstance(frame, str) else "custom"})


def simulate_sweep(model, signals_list, initial_state, *, frame="rotating", rwa_cutoff_ghz: float | None = None,
                   output_frame: str = "rotating", open_system: bool | None = None, max_phase: float = MAX_PHASE,
                   substeps: int | None = None, lanes_per_batch: int = 512) -> np.ndarray:
    """Final states of many runs with the same channels, length and carriers (a parameter sweep).

    Vectorised over the runs (sequential in time). Returns ``(P, d)`` state vectors or ``(P, d, d)``
    density matrices in the original basis and ``output_frame``.
    """
    signals_list = list(signals_list)
    if not signals_list:
        raise InvalidArgumentError("no signals", argument="signals_list", allowed="a non-empty list")
    out = []
    for b0 in range(0, len(signals_list), lanes_per_batch):
        batch = signals_list[b0:b0 + lanes_per_batch]
        problem = compile_problem(model, batch[0], frame=frame, rwa_cutoff_ghz=rwa_cutoff_ghz,
                                  open_system=open_system, lanes=batch)
        y0 = _y0(problem, initial_state, model.dim)
        yf = propagate_lanes(problem, y0, max_phase=max_phase, substeps=substeps)
        t = np.full(len(batch), problem.n_samples * problem.dt_ns)
        if output_frame == "lab":
            states = np.stack([problem.from_frame(yf[i:i + 1], t[i:i + 1], "lab")[0] for i in range(len(batch))])
        else:
            states = problem.from_frame(yf, t, "rotating")
        out.append(states)
    return np.concatenate(out)
