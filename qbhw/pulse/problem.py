"""Compile a model and sampled signals into one linear ODE ``y' = A(t) y`` in a rotating frame.

Frame: for a Hermitian frame operator ``F = V diag(f) V†`` the state is written as
``ỹ = e^{i diag(f) t} V† ψ_lab`` (``F = 0`` is the lab frame; the default is the model's static
Hamiltonian). Then

    H̃(t) = V†H0V − diag(f) + Σ_ch Re[ŝ_ch,k e^{iω_ch t}] e^{i f t} (V† O_ch V) e^{−i f t},

and element (m, n) of a channel term oscillates at ``f_m − f_n ± ω_ch``. The ``s``-half of each
channel is grouped by that frequency Ω into terms ``c(t) M + h.c.`` with ``c(t) = ŝ_k e^{iΩt}``
(held ŝ_k in sample k, continuous carrier). **Rotating-wave cut-off**: with ``rwa_cutoff_ghz``
set, a term is kept iff ``|Ω|/2π < rwa_cutoff_ghz``; the carriers are known (they come from the
schedule), and a channel that carries a non-zero signal but would lose *every* term raises
:class:`RWACutoffError` instead of being dropped silently (the qiskit-dynamics pitfall).

Open systems: jump operators ``L`` (given in the lab frame) become ``Σ_ω L_ω e^{iωt}`` in the
frame, and the dissipator keeps every cross term ``e^{i(ω−ω')t}`` (exact frame change, no secular
approximation). The generator acts on ``vec(ρ)`` (row-major): ``vec(AρB) = (A ⊗ Bᵀ) vec(ρ)``.

The result, :class:`LinearProblem`, is ``A(t) = A0 + Σ_q coeffs[k, q] e^{iΩ_q t} A_q`` for
``t ∈ [k dt, (k+1) dt)``; ``coeffs`` may carry a leading axis of independent lanes (sweeps).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError
from ._errors import RWACutoffError, UnknownChannelError

__all__ = ["LinearProblem", "compile_problem", "frame_of", "commutator_superoperator", "dissipator_superoperator",
           "lindblad_superoperator"]

_FREQ_DECIMALS = 9  # rad/ns: terms closer than 1e-9 rad/ns in frequency are merged


@dataclass
class LinearProblem:
    dim: int                 # Hilbert-space dimension d
    open: bool               # y = vec(ρ) (d²) if True, else ψ (d)
    dt_ns: float
    n_samples: int
    A0: np.ndarray           # (D, D)
    ops: np.ndarray          # (Q, D, D)
    freqs: np.ndarray        # (Q,) rad/ns
    coeffs: np.ndarray       # (n, Q) or (L, n, Q)
    frame_vectors: np.ndarray  # V (d, d): original basis <- frame basis
    frame_freqs: np.ndarray    # f (d,) rad/ns
    hamiltonian_terms: list = field(default_factory=list)  # [(channel, Ω/2π GHz, kept)]
    closed_static: np.ndarray | None = None  # K0 (d, d): frame-basis static Hamiltonian
    closed_ops: np.ndarray | None = None     # (Q_h, d, d) Hermitian-half operators M_p (closed form)
    term_sources: list = field(default_factory=list)  # per q: (channel, conjugated) or ("dissipator", ν)
    hamiltonian: "LinearProblem | None" = None  # open systems: the closed problem of the same Hamiltonian
    diss_static: np.ndarray | None = None       # open systems: static part of the dissipator superoperator
    diss_ops: np.ndarray | None = None          # (R, D, D) oscillating dissipator parts D_ν
    diss_freqs: np.ndarray | None = None        # (R,) ν (rad/ns)

    @property
    def D(self) -> int:
        return self.A0.shape[0]

    @property
    def n_lanes(self) -> int | None:
        return None if self.coeffs.ndim == 2 else self.coeffs.shape[0]

    def continuous_coefficients(self, envelopes: dict):
        """``t -> coeffs (Q,)`` from continuous absolute-time amplitudes ``envelopes[ch](t_ns) -> ŝ(t)`` (GHz)."""
        srcs = self.term_sources

        def coeffs(t):
            vals = {}
            out = np.empty(len(srcs), dtype=complex)
            for q, (ch, extra) in enumerate(srcs):
                if ch == "dissipator":
                    out[q] = 1.0
                    continue
                if ch not in vals:
                    vals[ch] = complex(envelopes[ch](t)) if ch in envelopes else 0.0
                out[q] = np.conj(vals[ch]) if extra else vals[ch]
            return out

        return coeffs

    @property
    def max_frequency(self) -> float:
        """Largest |Ω_q| (rad/ns) among terms whose coefficients are not all zero."""
        if self.freqs.size == 0:
            return 0.0
        active = np.array([bool(np.any(self.coeffs[..., q] != 0)) for q in range(self.freqs.size)], dtype=bool)
        return float(np.max(np.abs(self.freqs[active]), initial=0.0))

    # -- states in and out of the frame basis ------------------------------------------------------
    def to_frame(self, state: np.ndarray) -> np.ndarray:
        V = self.frame_vectors
        if self.open:
            rho = state if state.ndim == 2 else np.outer(state, state.conj())
            return (V.conj().T @ rho @ V).reshape(-1)
        return V.conj().T @ state

    def from_frame(self, y: np.ndarray, times_ns: np.ndarray, output_frame: str = "rotating") -> np.ndarray:
        """States ``(K, d)`` or ``(K, d, d)`` in the original basis, rotating (default) or lab frame."""
        V, d = self.frame_vectors, self.dim
        y = np.asarray(y)
        if output_frame == "lab":
            ph = np.exp(-1j * np.outer(times_ns, self.frame_freqs))  # (K, d)
        elif output_frame == "rotating":
            ph = None
        else:
            raise ConfigError(f"unknown output frame {output_frame!r}", argument="output_frame",
                              allowed="'rotating' | 'lab'")
        identity = np.array_equal(V, np.eye(d))  # diagonal frame operator: the frame basis is the original one
        if self.open:
            r = y.reshape(y.shape[:-1] + (d, d))
            if ph is not None:
                r = ph[..., :, None] * r * ph.conj()[..., None, :]
            return np.array(r, dtype=complex) if identity else V @ r @ V.conj().T
        psi = y if ph is None else y * ph
        return np.array(psi, dtype=complex) if identity else psi @ V.T


def frame_of(model, frame) -> tuple[np.ndarray, np.ndarray]:
    """(V, f) of the frame operator: ``"rotating"`` = the model's static H, ``"lab"`` = 0, or a matrix."""
    d = model.dim
    if isinstance(frame, str):
        if frame == "lab":
            return np.eye(d, dtype=complex), np.zeros(d)
        if frame == "rotating":
            F = model.static
        else:
            raise ConfigError(f"unknown frame {frame!r}", argument="frame", allowed="'rotating' | 'lab' | a matrix")
    else:
        F = np.asarray(frame, dtype=complex)
        if F.ndim == 1:
            F = np.diag(F)
        if F.shape != (d, d) or not np.allclose(F, F.conj().T, atol=1e-9):
            raise DimensionMismatchError("frame must be a Hermitian matrix of the model's dimension", argument="frame",
                                         allowed=f"Hermitian ({d}, {d}) or a length-{d} diagonal")
    if np.allclose(F, np.diag(np.diag(F)), atol=1e-12):
        return np.eye(d, dtype=complex), np.real(np.diag(F)).copy()
    f, V = np.linalg.eigh(F)
    return V.astype(complex), f


def commutator_superoperator(H: np.ndarray) -> np.ndarray:
    """``−i[H, ·]`` as a ``d² × d²`` matrix acting on the row-major ``vec(ρ)``.

    Row-major (C-order) vectorisation ``vec(ρ)[i·d + j] = ρ[i, j]`` gives ``vec(AρB) = (A ⊗ Bᵀ) vec(ρ)``, hence
    ``−i(H ⊗ 1 − 1 ⊗ Hᵀ)``. ``H`` in rad/ns (ħ = 1) gives a generator in 1/ns.
    """
    H = np.asarray(H, dtype=complex)
    d = H.shape[0]
    eye = np.eye(d)
    return -1j * (np.kron(H, eye) - np.kron(eye, H.T))


def dissipator_superoperator(L: np.ndarray, Lp: np.ndarray | None = None) -> np.ndarray:
    """``L ρ Lp† − ½ (Lp†L ρ + ρ Lp†L)`` on the row-major ``vec(ρ)`` (``Lp = L`` by default: the GKSL dissipator D[L]).

    ``D[L]ρ = LρL† − ½{L†L, ρ}`` (Lindblad form; review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024),
    Sec. V on open-system batteries). The cross terms ``L ≠ Lp`` arise when a jump operator is split into
    frequency components in a rotating frame (:func:`compile_problem` keeps them all). ``L`` in ns^{-1/2}.
    Convention: ``vec(AρB) = (A ⊗ Bᵀ) vec(ρ)`` (see :func:`commutator_superoperator`).
    """
    L = np.asarray(L, dtype=complex)
    Lp = L if Lp is None else np.asarray(Lp, dtype=complex)
    d = L.shape[0]
    eye = np.eye(d)
    LL = Lp.conj().T @ L
    return np.kron(L, Lp.conj()) - 0.5 * np.kron(LL, eye) - 0.5 * np.kron(eye, LL.T)


def lindblad_superoperator(hamiltonian: np.ndarray, jump_operators=()) -> np.ndarray:
    """The GKSL generator ``𝓛 = −i[H, ·] + Σ_k D[L_k]`` as a ``d² × d²`` matrix on the row-major ``vec(ρ)``.

    ``dρ/dt = 𝓛ρ = −i[H, ρ] + Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ})`` (ħ = 1; review Campaioli et al., Rev. Mod.
    Phys. 96, 031001 (2024), Sec. V). Parameters: ``hamiltonian`` (d, d) Hermitian in rad/ns;
    ``jump_operators`` an iterable of (d, d) matrices in ns^{-1/2} (e.g. ``√(1/T1) b`` and ``√(2/Tφ) n̂``).
    Vectorisation: row-major, ``vec(ρ)[i·d + j] = ρ[i, j]`` (``ρ.reshape(-1)``), so ``vec(AρB) = (A ⊗ Bᵀ)vec(ρ)``;
    QuTiP's ``liouvillian`` uses column stacking (``vec_c(ρ) = vec(ρᵀ)``), i.e. the same matrix with the
    two Kronecker factors swapped.
    """
    H = np.asarray(hamiltonian, dtype=complex)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise DimensionMismatchError(f"shape {H.shape}", argument="hamiltonian", allowed="a square (d, d) matrix")
    d = H.shape[0]
    out = commutator_superoperator(H)
    for L in jump_operators:
        L = np.asarray(L, dtype=complex)
        if L.shape != (d, d):
            raise DimensionMismatchError(f"jump operator of shape {L.shape}", argument="jump_operators",
                                         allowed=f"({d}, {d}) matrices")
        out = out + dissipator_superoperator(L)
    return out


def _components(op: np.ndarray, f: np.ndarray, shift: float) -> dict[float, np.ndarray]:
    """Group the elements of ``op`` (frame basis) by their frequency ``f_m − f_n + shift``."""
    out: dict[float, np.ndarray] = {}
    d = op.shape[0]
    freq = f[:, None] - f[None, :] + shift
    for m in range(d):
        for n in range(d):
            if abs(op[m, n]) < 1e-14:
                continue
            key = round(float(freq[m, n]), _FREQ_DECIMALS)
            if key not in out:
                out[key] = np.zeros((d, d), dtype=complex)
            out[key][m, n] += op[m, n]
    return out


def compile_problem(model, signals, *, frame="rotating", rwa_cutoff_ghz: float | None = None,
                    open_system: bool | None = None, lanes: list | None = None) -> LinearProblem:
    """Compile ``model`` driven by ``signals`` (:class:`~qbhw.pulse.PulseSignals`) — see the module doc.

    ``lanes``: optional list of further ``PulseSignals`` with the same channels, length and carriers;
    then ``coeffs`` gets a leading lane axis (``signals`` only fixes the term structure); it is a
    ``(L, n, Q)`` view of a term-major buffer (filled and read term by term without large copies).
    """
    d = model.dim
    open_ = model.is_open if open_system is None else bool(open_system)
    if rwa_cutoff_ghz is not None and not (np.isfinite(rwa_cutoff_ghz) and rwa_cutoff_ghz > 0):
        raise InvalidArgumentError(f"got {rwa_cutoff_ghz!r}", argument="rwa_cutoff_ghz", allowed="None or > 0 GHz")
    if model.dt_ns is not None and abs(model.dt_ns - signals.dt_ns) > 1e-12 * signals.dt_ns:
        raise DimensionMismatchError(f"signals sampled with dt = {signals.dt_ns} ns, model has {model.dt_ns} ns",
                                     argument="signals", allowed=f"dt_ns = {model.dt_ns}")
    for ch in signals.channels:
        if ch not in model.channel_operators:
            raise UnknownChannelError(f"channel {ch!r} is not in the model", argument="channel",
                                      allowed=", ".join(model.channels))
    V, f = frame_of(model, frame)
    K0 = V.conj().T @ model.static @ V - np.diag(f)
    K0 = 0.5 * (K0 + K0.conj().T)
    all_signals = [signals] if lanes is None else list(lanes)
    n = signals.n_samples
    for s in all_signals:
        if s.n_samples != n or set(s.channels) != set(signals.channels):
            raise DimensionMismatchError("all lanes need the same channels and number of samples", argument="lanes",
                                         allowed=f"{n} samples on {signals.channels}")
        for ch in signals.channels:
            if not np.array_equal(s.freqs_ghz[ch], signals.freqs_ghz[ch]):
                raise DimensionMismatchError(f"lanes differ in the carrier of {ch!r}", argument="lanes",
                                             allowed="the same carriers in every lane")
    # Hamiltonian terms: list of (M, Ω, coefficient arrays per lane)
    h_terms, info = [], []
    for ch in signals.channels:
        O = V.conj().T @ model.channel_operators[ch] @ V
        fr = signals.freqs_ghz[ch]
        nus = fr[:1] if fr.size and not np.any(fr != fr[0]) else np.unique(fr)  # one carrier: skip the sort
        kept_any = False
        active = any(np.any(s.envelopes[ch] != 0) for s in all_signals)
        for nu in nus:
            mask = signals.freqs_ghz[ch] == nu
            amps = (signals.absolute_amplitudes(ch)[None] if lanes is None else
                    np.stack([s.absolute_amplitudes(ch) for s in all_signals]))  # (L, n)
            if not np.all(mask):
                amps = np.where(mask, amps, 0)
            for Om, M in _components(O, f, 2 * np.pi * nu).items():
                keep = rwa_cutoff_ghz is None or abs(Om) / (2 * np.pi) < rwa_cutoff_ghz
                info.append((ch, Om / (2 * np.pi), keep))
                if keep:
                    kept_any = True
                    h_terms.append((0.5 * M, Om, amps, ch))
        if active and not kept_any:
            raise RWACutoffError(f"the cut-off {rwa_cutoff_ghz} GHz would drop every term of driven channel {ch!r} "
                                 f"(term frequencies {sorted({abs(i[1]) for i in info if i[0] == ch})} GHz)",
                                 argument="rwa_cutoff_ghz", allowed="a cut-off above the channel's resonant terms")
    Dm = d * d if open_ else d
    ops, freqs, coeffs, sources = [], [], [], []
    for M, Om, amps, ch in h_terms:
        for mat, om, conj in ((M, Om, False), (M.conj().T, -Om, True)):
            ops.append(commutator_superoperator(mat) if open_ else -1j * mat)
            freqs.append(om)
            coeffs.append((amps, conj))  # (L, n) amplitudes, conjugated or not
            sources.append((ch, conj))
    A0 = commutator_superoperator(K0) if open_ else -1j * K0
    if open_:
        jumps = [V.conj().T @ L @ V for L in model.jump_operators]
        diss: dict[float, np.ndarray] = {}
        for L in jumps:
            comps = _components(L, f, 0.0)
            for w1, L1 in comps.items():
                for w2, L2 in comps.items():
                    key = round(w1 - w2, _FREQ_DECIMALS)
                    diss[key] = diss.get(key, 0) + dissipator_superoperator(L1, L2)
        d_static = diss.get(0.0, np.zeros((Dm, Dm), dtype=complex))
        d_osc = [(nu, Dn) for nu, Dn in diss.items() if nu != 0]
        for nu, Dn in diss.items():
            if nu == 0:
                A0 = A0 + Dn
            else:
                ops.append(Dn)
                freqs.append(nu)
                coeffs.append((None, False))  # constant 1
                sources.append(("dissipator", nu))
    nl = len(all_signals)
    if ops:
        ops_arr = np.stack(ops)
        # one run: a contiguous (1, n, Q); lanes: filled term by term (contiguous writes), seen as (L, n, Q)
        c = np.empty((1, n, len(ops)), dtype=complex) if lanes is None else \
            np.empty((len(ops), nl, n), dtype=complex).transpose(1, 2, 0)
        for q, (amps, conj) in enumerate(coeffs):
            if amps is None:
                c[..., q] = 1.0
            elif conj:
                np.conjugate(amps, out=c[..., q])
            else:
                c[..., q] = amps
    else:
        ops_arr = np.zeros((0, Dm, Dm), dtype=complex)
        c = np.zeros((nl, n, 0), dtype=complex)
    if lanes is None:
        c = c[0]
    closed_ops = np.stack([t[0] for t in h_terms]) if h_terms else np.zeros((0, d, d), dtype=complex)
    prob = LinearProblem(d, open_, signals.dt_ns, n, A0, ops_arr, np.asarray(freqs, dtype=float), c, V, f,
                         info, K0, closed_ops, sources)
    if open_:
        prob.hamiltonian = compile_problem(model, signals, frame=frame, rwa_cutoff_ghz=rwa_cutoff_ghz,
                                           open_system=False, lanes=lanes)
        prob.diss_static = d_static
        prob.diss_ops = (np.stack([Dn for _, Dn in d_osc]) if d_osc else np.zeros((0, Dm, Dm), dtype=complex))
        prob.diss_freqs = np.array([nu for nu, _ in d_osc], dtype=float)
    return prob
