"""Figures of merit of the stabilisation of an open (dissipative) battery (review Sec. V.B.2–3, Eqs. 53–57;
Gherardini, Campaioli, Caruso and Binder, Phys. Rev. Research 2, 013095, 2020).

For GKSL dynamics ``dρ/dt = −i[H_B + H_c(t), ρ] + 𝓓[ρ]`` (review Eq. 51; ``H_c`` the control) the
battery energy ``E = Tr[H_B ρ]`` obeys the first law (Eq. 55)

    Ė = P_stab + 𝒥,   P_stab = −i Tr([H_B, H_c] ρ),   𝒥 = Tr[H_B 𝓓[ρ]],

``𝒥`` being the energy current from the environment into the battery (negative while the battery leaks).
The functions here take matrices only (this is the bottom layer): the value ``𝓓[ρ]`` of the dissipator is
an argument (:func:`qbhw.solvers.lindblad.dissipator` computes it).

* :func:`energy_current` — ``𝒥 = Tr[H_B 𝓓[ρ]]``, the expression the review calls the leakage 𝔏 (Eq. 54);
  :func:`leakage` — the energy lost to the environment per unit time, ``−Tr[H_B 𝓓[ρ]]`` (≥ 0 while the
  battery decays), or the literal review expression with ``convention="review"``. The ideal protocol of
  Eq. (54) spends exactly the lost energy, ``P_stab = −𝒥``; the review's ``W_stab = 𝔏`` reads with 𝔏 the
  energy *lost* (``convention="lost"``); the review's expression is ``convention="review"`` (the sign of the
  ``leakage`` observable of :func:`qbhw.solvers.open.charge_open`). The convention is a required argument.
* :func:`stabilisation_cost_ratios` — ``η_stab = W_stab/E_max`` and ``ζ_stab = (W_stab − 𝔏)/E_max``
  (Eqs. 53–54), for matching quantities (both rates, or both integrated over time).
* :func:`entropy_rate` — ``Ṡ = −Tr[𝓓[ρ] ln ρ]`` (the Hamiltonian part does not change the entropy).
* :func:`stabilisation_power_bound` — the right-hand side of Eq. (56), ``P_stab ≥ Ė − T_π Ṡ``. It follows
  from Spohn's inequality ``−Tr[𝓓[ρ](ln ρ − ln π)] ≥ 0`` when ``𝓓[π] = 0`` for the Gibbs state
  ``π ∝ e^{−H_B/T_π}``: then ``𝒥 ≤ T_π Ṡ``.
* :func:`effective_temperature` — ``T_π`` of a Gibbs-diagonal invariant state (exact for a two-level
  battery, review footnote 14).
* :func:`shannon_entropy`, :func:`measurement_entropy`, :func:`zeno_cost` — the Landauer cost of erasing
  the records of projective energy measurements, ``W_Zeno = m̄ S_Sh[ρ_α]/β_eras`` (Eq. 57), with
  ``S_Sh = −Σ_k p_k ln p_k`` over the energy-measurement outcome probabilities ``p_k = Tr[Π_k ρ_α]``.

Natural logarithms throughout (entropies in nats, ``k_B = 1``).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import DimensionMismatchError, InvalidArgumentError, InvalidStateError
from ._inputs import _to_numpy, as_density_matrix, as_hamiltonian, check_finite_real
from .bounds import energy_populations

__all__ = [
    "LEAKAGE_CONVENTIONS",
    "energy_current",
    "leakage",
    "stabilisation_cost_ratios",
    "entropy_rate",
    "stabilisation_power_bound",
    "effective_temperature",
    "shannon_entropy",
    "measurement_entropy",
    "zeno_cost",
]

#: sign conventions of :func:`leakage`
LEAKAGE_CONVENTIONS = ("lost", "review")
#: eigenvalues of ρ below this are treated as zero by :func:`entropy_rate`
ZERO_EIGENVALUE = 1e-13


def _square(matrix, argument: str, dim: int | None = None) -> np.ndarray:
    arr = _to_numpy(matrix, argument)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise DimensionMismatchError(f"must be a square matrix, got shape {arr.shape}", argument=argument,
                                     allowed="shape (d, d)" if dim is None else f"shape ({dim}, {dim})")
    if dim is not None and arr.shape[0] != dim:
        raise DimensionMismatchError(f"has shape {arr.shape}", argument=argument, allowed=f"shape ({dim}, {dim})")
    return arr


def _hamiltonian_matrix(hamiltonian, argument: str = "battery_hamiltonian") -> np.ndarray:
    h = as_hamiltonian(hamiltonian, argument)
    if h.matrix is None:
        raise InvalidArgumentError("needs an explicit matrix", argument=argument, allowed="a (d, d) Hermitian matrix")
    return np.asarray(h.matrix, dtype=complex)


def energy_current(battery_hamiltonian, dissipator_value) -> float:
    """``𝒥 = Tr[H_B 𝓓[ρ]]``: energy per unit time flowing from the environment into the battery
    (review Eq. 55; the expression of the leakage 𝔏 in Eq. 54). Negative while the battery leaks.

    ``battery_hamiltonian``: ``H_B`` (energy units); ``dissipator_value``: the matrix ``𝓓[ρ]``
    (energy per unit time), same dimension.
    """
    h = _hamiltonian_matrix(battery_hamiltonian)
    d_rho = _square(dissipator_value, "dissipator_value", h.shape[0])
    return float(np.real(np.trace(h @ d_rho)))


def leakage(battery_hamiltonian, dissipator_value, *, convention: str) -> float:
    """Leakage rate 𝔏 of review Eq. (54) (Gherardini et al., PRR 2, 013095, 2020); the sign convention must be
    named, since the review's expression and its use in Eq. (54) differ in sign.

    ``convention="lost"``: ``𝔏 = −Tr[H_B 𝓓[ρ]]``, the energy lost to the environment per unit time
    (≥ 0 for a decaying battery), the quantity the ideal stabilisation spends (``P_stab = 𝔏`` keeps
    ``E`` constant, Eq. 55). ``convention="review"``: the expression as printed in the review,
    ``𝔏 = Tr[H_B 𝓓[ρ]]`` (the energy current into the battery, negative while it leaks).
    """
    if convention not in LEAKAGE_CONVENTIONS:
        raise InvalidArgumentError(f"got {convention!r}", argument="convention",
                                   allowed="'lost' (−Tr[H_B D[ρ]]) | 'review' (Tr[H_B D[ρ]])")
    j = energy_current(battery_hamiltonian, dissipator_value)
    return -j if convention == "lost" else j


def stabilisation_cost_ratios(stabilisation_work, leakage_value, e_max) -> tuple[float, float]:
    """``(η_stab, ζ_stab) = (W_stab/E_max, (W_stab − 𝔏)/E_max)`` (review Eqs. 53–54).

    ``stabilisation_work`` and ``leakage_value`` must be the same kind of quantity: both rates
    (``P_stab`` and 𝔏 of :func:`leakage`, giving ratios per unit time) or both integrated over the same
    window. ``e_max > 0``: the storage capacity ``Tr[H_B(ρ* − |g⟩⟨g|)]`` (energy units).
    """
    w = check_finite_real(stabilisation_work, "stabilisation_work")
    leak = check_finite_real(leakage_value, "leakage_value")
    e = check_finite_real(e_max, "e_max", minimum=0.0, strict=True)
    return w / e, (w - leak) / e


def _state(rho, dim: int | None = None) -> np.ndarray:
    r = as_density_matrix(rho, "rho")
    if dim is not None and r.shape[0] != dim:
        raise DimensionMismatchError(f"has dimension {r.shape[0]}", argument="rho", allowed=f"dimension {dim}")
    return r


def entropy_rate(rho, dissipator_value, *, zero: float = ZERO_EIGENVALUE) -> float:
    """``Ṡ[ρ] = −Tr[𝓓[ρ] ln ρ]`` (review Sec. V.B.2, below Eq. 56): the rate of change of the von Neumann
    entropy under GKSL dynamics (the Hamiltonian part conserves it).

    Computed in the eigenbasis of ρ, ``Ṡ = −Σ_i ⟨i|𝓓[ρ]|i⟩ ln λ_i``. An eigenvalue ``λ_i ≤ zero`` whose
    population grows (``⟨i|𝓓[ρ]|i⟩ > zero``) makes ``Ṡ = +∞`` (the entropy of a pure state starts with an
    infinite slope); one that stays empty contributes 0 (``0 ln 0 = 0``).
    """
    r = _state(rho)
    d_rho = _square(dissipator_value, "dissipator_value", r.shape[0])
    lam, vecs = np.linalg.eigh(r)
    flow = np.real(np.einsum("ji,jk,ki->i", vecs.conj(), d_rho, vecs))
    total = 0.0
    for lam_i, f_i in zip(lam, flow):
        if lam_i <= zero:
            if f_i > zero:
                return math.inf
            continue
        total -= f_i * math.log(lam_i)
    return float(total)


def stabilisation_power_bound(energy_rate, entropy_rate_value, temperature) -> float:
    """Lower bound of review Eq. (56) on the stabilisation power: ``P_stab ≥ Ė − T_π Ṡ``.

    ``energy_rate``: ``Ė = Tr[H_B 𝓛_t[ρ]]`` (energy per unit time); ``entropy_rate_value``: ``Ṡ`` of
    :func:`entropy_rate` (nats per unit time); ``temperature``: ``T_π ≥ 0`` of the environment's invariant
    Gibbs state (energy units, ``k_B = 1``; :func:`effective_temperature`). Valid when the dissipator has the
    Gibbs state at ``T_π`` of ``H_B`` as a fixed point (Spohn's inequality; exact for a two-level battery or a
    thermal π, review footnote 14). Returns ``−∞`` when ``Ṡ = +∞`` and ``T_π > 0``.
    """
    e_dot = check_finite_real(energy_rate, "energy_rate")
    t = check_finite_real(temperature, "temperature", minimum=0.0)
    s_dot = float(entropy_rate_value)
    if math.isnan(s_dot):
        raise InvalidArgumentError("got NaN", argument="entropy_rate_value", allowed="a real number or +inf")
    if t == 0.0:
        return e_dot
    return e_dot - t * s_dot


def effective_temperature(state, hamiltonian, *, rtol: float = 1e-8) -> float:
    """``T_π`` of a Gibbs invariant state ``π ∝ e^{−H/T_π}`` (energy units, ``k_B = 1``; review Eq. 56 and
    footnote 14).

    ``π`` must be diagonal in the eigenbasis of ``H`` with populations ``ln p_k`` linear in ``E_k`` (any
    full-rank diagonal state of a two-level battery is): otherwise :class:`InvalidStateError`. Returns
    ``+∞`` for the maximally mixed state and ``0`` for the ground state; a population inversion gives a
    negative temperature.
    """
    h = _hamiltonian_matrix(hamiltonian, "hamiltonian")
    r = _state(state, h.shape[0])
    evals, vecs = np.linalg.eigh(h)
    rho_e = vecs.conj().T @ r @ vecs
    off = rho_e - np.diag(np.diag(rho_e))
    if np.max(np.abs(off), initial=0.0) > 1e-8:
        raise InvalidStateError("is not diagonal in the energy eigenbasis", argument="state",
                                allowed="a Gibbs state of the Hamiltonian")
    p = np.real(np.diag(rho_e))
    scale = max(1.0, float(np.max(np.abs(evals))))
    spread = float(evals[-1] - evals[0])
    if spread <= 1e-12 * scale:
        raise InvalidArgumentError("has a single energy level", argument="hamiltonian",
                                   allowed="at least two distinct energies")
    if np.all(np.abs(p - p[0]) <= 1e-12):
        return math.inf
    if np.any(p <= 1e-300):
        if np.all(p[evals > evals[0] + 1e-9 * scale] <= 1e-300):
            return 0.0
        raise InvalidStateError("has empty levels below occupied ones", argument="state",
                                allowed="a Gibbs state of the Hamiltonian")
    slope, intercept = np.polyfit(evals, np.log(p), 1)
    resid = np.log(p) - (slope * evals + intercept)
    if np.max(np.abs(resid)) > max(rtol, 1e-10) * max(1.0, float(np.max(np.abs(np.log(p))))):
        raise InvalidStateError("populations are not of Gibbs form (ln p_k not linear in E_k)", argument="state",
                                allowed="a Gibbs state of the Hamiltonian")
    return math.inf if slope == 0 else float(-1.0 / slope)


def shannon_entropy(probabilities) -> float:
    """``S_Sh = −Σ_k p_k ln p_k`` (nats) of a probability vector (non-negative, summing to 1 within 1e-8)."""
    p = np.asarray(probabilities, dtype=float).ravel()
    if p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < -1e-12) or abs(p.sum() - 1.0) > 1e-8:
        raise InvalidArgumentError(f"got {probabilities!r}", argument="probabilities",
                                   allowed="non-negative numbers summing to 1 (within 1e-8)")
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def measurement_entropy(state, hamiltonian) -> float:
    """Shannon entropy of the outcomes of a projective measurement of ``hamiltonian`` on ``state``:
    ``S_Sh[σ] = −Σ_k p_k[σ] ln p_k[σ]``, ``p_k = Tr[Π_k σ]`` over the eigenspaces ``Π_k`` of ``H``
    (degenerate levels are one outcome; review Sec. V.B.3, above Eq. 57)."""
    _, pops = energy_populations(state, hamiltonian)
    pops = np.clip(pops, 0.0, None)
    return shannon_entropy(pops / pops.sum())


def zeno_cost(mean_measurements, outcome_probabilities, beta_eras) -> float:
    """Landauer cost of the measurement records, ``W_Zeno = m̄ S_Sh[ρ_α]/β_eras`` (review Eq. 57;
    Gherardini et al., PRR 2, 013095, 2020).

    ``mean_measurements``: ``m̄ ≥ 0``, the mean number of projective energy measurements whose records are
    erased; ``outcome_probabilities``: ``p_k[ρ_α]``, the outcome probabilities of one measurement (the
    state ``ρ_α = Λ_{τ_α}[ρ_e]`` the environment leaves between two measurements); ``beta_eras > 0``: the
    inverse temperature of the system that erases the memory (1/energy). Returns an energy.
    """
    m = check_finite_real(mean_measurements, "mean_measurements", minimum=0.0)
    beta = check_finite_real(beta_eras, "beta_eras", minimum=0.0, strict=True)
    return m * shannon_entropy(outcome_probabilities) / beta
