"""Exact charging of the Gaussian bosonic battery from its covariance matrix (review Sec. IV.A).

:func:`charge_gaussian` is what ``qbhw.charge(model, times)`` runs for a
:class:`~qbhw.models.gaussian.GaussianBosonicBattery`. The Heisenberg equations of the quadratic
rotating-frame generator ``H_ch = ½ r^T G r + c^T r`` are ``ṙ = Ω(G r + c)``, so
(:func:`gaussian_state`)

    σ(t) = S σ_0 S^T,   S = e^{ΩGt},   d(t) = S d_0 + ∫_0^t e^{ΩG(t−s)} Ωc ds

(one augmented matrix exponential). At every time the curve records the energy
``Σ_j (ω_j/2)(σ_xx + σ_pp + d_x² + d_p² − 1)``, its analytic time derivative (the power, from
``σ̇ = Aσ + σAᵀ`` and ``ḋ = Ad + b`` with ``A = ΩG``, ``b = Ωc``), the ergotropy
(exact for one mode, the Gaussian-unitary lower bound for several; see
:func:`qbhw.models.gaussian.gaussian_ergotropy`) and the observables ``energy_variance``
(ΔE², review Eq. 45) and ``mean_occupation`` (Σ_j ⟨a_j†a_j⟩).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..models.base import check_space
from ..models.gaussian import (
    GaussianBosonicBattery,
    GaussianState,
    gaussian_energy,
    gaussian_energy_variance,
    gaussian_ergotropy,
    symplectic_form,
)
from ._options import check_curve_options
from .charge import register_solver

__all__ = ["charge_gaussian", "gaussian_state"]


def gaussian_state(model: GaussianBosonicBattery, t: float) -> GaussianState:
    """The state at time t (rotating frame; same energy statistics as the lab frame)."""
    m = model.n_modes
    omega = symplectic_form(m)
    aug = np.zeros((2 * m + 1, 2 * m + 1))
    aug[:2 * m, :2 * m] = omega @ model.generator_quadratic
    aug[:2 * m, 2 * m] = omega @ model.generator_linear
    prop = scipy.linalg.expm(aug * t)
    s_t, shift = prop[:2 * m, :2 * m], prop[:2 * m, 2 * m]
    s0 = model.initial_gaussian_state()
    return GaussianState(s_t @ s0.mean + shift, s_t @ s0.covariance @ s_t.T)


def charge_gaussian(model: GaussianBosonicBattery, times, *, ergotropy: bool = True, space: str = "full",
                    method: str = "auto", **options) -> ChargingCurve:
    """Exact curve from the covariance matrix (see module docstring); ``method`` has no choices here."""
    check_space(space)
    check_curve_options(options)
    t = check_times(times, allow_single=False)
    w = model.frequencies
    omega = symplectic_form(model.n_modes)
    a = omega @ model.generator_quadratic
    b = omega @ model.generator_linear
    wm = np.repeat(w, 2)
    energy, power, var, erg, occ = (np.empty(t.size) for _ in range(5))
    for k, tk in enumerate(t):
        st = gaussian_state(model, tk)
        energy[k] = gaussian_energy(st, w)
        var[k] = gaussian_energy_variance(st, w)
        occ[k] = float(np.sum((np.diag(st.covariance) + st.mean**2 - 0.5) / 2.0))
        dsig = a @ st.covariance + st.covariance @ a.T
        dd = a @ st.mean + b
        power[k] = float(np.sum(wm * (np.diag(dsig) + 2.0 * st.mean * dd)) / 2.0)
        if ergotropy:
            erg[k] = gaussian_ergotropy(st, w)
    meta = {**model.metadata, "space": space,
            "ergotropy_kind": "exact (single mode)" if model.n_modes == 1 else "Gaussian unitaries (lower bound)"}
    return make_charging_curve(t, energy, ergotropy=erg if ergotropy else None, power=power, metadata=meta,
                               observables={"energy_variance": var, "mean_occupation": occ})


register_solver(GaussianBosonicBattery, charge_gaussian)
