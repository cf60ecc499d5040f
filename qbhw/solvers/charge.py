"""``qbhw.charge(model, times)`` — the charging curve of a closed battery model.

For each time the state ``ψ(t) = e^{−iHt}ψ(0)`` (``H`` the model's charging Hamiltonian) gives

* ``energy(t) = Tr[H_B^(0) ρ(t)]`` (battery ground energy at 0) and ``work = E(t) − E(0)``
  (review Eq. 3);
* the instantaneous power analytically, ``P(t) = i⟨[H, H_B^(0)]⟩ = 2 Im⟨H_B ψ|H ψ⟩``
  (review Eq. 10), not by finite differences;
* the ergotropy of the battery's reduced state (Eq. 4) over the space named by
  ``space`` (``"full"``: unitaries on all cells, the default; ``"symmetric"``).

A model class with a specialised solver (symmetry sectors, closed forms, mixed initial
states handled sector by sector) has it registered with :func:`register_solver` by a module
of :mod:`qbhw.solvers` (models never evolve states themselves); :func:`charge` then
delegates to it. An open model (non-empty ``jump_operators()`` or ``drives()``, review Sec. V) without a
solver of its own is evolved by the GKSL master equation (review Eq. 51) in
:func:`qbhw.solvers.open.charge_open`. Models with a photon or level cut-off provide ``cutoff_population(psi)``: the largest population at the
cut-off along the curve is checked against ``truncation_threshold`` and raises
:class:`~qbhw.errors.TruncationError` (or warns with ``on_truncation="warn"``).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from ..errors import ConfigError, TruncationError, TruncationWarning
from ..metrics import ChargingCurve, as_hamiltonian, check_times, make_charging_curve
from ..metrics.ergotropy import _passive_energy
from ..models.base import BatteryModel, check_space
from .closed import propagate

__all__ = ["charge", "check_truncation", "register_solver", "DEFAULT_TRUNCATION_THRESHOLD"]

#: default largest tolerated population at a photon/level cut-off
DEFAULT_TRUNCATION_THRESHOLD = 1e-6


#: specialised charging solvers by model class (solvers register themselves: models may not import solvers)
_SOLVERS: dict[type, object] = {}


def register_solver(model_class: type, solver) -> None:
    """Make ``charge(model, ...)`` run ``solver(model, times, **same_kwargs)`` for instances of ``model_class``."""
    _SOLVERS[model_class] = solver


def _defining_class(model, attribute: str) -> type:
    """The class of ``model``'s MRO that defines ``attribute`` itself."""
    for cls in type(model).__mro__:
        if attribute in vars(cls):
            return cls
    return object


def _specialised_solver(model):
    # an open model only uses a solver registered for a class that knows its dissipators and drives (a subclass
    # of the classes defining them), never the closed solver of a parent class that would ignore them
    owners = [_defining_class(model, "jump_operators"), _defining_class(model, "drives")] \
        if model.is_open else []
    for cls in type(model).__mro__:
        if cls in _SOLVERS:
            if all(issubclass(cls, owner) for owner in owners):
                return _SOLVERS[cls]
            return None
    return None


def check_truncation(population: float, *, threshold: float, on_truncation: str, what: str) -> None:
    """Raise or warn when ``population`` at a cut-off exceeds ``threshold``."""
    if on_truncation not in ("raise", "warn", "ignore"):
        raise ConfigError(f"got {on_truncation!r}", argument="on_truncation", allowed="'raise' | 'warn' | 'ignore'")
    if population > threshold and on_truncation != "ignore":
        msg = (f"population {population:.3g} at the {what} exceeds the threshold {threshold:.3g}; "
               "raise the cut-off (or pass cutoff=None for an automatic, converged one)")
        if on_truncation == "raise":
            raise TruncationError(msg, argument="cutoff", allowed=f"a cut-off with population <= {threshold:.3g}")
        warnings.warn(msg, TruncationWarning, stacklevel=3)


def battery_ergotropy(model: BatteryModel, state, spectrum) -> float:
    """Ergotropy (review Eq. 4) of ``model.battery_state(state)`` for the battery Hamiltonian ``spectrum``
    (``as_hamiltonian(model.battery_spectrum(space))``); round-off negatives clipped to 0."""
    rho_b = model.battery_state(state)
    return max(0.0, spectrum.expectation(rho_b) - _passive_energy(rho_b, spectrum))


def charge(model: BatteryModel, times, *, ergotropy: bool = True, space: str = "full", method: str = "auto",
           truncation_threshold: float = DEFAULT_TRUNCATION_THRESHOLD, on_truncation: str = "raise",
           **options) -> ChargingCurve:
    """Charging curve of ``model`` on ``times`` (charger on during the whole window).

    Closed models follow the Schrödinger equation; open ones (``model.is_open``) the GKSL master equation
    (review Eq. 51) through :func:`qbhw.solvers.open.charge_open`, which also takes the options ``rtol``,
    ``atol`` and ``check``.

    Parameters
    ----------
    model:
        Any :class:`~qbhw.models.base.BatteryModel`.
    times:
        Strictly increasing times (units of 1/ω_0 for the dimensionless models).
    ergotropy:
        Compute the battery ergotropy at every time (costs a small diagonalisation each).
    space:
        ``"full"`` or ``"symmetric"``: the unitaries the ergotropy optimises over.
    method:
        Propagation method of :func:`qbhw.solvers.closed.propagate`.
    truncation_threshold, on_truncation:
        Largest tolerated population at a photon/level cut-off, and what to do above it
        (``"raise"`` → :class:`~qbhw.errors.TruncationError`, ``"warn"``, ``"ignore"``).
    """
    t = check_times(times, allow_single=False)
    check_space(space)
    custom = _specialised_solver(model)
    if custom is not None:
        return custom(model, t, ergotropy=ergotropy, space=space, method=method,
                      truncation_threshold=truncation_threshold, on_truncation=on_truncation, **options)
    if model.is_open:
        from .open import charge_open  # open.py imports this module

        return charge_open(model, t, ergotropy=ergotropy, space=space, method=method,
                           truncation_threshold=truncation_threshold, on_truncation=on_truncation, **options)
    if options:
        raise ConfigError(f"unexpected options {sorted(options)}", argument="options",
                          allowed="ergotropy, space, method, truncation_threshold, on_truncation")
    h = model.charging_hamiltonian()
    hb = model.battery_hamiltonian()
    h = sp.csr_matrix(h) if sp.issparse(h) else np.asarray(h)
    hb = sp.csr_matrix(hb) if sp.issparse(hb) else np.asarray(hb)
    spectrum = as_hamiltonian(model.battery_spectrum(space)) if ergotropy else None
    cutoff_pop = getattr(model, "cutoff_population", None)
    psi0 = model.initial_state()
    if np.asarray(psi0).ndim != 1:
        raise ConfigError("the generic charge() path needs a pure initial state; this model needs a solver "
                          "registered with register_solver()", argument="model",
                          allowed="a model with a state-vector initial_state()")
    energy = np.empty(t.size)
    power = np.empty(t.size)
    erg = np.empty(t.size) if ergotropy else None
    worst = 0.0
    for k, psi in enumerate(propagate(h, psi0, t, method=method)):
        hb_psi = hb @ psi
        energy[k] = float(np.real(np.vdot(psi, hb_psi)))
        power[k] = 2.0 * float(np.imag(np.vdot(hb_psi, h @ psi)))
        if ergotropy:
            erg[k] = battery_ergotropy(model, psi, spectrum)
        if cutoff_pop is not None:
            worst = max(worst, float(cutoff_pop(psi)))
    if cutoff_pop is not None:
        check_truncation(worst, threshold=truncation_threshold, on_truncation=on_truncation,
                         what=getattr(model, "cutoff_name", "cut-off"))
    meta = {**model.metadata, "space": space, "max_cutoff_population": worst if cutoff_pop is not None else None}
    return make_charging_curve(t, energy, ergotropy=erg, power=power, metadata=meta)
