"""Exact charging of the star (central-spin) battery from its collective-spin sectors.

Model: Joshi & Mahesh (PRA 106, 042601, 2022; review Sec. VI.D), see :mod:`qbhw.models.star`.
:func:`charge_star` is what ``qbhw.charge(model, times)`` runs for a
:class:`~qbhw.models.star.StarBattery`; :func:`star_polarization` gives ⟨σ_B^z⟩(t) (pure, thermal)
or P(t) = ⟨σ_B^z⟩(t)/ε (high temperature) alone. Both evaluate

    Σ_s Tr_s[σ_B^z e^{−iH_s t} X_s e^{iH_s t}]

over the model's sectors s (``H_s`` the sector block of ``H_B + H_C + H_1``, ``X_s`` the sector's
source operator, :meth:`StarBattery.sector_source_operator`: the initial state, or its
ε-deviation at high temperature), together with its time derivative, by one of two routes
(``method``). Every initial state is diagonal in the sector basis |b; s, m⟩, with diagonal
``(w_g(m), w_e(m))`` (:meth:`StarBattery.sector_diagonal_weights`); this is all the block solver uses,
so pure, high-temperature and thermal states share one code path:

* ``"auto"`` / ``"blocks"``: the closed-form (detuned) Rabi solution. Inside a sector the exchange
  conserves the excitation number, so ``H_s`` is a direct sum of 2×2 blocks
  {|g; s, m⟩, |e; s, m−1⟩} (detuning Δ = ω_b − ω_c, coupling Ω = J√((s+m)(s−m+1)), Rabi
  frequency Λ = √(Δ² + 4Ω²)) plus the uncoupled states |g; s, −s⟩, |e; s, s⟩; a block started in
  |g⟩ (|e⟩) gives σ_B^z = −(1 − 2p) (+(1 − 2p)) with p(t) = (4Ω²/Λ²) sin²(Λt/2), so the block
  contributes ``(w_e(m−1) − w_g(m))(1 − 2p(t))`` and the uncoupled states ``w_e(s) − w_g(−s)``
  (:func:`star_rabi_blocks`);
* ``"eigh"``: numerical diagonalisation of every sector, ``Tr[O e^{−iHt} X e^{iHt}] =
  Σ_ab X_ab O_ba e^{−i(E_a − E_b)t}`` (a cross-check).

The curve (units as in :mod:`qbhw.models.star`): ``E(t) = ω_b(1 + ⟨σ_B^z⟩)/2`` (per unit ε for the
linear-response high-temperature state), ``W(t) = E(t) − E(0)`` with the exact ``E(0)``,
``𝓔(t) = ω_b max(0, ⟨σ_B^z⟩)`` (the battery's reduced state is diagonal), analytic power
``P(t) = ω_b d⟨σ_B^z⟩/dt / 2`` (review Eqs. 3, 4, 6, 10), observables ``polarization`` and
``excited_population``.

:func:`star_high_temperature_frequencies` gives the frequencies and weights of the resonant
high-temperature polarisation from the same blocks (used by the closed-form fit models of
:mod:`qbhw.fit`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import ConfigError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..models.base import check_space
from ..models.star import StarBattery
from ._options import check_curve_options
from .charge import register_solver

__all__ = ["charge_star", "star_polarization", "star_rabi_blocks", "star_high_temperature_frequencies",
           "STAR_METHODS"]

STAR_METHODS = ("auto", "blocks", "eigh")


def _sigma_z_trace_eigh(model: StarBattery, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ_sectors Tr[σ_B^z(t) X_s] and its time derivative by diagonalising each sector."""
    value = np.zeros(times.size)
    deriv = np.zeros(times.size)
    for sec in model.spin_sectors:
        h_b, h_c, h_1 = model.sector_pieces(sec)
        evals, vecs = np.linalg.eigh(h_b + h_c + h_1)
        sz = np.tile([-1.0, 1.0], sec.m_values.size)
        x = model.sector_source_operator(sec)
        x_e = vecs.conj().T @ x @ vecs                       # X in the eigenbasis
        o_e = vecs.conj().T @ (sz[:, None] * vecs)            # σ_B^z in the eigenbasis
        # Tr[O e^{−iHt} X e^{iHt}] = Σ_ab X_ab O_ba e^{−i(E_a − E_b)t}
        k = x_e * o_e.T
        k_dot = -1j * (evals[:, None] - evals[None, :]) * k
        for start in range(0, times.size, 512):
            u = np.exp(-1j * np.outer(times[start:start + 512], evals))
            value[start:start + 512] += np.real(np.sum((u @ k) * u.conj(), axis=1))
            deriv[start:start + 512] += np.real(np.sum((u @ k_dot) * u.conj(), axis=1))
    return value, deriv


def star_rabi_blocks(model: StarBattery) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The 2×2 blocks {|g; s, m⟩, |e; s, m−1⟩} (m = −s+1 … s) of every sector of ``model``.

    Returns ``(dw, omega, lam, const)``: per block the weight difference ``w_e(m−1) − w_g(m)`` of the
    sector source operator, the exchange amplitude ``Ω = J√((s+m)(s−m+1))`` and the Rabi frequency
    ``Λ = √(Δ² + 4Ω²)`` (Δ = ω_b − ω_c); ``const`` is the contribution ``Σ_s [w_e(s) − w_g(−s)]`` of
    the uncoupled states |g; s, −s⟩ (σ_B^z = −1) and |e; s, s⟩ (σ_B^z = +1). Then

        Σ_s Tr_s[σ_B^z(t) X_s] = const + Σ_blocks dw (1 − 2p(t)),   p(t) = (4Ω²/Λ²) sin²(Λt/2).
    """
    dw, omega, const = [], [], 0.0
    for sec in model.spin_sectors:
        s = float(sec.spin)
        w_g, w_e = model.sector_diagonal_weights(sec)
        m = sec.m_values[1:]                                  # m of |g; s, m⟩, −s+1 … s
        dw.append(w_e[:-1] - w_g[1:])
        omega.append(model.coupling * np.sqrt((s + m) * (s - m + 1.0)))
        const += float(w_e[-1] - w_g[0])
    dw, omega = np.concatenate(dw), np.concatenate(omega)
    detuning = model.omega_b - model.omega_c
    lam = np.sqrt(detuning**2 + 4.0 * omega**2)
    return dw, omega, lam, const


def _sigma_z_trace_blocks(model: StarBattery, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Same as :func:`_sigma_z_trace_eigh` from the closed-form Rabi solution of each 2×2 block:
    its contribution is (w_e − w_g)(1 − 2p(t)), p(t) = (4Ω²/Λ²) sin²(Λt/2)."""
    dw, omega, lam, const = star_rabi_blocks(model)
    keep = dw != 0
    dw, omega, lam = dw[keep], omega[keep], lam[keep]
    amp = np.divide(4.0 * omega**2, lam**2, out=np.zeros_like(lam), where=lam > 0)
    rate = np.divide(2.0 * omega**2, lam, out=np.zeros_like(lam), where=lam > 0)
    value = np.full(times.size, const + float(np.sum(dw)))
    deriv = np.zeros(times.size)
    for start in range(0, times.size, 256):
        phase = np.outer(times[start:start + 256], lam)
        value[start:start + 256] -= 2.0 * (np.sin(phase / 2.0) ** 2) @ (dw * amp)
        deriv[start:start + 256] -= 2.0 * np.sin(phase) @ (dw * rate)
    return value, deriv


def _sigma_z_trace(model: StarBattery, times: np.ndarray, method: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    if method in ("auto", "blocks"):
        return _sigma_z_trace_blocks(model, times)
    if method == "eigh":
        return _sigma_z_trace_eigh(model, times)
    raise ConfigError(f"unknown method {method!r}", argument="method",
                      allowed="'auto' | 'blocks' (closed-form 2×2 Rabi blocks) | 'eigh' (diagonalise each sector)")


def star_polarization(model: StarBattery, times, method: str = "auto") -> np.ndarray:
    """Pure and thermal: ⟨σ_B^z⟩(t). High temperature: P(t) = ⟨σ_B^z⟩(t)/ε (see :mod:`qbhw.models.star`)."""
    t = check_times(times, allow_single=True)
    return _sigma_z_trace(model, t, method)[0]


def charge_star(model: StarBattery, times, *, ergotropy: bool = True, space: str = "full", method: str = "auto",
                **options) -> ChargingCurve:
    """Exact charging curve from the collective-spin sectors (see module docstring)."""
    check_space(space)
    check_curve_options(options)
    t = check_times(times, allow_single=False)
    pol, dpol = _sigma_z_trace(model, t, method)
    # value at t = 0: every block starts with p = 0, i.e. Σ_s Tr_s[σ_B^z X_s] = Σ_s Σ_m (w_e − w_g)
    pol0 = sum(float(np.sum(w_e - w_g)) for w_g, w_e in map(model.sector_diagonal_weights, model.spin_sectors))
    if model.initial != "high_temperature" or model.epsilon is not None:
        scale = 1.0 if model.initial != "high_temperature" else model.epsilon
        units = "absolute"
    else:
        scale = 1.0
        units = "per unit epsilon: energy = work = W/ε = ω_b(1 + P)/2, ergotropy = ω_b max(0, P)"
    sz, dsz = scale * pol, scale * dpol
    energy = model.omega_b * (1.0 + sz) / 2.0
    energy0 = model.omega_b * (1.0 + scale * pol0) / 2.0
    power = model.omega_b * dsz / 2.0
    erg = model.omega_b * np.maximum(0.0, sz) if ergotropy else None
    meta = {**model.metadata, "space": space, "energy_units": units, "method": method,
            "sectors": model.sectors}
    return make_charging_curve(t, energy, work=energy - energy0, ergotropy=erg, power=power, metadata=meta,
                               observables={"polarization": pol, "excited_population": (1.0 + sz) / 2.0})


@lru_cache(maxsize=256)
def star_high_temperature_frequencies(n_chargers: int, charger_weight: float = 1.0
                                      ) -> tuple[np.ndarray, np.ndarray, float]:
    """Frequencies and weights of the resonant high-temperature polarisation, from the sectors of
    ``StarBattery(n_chargers, 1, initial="high_temperature", charger_weight=w)``.

    At resonance (Δ = 0, Λ = 2Ω) a block contributes ``dw (1 − 2 sin²(Ωt)) = dw cos(2Ωt)``, so with
    ``Ω = J k`` (:func:`star_rabi_blocks` at J = 1)

        P(t) = ⟨σ_B^z⟩(t)/ε = constant + Σ_i weights[i] cos(2 J k[i] t)

    (blocks of equal k merged; for w = 1: weights ``−4 d_s/2^{𝒩+1}`` per block and constant
    ``Σ_s d_s 2(2s − 1)/2^{𝒩+1}``). Returns ``(k, weights, constant)`` (read-only arrays, cached).
    """
    model = StarBattery(n_chargers, 1.0, initial="high_temperature", charger_weight=charger_weight)
    dw, omega, _, const = star_rabi_blocks(model)
    keep = dw != 0
    k, w = omega[keep], dw[keep]
    if k.size:
        uk, inv = np.unique(np.round(k, 12), return_inverse=True)
        k, w = uk, np.bincount(inv, weights=w)
    k.setflags(write=False)
    w.setflags(write=False)
    return k, w, float(const)


register_solver(StarBattery, charge_star)
