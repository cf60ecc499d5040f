"""An open Dicke / Tavis–Cummings battery: N identical two-level cells, local and collective dissipation, one
driven and lossy cavity mode — the model of the organic-microcavity battery (review Sec. VI.C; Quach, McGhee,
Ganzer, Rouse, Lovett, Gauger, Keeling, Cerullo, Lidzey & Virgili, Sci. Adv. 8, eabk3160, 2022).

Hamiltonian (ħ = 1), written in the frame rotating at the drive frequency ``ω_d`` for the Tavis–Cummings
coupling (the rotating-wave form, review Sec. VI.A) and in the lab frame for the Dicke coupling (Eq. 31):

    tavis_cummings:  H = Δ_c a†a + Δ_0 J_z + g (a† J_− + a J_+) + F(t) (a + a†),     Δ = ω − ω_d
    dicke:           H = ω_c a†a + ω_0 J_z + 2 g J_x (a + a†) + 2 F(t) cos(ω_d t) (a + a†)

with collective spin ``J = Σ_i σ_i/2`` and battery Hamiltonian ``H_B = ω_0 (J_z + N/2)`` (splitting ω_0 per
cell, ground energy 0; it commutes with the frame change, so the stored energy is the same in both frames).
``F(t)`` is the drive envelope: constant, or a Gaussian pulse ``F exp(−(t − t_0)²/(2 w²))`` (the pump pulse of
the experiment). ``coupling_scaling="inverse_sqrt"`` uses g/√N (fixed Rabi splitting g√N/√N: the cavity grows
with N at fixed density) instead of a fixed g (fixed cavity, density grows with N — the experiment varies the
dye concentration in one cavity).

Dissipation (``qutip.piqs`` conventions, see :mod:`qbhw.solvers.permutational`): per cell ``emission`` (1/T1),
``dephasing`` (2/Tφ) and ``pumping``; collective ``collective_emission``, ``collective_dephasing``,
``collective_pumping``; cavity ``cavity_loss`` κ (𝒟[a]) and ``cavity_pumping``. Any of them makes the model
open; :func:`qbhw.charge` solves it with :class:`qbhw.solvers.PermutationalDicke` (only the j blocks of the
Dicke-basis state are stored), so N of a few tens with a cavity and N in the hundreds without one are cheap.

Without a cavity (``cavity_dim=None``) the drive acts on the cells directly: ``H = Δ_0 J_z + 2 F(t) J_x``
(rotating frame; a classical field charging the ensemble).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, InvalidArgumentError
from ..metrics._inputs import check_finite_real
from .base import BatteryModel
from .dicke_basis import check_n_cells, dicke_labels, dicke_operators, num_dicke_states

__all__ = ["OpenDickeBattery", "PERMUTATIONAL_RATES"]

#: the rates of the cells (``qutip.piqs.Dicke`` names)
PERMUTATIONAL_RATES = ("emission", "dephasing", "pumping", "collective_emission", "collective_dephasing",
                       "collective_pumping")
COUPLINGS = ("tavis_cummings", "dicke")
SCALINGS = ("fixed", "inverse_sqrt")


class OpenDickeBattery(BatteryModel):
    """N two-level cells (splitting ``omega_0``) coupled to one cavity mode, with dissipation (module docstring).

    Parameters
    ----------
    n_cells:
        N ≥ 1.
    coupling:
        g (units of ω_0); scaled by 1/√N when ``coupling_scaling="inverse_sqrt"``.
    omega_0, omega_c, drive_frequency:
        Cell splitting, cavity frequency and drive frequency ω_d (``None``: ω_c, or ω_0 without a cavity).
    cavity_dim:
        Fock-space dimension of the cavity (photon cut-off + 1); ``None``: no cavity.
    coupling_kind:
        ``"tavis_cummings"`` (rotating-wave, rotating frame) or ``"dicke"`` (lab frame, counter-rotating terms).
    drive_amplitude, drive_shape, drive_center, drive_width:
        F (units of ω_0), ``"constant"`` or ``"gaussian"`` (centre t_0 and width w in 1/ω_0).
    initial_photons:
        Fock state of the cavity at t = 0 (cells in their ground state |j = N/2, m = −N/2⟩).
    emission, dephasing, pumping, collective_emission, collective_dephasing, collective_pumping, cavity_loss,
    cavity_pumping:
        Rates (units of ω_0), ``qutip.piqs`` conventions (:class:`qbhw.solvers.PermutationalDicke`).
    """

    name = "open-dicke"
    protocol = "charger"

    def __init__(self, n_cells: int, coupling: float = 0.0, *, omega_0: float = 1.0, omega_c: float = 1.0,
                 drive_frequency: float | None = None, cavity_dim: int | None = None,
                 coupling_kind: str = "tavis_cummings", coupling_scaling: str = "fixed",
                 drive_amplitude: float = 0.0, drive_shape: str = "constant", drive_center: float = 0.0,
                 drive_width: float = 1.0, initial_photons: int = 0, emission: float = 0.0, dephasing: float = 0.0,
                 pumping: float = 0.0, collective_emission: float = 0.0, collective_dephasing: float = 0.0,
                 collective_pumping: float = 0.0, cavity_loss: float = 0.0, cavity_pumping: float = 0.0):
        self.n_cells = check_n_cells(n_cells)
        self.coupling = check_finite_real(coupling, "coupling")
        self.omega_0 = check_finite_real(omega_0, "omega_0", minimum=0.0, strict=True)
        self.omega_c = check_finite_real(omega_c, "omega_c", minimum=0.0, strict=True)
        if coupling_kind not in COUPLINGS:
            raise ConfigError(f"got {coupling_kind!r}", argument="coupling_kind", allowed=" | ".join(COUPLINGS))
        if coupling_scaling not in SCALINGS:
            raise ConfigError(f"got {coupling_scaling!r}", argument="coupling_scaling", allowed=" | ".join(SCALINGS))
        if drive_shape not in ("constant", "gaussian"):
            raise ConfigError(f"got {drive_shape!r}", argument="drive_shape", allowed="'constant' | 'gaussian'")
        self.coupling_kind, self.coupling_scaling, self.drive_shape = coupling_kind, coupling_scaling, drive_shape
        if cavity_dim is not None and (isinstance(cavity_dim, bool) or not isinstance(cavity_dim, (int, np.integer))
                                       or cavity_dim < 2):
            raise InvalidArgumentError(f"got {cavity_dim!r}", argument="cavity_dim", allowed="None or an integer >= 2")
        self.cavity_dim = None if cavity_dim is None else int(cavity_dim)
        if self.cavity_dim is None and coupling_kind == "dicke":
            raise ConfigError("the Dicke coupling needs a cavity", argument="cavity_dim",
                              allowed="the cavity's Fock dimension (>= 2)")
        default_wd = self.omega_c if self.cavity_dim is not None else self.omega_0
        self.drive_frequency = check_finite_real(drive_frequency if drive_frequency is not None else default_wd,
                                     "drive_frequency", minimum=0.0)
        self.drive_amplitude = check_finite_real(drive_amplitude, "drive_amplitude")
        self.drive_center = check_finite_real(drive_center, "drive_center")
        self.drive_width = check_finite_real(drive_width, "drive_width", minimum=0.0, strict=True)
        top = (self.cavity_dim or 1) - 1
        if isinstance(initial_photons, bool) or not isinstance(initial_photons, (int, np.integer)) \
                or not 0 <= initial_photons <= top:
            raise InvalidArgumentError(f"got {initial_photons!r}", argument="initial_photons",
                                       allowed=f"an integer 0 … {top} (below the cavity's cut-off)")
        self.initial_photons = int(initial_photons)
        self.rates = {k: check_finite_real(v, k, minimum=0.0) for k, v in zip(PERMUTATIONAL_RATES, (
            emission, dephasing, pumping, collective_emission, collective_dephasing, collective_pumping))}
        self.cavity_loss = check_finite_real(cavity_loss, "cavity_loss", minimum=0.0)
        self.cavity_pumping = check_finite_real(cavity_pumping, "cavity_pumping", minimum=0.0)
        if self.cavity_dim is None and (self.cavity_loss or self.cavity_pumping):
            raise ConfigError("cavity rates without a cavity", argument="cavity_dim",
                              allowed="the cavity's Fock dimension when cavity_loss/cavity_pumping > 0")
        self._ops = None

    # ---- operators ---------------------------------------------------------------------------
    @property
    def effective_coupling(self) -> float:
        """g actually used (g or g/√N)."""
        return self.coupling / math.sqrt(self.n_cells) if self.coupling_scaling == "inverse_sqrt" else self.coupling

    def _operators(self):
        if self._ops is None:
            jx, jy, jz, jp, jm = dicke_operators(self.n_cells)
            nc = self.cavity_dim or 1
            eye_c = sp.identity(nc, dtype=complex, format="csr")
            eye_s = sp.identity(jz.shape[0], dtype=complex, format="csr")
            a = sp.diags(np.sqrt(np.arange(1, nc)).astype(complex), 1, shape=(nc, nc), format="csr")

            def both(c, s):  # cavity first (qutip.tensor(cavity, dicke))
                return sp.kron(c, s, format="csr")

            self._ops = {"jx": both(eye_c, jx), "jz": both(eye_c, jz), "jp": both(eye_c, jp), "jm": both(eye_c, jm),
                         "a": both(a, eye_s), "n": both((a.T @ a).tocsr(), eye_s), "eye": both(eye_c, eye_s)}
        return self._ops

    @property
    def dimension(self) -> int:
        return (self.cavity_dim or 1) * num_dicke_states(self.n_cells)

    def battery_hamiltonian(self):
        o = self._operators()
        return (self.omega_0 * (o["jz"] + 0.5 * self.n_cells * o["eye"])).tocsr()

    def charger_hamiltonian(self):
        o = self._operators()
        if self.cavity_dim is None:
            return sp.csr_matrix((self.dimension, self.dimension), dtype=complex)
        wc = self.omega_c if self.coupling_kind == "dicke" else self.omega_c - self.drive_frequency
        return (wc * o["n"]).tocsr()

    def interaction(self):
        """``H_1``: the cell–cavity coupling, plus the frame shift of the cells in the rotating frame
        (``−ω_d J_z``: ``H_B + H_1`` then holds Δ_0 J_z)."""
        o = self._operators()
        g = self.effective_coupling
        if self.cavity_dim is None:
            h = sp.csr_matrix((self.dimension, self.dimension), dtype=complex)
        elif self.coupling_kind == "dicke":
            h = 2.0 * g * (o["jx"] @ (o["a"] + o["a"].T))
        else:
            h = g * (o["a"].T @ o["jm"] + o["a"] @ o["jp"])
        if self.coupling_kind == "tavis_cummings":
            h = h - self.drive_frequency * o["jz"]
        return sp.csr_matrix(h)

    def charging_hamiltonian(self):
        """The static part of H (the drive is in :meth:`drives`; H_B's constant ω_0 N/2 is dropped)."""
        o = self._operators()
        return (self.charger_hamiltonian() + self.omega_0 * o["jz"] + self.interaction()).tocsr()

    def drive_envelope(self, t: float) -> float:
        """F(t)."""
        if self.drive_shape == "constant":
            return self.drive_amplitude
        return self.drive_amplitude * math.exp(-((t - self.drive_center) ** 2) / (2.0 * self.drive_width ** 2))

    def drives(self):
        """``[(O, f)]``: the coherent drive (module docstring), empty when F = 0."""
        if self.drive_amplitude == 0.0:
            return []
        o = self._operators()
        if self.cavity_dim is None:
            return [(2.0 * o["jx"], self.drive_envelope)]
        field = (o["a"] + o["a"].T).tocsr()
        if self.coupling_kind == "tavis_cummings":
            return [(field, self.drive_envelope)]
        wd = self.drive_frequency
        return [(field, lambda t: 2.0 * self.drive_envelope(t) * math.cos(wd * t))]

    def jump_operators(self):
        """Empty: the dissipation of N cells is given by rates (:attr:`rates`, ``cavity_loss``,
        ``cavity_pumping``) and solved in the permutational basis (local jump operators would need 2^N)."""
        return []

    @property
    def is_open(self) -> bool:
        return any(self.rates.values()) or bool(self.cavity_loss or self.cavity_pumping) or bool(self.drives())

    # ---- states --------------------------------------------------------------------------------
    def basis(self) -> list[str]:
        j, m = dicke_labels(self.n_cells)
        spins = [f"j={a:g},m={b:g}" for a, b in zip(j, m)]
        if self.cavity_dim is None:
            return spins
        return [f"n={n},{s}" for n in range(self.cavity_dim) for s in spins]

    def initial_state(self) -> np.ndarray:
        """Cells in |N/2, −N/2⟩ (all in |g⟩), cavity in the Fock state ``initial_photons``."""
        rho = np.zeros((self.dimension,) * 2, dtype=complex)
        nds = num_dicke_states(self.n_cells)
        i = self.initial_photons * nds + int(self.n_cells)  # m = −N/2 is the last state of the j = N/2 block
        rho[i, i] = 1.0
        return rho

    def battery_state(self, psi):
        """Not defined as a matrix: the cells' state is permutation invariant and its ergotropy weights each j block
        by its degeneracy (:func:`qbhw.solvers.permutational_ergotropy`)."""
        raise NotImplementedError("use qbhw.solvers.permutational_ergotropy on the solver's states")

    def battery_spectrum(self, space: str = "full"):
        """Levels k ω_0 (k = 0 … N) with multiplicities C(N, k) of the full 2^N space."""
        from ..metrics import Spectrum

        n = self.n_cells
        return Spectrum(self.omega_0 * np.arange(n + 1), [math.comb(n, k) for k in range(n + 1)])

    def cutoff_population(self, rho) -> float:
        """Population of the cavity's highest Fock state (0 without a cavity)."""
        if self.cavity_dim is None:
            return 0.0
        nds = num_dicke_states(self.n_cells)
        diag = np.real(np.diagonal(rho)) if np.ndim(rho) == 2 else np.abs(rho) ** 2
        return float(np.sum(diag[(self.cavity_dim - 1) * nds:]))

    cutoff_name = "photon cut-off"

    @property
    def conventions(self) -> dict[str, Any]:
        return {"splitting": "omega_0 per cell, H_B = omega_0 (J_z + N/2)", "coupling_kind": self.coupling_kind,
                "coupling_scaling": self.coupling_scaling, "frame": "rotating at drive_frequency"
                if self.coupling_kind == "tavis_cummings" else "lab", "rates": "qutip.piqs (emission = 1/T1, "
                "dephasing = 2/Tphi)", "cavity_dim": self.cavity_dim}

    @property
    def metadata(self) -> dict[str, Any]:
        return {**super().metadata, "n_cells": self.n_cells, "coupling": self.coupling, "omega_0": self.omega_0,
                "omega_c": self.omega_c, "drive_frequency": self.drive_frequency,
                "drive_amplitude": self.drive_amplitude, "drive_shape": self.drive_shape, **self.rates,
                "cavity_loss": self.cavity_loss, "cavity_pumping": self.cavity_pumping}

    def permutational_solver(self):
        """The :class:`qbhw.solvers.PermutationalDicke` arguments of this model (a dict)."""
        return {"n_cells": self.n_cells, **self.rates, "cavity_dim": self.cavity_dim,
                "cavity_loss": self.cavity_loss, "cavity_pumping": self.cavity_pumping}
