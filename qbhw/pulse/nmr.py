"""NMR pulse sequences of the star-topology battery as :class:`~qbhw.pulse.Schedule` objects: hard pulses,
simultaneous pulses on the battery and charger channels, the spin-lock, the Hartmann–Hahn transfer and the
refocused INEPT transfer (review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Sec. VI.D; Joshi &
Mahesh, Phys. Rev. A 106, 042601 (2022)).

Every builder takes the channel names and nutation frequencies as arguments (a molecule supplies them: each
RF channel addresses one spin group, the battery or the chargers) and the sample time ``dt_ns`` of the
molecule's grid. A pulse of nutation frequency ν (Hz) is a :class:`~qbhw.pulse.Constant` waveform with
``amp_ghz = ν·1e-9`` (the qbhw.pulse convention: the rotating-wave term of a real envelope ``s`` is
``π s σ^x``, a rotation at the nutation frequency ``s``); a rotation by ``θ`` lasts ``θ/(2πν)``.

Grid. Times are in ns on the molecule's ``dt_ns`` grid, so every duration is rounded to a whole number of
samples. A hard pulse keeps its rotation angle exact: its length is rounded *up* to ``n`` samples and its
amplitude lowered to ``θ/(2π n dt)`` (never above the requested nutation, so never above the channel limit);
``exact_angle=False`` rounds the length to the nearest sample at the requested amplitude instead. Delays and
spin-lock durations are rounded to the nearest sample (:func:`samples_of`).

Phases. A pulse of phase φ rotates the addressed spins about the axis ``(cos φ, sin φ, 0)`` of the review's
Bloch frame (z up = |e⟩, per spin in its own g/e basis): φ = 0 is an x pulse, φ = π/2 a y pulse, φ = −π/2 a
−y pulse (the waveform's ``angle``; qbhw phases always refer to the g/e frame, whatever the sign of γ). A rotation
by θ about n maps the Bloch vector by the right-hand rule: (π/2)_y takes +z to +x, (π/2)_{−y} takes +x to +z.

Sequences (all ideal statements for hard pulses, on resonance, without relaxation):

* :func:`hartmann_hahn_transfer` — optional π pulse on the chargers (charging: the chargers are inverted,
  X_0 = −σ_B^z + w Σ_j σ_j^z), (π/2)_y on both channels (z → x), a spin-lock along x of duration t with
  nutations ν_B = ν1 + mismatch on the battery and ν_C = ν1 on the chargers, and (π/2)_{−y} on both
  (x → z). At the Hartmann–Hahn match the secular coupling in the doubly rotating, tilted frame is the
  flip-flop (πJ/2) Σ_j (σ'^+_B σ'^-_j + h.c.) (Hartmann & Hahn, Phys. Rev. 128, 2042 (1962); Müller, Kumar,
  Baumann & Ernst, Phys. Rev. Lett. 32, 1402 (1974)), so the battery's polarisation follows the idealised star
  battery with exchange πJ/2 (:class:`qbhw.models.StarBattery`, ``initial="high_temperature"``); corrections are
  O(J/ν1). The sequence comes in three parts (prefix, lock, readout) so that a curve over the lock time is one
  simulation recorded at ``prefix + t_k``, each record followed by the readout.
* :func:`inept_transfer` — refocused INEPT (Morris & Freeman, J. Am. Chem. Soc. 101, 760 (1979); Burum &
  Ernst, J. Magn. Reson. 39, 163 (1980); Doddrell, Pegg & Bendall, J. Magn. Reson. 48, 323 (1982)); see its
  docstring for the sequence and the ideal transfer for 𝒩 equivalent chargers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError
from ._grid import check_dt, check_duration
from .schedule import (
    Delay,
    Play,
    Schedule,
    ShiftFrequency,
    align_sequential,
)
from .waveforms import Constant

__all__ = [
    "PHASE_X",
    "PHASE_Y",
    "PHASE_MINUS_X",
    "PHASE_MINUS_Y",
    "samples_of",
    "hard_pulse",
    "simultaneous_pulses",
    "spin_lock",
    "carrier_offset",
    "HartmannHahnSequence",
    "hartmann_hahn_transfer",
    "inept_delays",
    "inept_transfer",
    "inept_parts",
    "inept_ideal_bloch",
]

PHASE_X = 0.0
PHASE_Y = math.pi / 2
PHASE_MINUS_X = math.pi
PHASE_MINUS_Y = -math.pi / 2


# ---------------------------------------------------------------------------------------------
# checks and the sample grid
def _nutation(value, argument: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a nutation frequency > 0 Hz") from exc
    if isinstance(value, bool) or not math.isfinite(x) or x <= 0:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a finite nutation frequency > 0 Hz")
    return x


def _real(value, argument: str, *, minimum: float | None = None, allowed: str = "a finite number") -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed) from exc
    if isinstance(value, bool) or not math.isfinite(x) or (minimum is not None and x < minimum):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    return x


def _channel(value, argument: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a non-empty channel name")
    return value


def _channel_pair(battery_channel, charger_channel) -> tuple[str, str]:
    """The battery's and the chargers' channel names (two different channels: a heteronuclear transfer)."""
    bc = _channel(battery_channel, "battery_channel")
    cc = _channel(charger_channel, "charger_channel")
    if bc == cc:
        raise InvalidArgumentError(f"both channels are {bc!r}", argument="charger_channel",
                                   allowed="a channel other than the battery's (heteronuclear transfer)")
    return bc, cc


def samples_of(duration_ns, dt_ns, argument: str = "duration_ns") -> int:
    """The number of whole samples of ``dt_ns`` nearest to ``duration_ns`` (≥ 0): delays and spin-lock
    durations are put on the molecule's grid this way (an error of at most dt/2)."""
    d = check_duration(duration_ns, argument)
    dt = check_dt(dt_ns)
    return round(d / dt)


def _pulse_samples(angle_rad: float, nutation_hz: float, dt: float, exact_angle: bool) -> tuple[int, float]:
    """(samples, amplitude in GHz) of a rotation by ``angle_rad`` at ``nutation_hz`` on the dt grid."""
    t_ns = angle_rad / (2 * math.pi * nutation_hz) * 1e9
    if exact_angle:
        n = max(1, math.ceil(t_ns / dt * (1 - 1e-12)))
        amp = angle_rad / (2 * math.pi * n * dt)  # GHz (1/ns): the angle is exact, amp <= nutation
        return n, amp
    n = max(1, round(t_ns / dt))
    return n, nutation_hz * 1e-9


# ---------------------------------------------------------------------------------------------
# pulses
def hard_pulse(channel: str, angle_rad: float, phase_rad: float, nutation_hz: float, dt_ns: float, *,
               exact_angle: bool = True) -> Schedule:
    """A rectangular (hard) pulse: a rotation by ``angle_rad`` about ``(cos φ, sin φ, 0)`` of the spins the
    ``channel`` addresses, φ = ``phase_rad``.

    ``Constant(duration, amp_ghz = ν·1e-9, angle = φ)`` with duration θ/(2πν), ν = ``nutation_hz`` (Hz); on the
    ``dt_ns`` grid (see the module docstring: ``exact_angle=True`` rounds the length up and lowers the amplitude
    so that the angle is exact). ``angle_rad = 0`` gives an empty schedule. Returns a one-channel schedule.
    """
    _channel(channel, "channel")
    theta = _real(angle_rad, "angle_rad", minimum=0.0, allowed="a rotation angle >= 0 rad")
    phi = _real(phase_rad, "phase_rad", allowed="a finite phase (rad)")
    nu = _nutation(nutation_hz, "nutation_hz")
    dt = check_dt(dt_ns)
    sched = Schedule(alignment="left", name=f"{math.degrees(theta):.4g}°({math.degrees(phi):.4g}°) on {channel}")
    if theta == 0.0:
        return sched
    n, amp = _pulse_samples(theta, nu, dt, bool(exact_angle))
    sched.append(Play(Constant(n * dt, amp_ghz=amp, angle=phi), channel))
    return sched


def simultaneous_pulses(pulses, dt_ns: float, *, exact_angle: bool = True) -> Schedule:
    """Hard pulses on several channels at once, centred on a common midpoint.

    ``pulses``: ``[(channel, angle_rad, phase_rad, nutation_hz), ...]`` (distinct channels). The block lasts as
    long as its longest pulse; a shorter pulse is centred within it (to a sample: an odd difference puts the
    extra sample after it), so the ideal rotations act at one instant.
    """
    dt = check_dt(dt_ns)
    items = list(pulses)
    if not items:
        raise InvalidArgumentError("no pulses", argument="pulses", allowed="(channel, angle, phase, nutation) tuples")
    channels = [_channel(p[0], "channel") for p in items]
    if len(set(channels)) != len(channels):
        raise InvalidArgumentError(f"channels {channels} repeat", argument="pulses", allowed="distinct channels")
    blocks = [hard_pulse(ch, a, ph, nu, dt, exact_angle=exact_angle) for ch, a, ph, nu in items]
    lengths = [samples_of(b.duration_ns, dt) for b in blocks]
    total = max(lengths)
    out = Schedule(alignment="left", name=" + ".join(b.name for b in blocks))
    for ch, block, n in zip(channels, blocks, lengths):
        if n == 0:
            continue
        pad = (total - n) // 2
        seq = align_sequential()
        if pad:
            seq.append(Delay(pad * dt, ch))
        for child in block.children:
            seq.append(child)
        if total - n - pad:
            seq.append(Delay((total - n - pad) * dt, ch))
        out.append(seq)
    return out


def spin_lock(channels, duration_ns: float, nutations_hz, dt_ns: float, *, phase_rad: float = PHASE_X) -> Schedule:
    """A continuous constant-amplitude irradiation of ``duration_ns`` on every channel of ``channels`` at
    ``nutations_hz`` (one per channel, Hz), phase ``phase_rad`` (0: along x). The duration is rounded to
    whole samples (:func:`samples_of`); 0 samples give an empty schedule."""
    chans = [_channel(c, "channels") for c in channels]
    nus = [_nutation(v, "nutations_hz") for v in nutations_hz]
    if len(chans) != len(nus) or not chans:
        raise InvalidArgumentError(f"{len(chans)} channels and {len(nus)} nutations", argument="nutations_hz",
                                   allowed="one nutation frequency per channel")
    phi = _real(phase_rad, "phase_rad", allowed="a finite phase (rad)")
    dt = check_dt(dt_ns)
    n = samples_of(duration_ns, dt, "duration_ns")
    out = Schedule(alignment="left", name="spin-lock")
    if n == 0:
        return out
    for ch, nu in zip(chans, nus):
        out.append(Play(Constant(n * dt, amp_ghz=nu * 1e-9, angle=phi), ch))
    return out


def carrier_offset(channel: str, offset_hz: float) -> ShiftFrequency:
    """The instruction that moves ``channel``'s carrier to ``offset_hz`` below its default: the addressed spins
    are then off resonance by ``ν_L − ν_carrier = offset_hz`` when the default carrier is their Larmor frequency
    (a ``ShiftFrequency(−offset·1e-9)``, phase-continuous; place it at the start of a schedule)."""
    return ShiftFrequency(-_real(offset_hz, "offset_hz", allowed="a finite offset (Hz)") * 1e-9, _channel(channel, "channel"))


# ---------------------------------------------------------------------------------------------
# Hartmann–Hahn cross-polarisation
@dataclass(frozen=True)
class HartmannHahnSequence:
    """The Hartmann–Hahn transfer in three parts (see :func:`hartmann_hahn_transfer`).

    ``prefix``: the optional charger π pulse and the (π/2)_y pulses on both channels; ``lock``: the spin-lock
    (``lock_ns`` long, on the grid); ``readout``: (π/2)_{−y} on both channels; ``dt_ns``: the grid.
    """

    prefix: Schedule
    lock: Schedule
    readout: Schedule
    lock_ns: float
    dt_ns: float

    @property
    def prefix_ns(self) -> float:
        return float(self.prefix.duration_ns)

    def schedule(self) -> Schedule:
        """The whole experiment: prefix, lock, readout, one after the other."""
        return align_sequential(self.prefix, self.lock, self.readout, name="Hartmann-Hahn transfer")

    def charge_schedule(self) -> Schedule:
        """Prefix and lock (the record point of :meth:`record_ns` at the lock's end), without the readout."""
        return align_sequential(self.prefix, self.lock, name="Hartmann-Hahn prefix and lock")

    def lock_grid_ns(self, lock_times_ns) -> np.ndarray:
        """The lock times rounded to whole samples (ns)."""
        t = np.asarray(lock_times_ns, dtype=float)
        return np.array([samples_of(x, self.dt_ns, "lock_times_ns") * self.dt_ns for x in np.atleast_1d(t)])

    def record_ns(self, lock_times_ns) -> np.ndarray:
        """Times (ns from the start of :meth:`charge_schedule`) at which the lock has lasted ``lock_times_ns``
        (rounded to samples); each must lie within the lock."""
        t = self.lock_grid_ns(lock_times_ns)
        if t.size and t.max() > self.lock_ns * (1 + 1e-12) + 1e-9:
            raise InvalidArgumentError(f"lock time {t.max():g} ns after the lock's end ({self.lock_ns:g} ns)",
                                       argument="lock_times_ns", allowed=f"times in [0, {self.lock_ns:g}] ns")
        return self.prefix_ns + t


def hartmann_hahn_transfer(battery_channel: str, charger_channel: str, lock_ns: float, *, lock_nutation_hz: float,
                           pulse_nutation_battery_hz: float, pulse_nutation_chargers_hz: float, dt_ns: float,
                           mismatch_hz: float = 0.0, invert_chargers: bool = True,
                           exact_angle: bool = True) -> HartmannHahnSequence:
    """The Hartmann–Hahn (cross-polarisation) transfer between the chargers and the battery.

    Sequence (phases as in the module docstring)::

        [π_x(C)]  –  (π/2)_y(B, C)  –  spin-lock_x(B: ν1 + mismatch, C: ν1) for t  –  (π/2)_{−y}(B, C)

    ``invert_chargers``: the charger π pulse first (charging: X_0 = −σ_B^z + w Σ_j σ_j^z, the state of
    ``StarBattery(initial="high_temperature", charger_weight=w)``). (π/2)_y turns z into x on both spins, the
    lock holds both along x at nutations ν_B = ``lock_nutation_hz + mismatch_hz`` and ν_C = ``lock_nutation_hz``,
    and the readout turns x back into z. At the match (mismatch 0, on resonance, ν1 ≫ J) the battery's
    polarisation after the readout is P_HH(t) = that of ``StarBattery(n_chargers, coupling=πJ/2 [rad/s], omega_b=1,
    initial="high_temperature", charger_weight=w)`` at t [s]; a mismatch Δ detunes the flip-flop (the exchange
    becomes a detuned Rabi problem: incomplete transfer, faster oscillation), corrections are O(J/ν1).

    The hard pulses run at ``pulse_nutation_battery_hz`` / ``pulse_nutation_chargers_hz`` (usually the channel
    maxima), simultaneous pulses centred (:func:`simultaneous_pulses`); ``lock_ns`` is rounded to samples.
    Returns a :class:`HartmannHahnSequence` (prefix, lock, readout).
    """
    bc, cc = _channel_pair(battery_channel, charger_channel)
    dt = check_dt(dt_ns)
    nu1 = _nutation(lock_nutation_hz, "lock_nutation_hz")
    mis = _real(mismatch_hz, "mismatch_hz", allowed="a finite mismatch (Hz)")
    nu_b = nu1 + mis
    if nu_b <= 0:
        raise InvalidArgumentError(f"battery lock nutation ν1 + mismatch = {nu_b:g} Hz", argument="mismatch_hz",
                                   allowed=f"mismatch > −ν1 = {-nu1:g} Hz")
    pb = _nutation(pulse_nutation_battery_hz, "pulse_nutation_battery_hz")
    pc = _nutation(pulse_nutation_chargers_hz, "pulse_nutation_chargers_hz")
    prefix = align_sequential(name="Hartmann-Hahn prefix")
    if invert_chargers:
        prefix.append(hard_pulse(cc, math.pi, PHASE_X, pc, dt, exact_angle=exact_angle))
    prefix.append(simultaneous_pulses([(bc, math.pi / 2, PHASE_Y, pb), (cc, math.pi / 2, PHASE_Y, pc)], dt,
                                      exact_angle=exact_angle))
    n_lock = samples_of(lock_ns, dt, "lock_ns")
    lock = spin_lock([bc, cc], n_lock * dt, [nu_b, nu1], dt, phase_rad=PHASE_X)
    readout = simultaneous_pulses([(bc, math.pi / 2, PHASE_MINUS_Y, pb), (cc, math.pi / 2, PHASE_MINUS_Y, pc)], dt,
                                  exact_angle=exact_angle)
    return HartmannHahnSequence(prefix=prefix, lock=lock, readout=readout, lock_ns=n_lock * dt, dt_ns=dt)


# ---------------------------------------------------------------------------------------------
# refocused INEPT
def inept_delays(coupling_hz: float, n_chargers: int) -> tuple[float, float]:
    """The ideal delays ``(τ, Δ)`` in s of the refocused INEPT for a battery coupled to 𝒩 equivalent chargers:
    τ = 1/(4|J|) (complete antiphase coherence) and Δ = arcsin(1/√𝒩)/(2π|J|), the maximum of
    𝒩 sin θ cos^{𝒩−1} θ at θ = 2π|J|Δ (tan²θ = 1/(𝒩 − 1); Doddrell, Pegg & Bendall, J. Magn. Reson. 48, 323
    (1982))."""
    j = abs(_real(coupling_hz, "coupling_hz", allowed="a coupling ≠ 0 Hz"))
    if j == 0:
        raise InvalidArgumentError("got 0", argument="coupling_hz", allowed="a coupling ≠ 0 Hz")
    if isinstance(n_chargers, bool) or int(n_chargers) != n_chargers or n_chargers < 1:
        raise InvalidArgumentError(f"got {n_chargers!r}", argument="n_chargers", allowed="an integer >= 1")
    return 1.0 / (4 * j), math.asin(1.0 / math.sqrt(int(n_chargers))) / (2 * math.pi * j)


def inept_ideal_bloch(n_chargers: int, coupling_hz: float, charger_weight: float, tau_s: float,
                      delta_s) -> np.ndarray:
    """The battery's Bloch vector per unit ε_B, ``(P_x, P_y, P_z)``, after the ideal refocused INEPT of
    :func:`inept_transfer` (instantaneous pulses, on resonance, no relaxation), for refocusing delays
    ``delta_s`` (array, s): with θ = 2π|J|Δ,

        P_z = w 𝒩 sin(2π|J|τ) sin θ cos^{𝒩−1} θ,   P_y = cos^𝒩 θ,   P_x = 0,

    P_z the transferred in-phase polarisation stored along +z, P_y what is left of the battery's own
    polarisation (turned into the transverse plane and kept along the axis of the last pulse); the antiphase
    terms carry no battery magnetisation. Returns an array of shape (k, 3)."""
    n = int(n_chargers)
    j = abs(float(coupling_hz))
    w = float(charger_weight)
    theta = 2 * math.pi * j * np.atleast_1d(np.asarray(delta_s, dtype=float))
    pz = w * n * math.sin(2 * math.pi * j * float(tau_s)) * np.sin(theta) * np.cos(theta) ** (n - 1)
    py = np.cos(theta) ** n
    return np.stack([np.zeros_like(pz), py, pz], axis=1)


def inept_transfer(battery_channel: str, charger_channel: str, *, coupling_hz: float, n_chargers: int,
                   nutation_battery_hz: float, nutation_chargers_hz: float, dt_ns: float,
                   tau_ns: float | None = None, delta_ns: float | None = None, invert_chargers: bool = False,
                   exact_angle: bool = True) -> Schedule:
    """Refocused INEPT from the chargers C to the battery B, stored along z (Morris & Freeman, J. Am. Chem. Soc.
    101, 760 (1979); refocused form: Burum & Ernst, J. Magn. Reson. 39, 163 (1980); multiplicity dependence:
    Doddrell, Pegg & Bendall, J. Magn. Reson. 48, 323 (1982)).

    Sequence (phases as in the module docstring; delays between pulse centres; "B, C": simultaneous)::

        90_x(C) – τ – 180_x(B, C) – τ – [90_y(C), 90_x(B)] – Δ – 180_x(B, C) – Δ – 90_{±y}(B)

    With H_J = 2πJ (σ_B^z/2) Σ_j σ_j^z/2 the charger polarisation −w σ_j^z becomes, after 90_x(C) and τ–180–τ
    with τ = 1/(4|J|), the antiphase coherence ∝ 2 I_jx S_z; 90_y(C) with 90_x(B) turns it into antiphase
    battery coherence ∝ 2 I_jz S_y; the refocusing Δ–180–Δ (θ = 2π|J|Δ) rephases it into in-phase battery
    magnetisation ∝ 𝒩 sin θ cos^{𝒩−1} θ S_x (each charger's term carries cos θ for every other charger), and the
    last 90° pulse on B (about +y, or −y when ``invert_chargers``) stores it along +z. Ideal transfer for 𝒩
    equivalent chargers (the sign of J and of the gyromagnetic ratios drops out):

        P_z = ⟨σ_B^z⟩/ε_B = w 𝒩 sin(2π|J|τ) sin θ cos^{𝒩−1} θ,

    maximal at τ = 1/(4|J|), sin θ = 1/√𝒩 (𝒩 = 1: P_z = w, the complete transfer; 𝒩 ≫ 1: w √(𝒩/e)); see
    :func:`inept_ideal_bloch` for the whole Bloch vector. ``invert_chargers``: a π pulse on the chargers first
    (the transferred sign flips; the last pulse follows so that the charge still lands on +z).

    ``coupling_hz``: J (Hz; only |J| is used for the default delays); ``tau_ns``, ``delta_ns``: the delays
    (``None``: :func:`inept_delays`), rounded to whole samples; the free evolution between two pulse centres is
    the delay (a pulse's half-length is taken from the delay next to it, which must leave ≥ 0). Returns the
    whole sequence as one sequential schedule.
    """
    first, refocus = inept_parts(battery_channel, charger_channel, coupling_hz=coupling_hz, n_chargers=n_chargers,
                                 nutation_battery_hz=nutation_battery_hz, nutation_chargers_hz=nutation_chargers_hz,
                                 dt_ns=dt_ns, tau_ns=tau_ns, delta_ns=delta_ns, invert_chargers=invert_chargers,
                                 exact_angle=exact_angle)
    return align_sequential(first, refocus, name="refocused INEPT")


def inept_parts(battery_channel: str, charger_channel: str, *, coupling_hz: float, n_chargers: int,
                nutation_battery_hz: float, nutation_chargers_hz: float, dt_ns: float,
                tau_ns: float | None = None, delta_ns: float | None = None, invert_chargers: bool = False,
                exact_angle: bool = True) -> tuple[Schedule, Schedule]:
    """The refocused INEPT of :func:`inept_transfer` in two parts, ``(transfer, refocus)``: the INEPT proper up to
    and including [90_y(C), 90_x(B)] (independent of Δ), and the refocusing Δ – 180_x(B, C) – Δ – 90_{±y}(B)
    (from the end of the first part). A curve over Δ evolves the first part once and each refocusing from its end.
    Same arguments as :func:`inept_transfer`."""
    bc, cc = _channel_pair(battery_channel, charger_channel)
    dt = check_dt(dt_ns)
    nb = _nutation(nutation_battery_hz, "nutation_battery_hz")
    nc = _nutation(nutation_chargers_hz, "nutation_chargers_hz")
    tau_opt, delta_opt = inept_delays(coupling_hz, n_chargers)
    tau = tau_opt * 1e9 if tau_ns is None else _real(tau_ns, "tau_ns", minimum=0.0, allowed="a delay >= 0 ns")
    delta = delta_opt * 1e9 if delta_ns is None else _real(delta_ns, "delta_ns", minimum=0.0,
                                                           allowed="a delay >= 0 ns")

    def pulses(items):
        return simultaneous_pulses(items, dt, exact_angle=exact_angle)

    blocks = [
        pulses([(cc, math.pi / 2, PHASE_X, nc)]),
        pulses([(bc, math.pi, PHASE_X, nb), (cc, math.pi, PHASE_X, nc)]),
        pulses([(bc, math.pi / 2, PHASE_X, nb), (cc, math.pi / 2, PHASE_Y, nc)]),
        pulses([(bc, math.pi, PHASE_X, nb), (cc, math.pi, PHASE_X, nc)]),
        pulses([(bc, math.pi / 2, PHASE_MINUS_Y if invert_chargers else PHASE_Y, nb)]),
    ]
    n_blocks = [samples_of(b.duration_ns, dt) for b in blocks]
    gaps = [(tau, "tau_ns"), (tau, "tau_ns"), (delta, "delta_ns"), (delta, "delta_ns")]
    first = align_sequential(name="INEPT transfer")
    refocus = align_sequential(name="INEPT refocusing")
    if invert_chargers:
        first.append(hard_pulse(cc, math.pi, PHASE_X, nc, dt, exact_angle=exact_angle))
    for i, block in enumerate(blocks):
        part = first if i < 3 else refocus
        part.append(block)
        if i < len(gaps):
            gap_ns, name = gaps[i]
            centre_to_centre = samples_of(gap_ns, dt, name)
            half = (n_blocks[i] + n_blocks[i + 1]) // 2  # half the pulses around the gap
            free = centre_to_centre - half
            if free < 0:
                raise InvalidArgumentError(f"{name} = {gap_ns:g} ns is shorter than the pulses around it",
                                           argument=name, allowed=f">= {half * dt:g} ns")
            if free:
                (first if i < 2 else refocus).append(Delay(free * dt, bc))
    return first, refocus
