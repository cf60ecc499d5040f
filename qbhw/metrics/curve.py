"""The charging-curve type shared by solvers, backends and fits (design.md, "Shared types").

A :class:`ChargingCurve` holds

* ``times``;
* ``energy`` — ``Tr[H_B ρ(t)] − E_ground``, stored energy above the battery's ground energy;
* ``work`` — ``W(t) = E(t) − E(0)`` (review Eq. 3; equals ``energy`` when the battery
  starts empty);
* ``ergotropy`` — ergotropy of the battery state, or ``None`` when the state is unknown
  (e.g. counts without tomography);
* ``power`` — the :class:`~qbhw.metrics.power.PowerCurve` of ``work``;
* ``kind`` — ``"trajectory"`` or ``"sweep"``;
* ``metadata`` — model, parameters and conventions;
* ``observables`` — further named arrays on the same time grid (e.g. the
  high-temperature star battery's ``polarization``), readable as attributes;
* ``energy_stderr`` / ``work_stderr`` — standard errors of ``energy`` and ``work`` (shot noise of
  sampled backends; ``None`` for exact curves). ``work_stderr`` differs from ``energy_stderr`` when
  the work reference is a measured point: ``W = E − E(0)`` with the measured ``E(0)`` has
  ``Var W_i = Var E_i + Var E_0`` and ``W_0 ≡ 0`` by construction (σ = 0 there). Standard errors of
  other observables stay in ``observables`` as ``<name>_stderr``.

:meth:`ChargingCurve.to_dict` / :meth:`ChargingCurve.from_dict` (and ``to_json`` / ``from_json``)
round-trip a curve exactly, including the instantaneous power it was built with (analytic or
finite-difference), through :mod:`qbhw.serialization`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError, DimensionMismatchError
from ..serialization import JsonMixin, from_jsonable, to_jsonable
from .power import PowerCurve, power_curve

__all__ = ["ChargingCurve", "make_charging_curve", "CURVE_FORMAT"]

#: format tag of serialised curves
CURVE_FORMAT = "qbhw-curve/1"


@dataclass(frozen=True)
class ChargingCurve(JsonMixin):
    times: np.ndarray
    energy: np.ndarray
    work: np.ndarray
    ergotropy: np.ndarray | None
    power: PowerCurve
    kind: str = "trajectory"
    metadata: dict[str, Any] = field(default_factory=dict)
    observables: dict[str, np.ndarray] = field(default_factory=dict)
    energy_stderr: np.ndarray | None = None
    work_stderr: np.ndarray | None = None

    def __getattr__(self, name: str):
        # only called when normal lookup fails: expose observables as attributes
        obs = self.__dict__.get("observables", {})
        if name in obs:
            return obs[name]
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    # Convenience pass-throughs to the power curve (names as in PowerCurve).
    @property
    def tau_max_power(self) -> float:
        return self.power.tau_max_power

    @property
    def tau_energy_peak(self) -> float:
        return self.power.tau_energy_peak

    @property
    def max_average_power(self) -> float:
        return self.power.max_average_power

    def charging_time(self, tau: str) -> float:
        return self.power.charging_time(tau)

    def average_power_at(self, tau: str) -> float:
        return self.power.average_power_at(tau)

    def value_at(self, values: np.ndarray, time: float) -> float:
        """Linear interpolation of an array on this curve's grid at ``time``."""
        return float(np.interp(time, self.times, values))

    def ergotropy_fraction_at(self, tau: str) -> float:
        """𝓔(τ)/E(τ) at the charging time of the named convention (review Sec. III.D)."""
        if self.ergotropy is None:
            raise AttributeError("this curve has no ergotropy (state unknown)")
        t = self.charging_time(tau)
        return self.value_at(self.ergotropy, t) / self.value_at(self.energy, t)

    # ---- serialisation ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON data (see :mod:`qbhw.serialization`); :meth:`from_dict` rebuilds an equal curve."""
        return {"format": CURVE_FORMAT, "kind": self.kind,
                "times": to_jsonable(self.times), "energy": to_jsonable(self.energy),
                "work": to_jsonable(self.work), "ergotropy": to_jsonable(self.ergotropy),
                "power": to_jsonable(self.power.power),
                "observables": {k: to_jsonable(np.asarray(v)) for k, v in self.observables.items()},
                "energy_stderr": to_jsonable(self.energy_stderr), "work_stderr": to_jsonable(self.work_stderr),
                "metadata": to_jsonable(self.metadata)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChargingCurve":
        """Inverse of :meth:`to_dict` (dicts written before the ``*_stderr`` fields existed read back with
        them ``None``, or taken from ``observables["energy_stderr"]`` as :func:`make_charging_curve` does)."""
        if not isinstance(data, dict) or data.get("format") != CURVE_FORMAT:
            raise DataError(f"not a qbhw charging curve (format {data.get('format') if isinstance(data, dict) else None!r})",
                            argument="data", allowed=f"a dict written by ChargingCurve.to_dict ({CURVE_FORMAT})")
        d = {k: from_jsonable(v) for k, v in data.items()}
        return make_charging_curve(d["times"], d["energy"], work=d["work"], ergotropy=d["ergotropy"],
                                   power=d["power"], kind=d["kind"], metadata=d["metadata"],
                                   observables=d["observables"], energy_stderr=d.get("energy_stderr"),
                                   work_stderr=d.get("work_stderr"))


def make_charging_curve(times, energy, *, work=None, ergotropy=None, power=None, kind="trajectory",
                        metadata=None, observables=None, energy_stderr=None, work_stderr=None) -> ChargingCurve:
    """Build a :class:`ChargingCurve`, deriving ``work = energy − energy[0]`` when not given.

    ``energy_stderr`` / ``work_stderr``: standard errors (``None`` for exact curves). For backward
    compatibility an ``"energy_stderr"`` (``"work_stderr"``) entry of ``observables`` is moved into the
    field when the keyword is not given. Without ``work_stderr``, ``work_stderr = energy_stderr`` (right
    when the work reference is exact); producers whose reference is a measured point pass it explicitly.
    """
    t = np.asarray(times, dtype=float)
    e = np.asarray(energy, dtype=float)
    if e.shape != t.shape:
        raise DimensionMismatchError(f"energy has shape {e.shape} but times has shape {t.shape}",
                                     argument="energy", allowed="same length as times")
    w = e - e[0] if work is None else np.asarray(work, dtype=float)
    erg = None if ergotropy is None else np.asarray(ergotropy, dtype=float)
    pc = power_curve(t, w, power=power, kind=kind)
    obs = {k: np.asarray(v) for k, v in (observables or {}).items()}
    if energy_stderr is None:
        energy_stderr = obs.pop("energy_stderr", None)
    else:
        obs.pop("energy_stderr", None)
    if work_stderr is None:
        work_stderr = obs.pop("work_stderr", None)
    else:
        obs.pop("work_stderr", None)
    es = _stderr(energy_stderr, t, "energy_stderr")
    ws = _stderr(work_stderr, t, "work_stderr")
    if ws is None and es is not None:
        ws = es.copy()
    return ChargingCurve(times=pc.times, energy=e, work=w, ergotropy=erg, power=pc, kind=kind,
                         metadata=dict(metadata or {}), observables=obs, energy_stderr=es, work_stderr=ws)


def _stderr(values, t: np.ndarray, argument: str) -> np.ndarray | None:
    if values is None:
        return None
    s = np.asarray(values, dtype=float)
    if s.shape != t.shape:
        raise DimensionMismatchError(f"{argument} has shape {s.shape} but times has shape {t.shape}",
                                     argument=argument, allowed="one standard error per time")
    if np.any(s < 0):
        raise DataError(f"{argument} has negative entries", argument=argument, allowed="standard errors >= 0")
    return s
