"""Direct charging (review Eq. 25) of an N-qubit battery that starts in a pure state.

The whole system is the battery: ``H(t) = H_B^(0) + λ(t)[H_B^(1) − H_B^(0)]`` with λ = 1 on
``[0, τ]``, so during charging the state evolves under the charging generator ``H_ch``
(``H_B^(1)``, or ``H_B^(0) + H_B^(1)`` for models that keep the battery terms on — each model
says which). Shared machinery of the spin-chain, MBL, SYK and QSL models:

* :func:`ground_state` — the unique ground state of ``H_B^(0)`` (the review's Sec. III.A
  initial state), with a specific error when it is degenerate;
* :func:`evolve_pure` — exact ``e^{−iH_ch t}ψ_0`` (dense diagonalisation for small spaces,
  scipy's ``expm_multiply`` for large sparse ones). Models may not import ``qbhw.solvers``
  (design.md import rule), so this is a minimal local copy of the closed propagator;
* :class:`DirectQubitBattery` — the ``BatteryModel`` plumbing and ``charging_curve``:
  energy ``E(t) = ⟨ψ|H_B^(0)|ψ⟩`` (ground energy 0), analytic power
  ``P(t) = 2 Im⟨H_B ψ|H_ch ψ⟩`` (review Eq. 10) and ergotropy.

Ergotropy of a pure state of the whole battery: the passive state of a rank-one ρ puts its
single eigenvalue 1 on the lowest level (energy 0), so ``𝓔(t) = E(t)`` exactly (review Eq. 6).
This is what ``charging_curve`` returns; the brute-force route (``charge(model.full_space(),
times)``, which diagonalises ρ at every time) is used in the tests to confirm it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import ConfigError, InvalidHamiltonianError
from ..metrics import Spectrum, check_times, make_charging_curve
from .base import BatteryModel, FullSpaceModel, check_space

__all__ = ["DENSE_LIMIT", "evolve_pure", "ground_state", "DirectQubitBattery", "PROPAGATION_METHODS"]

#: largest dimension diagonalised densely by ``method="auto"``
DENSE_LIMIT = 512
PROPAGATION_METHODS = ("auto", "eigh", "expm_multiply")
_CURVE_OPTIONS = ("truncation_threshold", "on_truncation")


def ground_state(h, *, degeneracy_tol: float = 1e-9) -> tuple[float, np.ndarray]:
    """Lowest eigenvalue and eigenvector of a Hermitian (sparse) matrix; raises if degenerate.

    The global phase is fixed so that the largest-magnitude amplitude is real and positive.
    """
    dim = h.shape[0]
    if dim <= 512:
        dense = h.toarray() if sp.issparse(h) else np.asarray(h)
        evals, evecs = np.linalg.eigh(dense)
        e = evals[:2]
        v = evecs[:, 0]
    else:
        e, vecs = spla.eigsh(sp.csr_matrix(h), k=2, which="SA", tol=1e-12)
        order = np.argsort(e)
        e = e[order]
        v = vecs[:, order[0]]
    scale = max(1.0, float(np.max(np.abs(e))))
    if e.size > 1 and e[1] - e[0] < degeneracy_tol * scale:
        raise InvalidHamiltonianError(
            f"the battery Hamiltonian has a degenerate ground state (gap {e[1] - e[0]:.3g}), so the initial "
            "state (its ground state) is not defined", argument="parameters",
            allowed="parameters with a unique ground state (e.g. a non-zero field)")
    k = int(np.argmax(np.abs(v)))
    v = v * (abs(v[k]) / v[k])
    return float(e[0]), v / np.linalg.norm(v)


def _choose(method: str, dim: int) -> str:
    if method not in PROPAGATION_METHODS:
        raise ConfigError(f"unknown method {method!r}", argument="method", allowed=" | ".join(PROPAGATION_METHODS))
    if method == "auto":
        return "eigh" if dim <= DENSE_LIMIT else "expm_multiply"
    return method


def evolve_pure(h, psi0: np.ndarray, times: np.ndarray, *, method: str = "auto",
                chunk: int = 128) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(index_slice_start, states)`` blocks of ``e^{−iHt}ψ_0`` (``states`` has shape ``(k, dim)``)."""
    dim = h.shape[0]
    m = _choose(method, dim)
    psi0 = np.asarray(psi0, dtype=complex)
    if m == "eigh":
        dense = h.toarray() if sp.issparse(h) else np.asarray(h, dtype=complex)
        evals, vecs = np.linalg.eigh(dense)
        c0 = vecs.conj().T @ psi0
        for start in range(0, times.size, chunk):
            tt = times[start:start + chunk]
            yield start, (np.exp(-1j * np.outer(tt, evals)) * c0[None, :]) @ vecs.T
        return
    a = (-1j) * sp.csr_matrix(h, dtype=complex)
    psi = spla.expm_multiply(a * times[0], psi0) if times[0] != 0 else psi0
    dt = np.diff(times)
    uniform = times.size > 2 and np.allclose(dt, dt[0], rtol=1e-10, atol=0)
    if uniform:
        start = 0
        while start < times.size:
            stop = min(start + chunk, times.size)
            if stop - start == 1:
                block = psi[None, :]
            else:
                block = spla.expm_multiply(a, psi, start=0.0, stop=times[stop - 1] - times[start],
                                           num=stop - start, endpoint=True)
            yield start, block
            psi = block[-1]
            if stop < times.size:
                psi = spla.expm_multiply(a * (times[stop] - times[stop - 1]), psi)
            start = stop
        return
    yield 0, psi[None, :]
    for k in range(1, times.size):
        psi = spla.expm_multiply(a * (times[k] - times[k - 1]), psi)
        yield k, psi[None, :]


def _check_curve_options(options: dict) -> None:
    unknown = sorted(set(options) - set(_CURVE_OPTIONS))
    if unknown:
        raise ConfigError(f"unexpected options {unknown}", argument="options",
                          allowed="ergotropy, space, method, variances, truncation_threshold, on_truncation")


def pure_charging_curve(h_battery, h_charging, psi0, times, *, ergotropy: bool, method: str,
                        variances: bool, metadata: dict, extra_observables=None):
    """Energy, analytic power and ergotropy (= energy, pure state) of ``e^{−iH_ch t}ψ_0``."""
    t = check_times(times, allow_single=False)
    hb = sp.csr_matrix(h_battery)
    hc = sp.csr_matrix(h_charging)
    energy = np.empty(t.size)
    power = np.empty(t.size)
    var_b = np.empty(t.size) if variances else None
    extra = {name: np.empty(t.size) for name in (extra_observables or {})}
    for start, block in evolve_pure(hc, psi0, t, method=method):
        hb_psi = (hb @ block.T).T
        hc_psi = (hc @ block.T).T
        k = slice(start, start + block.shape[0])
        energy[k] = np.real(np.sum(block.conj() * hb_psi, axis=1))
        power[k] = 2.0 * np.imag(np.sum(hb_psi.conj() * hc_psi, axis=1))
        if variances:
            var_b[k] = np.maximum(0.0, np.real(np.sum(hb_psi.conj() * hb_psi, axis=1)) - energy[k] ** 2)
        for name, fn in (extra_observables or {}).items():
            extra[name][k] = fn(block)
    observables = dict(extra)
    if variances:
        hc_psi0 = hc @ psi0
        e1 = float(np.real(np.vdot(psi0, hc_psi0)))
        observables["battery_variance"] = var_b
        # ΔE_1² of the charging generator is conserved by its own evolution: its t = 0 value
        observables["charging_variance"] = np.full(t.size, max(0.0, float(np.real(np.vdot(hc_psi0, hc_psi0))) - e1**2))
    meta = {**metadata, "ergotropy_rule": "pure state of the whole battery: ergotropy = energy (passive = ground)"}
    return make_charging_curve(t, energy, ergotropy=energy.copy() if ergotropy else None, power=power,
                               metadata=meta, observables=observables)


class DirectQubitBattery(BatteryModel):
    """Base of the direct-charging N-qubit models (the whole system is the battery).

    Subclasses set ``n_sites`` and implement ``_battery_matrix()`` (``H_B^(0)`` with ground
    energy 0, sparse), ``_charging_matrix()`` (the generator during charging, sparse) and
    ``_initial_vector()``.
    """

    protocol = "direct"
    n_sites: int

    # ---- to implement ---------------------------------------------------------------
    def _battery_matrix(self) -> sp.csr_matrix:  # pragma: no cover - abstract
        raise NotImplementedError

    def _charging_matrix(self) -> sp.csr_matrix:  # pragma: no cover - abstract
        raise NotImplementedError

    def _initial_vector(self) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _battery_diagonal(self) -> np.ndarray | None:
        """Diagonal of ``H_B^(0)`` when it is diagonal in the computational basis (else None)."""
        return None

    # ---- cached pieces ----------------------------------------------------------------
    def _cached(self, key: str, build):
        cache = self.__dict__.setdefault("_matrix_cache", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def battery_hamiltonian(self) -> sp.csr_matrix:
        return self._cached("battery", self._battery_matrix)

    def charging_hamiltonian(self) -> sp.csr_matrix:
        return self._cached("charging", self._charging_matrix)

    def interaction(self) -> sp.csr_matrix:
        """``H_ch − H_B^(0)``: the generator change at the quench (review Eq. 25)."""
        return (self.charging_hamiltonian() - self.battery_hamiltonian()).tocsr()

    @property
    def dimension(self) -> int:
        return 2 ** self.n_sites

    def basis(self) -> list[str]:
        """Bitstrings in qiskit order (leftmost character = highest site; '1' = |e⟩)."""
        return [format(k, f"0{self.n_sites}b") for k in range(self.dimension)]

    def initial_state(self) -> np.ndarray:
        return self._cached("psi0", self._initial_vector).copy()

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        psi = np.asarray(psi)
        return np.outer(psi, psi.conj()) if psi.ndim == 1 else psi

    def battery_spectrum(self, space: str = "full"):
        """``H_B^(0)`` for ergotropy (the whole 2^N space; ``space`` has no other meaning here)."""
        check_space(space)
        diag = self._battery_diagonal()
        if diag is not None:
            return Spectrum(np.asarray(diag, dtype=float))
        return self.battery_hamiltonian().toarray()

    def full_space(self) -> FullSpaceModel:
        """The same model as explicit matrices (it already lives on the full 2^N space)."""
        hb = self.battery_hamiltonian()
        return FullSpaceModel(h_battery=hb, h_charger=sp.csr_matrix(hb.shape, dtype=complex),
                              h_interaction=self.interaction(), psi0=self.initial_state(),
                              dims=[2] * self.n_sites, battery_sites=list(range(self.n_sites)),
                              h_battery_local=hb.toarray(), name=f"{self.name} (full space)",
                              protocol="direct", info=dict(self.conventions))

    def charging_curve(self, times, *, ergotropy: bool = True, space: str = "full", method: str = "auto",
                       variances: bool = False, **options):
        """Exact charging curve (see module docstring); ``variances=True`` adds ``battery_variance``
        (ΔE_B², review Eq. 45) and ``charging_variance`` (ΔE_1² of the generator) observables."""
        check_space(space)
        _check_curve_options(options)
        return pure_charging_curve(self.battery_hamiltonian(), self.charging_hamiltonian(), self.initial_state(),
                                   times, ergotropy=ergotropy, method=method, variances=variances,
                                   metadata={**self.metadata, "space": space})

    @property
    def conventions(self) -> dict[str, Any]:
        return {}
