"""A qubit under the Malz–Smith two-tone quasi-periodic drive: theory and fit of the ibmq_armonk data.

Physics (Malz & Smith, "Topological two-dimensional Floquet lattice on a single superconducting qubit",
PRL 126, 163602, 2021): a qubit driven by the piecewise-constant field ``H = h_x X + h_y Y + h_z Z``,

    h_x = s B sin a_1,  h_y = s B sin a_2,  h_z = B (m − cos a_1 − cos a_2),
    a_i = ω_i r_k B t_k + φ_i,   t_k = k dt,   r_k = min(k / K_ramp, 1),

held constant on each sample ``k`` (``dt = 2/9 ns``, ``ω_2/ω_1`` the golden ratio) — the Qi–Wu–Zhang Chern
insulator with the two tone phases as quasi-momenta. For 0 < |m| < 2 a qubit that follows the field pumps
energy from one tone to the other at a quantised average rate (topological frequency conversion; Martin,
Refael & Halperin, PRX 7, 041008, 2017), for |m| > 2 it does not; the data set has one run of each (m = 1
and m = 3). The drive itself lives in the pulse layer (:class:`qbhw.pulse.QuasiperiodicDrive`, re-exported
here); this module adds what the hardware experiment needs on top of it.

Hardware (ibmq_armonk; data in ``tests/data/ibmq_armonk_floquet_driven_qubit.csv``): ``s`` is the **drive
scale**: the transverse field was played as a physical pulse whose amplitude was calibrated from the
backend's Rabi rate, while ``h_z`` and the phases were applied in software (frame changes), so only
``h_x, h_y`` carry a calibration error. In the hardware (lab) frame the measured transverse components are
those of the model frame rotated back by the software phase ``φ_n = 2 Σ_{k<n} h_z dt``:
``x_lab + i y_lab = e^{−iφ_n} (x + i y)`` (the data file's ``rotz = e^{iφ_n}``,
``x_corr + i y_corr = rotz (x_lab + i y_lab)``).

Propagation (:func:`bloch_at_samples`): :meth:`qbhw.pulse.QuasiperiodicDrive.bloch_vectors`, the pulse
solver on three baseband channels of a two-level model, compiled once per drive and number of samples; a
drive scale multiplies the coefficients of the transverse terms, and each sample is ``U_k = exp(−i dt h_k·σ)``
in closed form with block products and a prefix scan. Exact for the piecewise-constant model (no ODE
error); ~10 ms for the 90 000 samples of the Armonk file.

Readout (:class:`DrivenQubitModel`): the measured ±1 expectation of each axis is
``c_axis × (model value in the lab frame) + offset_axis`` (per-axis contrast ``c``; offsets fixed
at 0 unless freed). Decoherence during the drive is not modelled; it lowers the fitted contrast.
The fit machinery (lmfit model base class, validated data) is :mod:`qbhw.fit`'s.

The end of this module holds the protocol (parameters → acquisition → analysis → plot).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..errors import DataError, InvalidArgumentError
from ..fit import CurveModel, DataTable, FitData, make_fit_data
from ..metrics import make_charging_curve
from ..pulse import QuasiperiodicDrive
from ._pulse import check_device
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_bool,
    check_int,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = [
    "QuasiperiodicDrive",
    "bloch_at_samples",
    "software_phase",
    "to_lab_frame",
    "DrivenQubitModel",
    "armonk_drive_from_header",
    "armonk_fit_data",
    "AXES",
    "tone_work",
    "quantised_pumping_power",
    "NAME",
    "BACKENDS",
    "Parameters",
    "Results",
    "acquire",
    "analyse",
    "plot",
    "from_table",
]

AXES = ("x", "y", "z")


def bloch_at_samples(drive: QuasiperiodicDrive, samples, drive_scale: float = 1.0, initial=None) -> np.ndarray:
    """Model-frame Bloch vectors after ``samples[i]`` drive samples: shape ``(len(samples), 3)``.

    :meth:`qbhw.pulse.QuasiperiodicDrive.bloch_vectors` (module docstring); ``initial`` is the starting Bloch
    vector (default :meth:`~qbhw.pulse.QuasiperiodicDrive.initial_bloch`).
    """
    return drive.bloch_vectors(samples, drive_scale, initial)


def software_phase(drive: QuasiperiodicDrive, samples) -> np.ndarray:
    """``φ_n = 2 Σ_{k<n} h_z dt`` — the frame rotation applied in software (``rotz = e^{iφ}``)."""
    n = np.asarray(samples).astype(int)
    top = int(n.max()) if n.size else 0
    hz = drive.fields(1.0, max(top, 1))[2]
    cum = np.concatenate([[0.0], np.cumsum(2.0 * hz * drive.dt)])
    return cum[n]


def to_lab_frame(bloch: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """``x_lab + i y_lab = e^{−iφ}(x + i y)``; z unchanged."""
    c = (bloch[:, 0] + 1j * bloch[:, 1]) * np.exp(-1j * phase)
    return np.stack([c.real, c.imag, bloch[:, 2]], axis=-1)


class DrivenQubitModel(CurveModel):
    """Per-axis contrast and transverse-drive scale of a driven qubit (module docstring).

    The fit data are the three axes stacked (``axes[i]`` in ``"x" | "y" | "z"`` names the
    axis of row ``i``; the independent variable is the number of drive samples played).
    Parameters: ``contrast_x, contrast_y, contrast_z`` (free), ``drive_scale`` (free),
    ``offset_x, offset_y, offset_z`` (fixed at 0 unless ``offsets=True``).
    ``frame="lab"`` compares with the raw (hardware-frame) expectations, ``"corrected"`` with
    the components rotated by the software phase (the paper's ``x_corr, y_corr``).

    The initial guess scans the drive scale over ``scale_range`` with the contrasts (and
    offsets) solved linearly at each point. χ² is rippled in the drive scale (period ≈ 0.02 for
    the 90 000-sample Armonk drive: the accumulated phase), so the scan is fine (default step
    0.004) and the optimiser only refines the best grid point.

    Each evaluation plays the drive through :mod:`qbhw.pulse` (:func:`bloch_at_samples`, compiled
    once per drive; ~10 ms for the 90 000 Armonk samples); the software phase of the lab frame is
    computed once per set of sample counts.
    """

    formula = "<sigma_a>_meas = contrast_a * <sigma_a>(n; drive_scale) + offset_a, H = h.sigma piecewise constant"

    def __init__(self, drive: QuasiperiodicDrive, axes: Sequence[str], *, frame: str = "lab", offsets: bool = False,
                 scale_range: tuple[float, float] = (0.8, 1.2), scan_points: int = 101, **kws):
        if frame not in ("lab", "corrected"):
            raise InvalidArgumentError(f"got {frame!r}", argument="frame", allowed="'lab' | 'corrected'")
        ax = np.asarray(list(axes))
        bad = [a for a in np.unique(ax) if a not in AXES]
        if bad:
            raise InvalidArgumentError(f"unknown axis {bad[0]!r}", argument="axes", allowed="'x' | 'y' | 'z'")
        self.drive = drive
        self.axes = ax
        self.frame = frame
        self.series = ax
        self.scale_range = scale_range
        self.scan_points = int(scan_points)
        self._cache: dict = {}
        self._phase: dict = {}
        self.evaluations = 0
        idx = np.array([AXES.index(a) for a in ax])

        def driven_qubit(n, contrast_x=1.0, contrast_y=1.0, contrast_z=1.0, drive_scale=1.0,
                         offset_x=0.0, offset_y=0.0, offset_z=0.0):
            n = np.asarray(n, dtype=float)
            if n.shape != idx.shape:
                raise InvalidArgumentError(f"{n.size} sample counts for {idx.size} rows", argument="n",
                                           allowed="the stacked rows the model was built for")
            vec = self.bloch(n, drive_scale)
            comp = vec[np.arange(idx.size), idx]
            c = np.array([contrast_x, contrast_y, contrast_z])[idx]
            o = np.array([offset_x, offset_y, offset_z])[idx]
            return c * comp + o

        hints = {f"contrast_{a}": {"value": 1.0, "min": 0.0, "max": 1.5} for a in AXES}
        hints["drive_scale"] = {"value": 1.0, "min": 0.0}
        hints.update({f"offset_{a}": {"value": 0.0, "vary": bool(offsets)} for a in AXES})
        super().__init__(driven_qubit, independent_var="n", hints=hints, **kws)

    def bloch(self, n, drive_scale: float) -> np.ndarray:
        """Bloch vectors (model frame or lab frame per ``self.frame``) at sample counts ``n``, cached."""
        n = np.asarray(n).astype(int)
        key = (float(drive_scale), hash(n.tobytes()))
        if key not in self._cache:
            self.evaluations += 1
            uniq, inv = np.unique(n, return_inverse=True)
            vec = bloch_at_samples(self.drive, uniq, drive_scale)
            if self.frame == "lab":
                if key[1] not in self._phase:
                    self._phase[key[1]] = software_phase(self.drive, uniq)
                vec = to_lab_frame(vec, self._phase[key[1]])
            self._cache[key] = vec[inv]
            if len(self._cache) > 256:
                self._cache.pop(next(iter(self._cache)))
        return self._cache[key]

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        w2 = np.ones_like(y) if sigma is None else 1.0 / np.asarray(sigma) ** 2
        idx = np.array([AXES.index(a) for a in self.axes])
        rows = np.arange(idx.size)
        grid = (np.array([fixed["drive_scale"]]) if "drive_scale" in fixed
                else np.linspace(*self.scale_range, self.scan_points))
        best = None
        for s in grid:
            comp = self.bloch(x, s)[rows, idx]
            chi2, vals = 0.0, {}
            for k, a in enumerate(AXES):
                sel = idx == k
                if not np.any(sel):
                    continue
                f, yy, ww = comp[sel], y[sel], w2[sel]
                off = fixed.get(f"offset_{a}")
                c = fixed.get(f"contrast_{a}")
                if c is None and off is None:  # weighted linear fit of c and offset
                    A = np.stack([f, np.ones_like(f)], axis=1) * np.sqrt(ww)[:, None]
                    sol = np.linalg.lstsq(A, yy * np.sqrt(ww), rcond=None)[0]
                    c, off_v = sol
                    vals[f"offset_{a}"] = float(off_v)
                elif c is None:
                    c = float(np.sum(ww * f * (yy - off)) / max(np.sum(ww * f * f), 1e-300))
                    off_v = off
                else:
                    off_v = off if off is not None else float(np.sum(ww * (yy - c * f)) / np.sum(ww))
                    if off is None:
                        vals[f"offset_{a}"] = off_v
                vals[f"contrast_{a}"] = float(c)
                chi2 += float(np.sum(ww * (yy - c * f - off_v) ** 2))
            if best is None or chi2 < best[0]:
                best = (chi2, float(s), vals)
        out = dict(best[2])
        out["drive_scale"] = best[1]
        return {k: v for k, v in out.items() if k not in fixed}


# ---------------------------------------------------------------------------------------------
# the Armonk data file
def _header_number(header: Sequence[str], pattern: str, what: str) -> str:
    for line in header:
        m = re.search(pattern, line)
        if m:
            return m.group(1)
    raise DataError(f"the file header does not state {what} (pattern {pattern!r})", argument="header",
                    allowed="the ibmq_armonk CSV header as shipped")


def _angle(text: str) -> float:
    text = text.strip()
    m = re.fullmatch(r"pi\s*/\s*(\d+)", text)
    if m:
        return math.pi / int(m.group(1))
    return float(text)


def armonk_drive_from_header(header: Sequence[str], m: int) -> QuasiperiodicDrive:
    """Drive parameters of run ``m`` read from the CSV header (B in rad/s, ω_1, ω_2, φ_i, dt in s, ramp, length)."""
    b = float(_header_number(header, rf"m={int(m)} run:\s*([0-9.eE+-]+)", f"B for m={m}"))
    w1 = float(_header_number(header, r"omega1\s*=\s*([0-9.]+)", "omega1"))
    w2 = float(_header_number(header, r"omega2\s*=\s*[^=]*=\s*([0-9.]+)", "omega2"))
    p1 = _angle(_header_number(header, r"phi1\s*=\s*([^,]+)", "phi1"))
    p2 = _angle(_header_number(header, r"phi2\s*=\s*([^,]+)", "phi2"))
    dt = Fraction(_header_number(header, r"(?<![*\w])dt\s*=\s*(\d+/\d+|[0-9.]+)\s*ns", "dt"))
    ramp = int(_header_number(header, r"ramp_time\s*=\s*(\d+)\*dt", "ramp samples"))
    total = int(_header_number(header, r"k\s*=\s*0\.\.(\d+)", "number of samples")) + 1
    return QuasiperiodicDrive(max_drive=b, m=float(m), omega1=w1, omega2=w2, phi1=p1, phi2=p2,
                              dt=float(dt) * 1e-9, ramp_samples=ramp, n_samples=total)


def armonk_fit_data(table: DataTable, m: int, *, frame: str = "lab") -> tuple[FitData, np.ndarray, QuasiperiodicDrive]:
    """Stacked ``(x, y, z)`` expectations of run ``m`` with binomial σ from the raw counts.

    ``frame="lab"``: ``(n0 − n1)/n`` of each basis as measured; ``"corrected"``: x, y rotated by
    the software phase (the file's ``rotz``), σ propagated. Returns the data (x = drive samples),
    the axis of each row and the drive read from the header.
    """
    run = table.where(m=m)
    n = run.numeric("drive_samples")
    vals, sigs = {}, {}
    for a, (c0, c1) in zip(AXES, (("nX0", "nX1"), ("nY0", "nY1"), ("nZ0", "nZ1"))):
        vals[a], sigs[a] = run.expectation(c0, c1)
    if frame == "corrected":
        re_, im_ = run.numeric("rotz_re"), run.numeric("rotz_im")
        x = re_ * vals["x"] - im_ * vals["y"]
        y = im_ * vals["x"] + re_ * vals["y"]
        sx = np.sqrt((re_ * sigs["x"]) ** 2 + (im_ * sigs["y"]) ** 2)
        sy = np.sqrt((im_ * sigs["x"]) ** 2 + (re_ * sigs["y"]) ** 2)
        vals["x"], vals["y"], sigs["x"], sigs["y"] = x, y, sx, sy
    elif frame != "lab":
        raise InvalidArgumentError(f"got {frame!r}", argument="frame", allowed="'lab' | 'corrected'")
    labels = run.row_labels()
    data = make_fit_data(np.concatenate([n, n, n]), np.concatenate([vals[a] for a in AXES]),
                         np.concatenate([sigs[a] for a in AXES]), x_name="drive_samples",
                         y_name=f"<sigma_axis> ({frame} frame)", x_unit="samples of dt", y_unit="1",
                         sigma_kind="binomial", row_labels=[f"{lab} ({a})" for a in AXES for lab in labels],
                         provenance=table.header, source=table.source)
    axes = np.repeat(np.array(AXES), n.size)
    return data, axes, armonk_drive_from_header(table.header, m)


# ---------------------------------------------------------------------------------------------
# energy pumped between the tones
def tone_work(drive: QuasiperiodicDrive, samples, bloch, tone: int = 1, drive_scale: float = 1.0) -> np.ndarray:
    """Work done by tone ``i`` on the qubit, ``W_i(t) = ∫_0^t (∂h/∂a_i)(da_i/dt) · r̂ dt`` (rad/ns), at ``samples``.

    ``r̂`` is the normalised model-frame Bloch vector (the paper's normalised ``(x_corr, y_corr, z)``:
    normalising removes a readout contrast), ``∂h/∂a_1 = B(s cos a_1, 0, sin a_1)``,
    ``∂h/∂a_2 = B(0, s cos a_2, sin a_2)``, ``da_i/dt = ω_i B d(r t)/dt``. The integral is the trapezoid rule
    on the given (increasing) sample grid, starting at its first sample. For 0 < |m| < 2 and an adiabatic
    qubit, ``−dW_1/dt`` approaches the quantised pumping power ``ω_1 ω_2 B²/(2π)`` (Martin, Refael &
    Halperin, PRX 7, 041008, 2017; Malz & Smith 2021, Eq. 4).
    """
    if tone not in (1, 2):
        raise InvalidArgumentError(f"got {tone!r}", argument="tone", allowed="1 | 2")
    n = np.asarray(samples, dtype=np.int64)
    if n.ndim != 1 or n.size < 2 or np.any(np.diff(n) <= 0):
        raise InvalidArgumentError("need an increasing grid of at least two sample counts", argument="samples",
                                   allowed="increasing integers")
    r = np.asarray(bloch, dtype=float)
    norm = np.linalg.norm(r, axis=1, keepdims=True)
    r = r / np.where(norm > 0, norm, 1.0)
    t = n * drive.dt_ns
    ramp = drive.ramp_samples
    rr = np.minimum(n / ramp, 1.0) if ramp > 0 else np.ones(n.size)
    drdt = np.where(n < ramp, 1.0 / (ramp * drive.dt_ns), 0.0) if ramp > 0 else np.zeros(n.size)
    b = drive.max_drive_rad_per_ns
    omega, phi = (drive.omega1, drive.phi1) if tone == 1 else (drive.omega2, drive.phi2)
    a = omega * rr * b * t + phi
    dadt = omega * b * (rr + t * drdt)
    dh = b * np.stack([drive_scale * np.cos(a) if tone == 1 else 0 * a,
                       drive_scale * np.cos(a) if tone == 2 else 0 * a, np.sin(a)], axis=1)
    f = np.einsum("ki,ki->k", dh, r) * dadt
    return np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(t))])


def quantised_pumping_power(drive: QuasiperiodicDrive) -> float:
    """``ω_1 ω_2 B²/(2π)`` in rad/ns² — the topological pumping power for Chern number ±1."""
    b = drive.max_drive_rad_per_ns
    return drive.omega1 * drive.omega2 * b * b / (2 * math.pi)


# =============================================================================================
# protocol: parameters → acquisition → analysis → plot
# (the protocol functions only wire the physics above to the pulse solver and :mod:`qbhw.fit`)

NAME = "driven_qubit"
BACKENDS = ("exact", "pulse")
REFERENCE_DEVICE = "armonk_like"
#: B of the recorded m = 1 run (0.9/√2 × the backend's Rabi rate that day; data file header)
ARMONK_MAX_DRIVE_RAD_PER_S = 23316405.372023


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """The drive and its readout.

    ``m`` (h_z offset; 0 < |m| < 2 topological), ``max_drive_rad_per_s`` (B; default: the recorded m = 1
    run), ``omega1`` (ω_2 = ω_1 × golden ratio), ``phi1``, ``phi2``, ``ramp_samples``; ``drive_samples``:
    the sample counts after which the Bloch vector is read out (an array or ``{start, stop, num}``,
    rounded to integers); ``drive_scale``: the actual/nominal transverse amplitude played (a calibration
    error to recover); ``readout_contrast``: the measured fraction of each ±1 expectation (hardware ≈ 0.8);
    ``device`` (``None`` → the backend's, else ``armonk_like``; its dt sets the sample time), ``levels`` of
    the transmon (2: the qubit model), ``decoherence`` (the device's T1/Tφ during the drive).
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "m": "",
        "omega1": "B",
        "phi1": "rad",
        "phi2": "rad",
        "ramp_samples": "samples",
        "drive_samples": "samples",
        "drive_scale": "",
        "readout_contrast": "",
        "device": "device name",
        "levels": "",
        "decoherence": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "m": "offset of h_z (0 < |m| < 2: topological)",
        "max_drive_rad_per_s": "drive strength B (default: the recorded m = 1 run)",
        "omega1": "frequency ω_1 of the first tone (ω_2 = ω_1 × golden ratio)",
        "phi1": "phase of the first tone",
        "phi2": "phase of the second tone",
        "ramp_samples": "length of the initial amplitude ramp in device samples (0: no ramp)",
        "drive_samples": "sample counts after which the Bloch vector is read out (an array or {start, stop, num}, rounded)",
        "drive_scale": "actual/nominal transverse amplitude played (a calibration error to recover)",
        "readout_contrast": "measured fraction of each ±1 expectation (hardware ≈ 0.8)",
        "device": "None: the backend's, else armonk_like (its dt sets the sample time)",
        "levels": "transmon levels (2: the qubit model)",
        "decoherence": "the device's T1/Tφ during the drive",
    }

    m: float = 1.0
    max_drive_rad_per_s: float = ARMONK_MAX_DRIVE_RAD_PER_S
    omega1: float = 0.125
    phi1: float = math.pi / 10
    phi2: float = 0.0
    ramp_samples: int = 2000
    drive_samples: tuple = tuple(range(0, 89601, 448))
    drive_scale: float = 1.0
    readout_contrast: float = 1.0
    device: Any = None
    levels: int = 2
    decoherence: bool = True

    def _validate(self) -> None:
        self._set("m", check_real(self.m, "m"))
        self._set("max_drive_rad_per_s", check_real(self.max_drive_rad_per_s, "max_drive_rad_per_s", minimum=0.0,
                                                    strict=True))
        self._set("omega1", check_real(self.omega1, "omega1", minimum=0.0, strict=True))
        self._set("phi1", check_real(self.phi1, "phi1"))
        self._set("phi2", check_real(self.phi2, "phi2"))
        self._set("ramp_samples", check_int(self.ramp_samples, "ramp_samples", minimum=0))
        grid = time_grid(self.drive_samples, "drive_samples")
        ints = tuple(int(round(x)) for x in grid)
        if len(set(ints)) != len(ints):
            raise InvalidArgumentError("sample counts collide after rounding", argument="drive_samples",
                                       allowed="distinct integer sample counts")
        self._set("drive_samples", ints)
        self._set("drive_scale", check_real(self.drive_scale, "drive_scale", minimum=0.0))
        self._set("readout_contrast", check_real(self.readout_contrast, "readout_contrast", minimum=0.0,
                                                 maximum=1.0))
        self._set("device", check_device(self.device))
        self._set("levels", check_int(self.levels, "levels", minimum=2))
        self._set("decoherence", check_bool(self.decoherence, "decoherence"))

    def drive(self, dt_ns: float) -> QuasiperiodicDrive:
        """The nominal drive (sample time ``dt_ns`` of the device)."""
        return QuasiperiodicDrive(max_drive=self.max_drive_rad_per_s, m=self.m, omega1=self.omega1,
                                  omega2=self.omega1 * (1 + math.sqrt(5)) / 2, phi1=self.phi1, phi2=self.phi2,
                                  dt=dt_ns * 1e-9, ramp_samples=self.ramp_samples,
                                  n_samples=max(self.drive_samples[-1], 1))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit of the pumped energy (GHz, ns) and the fit of the readout.

    ``drive_scale``, ``drive_scale_ci95``: the fitted transverse drive scale; ``contrast``: the fitted
    per-axis contrasts (x, y, z); ``pumping_power``: the slope of the pumped energy −W_1(t) after the ramp
    (GHz/ns, least squares); ``quantised_power``: ω_1 ω_2 B²/(2π) (GHz/ns); ``pumping_ratio``: their ratio
    (≈ the Chern number |C| = 1 for 0 < |m| < 2, ≈ 0 for |m| > 2).
    """

    drive_scale: float = math.nan
    drive_scale_ci95: tuple | None = None
    contrast: tuple = ()
    pumping_power: float = math.nan
    quantised_power: float = math.nan
    pumping_ratio: float = math.nan


def _curve(p: Parameters, drive: QuasiperiodicDrive, lab: np.ndarray, stderr, *, backend: str, metadata):
    """The charging curve: energy pumped out of tone 1, ``−W_1`` (GHz), from the measured lab-frame vectors."""
    n = np.asarray(p.drive_samples)
    model = to_lab_frame(lab, -software_phase(drive, n))  # back to the model frame (the paper's x_corr, y_corr)
    pumped = -tone_work(drive, n, model, 1) / (2 * math.pi)
    obs = {"bloch_lab": lab, "bloch_model": model, "drive_samples": n.astype(float)}
    if stderr is not None:
        obs["bloch_lab_stderr"] = stderr
    return make_charging_curve(n * drive.dt_ns, pumped, metadata={"units": "time ns, energy GHz (E/h)",
                                                                  "energy": "-W_1: energy pumped out of tone 1",
                                                                  "backend": backend, **metadata},
                               observables=obs)


def acquire(parameters: Parameters, backend="pulse", *, context=None) -> Data:
    """Play the drive on the device (pulse solver) and read out X, Y, Z after each ``drive_samples``."""
    from ..pulse import simulate, transmon_model
    from ._pulse import resolve_device

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    p = parameters
    device = resolve_device(p.device, obj, REFERENCE_DEVICE)
    if device.levels != p.levels:
        device = device.with_levels(p.levels)
    drive = p.drive(device.dt_ns)
    n = np.asarray(p.drive_samples)
    sched = drive.schedule(device, n_samples=max(int(n[-1]), 1), drive_scale=p.drive_scale)
    model = transmon_model(device, decoherence=p.decoherence)
    r0 = drive.initial_bloch()
    theta, phi = math.acos(max(-1.0, min(1.0, r0[2]))), math.atan2(r0[1], r0[0])
    psi0 = np.zeros(model.dim, dtype=complex)
    psi0[0], psi0[1] = math.cos(theta / 2), np.exp(1j * phi) * math.sin(theta / 2)
    result = simulate(model, sched.build(device), psi0, rwa_cutoff_ghz=1.0, record=np.unique(n))
    paulis = [np.zeros((model.dim, model.dim), dtype=complex) for _ in AXES]
    paulis[0][:2, :2] = [[0, 1], [1, 0]]
    paulis[1][:2, :2] = [[0, -1j], [1j, 0]]
    paulis[2][:2, :2] = [[1, 0], [0, -1]]
    bloch = np.stack([result.expectation(P) for P in paulis], axis=1)
    lab = p.readout_contrast * to_lab_frame(bloch, software_phase(drive, n))
    raw: dict[str, Any] = {}
    stderr = None
    if p.shots is not None:
        from ..fit import binomial_probability

        rng = np.random.default_rng(p.seed)
        p0 = np.clip((1.0 + lab) / 2.0, 0.0, 1.0)
        n0 = rng.binomial(p.shots, p0)
        prob, sig = binomial_probability(p.shots - n0, np.full(n0.shape, p.shots))
        lab, stderr = 1.0 - 2.0 * prob, 2.0 * sig
        raw["counts0"] = n0
    curve = _curve(p, drive, lab, stderr, backend=obj.name, metadata={"device": device.name})
    return Data(protocol=NAME, parameters=p, backend=obj.name, curve=curve, raw=raw,
                metadata={"device": device.to_dict(), "dt_ns": device.dt_ns})


def from_table(table: DataTable, m: int) -> Data:
    """The recorded ibmq_armonk run ``m`` (1 or 3) as :class:`Data` (8192 shots per axis, lab frame)."""
    drive = armonk_drive_from_header(table.header, m)
    run = table.where(m=m)
    n = run.numeric("drive_samples").astype(int)
    lab, err = [], []
    for c0, c1 in (("nX0", "nX1"), ("nY0", "nY1"), ("nZ0", "nZ1")):
        v, s_ = run.expectation(c0, c1)
        lab.append(v)
        err.append(s_)
    p = Parameters(m=float(m), max_drive_rad_per_s=drive.max_drive, omega1=drive.omega1, phi1=drive.phi1,
                   phi2=drive.phi2, ramp_samples=drive.ramp_samples, drive_samples=tuple(int(x) for x in n),
                   shots=8192, device=REFERENCE_DEVICE)
    curve = _curve(p, drive, np.stack(lab, axis=1), np.stack(err, axis=1), backend="ibm:ibmq_armonk (recorded)",
                   metadata={"source": "Malz & Smith, PRL 126, 163602 (2021); ibmq_armonk"})
    return Data(protocol=NAME, parameters=p, backend="ibm:ibmq_armonk (recorded)", curve=curve,
                metadata={"dt_ns": drive.dt_ns, "provenance": list(table.header)})


def analyse(data: Data, *, fit: bool = True, frame: str = "lab", scale_range: tuple[float, float] = (0.8, 1.2),
            scan_points: int = 101, **fit_options) -> Results:
    """Fit the per-axis contrasts and the drive scale (:class:`DrivenQubitModel`); the pumping power."""
    from ..fit import fit_curve

    p: Parameters = data.parameters
    curve = data.curve
    drive = p.drive(float(data.metadata["dt_ns"]))
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    n = np.asarray(p.drive_samples)
    after = n >= p.ramp_samples
    quantum = quantised_pumping_power(drive) / (2 * math.pi)
    out["quantised_power"] = quantum
    if np.count_nonzero(after) >= 2:
        t = curve.times[after]
        out["pumping_power"] = float(np.polyfit(t, curve.energy[after], 1)[0])
        out["pumping_ratio"] = out["pumping_power"] / quantum
    notes: list[str] = []
    fit_result = None
    if fit:
        lab = np.asarray(curve.observables["bloch_lab"])
        err = curve.observables.get("bloch_lab_stderr")
        values = lab if frame == "lab" else np.asarray(curve.observables["bloch_model"])
        if frame != "lab" and err is not None:
            notes.append("corrected-frame σ taken equal to the lab-frame σ (the rotation mixes x and y)")
        fd = make_fit_data(np.concatenate([n, n, n]).astype(float), values.T.ravel(),
                           None if err is None else np.asarray(err).T.ravel(), x_name="drive_samples",
                           y_name=f"<sigma_axis> ({frame} frame)", x_unit="samples of dt", y_unit="1",
                           sigma_kind="none" if err is None else "binomial")
        model = DrivenQubitModel(drive, np.repeat(np.array(AXES), n.size), frame=frame, scale_range=scale_range,
                                 scan_points=scan_points)
        fit_result = fit_curve(model, fd, **fit_options)
        if fit_result.ok:
            est = fit_result.parameter("drive_scale")
            out["drive_scale"], out["drive_scale_ci95"] = est.value, est.ci95
            out["contrast"] = tuple(fit_result.value(f"contrast_{a}") for a in AXES)
        else:
            notes.append(f"fit failed: {fit_result.message}")
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results) -> Figure:
    """Measured Bloch components (lab frame) with the fit, and the pumped energy −W_1(t)."""
    curve = data.curve
    n = np.asarray(data.parameters.drive_samples)
    lab = np.asarray(curve.observables["bloch_lab"])
    err = curve.observables.get("bloch_lab_stderr")
    fig = Figure(figsize=(7.0, 7.0))
    axes = fig.subplots(4, 1, sharex=True)
    fit = results.fit if (results.fit is not None and results.fit.ok) else None
    for k, a in enumerate(AXES):
        ax = axes[k]
        ax.errorbar(curve.times, lab[:, k], yerr=None if err is None else np.asarray(err)[:, k], fmt=".", ms=2,
                    lw=0.5, label=f"⟨{a.upper()}⟩ lab")
        if fit is not None:
            ax.plot(curve.times, fit.best_fit[k * n.size:(k + 1) * n.size], "-", lw=0.9, label="fit")
        ax.set_ylabel(f"⟨{a.upper()}⟩")
        ax.legend(fontsize=6, loc="upper right")
    ax = axes[3]
    ax.plot(curve.times, curve.energy, "-", label="−W₁ (pumped out of tone 1)")
    if math.isfinite(results.quantised_power):
        t = curve.times
        ax.plot(t, results.quantised_power * (t - t[0]), "--", lw=0.8, label="quantised ω₁ω₂B²/2π")
    ax.set_xlabel("t [ns]")
    ax.set_ylabel("energy [GHz]")
    ax.legend(fontsize=6)
    head = f"two-tone driven qubit, m = {data.parameters.m:g} ({data.backend})"
    if math.isfinite(results.pumping_ratio):
        head += f"\npumping power / quantum = {results.pumping_ratio:.3g}"
    if math.isfinite(results.drive_scale):
        head += f"; drive scale {results.drive_scale:.4g}"
    axes[0].set_title(head, fontsize=9)
    fig.tight_layout()
    return fig
