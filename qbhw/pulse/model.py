"""Pulse-level models: Hamiltonian, drive operators and jump operators in rad/ns.

Transmon (Duffing oscillator truncated to d levels; seed-spec §3.1):

    H0 = 2π [ν n̂ + (α/2) n̂ (n̂ − 1)]          (n̂ = b†b, ν = ``freq_ghz``, α = ``anharmonicity_ghz``)

optionally with a resonator (Hu 2022 set-up), ``2π [ν_r a†a + g (a†b + a b†)]``; full-space
order follows qiskit's little-endian convention: transmon = cell 0 = the rightmost Kronecker
factor (``kron(resonator, transmon)``).

Each channel contributes ``2π Re[s(t) e^{iϑ(t)}] O_ch`` (s in GHz); the model stores
``channel_operators[ch] = 2π O_ch``. Jump operators (design.md): ``√(1/T1) b`` and ``√(2/Tφ) n̂``
(ns^{-1/2}); the resonator decays with ``√(1/T1_r) a``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError, InvalidHamiltonianError

__all__ = ["PulseModel", "transmon_model", "lowering", "number"]

TWO_PI = 2 * np.pi


def lowering(d: int) -> np.ndarray:
    """``b = Σ_k √k |k−1⟩⟨k|``."""
    return np.diag(np.sqrt(np.arange(1, d)), 1).astype(complex)


def number(d: int) -> np.ndarray:
    return np.diag(np.arange(d)).astype(complex)


@dataclass(frozen=True)
class PulseModel:
    """``H(t) = static + Σ_ch Re[s_ch(t) e^{iϑ_ch(t)}] channel_operators[ch]`` plus Lindblad ``jump_operators``.

    ``static`` and ``channel_operators`` in rad/ns (2π included; the operators multiply an envelope in
    GHz); ``jump_operators`` in ns^{-1/2}; ``battery_hamiltonian`` (rad/ns) defines the stored energy.
    ``dims`` lists the subsystem dimensions, little-endian (transmon first).
    """

    static: np.ndarray
    channel_operators: dict
    jump_operators: tuple = ()
    battery_hamiltonian: np.ndarray | None = None
    dims: tuple = ()
    carriers_ghz: dict = field(default_factory=dict)
    dt_ns: float | None = None
    name: str = ""

    def __post_init__(self):
        h = np.asarray(self.static, dtype=complex)
        if h.ndim != 2 or h.shape[0] != h.shape[1] or not np.allclose(h, h.conj().T, atol=1e-9):
            raise InvalidHamiltonianError("static Hamiltonian must be a Hermitian square matrix", argument="static",
                                          allowed="Hermitian (d, d)")
        d = h.shape[0]
        ops = {}
        for ch, o in self.channel_operators.items():
            o = np.asarray(o, dtype=complex)
            if o.shape != (d, d) or not np.allclose(o, o.conj().T, atol=1e-9):
                raise InvalidHamiltonianError(f"operator of channel {ch!r} must be Hermitian ({d}, {d})",
                                              argument="channel_operators", allowed="Hermitian matrices")
            ops[ch] = o
        jumps = tuple(np.asarray(L, dtype=complex) for L in self.jump_operators)
        for L in jumps:
            if L.shape != (d, d):
                raise DimensionMismatchError(f"jump operator of shape {L.shape}", argument="jump_operators",
                                             allowed=f"({d}, {d})")
        object.__setattr__(self, "static", h)
        object.__setattr__(self, "channel_operators", ops)
        object.__setattr__(self, "jump_operators", jumps)
        hb = h if self.battery_hamiltonian is None else np.asarray(self.battery_hamiltonian, dtype=complex)
        object.__setattr__(self, "battery_hamiltonian", hb)
        if not self.dims:
            object.__setattr__(self, "dims", (d,))

    @property
    def dim(self) -> int:
        return self.static.shape[0]

    @property
    def channels(self) -> tuple:
        return tuple(self.channel_operators)

    @property
    def is_open(self) -> bool:
        return len(self.jump_operators) > 0

    def closed(self) -> "PulseModel":
        """The same model without jump operators."""
        return PulseModel(self.static, self.channel_operators, (), self.battery_hamiltonian, self.dims,
                          self.carriers_ghz, self.dt_ns, self.name)


def _channel_operator(spec, d: int, b: np.ndarray, n: np.ndarray, a=None) -> np.ndarray:
    op = spec.operator
    if op == "charge":
        o = b + b.conj().T
    elif op == "number":
        o = n
    elif op == "resonator":
        if a is None:
            raise ConfigError(f"channel {spec.name!r} drives a resonator but the device has none",
                              argument="operator", allowed="'charge' | 'number' | 'transition:m-n'")
        o = a + a.conj().T
    else:
        try:
            m, k = (int(x) for x in op.split(":")[1].split("-"))
        except ValueError as exc:
            raise ConfigError(f"cannot read {op!r}", argument="operator", allowed="'transition:m-n'") from exc
        if not (0 <= m < d and 0 <= k < d and m != k):
            raise InvalidArgumentError(f"{op!r} outside {d} levels", argument="operator",
                                       allowed=f"levels 0..{d - 1}")
        e = np.zeros((d, d), dtype=complex)
        e[m, k] = 1.0
        o = e + e.T
    return TWO_PI * o


def transmon_model(device, *, levels: int | None = None, decoherence: bool = True,
                   resonator: bool = True) -> PulseModel:
    """Model of ``device`` (a :class:`~qbhw.pulse.Device`): Duffing transmon, optional resonator, T1/Tφ."""
    d = device.levels if levels is None else int(levels)
    if d < 2:
        raise InvalidArgumentError(f"got {levels!r}", argument="levels", allowed="an integer >= 2")
    nu, alpha = device.freq_ghz, device.anharmonicity_ghz
    nq = np.arange(d)
    hq = TWO_PI * np.diag(nu * nq + 0.5 * alpha * nq * (nq - 1)).astype(complex)
    b, n = lowering(d), number(d)
    jumps = []
    if decoherence:
        if isinstance(device.t1_ns, tuple):
            if len(device.t1_ns) < d - 1:
                raise InvalidArgumentError(f"{len(device.t1_ns)} T1 values for {d} levels", argument="levels",
                                           allowed=f"<= {len(device.t1_ns) + 1}")
            for k in range(1, d):
                L = np.zeros((d, d), dtype=complex)
                L[k - 1, k] = np.sqrt(1.0 / device.t1_ns[k - 1])
                jumps.append(L)
        elif device.t1_ns is not None:
            jumps.append(np.sqrt(1.0 / device.t1_ns) * b)
        if device.tphi_ns is not None:
            jumps.append(np.sqrt(2.0 / device.tphi_ns) * n)
    specs = device.channel_map
    res = device.resonator if resonator else None
    if res is None:
        ops = {name: _channel_operator(s, d, b, n) for name, s in specs.items()}
        return PulseModel(hq, ops, tuple(jumps), hq, (d,), {k: s.freq_ghz for k, s in specs.items()},
                          device.dt_ns, device.name)
    dr = int(res.levels)
    a = lowering(dr)
    iq, ir = np.eye(d), np.eye(dr)
    big = lambda q_op: np.kron(ir, q_op)  # noqa: E731  (transmon = rightmost factor)
    bigr = lambda r_op: np.kron(r_op, iq)  # noqa: E731
    A, B = bigr(a), big(b)
    h = big(hq) + TWO_PI * res.freq_ghz * bigr(number(dr)) + TWO_PI * res.coupling_ghz * (A.conj().T @ B + A @ B.conj().T)
    ops = {}
    for name, s in specs.items():
        if s.operator == "resonator":
            ops[name] = TWO_PI * (A + A.conj().T)
        else:
            ops[name] = big(_channel_operator(s, d, b, n))
    jumps = [big(L) for L in jumps]
    if decoherence and res.t1_ns is not None:
        jumps.append(np.sqrt(1.0 / res.t1_ns) * A)
    return PulseModel(h, ops, tuple(jumps), big(hq), (d, dr), {k: s.freq_ghz for k, s in specs.items()},
                      device.dt_ns, device.name)
