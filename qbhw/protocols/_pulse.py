"""Wiring shared by the pulse-level protocols (STIRAP, π pulses, counter-diabatic STIRAP, storage): the
device a protocol runs on, the recorded samples, the charging curve with simulated readout, and the
theory-backed fit of a drive-amplitude scale.

Backends: ``exact`` and ``pulse`` both run :func:`qbhw.pulse.simulate` (the pulse-level Lindblad
solver); with ``shots`` the level populations are read out as a simulated projective measurement
(:func:`qbhw.backends.pulse.sample_populations`: multinomial counts, Jeffreys-posterior σ). The device is
the protocol's ``device`` parameter when given, else the backend's own device (a ``PulseBackend``
built with one), else the protocol's reference device.

Units: time in ns, energies in GHz (E/h, above the ground level), power in GHz/ns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError, InvalidArgumentError
from ..fit import TheoryModel, fit_curve
from ..metrics import ChargingCurve, make_charging_curve
from ..metrics import ergotropy as _ergotropy
from ._charging import curve_fit_data
from .base import ChargingResults, Data

__all__ = ["PULSE_BACKENDS", "check_device", "resolve_device", "record_samples", "pulse_curve",
           "amplitude_scale_model", "battery_levels_ghz", "plot_populations", "PulseChargingResults",
           "acquire_pulse", "analyse_pulse", "run_schedule"]

PULSE_BACKENDS = ("exact", "pulse")


def check_device(value, argument: str = "device"):
    """A device parameter: ``None``, the name of a shipped device (or a JSON path), a ``Device``, or a
    device dict (as in a device file) — returned as ``None``, ``str`` or ``Device``."""
    from ..devices import Device, names

    if value is None or isinstance(value, Device):
        return value
    if isinstance(value, Mapping):
        return Device.from_dict(dict(value))
    if isinstance(value, str):
        if not value.endswith(".json") and value not in names():
            raise ConfigError(f"unknown device {value!r}", argument=argument,
                              allowed=", ".join(names()) + " | a device JSON file | a Device")
        return value
    raise ConfigError(f"got {type(value).__name__}", argument=argument,
                      allowed="a device name, a Device, or None (the backend's or the reference device)")


def resolve_device(device, backend, default: str):
    """The :class:`~qbhw.devices.Device` to simulate (see the module docstring for the precedence)."""
    from ..devices import Device, load

    if device is None:
        device = getattr(backend, "device", None) or default
    device = device if isinstance(device, Device) else load(device)
    if not isinstance(device, Device):
        raise ConfigError(f"{device.name!r} is a {type(device).__name__}, not a transmon device", argument="device",
                          allowed="a transmon device (the NMR molecules have their own protocols)")
    return device


def record_samples(times_ns, dt_ns: float, n_samples: int, argument: str = "times_ns") -> np.ndarray:
    """Sample boundaries ``k`` with ``k·dt = t`` for every requested time (on the dt grid, within the pulse)."""
    from ..pulse._grid import to_samples

    ks = np.array([to_samples(t, dt_ns, argument) for t in times_ns], dtype=int)
    if ks.size and ks[-1] > n_samples:
        raise InvalidArgumentError(f"the last time {times_ns[-1]:g} ns is after the pulse ({n_samples * dt_ns:g} ns)",
                                   argument=argument, allowed=f"times in [0, {n_samples * dt_ns:g}] ns")
    return ks


def battery_levels_ghz(model) -> np.ndarray:
    """Level energies (GHz, ground at 0) of the battery (the transmon) of a pulse model."""
    hb = model.battery_hamiltonian
    dims = model.dims
    hq = hb if len(dims) == 1 else hb.reshape(dims[1], dims[0], dims[1], dims[0])[0, :, 0, :]
    e = np.real(np.diag(hq)) / (2 * np.pi)
    return e - e.min()


def run_schedule(schedule, device, parameters, backend=None):
    """Play ``schedule`` on ``device`` from |0⟩ with the parameters' ``decoherence`` and ``rwa_cutoff_ghz``,
    recording at ``parameters.times_ns`` → ``(PulseResult, PulseModel)``.

    With a ``backend`` that simulates a device of its own (:class:`~qbhw.backends.simulated.SimulatedTransmon`),
    the schedule is built against ``device`` (the experimenter's description: carriers, amplitudes) and played on
    the backend's true device."""
    from ..pulse import simulate, transmon_model

    signals = schedule.build(device)
    rec = record_samples(parameters.times_ns, device.dt_ns, signals.n_samples)
    if hasattr(backend, "simulate_signals"):
        return backend.simulate_signals(signals, record=rec, decoherence=parameters.decoherence,
                                        rwa_cutoff_ghz=parameters.rwa_cutoff_ghz)
    model = transmon_model(device, decoherence=parameters.decoherence)
    return simulate(model, signals, 0, rwa_cutoff_ghz=parameters.rwa_cutoff_ghz, record=rec), model


def pulse_curve(times_ns, battery_states, levels_ghz, *, shots: int | None, seed: int | None,
                ergotropy: bool = True, initial_energy_ghz: float = 0.0, kind: str = "trajectory",
                metadata: dict[str, Any] | None = None, bootstrap: int = 200,
                readout: Callable | None = None) -> tuple[ChargingCurve, dict[str, Any]]:
    """Charging curve from the battery's (lab-frame) density matrices at ``times_ns``.

    Exact (``shots=None``): energy ``Σ_k E_k ρ_kk``, ergotropy of each state, populations. Sampled:
    the populations are read out ``shots`` times (:func:`qbhw.backends.pulse.sample_populations`); the
    energy is the frequency-weighted level energy with its posterior σ (``energy_stderr``), the
    ergotropy is unknown (``None``), the counts go to the raw data. Work is ``E − E(0)`` with the
    prepared state's energy ``initial_energy_ghz``. Sampled curves get ``metadata["intervals"]`` (the
    figures of merit of :func:`qbhw.metrics.curve_figure_intervals`) from a bootstrap over shots with
    ``bootstrap`` replicates (0: off): every time's counts resampled multinomially around the observed
    frequencies, seeded from a hash of the counts. ``readout``: the device's readout, level populations
    ``(K, d)`` → distribution of results (default: ideal); it applies to sampled curves only.
    """
    rhos = np.asarray(battery_states)
    pops = np.real(np.einsum("kii->ki", rhos))
    E = np.asarray(levels_ghz, dtype=float)
    raw: dict[str, Any] = {}
    obs: dict[str, np.ndarray] = {}
    e_err = None
    meta = {"units": "time ns, energy GHz (E/h)", **(metadata or {})}
    if shots is None:
        energy = pops @ E
        erg = np.array([_ergotropy(r, np.diag(E)) for r in rhos]) if ergotropy else None
        obs["populations"] = pops
    else:
        from ..backends.pulse import sample_populations

        read = pops if readout is None else readout(pops)
        est, err, counts, energy, e_err = sample_populations(read, shots, seed, values=E)
        erg = None
        obs.update(populations=est, populations_stderr=err)
        raw["counts"] = counts
        meta["shots"] = int(shots)
        if bootstrap:
            from ..metrics import counts_seed, curve_figure_intervals, resample_counts

            draws = resample_counts(counts, int(bootstrap), np.random.default_rng(counts_seed(counts)))
            e_rep = draws @ E / int(shots)  # (B, nt)
            found = curve_figure_intervals(times_ns, e_rep - initial_energy_ghz, energy - initial_energy_ghz,
                                           energy=energy, energy_replicates=e_rep,
                                           method=f"bootstrap over shots (B={int(bootstrap)})")
            meta["intervals"] = {k: v.to_dict() for k, v in found.items()}
    curve = make_charging_curve(np.asarray(times_ns, dtype=float), energy, work=energy - initial_energy_ghz,
                                ergotropy=erg, kind=kind, metadata=meta, observables=obs, energy_stderr=e_err,
                                work_stderr=e_err)  # work referred to the exact prepared energy: σ_W = σ_E
    return curve, raw


def amplitude_scale_model(energies: Callable[[np.ndarray, float], np.ndarray], *, name: str, formula: str,
                          scale_range: tuple[float, float] = (0.5, 1.5), scan_points: int = 41) -> TheoryModel:
    """lmfit model ``E(t; amp_scale)`` of a pulse protocol whose drive amplitudes are all multiplied by
    ``amp_scale`` (a calibration error of the drive): ``energies(times_ns, amp_scale)`` runs the pulse
    solver. The guess scans ``scale_range`` linearly."""
    lo, hi = scale_range
    if not (0 < lo < hi and math.isfinite(hi)):
        raise InvalidArgumentError(f"got {scale_range!r}", argument="scale_range", allowed="0 < low < high")

    def curve(times, amp_scale):
        return energies(np.asarray(times, dtype=float), float(amp_scale))

    return TheoryModel(curve, {"amp_scale": {"value": 1.0, "min": 0.0}}, name=name, formula=formula,
                       scan=("amp_scale", np.linspace(lo, hi, scan_points)), cache_size=256)


def plot_populations(data, results, title: str) -> Figure:
    """Level populations (± readout σ) and the battery energy against time; the fitted energy curve."""
    curve = data.curve
    pops = np.asarray(curve.observables["populations"])
    err = curve.observables.get("populations_stderr")
    fig = Figure(figsize=(6.4, 6.0))
    ax, axe = fig.subplots(2, 1, sharex=True)
    for k in range(pops.shape[1]):
        if err is not None:
            ax.errorbar(curve.times, pops[:, k], yerr=np.asarray(err)[:, k], fmt="o", ms=2.5, lw=0.7, label=f"P(|{k}⟩)")
        else:
            ax.plot(curve.times, pops[:, k], "-", label=f"P(|{k}⟩)")
    ax.set_ylabel("population")
    ax.legend(fontsize=7)
    e_err = curve.energy_stderr
    axe.errorbar(curve.times, curve.energy, yerr=e_err, fmt="o", ms=2.5, lw=0.7, label=f"energy ({data.backend})")
    if curve.ergotropy is not None:
        axe.plot(curve.times, curve.ergotropy, "--", lw=1.0, label="ergotropy")
    fit = getattr(results, "fit", None)
    if fit is not None and fit.ok:
        axe.plot(fit.x, fit.best_fit, "-", lw=1.1, label="fit")
    axe.set_xlabel("t [ns]")
    axe.set_ylabel("energy [GHz]")
    axe.legend(fontsize=7)
    head = title
    if math.isfinite(getattr(results, "amp_scale", math.nan)):
        head += f"\namplitude scale {results.amp_scale:.4g}"
        if getattr(results, "rabi_mhz", None) is not None and math.isfinite(results.rabi_mhz):
            head += f" (Ω_P/2π = {results.rabi_mhz:.4g} MHz)"
    ax.set_title(head, fontsize=9)
    fig.tight_layout()
    return fig


@dataclass(kw_only=True)
class PulseChargingResults(ChargingResults):
    """Figures of merit of a pulse-level charging protocol (GHz, ns; see
    :class:`~qbhw.protocols.base.ChargingResults`), and

    * ``final_populations`` — P(|0⟩), P(|1⟩), P(|2⟩), … at the last recorded time;
    * ``transfer`` — P(|2⟩) there (the charged level of a qutrit battery);
    * ``amp_scale``, ``amp_scale_ci95`` — the drive-amplitude scale fitted through the pulse solver
      (1 = the nominal amplitudes of the parameters) and its 95 % interval.
    """

    final_populations: tuple = ()
    transfer: float = math.nan
    amp_scale: float = math.nan
    amp_scale_ci95: tuple | None = None


def acquire_pulse(protocol: str, parameters, backend, run: Callable, *, reference_device: str, label: str) -> Data:
    """Shared acquisition: resolve the backend and device, ``run(parameters, device)`` →
    ``(PulseResult, model)``, then the charging curve (:func:`pulse_curve`)."""
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=protocol, supported=PULSE_BACKENDS)
    device = resolve_device(parameters.device, obj, reference_device)
    result, model = run(parameters, device, None, backend=obj)
    curve, raw = pulse_curve(parameters.times_ns, result.battery_states(), battery_levels_ghz(model),
                             shots=parameters.shots, seed=parameters.seed,
                             metadata={"protocol": label, "device": device.name},
                             readout=getattr(obj, "read_out", None))
    return Data(protocol=protocol, parameters=parameters, backend=obj.name, curve=curve, raw=raw,
                metadata={"device": device.to_dict(), "substeps": result.substeps})


def analyse_pulse(data: Data, run: Callable, *, fit: bool, scale_range: tuple[float, float],
                  name: str, formula: str, **fit_options) -> tuple[Any, dict[str, Any], list[str]]:
    """Shared analysis: figures of merit, final populations and (``fit``) the amplitude scale fitted
    through ``run(parameters, device, amp_scale)``. Returns ``(fit result, fields, notes)``."""
    from ..devices import Device

    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    pops = np.asarray(curve.observables["populations"])[-1]
    out["final_populations"] = tuple(float(x) for x in pops)
    out["transfer"] = float(pops[2]) if pops.size > 2 else math.nan
    notes: list[str] = []
    fit_result = None
    if fit:
        device = Device.from_dict(data.metadata["device"])

        def energies(t, a):
            result, model = run(data.parameters, device, a)
            return np.real(np.einsum("kii->ki", result.battery_states())) @ battery_levels_ghz(model)

        theory = amplitude_scale_model(energies, name=name, formula=formula, scale_range=scale_range)
        fit_result = fit_curve(theory, curve_fit_data(curve, x_unit="ns", y_unit="GHz"), **fit_options)
        if fit_result.ok:
            est = fit_result.parameter("amp_scale")
            out["amp_scale"], out["amp_scale_ci95"] = est.value, est.ci95
        else:
            notes.append(f"fit failed: {fit_result.message}")
    return fit_result, out, notes
