"""Pulse-level NMR of a star-topology molecule: one battery spin, 𝒩 equivalent chargers, RF schedules.

The experiment of Joshi & Mahesh (Phys. Rev. A 106, 042601, 2022; review Sec. VI.D): a central battery spin B
(e.g. ²⁹Si, ³¹P, ¹³C) coupled by the scalar coupling J to 𝒩 magnetically equivalent charger spins (¹H), driven
by RF pulses on one channel per isotope. :class:`NmrStarSimulator` runs :mod:`qbhw.pulse` schedules on a
:class:`~qbhw.devices.nmr.StarMolecule`.

Frame and Hamiltonian (ħ = 1, rad/s). Per spin the g/e basis (|g⟩ the lower Zeeman level: m = +1/2 for γ > 0,
m = −1/2 for γ < 0; review σ^z = |e⟩⟨e| − |g⟩⟨g|, so the lab I_z = −sgn(γ) σ^z/2). In the multiply rotating
frame of each channel's carrier (rotating-wave approximation on every RF channel: the Larmor frequencies,
~10⁸ Hz, exceed the nutations, ≤ 10⁶ Hz, by orders of magnitude; the channels address different isotopes):

    H = 2π Δ_B σ_B^z/2 + 2π Δ_C J_z + 2π J sgn(γ_B γ_C) (σ_B^z/2) J_z + π(a_B σ_B^− + a_B* σ_B^+) + π(a_C J_− + a_C* J_+)

with ``J_α = Σ_j σ_j^α/2`` the collective charger spin, ``Δ = ν_L − ν_carrier`` the offset and ``a = s e^{iφ}``
the channel's complex amplitude (Hz): a rotation at the nutation frequency |a| about (cos φ, sin φ, 0) of the
review's Bloch frame. The weak (secular) scalar coupling ``2πJ I_z^B Σ_j I_z^j`` is the heteronuclear Ising
coupling. The chargers' mutual couplings commute with every collective operator and drop out.

State (high-temperature linear response; Abragam, *Principles of Nuclear Magnetism*, 1961, ch. II). At 298 K,
``ρ = (1 + ε_B X)/2^{𝒩+1}`` with the deviation ``X``; thermal equilibrium ``X_eq = −σ_B^z − w Σ_j σ_j^z`` with
``w = ε_C/ε_B = |γ_C/γ_B|`` (equilibrium polarisations ε ∝ |γ|). :meth:`~NmrStarSimulator.charged` is
``−σ_B^z + w Σ_j σ_j^z`` (chargers inverted), the state of :class:`~qbhw.models.StarBattery` with
``initial="high_temperature"`` and ``charger_weight=w``. The Hamiltonian and the relaxation below are
permutation symmetric, so ``X`` stays block diagonal in the chargers' total spin j and identical in the d_j copies
of a block: it is stored as the j blocks of (battery ⊗ spin j), Σ_j (2(2j+1))² numbers (36 556 for 𝒩 = 36
instead of 4^37), in the layout of :class:`~qbhw.solvers.permutational.PermutationalDicke` with the battery as
its two-level "cavity" (Chase & Geremia, PRA 78, 052101, 2008; Shammah et al., PRA 98, 063815, 2018).

Relaxation (GKSL, review Eq. 51), per spin i with T1_i and T2_i (T2 ≤ 2 T1): ``1/(2T1) 𝒟[σ^−] + 1/(2T1) 𝒟[σ^+]``
and ``1/(2Tφ) 𝒟[σ^z]`` with ``1/Tφ = 1/T2 − 1/(2T1)``; the detailed-balance asymmetry of the T1 rates, of order
ε, acts on the identity part of ρ and becomes the source ``−(w_i/T1_i) σ_i^z`` (w_B = 1, w_C = w), so that X
relaxes to X_eq. Local relaxation of the chargers couples the blocks j ↔ j ± 1 (the ``qutip.piqs`` rates).
The affine equation is integrated on the vector (X, 1).

Propagation, one constant segment at a time (:func:`qbhw.pulse.segments.schedule_segments`: a constant pulse
or a delay of any length is one segment), by ``method``:

* ``"exact"``: without relaxation, each block's Hamiltonian diagonalised (exact for any duration); with
  relaxation, the sparse generator exponentiated (truncated Taylor series of Al-Mohy & Higham, SIAM J. Sci.
  Comput. 33, 488, 2011) — exact, with a cost
  ∝ (nutation × 𝒩) × duration;
* ``"averaged"``: first-order average Liouvillian in the toggling frame of the segment's RF fields (Haeberlen &
  Waugh, Phys. Rev. 175, 453, 1968, average Hamiltonian theory; the secular approximation of the relaxation
  superoperator, Abragam ch. VIII). Each spin's field ``h_i = (Re a_i, Im a_i, Δ_i)`` (Hz) tilts its quantisation
  axis to n_i = h_i/|h_i|; in the frame rotating about n_i at the common frequency ω̄ = (|h_B| + |h_C|)/2 (when
  |h_B| and |h_C| agree within ω̄/2: the Hartmann–Hahn condition; otherwise at each spin's own |h_i|) only the
  part of the coupling that conserves the total tilted magnetisation survives, the residual |h_i| − ω̄ acts
  as a detuning, and each spin's relaxation becomes ``B (𝒟[σ'^+] + 𝒟[σ'^−]) + A 𝒟[σ_n]`` with
  ``A = κ_⊥ sin²θ + κ_z cos²θ``, ``B = κ_⊥ (1 + cos²θ) + κ_z sin²θ`` (κ_⊥ = 1/(4T1), κ_z = 1/(2Tφ), θ the tilt) and
  the source ``−(w_i/T1_i) cos θ_i σ_n``. For an on-resonance matched spin-lock (θ = π/2) the surviving coupling
  is the exchange ``(πJ/2) Σ_j (σ'^+_B σ'^−_j + h.c.)``: the ideal limit is :class:`~qbhw.models.StarBattery`
  with ``coupling = πJ/2`` (Hartmann & Hahn, Phys. Rev. 128, 2042, 1962). The error is O(J√𝒩/ω̄, 1/(T ω̄));
  without RF (free evolution) nothing is dropped and the method is exact (the Ising coupling and the relaxation
  commute with z rotations), which makes storage over minutes cheap;
* free evolution (no RF) with relaxation, under ``"exact"`` and ``"auto"``: the generator never mixes the
  coherence orders (q, p) = (m_B − m_B', m − m'), so each sector is exponentiated densely — exact, and a storage
  delay of minutes costs no more than one of a millisecond;
* ``"auto"`` (default): exact without relaxation and without RF; under RF with relaxation, averaged where the
  ratio of the slow to the fast frequencies is below ``average_tolerance`` and the exact generator would be
  costly, exact otherwise (in practice: hard pulses exact, long spin-locks averaged).

Observables: the battery's Bloch vector per unit ε_B, ``P_α = ⟨σ_B^α⟩/ε_B = Tr[σ_B^α X]/2^{𝒩+1}``. A charging
curve over the spin-lock time with a readout after each point is one trajectory: the readout is applied in the
Heisenberg picture to the observables, once (:meth:`NmrStarSimulator.bloch`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from ..errors import ConfigError, InvalidArgumentError, InvalidTimesError
from ..models.dicke_basis import dicke_degeneracy
from ..pulse.schedule import Schedule
from ..pulse.segments import schedule_segments
from .permutational import PermutationalDicke

__all__ = ["NmrSegment", "NmrState", "NmrStarSimulator", "NMR_METHODS"]

NMR_METHODS = ("auto", "exact", "averaged")
_SPINS = ("battery", "chargers")
_TWO_PI = 2.0 * math.pi
#: review-frame Pauli matrices in the (g, e) basis: σ^z = diag(−1, 1), σ^+ = |e⟩⟨g|
_SX = np.array([[0, 1], [1, 0]], dtype=complex)
_SY = np.array([[0, 1j], [-1j, 0]], dtype=complex)
_SZ = np.array([[-1, 0], [0, 1]], dtype=complex)
_I2 = np.eye(2, dtype=complex)
#: the exact open route under RF is used in "auto" while (generator norm × duration) × (vector length + 5000, the
#: cost of a step's overhead in entries) stays below this (about 2 s of sparse products)
EXACT_COST_LIMIT = 2e7


@dataclass(frozen=True)
class NmrSegment:
    """A constant stretch of drive: ``duration_s`` (s); per spin group the complex RF amplitude ``s e^{iφ}`` (Hz:
    nutation frequency |a|, axis phase arg a) and the offset ``Δ = ν_L − ν_carrier`` (Hz)."""

    duration_s: float
    amp_battery_hz: complex = 0j
    amp_chargers_hz: complex = 0j
    offset_battery_hz: float = 0.0
    offset_chargers_hz: float = 0.0

    def __post_init__(self):
        d = float(self.duration_s)
        if not math.isfinite(d) or d < 0:
            raise InvalidTimesError(f"got {self.duration_s!r}", argument="duration_s", allowed="a duration >= 0 s")
        for name in ("amp_battery_hz", "amp_chargers_hz", "offset_battery_hz", "offset_chargers_hz"):
            if not np.isfinite(complex(getattr(self, name))):
                raise InvalidArgumentError(f"got {getattr(self, name)!r}", argument=name, allowed="a finite number")

    def field_hz(self, spin: str) -> np.ndarray:
        """The spin group's field ``(Re a, Im a, Δ)`` in Hz (its Hamiltonian is 2π h·σ/2, resp. 2π h·J)."""
        a = complex(self.amp_battery_hz if spin == "battery" else self.amp_chargers_hz)
        off = float(self.offset_battery_hz if spin == "battery" else self.offset_chargers_hz)
        return np.array([a.real, a.imag, off])


@dataclass(frozen=True)
class _Block:
    j: float
    s: int           # 2j + 1
    dim: int         # 2s (battery ⊗ spin j)
    offset: int      # flat offset
    degeneracy: int  # d_j
    jz: np.ndarray
    jp: np.ndarray


class NmrState:
    """The deviation X (per unit ε_B) as its j blocks (flat vector in the simulator's layout)."""

    def __init__(self, simulator: "NmrStarSimulator", vector: np.ndarray):
        self.simulator = simulator
        self.vector = np.asarray(vector, dtype=complex)

    @property
    def n_chargers(self) -> int:
        return self.simulator.n_chargers

    def blocks(self) -> list[np.ndarray]:
        """X's blocks (Dicke-basis representation, d_j copies summed), battery first, m descending."""
        return _split(self.vector, self.simulator._blocks)

    @property
    def battery_bloch(self) -> np.ndarray:
        """``(P_x, P_y, P_z) = ⟨σ_B^α⟩/ε_B``."""
        return np.array([float(np.real(o @ self.vector)) for o in self.simulator._battery_obs]) / self.simulator._norm

    @property
    def charger_polarization(self) -> float:
        """``⟨Σ_j σ_j^z⟩/(𝒩 ε_B)``: the mean charger polarisation per unit ε_B (−w at equilibrium)."""
        sim = self.simulator
        return float(np.real(sim._charger_obs @ self.vector)) / sim._norm / sim.n_chargers

    @property
    def trace(self) -> float:
        """``Tr X / 2^{𝒩+1}`` (0 for every deviation the simulator makes)."""
        return float(np.real(sum(np.trace(b) for b in self.blocks()))) / self.simulator._norm

    def hilbert_schmidt_norm(self) -> float:
        """``‖X‖_HS/2^{(𝒩+1)/2}`` (conserved by closed evolution): Σ_j Tr[X_j†X_j]/d_j over the Dicke blocks."""
        total = sum(float(np.sum(np.abs(blk) ** 2)) / b.degeneracy
                    for blk, b in zip(self.blocks(), self.simulator._blocks))
        return math.sqrt(total / self.simulator._norm)


class NmrStarSimulator:
    """Runs RF schedules on a star molecule (module docstring).

    Parameters
    ----------
    molecule:
        A :class:`~qbhw.devices.nmr.StarMolecule` (its RF channels, Larmor frequencies, J, T1/T2, w).
    relaxation:
        Include T1/T2 of both spin species (default True).
    method:
        ``"auto"`` | ``"exact"`` | ``"averaged"`` (module docstring).
    average_tolerance:
        Largest ratio of the slow (J√𝒩, relaxation, residual detuning) to the fast (RF field) frequencies for which
        ``"auto"`` uses the averaged generator of a segment; ``"averaged"`` warns above it.
    """

    def __init__(self, molecule, *, relaxation: bool = True, method: str = "auto", average_tolerance: float = 0.02):
        if method not in NMR_METHODS:
            raise ConfigError(f"unknown method {method!r}", argument="method",
                              allowed=" | ".join(repr(m) for m in NMR_METHODS))
        if not isinstance(relaxation, bool):
            raise InvalidArgumentError(f"got {relaxation!r}", argument="relaxation", allowed="True or False")
        tol = float(average_tolerance)
        if not (math.isfinite(tol) and tol > 0):
            raise InvalidArgumentError(f"got {average_tolerance!r}", argument="average_tolerance",
                                       allowed="a number > 0")
        self.molecule = molecule
        self.relaxation = relaxation
        self.method = method
        self.average_tolerance = tol
        self.n_chargers = int(molecule.n_chargers)
        self.charger_weight = float(molecule.charger_weight)
        self.coupling_hz = float(molecule.coupling_hz) * float(molecule.coupling_sign)
        self._norm = float(2 ** (self.n_chargers + 1))
        self._rates = {spin: self._lab_rates(getattr(molecule, spin)) for spin in _SPINS}
        self._layout_problem = PermutationalDicke(self.n_chargers, cavity_dim=2)
        lay = self._layout_problem.layout
        self._length = int(lay.length)
        self._blocks = []
        for b in range(lay.j.size):
            j, s = float(lay.j[b]), int(lay.size[b])
            m = j - np.arange(s)
            jp = np.zeros((s, s), dtype=complex)
            for a in range(1, s):  # J_+|j, m_a⟩ = √(j(j+1) − m_a(m_a+1)) |j, m_a + 1⟩ (index a − 1)
                jp[a - 1, a] = math.sqrt(j * (j + 1) - m[a] * (m[a] + 1))
            self._blocks.append(_Block(j, s, 2 * s, int(lay.flat_offset[b]), dicke_degeneracy(self.n_chargers, j),
                                       np.diag(m).astype(complex), jp))
        self._battery_obs = [self._observable(lambda blk, p=p: np.kron(p, np.eye(blk.s))) for p in (_SX, _SY, _SZ)]
        self._charger_obs = self._observable(lambda blk: np.kron(_I2, 2.0 * blk.jz))
        self._dissipators: dict = {}
        self._frames: dict = {}
        self._sectors: list | None = None
        self._warned = False
        self._generators: dict = {}

    # ---- construction helpers -------------------------------------------------------------------
    @staticmethod
    def _lab_rates(spin) -> tuple[float, float, float]:
        """(g, k, 1/T1): 𝒟[σ^∓] rate g = 1/(2T1), 𝒟[σ^z] rate k = 1/(2Tφ), 1/Tφ = 1/T2 − 1/(2T1)."""
        t1, t2 = float(spin.t1_s), float(spin.t2_s)
        inv_tphi = max(1.0 / t2 - 0.5 / t1, 0.0)
        return 0.5 / t1, 0.5 * inv_tphi, 1.0 / t1

    def _flat(self, fn) -> np.ndarray:
        """The Dicke-basis representation (d_j · the collective operator's block) of a permutation-symmetric
        operator, as a state-form flat vector (row-major blocks)."""
        out = np.zeros(self._length, dtype=complex)
        for blk in self._blocks:
            out[blk.offset:blk.offset + blk.dim ** 2] = (blk.degeneracy * fn(blk)).ravel()
        return out

    def _observable(self, fn) -> np.ndarray:
        """``o`` with ``Tr[O X] = o · x`` (o-form: the transposed blocks of the collective operator)."""
        out = np.zeros(self._length, dtype=complex)
        for blk in self._blocks:
            out[blk.offset:blk.offset + blk.dim ** 2] = fn(blk).T.ravel()
        return out

    def _block_hamiltonian(self, blk: _Block, h_b: np.ndarray, h_c: np.ndarray) -> np.ndarray:
        """2π[h_B·σ/2 ⊗ 1 + 1 ⊗ h_C·J + J sgn σ^z/2 ⊗ J_z] on one block (rad/s)."""
        jx = 0.5 * (blk.jp + blk.jp.T)
        jy = -0.5j * (blk.jp - blk.jp.T)
        hb = 0.5 * (h_b[0] * _SX + h_b[1] * _SY + h_b[2] * _SZ)
        hc = h_c[0] * jx + h_c[1] * jy + h_c[2] * blk.jz
        ident = np.eye(blk.s)
        return _TWO_PI * (np.kron(hb, ident) + np.kron(_I2, hc) + self.coupling_hz * np.kron(0.5 * _SZ, blk.jz))

    # ---- states ------------------------------------------------------------------------------------
    def equilibrium(self) -> NmrState:
        """Thermal equilibrium ``X_eq = −σ_B^z − w Σ_j σ_j^z`` (per unit ε_B)."""
        w = self.charger_weight
        return NmrState(self, self._flat(lambda b: -np.kron(_SZ, np.eye(b.s)) - 2.0 * w * np.kron(_I2, b.jz)))

    def charged(self) -> NmrState:
        """Chargers ideally inverted: ``X_0 = −σ_B^z + w Σ_j σ_j^z``."""
        w = self.charger_weight
        return NmrState(self, self._flat(lambda b: -np.kron(_SZ, np.eye(b.s)) + 2.0 * w * np.kron(_I2, b.jz)))

    def state_from_blocks(self, blocks) -> NmrState:
        """A state from its Dicke-basis blocks (as :meth:`NmrState.blocks` returns them)."""
        vec = np.concatenate([np.asarray(x, dtype=complex).ravel() for x in blocks])
        if vec.size != self._length:
            raise InvalidArgumentError(f"{vec.size} entries", argument="blocks", allowed=f"{self._length} entries")
        return NmrState(self, vec)

    # ---- schedules → segments ----------------------------------------------------------------------
    def segments(self, schedule) -> list[NmrSegment]:
        """The constant segments of a :class:`~qbhw.pulse.Schedule` on the molecule (or a list of
        :class:`NmrSegment`, returned as is)."""
        if isinstance(schedule, NmrSegment):
            return [schedule]
        if isinstance(schedule, (list, tuple)) and all(isinstance(s, NmrSegment) for s in schedule):
            return list(schedule)
        if not isinstance(schedule, Schedule):
            raise InvalidArgumentError(f"got {type(schedule).__name__}", argument="schedule",
                                       allowed="a qbhw.pulse Schedule or a list of NmrSegment")
        mol = self.molecule
        specs = mol.channel_map
        larmor = {spin: float(mol.larmor_hz(spin)) for spin in _SPINS}
        out = []
        for seg in schedule_segments(schedule, mol):
            amp = {spin: 0j for spin in _SPINS}
            carrier: dict[str, float] = {}
            for ch, a in seg.amplitudes_ghz.items():
                spin = specs[ch].spin
                nu = seg.freqs_ghz[ch] * 1e9
                if a:
                    if spin in carrier and abs(carrier[spin] - nu) > 1e-6:
                        raise ConfigError(f"two channels drive the {spin} at different carriers", argument="schedule",
                                          allowed="one carrier per spin group at a time")
                    carrier[spin] = nu
                    amp[spin] += a * 1e9
                else:
                    carrier.setdefault(spin, nu)
            out.append(NmrSegment(seg.duration_ns * 1e-9, amp["battery"], amp["chargers"],
                                  larmor["battery"] - carrier.get("battery", larmor["battery"]),
                                  larmor["chargers"] - carrier.get("chargers", larmor["chargers"])))
        return out

    # ---- the public runs -----------------------------------------------------------------------------
    def evolve(self, schedule, state: NmrState | None = None) -> NmrState:
        """The state after ``schedule`` (from ``state``, default thermal equilibrium)."""
        v = self._start(state)
        for seg in self.segments(schedule):
            v = self._propagator(seg).forward(v)
        return NmrState(self, v[:-1])

    def bloch(self, schedule, *, record_ns=None, readout=None, state: NmrState | None = None) -> np.ndarray:
        """Battery Bloch vectors per unit ε_B, shape (k, 3): at the end of ``schedule`` (k = 1) or at each time
        of ``record_ns`` (ns from the schedule's start, non-decreasing, within it), each followed by ``readout``
        (a schedule or segments; equivalent to k separate experiments that stop at the recorded time)."""
        segs = self.segments(schedule)
        total_ns = sum(s.duration_s for s in segs) * 1e9
        if record_ns is None:
            record = np.array([total_ns])
        else:
            record = np.atleast_1d(np.asarray(record_ns, dtype=float))
            if record.ndim != 1 or not np.all(np.isfinite(record)) or np.any(np.diff(record) < 0):
                raise InvalidTimesError("record times must be finite and non-decreasing", argument="record_ns",
                                        allowed="a 1-d non-decreasing array of ns")
            if record.size and (record[0] < 0 or record[-1] > total_ns * (1 + 1e-12) + 1e-9):
                raise InvalidTimesError(f"record times span [{record[0]:g}, {record[-1]:g}] ns", argument="record_ns",
                                        allowed=f"times within the schedule, [0, {total_ns:g}] ns")
        # observables through the readout (Heisenberg picture), as augmented o-form vectors
        o_mat = np.array([np.concatenate([o, [0.0]]) for o in self._battery_obs])   # (3, L + 1)
        if readout is not None:
            for seg in reversed(self.segments(readout)):
                o_mat = self._propagator(seg).adjoint(o_mat.T).T
        v = self._start(state)
        values = np.zeros((record.size, 3))
        t0, i = 0.0, 0
        for seg in segs:
            t1 = t0 + seg.duration_s
            k = i
            while k < record.size and record[k] * 1e-9 <= t1 * (1 + 1e-12) + 1e-18:
                k += 1
            prop = self._propagator(seg)
            if k > i:
                local = np.clip(record[i:k] * 1e-9 - t0, 0.0, seg.duration_s)
                values[i:k] = prop.record(v, local, o_mat)
                i = k
            v = prop.forward(v)
            t0 = t1
        if i < record.size:  # times at the very end (rounding)
            values[i:] = np.real(o_mat @ v)[None, :]
        return values / self._norm

    # ---- propagators ----------------------------------------------------------------------------------
    def _start(self, state: NmrState | None) -> np.ndarray:
        if state is None:
            state = self.equilibrium()
        if not isinstance(state, NmrState) or state.simulator.n_chargers != self.n_chargers:
            raise InvalidArgumentError("not a state of this molecule", argument="state",
                                       allowed=f"an NmrState with {self.n_chargers} chargers")
        return np.concatenate([state.vector, [1.0]])

    def choose_method(self, seg: NmrSegment) -> str:
        """The route ``"auto"`` takes for a segment (``"exact"`` or ``"averaged"``)."""
        if self.method != "auto":
            return self.method
        if not self.relaxation or not (seg.amp_battery_hz or seg.amp_chargers_hz):
            return "exact"   # unitary (any duration) / free evolution sector by sector (any duration)
        avg = self._frame(seg)
        if avg.nothing_dropped:
            return "averaged"
        norm = self._generator_norm(seg)
        if norm * seg.duration_s * (self._length + 5000) <= EXACT_COST_LIMIT or avg.ratio > self.average_tolerance:
            return "exact"
        return "averaged"

    def _generator_norm(self, seg: NmrSegment) -> float:
        n = self.n_chargers
        field = (np.linalg.norm(seg.field_hz("battery")) / 2 + np.linalg.norm(seg.field_hz("chargers")) * n / 2
                 + abs(self.coupling_hz) * n / 4)
        return 2 * _TWO_PI * field + (sum(sum(r[:2]) for r in self._rates.values()) * 4 * (n + 1))

    def _propagator(self, seg: NmrSegment):
        method = self.choose_method(seg)
        if method == "exact" and self.relaxation and not (seg.amp_battery_hz or seg.amp_chargers_hz):
            return _FreePropagator(self, seg, self._cached_lab_generator(seg))
        if method == "averaged":
            frame = self._frame(seg)
            if frame.ratio > self.average_tolerance and not self._warned:
                self._warned = True
                warnings.warn(f"averaged propagation of a segment whose slow/fast frequency ratio is "
                              f"{frame.ratio:.3g} (> average_tolerance = {self.average_tolerance:g}): the first-order "
                              "average is inaccurate; use method='exact'", RuntimeWarning, stacklevel=3)
            return _AveragedPropagator(self, seg, frame)
        if not self.relaxation:
            return _UnitaryPropagator(self, seg)
        return _SparsePropagator(self, seg, self._cached_lab_generator(seg))

    def _cached_lab_generator(self, seg: NmrSegment) -> sp.csr_matrix:
        key = _drive_key(seg)
        if key not in self._generators:
            if len(self._generators) > 16:
                self._generators.clear()
            self._generators[key] = self._lab_generator(seg)
        return self._generators[key]

    def coherence_sectors(self) -> list[np.ndarray]:
        """Flat indices of the coherence-order sectors (q, p) = (m_B − m_B', m − m') of the state; the constant of
        the affine vector belongs to (0, 0). Without RF the generator (diagonal Hamiltonian, local relaxation
        along z) never mixes two sectors."""
        if self._sectors is None:
            groups: dict[tuple[int, int], list] = {}
            for blk in self._blocks:
                n, a, n2, a2 = (x.ravel() for x in np.indices((2, blk.s, 2, blk.s)))
                flat = blk.offset + (n * blk.s + a) * blk.dim + n2 * blk.s + a2
                q, p = n - n2, a2 - a          # m_B − m_B' and m − m' (m = j − a)
                for qq in (-1, 0, 1):
                    for pp in np.unique(p[q == qq]):
                        groups.setdefault((qq, int(pp)), []).append(flat[(q == qq) & (p == pp)])
            sectors = []
            for key in sorted(groups, key=lambda k: (abs(k[0]) + abs(k[1]), k)):
                idx = np.concatenate(groups[key])
                if key == (0, 0):
                    idx = np.concatenate([idx, [self._length]])
                sectors.append(np.sort(idx))
            self._sectors = sectors
        return self._sectors

    def _frame(self, seg: NmrSegment) -> "_AveragedFrame":
        """The averaged frame of a segment's drive (cached: it depends on the drive, not the duration)."""
        key = _drive_key(seg)
        if key not in self._frames:
            if len(self._frames) > 16:
                self._frames.clear()
            self._frames[key] = _AveragedFrame(self, seg)
        return self._frames[key]

    # ---- generators -----------------------------------------------------------------------------------
    def _dissipator(self, rates_b: tuple, rates_c: tuple) -> sp.csr_matrix:
        """Relaxation generator on the flat vector: chargers (piqs rates: emission = pumping = g, dephasing = 4k)
        and battery (𝒟[σ^∓] at g, 𝒟[σ^z] at k), for rates (g, k) per spin group."""
        key = (rates_b, rates_c)
        if key not in self._dissipators:
            (g_b, k_b), (g_c, k_c) = rates_b, rates_c
            pd = PermutationalDicke(self.n_chargers, emission=g_c, dephasing=4.0 * k_c, pumping=g_c, cavity_dim=2,
                                    cavity_loss=g_b, cavity_pumping=g_b)
            d = pd.dissipator()
            if k_b:
                parts = [k_b * _block_dissipator(np.kron(_SZ, np.eye(blk.s))) for blk in self._blocks]
                d = (d + sp.block_diag(parts, format="csr")).tocsr()
            if len(self._dissipators) > 16:
                self._dissipators.clear()
            self._dissipators[key] = d
        return self._dissipators[key]

    def _augmented(self, gen: sp.csr_matrix, source: np.ndarray | None) -> sp.csr_matrix:
        col = sp.csr_matrix(source.reshape(-1, 1)) if source is not None else sp.csr_matrix((self._length, 1))
        top = sp.hstack([gen, col])
        bottom = sp.csr_matrix((1, self._length + 1))
        return sp.vstack([top, bottom]).tocsr()

    def _lab_generator(self, seg: NmrSegment) -> sp.csr_matrix:
        h_b, h_c = seg.field_hz("battery"), seg.field_hz("chargers")
        comm = sp.block_diag([_commutator(self._block_hamiltonian(blk, h_b, h_c)) for blk in self._blocks],
                             format="csr")
        (g_b, k_b, r_b), (g_c, k_c, r_c) = self._rates["battery"], self._rates["chargers"]
        gen = (comm + self._dissipator((g_b, k_b), (g_c, k_c))).tocsr()
        w = self.charger_weight
        source = self._flat(lambda b: -r_b * np.kron(_SZ, np.eye(b.s)) - 2.0 * w * r_c * np.kron(_I2, b.jz))
        return self._augmented(gen, source)


def _drive_key(seg: NmrSegment) -> tuple:
    return (complex(seg.amp_battery_hz), complex(seg.amp_chargers_hz), float(seg.offset_battery_hz),
            float(seg.offset_chargers_hz))


def _sparse(m: np.ndarray) -> sp.csr_matrix:
    """A dense block as a sparse matrix without its round-off zeros (|x| ≤ 1e-14 max|x|)."""
    scale = float(np.max(np.abs(m), initial=0.0))
    return sp.csr_matrix(np.where(np.abs(m) > 1e-14 * scale, m, 0.0))


def _commutator(h: np.ndarray) -> sp.csr_matrix:
    """``−i[H, ·]`` on a row-major block (sparse)."""
    hs = _sparse(h)
    eye = sp.identity(h.shape[0], dtype=complex, format="csr")
    return (-1j * (sp.kron(hs, eye) - sp.kron(eye, hs.T))).tocsr()


def _block_dissipator(op: np.ndarray) -> sp.csr_matrix:
    """𝒟[L] = L·L† − ½{L†L, ·} on a row-major block (sparse)."""
    ops = _sparse(op)
    eye = sp.identity(op.shape[0], dtype=complex, format="csr")
    ldl = (ops.conj().T @ ops).tocsr()
    return (sp.kron(ops, ops.conj()) - 0.5 * sp.kron(ldl, eye) - 0.5 * sp.kron(eye, ldl.T)).tocsr()


#: θ_m of Al-Mohy & Higham (SIAM J. Sci. Comput. 33, 488, 2011, Table 3.1; double precision): a Taylor
#: polynomial of degree m is accurate for ‖A t/s‖₁ ≤ θ_m
_THETA = {20: 1.44, 25: 2.43, 30: 3.54, 35: 4.7, 40: 6.0, 45: 7.2, 50: 8.5, 55: 9.9}


def _onenorm(gen: sp.csr_matrix) -> float:
    """‖G‖₁ of the linear part of an augmented generator (the last row and column, the affine source, left out:
    the augmented matrix is nilpotent in that direction, and the Taylor steps check their own convergence)."""
    core = gen[:-1, :-1]
    return float(abs(core).sum(axis=0).max()) if core.nnz else 0.0


def _expm_action(gen: sp.csr_matrix, b: np.ndarray, t: float, norm: float) -> np.ndarray:
    """``e^{G t} b`` by the truncated Taylor series of Al-Mohy & Higham (2011, Algorithm 3.2) with the degree m
    and the number of steps s chosen from the exact 1-norm ``norm`` of G (no estimates of ‖G^p‖: the generators
    here are close to normal, where the 1-norm is already tight), early termination per step."""
    if t == 0 or norm == 0:
        return b.copy()
    a = norm * abs(t)
    m, s = min(((m, max(1, math.ceil(a / th))) for m, th in _THETA.items()), key=lambda p: p[0] * p[1])
    h = t / s
    f = b.copy()
    for _ in range(s):
        term = f
        c1 = np.max(np.abs(term))
        for j in range(1, m + 1):
            term = (h / j) * (gen @ term)
            mag = np.abs(term)
            term[mag < 1e-280] = 0.0  # no subnormal numbers: they make every later product slow
            c2 = np.max(mag)
            f = f + term
            if c1 + c2 <= 2.0 ** -53 * np.max(np.abs(f)):
                break
            c1 = c2
    return f


def _trajectory(gen: sp.csr_matrix, v: np.ndarray, times: np.ndarray):
    """``e^{G t} v`` at the non-decreasing ``times`` (an iterator), stepping from one time to the next."""
    norm = _onenorm(gen)
    t_prev, x = 0.0, v
    for t in times:
        if t > t_prev:
            x = _expm_action(gen, x, t - t_prev, norm)
            t_prev = t
        yield x


def _split(v: np.ndarray, blocks) -> list[np.ndarray]:
    v = np.ascontiguousarray(v)
    return [v[b.offset:b.offset + b.dim ** 2].reshape(b.dim, b.dim) for b in blocks]


def _sandwich(v: np.ndarray, blocks, lefts, rights) -> np.ndarray:
    """``v`` with every block ``X_k`` replaced by ``L_k X_k R_k`` (the affine constant, if any, kept)."""
    out = v.copy()
    for blk, left, right, x in zip(blocks, lefts, rights, _split(v, blocks)):
        out[blk.offset:blk.offset + blk.dim ** 2] = (left @ x @ right).ravel()
    return out


class _UnitaryPropagator:
    """Closed evolution X → U X U† per block from the eigen-decomposition of each block's Hamiltonian."""

    def __init__(self, sim: NmrStarSimulator, seg: NmrSegment):
        self.sim, self.t = sim, seg.duration_s
        h_b, h_c = seg.field_hz("battery"), seg.field_hz("chargers")
        self.eig = [np.linalg.eigh(sim._block_hamiltonian(blk, h_b, h_c)) for blk in sim._blocks]

    def _unitaries(self, t: float) -> list[np.ndarray]:
        return [(vec * np.exp(-1j * e * t)) @ np.ascontiguousarray(vec.conj().T) for e, vec in self.eig]

    def forward(self, v: np.ndarray) -> np.ndarray:
        us = self._unitaries(self.t)
        return _sandwich(v, self.sim._blocks, us, [np.ascontiguousarray(u.conj().T) for u in us])

    def adjoint(self, o: np.ndarray) -> np.ndarray:
        """The Heisenberg map on o-form vectors (columns of ``o``): Oᵀ → (U†OU)ᵀ = Uᵀ Oᵀ U*."""
        if o.ndim == 2:
            return np.stack([self.adjoint(c) for c in o.T], axis=1)
        us = self._unitaries(self.t)
        return _sandwich(o, self.sim._blocks, [np.ascontiguousarray(u.T) for u in us], [u.conj() for u in us])

    def record(self, v: np.ndarray, times: np.ndarray, o_mat: np.ndarray) -> np.ndarray:
        """Tr[O U(t) X U(t)†] for every time and observable: Σ_ab K_ab e^{−i(E_a − E_b)t} per block."""
        vals = np.zeros((times.size, o_mat.shape[0]), dtype=complex)
        vals += o_mat[:, -1][None, :] * v[-1]
        for blk, (e, vec), x in zip(self.sim._blocks, self.eig, _split(v, self.sim._blocks)):
            vh = np.ascontiguousarray(vec.conj().T)
            x_e = vh @ x @ vec
            phase = np.exp(-1j * np.outer(times, e))                   # (t, a)
            for q in range(o_mat.shape[0]):
                ot = o_mat[q, blk.offset:blk.offset + blk.dim ** 2].reshape(blk.dim, blk.dim)
                o_e = vh @ np.ascontiguousarray(ot.T) @ vec            # O in the eigenbasis
                k = x_e * o_e.T                                        # K_ab = X_ab O_ba
                vals[:, q] += np.einsum("ta,ab,tb->t", phase, k, phase.conj())
        return np.real(vals)


class _SparsePropagator:
    """Open evolution by the exact sparse generator on (X, 1)."""

    def __init__(self, sim: NmrStarSimulator, seg: NmrSegment, gen: sp.csr_matrix):
        self.sim, self.t, self.gen = sim, seg.duration_s, gen

    def forward(self, v: np.ndarray) -> np.ndarray:
        return _expm_action(self.gen, v, self.t, _onenorm(self.gen))

    def adjoint(self, o: np.ndarray) -> np.ndarray:
        gen_t = self.gen.T.tocsr()
        return _expm_action(gen_t, o, self.t, _onenorm(gen_t))

    def record(self, v: np.ndarray, times: np.ndarray, o_mat: np.ndarray) -> np.ndarray:
        return np.array([np.real(o_mat @ x) for x in _trajectory(self.gen, v, times)])


class _FreePropagator:
    """Free evolution (no RF) with relaxation, exact: the generator keeps every coherence-order sector (q, p) to
    itself (:meth:`NmrStarSimulator.coherence_sectors`), so each sector is exponentiated densely (dimension
    ≤ Σ_j 2(2j+1) + 1: 741 for 𝒩 = 36) — storage over minutes costs no more than over a millisecond. Sectors of
    the input whose entries are all below 1e-15 of the vector's largest are left at zero."""

    def __init__(self, sim: NmrStarSimulator, seg: NmrSegment, gen: sp.csr_matrix):
        self.sim, self.t, self.gen = sim, seg.duration_s, gen
        self.sectors = sim.coherence_sectors()
        self._mats: dict = {}

    def _expm(self, k: int, dt: float) -> np.ndarray:
        key = (k, float(f"{dt:.12g}"))  # steps of a uniform grid differ by round-off only: one exponential
        if key not in self._mats:
            if len(self._mats) > 4 * len(self.sectors):
                self._mats.clear()
            idx = self.sectors[k]
            self._mats[key] = scipy.linalg.expm(self.gen[idx][:, idx].toarray() * dt)
        return self._mats[key]

    def _apply(self, v: np.ndarray, dt: float, adjoint: bool = False, only=None) -> np.ndarray:
        out = np.zeros_like(v)
        scale = float(np.max(np.abs(v), initial=0.0))
        for k, idx in enumerate(self.sectors):
            if only is not None and k not in only:
                continue
            part = v[idx]
            if scale == 0.0 or np.max(np.abs(part)) <= 1e-15 * scale:
                continue
            m = self._expm(k, dt)
            out[idx] = (m.T @ part) if adjoint else (m @ part)
        return out

    def forward(self, v: np.ndarray) -> np.ndarray:
        return self._apply(v, self.t) if self.t else v.copy()

    def adjoint(self, o: np.ndarray) -> np.ndarray:
        if o.ndim == 2:
            return np.stack([self.adjoint(c) for c in o.T], axis=1)
        return self._apply(o, self.t, adjoint=True) if self.t else o.copy()

    def record(self, v: np.ndarray, times: np.ndarray, o_mat: np.ndarray) -> np.ndarray:
        needed = {k for k, idx in enumerate(self.sectors) if np.any(o_mat[:, idx])}
        out = np.zeros((times.size, o_mat.shape[0]))
        x, t_prev = v, 0.0
        for i, t in enumerate(times):
            if t > t_prev:
                x = self._apply(x, float(t - t_prev), only=needed)
                t_prev = t
            out[i] = np.real(o_mat @ x)
        return out


class _AveragedFrame:
    """The toggling frame of a segment's RF fields and its first-order average (module docstring)."""

    def __init__(self, sim: NmrStarSimulator, seg: NmrSegment):
        self.sim = sim
        h = {spin: seg.field_hz(spin) for spin in _SPINS}
        omega = {spin: float(np.linalg.norm(h[spin])) for spin in _SPINS}
        axis = {spin: (h[spin] / omega[spin] if omega[spin] > 0 else np.array([0.0, 0.0, 1.0])) for spin in _SPINS}
        self.cos = {spin: float(axis[spin][2]) for spin in _SPINS}
        mean = 0.5 * (omega["battery"] + omega["chargers"])
        self.common = abs(omega["battery"] - omega["chargers"]) <= 0.5 * mean or mean == 0.0
        self.frame_hz = {spin: (mean if self.common else omega[spin]) for spin in _SPINS}
        residual = {spin: omega[spin] - self.frame_hz[spin] for spin in _SPINS}
        rot_b = _rotation_to(axis["battery"], 0.5 * _SX, 0.5 * _SY, 0.5 * _SZ)
        # tilted bases, Hamiltonian average and the diagonal frame energies per block
        self.w, self.energies, hbar = [], [], []
        dropped = 0.0
        for blk in sim._blocks:
            jx = 0.5 * (blk.jp + blk.jp.T)
            jy = -0.5j * (blk.jp - blk.jp.T)
            rot_c = _rotation_to(axis["chargers"], jx, jy, blk.jz)
            w = np.kron(rot_b, rot_c)
            m_b = np.repeat([-0.5, 0.5], blk.s)
            m_c = np.tile(np.diag(blk.jz).real, 2)
            v_t = _TWO_PI * sim.coupling_hz * np.kron(rot_b.conj().T @ (0.5 * _SZ) @ rot_b,
                                                      rot_c.conj().T @ blk.jz @ rot_c)
            if self.common:
                keep = np.isclose((m_b + m_c)[:, None], (m_b + m_c)[None, :])
            else:
                keep = np.isclose(m_b[:, None], m_b[None, :]) & np.isclose(m_c[:, None], m_c[None, :])
            dropped = max(dropped, float(np.max(np.abs(v_t[~keep]), initial=0.0)))
            h = np.where(keep, v_t, 0.0) + _TWO_PI * np.diag(residual["battery"] * m_b + residual["chargers"] * m_c)
            hbar.append(h)
            self.w.append((w, np.ascontiguousarray(w.conj().T), np.ascontiguousarray(w.T), np.ascontiguousarray(w.conj())))
            self.energies.append(_TWO_PI * (self.frame_hz["battery"] * m_b + self.frame_hz["chargers"] * m_c))
        self.hbar = hbar
        tilted = {spin: abs(self.cos[spin]) < 1.0 - 1e-12 for spin in _SPINS}
        relax_dropped = sim.relaxation and any(tilted[spin] and sum(sim._rates[spin][:2]) > 0 for spin in _SPINS)
        scale = max(abs(sim.coupling_hz), 1e-300)
        self.nothing_dropped = dropped <= 1e-12 * _TWO_PI * scale and not relax_dropped
        if self.common:
            fast = mean
        else:
            fast = min(omega["battery"], omega["chargers"], abs(omega["battery"] - omega["chargers"]))
        n = sim.n_chargers
        slow = (abs(sim.coupling_hz) * math.sqrt(n) + abs(residual["battery"]) + abs(residual["chargers"]) * n
                + (sum(sum(r[:2]) for r in sim._rates.values()) / _TWO_PI if sim.relaxation else 0.0))
        self.ratio = 0.0 if self.nothing_dropped else (slow / fast if fast > 0 else math.inf)

    def averaged_rates(self, spin: str) -> tuple[float, float]:
        """(g', k') of the averaged relaxation in the tilted frame: g' = B, k' = A."""
        g, k, _ = self.sim._rates[spin]
        kperp, kz = 0.5 * g, k
        c2 = self.cos[spin] ** 2
        return kperp * (1 + c2) + kz * (1 - c2), kperp * (1 - c2) + kz * c2

    def generator(self) -> sp.csr_matrix:
        if getattr(self, "_generator", None) is None:
            self._generator = self._build_generator()
        return self._generator

    def _build_generator(self) -> sp.csr_matrix:
        sim = self.sim
        comm = sp.block_diag([_commutator(h) for h in self.hbar], format="csr")
        if not sim.relaxation:
            return sim._augmented(comm, None)
        gen = (comm + sim._dissipator(self.averaged_rates("battery"), self.averaged_rates("chargers"))).tocsr()
        r_b, r_c = sim._rates["battery"][2], sim._rates["chargers"][2]
        cb, cc, w = self.cos["battery"], self.cos["chargers"], sim.charger_weight
        source = sim._flat(lambda b: -r_b * cb * np.kron(_SZ, np.eye(b.s)) - 2.0 * w * r_c * cc * np.kron(_I2, b.jz))
        return sim._augmented(gen, source)


def _rotation_to(n: np.ndarray, ox: np.ndarray, oy: np.ndarray, oz: np.ndarray) -> np.ndarray:
    """``R = exp(−iθ u·O)`` with u ∝ z × n and θ the angle from z to n, so that ``R O_z R† = n·O`` (spin operators
    O = σ/2 or J); the columns of R are the tilted basis (the eigenvectors of n·O in the order of O_z)."""
    nz = float(np.clip(n[2], -1.0, 1.0))
    theta = math.acos(nz)
    perp = math.hypot(n[0], n[1])
    if perp < 1e-15:
        if nz > 0:
            return np.eye(oz.shape[0], dtype=complex)
        ux, uy = 1.0, 0.0
    else:
        ux, uy = -n[1] / perp, n[0] / perp   # u = z × n / |z × n|
    gen = ux * ox + uy * oy
    e, v = np.linalg.eigh(gen)
    return (v * np.exp(-1j * theta * e)) @ v.conj().T


class _AveragedPropagator:
    """X(t) = W D(t) e^{Ḡ t}[W† X W] D(t)† W† (module docstring), with Ḡ the averaged generator in the tilted
    basis and D(t) = e^{−iE t} the diagonal frame rotation."""

    def __init__(self, sim: NmrStarSimulator, seg: NmrSegment, frame: _AveragedFrame):
        self.sim, self.t, self.frame = sim, seg.duration_s, frame
        self.gen = frame.generator()
        # E_a − E_b of every flat entry (0 for the constant): D X D† multiplies entry ab by e^{−i(E_a − E_b)t}
        self.gaps = np.concatenate([(e[:, None] - e[None, :]).ravel() for e in frame.energies] + [np.zeros(1)])

    def _to_tilted(self, v):
        """X → W† X W per block."""
        return _sandwich(v, self.sim._blocks, [w[1] for w in self.frame.w], [w[0] for w in self.frame.w])

    def _from_tilted(self, v, t):
        """X → (W D) X (W D)† per block, D = e^{−iE t}."""
        ds = [np.exp(-1j * e * t) for e in self.frame.energies]
        return _sandwich(v, self.sim._blocks, [w[0] * d[None, :] for w, d in zip(self.frame.w, ds)],
                         [d.conj()[:, None] * w[1] for w, d in zip(self.frame.w, ds)])

    def _obs_rotated(self, o):
        """Oᵀ → Wᵀ Oᵀ W* per block (the W part of the adjoint of ``_from_tilted``)."""
        return _sandwich(o, self.sim._blocks, [w[2] for w in self.frame.w], [w[3] for w in self.frame.w])

    def _obs_to_tilted(self, o, t):
        """Adjoint of ``_from_tilted`` on an o-form vector: Oᵀ → D (Wᵀ Oᵀ W*) D*."""
        return self._obs_rotated(o) * np.exp(-1j * self.gaps * t)

    def _obs_from_tilted(self, o):
        """Adjoint of ``_to_tilted`` on an o-form vector: Oᵀ → W* Oᵀ Wᵀ."""
        return _sandwich(o, self.sim._blocks, [w[3] for w in self.frame.w], [w[2] for w in self.frame.w])

    def forward(self, v: np.ndarray) -> np.ndarray:
        x = _expm_action(self.gen, self._to_tilted(v), self.t, _onenorm(self.gen))
        return self._from_tilted(x, self.t)

    def adjoint(self, o: np.ndarray) -> np.ndarray:
        if o.ndim == 2:
            ot = np.stack([self._obs_to_tilted(c, self.t) for c in o.T], axis=1)
            gen_t = self.gen.T.tocsr()
            ot = _expm_action(gen_t, ot, self.t, _onenorm(gen_t))
            return np.stack([self._obs_from_tilted(c) for c in ot.T], axis=1)
        return self.adjoint(o[:, None])[:, 0]

    def record(self, v: np.ndarray, times: np.ndarray, o_mat: np.ndarray) -> np.ndarray:
        rotated = np.array([self._obs_rotated(o) for o in o_mat])
        states = _trajectory(self.gen, self._to_tilted(v), times)
        return np.array([np.real(rotated @ (np.exp(-1j * self.gaps * t) * x)) for t, x in zip(times, states)])
