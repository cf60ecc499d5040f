"""Shot-noise uncertainties that never collapse to 0 (qbhw.metrics.sampling) and the charging curve's
``energy_stderr`` / ``work_stderr`` fields."""

import numpy as np
import pytest
from scipy import stats

from qbhw.errors import (
    DataError,
    DimensionMismatchError,
    InvalidArgumentError,
    QbhwError,
)
from qbhw.metrics import (
    ChargingCurve,
    counts_sum_estimate,
    jeffreys_multinomial,
    jeffreys_probability,
    make_charging_curve,
    pauli_sum_estimate,
)


# ---------------------------------------------------------------------------------------------
# jeffreys_probability
@pytest.mark.parametrize("k,n", [(0, 1), (0, 10), (10, 10), (3, 17), (512, 1024), (0, 100_000)])
def test_jeffreys_is_the_beta_posterior_sd(k, n):
    p, s = jeffreys_probability(k, n)
    assert p == k / n  # the point estimate is the frequency, not the posterior mean
    assert s**2 == pytest.approx(stats.beta(k + 0.5, n - k + 0.5).var(), rel=1e-12)
    pt = (k + 0.5) / (n + 1)
    assert s == np.sqrt(pt * (1 - pt) / (n + 2))  # exactly the formula
    assert s > 0


@pytest.mark.parametrize("counts", [[0, 5, 995], [1000, 0, 0], [300, 300, 400, 0]])
def test_jeffreys_multinomial_is_the_dirichlet_posterior(counts):
    post, s = jeffreys_multinomial([counts])
    alpha = np.asarray(counts) + 0.5  # Dirichlet(n_k + ½): the marginals are Beta(α_k, Σα − α_k)
    for k, a in enumerate(alpha):
        marginal = stats.beta(a, alpha.sum() - a)
        assert post[0, k] == pytest.approx(marginal.mean(), rel=1e-12)
        assert s[0, k] ** 2 == pytest.approx(marginal.var(), rel=1e-12) and s[0, k] > 0
    two = jeffreys_multinomial([[3, 14]])[1][0, 0]
    assert two == pytest.approx(jeffreys_probability(3, 17)[1], rel=1e-12)  # d = 2: the binomial σ


def test_jeffreys_vectorised_and_positive_at_the_edges():
    n = np.array([5, 5, 5, 1000, 1000])
    k = np.array([0, 2, 5, 0, 1000])
    p, s = jeffreys_probability(k, n)
    assert p.shape == s.shape == (5,) and np.all(s > 0)
    assert s[0] == pytest.approx(s[2], rel=1e-15) and s[3] == pytest.approx(s[4], rel=1e-15)  # k ↔ n − k
    # broadcast a scalar n; large n approaches the binomial sqrt(p(1 − p)/n)
    p2, s2 = jeffreys_probability([3000, 5000], 10_000)
    assert np.allclose(s2, np.sqrt(p2 * (1 - p2) / 10_000), rtol=2e-4)


@pytest.mark.parametrize("k,n,arg", [(-1, 5, "k"), (6, 5, "k"), (1, 0, "n"), (np.nan, 5, "k"), (1, np.inf, "n")])
def test_jeffreys_validates(k, n, arg):
    with pytest.raises(QbhwError) as info:
        jeffreys_probability(k, n)
    assert info.value.argument == arg and info.value.allowed


# ---------------------------------------------------------------------------------------------
# pauli_sum_estimate
def test_single_term_equals_jeffreys():
    for k, n in ((0, 50), (13, 50), (50, 50)):
        v = np.array([[1.0], [-1.0]])
        mean, err = pauli_sum_estimate(v, [n - k, k], [0.7])
        assert mean == pytest.approx(0.7 * (1 - 2 * k / n), abs=1e-15)
        assert err == pytest.approx(0.7 * 2 * jeffreys_probability(k, n)[1], rel=1e-12)


def test_large_n_matches_the_sample_variance():
    rng = np.random.default_rng(7)
    n = 200_000
    z0 = rng.choice([-1.0, 1.0], n, p=[0.3, 0.7])
    z1 = np.where(rng.random(n) < 0.8, z0, -z0)  # correlated with z0
    z2 = rng.choice([-1.0, 1.0], n)
    v = np.stack([z0, z1, z0 * z2], axis=1)
    c = np.array([0.5, -1.3, 0.7])
    # aggregate identical outcomes into counts, as a histogram does
    rows, counts = np.unique(v, axis=0, return_counts=True)
    mean, err = pauli_sum_estimate(rows, counts, c)
    y = v @ c
    assert mean == pytest.approx(y.mean(), abs=1e-12)
    assert err == pytest.approx(y.std(ddof=1) / np.sqrt(n), rel=1e-3)


def test_never_zero_for_identical_shots_and_cancelling_terms():
    # every shot the same: the sample variance would be 0
    mean, err = pauli_sum_estimate(np.array([[1.0, 1.0, 1.0]]), [4096], [-0.5, -0.5, 0.25])
    assert mean == pytest.approx(-0.75) and err > 0
    # Z0 + Z1 with exactly one excitation per shot: constant shot by shot, still σ > 0
    v = np.array([[1.0, -1.0], [-1.0, 1.0]])
    mean, err = pauli_sum_estimate(v, [2000, 2000], [1.0, 1.0])
    assert mean == 0.0 and err > 0
    assert pauli_sum_estimate(v, [2000, 2000], [0.0, 0.0])[1] == 0.0  # only all-zero coefficients give 0


def test_exact_distribution_with_shots_equals_the_counts_estimate():
    v = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0]])
    counts = np.array([600, 300, 100])
    m1, e1 = pauli_sum_estimate(v, counts, [0.3, -0.8])
    m2, e2 = pauli_sum_estimate(v, counts / counts.sum(), [0.3, -0.8], n=1000)
    assert m1 == pytest.approx(m2, abs=1e-15) and e1 == pytest.approx(e2, rel=1e-12)


@pytest.mark.parametrize("kwargs,error,arg", [
    ({"term_values": [[1.0, 0.5]], "weights": [1], "coefficients": [1, 1]}, InvalidArgumentError, "term_values"),
    ({"term_values": [[1.0, 1.0]], "weights": [1, 2], "coefficients": [1, 1]}, DimensionMismatchError, "weights"),
    ({"term_values": [[1.0, 1.0]], "weights": [-1], "coefficients": [1, 1]}, InvalidArgumentError, "weights"),
    ({"term_values": [[1.0, 1.0]], "weights": [1], "coefficients": [1]}, DimensionMismatchError, "coefficients"),
    ({"term_values": [[1.0, 1.0]], "weights": [1], "coefficients": [1, np.nan]}, DataError, "coefficients"),
    ({"term_values": [[1.0, 1.0]], "weights": [1], "coefficients": [1, 1], "n": 0}, InvalidArgumentError, "n"),
])
def test_pauli_sum_validates(kwargs, error, arg):
    with pytest.raises(error) as info:
        pauli_sum_estimate(**kwargs)
    assert info.value.argument == arg


def test_counts_sum_estimate_cell_energy():
    """H_B = ω Σ (1 − Z_i)/2 from counts: mean ω⟨#1⟩, σ > 0 for an empty battery."""
    w0 = 2.0
    counts = {"00": 700, "01": 200, "11": 100}
    mean, err = counts_sum_estimate(counts, [-w0 / 2] * 2, constant=w0)
    assert mean == pytest.approx(w0 * (200 + 2 * 100) / 1000)
    assert err == pytest.approx(np.sqrt(np.var(np.repeat([0, w0, 2 * w0], [700, 200, 100]), ddof=1) / 1000),
                                rel=2e-2)
    mean0, err0 = counts_sum_estimate({"0 0": 1000}, [-w0 / 2] * 2, constant=w0)  # register space ignored
    assert mean0 == 0.0 and err0 > 0
    with pytest.raises(InvalidArgumentError):
        counts_sum_estimate({"0": 10}, [-1.0, -1.0])


# ---------------------------------------------------------------------------------------------
# ChargingCurve stderr fields
def test_curve_stderr_fields_and_round_trip():
    t = np.linspace(0, 1, 5)
    e = np.sin(t) ** 2
    es = np.full(5, 0.01)
    ws = np.sqrt(es**2 + es[0] ** 2)
    ws[0] = 0.0
    curve = make_charging_curve(t, e, energy_stderr=es, work_stderr=ws, observables={"x": t, "x_stderr": es})
    assert isinstance(curve, ChargingCurve) and "energy_stderr" in ChargingCurve.__dataclass_fields__
    assert np.array_equal(curve.energy_stderr, es) and np.array_equal(curve.work_stderr, ws)
    assert "energy_stderr" not in curve.observables and np.array_equal(curve.x_stderr, es)
    back = ChargingCurve.from_dict(curve.to_dict())
    assert np.array_equal(back.energy_stderr, es) and np.array_equal(back.work_stderr, ws)
    assert np.array_equal(ChargingCurve.from_json(curve.to_json()).work_stderr, ws)
    exact = make_charging_curve(t, e)
    assert exact.energy_stderr is None and exact.work_stderr is None
    d = exact.to_dict()
    assert d["energy_stderr"] is None and ChargingCurve.from_dict(d).work_stderr is None


def test_curve_backward_compatible_observable_and_old_dicts():
    t = np.linspace(0, 1, 4)
    es = np.full(4, 0.02)
    old = make_charging_curve(t, t**2, observables={"energy_stderr": es})
    assert np.array_equal(old.energy_stderr, es) and "energy_stderr" not in old.observables
    assert np.array_equal(old.work_stderr, es)  # default: the work shares the energy's σ
    # a dict written before the fields existed (σ as an observable, no keys)
    d = old.to_dict()
    d.pop("energy_stderr"), d.pop("work_stderr")
    d["observables"]["energy_stderr"] = make_charging_curve(t, es).to_dict()["energy"]
    back = ChargingCurve.from_dict(d)
    assert np.allclose(back.energy_stderr, es) and "energy_stderr" not in back.observables
    d2 = make_charging_curve(t, t**2).to_dict()
    d2.pop("energy_stderr"), d2.pop("work_stderr")
    assert ChargingCurve.from_dict(d2).energy_stderr is None
    with pytest.raises(DimensionMismatchError):
        make_charging_curve(t, t, energy_stderr=es[:2])
    with pytest.raises(DataError):
        make_charging_curve(t, t, energy_stderr=-es)
