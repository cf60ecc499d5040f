"""Readout assignment matrix of a transmon (a calibration routine; qibocal's ``readout_characterization``,
qiskit-experiments' ``LocalReadoutError``).

Each level ``j`` of the transmon (``|0⟩``, ``|1⟩`` and, on a qutrit, ``|2⟩``) is prepared from ``|0⟩`` with the
calibrated π pulses (``|1⟩``: the 0→1 π pulse; ``|2⟩``: the 0→1 then the 1→2 π pulse, :func:`prepare
<qbhw.protocols._calibration.prepare>`) and read out ``shots`` times. The assignment matrix is estimated by the
frequencies

    A[i][j] = P(read i | prepared j) ≈ n_ij / n_j,

column-stochastic by construction, with the standard error of each entry from the Jeffreys posterior of the
counts of its column, Dirichlet(n_ij + ½): ``σ_ij² = p̃_ij (1 − p̃_ij) / (n_j + d/2 + 1)``, ``p̃_ij = (n_ij + ½) /
(n_j + d/2)`` (``d`` levels). The mean assignment fidelity is ``F = (1/d) Σ_j A[j][j]`` with ``σ_F =
√(Σ_j σ_jj²) / d``. ``A`` corrects later measurements (``p = A⁻¹ f``, :func:`mitigate
<qbhw.protocols._calibration.mitigate>`); it goes to the record as ``readout_assignment`` with its standard-error
matrix (no single 95 % interval for a matrix).

Systematics: a prepared level is only as good as its π pulses — a residual population ``ε`` left in a
neighbouring level after the preparation moves ``≈ ε`` from the diagonal of ``A`` to that neighbour's row (the
estimate is ``A_true · P_prep``, ``P_prep[k][j]`` the population of ``k`` after preparing ``j``), and T1 decay
during the π pulses adds ``≈ t_π / T1`` (10⁻³ for 24 ns pulses and T1 ≈ 20 µs). The record's matrix includes both,
as a measured assignment matrix does on hardware (it is the map from the *prepared* states the other routines use
to the readout).

The estimate is accepted (``updates``) only when the readout resolves every level: each diagonal entry exceeds ½ by
three standard errors (then ``A`` is column diagonally dominant, hence invertible).

Transmon physics and readout: review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Sec. VI.A; Koch et al.,
Phys. Rev. A 76, 042319 (2007); the standard readout characterisation: Krantz et al., Appl. Phys. Rev. 6, 021318
(2019), Sec. V; Jeffreys prior: H. Jeffreys, Proc. R. Soc. A 186, 453 (1946).

Procedure: **parameters** → **acquisition** (``exact``/``pulse`` or a simulated device; finite, seeded shots) →
**analysis** (frequencies, record value) → **plot**. Units: ns, GHz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError
from ._calibration import (CALIBRATION_BACKENDS, CalibrationParameters, CalibrationResults, calibration_device,
                           make_value, measure, mitigate, prepare, sweep_data)
from .base import Data

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "acquire", "analyse", "plot", "assignment_estimate"]

NAME = "readout"
BACKENDS = CALIBRATION_BACKENDS
#: levels :func:`~qbhw.protocols._calibration.prepare` can prepare
MAX_LEVELS = 3


@dataclass(frozen=True, kw_only=True)
class Parameters(CalibrationParameters):
    """``shots``: readouts of each prepared level (default 10000: the matrix's entries to ≈ 0.002)."""

    UNITS: ClassVar[dict[str, str]] = {}
    HELP: ClassVar[dict[str, str]] = {}

    shots: int | None = 10000


@dataclass(kw_only=True)
class Results(CalibrationResults):
    """``assignment``: ``A[i][j] = P(read i | prepared j)`` (nested lists, ``d × d``); ``assignment_stderr``: the
    standard error of each entry; ``assignment_fidelity`` and ``assignment_fidelity_stderr``: the mean of the
    diagonal ``(1/d) Σ_j A[j][j]`` and its standard error."""

    assignment: list | None = None
    assignment_stderr: list | None = None
    assignment_fidelity: float = math.nan
    assignment_fidelity_stderr: float = math.nan


def assignment_estimate(counts) -> tuple[np.ndarray, np.ndarray]:
    """``(A, σ)`` from ``counts[j][i]`` (readouts ``i`` after preparing ``j``): ``A[i][j] = n_ij / n_j`` and the
    Jeffreys-posterior standard errors (see the module docstring)."""
    f, err = mitigate(counts, None)  # no assignment matrix: the raw frequencies and their Jeffreys σ
    return f.T, err.T


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Prepare each level with the calibrated π pulses and read it out ``shots`` times (see the module docstring)."""
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    device = calibration_device(parameters, obj)
    d = device.levels
    if d > MAX_LEVELS:
        raise ConfigError(f"a {d}-level device", argument="device",
                          allowed=f"a device of at most {MAX_LEVELS} levels (the π pulses prepare |0>, |1>, |2>)")
    levels = list(range(d))
    counts = measure(parameters, obj, device, [prepare(device, j) for j in levels])
    return sweep_data(NAME, parameters, obj, device, x=levels, counts=counts, x_name="prepared level", x_unit="")


def analyse(data: Data) -> Results:
    """The assignment matrix from the frequencies; it goes to the record as ``readout_assignment`` when every
    level is resolved."""
    counts = np.asarray(data.raw["counts"], dtype=int)
    A, err = assignment_estimate(counts)
    d = A.shape[0]
    out = Results(protocol=NAME)
    out.assignment = A.tolist()
    out.assignment_stderr = err.tolist()
    diag, diag_err = np.diag(A), np.diag(err)
    out.assignment_fidelity = float(diag.mean())
    out.assignment_fidelity_stderr = float(np.sqrt(np.sum(diag_err**2)) / d)
    bad = [j for j in range(d) if not diag[j] - 3.0 * diag_err[j] > 0.5]
    if bad:
        out.notes.append("the readout does not resolve level(s) " + ", ".join(
            f"{j} (A[{j}][{j}] = {diag[j]:.3g} ± {diag_err[j]:.2g})" for j in bad)
            + ": each diagonal entry must exceed 1/2 by three standard errors (more shots, or check the π pulses)")
        return out
    out.updates["readout_assignment"] = make_value(
        "readout_assignment", A.tolist(), stderr=err.tolist(),
        settings={"shots": int(counts.sum(axis=1).min()), "prepared": "calibrated pi pulses"})
    return out


def plot(data: Data, results: Results) -> Figure:
    """The assignment matrix as a heat map, each entry with its value and standard error."""
    A = np.asarray(results.assignment, dtype=float)
    err = np.asarray(results.assignment_stderr, dtype=float)
    d = A.shape[0]
    fig = Figure(figsize=(4.8, 4.2))
    ax = fig.subplots()
    im = ax.imshow(A, vmin=0.0, vmax=1.0, cmap="Blues")
    for i in range(d):
        for j in range(d):
            ax.text(j, i, f"{A[i, j]:.4f}\n±{err[i, j]:.4f}", ha="center", va="center", fontsize=7,
                    color="white" if A[i, j] > 0.5 else "black")
    ax.set_xticks(range(d), [f"|{j}>" for j in range(d)])
    ax.set_yticks(range(d), [str(i) for i in range(d)])
    ax.set_xlabel("prepared level j")
    ax.set_ylabel("read i")
    fig.colorbar(im, ax=ax, label="A[i][j] = P(read i | prepared j)")
    ax.set_title(f"Readout of {data.metadata['device']['name']} ({data.parameters.shots} shots, {data.backend})\n"
                 f"mean assignment fidelity {results.assignment_fidelity:.4f} ± "
                 f"{results.assignment_fidelity_stderr:.4f}", fontsize=8)
    fig.tight_layout()
    return fig
