"""Charging curve of an open battery: GKSL dynamics (review Sec. V, Eq. 51) of any model with dissipators.

:func:`qbhw.charge` sends a model whose ``jump_operators()`` or ``drives()`` is non-empty (and which has no
specialised solver of its own) here. The state ``ρ(t)`` solves

    dρ/dt = 𝓛_t[ρ] = −i[H(t), ρ] + Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ}),   H(t) = H + Σ_k f_k(t) O_k,

with ``H`` the model's ``charging_hamiltonian()``, ``L_k`` its ``jump_operators()``, ``(O_k, f_k)`` its
``drives()`` and ``ρ(0)`` its ``initial_state()`` (:mod:`qbhw.solvers.lindblad`). At every time

* ``energy(t) = Tr[H_B ρ(t)]`` with ``H_B = battery_hamiltonian()`` (ground energy 0) and
  ``work = E(t) − E(0)`` (review Eq. 3);
* the instantaneous power ``P(t) = dE/dt = Tr[H_B 𝓛_t[ρ(t)]] = ⟨𝓛_t†[H_B]⟩`` (review Eqs. 10 and 51),
  analytic: the Heisenberg-picture generator applied to ``H_B`` once, then one expectation value per time;
* ``observables["leakage"] = Tr[H_B 𝓓[ρ(t)]]``, the part of the power due to the dissipators alone (the
  leakage 𝔏(t) of review Eq. 54; Gherardini, Campaioli, Caruso and Binder, Phys. Rev. Research 2, 013095 (2020));
* the ergotropy (review Eq. 4) of ``battery_state(ρ)`` over ``battery_spectrum(space)``;
* ``observables["trace_deviation"] = |Tr ρ(t) − 1|`` and (dimension ≤ 400) ``observables["min_eigenvalue"]``,
  the smallest eigenvalue of ``ρ(t)`` (both checked against 1e-8, see ``check``);
* for models with a cut-off, ``cutoff_population(ρ)`` (which must accept a density matrix) along the curve,
  checked against ``truncation_threshold`` as in the closed path.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError
from ..metrics import ChargingCurve, as_hamiltonian, check_times, make_charging_curve
from ..models.base import BatteryModel, check_space
from .charge import DEFAULT_TRUNCATION_THRESHOLD, battery_ergotropy, check_truncation
from .lindblad import (
    DENSE_LIMIT,
    LINDBLAD_METHODS,
    LindbladPropagator,
    _adjoint_of,
    _adjoint_terms,
    _as_operator,
    _drive_value,
    expectation_weights,
)

__all__ = ["charge_open", "OPEN_OPTIONS"]

#: extra keyword options of :func:`charge_open` (passed through :func:`qbhw.charge`)
OPEN_OPTIONS = ("rtol", "atol", "check")
#: closed-path propagation methods, accepted and mapped to the exact/ODE choice "auto"
_CLOSED_METHODS = ("eigh", "expm_multiply", "chebyshev")


def charge_open(model: BatteryModel, times, *, ergotropy: bool = True, space: str = "full", method: str = "auto",
                truncation_threshold: float = DEFAULT_TRUNCATION_THRESHOLD, on_truncation: str = "raise",
                rtol: float = 1e-9, atol: float = 1e-11, check=True, **options) -> ChargingCurve:
    """Charging curve of an open ``model`` on ``times`` by the GKSL master equation (module docstring).

    Parameters
    ----------
    model:
        A :class:`~qbhw.models.base.BatteryModel`; its ``jump_operators()`` and ``drives()`` act on its space,
        and its ``battery_state`` must accept a density matrix.
    times:
        Strictly increasing times ``≥ 0`` (the initial state is at ``t = 0``), units of the model's 1/energy.
    ergotropy, space:
        As in :func:`qbhw.charge`.
    method:
        ``"auto"`` (exact propagator for time-independent generators — dense ``expm`` of 𝓛 for small spaces,
        ``expm_multiply`` otherwise — ``solve_ivp`` DOP853 with drives), ``"expm"``, ``"dense"`` or ``"ode"``
        (:func:`~qbhw.solvers.lindblad.evolve_lindblad`); the closed-path names ``"eigh"``, ``"expm_multiply"``,
        ``"chebyshev"`` mean ``"auto"``.
    truncation_threshold, on_truncation:
        As in :func:`qbhw.charge` (models with a cut-off only).
    rtol, atol:
        Tolerances of the ODE route.
    check:
        ``True``/``"raise"``, ``"warn"``, ``False``/``"ignore"`` for a state with ``|Tr ρ − 1| > 1e-8`` or an
        eigenvalue below ``−1e-8`` (:class:`~qbhw.errors.NonPhysicalStateError`).
    """
    if options:
        raise ConfigError(f"unexpected options {sorted(options)}", argument="options",
                          allowed="ergotropy, space, method, truncation_threshold, on_truncation, rtol, atol, check")
    t = check_times(times, allow_single=False)
    check_space(space)
    if method in _CLOSED_METHODS:
        method = "auto"
    if method not in LINDBLAD_METHODS:
        raise ConfigError(f"unknown method {method!r}", argument="method",
                          allowed=" | ".join(LINDBLAD_METHODS + _CLOSED_METHODS))
    jumps = list(model.jump_operators())
    drives = list(model.drives())
    prop = LindbladPropagator(model.charging_hamiltonian(), model.initial_state(), t, jumps, drives=drives,
                              rtol=rtol, atol=atol, check=check, method=method)
    d = prop.dimension
    hb = _as_operator(model.battery_hamiltonian(), "battery_hamiltonian", d)
    # P(t) = <L_0^dagger[H_B]> + sum_k f_k(t) <i[O_k, H_B]>;  leakage = <D^dagger[H_B]>
    if d * d <= DENSE_LIMIT:  # small spaces: dense products, Tr[O rho] = ravel(O) . vec(rho) (no sparse overheads)
        x, h = hb.toarray(), prop.hamiltonian.toarray()
        jumps_d = [c.toarray() for c in prop.jump_operators]
        observables_ops = [x, _adjoint_terms(h, jumps_d, x), _adjoint_terms(np.zeros_like(h), jumps_d, x)]
        observables_ops += [1j * (op.toarray() @ x - x @ op.toarray()) for op, _ in prop.drives]
        weights = np.array([o.reshape(-1) for o in observables_ops])
    else:
        zero = sp.csr_matrix((d, d), dtype=complex)
        observables_ops = [hb, _adjoint_of(prop.hamiltonian, prop.jump_operators, hb),
                           _adjoint_of(zero, prop.jump_operators, hb)]
        observables_ops += [sp.csr_matrix(1j * (op @ hb - hb @ op)) for op, _ in prop.drives]
        weights = expectation_weights(observables_ops, d)
    spectrum = as_hamiltonian(model.battery_spectrum(space)) if ergotropy else None
    cutoff_pop = getattr(model, "cutoff_population", None)

    n = t.size
    energy = np.empty(n)
    power = np.empty(n)
    leakage = np.empty(n)
    trace_dev = np.empty(n)
    min_eig = np.empty(n) if prop.min_eigenvalue is not None else None
    erg = np.empty(n) if ergotropy else None
    worst = 0.0
    for k, rho in enumerate(prop.states()):
        vals = np.real(weights @ rho.reshape(-1, order="F"))
        energy[k] = vals[0]
        power[k] = vals[1] + sum(_drive_value(f, float(t[k]), i) * vals[3 + i] for i, (_, f) in enumerate(prop.drives))
        leakage[k] = vals[2]
        trace_dev[k] = prop.last_trace_deviation
        if min_eig is not None:
            min_eig[k] = prop.last_min_eigenvalue
        if ergotropy:
            erg[k] = battery_ergotropy(model, rho, spectrum)
        if cutoff_pop is not None:
            worst = max(worst, float(cutoff_pop(rho)))
    if cutoff_pop is not None:
        check_truncation(worst, threshold=truncation_threshold, on_truncation=on_truncation,
                         what=getattr(model, "cutoff_name", "cut-off"))
    meta = {**model.metadata, "space": space, "max_cutoff_population": worst if cutoff_pop is not None else None,
            "dynamics": "GKSL", "n_jump_operators": len(jumps), "n_drives": len(drives),
            "lindblad_method": prop.method, "max_trace_deviation": float(prop.trace_deviation),
            "min_eigenvalue": prop.min_eigenvalue}
    obs = {"leakage": leakage, "trace_deviation": trace_dev}
    if min_eig is not None:
        obs["min_eigenvalue"] = min_eig
    return make_charging_curve(t, energy, ergotropy=erg, power=power, metadata=meta, observables=obs)
