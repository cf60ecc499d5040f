"""Theory of a transmon-qutrit STIRAP charging experiment, computed by the pulse solver, as an lmfit model.

The battery is a transmon qutrit (levels |0⟩, |1⟩, |2⟩; by default the ``transmon_qutrit_stirap`` device)
charged |0⟩ → |2⟩ by stimulated Raman adiabatic passage: the pump on ``d0`` (carrier at the 0–1
frequency) and the Stokes on ``d1`` (carrier at the 1–2 frequency), Stokes first (Santos et al., PRE 100,
032107, 2019; experiment Hu et al., Quantum Sci. Technol. 7, 045018, 2022; review Campaioli et al., Rev.
Mod. Phys. 96, 031001 (2024), Secs. IV.B and VI.A). The pair is :meth:`qbhw.pulse.StirapPair.reference`
unless given. The qutrit decays and dephases by the Lindblad jumps ``√(1/T1) b`` and ``√(2/Tφ) n̂`` (level
k decays at k/T1, the 0–1 coherence dephases as e^{−t/Tφ}, the 0–2 coherence as e^{−4t/Tφ}). Three
parameters are fitted:

* ``rabi_mhz`` — the peak pump Rabi frequency ``Ω_P/2π`` (MHz) at amplitude setting ``a = 1`` (on the
  charge line the RWA pump term is ``π s (|0⟩⟨1| + h.c.)``, so ``Ω_P/2π = s_P``, the envelope peak in
  GHz × 1000); the Stokes keeps the pair's amplitude ratio (equal peak Rabi frequencies
  ``Ω_S = √2·2π s_S = Ω_P`` for the reference pair). Setting ``a`` plays the envelopes × ``a``.
* ``t1_ns`` and ``tphi_ns`` — the device's T1 and Tφ (ns).

A STIRAP pulse (400 ns) is much shorter than T1 and Tφ, so its transfer barely depends on them (the
dark state dephases by ~4·100 ns/Tφ): the pulse identifies Ω, and the decoherence times need
measurements *after* it. The experiment (:class:`StirapExperiment`) therefore has three parts, each a
standard measurement of a charged qutrit, read out as level populations (or the stored energy):

1. **charging traces** — populations during the STIRAP pulse (the pulse stopped after time ``t``;
   populations at ``t`` do not depend on the drive after ``t``) at amplitude settings
   ``trace_amplitudes`` (default 0.5 and 1): the non-adiabatic ``a = 0.5`` trace fixes Ω;
2. **storage** — populations after the full pulse (``a = 1``) and a free decay of ``storage_ns``: the
   cascade ``P2(τ) = P2(0) e^{−2τ/T1}``, ``P1`` fed by it, fixes T1 (populations are blind to Tφ);
3. **STIRAP Ramsey** (fractional STIRAP storage) — the first half of the pulse (``a = 1``) stops at the
   pair's centre, where the mixing angle is π/4 and the qutrit holds the coherent superposition
   (|0⟩ − |2⟩)/√2 (ergotropy E_2/2, of which E_1/2, about half, is coherent); after a free evolution of
   ``ramsey_ns`` the time-reversed half pulse maps the dark state back to |0⟩. What is not returned
   measures the lost 0–2 coherence, which decays at ``1/T1 + 4/Tφ``: with T1 from part 2 this fixes Tφ.
   (Both pulses share the charge line, so the off-resonant ±α cross terms also shift the 0–2 phase
   (AC Stark); even without storage only ≈ 80 % returns. The model contains this, and it makes the
   Ramsey rows depend on Ω as well.)

Every curve is computed by :mod:`qbhw.pulse`: the pulses by :func:`qbhw.pulse.simulate` (Lindblad,
Magnus-6 with exact carrier phases, RWA cut-off ``rwa_cutoff_ghz`` keeping the ±α cross terms), the
free evolutions exactly in the lab frame by :class:`qbhw.pulse.FreeEvolution` (``ρ(τ) = e^{𝓛τ} ρ``, 𝓛
diagonalised once per parameter set), the retrieval pulse by :class:`qbhw.pulse.PulseMap` (its 9×9
superoperator, built once per parameter set and per distinct carrier phase at its start: the kept
rotating-frame terms turn at 0 and ±|α|, so start times that differ by a multiple of 1/|α| = 10/3 ns
share one superoperator; other start times get their own). One evaluation of all rows of the default
experiment (132 rows) costs about 40 ms; the model caches evaluations (:class:`qbhw.fit.TheoryModel`)
and its initial guess uses a closed form (T1) and 1-D scans (Ω closed-system, Tφ Ramsey rows only), so
a fit takes 1–2 s (guess ≈ 1 s, about 20 evaluations). Over 150 seeded noisy data sets (σ = 0.01 on P1,
P2) the linear 95 % intervals covered the truth in 93 % (Ω), 97 % (T1) and 96 % (Tφ) of them.

Data layout: the rows of all three parts are stacked (:meth:`StirapExperiment.rows`), the independent
variable of the fit is the row index ``0 … n_rows−1`` and :meth:`StirapExperiment.fit_data` labels
every row ("trace a=0.5 t=120 ns p2", "storage 4000 ns p1", …). σ of the rows are treated as
independent: for counts of one qutrit readout, whose populations are multinomially correlated, use
one observable per setting (``observables=("energy",)``, the stored energy E/h in GHz, or a single
population).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import ConfigError, DataError, InvalidArgumentError
from ..fit import FitData, TheoryModel, make_fit_data
from ..pulse import (
    Device,
    FreeEvolution,
    Play,
    PulseMap,
    Samples,
    StirapPair,
    align_left,
    load_device,
    simulate,
    transmon_model,
)
from ..pulse.protocols import DEFAULT_RWA_CUTOFF_GHZ

__all__ = ["StirapExperiment", "StirapChargingModel", "STIRAP_OBSERVABLES", "PHASE_MATCH_RAD", "stirap_device"]

#: what a row can report: a level population or the stored energy (GHz, E/h, above the ground state)
STIRAP_OBSERVABLES = ("p0", "p1", "p2", "energy")
_PARTS = ("trace", "storage", "ramsey")
#: start phases ``e^{iΩ_q t0}`` of the retrieval pulse closer than this (rad) share one superoperator
#: (:class:`qbhw.pulse.PulseMap`): the compiler rounds term frequencies to 1e-9 rad/ns, i.e. phases to ~2e-5 rad
#: after 20 µs, so start times on the 1/|α| grid agree only to that level (sharing changes the populations by
#: < 1e-8 up to 20 µs)
PHASE_MATCH_RAD = 1e-4


def stirap_device(device="transmon_qutrit_stirap"):
    """The device the experiment runs on: a :class:`qbhw.pulse.Device` or the name of a ``backends/`` file.

    It needs at least 3 levels and the charge channels ``d0`` (pump) and ``d1`` (Stokes); its T1/Tφ are
    replaced by the fit parameters.
    """
    dev = load_device(device) if isinstance(device, str) else device
    if not isinstance(dev, Device):
        raise ConfigError(f"got {type(device).__name__}", argument="device",
                          allowed="a qbhw.pulse.Device or the name of a backends/ device file")
    if dev.levels < 3 or not {"d0", "d1"} <= set(dev.channel_map):
        raise ConfigError(f"device {dev.name!r} has {dev.levels} levels and channels {sorted(dev.channel_map)}",
                          argument="device", allowed="a transmon with >= 3 levels and drive channels d0, d1")
    return dev


def _times(values, argument: str) -> tuple[float, ...]:
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InvalidArgumentError("times must be finite and >= 0", argument=argument, allowed="times >= 0 (ns)")
    return tuple(float(v) for v in arr)


@dataclass(frozen=True)
class StirapExperiment:
    """The measurement plan (module docstring): which rows the data have, in which order.

    ``trace_amplitudes`` are the amplitude settings ``a`` of the charging traces, ``trace_ns`` times
    within the pulse (multiples of the device's dt, 0 … pulse length); ``storage_ns`` storage times
    after the full pulse; ``ramsey_ns`` free-evolution times between the half pulse and its reverse
    (any values; on the 10/3-ns grid they share one retrieval superoperator). Any part may be empty.
    Rows: trace (amplitude-major, then time), storage, ramsey; one row per observable of each
    setting. ``pair``: a :class:`qbhw.pulse.StirapPair` (default :meth:`~qbhw.pulse.StirapPair.reference`), pump on
    d0, Stokes on d1. ``device``: see :func:`stirap_device`. ``rwa_cutoff_ghz``: default
    :data:`qbhw.pulse.protocols.DEFAULT_RWA_CUTOFF_GHZ` (keeps the ±α cross terms).
    """

    trace_amplitudes: tuple = (0.5, 1.0)
    trace_ns: tuple = tuple(np.arange(0.0, 400.0 + 1e-9, 20.0))
    storage_ns: tuple = tuple(np.linspace(0.0, 40000.0, 11))
    ramsey_ns: tuple = tuple(np.linspace(0.0, 20000.0, 13))
    observables: tuple = ("p1", "p2")
    pair: object = None
    device: object = "transmon_qutrit_stirap"
    rwa_cutoff_ghz: float | None = None

    def __post_init__(self):
        amps = np.atleast_1d(np.asarray(self.trace_amplitudes, dtype=float))
        if not np.all(np.isfinite(amps)) or np.any(amps <= 0):
            raise InvalidArgumentError(f"got {self.trace_amplitudes!r}", argument="trace_amplitudes",
                                       allowed="finite settings > 0")
        object.__setattr__(self, "trace_amplitudes", tuple(float(a) for a in amps))
        for name in ("trace_ns", "storage_ns", "ramsey_ns"):
            object.__setattr__(self, name, _times(getattr(self, name), name))
        obs = (self.observables,) if isinstance(self.observables, str) else tuple(self.observables)
        bad = [o for o in obs if o not in STIRAP_OBSERVABLES]
        if bad or not obs or len(set(obs)) != len(obs):
            raise InvalidArgumentError(f"got {self.observables!r}", argument="observables",
                                       allowed="distinct names from " + ", ".join(STIRAP_OBSERVABLES))
        object.__setattr__(self, "observables", obs)
        if self.pair is None:
            object.__setattr__(self, "pair", StirapPair.reference())
        if not isinstance(self.pair, StirapPair):
            raise ConfigError(f"got {type(self.pair).__name__}", argument="pair", allowed="a qbhw.pulse.StirapPair")
        if not 0 < self.pair.center < self.pair.duration_ns:
            raise InvalidArgumentError(f"centre {self.pair.center} ns", argument="pair",
                                       allowed="a pair centred inside its window (the half pulse stops there)")
        dev = stirap_device(self.device)
        object.__setattr__(self, "device", dev)
        if self.rwa_cutoff_ghz is None:
            object.__setattr__(self, "rwa_cutoff_ghz", DEFAULT_RWA_CUTOFF_GHZ)
        dt = dev.dt_ns
        n = self.pair.pump.n_samples(dt)
        samples = np.asarray(self.trace_ns) / dt
        if np.any(np.abs(samples - np.round(samples)) > 1e-6) or np.any(np.round(samples) > n):
            raise InvalidArgumentError("trace times must be whole samples within the pulse", argument="trace_ns",
                                       allowed=f"multiples of dt = {dt:.6g} ns in 0 … {n * dt:.6g} ns")
        if self.trace_ns and np.any(np.diff(np.round(samples)) <= 0):
            raise InvalidArgumentError("trace times must increase", argument="trace_ns", allowed="increasing times")
        if self.n_rows == 0:
            raise InvalidArgumentError("the experiment has no rows", argument="trace_ns/storage_ns/ramsey_ns",
                                       allowed="at least one measurement")

    # ---- geometry ------------------------------------------------------------------------
    @property
    def n_samples(self) -> int:
        """Samples of the full pulse."""
        return self.pair.pump.n_samples(self.device.dt_ns)

    @property
    def half_samples(self) -> int:
        """Sample at which the half pulse stops: the one nearest to the pair's centre (mixing angle π/4)."""
        return int(round(self.pair.center / self.device.dt_ns))

    @property
    def n_rows(self) -> int:
        n_set = len(self.trace_amplitudes) * len(self.trace_ns) + len(self.storage_ns) + len(self.ramsey_ns)
        return n_set * len(self.observables)

    def rows(self) -> list[tuple[str, float, float, str]]:
        """``(part, amplitude setting, time ns, observable)`` of every row, in data order."""
        out = []
        for a in self.trace_amplitudes:
            out += [("trace", a, t, o) for t in self.trace_ns for o in self.observables]
        out += [("storage", 1.0, t, o) for t in self.storage_ns for o in self.observables]
        out += [("ramsey", 1.0, t, o) for t in self.ramsey_ns for o in self.observables]
        return out

    def row_labels(self) -> list[str]:
        return [f"trace a={a:g} t={t:g} ns {o}" if p == "trace" else f"{p} {t:g} ns {o}"
                for p, a, t, o in self.rows()]

    def part_mask(self, part: str) -> np.ndarray:
        if part not in _PARTS:
            raise InvalidArgumentError(f"got {part!r}", argument="part", allowed=" | ".join(_PARTS))
        return np.array([r[0] == part for r in self.rows()], dtype=bool)

    def fit_data(self, y, sigma=None, *, sigma_kind: str = "measured") -> FitData:
        """The measured rows as :class:`FitData` (x = row index; labels say what each row is)."""
        y = np.asarray(y, dtype=float)
        if y.shape != (self.n_rows,):
            raise DataError(f"{y.size} values for {self.n_rows} rows", argument="y",
                            allowed=f"one value per row of the experiment ({self.n_rows})")
        return make_fit_data(np.arange(self.n_rows, dtype=float), y, sigma, x_name="row", x_unit="index",
                             y_name="population / energy (GHz)", y_unit="1 or GHz", sigma_kind=sigma_kind,
                             row_labels=self.row_labels())

    # ---- physics ---------------------------------------------------------------------------
    def _envelopes(self, rabi_mhz: float, a: float) -> tuple[np.ndarray, np.ndarray]:
        dt = self.device.dt_ns
        f = a * rabi_mhz * 1e-3 / self.pair.amp_pump_ghz
        return f * self.pair.pump.samples(dt), f * self.pair.stokes.samples(dt)

    def _signals(self, pump: np.ndarray, stokes: np.ndarray):
        dt = self.device.dt_ns
        return align_left(Play(Samples(pump, dt), "d0"), Play(Samples(stokes, dt), "d1")).build(self.device)

    def pulse_model(self, t1_ns: float, tphi_ns: float, *, decoherence: bool = True):
        """The transmon model with the given T1, Tφ (ns)."""
        dev = dataclasses.replace(self.device, t1_ns=float(t1_ns), tphi_ns=float(tphi_ns))
        return transmon_model(dev, decoherence=decoherence)

    def _observe(self, pops: np.ndarray) -> np.ndarray:
        """Rows ``(K, n_obs)`` from populations ``(K, 3)``."""
        nq = np.arange(pops.shape[-1])
        levels = self.device.freq_ghz * nq + 0.5 * self.device.anharmonicity_ghz * nq * (nq - 1)
        cols = {"p0": pops[:, 0], "p1": pops[:, 1], "p2": pops[:, 2], "energy": pops @ (levels - levels[0])}
        return np.stack([cols[o] for o in self.observables], axis=1)

    def _runs(self, rabi_mhz: float, model, amplitudes, extra_full: bool):
        """Lab-frame states of the pulse at each amplitude setting, at the trace samples (and, for ``a = 1``
        when ``extra_full``, at the half and full pulse): ``{a: (record, states)}``."""
        rec = set(np.round(np.asarray(self.trace_ns) / self.device.dt_ns).astype(int).tolist())
        settings = list(amplitudes) + ([1.0] if extra_full and 1.0 not in amplitudes else [])
        out = {}
        for a in settings:
            r = set(rec) if a in amplitudes else set()
            if extra_full and a == 1.0:
                r |= {self.half_samples, self.n_samples}
            r = np.array(sorted(r), dtype=int)
            res = simulate(model, self._signals(*self._envelopes(rabi_mhz, a)), 0, rwa_cutoff_ghz=self.rwa_cutoff_ghz,
                           record=r, output_frame="lab")
            out[a] = (r, res.states)
        return out

    def max_rabi_mhz(self) -> float:
        """The largest ``rabi_mhz`` the channels' amplitude limits allow at every setting played."""
        a = max(self.trace_amplitudes + (1.0,))
        ch = self.device.channel_map
        ratio = abs(self.pair.amp_stokes_ghz / self.pair.amp_pump_ghz)
        return 1e3 * min(ch["d0"].max_amp_ghz, ch["d1"].max_amp_ghz / ratio if ratio else math.inf) / a

    def traces(self, rabi_mhz: float, model, amplitudes=None) -> np.ndarray:
        """Populations ``(len(amplitudes), len(trace_ns), d)`` during the pulse (open or closed ``model``)."""
        amps = self.trace_amplitudes if amplitudes is None else tuple(float(a) for a in amplitudes)
        runs = self._runs(rabi_mhz, model, amps, False)
        return np.array([np.real(np.einsum("kii->ki", runs[a][1])) if runs[a][1].ndim == 3
                         else np.abs(runs[a][1]) ** 2 for a in amps])

    def predict(self, rabi_mhz: float, t1_ns: float, tphi_ns: float, parts: Sequence[str] = _PARTS) -> np.ndarray:
        """Every row's value for the given parameters (rows of parts not requested are NaN)."""
        for name, v in (("rabi_mhz", rabi_mhz), ("t1_ns", t1_ns), ("tphi_ns", tphi_ns)):
            if not (math.isfinite(v) and v > 0):
                raise InvalidArgumentError(f"got {v!r}", argument=name, allowed="a finite number > 0")
        bad = [p for p in parts if p not in _PARTS]
        if bad:
            raise InvalidArgumentError(f"got {bad[0]!r}", argument="parts", allowed=" | ".join(_PARTS))
        model = self.pulse_model(t1_ns, tphi_ns)
        want_trace = "trace" in parts and bool(self.trace_ns)
        want_store = "storage" in parts and bool(self.storage_ns)
        want_ramsey = "ramsey" in parts and bool(self.ramsey_ns)
        runs = self._runs(rabi_mhz, model, self.trace_amplitudes if want_trace else (), want_store or want_ramsey)
        vals: dict[str, np.ndarray] = {}
        if want_trace:
            k = np.round(np.asarray(self.trace_ns) / self.device.dt_ns).astype(int)
            pops = []
            for a in self.trace_amplitudes:
                rec, states = runs[a]
                pops.append(np.real(np.einsum("kii->ki", states[np.searchsorted(rec, k)])))
            vals["trace"] = self._observe(np.concatenate(pops)).ravel()
        if want_store or want_ramsey:
            rec, states = runs[1.0]
            rho_half = states[np.searchsorted(rec, self.half_samples)]
            rho_full = states[np.searchsorted(rec, self.n_samples)]
            free = FreeEvolution(model)
            if want_store:
                vals["storage"] = self._observe(_populations(free.evolve(rho_full, self.storage_ns))).ravel()
            if want_ramsey:
                h = self.half_samples
                pump, stokes = self._envelopes(rabi_mhz, 1.0)
                retrieval = PulseMap(model, self._signals(pump[:h][::-1], stokes[:h][::-1]), self.rwa_cutoff_ghz,
                                     phase_match_rad=PHASE_MATCH_RAD)
                t_half = h * self.device.dt_ns
                stored = free.evolve(rho_half, self.ramsey_ns)
                final = np.array([retrieval.apply(r, t_half + t) for r, t in zip(stored, self.ramsey_ns)])
                vals["ramsey"] = self._observe(_populations(final)).ravel()
        out = []
        for part, size in (("trace", len(self.trace_amplitudes) * len(self.trace_ns)),
                           ("storage", len(self.storage_ns)), ("ramsey", len(self.ramsey_ns))):
            out.append(vals.get(part, np.full(size * len(self.observables), np.nan)))
        return np.concatenate(out)


def _populations(rhos: np.ndarray) -> np.ndarray:
    """Diagonals ``(K, d)`` of density matrices ``(K, d, d)``."""
    return np.real(np.einsum("kii->ki", np.asarray(rhos)))


class StirapChargingModel(TheoryModel):
    """lmfit model of a :class:`StirapExperiment`: ``rows(rabi_mhz, t1_ns, tphi_ns)`` through :mod:`qbhw.pulse`.

    Parameters ``rabi_mhz`` (peak pump Rabi frequency Ω_P/2π at a = 1, MHz), ``t1_ns``, ``tphi_ns`` (ns);
    ``scale``/``offset`` fixed at 1/0 (the rows are populations or energies, no readout contrast);
    ``rabi_mhz`` is bounded by the channels' amplitude limits (:meth:`StirapExperiment.max_rabi_mhz`).
    The data may be any subset of the experiment's rows (x = their row indices); ``series`` names the
    panel of each row of the full experiment for :func:`qbhw.fit.plot.plot_fit`.

    Initial guess (:meth:`guess_values`; the hints ``t1_guess``/``tphi_guess`` are used only for a part
    without rows): T1 by a scan of the storage rows against the closed-form cascade (``P1(0)``, ``P2(0)``
    solved linearly at each T1); Ω by a scan of the charging traces over ``rabi_range`` with the
    closed-system solver (decoherence is a per-cent effect on a 400-ns pulse); Tφ by a scan of the Ramsey
    rows over ``tphi_scan`` (default T1/30 … 30·T1) with T1 and Ω at their guesses. Each scan's grid
    minimum is refined by a parabola in log(value).
    """

    def __init__(self, experiment: StirapExperiment, *, rabi_range: tuple[float, float] = (5.0, 60.0),
                 rabi_scan_points: int = 56, t1_guess: float = 20000.0, tphi_guess: float = 30000.0,
                 tphi_scan: Sequence[float] | None = None, cache_size: int = 512):
        self.experiment = experiment
        self.rabi_range = (float(rabi_range[0]), float(rabi_range[1]))
        self.rabi_scan_points = int(rabi_scan_points)
        self.tphi_scan = None if tphi_scan is None else np.asarray(tphi_scan, dtype=float)
        # one panel per part, setting and observable in qbhw.fit.plot.plot_fit (for data of all the rows)
        self.series = np.array([f"{p} a={a:g} {o}" if p == "trace" else f"{p} {o}" for p, a, _, o in experiment.rows()])

        def curve(rows, rabi_mhz, t1_ns, tphi_ns):
            idx = np.asarray(np.round(rows), dtype=int)
            if np.any(idx < 0) or np.any(idx >= experiment.n_rows):
                raise InvalidArgumentError("row index outside the experiment", argument="x",
                                           allowed=f"0 … {experiment.n_rows - 1}")
            return experiment.predict(rabi_mhz, t1_ns, tphi_ns)[idx]

        physical = {"rabi_mhz": {"value": math.sqrt(self.rabi_range[0] * self.rabi_range[1]), "min": 0.0,
                                 "max": experiment.max_rabi_mhz()},
                    "t1_ns": {"value": float(t1_guess), "min": 1.0},
                    "tphi_ns": {"value": float(tphi_guess), "min": 1.0}}
        super().__init__(curve, physical, name="StirapCharging", independent_var="rows",
                         formula=("rows(rabi_mhz, t1_ns, tphi_ns): STIRAP traces, storage and Ramsey populations of a "
                                  "transmon qutrit through qbhw.pulse (Lindblad, T1 and Tphi; Hu et al. 2022)"),
                         scale=1.0, offset=0.0, cache_size=cache_size,
                         metadata={"device": experiment.device.name,
                                   "observables": list(experiment.observables)})

    def _cascade_rows(self, idx, m, tau, obs, y, w, t1):
        """Storage rows of the T1 cascade ``P2 = P2(0)e^{−2τ/T1}``, ``P1 = P1(0)e^{−τ/T1} + 2P2(0)(e^{−τ/T1} −
        e^{−2τ/T1})`` with ``P1(0), P2(0)`` fitted linearly (weights ``w``); full-length rows (others NaN)."""
        e1, e2 = np.exp(-tau / t1), np.exp(-2 * tau / t1)
        lv = self.experiment.device
        E1, E2 = lv.freq_ghz, 2 * lv.freq_ghz + lv.anharmonicity_ghz
        basis = {"p0": (-e1, -(2 * e1 - e2), 1.0), "p1": (e1, 2 * (e1 - e2), 0.0), "p2": (0 * e1, e2, 0.0),
                 "energy": (E1 * e1, 2 * E1 * (e1 - e2) + E2 * e2, 0.0)}
        A = np.array([[basis[o][0][k], basis[o][1][k]] for k, o in enumerate(obs)])
        const = np.array([basis[o][2] for o in obs])
        sw = np.sqrt(w[m])
        coef = np.linalg.lstsq(A * sw[:, None], (y[m] - const) * sw, rcond=None)[0]
        out = np.full(self.experiment.n_rows, np.nan)
        out[idx[m]] = A @ coef + const
        return out

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        exp = self.experiment
        idx = np.asarray(np.round(x), dtype=int)
        y = np.asarray(y, dtype=float)
        w = np.ones(idx.size) if sigma is None else 1.0 / np.asarray(sigma, dtype=float) ** 2
        rows = [exp.rows()[i] for i in idx]
        base = {n: float(fixed.get(n, self.param_hints[n]["value"])) for n in self.physical_names}

        def select(part, obs=None):
            return np.array([r[0] == part and (obs is None or r[3] == obs) for r in rows], dtype=bool)

        def scan(name, grid, predict, m):
            """Grid minimum of χ² over the rows ``m``, refined by a parabola in log(value) through its neighbours."""
            chi = np.array([float(np.sum(w[m] * (y[m] - predict(g)[idx[m]]) ** 2)) for g in grid])
            b = int(np.argmin(chi))
            best = math.log(grid[b])
            if 0 < b < len(grid) - 1:
                u = np.log(grid[b - 1:b + 2])
                c2, c1, _ = np.polyfit(u - u[1], chi[b - 1:b + 2], 2)
                if c2 > 0:
                    best = u[1] + float(np.clip(-c1 / (2 * c2), u[0] - u[1], u[2] - u[1]))
            base[name] = math.exp(best)

        # T1: the storage rows are linear in (P1(0), P2(0)) for a given T1 (closed-form cascade): scan T1
        m = select("storage")
        if "t1_ns" not in fixed and np.count_nonzero(m) >= 3:
            tau = np.array([r[2] for r, keep in zip(rows, m) if keep])
            obs = [r[3] for r, keep in zip(rows, m) if keep]
            span = max(float(np.ptp(tau)), exp.device.dt_ns)
            scan("t1_ns", np.geomspace(span / 100.0, span * 100.0, 81),
                 lambda g: self._cascade_rows(idx, m, tau, obs, y, w, g), m)
        # Omega: closed-system scan of the charging traces (the non-adiabatic traces fix it)
        m = select("trace")
        if "rabi_mhz" not in fixed and np.any(m):
            closed = exp.pulse_model(1.0, 1.0, decoherence=False)
            pad = np.full(exp.n_rows, np.nan)

            def trace_rows(g):
                out = pad.copy()
                vals = exp._observe(exp.traces(g, closed).reshape(-1, 3)).ravel()
                out[:vals.size] = vals
                return out

            hi = min(self.rabi_range[1], exp.max_rabi_mhz())
            scan("rabi_mhz", np.geomspace(min(self.rabi_range[0], hi / 2), hi, self.rabi_scan_points), trace_rows, m)
        # Tphi: scan of the Ramsey rows with T1 and Omega at their guesses
        m = select("ramsey")
        if "tphi_ns" not in fixed and np.any(m):
            grid = self.tphi_scan if self.tphi_scan is not None else np.geomspace(base["t1_ns"] / 30,
                                                                                 base["t1_ns"] * 30, 21)
            scan("tphi_ns", grid, lambda g: exp.predict(base["rabi_mhz"], base["t1_ns"], g, parts=("ramsey",)), m)
        return {n: base[n] for n in self.physical_names if n not in fixed}
