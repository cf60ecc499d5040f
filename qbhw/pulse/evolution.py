"""Superoperator building blocks for multi-part pulse experiments: exact free evolution and pulse maps.

Experiments such as storage after a charging pulse or a STIRAP Ramsey sequence (half pulse, free
evolution, reversed half pulse) alternate driven and undriven stretches. The driven stretches are
simulated by :func:`qbhw.pulse.simulate`; these two classes give the other pieces as linear maps on
density matrices so that a sequence can be composed without re-simulating idle samples.

* :class:`FreeEvolution` — ``ρ(τ) = e^{𝓛τ} ρ`` of the undriven Lindblad equation of a
  :class:`~qbhw.pulse.PulseModel` in the **lab frame** (static Hamiltonian ``H0`` and the model's jump
  operators, :func:`~qbhw.pulse.lindblad_superoperator`); :func:`free_evolution` for a one-off call.
* :class:`PulseMap` — the superoperator of one pulse started at an absolute time ``t0`` whose carriers
  have been running since ``t = 0`` (the hardware model of :mod:`qbhw.pulse.schedule`).

Frames (as in :mod:`qbhw.pulse.problem`): the rotating frame of the model's static Hamiltonian
``F = H0 = V diag(f) V†`` at absolute time ``t`` is ``ρ̃(t) = e^{iFt} ρ_lab(t) e^{−iFt}``; this is what
:func:`qbhw.pulse.simulate` reports with ``output_frame="rotating"``, with ``t`` counted from the start of
its schedule. Row-major vectorisation ``vec(ρ) = ρ.reshape(-1)`` throughout. Units: ns, rad/ns (ħ = 1).
Open-system dynamics: GKSL master equation (review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024),
Sec. V).
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError, InvalidTimesError
from .problem import compile_problem, lindblad_superoperator
from .propagate import _chunk_samples, active_terms, sample_propagators, substeps_for
from .solver import initial_state_vector

__all__ = ["FreeEvolution", "free_evolution", "PulseMap", "PHASE_MATCH_RAD"]

#: condition number of the eigenvector matrix of 𝓛 above which :class:`FreeEvolution` uses ``expm``
_MAX_CONDITION = 1e6

#: :class:`PulseMap` shares one superoperator between start times whose carrier phases ``e^{iΩ_q t0}`` agree to
#: this (absolute, per term). The compiler rounds term frequencies to 1e-9 rad/ns, i.e. phases to ~2e-5 rad after
#: 20 µs, so start times that are equivalent in exact arithmetic agree only to that level; sharing at 1e-4 changes
#: populations by < 1e-8 for the transmon qutrit up to 20 µs.
PHASE_MATCH_RAD = 1e-4


def _density_matrix(state, d: int) -> np.ndarray:
    """A level index, a state vector ``(d,)`` or a density matrix ``(d, d)`` (also as a row-major ``(d²,)``)."""
    arr = state if isinstance(state, (int, np.integer)) else np.asarray(state, dtype=complex)
    if not isinstance(arr, (int, np.integer)) and arr.shape == (d * d,) and d > 1:
        arr = arr.reshape(d, d)
    v = initial_state_vector(arr, d)
    return np.outer(v, v.conj()) if v.ndim == 1 else v


def _times(times_ns) -> np.ndarray:
    t = np.atleast_1d(np.asarray(times_ns, dtype=float))
    if t.ndim != 1 or not np.all(np.isfinite(t)):
        raise InvalidTimesError("times must be a finite 1-D array", argument="times_ns", allowed="finite times (ns)")
    return t


class FreeEvolution:
    """Exact undriven Lindblad evolution ``ρ(τ) = e^{𝓛τ} ρ`` of a :class:`~qbhw.pulse.PulseModel`, lab frame.

    ``𝓛ρ = −i[H0, ρ] + Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ})`` with the model's static Hamiltonian ``H0`` (rad/ns)
    and jump operators ``L_k`` (ns^{-1/2}; for a transmon ``√(1/T1) b`` and ``√(2/Tφ) n̂``); a closed model
    (no jumps) evolves unitarily. No drive: the channels are idle, so the lab-frame generator is constant
    and the evolution is exact for any τ. 𝓛 is diagonalised once (``𝓛 = W Λ W⁻¹``); each τ then costs
    one product, ``vec ρ(τ) = W e^{Λτ} W⁻¹ vec ρ``. For a transmon 𝓛 keeps the coherence order j − k and
    its eigenvalues ``−i(E_j − E_k) − rates`` are distinct, so the eigenbasis is well conditioned; when
    it is not (condition number above 1e6, e.g. degenerate levels with jumps) every τ falls back to
    ``scipy.linalg.expm(𝓛τ)``.

    Attributes: ``dim`` (d), ``generator`` (𝓛, d² × d², row-major ``vec(ρ)``; see
    :func:`~qbhw.pulse.lindblad_superoperator`), ``diagonalised`` (whether the eigenbasis is used).
    """

    def __init__(self, model):
        self.model = model
        self.dim = int(model.dim)
        self.generator = lindblad_superoperator(model.static, model.jump_operators)
        lam, W = np.linalg.eig(self.generator)
        self._eig = None if np.linalg.cond(W) > _MAX_CONDITION else (lam, W, np.linalg.inv(W))

    @property
    def diagonalised(self) -> bool:
        return self._eig is not None

    def evolve(self, state, times_ns) -> np.ndarray:
        """Lab-frame density matrices ``ρ(τ)`` for each ``τ`` in ``times_ns`` (ns): array ``(len(times_ns), d, d)``.

        ``state``: a level index, a state vector ``(d,)``, a density matrix ``(d, d)`` or its row-major
        vectorisation ``(d²,)`` — the lab-frame state at ``τ = 0``. ``τ`` may be any finite times (also
        negative: the map is then the inverse evolution, which is not a physical map for open systems).
        """
        d = self.dim
        v = _density_matrix(state, d).reshape(-1)
        t = _times(times_ns)
        if self._eig is not None:
            lam, W, Winv = self._eig
            out = (np.exp(np.outer(t, lam)) * (Winv @ v)) @ W.T
        else:
            from scipy.linalg import expm

            out = np.array([expm(self.generator * ti) @ v for ti in t]).reshape(t.size, d * d)
        return out.reshape(t.size, d, d)


def free_evolution(model, state, times_ns) -> np.ndarray:
    """One-off :meth:`FreeEvolution.evolve`: lab-frame ``ρ(τ) = e^{𝓛τ} ρ`` of the undriven ``model``, ``(K, d, d)``."""
    return FreeEvolution(model).evolve(state, times_ns)


class PulseMap:
    """The superoperator of a pulse started at absolute time ``t0``, with its carriers running since ``t = 0``.

    ``signals`` (:class:`~qbhw.pulse.PulseSignals`, built from a schedule that starts at 0) is the pulse;
    played inside a longer experiment it starts at ``t0`` and every carrier has advanced by ``ω t0`` — the
    phase a device with continuous carriers gives it. In the rotating frame of the model's static
    Hamiltonian (:func:`~qbhw.pulse.compile_problem`) term ``q`` of the generator carries
    ``c_{k,q} e^{iΩ_q t}`` (``Ω_q`` a carrier ± level difference, or for dissipator cross terms a level
    difference), so a start at ``t0`` multiplies its coefficients by ``e^{iΩ_q t0}``. The superoperator
    ``S(t0)`` (product of the Magnus-6 sample propagators of :mod:`qbhw.pulse.propagate`; open or closed
    model, always as a superoperator on the row-major ``vec(ρ)``) therefore depends on ``t0`` only through
    these phases; it is built once per distinct set of phases (equal to :data:`PHASE_MATCH_RAD` by default)
    and cached — start times that differ by a common period of all kept terms share one map (for the
    transmon qutrit with the ±α cross terms kept: multiples of 1/|α|).

    Frames (``F = V diag(f) V†`` the model's static Hamiltonian, ``T`` the pulse length):
    :meth:`apply` takes the **lab-frame** state at ``t0`` and returns the state at ``t0 + T``, by default in
    the **rotating frame at absolute time** ``t0 + T``: ``ρ̃ = e^{iF(t0+T)} ρ_lab(t0+T) e^{−iF(t0+T)}`` — what
    :func:`qbhw.pulse.simulate` (``output_frame="rotating"``) reports at the end of a schedule in which
    this pulse starts at ``t0``; ``output_frame="lab"`` gives ``ρ_lab(t0 + T)``. :meth:`superoperator`
    acts on the frame-basis ``vec(ρ̃)`` (for a diagonal ``H0`` the frame basis is the level basis).

    Parameters: ``model`` (:class:`~qbhw.pulse.PulseModel`), ``signals``, ``rwa_cutoff_ghz`` (as in
    :func:`~qbhw.pulse.simulate`; ``None`` keeps every term), ``phase_match_rad`` (cache tolerance).
    """

    def __init__(self, model, signals, rwa_cutoff_ghz: float | None = None, *,
                 phase_match_rad: float = PHASE_MATCH_RAD):
        if not (np.isfinite(phase_match_rad) and phase_match_rad >= 0):
            raise InvalidArgumentError(f"got {phase_match_rad!r}", argument="phase_match_rad", allowed=">= 0 (rad)")
        self.model = model
        self.problem = compile_problem(model, signals, rwa_cutoff_ghz=rwa_cutoff_ghz, open_system=True)
        self.rwa_cutoff_ghz = rwa_cutoff_ghz
        self.phase_match_rad = float(phase_match_rad)
        self.duration_ns = self.problem.n_samples * self.problem.dt_ns
        self._active = active_terms(self.problem)
        self.substeps = substeps_for(self.problem, active=self._active)
        self._maps: list[tuple[np.ndarray, np.ndarray]] = []

    @property
    def n_cached(self) -> int:
        """Number of distinct superoperators built so far."""
        return len(self._maps)

    def superoperator(self, t0_ns: float) -> np.ndarray:
        """``S(t0)`` (d² × d²): frame-basis ``vec(ρ̃)`` at the pulse start → at its end (row-major vec)."""
        t0 = float(t0_ns)
        if not np.isfinite(t0):
            raise InvalidArgumentError(f"got {t0_ns!r}", argument="t0_ns", allowed="a finite start time (ns)")
        p = self.problem
        phase = np.exp(1j * p.freqs * t0)
        for key, S in self._maps:
            if np.allclose(key, phase, rtol=0.0, atol=self.phase_match_rad):
                return S
        D = p.D
        coeffs = p.coeffs * phase
        S = np.eye(D, dtype=complex)
        chunk = _chunk_samples(p, self.substeps)
        for c0 in range(0, p.n_samples, chunk):
            c1 = min(p.n_samples, c0 + chunk)
            P = sample_propagators(p, c0, c1, self.substeps, coeffs=coeffs)
            while P.shape[0] > 1:  # ordered product P[n−1] ⋯ P[0] by a pairwise tree
                if P.shape[0] % 2:
                    P = np.concatenate([P, np.eye(D)[None]])
                P = P[1::2] @ P[0::2]
            S = P[0] @ S
        self._maps.append((phase, S))
        return S

    def apply(self, rho_lab, t0_ns: float, *, output_frame: str = "rotating") -> np.ndarray:
        """The state ``(d, d)`` at the end of the pulse started at ``t0_ns`` from the lab-frame state ``rho_lab``.

        ``rho_lab``: a level index, a state vector, a density matrix or its row-major ``(d²,)`` vector, in
        the lab frame at ``t0``. ``output_frame``: ``"rotating"`` (default; the frame of the static
        Hamiltonian at absolute time ``t0 + T``, see the class docstring) or ``"lab"``.
        """
        if output_frame not in ("rotating", "lab"):
            raise InvalidArgumentError(f"got {output_frame!r}", argument="output_frame", allowed="'rotating' | 'lab'")
        p = self.problem
        d = p.dim
        rho = _density_matrix(rho_lab, d)
        t0 = float(t0_ns)
        V, f = p.frame_vectors, p.frame_freqs
        ph = np.exp(1j * f * t0)
        rho_f = V.conj().T @ rho @ V
        rho_f = ph[:, None] * rho_f * ph.conj()[None, :]
        out = (self.superoperator(t0) @ rho_f.reshape(-1)).reshape(d, d)
        if output_frame == "lab":
            ph_end = np.exp(-1j * f * (t0 + self.duration_ns))
            out = ph_end[:, None] * out * ph_end.conj()[None, :]
        return V @ out @ V.conj().T

    def __repr__(self) -> str:
        return (f"PulseMap(dim={self.problem.dim}, samples={self.problem.n_samples}, "
                f"rwa_cutoff_ghz={self.rwa_cutoff_ghz}, cached={self.n_cached})")

