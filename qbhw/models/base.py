"""The uniform interface of every battery model (scqubits-style: one class per system).

A model describes *what* is charged and *how*; solvers in :mod:`qbhw.solvers` evolve it.
Every model works in a (possibly symmetry-reduced) basis and exposes

* ``battery_hamiltonian()`` — ``H_B^(0)`` on the model's space, with the battery's ground
  energy at 0 (so ``Tr[H_B ρ]`` is the stored energy above the ground state);
* ``charger_hamiltonian()`` — ``H_C`` (zero for direct charging);
* ``interaction()`` — ``H_1``: for charger-mediated charging the coupling switched on
  during ``[0, τ]`` (review Eqs. 26–27); for direct charging (Eq. 25) ``H_B^(1) − H_B^(0)``;
* ``charging_hamiltonian()`` — the total generator during charging,
  ``H_C + H_B^(0) + H_1`` (time-independent for the closed models of Secs. III–IV);
* ``basis()`` — labels of the basis states; ``initial_state()`` — state vector or
  density matrix in that basis;
* ``battery_state(psi)`` — the battery's reduced density matrix (in the battery basis
  of ``battery_spectrum``) for one state of the model;
* ``battery_spectrum(space)`` — the battery Hamiltonian for ergotropy, as a matrix on the
  battery's reduced space or a :class:`~qbhw.metrics.Spectrum` with full-space
  multiplicities (``space="full"``: unitaries on every cell; ``space="symmetric"``:
  only the symmetric subspace);
* ``full_space()`` — the same model written in the full tensor-product Hilbert space
  (small sizes only), used to validate the reduced solver by brute force;
* ``conventions`` — a dict of every convention choice (splitting, coupling scaling,
  RWA, cut-off) stored with each charging curve.

Matrices are ``scipy.sparse.csr_matrix`` (reduced spaces can be large) or dense numpy
arrays; solvers accept both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError

__all__ = ["BatteryModel", "FullSpaceModel", "ERGOTROPY_SPACES", "check_space"]

ERGOTROPY_SPACES = ("full", "symmetric")


def check_space(space: str) -> str:
    if space not in ERGOTROPY_SPACES:
        raise ConfigError(f"unknown ergotropy space {space!r}", argument="space",
                          allowed="'full' (unitaries on all cells) | 'symmetric' (symmetric subspace only)")
    return space


class BatteryModel(ABC):
    """Abstract base of all battery models (closed unless ``jump_operators()`` or ``drives()`` is non-empty)."""

    #: short name used in metadata and plots
    name: str = "battery"
    #: "charger" (charger-mediated, Eqs. 26-27) or "direct" (Eq. 25)
    protocol: str = "charger"

    # ---- Hamiltonian pieces ------------------------------------------------------
    @abstractmethod
    def battery_hamiltonian(self):
        """``H_B^(0)`` on the model's space (ground energy 0)."""

    def charger_hamiltonian(self):
        """``H_C`` on the model's space (zero matrix for direct charging)."""
        return sp.csr_matrix((self.dimension, self.dimension), dtype=complex)

    @abstractmethod
    def interaction(self):
        """``H_1`` (charger-mediated) or ``H_B^(1) − H_B^(0)`` (direct charging)."""

    def charging_hamiltonian(self):
        """Total generator during charging: ``H_C + H_B^(0) + H_1``."""
        return self.charger_hamiltonian() + self.battery_hamiltonian() + self.interaction()

    # ---- open-system parts (review Sec. V, Eq. 51) ---------------------------------
    def jump_operators(self) -> list:
        """GKSL jump operators ``L_k = √γ_k A_k`` on the model's space (rates folded in); ``[]`` for a
        closed model. :func:`qbhw.charge` evolves a model with dissipators by the master equation
        ``dρ/dt = −i[H(t), ρ] + Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ})`` (review Eq. 51)."""
        return []

    def drives(self) -> list:
        """Time-dependent Hamiltonian terms ``[(O_k, f_k), …]``, ``H(t) = charging_hamiltonian() + Σ_k f_k(t) O_k``
        (``O_k`` Hermitian on the model's space, ``f_k(t)`` real); ``[]`` for a time-independent generator."""
        return []

    @property
    def is_open(self) -> bool:
        """Whether :func:`qbhw.charge` must use the master equation (dissipators or drives present)."""
        return bool(len(self.jump_operators())) or bool(len(self.drives()))

    # ---- basis and states --------------------------------------------------------
    @property
    @abstractmethod
    def dimension(self) -> int:
        """Dimension of the model's (reduced) space."""

    def basis(self) -> list[str]:
        """Human-readable labels of the basis states."""
        return [str(k) for k in range(self.dimension)]

    @abstractmethod
    def initial_state(self) -> np.ndarray:
        """Initial state (vector or density matrix) in the model's basis."""

    # ---- battery part ------------------------------------------------------------
    @abstractmethod
    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        """Battery reduced density matrix for a state ``psi`` of the model (vector or matrix)."""

    @abstractmethod
    def battery_spectrum(self, space: str = "full"):
        """Battery Hamiltonian for ergotropy of ``battery_state`` (matrix or :class:`~qbhw.metrics.Spectrum`)."""

    # ---- validation --------------------------------------------------------------
    def full_space(self) -> "FullSpaceModel":
        """The same model in the full tensor-product space (small sizes only)."""
        raise NotImplementedError(f"{type(self).__name__} has no full-space form")

    @property
    def conventions(self) -> dict[str, Any]:
        return {}

    @property
    def metadata(self) -> dict[str, Any]:
        """Model name, parameters and conventions, stored with every charging curve."""
        return {"model": type(self).__name__, "protocol": self.protocol, **self.conventions}


@dataclass
class FullSpaceModel(BatteryModel):
    """A model given by explicit full-space matrices (brute-force reference).

    ``battery_dims`` and ``battery_sites``: dimensions of all tensor factors (qiskit
    little-endian, factor 0 least significant) and which factors form the battery;
    ``battery_local`` is the full battery Hamiltonian on those factors (used for the
    reduced state's ergotropy over the full battery space).
    """

    h_battery: Any
    h_charger: Any
    h_interaction: Any
    psi0: np.ndarray
    dims: list[int]
    battery_sites: list[int]
    h_battery_local: np.ndarray
    name: str = "full-space"
    protocol: str = "charger"
    info: dict = field(default_factory=dict)

    def battery_hamiltonian(self):
        return self.h_battery

    def charger_hamiltonian(self):
        return self.h_charger

    def interaction(self):
        return self.h_interaction

    @property
    def dimension(self) -> int:
        return int(np.prod(self.dims))

    def initial_state(self) -> np.ndarray:
        return self.psi0

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        from ..metrics import partial_trace

        psi = np.asarray(psi)
        rho = np.outer(psi, psi.conj()) if psi.ndim == 1 else psi
        if sorted(self.battery_sites) == list(range(len(self.dims))):
            return rho
        return partial_trace(rho, self.battery_sites, self.dims)

    def battery_spectrum(self, space: str = "full"):
        check_space(space)
        return self.h_battery_local

    @property
    def conventions(self) -> dict[str, Any]:
        return dict(self.info)
