"""Brute-force reference of the NMR star-topology battery at pulse level (test helper, not the library).

Imported by name (pytest puts this folder on ``sys.path``). Independent of :mod:`qbhw.solvers.nmr`: the
register of one battery spin B (spin 0) and 𝒩 charger spins (1 … 𝒩) is written in the full 2^(𝒩+1)
Hilbert space (closed evolution) or the 4^(𝒩+1) Liouville space (open evolution) from Kronecker products of
single-spin Pauli matrices — no collective operators, no sectors.

Conventions (review, Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Sec. VI.D; experiment: Joshi &
Mahesh, Phys. Rev. A 106, 042601 (2022)). Per spin the g/e basis with index 0 = |g⟩, so

    σ^z = diag(−1, +1),  σ^+ = |e⟩⟨g|,  σ^− = |g⟩⟨e|,  σ^x = σ^+ + σ^−,  σ^y = −i(σ^+ − σ^−).

In the multiply rotating frame of the two RF channels (RWA), one constant segment has the Hamiltonian (rad/s)

    H = 2π Δ_B σ_B^z/2 + 2π Δ_C Σ_j σ_j^z/2 + 2π J sgn (σ_B^z/2)(Σ_j σ_j^z/2)
        + π (a_B σ_B^− + a_B* σ_B^+) + π Σ_j (a_C σ_j^− + a_C* σ_j^+),

with Δ = ν_L − ν_carrier (Hz), J the scalar coupling (Hz), sgn = sgn(γ_B γ_C), and a = |a| e^{iφ} (Hz): a
rotation at the nutation frequency |a| about (cos φ, sin φ, 0).

The state is the high-temperature deviation X (ρ = (1 + ε_B X)/2^(𝒩+1)); ``"charged"`` is
X_0 = −σ_B^z + w Σ_j σ_j^z, ``"equilibrium"`` is X_eq = −σ_B^z − w Σ_j σ_j^z (w = ε_C/ε_B). Closed evolution:
X → U X U†. Open evolution (linear response): per spin i the GKSL dissipators 𝒟[√(1/(2T1_i)) σ_i^−],
𝒟[√(1/(2T1_i)) σ_i^+] and 𝒟[√(1/(2Tφ_i)) σ_i^z] with 1/Tφ = 1/T2 − 1/(2T1), 𝒟[L]X = LXL† − {L†L, X}/2,
plus the source dX/dt ∋ −(w_i/T1_i) σ_i^z (w_B = 1, w_C = w) that carries the detailed-balance asymmetry, so
X relaxes to X_eq. The affine source is handled by appending a constant 1 to vec(X) and exponentiating the
augmented generator [[𝓛, s], [0, 0]]. Output: the battery Bloch vector per unit ε,
P_α = Tr[σ_B^α X]/2^(𝒩+1).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

import numpy as np
import scipy.linalg as sla

SZ = np.diag([-1.0, 1.0]).astype(complex)
SP = np.array([[0.0, 0.0], [1.0, 0.0]], dtype=complex)   # |e⟩⟨g|
SM = SP.conj().T                                           # |g⟩⟨e|
SX = SP + SM
SY = -1j * (SP - SM)
I2 = np.eye(2, dtype=complex)

#: largest 𝒩 of the dense open-system route (Liouville dimension 4^(𝒩+1))
MAX_OPEN_CHARGERS = 4
#: largest 𝒩 of the closed route (Hilbert dimension 2^(𝒩+1))
MAX_CLOSED_CHARGERS = 9


@dataclass(frozen=True)
class Segment:
    """Constant stretch (same fields as the solver's ``NmrSegment``)."""

    duration_s: float
    amp_battery_hz: complex = 0.0
    amp_chargers_hz: complex = 0.0
    offset_battery_hz: float = 0.0
    offset_chargers_hz: float = 0.0


def as_segment(seg) -> Segment:
    """A :class:`Segment` from a ``Segment``/``NmrSegment``-like object or a 5-tuple."""
    if isinstance(seg, tuple):
        return Segment(*seg)
    return Segment(float(seg.duration_s), complex(seg.amp_battery_hz), complex(seg.amp_chargers_hz),
                   float(seg.offset_battery_hz), float(seg.offset_chargers_hz))


def site(op: np.ndarray, i: int, n_spins: int) -> np.ndarray:
    """``op`` on spin ``i`` of ``n_spins`` (spin 0 = battery), identity elsewhere."""
    return reduce(np.kron, [op if k == i else I2 for k in range(n_spins)])


def hard_pulse(angle_rad: float, phase_rad: float, nutation_hz: float, *, battery: bool = True,
               chargers: bool = True) -> Segment:
    """Rectangular pulse of flip ``angle_rad`` about (cos φ, sin φ, 0) at nutation ``nutation_hz``."""
    a = nutation_hz * np.exp(1j * phase_rad)
    return Segment(angle_rad / (2 * np.pi * nutation_hz), a if battery else 0.0, a if chargers else 0.0)


class FullSpaceStar:
    """Brute-force star register: one battery spin and ``n_chargers`` charger spins.

    Parameters
    ----------
    n_chargers:
        𝒩 ≥ 1.
    coupling_hz:
        Scalar coupling J (Hz).
    coupling_sign:
        sgn(γ_B γ_C) = ±1.
    charger_weight:
        w = ε_C/ε_B.
    t1_s, t2_s:
        ``None`` (closed system) or ``(T1_B, T1_C)`` / ``(T2_B, T2_C)`` in seconds (``np.inf`` switches a
        process off); T2 ≤ 2 T1.
    """

    def __init__(self, n_chargers: int, coupling_hz: float, *, coupling_sign: int = 1, charger_weight: float = 1.0,
                 t1_s=None, t2_s=None):
        if n_chargers < 1 or n_chargers > MAX_CLOSED_CHARGERS:
            raise ValueError(f"n_chargers={n_chargers} outside 1 … {MAX_CLOSED_CHARGERS}")
        self.n = int(n_chargers)
        self.n_spins = self.n + 1
        self.dim = 2 ** self.n_spins
        self.coupling_hz = float(coupling_hz)
        self.sign = int(np.sign(coupling_sign))
        self.w = float(charger_weight)
        self.open = t1_s is not None or t2_s is not None
        if self.open and self.n > MAX_OPEN_CHARGERS:
            raise ValueError(f"open route limited to n_chargers <= {MAX_OPEN_CHARGERS}")
        self.t1_s = tuple(t1_s) if t1_s is not None else (np.inf, np.inf)
        self.t2_s = tuple(t2_s) if t2_s is not None else (2 * self.t1_s[0], 2 * self.t1_s[1])
        self.sz = [site(SZ, i, self.n_spins) for i in range(self.n_spins)]
        self.sp = [site(SP, i, self.n_spins) for i in range(self.n_spins)]
        self.sm = [site(SM, i, self.n_spins) for i in range(self.n_spins)]
        self.battery_paulis = [site(SX, 0, self.n_spins), site(SY, 0, self.n_spins), self.sz[0]]
        self._eig: dict = {}   # segment → eigen-decomposition of its Hamiltonian (closed route)
        self._gen: dict = {}   # segment → augmented generator (open route)
        self._expm: dict = {}  # (segment, step) → its exponential (open route)
        if self.open:
            self._dissipator, self._source = self._build_dissipation()

    # ---- operators -------------------------------------------------------------------------
    def hamiltonian(self, seg) -> np.ndarray:
        """H (rad/s) of one constant segment."""
        s = as_segment(seg)
        jz = sum(self.sz[1:]) / 2
        h = 2 * np.pi * s.offset_battery_hz * self.sz[0] / 2 + 2 * np.pi * s.offset_chargers_hz * jz
        h = h + 2 * np.pi * self.coupling_hz * self.sign * (self.sz[0] / 2) @ jz
        for i in range(self.n_spins):
            a = s.amp_battery_hz if i == 0 else s.amp_chargers_hz
            h = h + np.pi * (a * self.sm[i] + np.conj(a) * self.sp[i])
        return h

    def initial(self, kind: str = "charged") -> np.ndarray:
        """X_0 (``"charged"``: chargers inverted) or X_eq (``"equilibrium"``)."""
        sign = {"charged": 1.0, "equilibrium": -1.0}[kind]
        return -self.sz[0] + sign * self.w * sum(self.sz[1:])

    def bloch(self, x: np.ndarray) -> np.ndarray:
        """Battery Bloch vector per unit ε: P_α = Tr[σ_B^α X]/2^(𝒩+1)."""
        return np.array([np.sum(p.T * x).real for p in self.battery_paulis]) / self.dim

    # ---- open system -----------------------------------------------------------------------
    def _build_dissipation(self):
        d = self.dim
        eye = np.eye(d, dtype=complex)

        def dissipator(op):
            ld = op.conj().T @ op
            return np.kron(op.conj(), op) - 0.5 * np.kron(eye, ld) - 0.5 * np.kron(ld.T, eye)

        total = np.zeros((d * d, d * d), dtype=complex)
        source = np.zeros((d, d), dtype=complex)
        for i in range(self.n_spins):
            t1, t2 = (self.t1_s[0], self.t2_s[0]) if i == 0 else (self.t1_s[1], self.t2_s[1])
            weight = 1.0 if i == 0 else self.w
            rate1 = 0.0 if np.isinf(t1) else 1.0 / t1
            rate_phi = (0.0 if np.isinf(t2) else 1.0 / t2) - rate1 / 2
            if rate_phi < -1e-12:
                raise ValueError("T2 > 2 T1")
            if rate1 > 0:
                total += dissipator(np.sqrt(rate1 / 2) * self.sm[i]) + dissipator(np.sqrt(rate1 / 2) * self.sp[i])
                source -= weight * rate1 * self.sz[i]
            if rate_phi > 0:
                total += dissipator(np.sqrt(rate_phi / 2) * self.sz[i])
        return total, source.reshape(-1, order="F")

    def generator(self, seg) -> np.ndarray:
        """Augmented generator [[𝓛, s], [0, 0]] acting on [vec(X); 1] (column stacking)."""
        d = self.dim
        h = self.hamiltonian(seg)
        eye = np.eye(d, dtype=complex)
        lio = -1j * (np.kron(eye, h) - np.kron(h.T, eye)) + self._dissipator
        g = np.zeros((d * d + 1, d * d + 1), dtype=complex)
        g[:-1, :-1] = lio
        g[:-1, -1] = self._source
        return g

    # ---- evolution -------------------------------------------------------------------------
    def _step(self, x: np.ndarray, seg: Segment, durations) -> list[np.ndarray]:
        """X after each of ``durations`` (s) of the constant ``seg`` started from ``x``."""
        if not self.open:
            if seg not in self._eig:
                self._eig[seg] = np.linalg.eigh(self.hamiltonian(seg))
            e, v = self._eig[seg]
            xt = v.conj().T @ x @ v
            out = []
            for t in durations:
                ph = np.exp(-1j * e * t)
                out.append(v @ (ph[:, None] * xt * ph.conj()[None, :]) @ v.conj().T)
            return out
        if seg not in self._gen:
            self._gen[seg] = self.generator(seg)
        g = self._gen[seg]
        vec = np.append(x.reshape(-1, order="F"), 1.0)
        out, t_prev = [], 0.0
        for t in durations:   # sorted: step from the previous time (equal steps share one exponential)
            dt = t - t_prev
            if dt > 0:
                key = (seg, round(dt, 15))
                if key not in self._expm:
                    self._expm[key] = sla.expm(g * dt)
                vec = self._expm[key] @ vec
            t_prev = t
            out.append(vec[:-1].reshape(self.dim, self.dim, order="F"))
        return out

    def evolve(self, segments, x=None) -> np.ndarray:
        """Deviation X after ``segments`` (default start: the charged state)."""
        x = self.initial("charged") if x is None else np.asarray(x, dtype=complex)
        for seg in segments:
            s = as_segment(seg)
            if s.duration_s > 0:
                x = self._step(x, s, [s.duration_s])[0]
        return x

    def states(self, segments, record_s, x=None) -> list[np.ndarray]:
        """X at each time of ``record_s`` (s from the start of ``segments``, sorted, within them)."""
        x = self.initial("charged") if x is None else np.asarray(x, dtype=complex)
        times = np.asarray(record_s, dtype=float)
        if np.any(np.diff(times) < 0):
            raise ValueError("record times must be sorted")
        out: list[np.ndarray] = []
        t0, k = 0.0, 0
        segs = [as_segment(s) for s in segments]
        for idx, s in enumerate(segs):
            t1 = t0 + s.duration_s
            last = idx == len(segs) - 1
            inside = [t - t0 for t in times[k:] if t <= t1 + (1e-15 * max(1.0, t1) if last else 0.0)]
            if s.duration_s > 0 or inside:
                xs = self._step(x, s, inside + [s.duration_s])
                out.extend(xs[:-1])
                k += len(inside)
                x = xs[-1]
            t0 = t1
        if k < times.size:
            raise ValueError("record times past the end of the segments")
        return out

    def bloch_curve(self, segments, record_s=None, *, readout=(), x=None) -> np.ndarray:
        """(k, 3) battery Bloch vectors per unit ε at ``record_s`` (None: the end), each followed by ``readout``."""
        if record_s is None:
            xs = [self.evolve(segments, x)]
        else:
            xs = self.states(segments, record_s, x)
        return np.array([self.bloch(self.evolve(readout, xi)) for xi in xs])
