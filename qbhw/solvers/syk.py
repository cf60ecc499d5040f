"""Exact charging curve of the complex-SYK battery from its fermion-number sectors (review Sec. III.C.2).

:func:`charge_syk` is what ``qbhw.charge(model, times)`` runs for a
:class:`~qbhw.models.syk.SYKBattery`. With ``keep_battery=False`` the generator is ``H_B^(1)``
alone (review Eq. 25), which conserves the fermion number n: it is diagonalised in each sector
(``H_n = V_n diag(ε_n) V_n†``, dimension C(N, n) ≤ C(14, 7) = 3432) and the state is propagated
sector by sector, ``ψ_n(t) = V_n e^{−iε_n t} V_n† ψ_n(0)``. The battery energy
``⟨H_B^(0)⟩`` (which mixes sectors) is evaluated on the reassembled 2^N vector; the power is
analytic, ``P(t) = 2 Im⟨H_B ψ|H_B^(1) ψ⟩`` (review Eq. 10), and the ergotropy equals the energy
(pure state of the whole battery, review Eq. 6). ``variances=True`` adds ``battery_variance``
(ΔE_B²(t)) and ``charging_variance`` (ΔE_1², constant in time, from the sector spectra).
With ``keep_battery=True`` the full-space direct solver (:mod:`qbhw.solvers.direct`) is used.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..models.base import check_space
from ..models.syk import SYKBattery
from ._options import check_curve_options
from .charge import register_solver
from .direct import charge_direct

__all__ = ["charge_syk", "sector_spectra"]


def sector_spectra(model: SYKBattery) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(ε_n, V_n)`` of ``H_B^(1)`` in every fermion-number sector n = 0 … N."""
    return [scipy.linalg.eigh(model.sector_hamiltonian(n), driver="evr") for n in range(model.n_sites + 1)]


def charge_syk(model: SYKBattery, times, *, ergotropy: bool = True, space: str = "full", method: str = "auto",
               variances: bool = False, chunk: int = 64, **options) -> ChargingCurve:
    """Exact curve of an SYK battery (see module docstring); ``chunk`` times are evaluated at once."""
    check_space(space)
    check_curve_options(options)
    if model.keep_battery:
        return charge_direct(model, times, ergotropy=ergotropy, space=space, method=method, variances=variances)
    t = check_times(times, allow_single=False)
    psi0 = model.initial_state()
    spectra = sector_spectra(model)
    states = model.sector_states()
    coeffs = [vecs.conj().T @ psi0[st] for (evals, vecs), st in zip(spectra, states)]
    energy = np.empty(t.size)
    power = np.empty(t.size)
    var_b = np.empty(t.size) if variances else None
    dim = 2 ** model.n_sites
    shift = model.n_sites * model.omega_0
    for start in range(0, t.size, chunk):
        tt = t[start:start + chunk]
        psi = np.zeros((tt.size, dim), dtype=complex)
        h1psi = np.zeros((tt.size, dim), dtype=complex)
        for (evals, vecs), st, c in zip(spectra, states, coeffs):
            ct = np.exp(-1j * np.outer(tt, evals)) * c[None, :]
            psi[:, st] = ct @ vecs.T
            h1psi[:, st] = (ct * evals[None, :]) @ vecs.T
        hb_psi = model.omega_0 * model.apply_sigma_y_sum(psi) + shift * psi
        k = slice(start, start + tt.size)
        energy[k] = np.real(np.sum(psi.conj() * hb_psi, axis=1))
        power[k] = 2.0 * np.imag(np.sum(hb_psi.conj() * h1psi, axis=1))
        if variances:
            var_b[k] = np.maximum(0.0, np.real(np.sum(hb_psi.conj() * hb_psi, axis=1)) - energy[k] ** 2)
    observables = {}
    if variances:
        w = np.concatenate([np.abs(c) ** 2 for c in coeffs])
        e = np.concatenate([ev for ev, _ in spectra])
        observables["battery_variance"] = var_b
        observables["charging_variance"] = np.full(t.size, max(0.0, float(w @ e**2 - (w @ e) ** 2)))
    meta = {**model.metadata, "space": space, "solver": "fermion-number sectors",
            "ergotropy_rule": "pure state of the whole battery: ergotropy = energy (passive = ground)"}
    return make_charging_curve(t, energy, ergotropy=energy.copy() if ergotropy else None, power=power,
                               metadata=meta, observables=observables)


register_solver(SYKBattery, charge_syk)
