"""Initial-guess helpers: grid scans with the linear parameters solved exactly (variable projection).

A model ``y ≈ Σ_k c_k f_k(x; θ)`` is linear in the amplitudes ``c`` once the nonlinear
parameters ``θ`` are fixed. :func:`linear_scan` evaluates the weighted least-squares χ² of the
best ``c`` for every ``θ`` on a grid at once (numpy, no Python loop over the grid) and returns
the best grid point — a robust global start for the local optimiser of lmfit, which otherwise
locks onto the nearest alias of a frequency.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError, DimensionMismatchError

__all__ = ["linear_scan", "frequency_grid", "weights_from_sigma"]


def weights_from_sigma(sigma, n: int) -> np.ndarray:
    """Weights ``1/σ`` of ``n`` points (ones when ``sigma`` is None).

    Raises
    ------
    DataError
        a σ that is ≤ 0, NaN or inf (it would give an infinite or undefined weight), naming the row;
        DimensionMismatchError: not one σ per point (a scalar σ is broadcast).
    """
    if sigma is None:
        return np.ones(n)
    s = np.asarray(sigma, dtype=float)
    if s.ndim == 0:
        s = np.full(n, float(s))
    if s.shape != (n,):
        raise DimensionMismatchError(f"sigma has shape {s.shape} for {n} points", argument="sigma",
                                     allowed="one standard error per point")
    bad = np.flatnonzero(~np.isfinite(s) | (s <= 0))
    if bad.size:
        k = int(bad[0])
        raise DataError(f"row {k}: standard error sigma = {float(s[k])!r} would give an infinite or undefined "
                        "weight" + (f" ({bad.size} such rows)" if bad.size > 1 else ""),
                        argument="sigma", row=k, column="sigma", allowed="finite sigma > 0")
    return 1.0 / s


def linear_scan(y, basis, weights=None):
    """Best linear amplitudes on each grid point.

    Parameters
    ----------
    y:
        data, shape ``(n,)``.
    basis:
        shape ``(G, n, p)``: ``p`` basis functions at the ``n`` points for each of ``G`` grid points.
    weights:
        ``1/σ`` (shape ``(n,)``) or ``None``.

    Returns
    -------
    (best_index, coefficients (G, p), chi2 (G,))
    """
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    a = basis * w[None, :, None]
    b = y * w
    ata = np.einsum("gnp,gnq->gpq", a, a)
    atb = np.einsum("gnp,n->gp", a, b)
    p = ata.shape[-1]
    ata = ata + 1e-12 * np.trace(ata, axis1=1, axis2=2)[:, None, None] * np.eye(p)[None] + 1e-300
    coef = np.linalg.solve(ata, atb[..., None])[..., 0]
    resid = b[None, :] - np.einsum("gnp,gp->gn", a, coef)
    chi2 = np.sum(resid**2, axis=1)
    chi2 = np.where(np.isfinite(chi2), chi2, np.inf)
    return int(np.argmin(chi2)), coef, chi2


def frequency_grid(x, *, harmonic: float = 2.0, points_per_period: float = 8.0, max_points: int = 4000) -> np.ndarray:
    """Angular frequencies ``Ω`` for scanning ``f(Ωx)`` whose period in ``x`` is ``2π/(harmonic Ω)``.

    From a quarter oscillation over the data span up to the Nyquist limit of the smallest
    spacing (``harmonic·Ω·Δx_min = π``), spaced finely enough that neighbouring grid points
    differ by a fraction ``1/points_per_period`` of a period over the span.
    """
    x = np.unique(np.asarray(x, dtype=float))
    span = float(x.max() - x.min()) if x.size > 1 else 1.0
    span = span if span > 0 else 1.0
    dx = float(np.min(np.diff(x))) if x.size > 1 else span
    w_min = 0.25 * np.pi / (harmonic * span)
    w_max = np.pi / (harmonic * dx)
    if w_max <= w_min:
        w_max = 4 * w_min
    step = 2.0 * np.pi / (harmonic * span * points_per_period)
    n = int(min(max_points, max(64, np.ceil((w_max - w_min) / step))))
    return np.linspace(w_min, w_max, n)
