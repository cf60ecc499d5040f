"""Shot-noise uncertainties of probabilities and Pauli sums that never collapse to 0 (pure numpy).

A finite run that saw an outcome 0 (or n) times out of n does not know the probability exactly,
so its standard error must not be 0 (a zero σ gives an infinite fit weight and a χ² that is
dominated by one point). Both estimators here keep the usual *point estimate* (the observed
frequency, the sample mean) and take the *uncertainty* from the Jeffreys posterior of the
binomial, Beta(k + ½, n − k + ½).

Probabilities (:func:`jeffreys_probability`)
    ``p = k/n``;  ``σ² = p̃(1 − p̃)/(n + 2)`` with ``p̃ = (k + ½)/(n + 1)``.

    This is the variance of Beta(k + ½, n − k + ½), whose mean is p̃, i.e.
    ``ab/((a + b)²(a + b + 1))`` with ``a + b = n + 1`` — as qiskit-experiments' ``Probability``
    data node uses for the variance (its point estimate is the posterior mean; here it stays
    ``k/n``). σ > 0 for every ``0 ≤ k ≤ n``, and ``σ² → p(1 − p)/n`` for large n.

Pauli sums (:func:`pauli_sum_estimate`)
    One measurement group gives, for every outcome, the ±1 value ``s_l`` of each of its L Pauli
    terms. The estimate of ``Σ_l c_l ⟨s_l⟩`` is the sample mean ``Σ_l c_l s̄_l`` (unchanged). Its
    variance is

    ``Var = Σ_{l,m} c_l c_m ρ'_lm σ_l σ_m / n``

    with

    * ``σ_l² = 4 p̃_l (1 − p̃_l) · n/(n + 2)``: the Jeffreys posterior variance of the ±1 term
      times n (``p_l`` = fraction of −1 outcomes, ``p̃_l = (n p_l + ½)/(n + 1)``); so
      ``σ_l²/n = 4 p̃_l(1 − p̃_l)/(n + 2)`` is exactly ``Var(1 − 2p)`` under Beta(k + ½, n − k + ½);
    * ``ρ'_lm = n/(n + 1) · ρ_lm`` for ``l ≠ m`` (and ``ρ'_ll = 1``), ``ρ_lm`` the sample
      correlation of terms l and m (0 when either term is constant over the outcomes). The factor
      ``n/(n + 1)`` is the correlation of the n observed outcomes pooled with the one
      pseudo-observation that ``p̃ = (k + ½)/(n + 1)`` adds, which carries no correlation.

    Properties: for a single term it equals the Jeffreys σ of :func:`jeffreys_probability` (×2
    for ±1 and ×|c|) exactly; for large n it tends to the usual sample variance of the mean
    (relative difference O(1/n)); ρ' is positive definite (a convex mix of a correlation matrix
    and the identity) and every σ_l > 0, so ``Var > 0`` unless all ``c_l`` are 0 — also when every
    shot gave the same outcome, and also when perfectly (anti-)correlated terms cancel shot by
    shot (e.g. ``Z_0 + Z_1`` in a state with exactly one excitation), where the pure sample
    correlation would give 0.

    ``weights`` are counts, or the probabilities of an exact outcome distribution together with
    ``n``, the number of shots the variance refers to (a prediction of a ``n``-shot run).
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError, DimensionMismatchError, InvalidArgumentError

__all__ = ["counts_sum_estimate", "jeffreys_probability", "jeffreys_multinomial", "pauli_sum_estimate"]


def _real_array(values, argument: str, allowed: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError("cannot be read as real numbers", argument=argument, allowed=allowed) from exc
    if not np.all(np.isfinite(arr)):
        raise DataError("contains NaN or inf", argument=argument, allowed=allowed)
    return arr


def jeffreys_multinomial(counts) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and standard error of each outcome probability of multinomial ``counts`` (rows: settings,
    columns: the ``d`` outcomes), under the Jeffreys prior Dirichlet(½, …, ½): ``p̃_k = (n_k + ½)/(n + d/2)``,
    ``σ_k = sqrt(p̃_k (1 − p̃_k)/(n + d/2 + 1))`` — never 0, also for an outcome never (or always) seen. For
    ``d = 2`` it is :func:`jeffreys_probability`'s σ."""
    c = _real_array(counts, "counts", "finite counts >= 0")
    if c.ndim == 0 or np.any(c < 0):
        raise InvalidArgumentError(f"shape {c.shape}", argument="counts", allowed="counts >= 0, outcomes last")
    n = c.sum(axis=-1, keepdims=True)
    d = c.shape[-1]
    post = (c + 0.5) / (n + 0.5 * d)
    return post, np.sqrt(post * (1.0 - post) / (n + 0.5 * d + 1.0))


def jeffreys_probability(k, n) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Frequency ``p = k/n`` and its Jeffreys-posterior standard error (module docstring).

    ``σ = sqrt(p̃(1 − p̃)/(n + 2))``, ``p̃ = (k + ½)/(n + 1)``: the standard deviation of
    Beta(k + ½, n − k + ½); positive also for ``k = 0`` and ``k = n``.

    Parameters
    ----------
    k:
        number of successes (array-like, broadcast against ``n``); need not be an integer (an
        exact probability times a number of shots is allowed), ``0 ≤ k ≤ n``.
    n:
        number of trials, ``n > 0``.

    Returns
    -------
    (p, stderr)
        floats for scalar input, arrays of the broadcast shape otherwise.

    Raises
    ------
    DataError
        NaN/inf input; InvalidArgumentError: ``n ≤ 0`` or ``k`` outside ``[0, n]``.
    """
    ka = _real_array(k, "k", "finite numbers 0 <= k <= n")
    na = _real_array(n, "n", "finite numbers n > 0")
    if np.any(na <= 0):
        raise InvalidArgumentError(f"got {float(np.min(na))!r}", argument="n", allowed="n > 0 (number of trials)")
    try:
        ka, na = np.broadcast_arrays(ka, na)
    except ValueError as exc:
        raise DimensionMismatchError(f"shapes {np.shape(k)} and {np.shape(n)} do not broadcast", argument="k",
                                     allowed="k and n of broadcastable shapes") from exc
    if np.any(ka < 0) or np.any(ka > na):
        bad = int(np.flatnonzero(((ka < 0) | (ka > na)).ravel())[0])
        raise InvalidArgumentError(f"k = {float(ka.ravel()[bad])!r} with n = {float(na.ravel()[bad])!r}",
                                   argument="k", allowed="0 <= k <= n")
    p = ka / na
    pt = (ka + 0.5) / (na + 1.0)
    s = np.sqrt(pt * (1.0 - pt) / (na + 2.0))
    if p.ndim == 0:
        return float(p), float(s)
    return p, s


def pauli_sum_estimate(term_values, weights, coefficients, n=None) -> tuple[float, float]:
    """Mean and standard error of ``Σ_l c_l ⟨s_l⟩`` from one measurement group (module docstring).

    Parameters
    ----------
    term_values:
        ``(outcomes, L)`` ±1 values of each of the L Pauli terms for every distinct outcome.
    weights:
        ``(outcomes,)`` counts of the outcomes, or probabilities of an exact distribution (then
        give ``n``). Non-negative, not all 0.
    coefficients:
        ``(L,)`` real coefficients ``c_l``.
    n:
        number of shots the variance refers to; default ``Σ weights`` (weights are counts).

    Returns
    -------
    (mean, stderr)
        ``mean = Σ_l c_l s̄_l`` (weighted sample mean) and ``sqrt(Σ c_l c_m ρ'_lm σ_l σ_m / n)``.
    """
    v = _real_array(term_values, "term_values", "a (outcomes, L) array of +1/-1")
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2 or v.shape[0] == 0 or v.shape[1] == 0:
        raise DimensionMismatchError(f"shape {v.shape}", argument="term_values",
                                     allowed="a non-empty (outcomes, L) array")
    if not np.all(np.abs(v) == 1.0):
        raise InvalidArgumentError("values other than +1/-1", argument="term_values",
                                   allowed="+1 or -1 (eigenvalues of a Pauli string)")
    w = _real_array(weights, "weights", "non-negative counts or probabilities").reshape(-1)
    if w.size != v.shape[0]:
        raise DimensionMismatchError(f"{w.size} weights for {v.shape[0]} outcomes", argument="weights",
                                     allowed="one weight per outcome (row of term_values)")
    if np.any(w < 0) or not w.sum() > 0:
        raise InvalidArgumentError("negative weights or all weights 0", argument="weights",
                                   allowed="non-negative counts/probabilities with a positive sum")
    c = _real_array(coefficients, "coefficients", "finite real numbers").reshape(-1)
    if c.size != v.shape[1]:
        raise DimensionMismatchError(f"{c.size} coefficients for {v.shape[1]} terms", argument="coefficients",
                                     allowed="one coefficient per term (column of term_values)")
    total = float(w.sum())
    shots = total if n is None else float(_real_array(n, "n", "a finite number > 0"))
    if not shots > 0:
        raise InvalidArgumentError(f"got {shots!r}", argument="n", allowed="n > 0 (number of shots)")
    mean = float(np.dot(w, v @ c) / total)
    f = w / total
    means = f @ v                                   # s̄_l
    frac_minus = np.clip((1.0 - means) / 2.0, 0.0, 1.0)  # p_l: fraction of −1 outcomes
    _, sp = jeffreys_probability(frac_minus * shots, np.full(frac_minus.shape, shots))
    sigma = 2.0 * np.sqrt(shots) * np.asarray(sp)   # σ_l² = 4 p̃(1 − p̃) n/(n + 2)
    d = v - means
    cov = (d * f[:, None]).T @ d                    # sample covariance of the terms
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    const = sd <= 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cov / np.outer(sd, sd)
    rho[const, :] = 0.0
    rho[:, const] = 0.0
    rho = np.clip(rho, -1.0, 1.0) * (shots / (shots + 1.0))
    np.fill_diagonal(rho, 1.0)
    cs = c * sigma
    var = float(cs @ rho @ cs) / shots
    return mean, float(np.sqrt(max(var, 0.0)))


def counts_sum_estimate(counts, coefficients, constant: float = 0.0) -> tuple[float, float]:
    """Mean and standard error of ``constant + Σ_j c_j Z_j`` from counts of bitstrings (clbit j =
    character ``-1 - j``; spaces between registers ignored): :func:`pauli_sum_estimate` with each
    measured bit's ``Z = (−1)^b`` as a term. E.g. a battery of cells ``ω_0 Σ_j (1 − Z_j)/2``:
    ``coefficients = [−ω_0/2]*n``, ``constant = n ω_0/2``."""
    keys = [str(k).replace(" ", "") for k in counts]
    c = _real_array(coefficients, "coefficients", "finite real numbers").reshape(-1)
    if not keys:
        raise InvalidArgumentError("no counts", argument="counts", allowed="at least one outcome")
    bad = [k for k in keys if len(k) < c.size or set(k) - {"0", "1"}]
    if bad:
        raise InvalidArgumentError(f"outcome {bad[0]!r}", argument="counts",
                                   allowed=f"bitstrings of at least {c.size} bits (one per coefficient)")
    bits = np.array([[int(k[-1 - j]) for j in range(c.size)] for k in keys], dtype=float)
    w = np.array([counts[k] for k in counts], dtype=float)
    mean, err = pauli_sum_estimate(1.0 - 2.0 * bits, w, c)
    return mean + float(constant), err
