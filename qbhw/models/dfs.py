"""Loss-free storage in a decoherence-free subspace: the six-site ring battery (Liu, Segal and Hanna, J. Phys.
Chem. C 123, 18303, 2019; review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.C.1, Eqs. 59–60 and Fig. 9).

One excitation on a benzene-like ring of six sites j = 1…6 (the single-excitation manifold, basis |j⟩):

    H = Σ_j E_j |j⟩⟨j| + J_0 Σ_j (|j⟩⟨j+1| + |j+1⟩⟨j|)      (review Eq. 59; periodic, |7⟩ ≡ |1⟩)

with E_2 = E_3 = E_5 = E_6 = E_bulk and the "surface" sites 1 and 4 at their own energies E_1, E_4. The
environment (independent vibrational baths) couples only through the site projectors |1⟩⟨1| and |4⟩⟨4|. Here
it is Markovian pure dephasing (review Eq. 51):

    L_1 = √γ_1 |1⟩⟨1|,   L_4 = √γ_4 |4⟩⟨4|

(γ_1 = γ_4 = γ_φ by default; a coherence between |1⟩ and another site decays at γ_1/2).

Symmetry and dark states (review Eq. 60). The reflection R of the ring through the axis 1–4,
|2⟩ ↔ |6⟩, |3⟩ ↔ |5⟩ with |1⟩, |4⟩ fixed (:meth:`DFSRingBattery.reflection`), commutes with H and with both
bath operators, so the space splits into R-even and R-odd sectors that the dynamics never mixes. The odd
sector, spanned by (|2⟩ − |6⟩)/√2 and (|3⟩ − |5⟩)/√2, has no amplitude on sites 1 and 4: every jump operator
annihilates it and H maps it into itself, so it is decoherence free. H restricted to it has the eigenstates

    |ψ_±⟩ = ½(|6⟩ − |2⟩ ± |5⟩ ∓ |3⟩),      H|ψ_±⟩ = (E_bulk ± J_0)|ψ_±⟩,

for any E_1, E_4: E_bulk ± J_0 are eigenvalues of H. The review's Fig. 9 writes the symmetry as
Π = exp[i(|2⟩⟨6| + h.c.)] exp[i(|3⟩⟨5| + h.c.)] and calls E_bulk ± J_0 eigenvalues of Π; that Π does not
commute with H (for E_1 = 0.3, E_4 = 0.7, E_bulk = 1, J_0 = 0.2 the largest element of [Π, H] is ≈ 0.19,
its spectral norm ≈ 0.27): the symmetry is the reflection R, under which ψ_± are odd. A dark state
|ψ_±⟩⟨ψ_±| is stationary, and any state of the odd sector evolves unitarily (no loss of energy or
ergotropy); states with weight in the even sector ("bright", site states) dephase and lose ergotropy.

Symmetry breaking for extraction. ``chi`` = χ detunes one arm of the ring, E_2 = E_3 = E_bulk + χ (sites 5,
6 stay at E_bulk): R is broken, the dark states couple to sites 1 and 4 and the stored excitation leaks
towards the surface sites (the target site 4), where it can be extracted — and where it dephases.

Energies. The battery Hamiltonian is the ring's H shifted so that its lowest eigenvalue λ_min is 0
(``battery_hamiltonian() = H − λ_min``; :attr:`DFSRingBattery.energy_offset` = λ_min): the stored energy and
the ergotropy (review Eq. 4) are those of the single-excitation manifold. There is no charger (storage):
``charging_hamiltonian()`` is the battery Hamiltonian and :func:`qbhw.charge` evolves the initial state by the
master equation with :meth:`jump_operators`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, InvalidArgumentError
from ..metrics._inputs import check_finite_real
from .base import BatteryModel, check_space

__all__ = ["DFSRingBattery", "DFS_INITIAL_STATES", "N_RING_SITES", "SURFACE_SITES"]

N_RING_SITES = 6
#: the sites through which the environment acts (1-based)
SURFACE_SITES = (1, 4)
#: initial states: the two dark states, the R-even bulk superposition, and single sites
DFS_INITIAL_STATES = ("dark_plus", "dark_minus", "bright") + tuple(f"site:{k}" for k in range(1, N_RING_SITES + 1))
#: the reflection through the axis 1–4 (1-based: site j ↦ _MIRROR[j])
_MIRROR = {1: 1, 2: 6, 3: 5, 4: 4, 5: 3, 6: 2}


def _ket(site: int) -> np.ndarray:
    v = np.zeros(N_RING_SITES, dtype=complex)
    v[site - 1] = 1.0
    return v


class DFSRingBattery(BatteryModel):
    """Six-site single-excitation ring with dephasing on sites 1 and 4 (see the module docstring).

    Parameters
    ----------
    e1, e4:
        Site energies E_1, E_4 of the surface sites (units of the model's energy scale, e.g. E_bulk = 1).
    e_bulk:
        E_2 = E_3 = E_5 = E_6.
    hopping:
        Nearest-neighbour coupling J_0 (any real; the dark-state energies are E_bulk ± J_0).
    dephasing:
        γ_φ ≥ 0, the dephasing rate of both surface sites, or a pair (γ_1, γ_4) (units of energy, ħ = 1).
    initial:
        ``"dark_plus"`` (ψ_+), ``"dark_minus"`` (ψ_−), ``"bright"`` (½(|2⟩ + |3⟩ + |5⟩ + |6⟩), R-even: it dephases)
        or ``"site:k"`` (|k⟩, k = 1…6).
    chi:
        Symmetry-breaking detuning χ of sites 2 and 3 (0: the DFS is exact).
    """

    name = "dfs_ring"
    protocol = "storage"

    def __init__(self, e1: float = 0.3, e4: float = 0.7, e_bulk: float = 1.0, hopping: float = 0.2,
                 dephasing=0.5, initial: str = "dark_plus", chi: float = 0.0):
        self.e1 = check_finite_real(e1, "e1")
        self.e4 = check_finite_real(e4, "e4")
        self.e_bulk = check_finite_real(e_bulk, "e_bulk")
        self.hopping = check_finite_real(hopping, "hopping")
        self.chi = check_finite_real(chi, "chi")
        if np.ndim(dephasing) == 0:
            g1 = g4 = check_finite_real(dephasing, "dephasing", minimum=0.0)
        else:
            rates = list(np.asarray(dephasing, dtype=object).ravel())
            if len(rates) != 2:
                raise InvalidArgumentError(f"got {dephasing!r}", argument="dephasing",
                                           allowed="a rate >= 0 or a pair (gamma_1, gamma_4) of rates >= 0")
            g1 = check_finite_real(rates[0], "dephasing[0]", minimum=0.0)
            g4 = check_finite_real(rates[1], "dephasing[1]", minimum=0.0)
        self.dephasing_rates = (g1, g4)
        if initial not in DFS_INITIAL_STATES:
            raise ConfigError(f"got {initial!r}", argument="initial",
                              allowed=" | ".join(repr(s) for s in DFS_INITIAL_STATES))
        self.initial = initial
        h = self.ring_hamiltonian()
        self.energy_offset = float(np.linalg.eigvalsh(h)[0])

    @property
    def dephasing(self) -> float:
        """γ_φ when both surface sites dephase at the same rate (else the mean of the two)."""
        return 0.5 * (self.dephasing_rates[0] + self.dephasing_rates[1])

    # ---- Hamiltonian and bath -------------------------------------------------------------------
    def site_energies(self) -> np.ndarray:
        """(E_1, …, E_6), with χ added to sites 2 and 3."""
        b = self.e_bulk
        return np.array([self.e1, b + self.chi, b + self.chi, self.e4, b, b], dtype=float)

    def ring_hamiltonian(self) -> np.ndarray:
        """The ring's H (review Eq. 59), unshifted, 6×6 in the site basis |1⟩…|6⟩."""
        h = np.diag(self.site_energies()).astype(complex)
        for j in range(N_RING_SITES):
            k = (j + 1) % N_RING_SITES
            h[j, k] = h[k, j] = self.hopping
        return h

    def battery_hamiltonian(self):
        """``H − λ_min`` (ground energy 0; λ_min = :attr:`energy_offset`)."""
        return self.ring_hamiltonian() - self.energy_offset * np.eye(N_RING_SITES)

    def interaction(self):
        """No charger: a zero matrix (storage)."""
        return sp.csr_matrix((N_RING_SITES, N_RING_SITES), dtype=complex)

    def bath_operators(self) -> list[np.ndarray]:
        """The site projectors |1⟩⟨1|, |4⟩⟨4| through which the environment acts."""
        return [np.outer(_ket(j), _ket(j).conj()) for j in SURFACE_SITES]

    def jump_operators(self) -> list[np.ndarray]:
        """``L_j = √γ_j |j⟩⟨j|`` for j = 1, 4 (those with γ_j > 0)."""
        return [np.sqrt(g) * p for g, p in zip(self.dephasing_rates, self.bath_operators()) if g > 0]

    # ---- symmetry and dark states ---------------------------------------------------------------
    def reflection(self) -> np.ndarray:
        """R: the permutation |2⟩ ↔ |6⟩, |3⟩ ↔ |5⟩ fixing |1⟩, |4⟩ (commutes with H when χ = 0 and with the
        bath operators always)."""
        r = np.zeros((N_RING_SITES, N_RING_SITES), dtype=complex)
        for j, k in _MIRROR.items():
            r[k - 1, j - 1] = 1.0
        return r

    def dark_states(self) -> tuple[np.ndarray, np.ndarray]:
        """(ψ_+, ψ_−) = ½(|6⟩ − |2⟩ ± |5⟩ ∓ |3⟩) (R-odd, no amplitude on sites 1 and 4)."""
        k = _ket
        plus = 0.5 * (k(6) - k(2) + k(5) - k(3))
        minus = 0.5 * (k(6) - k(2) - k(5) + k(3))
        return plus, minus

    def dark_energies(self) -> tuple[float, float]:
        """(E_bulk + J_0, E_bulk − J_0): the eigenvalues of the ring's H on ψ_± when χ = 0 (unshifted)."""
        return self.e_bulk + self.hopping, self.e_bulk - self.hopping

    def decoherence_free_basis(self) -> np.ndarray:
        """Orthonormal columns spanning the R-odd sector, (|2⟩ − |6⟩)/√2 and (|3⟩ − |5⟩)/√2: decoherence free
        when χ = 0."""
        return np.stack([(_ket(2) - _ket(6)) / np.sqrt(2), (_ket(3) - _ket(5)) / np.sqrt(2)], axis=1)

    def complement_basis(self) -> np.ndarray:
        """Orthonormal columns spanning the R-even sector (|1⟩, |4⟩, (|2⟩ + |6⟩)/√2, (|3⟩ + |5⟩)/√2)."""
        return np.stack([_ket(1), _ket(4), (_ket(2) + _ket(6)) / np.sqrt(2), (_ket(3) + _ket(5)) / np.sqrt(2)],
                        axis=1)

    def decoherence_free_weight(self, state) -> float:
        """Tr[P_odd ρ]: the weight of a state (vector or density matrix) in the R-odd sector, the part that is
        stored without loss when χ = 0."""
        b = self.decoherence_free_basis()
        rho = self.battery_state(state)
        return float(np.real(np.trace(b.conj().T @ rho @ b)))

    @property
    def symmetric(self) -> bool:
        """Whether the reflection is a symmetry (χ = 0)."""
        return self.chi == 0.0

    # ---- BatteryModel interface ----------------------------------------------------------------
    @property
    def dimension(self) -> int:
        return N_RING_SITES

    def basis(self) -> list[str]:
        return [f"|{j}⟩" for j in range(1, N_RING_SITES + 1)]

    def initial_state(self) -> np.ndarray:
        """The state vector named by ``initial``."""
        if self.initial == "dark_plus":
            return self.dark_states()[0]
        if self.initial == "dark_minus":
            return self.dark_states()[1]
        if self.initial == "bright":
            return 0.5 * (_ket(2) + _ket(3) + _ket(5) + _ket(6))
        return _ket(int(self.initial.split(":", 1)[1]))

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        """The ring's density matrix (a state vector becomes |ψ⟩⟨ψ|)."""
        arr = np.asarray(psi, dtype=complex)
        return np.outer(arr, arr.conj()) if arr.ndim == 1 else arr

    def battery_spectrum(self, space: str = "full"):
        check_space(space)
        return self.battery_hamiltonian()

    @property
    def conventions(self) -> dict[str, Any]:
        return {"e1": self.e1, "e4": self.e4, "e_bulk": self.e_bulk, "hopping": self.hopping, "chi": self.chi,
                "dephasing_rates": list(self.dephasing_rates), "initial": self.initial,
                "energy_offset": self.energy_offset,
                "bath": "L_j = sqrt(gamma_j) |j><j|, j = 1, 4 (pure dephasing of the surface sites)",
                "energy": "H - lambda_min (lowest single-excitation level at 0)"}
