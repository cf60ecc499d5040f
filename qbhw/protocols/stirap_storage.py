"""Storage of a STIRAP charge in a transmon qutrit: how long the energy and the ergotropy last under T1 and
Tφ (review Sec. V.C on self-discharge; Hu et al., Quantum Sci. Technol. 7, 045018, 2022).

The qutrit is charged |0⟩ → |2⟩ by the STIRAP pair, then left alone: level k decays at k/T1 (the cascade
|2⟩ → |1⟩ → |0⟩), coherences dephase (the 0–2 coherence as e^{−4t/Tφ}). Populations see only T1, so the
protocol also runs the *STIRAP Ramsey* sequence (``ramsey_ns``, optional): half the pulse stores the
coherent superposition (|0⟩ − |2⟩)/√2, a free evolution of τ follows, and the time-reversed half pulse
returns what kept its 0–2 coherence to |0⟩ — the loss measures 1/T1 + 4/Tφ.

Procedure: **parameters** → **acquisition** on ``exact``/``pulse`` (the pulse solver for the pulses,
exact free Lindblad evolution for the storage; ``shots`` for simulated readout) → **analysis**: T1 (and Tφ
with Ramsey rows) fitted by the STIRAP theory model of :mod:`qbhw.protocols.stirap_theory` (the same pulse
solver), energy and ergotropy retention → **plot**.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..fit import fit_curve
from ._pulse import (
    PULSE_BACKENDS,
    battery_levels_ghz,
    pulse_curve,
    resolve_device,
)
from .base import Data, check_choice, resolve_backend, time_grid
from .base import Results as _Results
from .stirap_charging import StirapPairParameters as _StirapParameters
from .stirap_theory import StirapChargingModel, StirapExperiment

__all__ = ["NAME", "BACKENDS", "REFERENCE_DEVICE", "Parameters", "Results", "acquire", "analyse", "plot"]

NAME = "stirap_storage"
BACKENDS = PULSE_BACKENDS
REFERENCE_DEVICE = "transmon_qutrit_stirap"


@dataclass(frozen=True, kw_only=True)
class Parameters(_StirapParameters):
    """The STIRAP pair and device of :class:`qbhw.protocols.stirap_charging.Parameters` (its ``times_ns``
    are not used: the pulse is played whole), plus

    ``storage_ns``: storage times after the pulse (an array or ``{start, stop, num}``, ≥ 0);
    ``ramsey_ns``: free-evolution times of the STIRAP Ramsey sequence (empty: no Ramsey rows, Tφ not
    measured); multiples of 1/|α| (10/3 ns for α = −0.3 GHz) share one retrieval superoperator;
    ``observable``: what the analysis fits per setting — ``"energy"`` (one number per readout, right for
    counts) or ``"populations"`` (P1 and P2 as separate rows).
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "observable": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "times_ns": "not used (the pulse is played whole)",
        "storage_ns": "storage times after the pulse (≥ 0; an array or {start, stop, num})",
        "ramsey_ns": "free-evolution times of the STIRAP Ramsey sequence (empty: no Ramsey rows, Tφ not measured)",
        "observable": "what the analysis fits per setting: 'energy' | 'populations' (P1 and P2 as rows)",
    }

    storage_ns: tuple = tuple(float(x) for x in np.linspace(0.0, 40000.0, 11))
    ramsey_ns: tuple = tuple(float(x) for x in np.linspace(0.0, 20000.0, 13))
    observable: str = "energy"

    def _validate(self) -> None:
        super()._validate()
        self._set("storage_ns", time_grid(self.storage_ns, "storage_ns"))
        rams = self.ramsey_ns
        empty = not isinstance(rams, Mapping) and len(tuple(rams)) == 0
        self._set("ramsey_ns", () if empty else time_grid(rams, "ramsey_ns", min_points=1))
        check_choice(self.observable, "observable", ("energy", "populations"))


@dataclass(kw_only=True)
class Results(_Results):
    """``t1_ns``, ``tphi_ns`` with their 95 % intervals (``tphi_ns`` only with Ramsey rows); the stored
    energy and ergotropy right after the pulse (``initial_energy``, ``initial_ergotropy``, GHz) and the
    fractions left at the last storage time (``energy_retention``, ``ergotropy_retention``; the
    ergotropy is ``None`` when the state is not known, e.g. from counts); ``ramsey_return``: P(|0⟩)
    returned by the Ramsey sequence at τ = 0 (≈ 0.8 with the transmon's cross terms)."""

    t1_ns: float = math.nan
    t1_ns_ci95: tuple | None = None
    tphi_ns: float | None = None
    tphi_ns_ci95: tuple | None = None
    initial_energy: float = math.nan
    initial_ergotropy: float | None = None
    energy_retention: float = math.nan
    ergotropy_retention: float | None = None
    ramsey_return: float | None = None


def _experiment(parameters: Parameters, device, observables) -> StirapExperiment:
    return StirapExperiment(trace_amplitudes=(1.0,), trace_ns=(), storage_ns=parameters.storage_ns,
                            ramsey_ns=parameters.ramsey_ns, observables=observables, pair=parameters.pair(1.0),
                            device=device, rwa_cutoff_ghz=parameters.rwa_cutoff_ghz)


def _scalar_times(device) -> tuple[float, float]:
    t1 = device.t1_ns
    if isinstance(t1, tuple) or t1 is None or device.tphi_ns is None:
        raise ConfigError(f"device {device.name!r} has T1 = {t1!r}, Tφ = {device.tphi_ns!r}", argument="device",
                          allowed="a device with one T1 and one Tφ (the storage model of qbhw.protocols.stirap_theory)")
    return float(t1), float(device.tphi_ns)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Charge by STIRAP, then record energy, ergotropy and populations during storage (and the Ramsey rows)."""
    from ..pulse import FreeEvolution, simulate, transmon_model
    from .stirap_charging import schedule

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    p = parameters
    if not p.decoherence:
        raise ConfigError("storage without decoherence stores forever", argument="decoherence", allowed="True")
    device = resolve_device(p.device, obj, REFERENCE_DEVICE)
    model = transmon_model(device, decoherence=True)
    signals = schedule(p).build(device)
    charged = simulate(model, signals, 0, rwa_cutoff_ghz=p.rwa_cutoff_ghz, record=[0, signals.n_samples])
    rho = charged.lab_states()[-1]
    if rho.ndim == 1:
        rho = np.outer(rho, rho.conj())
    stored = FreeEvolution(model).evolve(rho, np.asarray(p.storage_ns))
    curve, raw = pulse_curve(p.storage_ns, stored, battery_levels_ghz(model), shots=p.shots, seed=p.seed,
                             metadata={"protocol": "STIRAP charge, then storage", "device": device.name,
                                       "time": "storage time after the pulse"})
    if p.ramsey_ns:
        t1, tphi = _scalar_times(device)
        exp = _experiment(p, device, ("p0", "p1", "p2"))
        rows = exp.predict(1e3 * p.amp_pump_ghz * p.amp_scale, t1, tphi, parts=("ramsey",))
        pops = rows[exp.part_mask("ramsey")].reshape(-1, 3)
        levels = battery_levels_ghz(model)
        if p.shots is not None:
            from ..backends.pulse import sample_populations

            est, err, counts, e, e_err = sample_populations(pops, p.shots, None if p.seed is None else p.seed + 1,
                                                            values=levels)
            raw.update(ramsey_populations=est, ramsey_populations_stderr=err, ramsey_counts=counts,
                       ramsey_energy=e, ramsey_energy_stderr=e_err)
        else:
            pops = np.clip(pops, 0.0, 1.0)
            raw.update(ramsey_populations=pops, ramsey_energy=pops @ levels)
        raw["ramsey_ns"] = np.asarray(p.ramsey_ns)
    return Data(protocol=NAME, parameters=p, backend=obj.name, curve=curve, raw=raw,
                metadata={"device": device.to_dict()})


def analyse(data: Data, *, fit: bool = True, **fit_options) -> Results:
    """T1 (and Tφ) fitted through the STIRAP theory model; energy and ergotropy retention."""
    from ..devices import Device

    p: Parameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = {"initial_energy": float(curve.energy[0]),
                           "energy_retention": float(curve.energy[-1] / curve.energy[0]) if curve.energy[0] else math.nan}
    if curve.ergotropy is not None:
        out["initial_ergotropy"] = float(curve.ergotropy[0])
        out["ergotropy_retention"] = float(curve.ergotropy[-1] / curve.ergotropy[0]) if curve.ergotropy[0] else None
    ramsey = data.raw.get("ramsey_populations")
    if ramsey is not None and len(ramsey):
        out["ramsey_return"] = float(np.asarray(ramsey)[0, 0])
    notes: list[str] = []
    fit_result = None
    if fit:
        device = Device.from_dict(data.metadata["device"])
        obs = ("energy",) if p.observable == "energy" else ("p1", "p2")
        exp = _experiment(p, device, obs)
        pops = np.asarray(curve.observables["populations"])
        perr = curve.observables.get("populations_stderr")
        rows_y, rows_s = [], []
        if p.observable == "energy":
            rows_y.append(np.asarray(curve.energy))
            rows_s.append(curve.energy_stderr)
        else:
            rows_y.append(pops[:, 1:3].ravel())
            rows_s.append(None if perr is None else np.asarray(perr)[:, 1:3].ravel())
        if p.ramsey_ns:
            rp = np.asarray(data.raw["ramsey_populations"])
            rerr = data.raw.get("ramsey_populations_stderr")
            if p.observable == "energy":
                rows_y.append(np.asarray(data.raw["ramsey_energy"]))
                rows_s.append(data.raw.get("ramsey_energy_stderr"))
            else:
                rows_y.append(rp[:, 1:3].ravel())
                rows_s.append(None if rerr is None else np.asarray(rerr)[:, 1:3].ravel())
        y = np.concatenate(rows_y)
        sigma = None if any(s is None for s in rows_s) else np.concatenate(rows_s)
        fd = exp.fit_data(y, sigma, sigma_kind="none" if sigma is None else "measured")
        theory = StirapChargingModel(exp, t1_guess=device.t1_ns if isinstance(device.t1_ns, float) else 2e4,
                                     tphi_guess=device.tphi_ns or 3e4)
        fixed = {"rabi_mhz": 1e3 * p.amp_pump_ghz * p.amp_scale}
        if not p.ramsey_ns:
            fixed["tphi_ns"] = float(device.tphi_ns) if device.tphi_ns else 3e4
            notes.append("no Ramsey rows: Tφ not measured (held at the device value)")
        fit_result = fit_curve(theory, fd, fixed=fixed, **fit_options)
        if fit_result.ok:
            est = fit_result.parameter("t1_ns")
            out["t1_ns"], out["t1_ns_ci95"] = est.value, est.ci95
            if p.ramsey_ns:
                est = fit_result.parameter("tphi_ns")
                out["tphi_ns"], out["tphi_ns_ci95"] = est.value, est.ci95
        else:
            notes.append(f"fit failed: {fit_result.message}")
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results) -> Figure:
    """Energy and ergotropy during storage (with the fitted T1 curve), and the Ramsey return."""
    curve = data.curve
    has_ramsey = "ramsey_populations" in data.raw
    fig = Figure(figsize=(6.4, 6.4 if has_ramsey else 4.2))
    axes = fig.subplots(2 if has_ramsey else 1, 1, squeeze=False)[:, 0]
    ax = axes[0]
    t_us = curve.times / 1000.0
    ax.errorbar(t_us, curve.energy, yerr=curve.energy_stderr, fmt="o", ms=3, lw=0.8,
                label=f"energy ({data.backend})")
    if curve.ergotropy is not None:
        ax.plot(t_us, curve.ergotropy, "s--", ms=3, lw=0.8, label="ergotropy")
    fit = results.fit
    if fit is not None and fit.ok and data.parameters.observable == "energy":
        k = curve.times.size
        ax.plot(t_us, fit.best_fit[:k], "-", lw=1.0, label=f"fit, T1 = {results.t1_ns / 1000:.3g} µs")
    ax.set_xlabel("storage time [µs]")
    ax.set_ylabel("energy [GHz]")
    ax.legend(fontsize=7)
    ax.set_title("STIRAP charge in storage", fontsize=9)
    if has_ramsey:
        ax = axes[1]
        rp = np.asarray(data.raw["ramsey_populations"])
        tr = np.asarray(data.raw["ramsey_ns"]) / 1000.0
        for j in range(rp.shape[1]):
            ax.plot(tr, rp[:, j], "o-", ms=3, lw=0.8, label=f"P(|{j}⟩) returned")
        ax.set_xlabel("Ramsey storage time [µs]")
        ax.set_ylabel("population")
        title = "STIRAP Ramsey"
        if results.tphi_ns is not None and math.isfinite(results.tphi_ns):
            title += f": Tφ = {results.tphi_ns / 1000:.3g} µs"
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
