"""Play a compiled single-qubit drive program on the pulse-level transmon solver of :mod:`qbhw.pulse`.

Units. The program is dimensionless (rotating frame ``H = (Δ/2)Z + (Ω(t)/2)σ^x``, Ω in rad per
model time unit); one model time unit is ``time_unit_ns`` ns. The device's drive channel plays
``2π Re[s e^{iϑ}] (b + b†)``, whose resonant part is ``π(s b + s* b†)`` — on the qubit levels
``(2πs/2)σ^x`` — so ``s = Ω/(2π time_unit_ns)`` GHz; the carrier is the qubit frequency plus
``Δ/(2π time_unit_ns)``. The envelope is sampled at the device's ``dt`` (segment midpoints) and
padded with zeros to the device's granularity. Default ``time_unit_ns``: the largest |Ω| is played
at ``amplitude_fraction`` (½) of the channel's amplitude limit.

Result. The transmon keeps ``levels`` levels (leakage out of the qubit is reported), optional
T1/Tφ decoherence from the device file. ``energy = ω_0 P(|1⟩)`` (the program's qubit battery,
model units), ``leakage = P(levels ≥ 2)``.
"""

from __future__ import annotations

import numpy as np

from ..compile.drive import DriveEvolution
from ..errors import ConfigError, InvalidArgumentError
from ..metrics import check_times, make_charging_curve
from .base import write_curve

__all__ = ["run_drive_program"]


def run_drive_program(backend, program, times, *, shots=None, tomography=False, seed=None, results_dir=None):
    from ..devices import load
    from ..pulse import (
        Play,
        Samples,
        Schedule,
        SetFrequency,
        build_signals,
        simulate,
        transmon_model,
    )

    if not isinstance(getattr(program, "evolution", None), DriveEvolution):
        raise ConfigError("the pulse backend plays single-qubit drive programs", argument="program",
                          allowed="a program from qbhw.compile.single_qubit_drive")
    if shots is not None or tomography:
        raise InvalidArgumentError("the pulse backend returns exact states", argument="shots",
                                   allowed="shots=None, tomography=False")
    t = check_times(times, allow_single=True)
    opts = dict(backend.options)
    device = backend.device if backend.device is not None else "armonk_like"
    device = load(device) if isinstance(device, str) else device
    channel = opts.pop("channel", "d0")
    levels = opts.pop("levels", None)
    decoherence = bool(opts.pop("decoherence", True))
    fraction = float(opts.pop("amplitude_fraction", 0.5))
    unit = opts.pop("time_unit_ns", None)
    method = opts.pop("method", "fast")
    if opts:
        raise ConfigError(f"unknown pulse options {sorted(opts)}", argument="options",
                          allowed=", ".join(type(backend).OPTIONS[1:]))
    spec = device.channel_map.get(channel)
    if spec is None or spec.kind != "drive":
        raise ConfigError(f"no drive channel {channel!r} on {device.name}", argument="channel",
                          allowed=", ".join(n for n, c in device.channel_map.items() if c.kind == "drive"))
    evo = program.evolution
    dt = device.dt_ns
    grid = np.linspace(0.0, float(t[-1]), 2001)
    om_max = float(np.max(np.abs(evo.envelope(grid)))) or 1.0
    if unit is None:
        if spec.max_amp_ghz is None:
            raise ConfigError("the channel has no amplitude limit: give time_unit_ns", argument="time_unit_ns",
                              allowed="a positive number of ns per model time unit")
        unit = om_max / (2 * np.pi * fraction * spec.max_amp_ghz)
    unit = float(unit)
    n_total = int(np.ceil(t[-1] * unit / dt - 1e-9))
    g = max(device.granularity, 1)
    n_play = max(int(np.ceil(max(n_total, 1) / g)) * g, device.min_length)
    mids = (np.arange(n_play) + 0.5) * dt / unit  # model time at sample midpoints
    values = evo.envelope(mids) / (2 * np.pi * unit) * np.exp(1j * evo.phase)
    values[n_total:] = 0.0
    carrier = spec.freq_ghz + evo.detuning / (2 * np.pi * unit)
    sched = Schedule(SetFrequency(carrier, channel), Play(Samples(values, dt), channel))
    signals = build_signals(sched, device)
    model = transmon_model(device, levels=levels, decoherence=decoherence, resonator=False)
    idx = np.clip(np.rint(t * unit / dt).astype(int), 0, n_play)
    record = np.unique(idx)
    init = 1 if program.metadata.get("initial_excited") else 0
    result = simulate(model, signals, init, method=method, record=record)
    pops = result.populations
    pos = {int(r): k for k, r in enumerate(result.samples)}
    p1 = np.array([pops[pos[int(i)], 1] for i in idx])
    leak = np.array([pops[pos[int(i)], 2:].sum() for i in idx])
    w0 = program.battery_spread
    curve = make_charging_curve(t, w0 * p1, work=w0 * p1 - w0 * init, metadata={
        "program": program.name, **program.metadata, "backend": backend.name, "device": device.name,
        "time_unit_ns": unit, "levels": int(model.dims[0]), "decoherence": decoherence,
        "sample_times_model": (idx * dt / unit).tolist()}, observables={"leakage": leak})
    if results_dir is not None:
        write_curve(curve, f"{results_dir}/curve.json")
    return curve
