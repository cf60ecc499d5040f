"""Repeated collisions: the charging curve of a :class:`~qbhw.models.collision.CollisionBattery`.

Model: Barra (Phys. Rev. Lett. 122, 210601, 2019; review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.A.1), see
:mod:`qbhw.models.collision`. The battery's state after n collisions is ``ρ_n = Φ^n[ρ_0]`` with the
collision map ``Φ[ρ] = Tr_A[U(ρ ⊗ G_β[H_A])U†]``, ``U = exp[−i(H_B + H_A + V)τ]``. :func:`charge_collisions`
is what ``qbhw.charge(model, times)`` runs for that model: time t stands for ``n = t/τ`` completed
collisions, so every time must be a multiple of τ (:class:`~qbhw.errors.InvalidTimesError` otherwise).

Curve kind. The curve is a ``"sweep"``: the battery is only defined between collisions (during one it is
entangled with its ancilla), so the map has no instantaneous power dW/dt; the power figures are the
average power W(nτ)/(nτ) (review Eq. 11) and τ̃, its maximum over the sampled collision numbers.

The curve holds ``energy`` = Tr[H_B ρ_n] (ground energy 0), ``work`` = E(nτ) − E(0) (review Eq. 3),
``ergotropy`` of ρ_n (Eq. 4), and the observables

* ``collisions`` — n;
* ``excited_population`` — ⟨e|ρ_n|e⟩;
* ``switching_work`` — Σ_{k ≤ n} (ΔE_B + ΔE_A)_k, the work spent switching V on and off (Barra 2019), with
  each ancilla's energy change ΔE_A computed from the full B ⊗ A state ``U(ρ_k ⊗ G_β)U†``;
* ``heat`` — −Σ_{k ≤ n} ΔE_A,k, the heat taken from the ancillas.

These two are computed from the ancillas, independently of the closed forms W_ch = Tr[(H_B − H'_B)(π − ρ_0)]
and Q_ch = Tr[H'_B(π − ρ_0)] (review Eq. 52) that they approach as n → ∞.

``method``: ``"auto"`` / ``"superoperator"`` (ρ_n from the 4×4 superoperator on vec ρ) or ``"kraus"``
(ρ_n = Σ_k K_k ρ_{n−1} K_k†, a cross-check).
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, InvalidTimesError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..metrics import ergotropy as ergotropy_of
from ..models.base import check_space
from ..models.collision import CollisionBattery
from ._options import check_curve_options
from .charge import register_solver

__all__ = ["charge_collisions", "collision_numbers", "COLLISION_METHODS"]

COLLISION_METHODS = ("auto", "superoperator", "kraus")
#: relative tolerance of a time on the grid of collision times nτ
_GRID_TOLERANCE = 1e-9


def collision_numbers(times, tau: float) -> np.ndarray:
    """``n = t/τ`` for times that are (to 1e-9 relative) multiples of τ; raises
    :class:`~qbhw.errors.InvalidTimesError` naming the first time off that grid."""
    t = np.asarray(times, dtype=float)
    n = np.rint(t / tau)
    off = np.abs(t - n * tau) > _GRID_TOLERANCE * np.maximum(1.0, n) * tau
    if np.any(off) or np.any(n < 0):
        k = int(np.flatnonzero(off | (n < 0))[0])
        raise InvalidTimesError(f"time {t[k]:.12g} is not a whole number of collisions of duration τ = {tau:g}",
                                argument="times", allowed=f"non-negative multiples n·τ of the collision time τ = {tau:g}")
    return n.astype(np.int64)


def charge_collisions(model: CollisionBattery, times, *, ergotropy: bool = True, space: str = "full",
                      method: str = "auto", **options) -> ChargingCurve:
    """The battery after ``n = t/τ`` collisions for every time t (see the module docstring)."""
    check_space(space)
    check_curve_options(options)
    if method not in COLLISION_METHODS:
        raise ConfigError(f"got {method!r}", argument="method", allowed=" | ".join(repr(m) for m in COLLISION_METHODS))
    t = check_times(times, allow_single=False)
    n_of_t = collision_numbers(t, model.tau)
    hb = model.battery_operator()
    ha_full = np.asarray(model.charger_hamiltonian())
    u = model.collision_unitary()
    gibbs = model.ancilla_state()
    ea0 = float(np.real(np.trace(model.ancilla_hamiltonian() @ gibbs)))
    sup = model.superoperator()
    kraus = model.kraus_operators()

    rho = model.battery_initial_state()
    e0 = float(np.real(np.trace(hb @ rho)))
    n_max = int(n_of_t[-1])
    energy = np.empty(n_max + 1)
    excited = np.empty(n_max + 1)
    switching = np.empty(n_max + 1)
    heat = np.empty(n_max + 1)
    erg = np.empty(n_max + 1) if ergotropy else None
    w_sum = q_sum = 0.0
    for n in range(n_max + 1):
        energy[n] = float(np.real(np.trace(hb @ rho)))
        excited[n] = float(np.real(rho[1, 1]))
        switching[n], heat[n] = w_sum, q_sum
        if ergotropy:
            erg[n] = ergotropy_of(rho, hb)
        if n == n_max:
            break
        full = u @ np.kron(gibbs, rho) @ u.conj().T  # one collision on B ⊗ A (battery = site 0)
        d_ea = float(np.real(np.trace(ha_full @ full))) - ea0
        if method == "kraus":
            new = sum(k @ rho @ k.conj().T for k in kraus)
        else:
            new = (sup @ rho.reshape(-1, order="F")).reshape(2, 2, order="F")
        new = 0.5 * (new + new.conj().T)
        w_sum += float(np.real(np.trace(hb @ new))) - energy[n] + d_ea
        q_sum -= d_ea
        rho = new
    meta = {**model.metadata, "space": space, "method": method, "collision_time": model.tau}
    obs = {"collisions": n_of_t.astype(float), "excited_population": excited[n_of_t],
           "switching_work": switching[n_of_t], "heat": heat[n_of_t]}
    return make_charging_curve(t, energy[n_of_t], work=energy[n_of_t] - e0,
                               ergotropy=None if erg is None else erg[n_of_t], kind="sweep", metadata=meta,
                               observables=obs)


register_solver(CollisionBattery, charge_collisions)
