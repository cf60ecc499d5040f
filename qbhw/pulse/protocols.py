"""Charging protocols at pulse level (review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Secs. IV.B and
VI.A): results as ``qbhw.metrics`` charging curves.

* :func:`santos_sweep` — adiabatic charging of a three-level ladder (Santos 2019, review Sec. IV.B):
  ``Ω_12 = Ω_0 f(t)``, ``Ω_23 = Ω_0 [1 − f(t)]`` with the placeholder ``f = santos_f`` (sin², the
  paper's f was not available); a *sweep* over τ of ``W/W_max`` and of the normalised power
  ``(W/τ)/(W_max/τ_QSL)``, ``τ_QSL = π/(2 W_max)``.
* :func:`stirap_charging` — STIRAP |0⟩→|2⟩ of a transmon qutrit with the Gaussian pair
  (:meth:`~qbhw.pulse.StirapPair.reference`; Hu et al., Quantum Sci. Technol. 7, 045018, 2022);
  :func:`sequential_pi_schedule` and :func:`counterdiabatic_schedule` for comparison;
  :func:`storage_curve` — free decay of the charge under T1/Tφ.
* :func:`gemme_sweep` — single-qubit battery (Gemme 2022) with square / Gaussian / sine envelopes on an
  IBM-like device, stored energy against drive duration, with imperfect initialisation.
* :func:`floquet_two_tone_schedule` — the two-tone drive of the ibmq_armonk data set (Malz & Smith 2021), i.e.
  :meth:`qbhw.pulse.QuasiperiodicDrive.schedule`.

Energies are in GHz (E/h), times in ns. The RWA rotating frame of the transmon's H0 is used with
``rwa_cutoff_ghz`` dropping only the terms near twice the carrier (≈ 2ν).
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, InvalidArgumentError
from ..metrics import ergotropy, make_charging_curve
from .device import ChannelSpec, Device
from .model import transmon_model
from .drives import QuasiperiodicDrive
from .evolution import FreeEvolution
from .schedule import Play, Schedule, align_left, align_sequential
from .solver import initial_state_vector, simulate
from .waveforms import Constant, Gaussian, Samples, SinSquared, StirapPair, StirapRamp

__all__ = [
    "ladder_device",
    "santos_sweep",
    "stirap_schedule",
    "stirap_charging",
    "sequential_pi_schedule",
    "counterdiabatic_schedule",
    "storage_curve",
    "gemme_schedule",
    "gemme_sweep",
    "floquet_two_tone_schedule",
    "DEFAULT_RWA_CUTOFF_GHZ",
]

#: keeps every term at the detunings ±α (0.3 GHz), drops those near 2ν (≈ 10 GHz)
DEFAULT_RWA_CUTOFF_GHZ = 2.0


def ladder_device(freq_ghz: float = 5.0, anharmonicity_ghz: float = -0.3, dt_ns: float = 2 / 9) -> Device:
    """Santos' ideal three-level ladder: one channel per transition (``p``: 0–1, ``s``: 1–2), no cross-talk."""
    return Device(name="santos_ladder", levels=3, freq_ghz=freq_ghz, anharmonicity_ghz=anharmonicity_ghz, dt_ns=dt_ns,
                  channels=(ChannelSpec("p", "drive", "transition:0-1", None, 10.0),
                            ChannelSpec("s", "drive", "transition:1-2", None, 10.0)),
                  description="ideal ladder of Santos et al. 2019 (review Sec. IV.B)")


def santos_sweep(omega0_taus, *, omega0_rad_per_ns: float = 2 * np.pi * 0.025, law: str = "santos",
                 device: Device | None = None):
    """``W(τ)`` for each ``Ω_0 τ`` (a ``kind="sweep"`` charging curve over τ in ns).

    On the ladder the channel term is ``2π Re[s e^{iωt}] (|m⟩⟨n| + h.c.)`` → ``π s (|m⟩⟨n| + h.c.)`` in the RWA,
    so ``Ω_12 = π s_p`` and ``s = Ω/π``. τ is rounded to the dt grid; observables: ``omega0_tau`` (actual),
    ``w_fraction`` = W/W_max, ``normalized_power`` = (W/τ)/(W_max/τ_QSL), ``populations``.
    """
    dev = ladder_device() if device is None else device
    model = transmon_model(dev, decoherence=False)
    hb = np.real(np.diag(model.battery_hamiltonian))
    w_max = float(hb.max() - hb.min())  # rad/ns
    tau_qsl = np.pi / (2 * w_max)
    amp = omega0_rad_per_ns / np.pi
    taus, works, pops = [], [], []
    for x in np.atleast_1d(np.asarray(omega0_taus, dtype=float)):
        n = max(1, int(round(x / omega0_rad_per_ns / dev.dt_ns)))
        tau = n * dev.dt_ns
        sched = align_left(Play(StirapRamp(tau, amp_ghz=amp, role="pump", law=law), "p"),
                           Play(StirapRamp(tau, amp_ghz=amp, role="stokes", law=law), "s"))
        r = simulate(model, sched.build(dev), 0, rwa_cutoff_ghz=1.0, record="final")
        p = r.populations[-1]
        taus.append(tau)
        works.append(float(p @ hb - hb[0]))
        pops.append(p)
    taus, works = np.array(taus), np.array(works)
    frac = works / w_max
    norm_power = (works / taus) / (w_max / tau_qsl)
    # every point is a separate run from the empty battery: W(τ) = E(τ) − E(0) = E(τ)
    return make_charging_curve(taus, works / (2 * np.pi), work=works / (2 * np.pi), kind="sweep",
                               metadata={"protocol": "Santos 2019 adiabatic three-level charging",
                                         "f": "placeholder sin^2(pi t / 2 tau)", "law": law,
                                         "omega0_rad_per_ns": omega0_rad_per_ns, "w_max_ghz": w_max / (2 * np.pi),
                                         "tau_qsl_ns": tau_qsl, "units": "tau ns, energy GHz (E/h)"},
                               observables={"omega0_tau": taus * omega0_rad_per_ns, "w_fraction": frac,
                                            "normalized_power": norm_power, "populations": np.array(pops)})


def stirap_schedule(pair: StirapPair | None = None, *, pump: str = "d0", stokes: str = "d1",
                    amp_scale: float = 1.0) -> Schedule:
    """``pair`` (default :meth:`StirapPair.reference`: σ = 40 ns, pump at 230 ns, Stokes at 170 ns, window 400 ns)
    on channels ``pump``/``stokes``, both envelopes multiplied by ``amp_scale``."""
    if pair is None:
        pair = StirapPair.reference()
    p, s = pair.pump, pair.stokes
    if amp_scale != 1.0:
        p = Gaussian(p.duration_ns, amp_ghz=p.amp_ghz * amp_scale, sigma_ns=p.sigma_ns, center_ns=p.center_ns)
        s = Gaussian(s.duration_ns, amp_ghz=s.amp_ghz * amp_scale, sigma_ns=s.sigma_ns, center_ns=s.center_ns)
    return align_left(Play(p, pump), Play(s, stokes), name="STIRAP")


def _area_normalised_gaussian(duration_ns, sigma_ns, area, dt_ns, amp_scale=1.0) -> Gaussian:
    shape = Gaussian(duration_ns, amp_ghz=1.0, sigma_ns=sigma_ns).samples(dt_ns).real
    return Gaussian(duration_ns, amp_ghz=amp_scale * area / (shape.sum() * dt_ns), sigma_ns=sigma_ns)


def sequential_pi_schedule(device: Device, *, duration_ns: float = 40.0, sigma_ns: float = 10.0,
                           amp_scale: float = 1.0) -> Schedule:
    """π pulse on 0–1 (area ∫s dt = 1/2) then π pulse on 1–2 (area 1/(2√2): matrix element √2)."""
    dt = device.dt_ns
    return align_sequential(Play(_area_normalised_gaussian(duration_ns, sigma_ns, 0.5, dt, amp_scale), "d0"),
                            Play(_area_normalised_gaussian(duration_ns, sigma_ns, 0.5 / np.sqrt(2), dt, amp_scale),
                                 "d1"), name="sequential pi pulses")


def counterdiabatic_schedule(device: Device, pair: StirapPair, *, channel: str = "d02") -> Schedule:
    """STIRAP pair plus the counter-diabatic term ``H_CD = i θ̇ (|0⟩⟨2| − |2⟩⟨0|)`` (Berry 2009) on ``channel``.

    θ = arctan(Ω_P/Ω_S) with Ω_P = 2π s_P and Ω_S = 2π √2 s_S (transmon matrix elements); on a
    ``transition:0-2`` channel the RWA term is ``π (s|0⟩⟨2| + h.c.)``, hence ``s = i θ̇/π``. Exact for the
    ideal ladder; with the ±α cross terms kept it is a good but not perfect shortcut.
    """
    dt = device.dt_ns
    n = pair.pump.n_samples(dt)
    t = (np.arange(n) + 0.5) * dt
    P = pair.pump.envelope(t).real * 1.0
    S = pair.stokes.envelope(t).real * np.sqrt(2)
    dP = -(t - pair.pump.center) / pair.sigma_ns**2 * P
    dS = -(t - pair.stokes.center) / pair.sigma_ns**2 * S
    theta_dot = 2 * np.pi * (dP * S - P * dS) / (2 * np.pi * (P**2 + S**2))  # θ̇ in rad/ns (2π cancels)
    cd = Samples(1j * theta_dot / np.pi, dt_ns=dt)
    return align_left(Play(pair.pump, "d0"), Play(pair.stokes, "d1"), Play(cd, channel), name="counter-diabatic STIRAP")


def stirap_charging(device: Device, schedule: Schedule | None = None, *, decoherence: bool = True,
                    rwa_cutoff_ghz: float = DEFAULT_RWA_CUTOFF_GHZ, record=None, method: str = "fast",
                    ergotropy: bool = True):
    """Charge a transmon from |0⟩ under ``schedule``: returns ``(curve, result)``.

    ``curve`` is the ``kind="trajectory"`` :class:`~qbhw.metrics.ChargingCurve` of the stored energy
    ``E(t) = Tr[H_B ρ(t)] − E_0`` (GHz, E/h) against time (ns), with ``work = E(t) − E(0)`` and, unless
    ``ergotropy=False``, the ergotropy of the transmon's reduced state at every recorded sample (the
    per-sample ergotropy is most of the cost of a long record; ``ergotropy=False`` leaves ``curve.ergotropy``
    None); ``result`` is the :class:`~qbhw.pulse.PulseResult` (states at the recorded samples, rotating frame).

    ``schedule``: default :func:`stirap_schedule` (:meth:`StirapPair.reference`; adiabatic |0⟩ → |2⟩, Santos et
    al., PRE 100, 032107, 2019; Hu et al., Quantum Sci. Technol. 7, 045018, 2022; review Campaioli et al., Rev.
    Mod. Phys. 96, 031001 (2024), Sec. IV.B). ``decoherence``: the device's T1/Tφ jump operators. ``record``:
    ``None``/"all" (every sample boundary), increasing sample indices, or ``"final"`` — the start and the end
    of the pulse (samples ``0`` and ``n``), so the curve has two points and its work is the charge of the whole
    pulse (a curve needs at least two times). ``method``: ``"fast"`` | ``"ode"`` (:func:`~qbhw.pulse.simulate`).
    """
    sched = stirap_schedule() if schedule is None else schedule
    model = transmon_model(device, decoherence=decoherence)
    signals = sched.build(device)
    if isinstance(record, str) and record == "final":
        record = np.array([0, signals.n_samples])
    r = simulate(model, signals, 0, rwa_cutoff_ghz=rwa_cutoff_ghz, record=record, method=method)
    return r.charging_curve(ergotropy=ergotropy, metadata={"protocol": sched.name or "schedule"}), r


def storage_curve(device: Device, state, times_ns, *, levels: int | None = None):
    """Free (undriven) Lindblad evolution of a stored charge: energy and ergotropy against storage time.

    Without drive the lab-frame generator is constant, so ``ρ(t) = e^{𝓛 t} ρ(0)`` exactly
    (:class:`~qbhw.pulse.FreeEvolution`: 𝓛 diagonalised once); energies and ergotropies are frame independent
    for the diagonal ``H_B``. ``state``: a level, a state vector or a density matrix.
    """
    model = transmon_model(device, levels=levels)
    t = np.asarray(times_ns, dtype=float)
    rhos = FreeEvolution(model).evolve(state, t)
    hb = model.battery_hamiltonian
    e0 = float(np.min(np.linalg.eigvalsh(hb)))
    energy = (np.real(np.einsum("ij,kji->k", hb, rhos)) - e0) / (2 * np.pi)
    erg = np.array([ergotropy(r, hb) for r in rhos]) / (2 * np.pi)
    return make_charging_curve(t, energy, ergotropy=erg, metadata={"protocol": "storage (free decay)",
                                                                   "t1_ns": device.t1_ns, "tphi_ns": device.tphi_ns,
                                                                   "units": "time ns, energy GHz (E/h)"},
                               observables={"populations": np.real(np.einsum("kii->ki", rhos))})


_SHAPES = ("square", "gaussian", "sine")


def gemme_schedule(device: Device, shape: str, n_samples: int, amp_ghz: float, channel: str = "d0") -> Schedule:
    """One charging pulse of ``n_samples`` on ``channel``: square (Constant), Gaussian (σ = T/4) or sine (sin²)."""
    T = n_samples * device.dt_ns
    if shape == "square":
        w = Constant(T, amp_ghz=amp_ghz)
    elif shape == "gaussian":
        w = Gaussian(T, amp_ghz=amp_ghz, sigma_ns=T / 4)
    elif shape == "sine":
        w = SinSquared(T, amp_ghz=amp_ghz)
    else:
        raise ConfigError(f"unknown shape {shape!r}", argument="shape", allowed=" | ".join(repr(s) for s in _SHAPES))
    return Schedule(Play(w, channel), name=f"Gemme 2022 {shape}")


def gemme_sweep(device: Device, shape: str, n_samples_list, amp_ghz: float, *, initial_state=0,
                levels: int | None = None, rwa_cutoff_ghz: float = 1.0):
    """Stored energy ``E(T)`` of a single transmon against drive duration ``T`` (a sweep; Gemme 2022).

    ``initial_state``: a level, a vector, or a density matrix (imperfect initialisation, e.g.
    ``diag(1 − p, p)``). Work ``W = E(T) − E(0)`` and ergotropy are in the curve.
    """
    model = transmon_model(device, levels=levels, decoherence=False)
    d = model.dim
    rho0 = initial_state_vector(initial_state, d)
    hb = model.battery_hamiltonian
    e0 = float(np.min(np.linalg.eigvalsh(hb)))
    energies, ergs, pops, ts = [], [], [], []
    rho_init = rho0 if rho0.ndim == 2 else np.outer(rho0, rho0.conj())
    e_start = (float(np.real(np.trace(hb @ rho_init))) - e0) / (2 * np.pi)
    for n in n_samples_list:
        sig = gemme_schedule(device, shape, int(n), amp_ghz).build(device)
        r = simulate(model, sig, rho0, rwa_cutoff_ghz=rwa_cutoff_ghz, record="final",
                     open_system=True if rho0.ndim == 2 else None)
        rho = r.density_matrices()[-1]
        energies.append((float(np.real(np.trace(hb @ rho))) - e0) / (2 * np.pi))
        ergs.append(ergotropy(rho, hb) / (2 * np.pi))
        pops.append(np.real(np.diag(rho)))
        ts.append(int(n) * device.dt_ns)
    energies = np.array(energies)
    return make_charging_curve(np.array(ts), energies, work=energies - e_start, ergotropy=np.array(ergs), kind="sweep",
                               metadata={"protocol": f"Gemme 2022 single-qubit battery, {shape} envelope",
                                         "amp_ghz": amp_ghz, "units": "T ns, energy GHz (E/h)"},
                               observables={"populations": np.array(pops)})


def floquet_two_tone_schedule(device: Device, *, m: float, b_rad_per_s: float, n_samples: int,
                              omega1: float = 0.125, phi1: float = np.pi / 10, phi2: float = 0.0,
                              ramp_samples: int = 2000, drive: str = "d0", z: str = "z0") -> Schedule:
    """Two-tone drive of Malz & Smith (PRL 126, 163602, 2021) on ibmq_armonk, in the data file's model.

    ``H = hx X + hy Y + hz Z`` (h·σ, not h·σ/2) with ``hx = B sin a1``, ``hy = B sin a2``,
    ``hz = B (m − cos a1 − cos a2)``, ``a_i = ω_i r(t) B t + φ_i``, ω2 = ω1 (1 + √5)/2 and the ramp
    ``r[k] = k/ramp_samples`` (then 1); h is evaluated at ``t = k dt`` and held for sample k.

    Mapping onto a qubit channel in the rotating frame with the RWA (``H = π(Re s X − Im s Y)``) and a
    Z channel (``2π Re(s_z) n̂ = π s_z (1 − Z)``): ``s = (hx − i hy)/π`` and ``s_z = −hz/π`` (h in rad/ns;
    the constant π s_z is a global phase). Pauli and basis conventions are qiskit's, which are the file's
    (|0⟩ has z = +1). Built by :meth:`qbhw.pulse.QuasiperiodicDrive.schedule` (the drive's dt is the device's).
    """
    if n_samples < 1:
        raise InvalidArgumentError(f"got {n_samples}", argument="n_samples", allowed=">= 1")
    two_tone = QuasiperiodicDrive(max_drive=b_rad_per_s, m=m, omega1=omega1, omega2=omega1 * (1 + np.sqrt(5)) / 2,
                                  phi1=phi1, phi2=phi2, dt=device.dt_ns * 1e-9, ramp_samples=ramp_samples,
                                  n_samples=n_samples)
    return two_tone.schedule(device, drive=drive, z=z)
