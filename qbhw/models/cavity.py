"""Cavity (charger-mediated) batteries: Dicke, Rabi, Tavis–Cummings and their variants.

N two-level cells (TLSs) share one cavity mode (the charger). With the review's σ^z
(σ^z|e⟩ = +|e⟩) and splitting ω_0 for every cell (review Eqs. 29–31 with errata E3/E4):

    H_C = ω_c a†a                                   (Eq. 29)
    H_B = (ω_0/2) Σ_i (σ_i^z + 1) = ω_0 (J^z + N/2)  (Eq. 30; ground energy 0)
    H_1 = g Σ_i σ_i^x (a + a†) = g (J^+ + J^−)(a + a†)          Dicke (Eq. 31)
    H_1 = g Σ_i (σ_i^+ a + σ_i^− a†) = g (J^+ a + J^− a†)        Tavis–Cummings (RWA)
    H_1 = g Σ_i σ_i^x (a² + a†²)                                 two-photon Dicke (Eq. 39, errata E8)

Initial state ``|n⟩ ⊗ |G⟩`` (Eq. 32; Fock charger, ``n = photons``, default ``n = N``) or a
coherent charger ``|α⟩ ⊗ |G⟩`` with ``|α|² = photons`` (Andolina et al., PRL 122, 047702, 2019).

**Reduced basis.** ``|G⟩`` lies in the symmetric (J = N/2) subspace and H commutes with J²,
so states are written as ``|n⟩ ⊗ |J = N/2, m = k − N/2⟩`` with ``k`` the number of excited
cells (``J^+|k⟩ = √((k+1)(N−k)) |k+1⟩``). A conserved label cuts this further:
the parity of ``n + k`` (Dicke), the excitation number ``n + k`` (Tavis–Cummings; with
the Fock charger the dynamics lives in ``N_exc + 1`` states), ``n mod 2`` and
``(n + 2k) mod 4`` (two-photon Dicke), ``n + 2k`` (two-photon RWA). Only the sectors
that the initial state occupies are kept.

**Photon window.** Photon numbers ``n_lo ≤ n ≤ n_hi`` are kept (``n_lo = 0`` and
``n_hi = cutoff`` for a fixed cut-off). The battery's reduced state needs no cut-off
(all ``k = 0 … N`` are kept). The population at ``n_hi`` (and at ``n_lo`` when
``n_lo > 0``) is the truncation diagnostic (:meth:`CavityBattery.cutoff_population`).
With ``cutoff=None`` the solver (:func:`qbhw.solvers.cavity.charge_cavity`) picks the
window itself, growing it until that population stays below a tolerance along the
charging window.

**Full space** (:meth:`CavityBattery.full_space`): N qubits ⊗ cavity (``0 … n_hi``), qiskit
little-endian: cell i is tensor factor i (cell 0 the rightmost Kronecker factor), the
cavity the most significant factor N; ``σ^z = −Z``, ``σ^+ = |1⟩⟨0|``.

**Ergotropy.** :meth:`battery_spectrum` with ``space="full"`` gives the levels ``ω_0 k`` with
multiplicities ``C(N, k)`` (unitaries on all 2^N cell states); ``space="symmetric"`` the
``N + 1`` symmetric levels only.

**Conventions that are choices** (stored in ``conventions``):

* ``coupling_scaling``: ``"fixed"`` (Ferraro et al. 2018), ``"1/sqrtN"`` (g → g/√N,
  Julià-Farré et al. 2020, Eq. 38) or ``"1/N"`` (two-photon thermodynamic scaling,
  Crescente et al. 2020);
* ``atom_interaction`` (extended Dicke, Dou et al., PRB 105, 115405, 2022): the review
  does not give the inter-atomic term and the primary paper could not be consulted, so
  qbhw uses the all-to-all form of the "extended Dicke model", ``H_aa = (U/N)(J^z)²``
  (= (U/4N) Σ_ij σ_i^z σ_j^z), switched on with the charging coupling (part of H_1, so that
  the stored energy is still measured by the bare H_B). It is diagonal in ``k``.

The two-photon model is unbounded below at and beyond the spectral collapse
``2 g_eff N = ω_c`` (the bosonic part ``ω_c a†a + g_eff N (a² + a†²)`` in the sector
``2J^x = N``); such couplings are refused (Fock-truncated numerics would never converge).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from math import comb, lgamma
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, InvalidArgumentError, TruncationError
from ..metrics import Spectrum
from ..metrics._inputs import check_finite_real, check_positive_int
from .base import BatteryModel, FullSpaceModel, check_space

__all__ = [
    "CavityBattery",
    "CavitySector",
    "DickeBattery",
    "RabiBattery",
    "TavisCummingsBattery",
    "COUPLING_SCALINGS",
    "CHARGERS",
]

COUPLING_SCALINGS = ("fixed", "1/sqrtN", "1/N")
CHARGERS = ("fock", "coherent")
#: coherent-charger amplitudes below this are dropped from the initial state
COHERENT_TAIL = 1e-16


def _coherent_log_weights(nbar: float, n: np.ndarray) -> np.ndarray:
    """log of the Poisson weights e^{−n̄} n̄^n / n! (amplitude² of a coherent state)."""
    if nbar == 0:
        return np.where(n == 0, 0.0, -np.inf)
    return -nbar + n * np.log(nbar) - np.array([lgamma(x + 1.0) for x in n])


def _coherent_support(nbar: float, tail: float = COHERENT_TAIL) -> tuple[int, int]:
    """Smallest photon range [lo, hi] outside which the Poisson weights are below ``tail``."""
    if nbar == 0:
        return 0, 0
    hi_guess = int(np.ceil(nbar + 12.0 * np.sqrt(nbar) + 40))
    n = np.arange(hi_guess + 1)
    keep = np.flatnonzero(_coherent_log_weights(nbar, n) > np.log(tail))
    return int(keep[0]), int(keep[-1])


@dataclass(frozen=True)
class CavitySector:
    """The reduced basis of a cavity battery for one photon window.

    ``n[i]``, ``k[i]``: photon number and number of excited cells of basis state ``i``
    (ordered by ``n``, then ``k``); ``n_lo`` / ``n_hi``: the photon window.
    """

    n_cells: int
    n_lo: int
    n_hi: int
    n: np.ndarray
    k: np.ndarray
    #: True where the window edge is not a truncation (no reachable state lies beyond it)
    lo_closed: bool = False
    hi_closed: bool = False

    @property
    def dimension(self) -> int:
        return int(self.n.size)

    def index(self, n: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Basis index of the states ``(n, k)`` (−1 where the state is not in the sector)."""
        n = np.asarray(n)
        k = np.asarray(k)
        grid = self._grid()
        ok = (n >= self.n_lo) & (n <= self.n_hi) & (k >= 0) & (k <= self.n_cells)
        out = np.full(n.shape, -1, dtype=np.int64)
        out[ok] = grid[n[ok] - self.n_lo, k[ok]]
        return out

    def _grid(self) -> np.ndarray:
        cache = self.__dict__.get("_grid_cache")
        if cache is None:
            cache = np.full((self.n_hi - self.n_lo + 1, self.n_cells + 1), -1, dtype=np.int64)
            cache[self.n - self.n_lo, self.k] = np.arange(self.n.size)
            object.__setattr__(self, "_grid_cache", cache)
        return cache

    def amplitudes(self, psi: np.ndarray) -> np.ndarray:
        """State vector as an array ``A[n − n_lo, k]`` (zeros outside the sector)."""
        a = np.zeros((self.n_hi - self.n_lo + 1, self.n_cells + 1), dtype=complex)
        a[self.n - self.n_lo, self.k] = psi
        return a

    def embed(self, psi: np.ndarray, other: "CavitySector") -> np.ndarray:
        """``psi`` (a vector in ``other``) written in this sector (states outside dropped)."""
        out = np.zeros(self.dimension, dtype=complex)
        idx = self.index(other.n, other.k)
        ok = idx >= 0
        out[idx[ok]] = psi[ok]
        return out

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        """TLS reduced state ``ρ_B[k, k'] = Σ_n ψ(n, k) ψ*(n, k')`` in the ``|J, m = k − N/2⟩`` basis."""
        psi = np.asarray(psi)
        if psi.ndim == 1:
            a = self.amplitudes(psi)
            return a.T @ a.conj()
        # density matrix in the sector basis: ρ_B[k, k'] = Σ_n ρ[(n,k), (n,k')]
        rho_b = np.zeros((self.n_cells + 1, self.n_cells + 1), dtype=complex)
        same_n = self.n[:, None] == self.n[None, :]
        i, j = np.nonzero(same_n)
        np.add.at(rho_b, (self.k[i], self.k[j]), psi[i, j])
        return rho_b

    def photon_distribution(self, psi: np.ndarray) -> np.ndarray:
        """``P(n)`` for ``n = n_lo … n_hi`` (``psi``: state vector or density matrix of the sector)."""
        psi = np.asarray(psi)
        weights = np.abs(psi) ** 2 if psi.ndim == 1 else np.real(np.diagonal(psi))
        return np.bincount(self.n - self.n_lo, weights=weights, minlength=self.n_hi - self.n_lo + 1)

    def edge_populations(self, psi: np.ndarray) -> tuple[float, float]:
        """Population at the lower edge ``n_lo`` (0 when ``n_lo = 0``: no truncation there) and at ``n_hi``."""
        p = self.photon_distribution(psi)
        low = float(p[0]) if (self.n_lo > 0 and not self.lo_closed) else 0.0
        high = 0.0 if self.hi_closed else float(p[-1])
        return low, high


class CavityBattery(BatteryModel):
    """N TLSs charged by one cavity mode; the common engine of Dicke, Rabi and Tavis–Cummings.

    Parameters
    ----------
    n_cells:
        Number of TLS cells N ≥ 1.
    coupling:
        Bare coupling g ≥ 0 (the effective one is ``g``, ``g/√N`` or ``g/N``, see ``coupling_scaling``).
    omega_c, omega_0:
        Cavity frequency and TLS splitting (> 0).
    photons:
        Fock charger: the photon number n (integer, default N). Coherent charger: the mean
        photon number |α|² (real ≥ 0, default N).
    cutoff:
        Highest photon number kept (``n_hi``), or ``None`` for an automatic, converged
        window chosen by the solver. Must be at least the initial photon number.
    rwa:
        ``False``: Dicke coupling (counter-rotating terms kept); ``True``: Tavis–Cummings.
    charger:
        ``"fock"`` or ``"coherent"``.
    photon_order:
        1 (dipole coupling) or 2 (two-photon coupling ``σ^x(a² + a†²)``, Eq. 39).
    coupling_scaling:
        ``"fixed"`` | ``"1/sqrtN"`` | ``"1/N"``.
    atom_interaction:
        Strength U of the extended-Dicke term ``(U/N)(J^z)²`` (see module docstring).
    min_photons:
        Lowest photon number kept (``n_lo``) with a fixed cut-off (default 0).
    """

    name = "cavity"
    protocol = "charger"

    def __init__(self, n_cells, coupling, omega_c=1.0, omega_0=1.0, photons=None, cutoff=None, *,
                 rwa: bool = False, charger: str = "fock", photon_order: int = 1,
                 coupling_scaling: str = "fixed", atom_interaction: float = 0.0, min_photons: int = 0):
        self.n_cells = check_positive_int(n_cells, "n_cells")
        self.coupling = check_finite_real(coupling, "coupling", minimum=0.0)
        self.omega_c = check_finite_real(omega_c, "omega_c", minimum=0.0, strict=True)
        self.omega_0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
        if not isinstance(rwa, (bool, np.bool_)):
            raise InvalidArgumentError(f"got {rwa!r}", argument="rwa", allowed="True | False")
        self.rwa = bool(rwa)
        if charger not in CHARGERS:
            raise ConfigError(f"unknown charger state {charger!r}", argument="charger",
                              allowed=" | ".join(repr(c) for c in CHARGERS))
        self.charger = charger
        if photon_order not in (1, 2) or isinstance(photon_order, bool):
            raise InvalidArgumentError(f"got {photon_order!r}", argument="photon_order",
                                       allowed="1 (dipole coupling) | 2 (two-photon coupling)")
        self.photon_order = int(photon_order)
        if coupling_scaling not in COUPLING_SCALINGS:
            raise ConfigError(f"unknown coupling scaling {coupling_scaling!r}", argument="coupling_scaling",
                              allowed=" | ".join(repr(c) for c in COUPLING_SCALINGS))
        self.coupling_scaling = coupling_scaling
        self.atom_interaction = check_finite_real(atom_interaction, "atom_interaction")
        if photons is None:
            photons = self.n_cells
        if charger == "fock":
            self.photons = check_positive_int(photons, "photons", minimum=0)
        else:
            self.photons = check_finite_real(photons, "photons", minimum=0.0)
        self.min_photons = check_positive_int(min_photons, "min_photons", minimum=0)
        self.cutoff = self._check_cutoff(cutoff)
        if self.photon_order == 2 and not self.rwa:
            limit = self.omega_c / (2.0 * self.n_cells)
            if self.effective_coupling >= limit:
                raise InvalidArgumentError(
                    f"two-photon coupling g_eff = {self.effective_coupling:g} is at or beyond the spectral "
                    f"collapse g_eff = ω_c/(2N) = {limit:g}, where the model is unbounded below",
                    argument="coupling", allowed=f"g_eff < {limit:g}")

    def _check_cutoff(self, cutoff):
        # the initial photon number (coherent charger: its mean, rounded up); a coherent state's
        # Poisson tail above the cut-off is dropped and shows up in cutoff_population()
        top = int(self.photons) if self.charger == "fock" else int(np.ceil(self.photons))
        if cutoff is not None:
            cutoff = check_positive_int(cutoff, "cutoff", minimum=0)
            if cutoff < top:
                what = "the initial photon number" if self.charger == "fock" else "the mean photon number"
                raise TruncationError(f"cut-off {cutoff} is below {what} ({self.photons})", argument="cutoff",
                                      allowed=f"an integer >= {top}, or None for an automatic cut-off")
            if self.min_photons > self._initial_bottom_photon():
                raise TruncationError(f"min_photons {self.min_photons} is above the initial photon number",
                                      argument="min_photons",
                                      allowed=f"an integer <= {self._initial_bottom_photon()}")
        elif self.min_photons:
            raise ConfigError("min_photons needs a fixed cut-off", argument="min_photons",
                              allowed="0 when cutoff=None (the automatic window chooses it)")
        return cutoff

    def with_cutoff(self, cutoff) -> "CavityBattery":
        """A copy of this model (same class and parameters) with photon cut-off ``cutoff``
        (``None``: automatic), validated as in the constructor."""
        new = copy.copy(self)
        new.__dict__.pop("_sector_cache", None)
        new.cutoff = new._check_cutoff(cutoff)
        return new

    # ---- parameters ------------------------------------------------------------------
    @property
    def effective_coupling(self) -> float:
        """g, g/√N or g/N according to ``coupling_scaling``."""
        if self.coupling_scaling == "fixed":
            return self.coupling
        if self.coupling_scaling == "1/sqrtN":
            return self.coupling / np.sqrt(self.n_cells)
        return self.coupling / self.n_cells

    @property
    def conventions(self) -> dict[str, Any]:
        return {
            "n_cells": self.n_cells,
            "coupling": self.coupling,
            "effective_coupling": self.effective_coupling,
            "omega_c": self.omega_c,
            "omega_0": self.omega_0,
            "photons": self.photons,
            "charger": self.charger,
            "rwa": self.rwa,
            "photon_order": self.photon_order,
            "coupling_scaling": self.coupling_scaling,
            "atom_interaction": self.atom_interaction,
            "splitting": "omega_0 (H_B = (omega_0/2) sum(sigma^z + 1), errata E3)",
            "cutoff": self.cutoff if self.cutoff is not None else "auto",
        }

    def _initial_top_photon(self) -> int:
        if self.charger == "fock":
            return int(self.photons)
        return _coherent_support(float(self.photons))[1]

    def _initial_bottom_photon(self) -> int:
        if self.charger == "fock":
            return int(self.photons)
        return _coherent_support(float(self.photons))[0]

    def default_window(self) -> tuple[int, int]:
        """Photon window of the model's static matrices: ``[min_photons, cutoff]`` or an estimate.

        Without a cut-off: Tavis–Cummings with a Fock charger needs none beyond the
        initial photon number (excitations are conserved); otherwise the estimate is
        ``n_top + N·order + 20`` (seed-spec §2.2 uses 2N + 20 for n = N; converged there
        for N ≤ 16, g ≤ 0.5). The solver refines it for the times actually charged.
        """
        if self.cutoff is not None:
            return self.min_photons, self.cutoff
        top = self._initial_top_photon()
        if self.rwa and self.charger == "fock":
            return 0, top
        return 0, top + self.photon_order * self.n_cells + 20

    def initial_window(self) -> tuple[int, int]:
        """A small starting window for the automatic cut-off (grown by the solver as needed)."""
        if self.cutoff is not None:
            return self.default_window()
        lo, hi = self._initial_bottom_photon(), self._initial_top_photon()
        if self.rwa and self.charger == "fock":
            return max(0, lo - self.n_cells * self.photon_order), hi
        if self.rwa:
            return 0, hi
        pad = max(8, int(np.ceil(2.0 * np.sqrt(hi + 1.0))))
        return max(0, lo - pad), hi + pad

    # ---- sectors ------------------------------------------------------------------------
    def _labels(self, n: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Conserved label of basis states (see module docstring)."""
        if self.photon_order == 1:
            return n + k if self.rwa else (n + k) % 2
        return n + 2 * k if self.rwa else (n % 2) + 2 * ((n + 2 * k) % 4)

    def _initial_amplitudes(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Photon numbers and amplitudes (k = 0) of the initial state inside ``[lo, hi]``."""
        if self.charger == "fock":
            return np.array([self.photons]), np.array([1.0 + 0j])
        s_lo, s_hi = _coherent_support(float(self.photons))
        n = np.arange(max(lo, s_lo), min(hi, s_hi) + 1)
        amp = np.exp(0.5 * _coherent_log_weights(float(self.photons), n)).astype(complex)
        return n, amp

    def sector(self, window: tuple[int, int] | None = None) -> CavitySector:
        """The reduced basis for the photon window ``(n_lo, n_hi)`` (default: :meth:`default_window`)."""
        lo, hi = self.default_window() if window is None else (int(window[0]), int(window[1]))
        if lo < 0 or hi < lo:
            raise InvalidArgumentError(f"got {(lo, hi)}", argument="window", allowed="0 <= n_lo <= n_hi")
        n_init, _ = self._initial_amplitudes(lo, hi)
        allowed = np.unique(self._labels(n_init, np.zeros_like(n_init)))
        n = np.repeat(np.arange(lo, hi + 1), self.n_cells + 1)
        k = np.tile(np.arange(self.n_cells + 1), hi - lo + 1)
        keep = np.isin(self._labels(n, k), allowed)
        reach_lo, reach_hi = self._reachable_photons(allowed)
        return CavitySector(self.n_cells, lo, hi, n[keep], k[keep], lo_closed=lo <= reach_lo,
                            hi_closed=reach_hi is not None and hi >= reach_hi)

    def _reachable_photons(self, labels: np.ndarray) -> tuple[int, int | None]:
        """Photon numbers reachable in the sectors ``labels``: ``[lo, hi]`` (``hi = None``: unbounded).

        With the RWA the label is the conserved excitation number ``M = n + p k`` (p the photon
        order), so ``max(0, M_min − pN) ≤ n ≤ M_max``; without it photons are unbounded above.
        """
        if self.rwa:
            return max(0, int(np.min(labels)) - self.photon_order * self.n_cells), int(np.max(labels))
        return 0, None

    def sector_initial_state(self, sector: CavitySector) -> np.ndarray:
        n_init, amp = self._initial_amplitudes(sector.n_lo, sector.n_hi)
        psi = np.zeros(sector.dimension, dtype=complex)
        idx = sector.index(n_init, np.zeros_like(n_init))
        if np.any(idx < 0):
            raise TruncationError("the photon window does not contain the initial state", argument="cutoff",
                                  allowed="a window containing the initial photon number(s)")
        psi[idx] = amp
        return psi / np.linalg.norm(psi)

    def sector_battery_diagonal(self, sector: CavitySector) -> np.ndarray:
        """Diagonal of ``H_B = ω_0 k`` in the sector."""
        return self.omega_0 * sector.k.astype(float)

    def sector_charger_diagonal(self, sector: CavitySector) -> np.ndarray:
        return self.omega_c * sector.n.astype(float)

    def sector_interaction(self, sector: CavitySector) -> sp.csr_matrix:
        """``H_1`` in the sector (sparse, real symmetric)."""
        g = self.effective_coupling
        n, k, big_n = sector.n, sector.k, self.n_cells
        dim = sector.dimension
        rows, cols, vals = [], [], []
        p = self.photon_order
        # J^+ part: k -> k+1 with sqrt((k+1)(N-k)); photon part: a^p (n -> n-p) or a†^p (n -> n+p)
        jp = np.sqrt((k + 1.0) * (big_n - k))
        for dn in ((-p,) if self.rwa else (-p, p)):
            if dn < 0:
                amp = np.sqrt(np.prod([n - q for q in range(p)], axis=0).astype(float).clip(min=0))
            else:
                amp = np.sqrt(np.prod([n + 1 + q for q in range(p)], axis=0).astype(float))
            target = sector.index(n + dn, k + 1)
            ok = (target >= 0) & (jp > 0) & (amp > 0)
            v = g * amp[ok] * jp[ok]
            src = np.flatnonzero(ok)
            rows += [target[ok], src]
            cols += [src, target[ok]]
            vals += [v, v]
        if rows:
            h1 = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(dim, dim))
        else:
            h1 = sp.csr_matrix((dim, dim))
        if self.atom_interaction:
            jz = k - big_n / 2.0
            h1 = h1 + sp.diags(self.atom_interaction / big_n * jz**2)
        return sp.csr_matrix(h1)

    def sector_hamiltonian(self, sector: CavitySector) -> sp.csr_matrix:
        """Total charging generator ``H_C + H_B + H_1`` in the sector."""
        diag = self.sector_charger_diagonal(sector) + self.sector_battery_diagonal(sector)
        return sp.csr_matrix(self.sector_interaction(sector) + sp.diags(diag))

    # ---- BatteryModel interface (static window) ---------------------------------------------
    def _static_sector(self) -> CavitySector:
        cache = self.__dict__.get("_sector_cache")
        if cache is None:
            cache = self.sector()
            self.__dict__["_sector_cache"] = cache
        return cache

    def battery_hamiltonian(self):
        return sp.diags(self.sector_battery_diagonal(self._static_sector())).tocsr()

    def charger_hamiltonian(self):
        return sp.diags(self.sector_charger_diagonal(self._static_sector())).tocsr()

    def interaction(self):
        return self.sector_interaction(self._static_sector())

    @property
    def dimension(self) -> int:
        return self._static_sector().dimension

    def basis(self) -> list[str]:
        s = self._static_sector()
        return [f"|n={a}>|k={b}>" for a, b in zip(s.n, s.k)]

    def initial_state(self) -> np.ndarray:
        return self.sector_initial_state(self._static_sector())

    def battery_state(self, psi) -> np.ndarray:
        """TLS reduced state in the symmetric basis ``|J = N/2, m = k − N/2⟩``, k = 0 … N."""
        return self._static_sector().battery_state(psi)

    def battery_spectrum(self, space: str = "full"):
        """Levels ``ω_0 k``; ``space="full"``: with multiplicities ``C(N, k)`` (all 2^N cell states,
        exact Python integers for any N)."""
        check_space(space)
        energies = self.omega_0 * np.arange(self.n_cells + 1, dtype=float)
        if space == "symmetric":
            return Spectrum(energies=energies)
        mult = [comb(self.n_cells, j) for j in range(self.n_cells + 1)]
        return Spectrum(energies=energies, multiplicities=mult)

    @property
    def cutoff_name(self) -> str:
        lo, hi = self.default_window()
        return f"photon cut-off (n = {hi})" if lo == 0 else f"photon window edges (n = {lo}, {hi})"

    def cutoff_population(self, psi) -> float:
        """Largest population at the edges of the photon window (``n_hi``, and ``n_lo`` if > 0)."""
        return max(self._static_sector().edge_populations(np.asarray(psi)))

    def parallel_reference(self) -> "CavityBattery":
        """The single-cell battery of the parallel protocol (same g, ω's, coupling type; one cell).

        Fock charger: ``photons / N`` photons per cell (must be an integer, ≥ 1: one photon per
        cell for Ferraro's ``n = N``); coherent charger: mean ``photons / N``.
        """
        if self.charger == "fock":
            per_cell, rem = divmod(int(self.photons), self.n_cells)
            if rem or per_cell < 1:
                raise InvalidArgumentError(
                    f"{self.photons} photons cannot be shared equally by {self.n_cells} cells",
                    argument="photons", allowed="a positive multiple of n_cells for the parallel reference")
        else:
            per_cell = float(self.photons) / self.n_cells
        return CavityBattery(1, self.coupling, self.omega_c, self.omega_0, per_cell, None, rwa=self.rwa,
                             charger=self.charger, photon_order=self.photon_order,
                             coupling_scaling=self.coupling_scaling, atom_interaction=self.atom_interaction)

    def time_scale(self) -> float:
        """A rough charging-time scale ``π / (2 g_eff √max(n̄, 1))`` (the Fock-charger τ̄ of one TLS,
        seed-spec §2.3; ~ τ̃ of the Dicke battery with n = N), used to choose search windows."""
        g = max(self.effective_coupling, 1e-300)
        return float(np.pi / (2.0 * g * np.sqrt(max(float(self.photons), 1.0))))

    # ---- full space ---------------------------------------------------------------------
    def full_space(self, cutoff: int | None = None) -> FullSpaceModel:
        """The same model on N qubits ⊗ cavity ``0 … cutoff`` (little-endian; cells = factors 0…N−1).

        ``cutoff`` defaults to ``n_hi`` of :meth:`default_window`. Small sizes only
        (dimension ``2^N (cutoff + 1)``).
        """
        big_n = self.n_cells
        lo, hi = self.default_window()
        n_c = (hi if cutoff is None else int(cutoff)) + 1
        if n_c - 1 < (int(np.ceil(self.photons))):
            raise TruncationError("cut-off below the initial photon number", argument="cutoff",
                                  allowed=f">= {self._initial_top_photon()}")
        dim_q = 2**big_n
        if dim_q * n_c > 40000:
            raise InvalidArgumentError(f"full space of dimension {dim_q * n_c} is too large", argument="n_cells",
                                       allowed="2^N (cutoff + 1) <= 40000")
        eye_q = sp.identity(dim_q, format="csr")
        eye_c = sp.identity(n_c, format="csr")
        a = sp.diags(np.sqrt(np.arange(1, n_c, dtype=float)), 1, format="csr")
        ad = a.T.tocsr()
        x = sp.csr_matrix(np.array([[0.0, 1.0], [1.0, 0.0]]))
        sp_raise = sp.csr_matrix(np.array([[0.0, 0.0], [1.0, 0.0]]))  # σ^+ = |1><0| = |e><g|
        z_exc = sp.csr_matrix(np.diag([0.0, 1.0]))  # (1 - Z)/2 = (σ^z + 1)/2

        def on_cell(op, i):
            return sp.kron(sp.kron(sp.identity(2 ** (big_n - 1 - i)), op), sp.identity(2**i), format="csr")

        n_exc = sum(on_cell(z_exc, i) for i in range(big_n))
        h_b_local = self.omega_0 * n_exc
        h_b = sp.kron(eye_c, h_b_local, format="csr")
        h_c = sp.kron(self.omega_c * (ad @ a), eye_q, format="csr")
        g = self.effective_coupling
        p = self.photon_order
        ap = a @ a if p == 2 else a
        adp = ad @ ad if p == 2 else ad
        if self.rwa:
            sig_plus = sum(on_cell(sp_raise, i) for i in range(big_n))
            h_1 = g * (sp.kron(ap, sig_plus) + sp.kron(adp, sig_plus.T))
        else:
            sig_x = sum(on_cell(x, i) for i in range(big_n))
            h_1 = g * sp.kron(ap + adp, sig_x)
        if self.atom_interaction:
            jz = n_exc - (big_n / 2.0) * eye_q
            h_1 = h_1 + sp.kron(eye_c, (self.atom_interaction / big_n) * (jz @ jz))
        psi0 = np.zeros(dim_q * n_c, dtype=complex)
        n_init, amp = self._initial_amplitudes(0, n_c - 1)
        psi0[n_init * dim_q] = amp
        psi0 /= np.linalg.norm(psi0)
        return FullSpaceModel(h_battery=h_b, h_charger=h_c, h_interaction=sp.csr_matrix(h_1), psi0=psi0,
                              dims=[2] * big_n + [n_c], battery_sites=list(range(big_n)),
                              h_battery_local=h_b_local.toarray(), name=f"{type(self).__name__}-full-space",
                              info={**self.conventions, "cutoff": n_c - 1})


class DickeBattery(CavityBattery):
    """Dicke quantum battery (Ferraro et al., PRL 120, 117702, 2018; review Eqs. 28–32).

    ``DickeBattery(n_cells, coupling, omega_c=1, omega_0=1, photons=None, cutoff=None)``:
    N TLSs (splitting ω_0) in one cavity (ω_c) with ``photons`` photons (default N),
    ``H_1 = g Σσ^x(a + a†)``. Options: ``coupling_scaling``, ``rwa`` (True → Tavis–Cummings),
    ``charger="coherent"`` (mean photon number ``photons``), ``photon_order=2`` (two-photon
    Dicke, resonance ω_0 = 2ω_c: see :meth:`two_photon`), ``atom_interaction`` (extended
    Dicke). Parallel reference: :class:`RabiBattery` with one photon per cell.
    """

    name = "dicke"

    @classmethod
    def two_photon(cls, n_cells, coupling, omega_c=0.5, omega_0=1.0, photons=None, cutoff=None, **options):
        """Two-photon Dicke battery (Crescente et al., NJP 22, 063057, 2020; Eq. 39), resonant ω_0 = 2ω_c
        by default; ``photons`` defaults to 2N (two photons per cell)."""
        if photons is None:
            photons = 2 * check_positive_int(n_cells, "n_cells")
        return cls(n_cells, coupling, omega_c, omega_0, photons, cutoff, photon_order=2, **options)


class RabiBattery(CavityBattery):
    """Single TLS in its own cavity (quantum Rabi model; review Eq. 33 with errata E4).

    The parallel (single-cell) reference of the Dicke battery: ``H = ω_c a†a +
    (ω_0/2)(σ^z + 1) + g σ^x(a + a†)`` with ``photons`` photons (default 1).
    """

    name = "rabi"

    def __init__(self, coupling, omega_c=1.0, omega_0=1.0, photons=1, cutoff=None, **options):
        super().__init__(1, coupling, omega_c, omega_0, photons, cutoff, **options)


class TavisCummingsBattery(CavityBattery):
    """Tavis–Cummings battery: the Dicke battery without counter-rotating terms (seed-spec §2.8).

    ``H_1 = g Σ(σ^+ a + σ^− a†)``; the excitation number ``a†a + Σ(σ^z + 1)/2`` is conserved, so
    with the Fock charger ``|n⟩|G⟩`` the dynamics is confined to ``min(n, N) + 1`` states
    ``|n − k⟩|k⟩`` (tridiagonal, couplings ``g √(n − k) √((k + 1)(N − k))``) and needs no
    photon cut-off. ``TavisCummingsBattery(1, g)`` is the Jaynes–Cummings battery.
    """

    name = "tavis-cummings"

    def __init__(self, n_cells, coupling, omega_c=1.0, omega_0=1.0, photons=None, cutoff=None, **options):
        if "rwa" in options and not options.pop("rwa"):
            raise ConfigError("the Tavis-Cummings battery is the rotating-wave model", argument="rwa",
                              allowed="True (use DickeBattery for rwa=False)")
        super().__init__(n_cells, coupling, omega_c, omega_0, photons, cutoff, rwa=True, **options)
