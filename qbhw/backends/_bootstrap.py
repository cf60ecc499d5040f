"""Bootstrap over shots for :func:`qbhw.backends.execution.curve_from_results` (see
:mod:`qbhw.metrics.intervals` for the method).

One replicate resamples every circuit's histogram multinomially (its own shots, the observed frequencies
as probabilities) and recomputes from it, exactly as the measured curve is computed:

* the energy ``E*(t)``: every group estimate is the sample mean of a per-outcome value, so it is linear
  in the counts; the per-outcome values are taken from :func:`~qbhw.compile.measurement.group_estimates`
  itself (evaluated on one-outcome histograms), and a replicate is ``counts* · values / shots``;
* the population bound ``𝓔_i(diag p*)`` (:func:`~qbhw.compile.measurement.population_lower_bound`):
  the populations are linear in the counts (:func:`~qbhw.compile.measurement.battery_populations` on
  one-outcome histograms); ``𝓔_i = Σ_k p_k ε_k − Σ_k p↓_k ε↑_k`` with the level energies
  ``ε_k − ε_min = 𝓔_i(|k⟩⟨k|)`` read off ``population_lower_bound`` itself;
* the tomography ergotropy: the Pauli expectations of linear inversion are linear in the counts (as in
  :func:`~qbhw.compile.measurement.tomography_state`: each ⟨P⟩ pooled over the settings that agree with
  P on its support), followed by the closest-physical-state projection (Smolin et al. 2012, here as
  the equivalent Euclidean projection of the spectrum onto the simplex) and the ergotropy by sorting
  (review Eq. 6) — batched over replicates.

For a *sampled* thermal ensemble (``plan.ensemble == "sampled"``) the members are resampled with
replacement as well, so the replicates carry the between-sample variance that ``energy_stderr`` includes.

Everything is vectorised over the ``B`` replicates (one multinomial draw per circuit), so a curve of
30 times and a few circuits per time costs a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import numpy as np
from qiskit.quantum_info import Pauli

from ..compile.measurement import (
    battery_populations,
    counts_to_bits,
    group_estimates,
    population_lower_bound,
    tomography_settings,
)
from ..errors import InvalidArgumentError
from ..metrics import (
    counts_seed,
    curve_figure_intervals,
    replicate_interval,
    resample_counts,
)

__all__ = ["check_bootstrap", "shot_intervals"]


def check_bootstrap(value) -> int:
    """Number of bootstrap replicates: 0 (off) or an integer >= 2."""
    if isinstance(value, bool) or value is None or not float(value).is_integer() or int(value) < 0 \
            or int(value) == 1:
        raise InvalidArgumentError(f"got {value!r}", argument="bootstrap",
                                   allowed="0 (no bootstrap) or a number of replicates >= 2")
    return int(value)


@dataclass
class _Replicates:
    energy: np.ndarray                 # (B, nt)
    lower_bound: np.ndarray | None     # (B, nt)
    ergotropy: np.ndarray | None       # (B, nt)
    method: str


def _member_weights(plan, n_boot: int, rng) -> np.ndarray:
    """(B, nm) ensemble weights of each replicate (members resampled for a sampled ensemble)."""
    w = np.asarray(plan.weights, dtype=float)
    nm = w.size
    if plan.ensemble == "sampled" and nm > 1:
        idx = rng.integers(0, nm, size=(n_boot, nm))
        mult = np.stack([np.bincount(r, minlength=nm) for r in idx]).astype(float)
        ww = mult * w
        return ww / ww.sum(axis=1, keepdims=True) * w.sum()
    return np.broadcast_to(w, (n_boot, nm))


def _project_to_simplex_spectrum(mu: np.ndarray) -> np.ndarray:
    """Batched :func:`~qbhw.compile.measurement.project_to_physical`: ``(B, d, d)`` unit-trace Hermitian
    matrices → closest density matrices (eigenvalues projected onto the probability simplex)."""
    mu = 0.5 * (mu + np.conj(np.swapaxes(mu, -1, -2)))
    tr = np.real(np.trace(mu, axis1=-2, axis2=-1))
    mu = mu / tr[:, None, None]
    evals, vecs = np.linalg.eigh(mu)
    lam = evals[:, ::-1]  # descending
    d = lam.shape[1]
    css = np.cumsum(lam, axis=1)
    j = np.arange(1, d + 1)
    keep = lam - (css - 1.0) / j > 0
    r = d - np.argmax(keep[:, ::-1], axis=1)  # size of the kept support (keep[:, 0] is always true)
    theta = (css[np.arange(lam.shape[0]), r - 1] - 1.0) / r
    lam = np.clip(lam - theta[:, None], 0.0, None)[:, ::-1]
    return (vecs * lam[:, None, :]) @ np.conj(np.swapaxes(vecs, -1, -2))


def _ergotropy_batched(rho: np.ndarray, hmat: np.ndarray) -> np.ndarray:
    """Batched :func:`qbhw.metrics.ergotropy`: ``max(0, Tr[Hρ] − Σ r↓ ε↑)`` for ``(B, d, d)`` states."""
    e = np.real(np.einsum("ij,bji->b", hmat, rho))
    r = np.linalg.eigvalsh(rho)[:, ::-1]
    eps = np.linalg.eigvalsh(hmat)
    return np.maximum(0.0, e - r @ eps)


def _tomography_tables(n: int):
    """Pauli matrices (letters[k] on battery qubit k, as in ``tomography_state``) and, per setting, the
    value of every Pauli on every outcome (0 where the setting does not measure it) and the compatibility."""
    letters = list(product("IXYZ", repeat=n))
    mats = np.array([Pauli("".join(reversed(ls))).to_matrix() for ls in letters])
    outcomes = np.array([[(o >> k) & 1 for k in range(n)] for o in range(2**n)])
    signs = 1.0 - 2.0 * outcomes
    tables = {}
    for s in tomography_settings(n):
        compat = np.array([all(s[k] == ls[k] for k in range(n) if ls[k] != "I") for ls in letters])
        vals = np.zeros((2**n, len(letters)))
        for p, ls in enumerate(letters):
            if compat[p]:
                support = [k for k in range(n) if ls[k] != "I"]
                vals[:, p] = np.prod(signs[:, support], axis=1)
        tables[s] = (vals, compat.astype(float))
    return mats, tables


def _replicates(plan, results, n_boot: int, *, lower_bound: bool, tomography: bool) -> _Replicates:
    mplan = plan.measurement_plan
    nt, nm = len(plan.times), len(plan.weights)
    rng = np.random.default_rng(counts_seed(results))
    energy = np.full((n_boot, nt, nm), float(mplan.constants.get("energy", 0.0)))
    diag = mplan.diagonal_group.get("energy")
    bq = list(plan.battery_qubits)
    nb = len(bq)
    pops = np.zeros((n_boot, nt, nm, 2**nb)) if lower_bound else None
    value_cache: dict = {}
    pop_cache: dict = {}
    if tomography:
        mats, tables = _tomography_tables(nb)
        num = np.zeros((nt, nm, n_boot, mats.shape[0]))
        den = np.zeros((nt, nm, mats.shape[0]))
        weights_bits = 1 << np.arange(nb)
    for pub, res in zip(plan.pubs, results):
        i, m = pub["time"], pub["member"]
        if pub["kind"] != "group" and not tomography:
            continue
        keys = list(res)
        c = np.array([res[k] for k in keys], dtype=float)
        shots = c.sum()
        draws = resample_counts(c, n_boot, rng).astype(float)  # (B, K)
        if pub["kind"] == "group":
            g = pub["index"]
            v = np.empty(len(keys))
            for j, k in enumerate(keys):
                if (g, k) not in value_cache:  # the group's energy estimator on one outcome
                    est = group_estimates(mplan, g, {k: 1.0}, exact=True)
                    value_cache[(g, k)] = est["energy"][0] if "energy" in est else 0.0
                v[j] = value_cache[(g, k)]
            energy[:, i, m] += draws @ v / shots
            if lower_bound and g == diag:
                for k in keys:
                    if k not in pop_cache:
                        pop_cache[k] = battery_populations({k: 1}, mplan.groups[g], bq)
                pmap = np.array([pop_cache[k] for k in keys])  # (K, 2^nb) one-hot
                pops[:, i, m] += draws @ pmap / shots
        else:
            vals, compat = tables[pub["index"]]
            bits, _ = counts_to_bits(res, nb)
            idx = bits.astype(np.int64) @ weights_bits
            num[i, m] += draws @ vals[idx]
            den[i, m] += shots * compat
    wb = _member_weights(plan, n_boot, rng)  # (B, nm)
    e = np.einsum("bim,bm->bi", energy, wb)
    lb = None
    if lower_bound:
        g = mplan.groups[diag]
        pos = {q: k for k, q in enumerate(g.qubits)}
        basis = "".join(g.basis[pos[q]] for q in bq)
        hb = plan.battery_operator
        eps = np.array([population_lower_bound(np.eye(2**nb)[k], hb, basis) for k in range(2**nb)])
        p = np.einsum("bimk,bm->bik", pops, wb)
        lb = np.maximum(0.0, p @ eps - np.sort(p, axis=-1)[..., ::-1] @ np.sort(eps))
    erg = None
    if tomography:
        hmat = plan.battery_operator.to_matrix()
        d = 2**nb
        erg = np.empty((n_boot, nt))
        for i in range(nt):
            rho = np.zeros((n_boot, d, d), dtype=complex)
            for m in range(nm):
                expect = num[i, m] / den[i, m]
                expect[:, 0] = 1.0  # the identity
                rho_m = _project_to_simplex_spectrum(np.einsum("bp,pij->bij", expect, mats) / d)
                rho += wb[:, m, None, None] * rho_m
            erg[:, i] = _ergotropy_batched(rho, hmat)
    what = "shots and ensemble samples" if plan.ensemble == "sampled" and nm > 1 else "shots"
    return _Replicates(e, lb, erg, f"bootstrap over {what} (B={n_boot})")


def shot_intervals(plan, results, n_boot: int, *, times: np.ndarray, energy: np.ndarray, work: np.ndarray,
                   work_of: Callable[[np.ndarray], np.ndarray], lower_bound: np.ndarray | None = None,
                   ergotropy: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], dict[str, dict]]:
    """Bootstrap over shots of one sampled run: ``(observables, intervals)``.

    ``observables``: per-time standard errors ``ergotropy_lower_bound_stderr`` (when ``lower_bound`` is
    given) and ``ergotropy_stderr`` (when the tomography ``ergotropy`` is given). ``intervals``: name →
    :meth:`qbhw.metrics.Interval.to_dict` for the figures of
    :func:`qbhw.metrics.curve_figure_intervals` (``tau_max_power``, ``max_average_power``,
    ``tau_energy_peak``, ``average_power_energy_peak``, ``max_energy``), ``final_ergotropy`` and
    ``final_ergotropy_lower_bound``. ``work_of`` maps an energy curve to its work (the same function as
    the measured curve's work), ``energy``/``work``/``lower_bound``/``ergotropy`` are the measured values.
    Histograms that are not counts of shots (non-integer or negative entries) give no intervals.
    """
    if not all(res and all(float(v) >= 0 and float(v).is_integer() for v in res.values()) for res in results):
        return {}, {}  # not counts of shots (e.g. quasi-probabilities): nothing to resample
    reps = _replicates(plan, results, n_boot, lower_bound=lower_bound is not None,
                       tomography=ergotropy is not None)
    work_reps = np.stack([work_of(e) for e in reps.energy])
    found = curve_figure_intervals(times, work_reps, work, energy=energy, energy_replicates=reps.energy,
                                   method=reps.method)
    intervals = {k: v.to_dict() for k, v in found.items()}
    obs: dict[str, np.ndarray] = {}
    for name, point, rep in (("ergotropy_lower_bound", lower_bound, reps.lower_bound),
                             ("ergotropy", ergotropy, reps.ergotropy)):
        if point is None or rep is None:
            continue
        obs[f"{name}_stderr"] = np.std(rep, axis=0, ddof=1)
        label = "final_ergotropy" if name == "ergotropy" else "final_ergotropy_lower_bound"
        intervals[label] = replicate_interval(float(point[-1]), rep[:, -1], method=reps.method).to_dict()
    return obs, intervals
