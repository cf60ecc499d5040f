"""Disorder averages of charging curves over seeded realisations (SYK, MBL, …).

``disorder_average(factory, seeds, times)`` builds ``factory(seed)`` for every seed, takes its
exact charging curve ``qbhw.charge(model, times, **curve_options)`` and returns the averaged
curve: energy, work and instantaneous power are averaged pointwise (linear in ρ, so they are
those of the disorder-averaged state);
``ergotropy`` is the mean of the realisations' ergotropies (ergotropy is not linear in ρ: this
is not the ergotropy of the averaged state); the power figures (τ̃, ⟨P⟩_τ̃, τ̄) are those of the averaged
work ``⟨⟨W(t)⟩⟩``. Per-realisation spread is kept as observables:

* ``energy_std`` — standard deviation of E(t) over realisations;
* ``max_average_power_per_realisation`` (metadata) — each realisation's own ⟨P⟩_τ̃, with
  its mean and standard error, for scaling fits with error bars.

The realisations are independent: ``executor`` runs them on any :class:`concurrent.futures.Executor`
(serial by default; a process pool, a Dask ``Client.get_executor()`` or an MPI pool — then ``factory``
must be picklable, i.e. a module-level function or a :func:`functools.partial` of one), through the
same path as the sweeps of :func:`qbhw.run` (:mod:`qbhw.parallel`). The result does not depend on the
executor: realisations are averaged in seed order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

import numpy as np

from ..errors import InvalidArgumentError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from ..parallel import map_ordered
from .charge import charge

__all__ = ["disorder_average"]


def _realisation(factory: Callable[[int], object], seed: int, *, times, curve_options: dict) -> ChargingCurve:
    return charge(factory(seed), times, **curve_options)


def disorder_average(factory: Callable[[int], object], seeds: Iterable[int], times, *, executor=None,
                     progress: bool = False, **curve_options) -> ChargingCurve:
    """Disorder-averaged charging curve over the realisations ``factory(seed)`` (see module docstring).

    ``executor``: where the realisations run (None: serially here); ``progress``: a tqdm bar.
    """
    t = check_times(times, allow_single=False)
    seeds = list(seeds)
    if len(seeds) < 1:
        raise InvalidArgumentError("no seeds given", argument="seeds", allowed="at least one seed")
    energies, works, powers, ergs, best, obs = [], [], [], [], [], {}
    meta0 = None
    curves = map_ordered(partial(_realisation, factory, times=t, curve_options=curve_options), seeds,
                         executor=executor, progress=progress, desc="disorder average")
    for seed, curve in zip(seeds, curves):
        meta0 = meta0 or dict(curve.metadata)
        energies.append(curve.energy)
        works.append(curve.work)
        powers.append(curve.power.power)
        if curve.ergotropy is not None:
            ergs.append(curve.ergotropy)
        best.append(curve.max_average_power)
        for name, values in curve.observables.items():
            obs.setdefault(name, []).append(values)
    energies = np.array(energies)
    best = np.array(best)
    observables = {name: np.mean(v, axis=0) for name, v in obs.items()}
    observables["energy_std"] = np.std(energies, axis=0)
    meta = {**(meta0 or {}), "seeds": seeds, "n_realisations": len(seeds),
            "max_average_power_per_realisation": best.tolist(),
            "mean_max_average_power": float(best.mean()),
            "sem_max_average_power": float(best.std(ddof=1) / np.sqrt(best.size)) if best.size > 1 else float("nan")}
    meta.pop("seed", None)
    return make_charging_curve(t, energies.mean(axis=0), work=np.mean(works, axis=0),
                               ergotropy=np.mean(ergs, axis=0) if len(ergs) == len(seeds) else None,
                               power=np.mean(powers, axis=0), metadata=meta, observables=observables)
