"""Adaptive ODE reference path: ``scipy.integrate.solve_ivp`` (DOP853) on the same compiled model.

``y' = A(t) y`` with ``A(t)`` of :class:`~qbhw.pulse.problem.LinearProblem` (held envelope
``c_{k,q}`` for ``t ∈ [k dt, (k+1) dt)``, continuous carriers ``e^{iΩ_q t}``). The envelope jumps
at sample boundaries, so the integration restarts at every boundary where the held coefficients
change (runs of identical samples, e.g. delays, are one segment); inside a segment the generator
is smooth and DOP853's error control (``rtol``/``atol``) holds. With a continuous ``envelope``
callable the window is integrated in one pass.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..errors import InvalidArgumentError

__all__ = ["solve_ode"]


def solve_ode(problem, y0: np.ndarray, record: np.ndarray, *, rtol: float = 1e-10, atol: float = 1e-12,
              method: str = "DOP853", envelope=None) -> np.ndarray:
    """States at sample boundaries ``record``; ``envelope`` (optional) replaces the held coefficients by a
    callable ``t -> coeffs (Q,)`` (e.g. continuous Gaussians, for the stack.md reference numbers)."""
    if problem.coeffs.ndim != 2:
        raise InvalidArgumentError("the ODE path runs one lane at a time", argument="problem",
                                   allowed="a problem without lanes")
    dt, n = problem.dt_ns, problem.n_samples
    Q, D = problem.ops.shape[0], problem.D
    ops = problem.ops.reshape(Q, D * D)
    A0 = problem.A0.ravel()
    freqs = problem.freqs
    coeffs = problem.coeffs
    record = np.asarray(record, dtype=int)
    y = np.asarray(y0, dtype=complex)
    out = np.empty((record.size, D), dtype=complex)

    if envelope is not None:
        def rhs_c(t, y):
            return (A0 + (envelope(t) * np.exp(1j * freqs * t)) @ ops).reshape(D, D) @ y

        t_eval = record * dt
        if t_eval[-1] == 0:
            return np.repeat(y[None], record.size, axis=0)
        sol = solve_ivp(rhs_c, (0.0, float(t_eval[-1])), y, method=method, rtol=rtol, atol=atol, t_eval=t_eval)
        if not sol.success:  # pragma: no cover
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        return sol.y.T.astype(complex)

    # segment boundaries: where the held coefficients change, and every recorded sample
    last = int(record.max())
    cuts = np.zeros(last + 1, dtype=bool)
    cuts[0] = cuts[last] = True
    if last > 1 and Q:
        cuts[1:last] |= np.any(coeffs[1:last] != coeffs[:last - 1], axis=1)
    cuts[record] = True
    edges = np.nonzero(cuts)[0]
    slot = {int(r): i for i, r in enumerate(record)}
    if 0 in slot:
        out[slot[0]] = y
    for a, b in zip(edges[:-1], edges[1:]):
        ck = coeffs[a] if Q else None

        def rhs(t, y, ck=ck):
            if ck is None:
                return A0.reshape(D, D) @ y
            return (A0 + (ck * np.exp(1j * freqs * t)) @ ops).reshape(D, D) @ y

        t0, t1 = a * dt, b * dt
        sol = solve_ivp(rhs, (t0, t1), y, method=method, rtol=rtol, atol=atol,
                        first_step=min(dt, t1 - t0) * (1 - 1e-9))
        if not sol.success:  # pragma: no cover
            raise RuntimeError(f"solve_ivp failed: {sol.message}")
        y = sol.y[:, -1]
        if int(b) in slot:
            out[slot[int(b)]] = y
    return out
