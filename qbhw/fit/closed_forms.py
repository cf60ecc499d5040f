"""Closed-form charging curves used by the fit models (pure, vectorised numpy functions).

ħ = 1; times and rates in any consistent unit. Each function names its formula and source.
"""

from __future__ import annotations

import numpy as np

from ..solvers.star import star_high_temperature_frequencies

__all__ = [
    "rabi_charging",
    "damped_rabi_excited_population",
    "star_high_temperature_polarization",
    "star_high_temperature_series",
    "star_sector_frequencies",
    "exponential_decay",
    "stretched_exponential_decay",
    "stirap_transfer",
    "power_law",
]


def rabi_charging(t, amplitude, omega, offset=0.0):
    """``E(t) = E_max sin²(Ω t) + offset``.

    Fock/Rabi charging of one TLS (seed-spec §2.3, RR-11): ``E_B = ω_0 sin²(g√n t)``, i.e.
    ``E_max = ω_0`` and ``Ω = g√n``; star battery, pure state (§3.4, RR-27): ``Ω = J√𝒩``.
    """
    t = np.asarray(t, dtype=float)
    return amplitude * np.sin(omega * t) ** 2 + offset


def damped_rabi_excited_population(t, omega, t1, t2):
    """Excited population of a resonantly driven TLS with relaxation ``T1`` and decoherence ``T2``.

    Rotating frame, drive ``H = Ω σ^x`` (so the undamped limit is ``p_e = sin²(Ω t)``), start in
    ``|g⟩``, zero-temperature amplitude damping at rate ``1/T1`` and transverse decay ``1/T2``.
    Bloch equations (review σ^z convention, ``p_e = (1 + z)/2``; the x component stays 0)::

        ẏ = −y/T2 − 2Ω z,      ż = 2Ω y − (z + 1)/T1

    Exact solution ``r(t) = r_ss + e^{At}(r_0 − r_ss)`` with the 2×2 exponential in closed form
    ``e^{At} = e^{ct}[cosh(μt) 1 + sinh(μt)/μ (A − c 1)]``, ``c = tr A/2``, ``μ² = c² − det A``.
    Physical decoherence has ``T2 ≤ 2 T1``.
    """
    t = np.asarray(t, dtype=float)
    g2, g1 = 1.0 / t2, 1.0 / t1
    w = 2.0 * omega
    # A = [[-g2, -w], [w, -g1]], b = (0, -g1)
    det = g1 * g2 + w * w
    c = -(g1 + g2) / 2.0
    mu = np.sqrt(complex(c * c - det))
    # steady state r_ss = -A^{-1} b ; A^{-1} = [[-g1, w], [-w, -g2]] / det
    y_ss = w * g1 / det
    z_ss = -g2 * g1 / det
    d_y, d_z = 0.0 - y_ss, -1.0 - z_ss
    mt = mu * t
    if abs(mu) * (float(np.max(np.abs(t))) if t.size else 0.0) < 1e-8:  # critical damping: series limit
        ch = np.ones(t.shape, dtype=complex)
        sh = t.astype(complex)
    else:
        ch = np.cosh(mt)
        sh = np.sinh(mt) / mu
    ect = np.exp(c * t)
    # (A - c 1) = [[-g2 - c, -w], [w, -g1 - c]]
    z = z_ss + ect * np.real(ch * d_z + sh * (w * d_y + (-g1 - c) * d_z))
    return (1.0 + z) / 2.0


def exponential_decay(t, e0, tau, e_inf=0.0):
    """Self-discharge ``E(t) = E_0 e^{−t/τ} + E_∞``."""
    t = np.asarray(t, dtype=float)
    return e0 * np.exp(-t / tau) + e_inf


def stretched_exponential_decay(t, e0, tau, beta, e_inf=0.0):
    """Stretched-exponential self-discharge ``E(t) = E_0 exp[−(t/τ)^β] + E_∞`` (``t ≥ 0``)."""
    t = np.asarray(t, dtype=float)
    return e0 * np.exp(-np.power(np.clip(t, 0.0, None) / tau, beta)) + e_inf


def stirap_transfer(x, p_max, x_c, k):
    """Adiabatic-transfer saturation versus pulse area ``x = Ω_0 τ``: ``P = P_max [1 − e^{−(x/x_c)^k}]``.

    Phenomenological (seed-spec RR-26: ``W/W_max → 1`` monotonically as ``Ω_0 τ`` grows; the
    primary reference's pulse shapes are not in the review). Small areas give the perturbative
    power law ``P ∝ x^k`` (``k = 4`` for two overlapping pulses in second order), large areas the
    exponential approach to ``P_max`` of Dykhne–Davis–Pechukas type.
    """
    x = np.asarray(x, dtype=float)
    return p_max * (1.0 - np.exp(-np.power(np.clip(x, 0.0, None) / x_c, k)))


def power_law(n, prefactor, exponent):
    """Scaling law ``y = A N^α`` (e.g. ``⟨P⟩_τ̃ ∝ N^{3/2}`` for the Dicke battery, RR-12)."""
    return prefactor * np.power(np.asarray(n, dtype=float), exponent)


# ---------------------------------------------------------------------------------------------
# star battery at high temperature
def star_sector_frequencies(n_chargers: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Frequencies and weights of the exact high-temperature star polarisation (see below).

    Returns ``(k, weights, constant)`` such that
    ``⟨σ_B^z⟩(t)/ε = constant + Σ_i weights[i] cos(2 J k[i] t)``; computed from the collective-spin
    sectors of :class:`qbhw.models.StarBattery` by
    :func:`qbhw.solvers.star.star_high_temperature_frequencies` (read-only arrays, cached).
    """
    return star_high_temperature_frequencies(int(n_chargers))


def star_high_temperature_polarization(t, coupling, n_chargers: int):
    """Normalised battery polarisation ``⟨σ_B^z⟩(t)/ε`` of the star battery at high temperature.

    Model (seed-spec §3.4, RR-27): ``H = J Σ_j (σ_B^+ σ_j^− + h.c.)``, initial deviation
    ``ρ ∝ 1 + ε(−σ_B^z + Σ_j σ_j^z)`` (battery polarised down, chargers inverted), linear in ε.
    With the chargers' collective spin decomposed into irreps ``j`` (multiplicity ``d_j``), the
    dynamics splits into 2×2 blocks ``|e, j, m⟩ ↔ |g, j, m+1⟩`` with coupling
    ``J√(j(j+1) − m(m+1))``; each block contributes ``−4 cos(2Jk t)`` to
    ``Tr[σ_B^z(t)(−σ_B^z + 2J_c^z)]`` and each uncoupled state ``2j − 1``, so

    ``⟨σ_B^z⟩/ε = 2^{−(𝒩+1)} Σ_j d_j [2(2j − 1) − 4 Σ_{m=−j}^{j−1} cos(2J t √(j(j+1) − m(m+1)))]``

    (starts at −1; short-time series ``−1 + 2𝒩J²t²``). 𝒩 = 1 and 𝒩 = 2 both give
    ``−cos(2J√𝒩 t)``, so they cannot be told apart from such a curve. The frequencies and weights
    are those of the sector solver (:func:`qbhw.solvers.star.star_high_temperature_frequencies`,
    from :class:`qbhw.models.StarBattery`'s sectors); only the vectorised sum is evaluated here.
    """
    k, w, const = star_high_temperature_frequencies(int(n_chargers))
    t = np.asarray(t, dtype=float)
    # coupling may be an array (a grid for guesses): result shape coupling.shape + t.shape
    return const + np.cos(2.0 * np.multiply.outer(np.multiply.outer(coupling, t), k)) @ w


def star_high_temperature_series(t, coupling, n_chargers: int):
    """Short-time law ``⟨σ_B^z⟩/ε ≈ −1 + 2𝒩J²t²`` (seed-spec §3.4; used for initial guesses)."""
    t = np.asarray(t, dtype=float)
    return -1.0 + 2.0 * n_chargers * coupling**2 * t**2
