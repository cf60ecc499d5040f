"""Environment-assisted (non-Markovian) charging: a charger two-level system resonantly coupled to a
battery two-level system, with amplitude damping into a structured zero-temperature bosonic reservoir
(review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.A.2; Kamin, Tabesh, Salimi, Kheirandish and Santos,
New J. Phys. 22, 083037, 2020).

Hamiltonian (ħ = 1, lab frame, everything resonant at ω):

    H = ω σ_B^+σ_B^− + ω σ_C^+σ_C^− + κ (σ_B^+σ_C^− + σ_B^−σ_C^+) + H_env,

where each damped two-level system X couples to its own reservoir of bosonic modes with the Lorentzian
spectral density (Breuer & Petruccione, *The Theory of Open Quantum Systems*, 2002, Sec. 10.1.2)

    J(ω') = (γ_0/2π) λ² / [(ω − ω')² + λ²],

γ_0 the Markovian decay rate (the strength) and λ the spectral width; the reservoir correlation time is 1/λ.
Which two-level system is damped is the ``environment`` option: ``"charger"`` (default), ``"battery"`` or
``"both"`` (two independent reservoirs with the same J). Kamin et al. let the charger and the battery
"individually" access a bosonic environment; the review (Sec. V.A.2) states that the environment makes the
charger-to-battery transfer near-ideal in the underdamped regime, where the charger–battery coupling exceeds
the coupling to the environment. The default damps the charger, the element that holds the energy at
t = 0.

Exact treatment by a pseudomode (Garraway, Phys. Rev. A 55, 2290, 1997). A Lorentzian reservoir at zero
temperature is equivalent to one damped bosonic mode a (the pseudomode, at the centre ω of J) coupled
coherently to the two-level system:

    H_env = Σ_X [ω a_X†a_X + Ω_0 (σ_X^+ a_X + σ_X^− a_X†)],   Ω_0 = √(γ_0 λ / 2),
    L_X = √(2λ) a_X   (field damping λ: a single photon leaks at the rate 2λ).

The GKSL equation (review Eq. 51) of the extended system is exact for the two-level systems. For a single
excited emitter it reproduces the exact amplitude of the damped Jaynes–Cummings model,

    c(t) = e^{−λt/2} [cosh(dt/2) + (λ/d) sinh(dt/2)],   d = √(λ² − 2γ_0λ)

(Breuer & Petruccione Eq. 10.57; d imaginary for γ_0 > λ/2). ``memory="markovian"`` replaces every
pseudomode by the Markovian (Born–Markov, λ → ∞) limit L_X = √γ_0 σ_X^−, under which |c(t)|² = e^{−γ_0 t}.

Regimes. The single emitter's dynamics is non-Markovian (c(t) has zeros, information flows back) when
γ_0 > λ/2 (:attr:`EnvironmentAssistedBattery.non_markovian`); λ ≫ γ_0 is the Markovian limit.

Space and cut-off. Factors (little-endian, factor 0 least significant): battery (2), charger (2), then one
pseudomode of ``n_max + 1`` Fock levels per damped two-level system. The initial state |g⟩_B|e⟩_C|0…⟩ holds
one excitation, which the Hamiltonian conserves and the losses only remove, so the pseudomodes never exceed
one photon; the cut-off check (:meth:`cutoff_population`, the largest population of a pseudomode's top
level, compared with a threshold by :func:`qbhw.charge`, which raises :class:`~qbhw.errors.TruncationError`
above it) cannot tell an exact cut-off from a too-low one, so keep one empty level: ``cutoff=None``
(automatic) takes 2, which passes with a population of 0; ``cutoff=1`` is exact here but fails the check.

Battery energy and ergotropy: H_B = ω σ_B^+σ_B^− (ground energy 0); with one excitation the battery's
reduced state is diag(1 − p, p), p = |c_B(t)|², so E_B = ωp and 𝓔 = ω max(0, 2p − 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, InvalidArgumentError, InvalidStateError
from ..metrics import partial_trace
from ._qubit_ops import SIGMA_MINUS, SIGMA_PLUS, check_coupling
from .base import BatteryModel, check_space

__all__ = ["ENVIRONMENTS", "MEMORY_MODES", "EnvironmentAssistedBattery", "lorentzian_amplitude"]

#: which two-level system(s) the reservoir damps
ENVIRONMENTS = ("charger", "battery", "both")
#: "pseudomode": exact Lorentzian reservoir; "markovian": its Born–Markov limit (rate γ_0)
MEMORY_MODES = ("pseudomode", "markovian")


def lorentzian_amplitude(times, gamma0: float, width: float) -> np.ndarray:
    """Exact excited-state amplitude of one two-level system decaying into a resonant Lorentzian vacuum.

    ``c(t) = e^{−λt/2}[cosh(dt/2) + (λ/d) sinh(dt/2)]``, ``d = √(λ² − 2γ_0λ)`` (complex for γ_0 > λ/2; at
    d = 0 the limit ``e^{−λt/2}(1 + λt/2)``); Breuer & Petruccione (2002) Eq. 10.57, Garraway (1997).
    """
    t = np.asarray(times, dtype=float)
    g0 = check_coupling(gamma0, "gamma0", strict=True)
    lam = check_coupling(width, "width", strict=True)
    d = np.sqrt(complex(lam * lam - 2.0 * g0 * lam))
    if abs(d) < 1e-12 * lam:
        return np.exp(-lam * t / 2.0) * (1.0 + lam * t / 2.0)
    c = np.exp(-lam * t / 2.0) * (np.cosh(d * t / 2.0) + (lam / d) * np.sinh(d * t / 2.0))
    return c.real  # real in both regimes (cosh/sinh of an imaginary argument are cos and i·sin)


def _embed(op: np.ndarray, site: int, dims: list[int]) -> sp.csr_matrix:
    """``op`` on factor ``site`` of ``dims`` (little-endian: factor 0 is the rightmost Kronecker factor)."""
    out = sp.identity(1, dtype=complex, format="csr")
    for k in reversed(range(len(dims))):
        factor = sp.csr_matrix(op, dtype=complex) if k == site else sp.identity(dims[k], dtype=complex, format="csr")
        out = sp.kron(out, factor, format="csr")
    return out


class EnvironmentAssistedBattery(BatteryModel):
    """Charger + battery two-level systems with a Lorentzian (pseudomode) or Markovian reservoir.

    Parameters
    ----------
    coupling:
        κ ≥ 0, the resonant charger–battery exchange (units of ω).
    gamma0:
        γ_0 > 0, the Markovian decay rate of a damped two-level system (the strength of J; units of ω).
    width:
        λ > 0, the half-width of the Lorentzian J (units of ω); 1/λ is the reservoir memory time.
    omega:
        ω > 0, the gap of both two-level systems and the centre of J (the energy unit).
    environment:
        ``"charger"`` | ``"battery"`` | ``"both"``: the damped two-level system(s).
    memory:
        ``"pseudomode"`` (exact non-Markovian reservoir) | ``"markovian"`` (rate γ_0, no memory).
    cutoff:
        Highest Fock level n_max of each pseudomode (≥ 1), or ``None``: one level above the initial
        excitation number, i.e. 2 (see the module docstring).
    """

    name = "environment-assisted battery (charger + battery TLS, Lorentzian reservoir)"
    protocol = "charger"

    def __init__(self, coupling: float, gamma0: float, width: float, omega: float = 1.0, *,
                 environment: str = "charger", memory: str = "pseudomode", cutoff: int | None = None):
        self.coupling = check_coupling(coupling, "coupling")
        self.gamma0 = check_coupling(gamma0, "gamma0", strict=True)
        self.width = check_coupling(width, "width", strict=True)
        self.omega = check_coupling(omega, "omega", strict=True)
        if environment not in ENVIRONMENTS:
            raise ConfigError(f"got {environment!r}", argument="environment",
                              allowed=" | ".join(repr(e) for e in ENVIRONMENTS))
        if memory not in MEMORY_MODES:
            raise ConfigError(f"got {memory!r}", argument="memory", allowed=" | ".join(repr(m) for m in MEMORY_MODES))
        if cutoff is None:
            cutoff = 2  # one excitation at t = 0, plus one empty level for the cut-off check
        if isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or cutoff < 1:
            raise InvalidArgumentError(f"got {cutoff!r}", argument="cutoff", allowed="an integer >= 1 or None")
        self.environment = environment
        self.memory = memory
        self.n_max = int(cutoff)
        self.damped = {"charger": [1], "battery": [0], "both": [0, 1]}[environment]
        n_modes = len(self.damped) if memory == "pseudomode" else 0
        self.dims = [2, 2] + [self.n_max + 1] * n_modes
        #: factor index of the pseudomode of each damped two-level system
        self.pseudomode_sites = {tls: 2 + i for i, tls in enumerate(self.damped)} if n_modes else {}

    # ---- derived rates -----------------------------------------------------------------
    @property
    def pseudomode_coupling(self) -> float:
        """Ω_0 = √(γ_0 λ/2): the two-level system–pseudomode coupling equivalent to J."""
        return float(np.sqrt(self.gamma0 * self.width / 2.0))

    @property
    def non_markovian(self) -> bool:
        """γ_0 > λ/2: a single damped emitter's amplitude oscillates (memory, information backflow)."""
        return self.gamma0 > self.width / 2.0

    # ---- operators ---------------------------------------------------------------------
    @property
    def dimension(self) -> int:
        return int(np.prod(self.dims))

    def basis(self) -> list[str]:
        labels = []
        for idx in range(self.dimension):
            rest, digits = idx, []
            for d in self.dims:
                digits.append(rest % d)
                rest //= d
            tls = f"B={'ge'[digits[0]]}, C={'ge'[digits[1]]}"
            modes = "".join(f", n{k}={n}" for k, n in enumerate(digits[2:]))
            labels.append(f"|{tls}{modes}>")
        return labels

    def excited_projector(self, which: str = "battery") -> sp.csr_matrix:
        """|e⟩⟨e| of the ``"battery"`` or ``"charger"`` on the model space."""
        site = {"battery": 0, "charger": 1}.get(which)
        if site is None:
            raise ConfigError(f"got {which!r}", argument="which", allowed="'battery' | 'charger'")
        return _embed(np.diag([0.0, 1.0]), site, self.dims)

    def annihilation(self, tls: int) -> sp.csr_matrix:
        """The pseudomode operator a_X of two-level system ``tls`` (0: battery, 1: charger)."""
        if tls not in self.pseudomode_sites:
            raise ConfigError(f"two-level system {tls} has no pseudomode", argument="tls",
                              allowed=" | ".join(str(k) for k in self.pseudomode_sites) or "none (memory='markovian')")
        a = np.diag(np.sqrt(np.arange(1, self.n_max + 1, dtype=float)), 1)
        return _embed(a, self.pseudomode_sites[tls], self.dims)

    def battery_hamiltonian(self) -> sp.csr_matrix:
        """``ω σ_B^+σ_B^−`` (ground energy 0)."""
        return (self.omega * self.excited_projector("battery")).tocsr()

    def charger_hamiltonian(self) -> sp.csr_matrix:
        """``ω σ_C^+σ_C^−``."""
        return (self.omega * self.excited_projector("charger")).tocsr()

    def interaction(self) -> sp.csr_matrix:
        """``κ(σ_B^+σ_C^− + σ_B^−σ_C^+)``."""
        flip = _embed(SIGMA_PLUS, 0, self.dims) @ _embed(SIGMA_MINUS, 1, self.dims)
        return (self.coupling * (flip + flip.conj().T)).tocsr()

    def environment_hamiltonian(self) -> sp.csr_matrix:
        """``Σ_X [ω a_X†a_X + Ω_0(σ_X^+ a_X + σ_X^− a_X†)]`` (zero for ``memory="markovian"``)."""
        out = sp.csr_matrix((self.dimension, self.dimension), dtype=complex)
        for tls in self.pseudomode_sites:
            a = self.annihilation(tls)
            sp_x = _embed(SIGMA_PLUS, tls, self.dims)
            hop = sp_x @ a
            out = out + self.omega * (a.conj().T @ a) + self.pseudomode_coupling * (hop + hop.conj().T)
        return out.tocsr()

    def charging_hamiltonian(self) -> sp.csr_matrix:
        """``H_B + H_C + κ-exchange + H_env``."""
        return (self.battery_hamiltonian() + self.charger_hamiltonian() + self.interaction()
                + self.environment_hamiltonian()).tocsr()

    def jump_operators(self) -> list[sp.csr_matrix]:
        """``√(2λ) a_X`` per pseudomode, or ``√γ_0 σ_X^−`` per damped two-level system (Markovian)."""
        if self.memory == "pseudomode":
            return [(np.sqrt(2.0 * self.width) * self.annihilation(tls)).tocsr() for tls in self.pseudomode_sites]
        return [(np.sqrt(self.gamma0) * _embed(SIGMA_MINUS, tls, self.dims)).tocsr() for tls in self.damped]

    # ---- states ------------------------------------------------------------------------
    def initial_state(self) -> np.ndarray:
        """|g⟩_B |e⟩_C |0⟩ (pseudomodes in their vacuum: a zero-temperature reservoir)."""
        psi = np.zeros(self.dimension, dtype=complex)
        psi[2] = 1.0  # factor 0 (battery) = 0, factor 1 (charger) = 1, pseudomodes = 0
        return psi

    def _density(self, state) -> np.ndarray:
        x = np.asarray(state.toarray() if sp.issparse(state) else state, dtype=complex)
        if x.ndim == 1:
            x = np.outer(x, x.conj())
        if x.shape != (self.dimension, self.dimension):
            raise InvalidStateError(f"state has shape {x.shape}", argument="state",
                                    allowed=f"a vector of length {self.dimension} or a square matrix of that size")
        return x

    def battery_state(self, psi) -> np.ndarray:
        """The battery's 2×2 reduced state (basis |g⟩, |e⟩)."""
        return partial_trace(self._density(psi), [0], self.dims)

    def battery_spectrum(self, space: str = "full") -> np.ndarray:
        """``diag(0, ω)`` (one cell: both spaces agree)."""
        check_space(space)
        return np.diag([0.0, self.omega]).astype(complex)

    # ---- cut-off -------------------------------------------------------------------------
    @property
    def cutoff_name(self) -> str:
        return f"pseudomode Fock cut-off (n = {self.n_max})"

    def cutoff_population(self, psi) -> float:
        """Largest population of a pseudomode's top Fock level n_max (0 for ``memory="markovian"``)."""
        if not self.pseudomode_sites:
            return 0.0
        rho = self._density(psi)
        worst = 0.0
        for site in self.pseudomode_sites.values():
            reduced = partial_trace(rho, [site], self.dims)
            worst = max(worst, float(np.real(reduced[-1, -1])))
        return worst

    @property
    def conventions(self) -> dict[str, Any]:
        return {"coupling": self.coupling, "gamma0": self.gamma0, "width": self.width, "omega": self.omega,
                "environment": self.environment, "memory": self.memory, "cutoff": self.n_max,
                "spectral_density": "J(w) = (gamma0/2pi) width^2 / ((omega - w)^2 + width^2)",
                "pseudomode": "coupling sqrt(gamma0 width / 2), jump sqrt(2 width) a",
                "markovian_limit": "jump sqrt(gamma0) sigma^-",
                "initial": "|g>_B |e>_C |vacuum>"}
