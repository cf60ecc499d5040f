"""Bosonic battery charged by Gaussian unitaries (Friis & Huber, Quantum 2, 61, 2018; review Sec. IV.A).

Battery ``H_0 = Σ_j ω_j a_j†a_j`` (ground energy 0), no charger, initial thermal state
``ρ_0 = ⊗_j G_β[ω_j a_j†a_j]`` (review Eq. 44) with mean occupations n̄_j = 1/(e^{βω_j} − 1).

Gaussian formalism (ħ = 1). Quadratures ``x = (a + a†)/√2``, ``p = (a − a†)/(i√2)``, ordered
``r = (x_1, p_1, x_2, p_2, …)``, ``[r_k, r_l] = iΩ_kl`` with ``Ω = ⊕ [[0, 1], [−1, 0]]``.
A Gaussian state is its mean ``d = ⟨r⟩`` and covariance ``σ_kl = ½⟨{Δr_k, Δr_l}⟩`` (vacuum
σ = 1/2, thermal σ = (n̄ + ½)1). With ``H_0 = ½ r^T M r − ½Σω_j``, ``M = ⊕ ω_j 1_2``:

    E  = Σ_j (ω_j/2)(σ_xx + σ_pp + d_x² + d_p² − 1)                                  (energy)
    ΔE² = ½ Tr[(Mσ)²] + ⅛ Tr[(MΩ)²] + d^T M σ M d                                   (Eq. 45)

(the ⅛Tr[(MΩ)²] = −Σω_j²/4 term is the commutator correction; a thermal mode gives
ω²n̄(n̄+1)). Closed forms (seed-spec §2.13, RR-25): a displacement D(α) on a thermal mode
gives W = ω|α|², ΔE² = ω²[n̄(n̄+1) + |α|²(2n̄+1)]; a squeeze S(r) on vacuum gives
W = ω sinh²r, ΔE² = 2ω² sinh²r cosh²r.

Gaussian unitaries: ``D(α) = exp(αa† − α*a)`` shifts d by √2(Re α, Im α); the single-mode squeeze
``S(ζ) = exp[½(ζ* a² − ζ a†²)]``, ζ = r e^{iφ}, acts on r by the symplectic matrix
``cosh r 1 − sinh r [[cos φ, sin φ], [sin φ, −cos φ]]`` (x → e^{−r}x for φ = 0).

Charging in time (``GaussianBosonicBattery``): in the frame rotating with H_0 (where the
resonant drives are time independent; H_0 and its expectation value are the same in both
frames) the generator is

    H_ch = Σ_j [ i(λ_j a_j† − λ_j* a_j) + (iκ_j/2)(e^{−iφ_j} a_j² − e^{iφ_j} a_j†²) ]  (+ an optional
           user quadratic form ½ r^T G r + c^T r),

so that alone for a time t each term gives D(λ_j t) and S(κ_j t e^{iφ_j}). The Heisenberg
equations ``ṙ = Ω(G r + c)`` give ``σ(t) = S σ_0 S^T``, ``S = e^{ΩGt}``, and
``d(t) = S d_0 + ∫_0^t e^{ΩG(t−s)} Ωc ds`` (one augmented matrix exponential). The solution and the charging curve are
computed by :mod:`qbhw.solvers.gaussian` (run by ``qbhw.charge``).

Ergotropy: single mode exact, ``𝓔 = E − ω(ν − ½)`` with ν = √det σ the symplectic eigenvalue
(the spectrum of a Gaussian ρ is that of a thermal state with the same ν, whose passive form is
that thermal state). Several modes: the work extractable by *Gaussian* unitaries,
``E − Σ_k ω_(k)↑(ν_(k)↓ − ½)`` (largest ν on the lowest frequency), a lower bound on the
ergotropy; the curve's metadata says which one it reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError
from ..metrics import Spectrum
from ._qubit_ops import check_coupling
from .base import BatteryModel, FullSpaceModel, check_space

__all__ = [
    "GaussianState",
    "GaussianBosonicBattery",
    "symplectic_form",
    "squeezing_symplectic",
    "gaussian_energy",
    "gaussian_energy_variance",
    "gaussian_ergotropy",
    "symplectic_eigenvalues",
    "thermal_occupation",
]


def symplectic_form(n_modes: int) -> np.ndarray:
    """``Ω = ⊕ [[0, 1], [−1, 0]]`` (``[r_k, r_l] = iΩ_kl``)."""
    return np.kron(np.eye(n_modes), np.array([[0.0, 1.0], [-1.0, 0.0]]))


def squeezing_symplectic(r: float, phi: float = 0.0) -> np.ndarray:
    """2×2 symplectic matrix of ``S(r e^{iφ})`` acting on (x, p)."""
    c, s = np.cos(phi), np.sin(phi)
    return np.cosh(r) * np.eye(2) - np.sinh(r) * np.array([[c, s], [s, -c]])


def thermal_occupation(omega: float, temperature: float) -> float:
    """n̄ = 1/(e^{ω/T} − 1) (0 at T = 0)."""
    if temperature == 0:
        return 0.0
    return float(1.0 / np.expm1(omega / temperature))


@dataclass(frozen=True)
class GaussianState:
    """Mean ``d`` (length 2M) and covariance ``σ`` (2M × 2M) of an M-mode Gaussian state (module docstring)."""

    mean: np.ndarray
    covariance: np.ndarray

    def __post_init__(self):
        d = np.asarray(self.mean, dtype=float).ravel()
        s = np.asarray(self.covariance, dtype=float)
        if s.shape != (d.size, d.size) or d.size % 2:
            raise DimensionMismatchError(f"mean has length {d.size}, covariance shape {s.shape}",
                                         argument="covariance", allowed="mean of length 2M, covariance (2M, 2M)")
        if not (np.all(np.isfinite(d)) and np.all(np.isfinite(s))):
            raise InvalidArgumentError("contains NaN or inf", argument="covariance", allowed="finite entries")
        object.__setattr__(self, "mean", d)
        object.__setattr__(self, "covariance", 0.5 * (s + s.T))

    @property
    def n_modes(self) -> int:
        return self.mean.size // 2

    @classmethod
    def thermal(cls, nbar) -> "GaussianState":
        """Product of thermal modes with mean occupations ``nbar`` (scalar or one per mode)."""
        nb = np.atleast_1d(np.asarray(nbar, dtype=float))
        if not np.all(np.isfinite(nb)) or np.any(nb < 0):
            raise InvalidArgumentError(f"got {nbar!r}", argument="nbar", allowed="finite occupations >= 0")
        return cls(np.zeros(2 * nb.size), np.kron(np.diag(nb + 0.5), np.eye(2)))

    def _mode(self, mode: int) -> slice:
        if not 0 <= mode < self.n_modes:
            raise InvalidArgumentError(f"got {mode!r}", argument="mode", allowed=f"0 … {self.n_modes - 1}")
        return slice(2 * mode, 2 * mode + 2)

    def displace(self, alpha: complex, mode: int = 0) -> "GaussianState":
        """``D(α)`` on ``mode``: d → d + √2(Re α, Im α)."""
        d = self.mean.copy()
        d[self._mode(mode)] += np.sqrt(2.0) * np.array([np.real(alpha), np.imag(alpha)])
        return GaussianState(d, self.covariance)

    def symplectic(self, s_matrix: np.ndarray) -> "GaussianState":
        """Apply a symplectic map: d → S d, σ → S σ S^T."""
        s_matrix = np.asarray(s_matrix, dtype=float)
        return GaussianState(s_matrix @ self.mean, s_matrix @ self.covariance @ s_matrix.T)

    def squeeze(self, r: float, phi: float = 0.0, mode: int = 0) -> "GaussianState":
        """``S(r e^{iφ})`` on ``mode``."""
        s_full = np.eye(2 * self.n_modes)
        k = self._mode(mode)
        s_full[k, k] = squeezing_symplectic(r, phi)
        return self.symplectic(s_full)


def _freqs(frequencies, n_modes: int) -> np.ndarray:
    w = np.atleast_1d(np.asarray(frequencies, dtype=float))
    if w.size == 1 and n_modes > 1:
        w = np.full(n_modes, float(w[0]))
    if w.size != n_modes:
        raise DimensionMismatchError(f"{w.size} frequencies for {n_modes} modes", argument="frequencies",
                                     allowed=f"one frequency or {n_modes}")
    return w


def gaussian_energy(state: GaussianState, frequencies) -> float:
    """``Tr[H_0 ρ]`` for ``H_0 = Σ ω_j a_j†a_j``."""
    w = _freqs(frequencies, state.n_modes)
    diag = np.diag(state.covariance).reshape(-1, 2).sum(axis=1)
    disp = (state.mean**2).reshape(-1, 2).sum(axis=1)
    return float(np.sum(w * (diag + disp - 1.0) / 2.0))


def gaussian_energy_variance(state: GaussianState, frequencies) -> float:
    """``ΔE² = ½Tr[(Mσ)²] + ⅛Tr[(MΩ)²] + d^T MσM d`` (review Eq. 45 for a Gaussian state)."""
    w = _freqs(frequencies, state.n_modes)
    m = np.kron(np.diag(w), np.eye(2))
    omega = symplectic_form(state.n_modes)
    ms = m @ state.covariance
    mo = m @ omega
    d = state.mean
    return float(max(0.0, 0.5 * np.trace(ms @ ms) + 0.125 * np.trace(mo @ mo) + d @ m @ state.covariance @ m @ d))


def symplectic_eigenvalues(state: GaussianState) -> np.ndarray:
    """Williamson symplectic eigenvalues ν_k ≥ ½ (moduli of the eigenvalues of iΩσ), ascending."""
    ev = np.linalg.eigvals(1j * symplectic_form(state.n_modes) @ state.covariance)
    return np.sort(np.abs(ev))[::2]


def gaussian_ergotropy(state: GaussianState, frequencies) -> float:
    """Exact ergotropy for one mode; for several modes the Gaussian-unitary ergotropy (module docstring)."""
    w = np.sort(_freqs(frequencies, state.n_modes))
    nu = symplectic_eigenvalues(state)[::-1]
    if state.n_modes == 1:
        nu = np.array([np.sqrt(max(np.linalg.det(state.covariance), 0.25))])
    return max(0.0, gaussian_energy(state, frequencies) - float(np.sum(w * (nu - 0.5))))


def _per_mode(value, n_modes: int, argument: str, *, complex_ok: bool = False, nonnegative: bool = False):
    arr = np.atleast_1d(np.asarray(value, dtype=complex if complex_ok else float))
    if arr.size == 1 and n_modes > 1:
        arr = np.full(n_modes, arr[0])
    if arr.size != n_modes:
        raise DimensionMismatchError(f"{arr.size} values for {n_modes} modes", argument=argument,
                                     allowed=f"one value or {n_modes}")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="finite values")
    if nonnegative and np.any(np.real(arr) < 0):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="values >= 0")
    return arr


class GaussianBosonicBattery(BatteryModel):
    """M bosonic modes charged by resonant displacement and/or squeezing drives (module docstring).

    Parameters
    ----------
    frequencies:
        ω_j > 0 (scalar or one per mode; the number of modes is taken from the longest input).
    nbar, temperature:
        Thermal initial state: mean occupations n̄_j ≥ 0, or a temperature T ≥ 0 (k_B = 1);
        not both. Default: vacuum.
    displacement_rate:
        λ_j (complex): the drive alone gives D(λ_j t).
    squeezing_rate, squeezing_phase:
        κ_j ≥ 0 and φ_j: the drive alone gives S(κ_j t e^{iφ_j}).
    generator:
        Optional extra ``(G, c)``: rotating-frame quadratic form ½ r^T G r + c^T r (2M × 2M
        symmetric G, length-2M c), e.g. a two-mode squeezer.
    cutoff:
        Fock cut-off per mode of the matrix pieces and ``full_space()`` (brute force only).
    """

    name = "Gaussian bosonic battery (Friis & Huber 2018)"
    protocol = "direct"

    def __init__(self, frequencies=1.0, *, nbar=None, temperature=None, displacement_rate=0.0,
                 squeezing_rate=0.0, squeezing_phase=0.0, generator=None, cutoff: int = 40):
        sizes = [np.size(x) for x in (frequencies, nbar if nbar is not None else 0, displacement_rate,
                                      squeezing_rate, squeezing_phase)]
        m = max(sizes)
        w = _per_mode(frequencies, m, "frequencies")
        if np.any(w <= 0):
            raise InvalidArgumentError(f"got {frequencies!r}", argument="frequencies", allowed="values > 0")
        self.frequencies = w
        if nbar is not None and temperature is not None:
            raise ConfigError("give either nbar or temperature, not both", argument="temperature",
                              allowed="nbar=… or temperature=…")
        if temperature is not None:
            temp = check_coupling(temperature, "temperature")
            nb = np.array([thermal_occupation(x, temp) for x in w])
        elif nbar is not None:
            nb = _per_mode(nbar, m, "nbar", nonnegative=True)
        else:
            nb = np.zeros(m)
        self.nbar = nb
        self.displacement_rate = _per_mode(displacement_rate, m, "displacement_rate", complex_ok=True)
        self.squeezing_rate = _per_mode(squeezing_rate, m, "squeezing_rate", nonnegative=True)
        self.squeezing_phase = _per_mode(squeezing_phase, m, "squeezing_phase")
        g, c = self._drive_generator()
        if generator is not None:
            g_extra = np.asarray(generator[0], dtype=float)
            c_extra = np.asarray(generator[1], dtype=float).ravel()
            if g_extra.shape != (2 * m, 2 * m) or c_extra.size != 2 * m:
                raise DimensionMismatchError(f"generator has shapes {g_extra.shape}, {c_extra.shape}",
                                             argument="generator", allowed=f"(({2 * m}, {2 * m}), ({2 * m},))")
            if not (np.all(np.isfinite(g_extra)) and np.all(np.isfinite(c_extra))):
                raise InvalidArgumentError("contains NaN or inf", argument="generator", allowed="finite entries")
            g = g + 0.5 * (g_extra + g_extra.T)
            c = c + c_extra
        self.generator_quadratic, self.generator_linear = g, c
        self.cutoff = int(cutoff)
        if self.cutoff < 1:
            raise InvalidArgumentError(f"got {cutoff!r}", argument="cutoff", allowed="integer >= 1")

    @property
    def n_modes(self) -> int:
        return self.frequencies.size

    def _drive_generator(self) -> tuple[np.ndarray, np.ndarray]:
        m = self.frequencies.size
        g = np.zeros((2 * m, 2 * m))
        c = np.zeros(2 * m)
        for j in range(m):
            lam, kap, phi = self.displacement_rate[j], self.squeezing_rate[j], self.squeezing_phase[j]
            c[2 * j:2 * j + 2] = np.sqrt(2.0) * np.array([-lam.imag, lam.real])
            g[2 * j:2 * j + 2, 2 * j:2 * j + 2] = kap * np.array([[np.sin(phi), -np.cos(phi)],
                                                                 [-np.cos(phi), -np.sin(phi)]])
        return g, c

    # ---- Gaussian initial state ------------------------------------------------------------
    def initial_gaussian_state(self) -> GaussianState:
        return GaussianState.thermal(self.nbar)

    # ---- Fock-space pieces (brute-force reference) -------------------------------------
    def _fock_ops(self) -> list[sp.csr_matrix]:
        n = self.cutoff + 1
        a1 = sp.diags(np.sqrt(np.arange(1, n)), 1, shape=(n, n), dtype=complex, format="csr")
        eye = sp.identity(n, dtype=complex, format="csr")
        ops = []
        for j in range(self.n_modes):  # mode 0 least significant (rightmost factor)
            op = sp.identity(1, dtype=complex, format="csr")
            for k in reversed(range(self.n_modes)):
                op = sp.kron(op, a1 if k == j else eye, format="csr")
            ops.append(op)
        return ops

    @property
    def dimension(self) -> int:
        return (self.cutoff + 1) ** self.n_modes

    def battery_hamiltonian(self) -> sp.csr_matrix:
        """``Σ ω_j a_j†a_j`` truncated at ``cutoff`` photons per mode."""
        ops = self._fock_ops()
        return sum((w * (a.conj().T @ a) for w, a in zip(self.frequencies, ops)),
                   sp.csr_matrix((self.dimension, self.dimension), dtype=complex)).tocsr()

    def charging_hamiltonian(self) -> sp.csr_matrix:
        """Rotating-frame generator ``H_ch = ½ r^T G r + c^T r`` (module docstring), with r built
        from the truncated a_j."""
        ops = self._fock_ops()
        quads = []
        for a in ops:
            quads.append((a + a.conj().T) / np.sqrt(2.0))
            quads.append((a - a.conj().T) / (1j * np.sqrt(2.0)))
        g, c = self.generator_quadratic, self.generator_linear
        dim = self.dimension
        h = sp.csr_matrix((dim, dim), dtype=complex)
        for k in range(len(quads)):
            if c[k] != 0:
                h = h + c[k] * quads[k]
            for l in range(len(quads)):
                if g[k, l] != 0:
                    h = h + 0.5 * g[k, l] * (quads[k] @ quads[l])
        return h.tocsr()

    def interaction(self) -> sp.csr_matrix:
        return (self.charging_hamiltonian() - self.battery_hamiltonian()).tocsr()

    def initial_state(self) -> np.ndarray:
        """Truncated thermal density matrix (renormalised)."""
        n = self.cutoff + 1
        rho = np.ones(1)
        for j in reversed(range(self.n_modes)):
            nb = self.nbar[j]
            p = np.zeros(n)
            p[0] = 1.0
            if nb > 0:
                q = nb / (1.0 + nb)
                p = (1.0 - q) * q ** np.arange(n)
            rho = np.kron(rho, p)
        return np.diag(rho / rho.sum()).astype(complex)

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        psi = np.asarray(psi)
        return np.outer(psi, psi.conj()) if psi.ndim == 1 else psi

    def battery_spectrum(self, space: str = "full"):
        check_space(space)
        return Spectrum(np.real(self.battery_hamiltonian().diagonal()))

    def cutoff_population(self, psi: np.ndarray) -> float:
        """Largest population with ``cutoff`` photons in some mode."""
        rho = self.battery_state(psi)
        n = self.cutoff + 1
        diag = np.real(np.diag(rho)).reshape([n] * self.n_modes)
        return float(max(diag.take(n - 1, axis=ax).sum() for ax in range(self.n_modes)))

    def full_space(self) -> FullSpaceModel:
        """The Fock-truncated model (``cutoff`` photons per mode; thermal density matrix initial state)."""
        hb = self.battery_hamiltonian()
        return FullSpaceModel(h_battery=hb, h_charger=sp.csr_matrix(hb.shape, dtype=complex),
                              h_interaction=self.interaction(), psi0=self.initial_state(),
                              dims=[self.cutoff + 1] * self.n_modes, battery_sites=list(range(self.n_modes)),
                              h_battery_local=hb.toarray(), name="Gaussian bosonic battery (Fock space)",
                              protocol="direct", info=dict(self.conventions))

    @property
    def conventions(self) -> dict[str, Any]:
        return {"frequencies": self.frequencies.tolist(), "nbar": self.nbar.tolist(),
                "displacement_rate": [complex(x) for x in self.displacement_rate],
                "squeezing_rate": self.squeezing_rate.tolist(), "squeezing_phase": self.squeezing_phase.tolist(),
                "frame": "rotating with H_0 (time-independent resonant drives)", "fock_cutoff": self.cutoff}
