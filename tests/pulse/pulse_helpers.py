"""Helpers of the pulse-layer tests (imported by name: pytest puts this folder on sys.path)."""

import numpy as np

import qbhw.pulse as qp

#: the reference STIRAP pair (StirapPair.reference()): pump (0-1) centre 230 ns, Stokes (1-2) centre 170 ns,
#: sigma 40 ns, window 400 ns, as (peak GHz, centre ns, sigma ns) per channel
_REF = qp.StirapPair.reference()
STIRAP_GAUSSIANS = {"d0": (_REF.amp_pump_ghz, _REF.pump.center, _REF.sigma_ns),
                    "d1": (_REF.amp_stokes_ghz, _REF.stokes.center, _REF.sigma_ns)}


def continuous_gaussians():
    return {ch: (lambda a, c, s: (lambda t: a * np.exp(-((t - c) ** 2) / (2 * s * s))))(*v)
            for ch, v in STIRAP_GAUSSIANS.items()}


def random_signals(device, n, seed, amp=0.03):
    """Random complex held samples on every channel of ``device`` (fixed carriers, one extra phase)."""
    rng = np.random.default_rng(seed)
    chans = device.channel_map
    env = {ch: amp * (rng.normal(size=n) + 1j * rng.normal(size=n)) for ch in chans}
    return qp.PulseSignals.from_arrays(device.dt_ns, env, {ch: s.freq_ghz for ch, s in chans.items()},
                                       {next(iter(chans)): 0.3})
