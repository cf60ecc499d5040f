"""A qubit driven by a sample-wise (piecewise-constant) field ``H = h_x X + h_y Y + h_z Z``.

Used for the ibmq_armonk run of Malz & Smith (PRL 126, 163602, 2021; data in
``tests/data/ibmq_armonk_floquet_driven_qubit.csv``): a two-tone quasi-periodic drive

    h_x = s B sin a_1,  h_y = s B sin a_2,  h_z = B (m − cos a_1 − cos a_2),
    a_i = ω_i r_k B t_k + φ_i,   t_k = k dt,   r_k = min(k / K_ramp, 1)

held constant on each sample ``k`` (``dt = 2/9 ns``). ``s`` is the **drive scale**: the
transverse field was played as a physical pulse whose amplitude was calibrated from the
backend's Rabi rate, while ``h_z`` and the phases were applied in software (frame changes),
so only ``h_x, h_y`` carry a calibration error. In the hardware (lab) frame the measured
transverse components are those of the model frame rotated back by the software phase
``φ_n = 2 Σ_{k<n} h_z dt``: ``x_lab + i y_lab = e^{−iφ_n} (x + i y)`` (the data file's
``rotz = e^{iφ_n}``, ``x_corr + i y_corr = rotz (x_lab + i y_lab)``).

Propagation (:func:`bloch_at_samples`): the project's pulse solver. The field is played as three
baseband channels ``X, Y, Z`` of a two-level :class:`~qbhw.pulse.PulseModel` (envelopes ``h/2π`` in
GHz, ``dt`` in ns, zero carriers), compiled once per drive and number of samples
(:func:`qbhw.pulse.compile_problem`); a drive scale multiplies the coefficients of the ``X, Y``
terms, and :func:`qbhw.pulse.propagate.propagate_trajectory` takes the closed two-level fast path:
``U_k = exp(−i dt h_k·σ)`` in closed form (Cayley–Klein pairs), block products by a pairwise tree,
a prefix scan over the blocks, and a pass over the recorded samples inside their blocks. Exact for
the piecewise-constant model (no ODE error); ~10 ms for the 90 000 samples of the Armonk file.

Readout (:class:`DrivenQubitModel`): the measured ±1 expectation of each axis is
``c_axis × (model value in the lab frame) + offset_axis`` (per-axis contrast ``c``; offsets fixed
at 0 unless freed). Decoherence during the drive is not modelled; it lowers the fitted contrast.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from ..errors import DataError, InvalidArgumentError
from .data import DataTable, FitData, make_fit_data
from .models import CurveModel

__all__ = [
    "QuasiperiodicDrive",
    "bloch_at_samples",
    "software_phase",
    "to_lab_frame",
    "DrivenQubitModel",
    "armonk_drive_from_header",
    "armonk_fit_data",
    "AXES",
]

AXES = ("x", "y", "z")


@dataclass(frozen=True)
class QuasiperiodicDrive:
    """The two-tone drive of Malz & Smith (module docstring); times in s, fields in rad/s."""

    max_drive: float
    m: float
    omega1: float = 0.125
    omega2: float = 0.125 * (1 + math.sqrt(5)) / 2
    phi1: float = math.pi / 10
    phi2: float = 0.0
    dt: float = 2.0 / 9.0 * 1e-9
    ramp_samples: int = 2000
    n_samples: int = 90000

    def fields(self, drive_scale: float = 1.0, n_samples: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(h_x, h_y, h_z)`` on samples ``k = 0 … n_samples−1`` (rad/s)."""
        n = self.n_samples if n_samples is None else int(n_samples)
        k = np.arange(n, dtype=float)
        r = np.minimum(k / self.ramp_samples, 1.0) if self.ramp_samples > 0 else np.ones(n)
        t = k * self.dt
        a1 = self.omega1 * r * self.max_drive * t + self.phi1
        a2 = self.omega2 * r * self.max_drive * t + self.phi2
        b = self.max_drive
        return drive_scale * b * np.sin(a1), drive_scale * b * np.sin(a2), b * (self.m - np.cos(a1) - np.cos(a2))

    def initial_bloch(self) -> np.ndarray:
        """``+h(0)/|h(0)|`` with the nominal (unscaled) field — the state the u3 gate prepared."""
        hx, hy, hz = (f[0] for f in self.fields(1.0, 1))
        v = np.array([hx, hy, hz])
        return v / np.linalg.norm(v)


PAULIS = (np.array([[0, 1], [1, 0]], dtype=complex), np.array([[0, -1j], [1j, 0]]),
          np.diag([1.0, -1.0]).astype(complex))


class _CompiledDrive:
    """``drive`` on samples ``0 … top−1`` compiled by :mod:`qbhw.pulse` at drive scale 1 (channels ``x, y, z``
    carrying ``h/2π`` in GHz); :meth:`states` rescales the coefficients of the transverse (x, y) terms."""

    def __init__(self, drive: QuasiperiodicDrive, top: int):
        from ..pulse import PulseModel, PulseSignals, compile_problem
        from ..pulse.propagate import active_terms

        model = PulseModel(np.zeros((2, 2)), {a: 2 * np.pi * P for a, P in zip(AXES, PAULIS)})
        to_ghz = 1e-9 / (2 * np.pi)  # rad/s -> GHz (cyclic)
        fields = drive.fields(1.0, top)
        signals = PulseSignals.from_arrays(drive.dt * 1e9, {a: f * to_ghz for a, f in zip(AXES, fields)},
                                           {a: 0.0 for a in AXES})
        self.problem = compile_problem(model, signals)  # static H = 0: its rotating frame is the lab frame
        self.transverse = np.array([src[0] in ("x", "y") for src in self.problem.term_sources], dtype=bool)
        self.active = active_terms(self.problem)

    def states(self, record: np.ndarray, drive_scale: float, psi0: np.ndarray) -> np.ndarray:
        from ..pulse.propagate import propagate_trajectory

        p = self.problem
        weights = np.where(self.transverse, float(drive_scale), 1.0)
        scaled = dataclasses.replace(p, coeffs=p.coeffs * weights)
        active = self.active & ((weights != 0) | ~self.transverse)
        return propagate_trajectory(scaled, p.to_frame(psi0), record, active=active)


@functools.lru_cache(maxsize=4)
def _compiled(drive: QuasiperiodicDrive, top: int) -> _CompiledDrive:
    return _CompiledDrive(drive, top)


def bloch_at_samples(drive: QuasiperiodicDrive, samples, drive_scale: float = 1.0, initial=None) -> np.ndarray:
    """Model-frame Bloch vectors after ``samples[i]`` drive samples: shape ``(len(samples), 3)``.

    Played through :mod:`qbhw.pulse` (module docstring); ``initial`` is the starting Bloch vector (default
    :meth:`QuasiperiodicDrive.initial_bloch`).
    """
    n = np.asarray(samples)
    if n.ndim != 1 or np.any(n < 0) or np.any(np.round(n) != n):
        raise InvalidArgumentError("samples must be non-negative integers", argument="samples")
    n = n.astype(np.int64)
    top = int(n.max()) if n.size else 0
    r0 = drive.initial_bloch() if initial is None else np.asarray(initial, float)
    if top == 0:
        return np.tile(r0, (n.size, 1))
    theta, phi = np.arccos(np.clip(r0[2], -1, 1)), np.arctan2(r0[1], r0[0])
    psi0 = np.array([np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)])
    uniq, inv = np.unique(n, return_inverse=True)
    psi = _compiled(drive, top).states(uniq, drive_scale, psi0)
    c = np.conj(psi[:, 0]) * psi[:, 1]
    vec = np.stack([2 * c.real, 2 * c.imag, np.abs(psi[:, 0]) ** 2 - np.abs(psi[:, 1]) ** 2], axis=1)
    return vec[inv]


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
    """Drive parameters of run ``m`` read from the CSV header (B, ω_1, ω_2, φ_i, dt, ramp)."""
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
