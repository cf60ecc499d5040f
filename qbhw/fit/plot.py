"""Figures of fits: data with error bars, the fitted curve, normalised residuals (matplotlib).

:func:`plot_fit` draws any :class:`~qbhw.fit.result.FitResult` (one panel per series for
multi-series models such as :class:`~qbhw.protocols.driven_qubit.DrivenQubitModel`);
:func:`plot_scaling` a :class:`~qbhw.fit.scaling.ScalingResult` on log-log axes;
:func:`plot_profile` the criterion of a :class:`~qbhw.fit.profile.ProfileResult` per integer.
Each returns a ``matplotlib.figure.Figure`` and writes it when ``path`` is given. The figures are
built with matplotlib's object-oriented API (``Figure`` directly, not ``pyplot``): importing or calling
these functions never switches the matplotlib backend, never opens a window and does not register the
figure with pyplot, so they work the same in scripts, on headless machines and in notebooks (where a
returned ``Figure`` is displayed inline).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_fit", "plot_scaling", "plot_profile"]


def _label(name, unit):
    return f"{name} [{unit}]" if unit else str(name)


def plot_fit(result, path=None, *, title: str | None = None, dense: int = 400, series=None):
    """Data ± σ, fitted curve and residuals of ``result``. ``series``: labels per row (multi-series)."""
    if series is None and result.lmfit_result is not None:
        series = getattr(result.lmfit_result.model, "series", None)
    groups = [None] if series is None else list(dict.fromkeys(np.asarray(series).tolist()))
    fig = Figure(figsize=(5.5 * len(groups), 5.5))
    axes = fig.subplots(2, len(groups), sharex="col", squeeze=False, gridspec_kw={"height_ratios": [3, 1]})
    info = result.data_info
    for j, g in enumerate(groups):
        sel = np.ones(result.y.size, bool) if g is None else (np.asarray(series) == g)
        ax, axr = axes[0, j], axes[1, j]
        x, y = result.x[sel], result.y[sel]
        err = None if result.sigma is None else result.sigma[sel]
        ax.errorbar(x, y, yerr=err, fmt="o", ms=3, lw=0.8, label="data", zorder=2)
        if result.ok:
            if g is None and result.evaluator is not None and np.unique(x).size == x.size:
                xd = np.linspace(x.min(), x.max(), dense)
                try:
                    ax.plot(xd, result.evaluate(xd), "-", label="fit", zorder=3)
                except Exception:  # a model tied to its data rows: draw at the data points
                    order = np.argsort(x)
                    ax.plot(x[order], result.best_fit[sel][order], "-", label="fit", zorder=3)
            else:
                order = np.argsort(x)
                ax.plot(x[order], result.best_fit[sel][order], "-", label="fit", zorder=3)
            axr.axhline(0, color="k", lw=0.6)
            axr.plot(x, result.normalized_residuals[sel], ".", ms=3)
        else:
            ax.text(0.5, 0.5, "FIT FAILED (quality: bad)", transform=ax.transAxes, ha="center", color="red")
        ax.set_ylabel(_label(info.get("y_name", "y"), info.get("y_unit")) + ("" if g is None else f" — {g}"))
        axr.set_ylabel("(y - fit)/σ" if result.sigma is not None else "y - fit")
        axr.set_xlabel(_label(info.get("x_name", "x"), info.get("x_unit")))
        ax.legend(fontsize=8)
    head = title or f"{result.model_name} — quality {result.quality}"
    if result.ok:
        pars = ", ".join(f"{k}={p.value:.4g}±{p.stderr:.2g}" for k, p in result.parameter_estimates.items()
                         if p.vary and p.stderr is not None)
        head += f"\nχ²_red={result.redchi:.3g}; {pars}"
    fig.suptitle(head, fontsize=9)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def plot_scaling(result, path=None, *, title: str | None = None):
    """Log-log plot of ``y(N)`` with the fitted power law and its exponent interval."""
    fig = Figure(figsize=(5, 4))
    ax = fig.subplots()
    ax.errorbar(result.n, result.y, yerr=result.sigma, fmt="o", label="data")
    nd = np.geomspace(result.n.min(), result.n.max(), 200)
    ax.plot(nd, result.evaluate(nd), "-",
            label=f"α = {result.exponent:.4g} [{result.ci95[0]:.4g}, {result.ci95[1]:.4g}] (95 %, {result.method})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("N")
    ax.set_ylabel(result.quantity)
    ax.legend(fontsize=8)
    ax.set_title(title or f"scaling of {result.quantity}", fontsize=9)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def plot_profile(profile, path=None):
    """The model-selection criterion (ΔAIC/ΔBIC) of each candidate integer."""
    fig = Figure(figsize=(5, 3.5))
    ax = fig.subplots()
    ks = [row[profile.parameter] for row in profile.table if row["delta"] is not None]
    ds = [row["delta"] for row in profile.table if row["delta"] is not None]
    ax.plot(ks, ds, "o-")
    ax.axhline(2.0, color="grey", ls="--", lw=0.8)
    ax.set_xlabel(profile.parameter)
    ax.set_ylabel(f"Δ{profile.criterion.upper()}")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_title(f"best {profile.parameter} = {profile.best_value}", fontsize=9)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
