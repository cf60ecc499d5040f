"""Independent reference solutions with QuTiP (``sesolve`` / ``mesolve``), for tests and benchmarks.

The rotating-frame Hamiltonian is built here element by element from the *raw* model and signals
(not from :mod:`qbhw.pulse.problem`): for a diagonal frame ``F = diag(f)``,

    H̃_mn(t) = (H0 − F)_mn e^{i(f_m − f_n)t}
              + Σ_ch O_mn [ŝ(t)/2 e^{i(f_m − f_n + ω)t} + ŝ(t)*/2 e^{i(f_m − f_n − ω)t}],

each exponential kept iff its frequency is below ``rwa_cutoff_ghz`` (when given); the jump
operators become ``Σ_mn L_mn e^{i(f_m − f_n)t} |m⟩⟨n|`` (exact). Held samples are integrated
sample by sample (the envelope jumps at the boundaries); continuous envelopes in one pass.
QuTiP is a test dependency: importing this module without it raises ImportError.
"""

from __future__ import annotations

import numpy as np
import qutip

from ..errors import ConfigError
from .solver import _record_indices, initial_state_vector

__all__ = ["qutip_solve"]


def _frame_diag(model, frame) -> np.ndarray:
    if isinstance(frame, str):
        if frame == "lab":
            return np.zeros(model.dim)
        F = model.static
    else:
        F = np.asarray(frame)
        F = np.diag(F) if F.ndim == 1 else F
    if not np.allclose(F, np.diag(np.diag(F))):
        raise ConfigError("the QuTiP reference supports diagonal frames only", argument="frame",
                          allowed="'lab', 'rotating' with a diagonal static H, or a diagonal")
    return np.real(np.diag(F))


def qutip_solve(model, signals, initial_state, *, frame="rotating", rwa_cutoff_ghz=None, record=None,
                continuous: dict | None = None, open_system: bool | None = None, rtol: float = 1e-10,
                atol: float = 1e-12) -> np.ndarray:
    """States ``(K, d)`` (closed) or ``(K, d, d)`` (open) at the recorded sample boundaries, rotating frame."""
    d = model.dim
    f = _frame_diag(model, frame)
    dt, n = signals.dt_ns, signals.n_samples
    open_ = model.is_open if open_system is None else bool(open_system)
    cut = None if rwa_cutoff_ghz is None else 2 * np.pi * rwa_cutoff_ghz
    keep = (lambda w: True) if cut is None else (lambda w: abs(w) < cut)  # noqa: E731
    dfreq = f[:, None] - f[None, :]

    def unit(m, k):
        e = np.zeros((d, d), dtype=complex)
        e[m, k] = 1
        return e

    amps = {ch: signals.absolute_amplitudes(ch) for ch in signals.channels}
    nus = {}
    for ch in signals.channels:
        u = np.unique(signals.freqs_ghz[ch])
        if u.size > 1:
            raise ConfigError("the QuTiP reference needs one carrier per channel", argument="signals",
                              allowed="no frequency changes")
        nus[ch] = 2 * np.pi * float(u[0]) if u.size else 0.0

    def envelope(ch):
        if continuous is not None:
            return continuous.get(ch, lambda t: 0.0)
        a = amps[ch]
        return lambda t: a[min(max(int(t / dt), 0), n - 1)]

    static = model.static - np.diag(f)
    H = []
    for m in range(d):
        for k in range(d):
            if abs(static[m, k]) > 0:
                w = dfreq[m, k]
                if keep(w):
                    H.append([qutip.Qobj(static[m, k] * unit(m, k)),
                              (lambda w: (lambda t: np.exp(1j * w * t)))(w)])
    for ch, O in model.channel_operators.items():
        if ch not in signals.channels:
            continue
        env, om = envelope(ch), nus[ch]
        for m in range(d):
            for k in range(d):
                if abs(O[m, k]) == 0:
                    continue
                for sign in (1, -1):
                    w = dfreq[m, k] + sign * om
                    if not keep(w):
                        continue
                    if sign == 1:
                        coef = (lambda env, w: (lambda t: 0.5 * env(t) * np.exp(1j * w * t)))(env, w)
                    else:
                        coef = (lambda env, w: (lambda t: 0.5 * np.conj(env(t)) * np.exp(1j * w * t)))(env, w)
                    H.append([qutip.Qobj(O[m, k] * unit(m, k)), coef])
    if not H:
        H = [qutip.Qobj(np.zeros((d, d)))]
    Hq = qutip.QobjEvo(H)
    c_ops = []
    if open_:
        for L in model.jump_operators:
            parts = [[qutip.Qobj(L[m, k] * unit(m, k)), (lambda w: (lambda t: np.exp(1j * w * t)))(dfreq[m, k])]
                     for m in range(d) for k in range(d) if abs(L[m, k]) > 0]
            c_ops.append(qutip.QobjEvo(parts))
    v = initial_state_vector(initial_state, d)
    if open_ and v.ndim == 1:
        v = np.outer(v, v.conj())
    rho0 = qutip.Qobj(v)
    rec = _record_indices(record, n)
    opts = {"method": "vern9", "rtol": rtol, "atol": atol, "nsteps": 10**7, "store_states": True,
            "progress_bar": False}

    def solve(state, t0, t1, tlist=None):
        tl = [t0, t1] if tlist is None else tlist
        if open_:
            res = qutip.mesolve(Hq, state, tl, c_ops=c_ops, options=opts)
        else:
            res = qutip.sesolve(Hq, state, tl, options=opts)
        return res.states

    out = []
    if continuous is not None:
        # QuTiP takes tlist[0] as the initial time: start the list at t = 0 whatever the first record
        tl = [0.0] + [float(t) for t in rec[rec > 0] * dt]
        states = solve(rho0, 0.0, 0.0, tlist=tl) if len(tl) > 1 else [rho0]
        out = [s.full() for s in states][0 if rec[0] == 0 else 1:]
    else:
        want = set(int(r) for r in rec)
        state = rho0
        if 0 in want:
            out.append(state.full())
        for kk in range(int(rec.max())):
            state = solve(state, kk * dt, (kk + 1) * dt)[-1]
            if kk + 1 in want:
                out.append(state.full())
    arr = np.array(out)
    return arr if open_ else arr[..., 0]
