"""Exact charging of the star (central-spin) battery from its collective-spin sectors (seed-spec §3.4).

:func:`charge_star` is what ``qbhw.charge(model, times)`` runs for a
:class:`~qbhw.models.star.StarBattery`; :func:`star_polarization` gives ⟨σ_B^z⟩(t) (pure) or
P(t) = ⟨σ_B^z⟩(t)/ε (high temperature) alone. Both evaluate

    Σ_s Tr_s[σ_B^z e^{−iH_s t} X_s e^{iH_s t}]

over the model's sectors s (``H_s`` the sector block of ``H_B + H_C + H_1``, ``X_s`` the sector's
source operator, :meth:`StarBattery.sector_source_operator`), together with its time derivative,
by one of two routes (``method``):

* ``"auto"`` / ``"blocks"``: the closed-form (detuned) Rabi solution. Inside a sector the exchange
  conserves the excitation number, so ``H_s`` is a direct sum of 2×2 blocks
  {|g; s, m⟩, |e; s, m−1⟩} (detuning Δ = ω_b − ω_c, coupling Ω = J√((s+m)(s−m+1)), Rabi
  frequency Λ = √(Δ² + 4Ω²)) plus the uncoupled states |g; s, −s⟩, |e; s, s⟩; a block started in
  |g⟩ (|e⟩) gives σ_B^z = −(1 − 2p) (+(1 − 2p)) with p(t) = (4Ω²/Λ²) sin²(Λt/2);
* ``"eigh"``: numerical diagonalisation of every sector, ``Tr[O e^{−iHt} X e^{iHt}] =
  Σ_ab X_ab O_ba e^{−i(E_a − E_b)t}`` (a cross-check).

The curve (units as in :mod:`qbhw.models.star`): ``E(t) = ω_b(1 + ⟨σ_B^z⟩)/2`` (per unit ε for the
linear-response high-temperature state), ``𝓔(t) = ω_b max(0, ⟨σ_B^z⟩)``, analytic power
``P(t) = ω_b d⟨σ_B^z⟩/dt / 2`` (review Eqs. 3, 4, 6, 10), observables ``polarization`` and
``excited_population``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..models.base import check_space
from ..models.star import StarBattery
from ._options import check_curve_options
from .charge import register_solver

__all__ = ["charge_star", "star_polarization", "STAR_METHODS"]

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


def _rabi_blocks(model: StarBattery) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The 2×2 blocks {|g; s, m⟩, |e; s, m−1⟩} of every sector: (w_e − w_g, Ω, Λ) and the constant
    contribution of the uncoupled states |g; s, −s⟩, |e; s, s⟩ (``w_g, w_e``: the diagonal entries
    of the source operator X_s)."""
    dw, omega, weights_const = [], [], 0.0
    w = model.charger_weight
    for sec in model.spin_sectors:
        s = float(sec.spin)
        m = sec.m_values[1:]                                  # m of |g; s, m⟩, −s+1 … s
        if model.initial == "pure":
            w_g = np.where(m == s, 1.0, 0.0)                   # |g; 𝒩/2, 𝒩/2⟩ only
            w_e = np.zeros_like(m)
        else:
            weight = model.sector_weight(sec)
            w_g = weight * (1.0 + 2.0 * w * m)
            w_e = weight * (-1.0 + 2.0 * w * (m - 1.0))
            # uncoupled: |g; s, −s⟩ (σ^z = −1) and |e; s, s⟩ (σ^z = +1)
            weights_const += -weight * (1.0 - 2.0 * w * s) + weight * (-1.0 + 2.0 * w * s)
        dw.append(w_e - w_g)
        omega.append(model.coupling * np.sqrt((s + m) * (s - m + 1.0)))
    dw, omega = np.concatenate(dw), np.concatenate(omega)
    detuning = model.omega_b - model.omega_c
    lam = np.sqrt(detuning**2 + 4.0 * omega**2)
    return dw, omega, lam, weights_const


def _sigma_z_trace_blocks(model: StarBattery, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Same as :func:`_sigma_z_trace_eigh` from the closed-form Rabi solution of each 2×2 block:
    its contribution is (w_e − w_g)(1 − 2p(t)), p(t) = (4Ω²/Λ²) sin²(Λt/2)."""
    dw, omega, lam, const = _rabi_blocks(model)
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
    """Pure: ⟨σ_B^z⟩(t). High temperature: P(t) = ⟨σ_B^z⟩(t)/ε (see :mod:`qbhw.models.star`)."""
    t = check_times(times, allow_single=True)
    return _sigma_z_trace(model, t, method)[0]


def charge_star(model: StarBattery, times, *, ergotropy: bool = True, space: str = "full", method: str = "auto",
                **options) -> ChargingCurve:
    """Exact charging curve from the collective-spin sectors (see module docstring)."""
    check_space(space)
    check_curve_options(options)
    t = check_times(times, allow_single=False)
    pol, dpol = _sigma_z_trace(model, t, method)
    if model.initial == "pure" or model.epsilon is not None:
        scale = 1.0 if model.initial == "pure" else model.epsilon
        sz, dsz = scale * pol, scale * dpol
        energy = model.omega_b * (1.0 + sz) / 2.0
        units = "absolute"
    else:
        sz, dsz = pol, dpol
        energy = model.omega_b * (1.0 + pol) / 2.0
        units = "per unit epsilon: energy = work = W/ε = ω_b(1 + P)/2, ergotropy = ω_b max(0, P)"
    power = model.omega_b * dsz / 2.0
    erg = model.omega_b * np.maximum(0.0, sz) if ergotropy else None
    meta = {**model.metadata, "space": space, "energy_units": units, "method": method,
            "sectors": model.sectors}
    return make_charging_curve(t, energy, ergotropy=erg, power=power, metadata=meta,
                               observables={"polarization": pol, "excited_population": (1.0 + sz) / 2.0})


register_solver(StarBattery, charge_star)
