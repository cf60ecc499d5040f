"""Exact charging curves of the direct-charging qubit batteries (review Eq. 25) that start pure.

:func:`charge_direct` is what ``qbhw.charge(model, times)`` runs for a
:class:`~qbhw.models._direct_charging.DirectQubitBattery` (spin chain, MBL, QSL; SYK with
``keep_battery=True``). The whole system is the battery and during charging the state evolves
under the model's charging generator ``H_ch``: ``ψ(t) = e^{−iH_ch t}ψ_0``
(:func:`qbhw.solvers.closed.propagate_blocks`: dense diagonalisation up to dimension 512,
scipy's ``expm_multiply`` above). At every time:

* energy ``E(t) = ⟨ψ|H_B^(0)|ψ⟩`` (ground energy 0) and ``work = E(t) − E(0)``;
* the analytic power ``P(t) = 2 Im⟨H_B ψ|H_ch ψ⟩`` (review Eq. 10);
* ergotropy: the passive state of a rank-one ρ of the whole battery puts its eigenvalue 1 on the
  lowest level (energy 0), so ``𝓔(t) = E(t)`` exactly (review Eq. 6); the brute-force route
  (``charge(model.full_space(), times)``, which diagonalises ρ at every time) confirms it in the
  tests;
* with ``variances=True`` the observables ``battery_variance`` (ΔE_B², review Eq. 45) and
  ``charging_variance`` (ΔE_1² of the generator, conserved by its own evolution).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..models._direct_charging import DirectQubitBattery
from ..models.base import check_space
from ._options import check_curve_options
from .charge import register_solver
from .closed import propagate_blocks

__all__ = ["charge_direct", "pure_charging_curve", "DIRECT_METHODS", "DIRECT_DENSE_LIMIT"]

#: propagation methods of the direct solver (those of :func:`~qbhw.solvers.closed.propagate` but Chebyshev)
DIRECT_METHODS = ("auto", "eigh", "expm_multiply")
#: largest dimension diagonalised densely by ``method="auto"``
DIRECT_DENSE_LIMIT = 512
#: times per block of states (observables are evaluated a block at a time)
_CHUNK = 128


def _check_method(method: str) -> None:
    if method not in DIRECT_METHODS:
        raise ConfigError(f"unknown method {method!r}", argument="method", allowed=" | ".join(DIRECT_METHODS))


def pure_charging_curve(h_battery, h_charging, psi0, times, *, ergotropy: bool, method: str,
                        variances: bool, metadata: dict, extra_observables=None) -> ChargingCurve:
    """Energy, analytic power and ergotropy (= energy, pure state) of ``e^{−iH_ch t}ψ_0``."""
    t = check_times(times, allow_single=False)
    _check_method(method)
    hb = sp.csr_matrix(h_battery)
    hc = sp.csr_matrix(h_charging)
    energy = np.empty(t.size)
    power = np.empty(t.size)
    var_b = np.empty(t.size) if variances else None
    extra = {name: np.empty(t.size) for name in (extra_observables or {})}
    for start, block in propagate_blocks(hc, psi0, t, method=method, chunk=_CHUNK, dense_limit=DIRECT_DENSE_LIMIT):
        hb_psi = (hb @ block.T).T
        hc_psi = (hc @ block.T).T
        k = slice(start, start + block.shape[0])
        energy[k] = np.real(np.sum(block.conj() * hb_psi, axis=1))
        power[k] = 2.0 * np.imag(np.sum(hb_psi.conj() * hc_psi, axis=1))
        if variances:
            var_b[k] = np.maximum(0.0, np.real(np.sum(hb_psi.conj() * hb_psi, axis=1)) - energy[k] ** 2)
        for name, fn in (extra_observables or {}).items():
            extra[name][k] = fn(block)
    observables = dict(extra)
    if variances:
        hc_psi0 = hc @ psi0
        e1 = float(np.real(np.vdot(psi0, hc_psi0)))
        observables["battery_variance"] = var_b
        # ΔE_1² of the charging generator is conserved by its own evolution: its t = 0 value
        observables["charging_variance"] = np.full(t.size, max(0.0, float(np.real(np.vdot(hc_psi0, hc_psi0))) - e1**2))
    meta = {**metadata, "ergotropy_rule": "pure state of the whole battery: ergotropy = energy (passive = ground)"}
    return make_charging_curve(t, energy, ergotropy=energy.copy() if ergotropy else None, power=power,
                               metadata=meta, observables=observables)


def charge_direct(model: DirectQubitBattery, times, *, ergotropy: bool = True, space: str = "full",
                  method: str = "auto", variances: bool = False, **options) -> ChargingCurve:
    """Exact charging curve of a direct-charging qubit battery (see module docstring)."""
    check_space(space)
    check_curve_options(options)
    return pure_charging_curve(model.battery_hamiltonian(), model.charging_hamiltonian(), model.initial_state(),
                               times, ergotropy=ergotropy, method=method, variances=variances,
                               metadata={**model.metadata, "space": space})


register_solver(DirectQubitBattery, charge_direct)
