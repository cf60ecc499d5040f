"""Open batteries: any model plus GKSL dissipators and drives (review Sec. V, Eqs. 49–51).

A dissipative quantum battery (review Sec. V) has its state evolve by the GKSL master equation
(review Eq. 51; Gorini, Kossakowski and Sudarshan, J. Math. Phys. 17, 821 (1976); Lindblad,
Commun. Math. Phys. 48, 119 (1976))

    dρ/dt = −i[H(t), ρ] + Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ}),   H(t) = H + Σ_k f_k(t) O_k,

with the rates folded into the jump operators ``L_k``. :class:`OpenBattery` attaches such ``L_k`` (and
drives ``(O_k, f_k)``) to any :class:`~qbhw.models.base.BatteryModel`; :func:`qbhw.charge` then solves the
master equation instead of the Schrödinger equation. :func:`local_decoherence` builds the usual per-site
T1 / Tφ operators on a tensor-product space:

* amplitude damping ``L = √(1/T1) b`` (``b = Σ_n √n |n−1⟩⟨n|``, so level ``n`` decays at ``n/T1``);
* pure dephasing ``L = √(2/Tφ) n̂`` (``n̂ = Σ_n n |n⟩⟨n|``: the 0–1 coherence decays as ``e^{−t/Tφ}``;
  on a qubit this equals ``√(1/(2Tφ)) σ^z``), with ``1/Tφ = 1/T2 − 1/(2T1)``.

Full-space operators follow qiskit's little-endian order: site 0 is the least significant factor
(the rightmost factor of ``np.kron``), as :class:`~qbhw.models.base.FullSpaceModel` documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import (
    DimensionMismatchError,
    InvalidArgumentError,
    InvalidHamiltonianError,
)
from ..metrics._inputs import _to_numpy
from .base import BatteryModel, FullSpaceModel

__all__ = ["OpenBattery", "local_decoherence", "JumpOperators", "lowering_operator", "number_operator", "drive_pair"]


class JumpOperators(list):
    """A list of jump operators with a JSON-friendly ``description`` (stored in the model's metadata)."""

    def __init__(self, operators=(), description: dict | None = None):
        super().__init__(operators)
        self.description = dict(description or {})


def lowering_operator(levels: int) -> sp.csr_matrix:
    """``b = Σ_{n=1}^{d−1} √n |n−1⟩⟨n|`` on ``d = levels`` levels (the qubit ``σ^− = |g⟩⟨e|`` for d = 2)."""
    return sp.diags(np.sqrt(np.arange(1, levels, dtype=float)), 1, shape=(levels, levels), format="csr",
                    dtype=complex)


def number_operator(levels: int) -> sp.csr_matrix:
    """``n̂ = Σ_n n |n⟩⟨n|`` on ``d = levels`` levels."""
    return sp.diags(np.arange(levels, dtype=float), 0, format="csr", dtype=complex)


def _embed(op: sp.csr_matrix, site: int, dims: Sequence[int]) -> sp.csr_matrix:
    """``1 ⊗ … ⊗ op ⊗ … ⊗ 1`` with ``op`` on factor ``site`` (little-endian: factor 0 rightmost)."""
    lower = int(np.prod(dims[:site], dtype=np.int64))
    higher = int(np.prod(dims[site + 1:], dtype=np.int64))
    return sp.kron(sp.kron(sp.identity(higher, dtype=complex, format="csr"), op, format="csr"),
                   sp.identity(lower, dtype=complex, format="csr"), format="csr")


def _check_dims(dims) -> list[int]:
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        dims = [2] * int(dims)
    try:
        out = [int(x) for x in dims]
        ok = len(out) >= 1 and all(int(x) == x and not isinstance(x, bool) and int(x) >= 2 for x in dims)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InvalidArgumentError(f"got {dims!r}", argument="dims",
                                   allowed="a non-empty sequence of integers >= 2 (levels per site), or a "
                                           "number of qubits")
    return out


def _check_sites(sites, n: int) -> list[int]:
    if sites is None:
        return list(range(n))
    if isinstance(sites, (int, np.integer)) and not isinstance(sites, bool):
        sites = [sites]
    try:
        out = [int(s) for s in sites]
        ok = all(int(s) == s and not isinstance(s, bool) for s in sites)
    except (TypeError, ValueError):
        ok = False
    if not ok or any(s < 0 or s >= n for s in out) or len(set(out)) != len(out):
        raise InvalidArgumentError(f"got {sites!r}", argument="sites",
                                   allowed=f"distinct site indices 0 ... {n - 1} (or None for all sites)")
    return out


def _check_times_per_site(value, argument: str, n_sites: int) -> list[float] | None:
    if value is None:
        return None
    values = np.atleast_1d(np.asarray(value, dtype=object)).ravel()
    allowed = f"{argument} > 0 (inf: no such process), one value or one per listed site ({n_sites})"
    if values.size not in (1, n_sites):
        raise DimensionMismatchError(f"has {values.size} values for {n_sites} sites", argument=argument,
                                     allowed=allowed)
    out = []
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"got {v!r}", argument=argument, allowed=allowed) from exc
        if isinstance(v, bool) or np.isnan(x) or x <= 0:
            raise InvalidArgumentError(f"got {v!r}", argument=argument, allowed=allowed)
        out.append(x)
    return out * n_sites if len(out) == 1 else out


def local_decoherence(dims, sites=None, *, t1=None, tphi=None) -> JumpOperators:
    """Per-site amplitude damping and pure dephasing as full-space jump operators.

    For each listed site ``s`` (a ``d_s``-level system): ``√(1/T1) b_s`` (level ``n`` decays at ``n/T1``)
    and ``√(2/Tφ) n̂_s`` (0–1 coherence decays as ``e^{−t/Tφ}``), embedded little-endian (site 0 least
    significant). Rates enter the master equation of review Eq. (51) folded into the operators.

    Parameters
    ----------
    dims:
        Levels of every tensor factor (e.g. ``[2, 2, 2]``), or the number of qubits.
    sites:
        Indices of the sites that decohere (``None``: all).
    t1, tphi:
        Energy-relaxation time T1 and pure-dephasing time Tφ, in the model's time unit: one value for all
        listed sites or one per listed site; ``None`` or ``inf`` leaves the process out. ``1/Tφ = 1/T2 − 1/(2T1)``.

    Returns
    -------
    JumpOperators
        A list of sparse ``(D, D)`` operators, ``D = Π dims`` (T1 operators first, site by site), whose
        ``description`` records ``dims``, ``sites``, ``t1`` and ``tphi``.
    """
    dims = _check_dims(dims)
    sites = _check_sites(sites, len(dims))
    t1s = _check_times_per_site(t1, "t1", len(sites))
    tphis = _check_times_per_site(tphi, "tphi", len(sites))
    ops = []
    if t1s is not None:
        for s, t in zip(sites, t1s):
            if np.isfinite(t):
                ops.append(_embed(np.sqrt(1.0 / t) * lowering_operator(dims[s]), s, dims))
    if tphis is not None:
        for s, t in zip(sites, tphis):
            if np.isfinite(t):
                ops.append(_embed(np.sqrt(2.0 / t) * number_operator(dims[s]), s, dims))

    def _json(v):
        return None if v is None else [x if np.isfinite(x) else "inf" for x in v]

    description = {"kind": "local T1/Tphi", "dims": dims, "sites": sites, "t1": _json(t1s), "tphi": _json(tphis),
                   "operators": "sqrt(1/T1) b, sqrt(2/Tphi) n"}
    return JumpOperators(ops, description)


def drive_pair(item, argument: str) -> tuple[Any, Any]:
    """``(operator, f)`` of one drive ``H(t) ∋ f(t) O``: a pair whose second entry is callable, else
    :class:`~qbhw.errors.InvalidArgumentError` naming ``argument`` (e.g. ``drives[2]``)."""
    try:
        op, f = item
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError("must be a pair (operator, f)", argument=argument,
                                   allowed="(Hermitian (d, d) operator, real function f(t))") from exc
    if not callable(f):
        raise InvalidArgumentError(f"its coefficient is not callable ({type(f).__name__})", argument=argument,
                                   allowed="(Hermitian (d, d) operator, real function f(t))")
    return op, f


def _as_model_operator(op, argument: str, dim: int) -> Any:
    if sp.issparse(op):
        m = sp.csr_matrix(op, dtype=complex)
        if not np.all(np.isfinite(m.data)):
            raise InvalidArgumentError("contains NaN or inf", argument=argument, allowed="finite entries")
    else:
        m = _to_numpy(op, argument)
    if m.ndim != 2 or m.shape != (dim, dim):
        raise DimensionMismatchError(f"has shape {m.shape} but the model has dimension {dim}", argument=argument,
                                     allowed=f"shape ({dim}, {dim})")
    return m


class OpenBattery(BatteryModel):
    """A battery model with GKSL dissipators and drives (review Sec. V, Eq. 51).

    Every Hamiltonian piece, the basis, the initial state, the battery's reduced state and spectrum (and
    any further attribute, e.g. ``cutoff_population``) come from the wrapped ``model``; this class adds
    ``jump_operators()`` (the wrapped model's own, if any, then ``jump_operators``) and ``drives()``, so
    :func:`qbhw.charge` evolves it by the master equation.

    Parameters
    ----------
    model:
        Any :class:`~qbhw.models.base.BatteryModel`; the operators act on its space (``model.dimension``,
        its basis: a symmetry-reduced one for reduced models, ``model.full_space()`` for the tensor product
        that :func:`local_decoherence` addresses).
    jump_operators:
        Sequence of ``(d, d)`` operators ``L_k = √γ_k A_k`` (rates folded in; units √energy).
    drives:
        Sequence of ``(O_k, f_k)``: Hermitian ``(d, d)`` operators and real functions ``f_k(t)``;
        ``H(t) = model.charging_hamiltonian() + Σ_k f_k(t) O_k``.
    name:
        Short name (default ``"<model name> (open)"``).
    description:
        JSON-friendly description of the dissipators for the metadata (default: the ``description`` of a
        :class:`JumpOperators` list, as :func:`local_decoherence` returns).
    """

    def __init__(self, model: BatteryModel, jump_operators=(), drives=(), name: str | None = None, *,
                 description: dict | str | None = None):
        if not isinstance(model, BatteryModel):
            raise InvalidArgumentError(f"got {type(model).__name__}", argument="model", allowed="a BatteryModel")
        self._model = model
        d = model.dimension
        if sp.issparse(jump_operators) or (isinstance(jump_operators, np.ndarray) and jump_operators.ndim == 2):
            raise InvalidArgumentError("got a single matrix", argument="jump_operators",
                                       allowed="a sequence of (d, d) operators, e.g. [L]")
        self._jumps = [_as_model_operator(op, f"jump_operators[{k}]", d)
                       for k, op in enumerate(jump_operators or ())]
        self._drives = []
        for k, item in enumerate(drives or ()):
            arg = f"drives[{k}]"
            op, f = drive_pair(item, arg)
            m = _as_model_operator(op, arg, d)
            diff = m - m.conj().T
            dev = float(abs(diff).max()) if (not sp.issparse(diff) or diff.nnz) else 0.0
            if dev > 1e-8 * max(1.0, float(abs(m).max())):
                raise InvalidHamiltonianError(f"operator is not Hermitian (max |O - O^dagger| = {dev:.3g})",
                                              argument=arg, allowed="a Hermitian operator")
            self._drives.append((m, f))
        if description is None:
            description = getattr(jump_operators, "description", None)
        self.description = description
        self.name = name if name is not None else f"{model.name} (open)"
        self.protocol = model.protocol

    @property
    def model(self) -> BatteryModel:
        """The wrapped (closed) model."""
        return self._model

    def __getattr__(self, name: str):
        # only reached when normal lookup fails: delegate public attributes (cutoff_population, n_cells, …)
        if name.startswith("_") or "_model" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self._model, name)

    # ---- open-system parts --------------------------------------------------------
    def jump_operators(self) -> list:
        return list(self._model.jump_operators()) + list(self._jumps)

    def drives(self) -> list:
        return list(self._model.drives()) + list(self._drives)

    # ---- delegated pieces ---------------------------------------------------------
    def battery_hamiltonian(self):
        return self._model.battery_hamiltonian()

    def charger_hamiltonian(self):
        return self._model.charger_hamiltonian()

    def interaction(self):
        return self._model.interaction()

    def charging_hamiltonian(self):
        return self._model.charging_hamiltonian()

    @property
    def dimension(self) -> int:
        return self._model.dimension

    def basis(self) -> list[str]:
        return self._model.basis()

    def initial_state(self) -> np.ndarray:
        return self._model.initial_state()

    def battery_state(self, psi: np.ndarray) -> np.ndarray:
        return self._model.battery_state(psi)

    def battery_spectrum(self, space: str = "full"):
        return self._model.battery_spectrum(space)

    def full_space(self) -> FullSpaceModel:
        raise NotImplementedError("an OpenBattery's operators act on the wrapped model's space; wrap "
                                  "model.full_space() instead to compare with the full tensor-product space")

    @property
    def conventions(self) -> dict[str, Any]:
        return self._model.conventions

    @property
    def metadata(self) -> dict[str, Any]:
        """The wrapped model's metadata plus the number of dissipators and drives and their description."""
        return {**self._model.metadata, "open_system": True, "n_jump_operators": len(self.jump_operators()),
                "n_drives": len(self.drives()), "dissipators": self.description}

    def __repr__(self) -> str:
        return (f"OpenBattery({self._model!r}, {len(self._jumps)} jump operators, {len(self._drives)} drives, "
                f"name={self.name!r})")
