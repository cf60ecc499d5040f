"""The main demo (``qbhw demo``): charge example batteries and print their figures of merit.

Every number printed is computed here, from the library, at run time.

:func:`run_demo` returns the report as a dict that is the same on every run with the same arguments (no
timings, no dates): ``"format"`` (:data:`DEMO_FORMAT`), the qbhw ``"version"``, ``"units"`` (per section,
field name → unit: the dimensionless models in ω_0 and 1/ω_0, the transmon in GHz (E/h) and ns; ``"1"``
for dimensionless numbers) and one entry per section (``figures_of_merit``, ``dicke``, ``transmon``). The
text output also shows how long each Dicke size took.

With ``figures`` (a dict) it also draws the demo's figures into it, file name → ``matplotlib.figure.Figure``
(built without pyplot): the Dicke charging curves (:meth:`qbhw.metrics.ChargingCurve.plot`, one panel per
N), the level populations of STIRAP and of the sequential π pulses during the pulse, and P(|2⟩) of both at
amplitude scales 1 and 0.8; :func:`write_figures` writes them as PNG files.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import TextIO

import numpy as np

from . import __version__, metrics
from .conventions import SIGMA_X, SIGMA_Y_REVIEW, SIGMA_Z_REVIEW, cell_hamiltonian

__all__ = ["DEMO_FORMAT", "UNITS", "run_demo", "write_figures"]

#: format tag of the demo report (``qbhw demo --json``)
DEMO_FORMAT = "qbhw-demo/1"
_W0, _T0, _P0, _ONE = "ω_0", "1/ω_0", "ω_0^2", "1"
#: unit of every numeric field of the report, per section ("1": dimensionless)
UNITS = {
    "figures_of_merit": {
        "qubit": _W0, "qutrit_n_copy": _W0, "qutrit_bound": _W0, "qutrit_beta": _T0,
        "energy": _W0, "ergotropy": _W0, "antiergotropy": _W0, "capacity": _W0, "incoherent_ergotropy": _W0,
        "thermal_bound": _W0,
    },
    "dicke": {
        "g": _W0, "rabi_max_average_power": _P0, "n_cells": _ONE, "tau_max_power": _T0,
        "max_average_power": _P0, "power_over_n32": _P0, "gamma": _ONE, "ergotropy_fraction": _ONE,
    },
    "transmon": {
        "amp_scale": _ONE, "populations": _ONE, "work_ghz": "GHz", "ergotropy_ghz": "GHz", "tau_ns": "ns",
        "average_power_ghz_per_ns": "GHz/ns", "times_ns": "ns", "energy_ghz": "GHz",
    },
}


def _print(out: TextIO | None, text: str = "") -> None:
    if out is not None:
        out.write(text + "\n")


def figures_of_merit_section(out) -> dict:
    """Single-qubit and qutrit figures of merit (review Sec. II)."""
    _print(out, "== Figures of merit (review Sec. II) ==")
    h_qubit = cell_hamiltonian(1.0)
    r, theta, phi = 0.8, 0.7, 0.3
    bloch = r * np.array([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])
    rho = 0.5 * (np.eye(2) + bloch[0] * SIGMA_X + bloch[1] * SIGMA_Y_REVIEW + bloch[2] * SIGMA_Z_REVIEW)
    q = {
        "energy": metrics.energy(rho, h_qubit),
        "ergotropy": metrics.ergotropy(rho, h_qubit),
        "antiergotropy": metrics.antiergotropy(rho, h_qubit),
        "capacity": metrics.capacity(rho, h_qubit),
        "incoherent_ergotropy": metrics.incoherent_ergotropy(rho, h_qubit),
        "thermal_bound": metrics.thermal_bound(rho, h_qubit).bound,
    }
    _print(out, f"qubit, Bloch vector |r|={r}, θ={theta}, φ={phi} (ω_0 = 1):")
    for k, v in q.items():
        _print(out, f"  {k:<22s} {v: .6f}")
    h3 = np.diag([0.0, 1.0, 2.0])
    rho3 = np.diag([0.5, 0.5, 0.0])
    tb = metrics.thermal_bound(rho3, h3)
    copies = {n: metrics.n_copy_ergotropy(rho3, h3, n) for n in (1, 2, 3, 4, 6, 12)}
    _print(out, "qutrit ρ = diag(½, ½, 0), H = diag(0, 1, 2): passive but not completely passive")
    _print(out, "  ergotropy per copy ε(n): " + ", ".join(f"n={n}: {v:.5f}" for n, v in copies.items()))
    _print(out, f"  entropy-matched bound (Eq. 7): {tb.bound:.7f} at β̄ = {tb.beta:.7f}")
    return {"qubit": q, "qutrit_n_copy": copies, "qutrit_bound": tb.bound, "qutrit_beta": tb.beta}


def dicke_section(out, quick: bool, figures: dict | None = None) -> dict:
    """Dicke battery vs parallel Rabi batteries (review Sec. III.B, Eq. 34); with ``figures``, their
    charging curves (``dicke-charging-curves.png``)."""
    from .models import DickeBattery, RabiBattery
    from .solvers import charge

    _print(out, "\n== Dicke quantum battery (Ferraro 2018; review Eqs. 28–34), g/ω_0 = 0.5, n = N photons ==")
    g = 0.5
    sizes = (1, 2, 4, 8) if quick else (1, 2, 4, 8, 16)
    rabi = charge(RabiBattery(g), np.linspace(0.0, 3.0, 1501), ergotropy=False)
    p1 = rabi.average_power_at("max_power")
    _print(out, f"{'N':>4} {'τ̃':>8} {'⟨P⟩_τ̃':>10} {'⟨P⟩/N^1.5':>10} {'Γ':>7} {'𝓔/E at τ̃':>10} {'time [s]':>9}")
    rows = []
    curves = []
    for n in sizes:
        t0 = time.perf_counter()
        model = DickeBattery(n, g)
        times = np.linspace(0.0, 3.0 / np.sqrt(n), 1201)
        curve = charge(model, times)
        p = curve.average_power_at("max_power")
        gamma = metrics.quantum_advantage(curve, rabi, n, tau="max_power")
        frac = curve.ergotropy_fraction_at("max_power")
        dt = time.perf_counter() - t0  # printed, not reported: the report is the same on every run
        rows.append({"n_cells": n, "tau_max_power": curve.tau_max_power, "max_average_power": p,
                     "power_over_n32": p / n**1.5, "gamma": gamma, "ergotropy_fraction": frac})
        curves.append((n, curve))
        _print(out, f"{n:>4d} {curve.tau_max_power:8.4f} {p:10.4f} {p / n**1.5:10.4f} {gamma:7.3f} {frac:10.4f} "
                    f"{dt:9.2f}")
    _print(out, f"(single Rabi cell: ⟨P⟩_τ̃ = {p1:.4f}; Γ grows like √N, ⟨P⟩/N^1.5 saturates)")
    if figures is not None:
        figures["dicke-charging-curves.png"] = _dicke_figure(curves, g)
    return {"g": g, "rabi_max_average_power": p1, "rows": rows}


def _dicke_figure(curves, g: float):
    """One panel per N: energy, ergotropy, τ̃ and τ̄ of the Dicke battery (ChargingCurve.plot)."""
    from matplotlib.figure import Figure

    ncols = min(len(curves), 3)
    nrows = -(-len(curves) // ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.6 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (n, curve) in zip(axes, curves):
        curve.plot(ax)
        ax.set_title(f"N = {n}", fontsize=9)
    for ax in axes[len(curves):]:
        ax.set_visible(False)
    fig.suptitle(f"Dicke battery charged by N photons, g/ω_0 = {g}", fontsize=10)
    return fig


def transmon_section(out, figures: dict | None = None) -> dict:
    """STIRAP vs sequential π pulses on a transmon qutrit |0⟩ → |2⟩ at pulse level, through the protocol layer
    (:mod:`qbhw.protocols`; Hu et al. 2022; review Secs. IV.B, VI.A), and the stored charge under T1/Tφ.
    With ``figures``: the populations during each pulse (``stirap-populations.png``,
    ``pi-pulse-populations.png``) and P(|2⟩) at both amplitude scales (``transmon-amplitude-robustness.png``)."""
    from . import protocols
    from .devices import load
    from .pulse.protocols import storage_curve

    _print(out, "\n== Transmon qutrit charged by STIRAP at pulse level (ν = 5 GHz, α = −0.3 GHz, dt = 2/9 ns, T1/Tφ) ==")
    _print(out, f"{'protocol':<26} {'amp. scale':>10} {'P0':>7} {'P1':>7} {'P2':>7} {'W [GHz]':>8} {'𝓔 [GHz]':>8} "
                f"{'τ [ns]':>7} {'⟨P⟩=W/τ':>9}")
    rows = []
    acquired = {}  # (protocol, amplitude scale) → (label, data, results), for the figures
    for label, name in (("STIRAP (Stokes first)", "stirap_charging"), ("sequential π pulses", "pi_pulse_charging")):
        proto = protocols.get(name)
        grid = proto.Parameters().times_ns  # the whole pulse; resolved in time only when it is drawn
        window = grid[-1]
        for amp in (1.0, 0.8):
            times = grid if figures is not None else (0.0, window)
            data = proto.acquire(proto.Parameters(amp_scale=amp, times_ns=times), "exact")
            res = proto.analyse(data, fit=False)
            acquired[(name, amp)] = (label, data, res)
            p = res.final_populations
            row = {"protocol": label, "amp_scale": amp, "populations": list(p), "work_ghz": res.final_work,
                   "ergotropy_ghz": res.final_ergotropy, "tau_ns": float(window),
                   "average_power_ghz_per_ns": res.average_power}
            rows.append(row)
            _print(out, f"{label:<26} {amp:10.2f} {p[0]:7.4f} {p[1]:7.4f} {p[2]:7.4f} {row['work_ghz']:8.4f} "
                        f"{row['ergotropy_ghz']:8.4f} {window:7.1f} {row['average_power_ghz_per_ns']:9.4f}")
    _print(out, "(STIRAP is slower but robust to a 20 % amplitude error; the π pulses are fast but fragile)")
    storage = storage_curve(load("transmon_qutrit_stirap"), 2, [0.0, 5000.0, 20000.0])
    _print(out, "stored charge |2⟩ under T1/Tφ: " + ", ".join(
        f"t = {t / 1000:.0f} µs: E = {e:.3f}, 𝓔 = {x:.3f} GHz" for t, e, x in
        zip(storage.times, storage.energy, storage.ergotropy)))
    if figures is not None:
        figures.update(_transmon_figures(acquired))
    return {"rows": rows, "storage": {"times_ns": storage.times.tolist(), "energy_ghz": storage.energy.tolist(),
                                      "ergotropy_ghz": storage.ergotropy.tolist()}}


def _transmon_figures(acquired: dict) -> dict:
    """From the section's acquisitions on each protocol's default time grid (``acquired``: (protocol,
    amplitude scale) → (label, data, results)): the protocol's own population figure at amplitude scale 1,
    and P(|2⟩)(t) at scales 1 and 0.8 side by side."""
    from matplotlib.figure import Figure

    from . import protocols

    out = {}
    robust = Figure(figsize=(9.6, 3.8), layout="constrained")
    axes = robust.subplots(1, 2)
    panels = (("stirap_charging", "stirap-populations.png"), ("pi_pulse_charging", "pi-pulse-populations.png"))
    for ax, (name, file) in zip(axes, panels):
        proto = protocols.get(name)
        for amp in (1.0, 0.8):
            label, data, res = acquired[(name, amp)]
            if amp == 1.0:
                out[file] = proto.plot(data, res)
            pops = np.asarray(data.curve.observables["populations"])
            ax.plot(data.curve.times, pops[:, 2], "-" if amp == 1.0 else "--", label=f"amplitude × {amp:g}")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("t [ns]")
        ax.set_ylabel("P(|2⟩)")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=8)
    robust.suptitle("transmon qutrit |0⟩ → |2⟩: robustness to a 20 % amplitude error", fontsize=10)
    out["transmon-amplitude-robustness.png"] = robust
    return out


def run_demo(quick: bool = False, out: TextIO | None = None, *, figures: dict | None = None) -> dict:
    """Run every demo section and return the report dict (module docstring; the same on every run with the
    same arguments). ``out``: where the text goes (``None``: nowhere). ``figures``: a dict that receives
    the demo's figures, file name → ``matplotlib.figure.Figure`` (drawn only when given)."""
    report = {"format": DEMO_FORMAT, "version": __version__, "units": {k: dict(v) for k, v in UNITS.items()},
              "figures_of_merit": figures_of_merit_section(out)}
    report["dicke"] = dicke_section(out, quick, figures)
    report["transmon"] = transmon_section(out, figures)
    return report


def write_figures(figures: dict, directory) -> list[Path]:
    """Write each figure of ``figures`` (file name → ``Figure``) as a PNG into ``directory`` (created when
    missing), each file atomically; returns the paths in the order of ``figures``."""
    from .serialization import atomic_write_bytes

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        paths.append(atomic_write_bytes(target / name, buf.getvalue()))
    return paths
