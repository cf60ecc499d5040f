"""Fit results (JSON, covariance, AIC/BIC), results folders and figures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qbhw.fit import (
    ExponentialDecayModel,
    RabiChargingModel,
    StretchedExponentialDecayModel,
    curve_to_results_dir,
    fit_curve,
    fit_scaling_exponent,
    fit_star_high_temperature,
    make_fit_data,
    read_results_dir,
    star_high_temperature_polarization,
    write_results_dir,
)
from qbhw.fit.plot import plot_fit, plot_profile, plot_scaling
from qbhw.metrics import make_charging_curve


@pytest.fixture
def rabi_fit():
    t = np.linspace(0, 6, 40)
    rng = np.random.default_rng(0)
    y = 0.95 * np.sin(0.8 * t) ** 2 + 0.03 + 0.02 * rng.standard_normal(t.size)
    data = make_fit_data(t, y, np.full(t.size, 0.02), x_name="t", y_name="energy", x_unit="1/omega_0",
                         provenance=("synthetic test data",))
    return fit_curve(RabiChargingModel(offset=True), data)


def test_result_fields_and_json(rabi_fit, tmp_path):
    r = rabi_fit
    assert r.quality == "good" and r.dof == 37 and r.ndata == 40
    # chi2 is the weighted residual sum; AIC/BIC with known sigma: chi2 + 2k, chi2 + k ln n (tol 1e-9)
    assert r.chi2 == pytest.approx(np.sum(r.normalized_residuals ** 2), rel=1e-12)
    assert r.aic == pytest.approx(r.chi2 + 2 * 3, rel=1e-12) and r.bic == pytest.approx(r.chi2 + 3 * np.log(40))
    cov = r.covariance
    assert cov.shape == (3, 3) and np.allclose(cov, cov.T)
    assert np.allclose(np.sqrt(np.diag(cov)), [r.stderr(n) for n in r.varied], rtol=1e-10)
    assert np.allclose(np.diag(r.correlation), 1.0)
    lo, hi = r.interval("omega")
    assert (hi - lo) / 2 == pytest.approx(1.959963984540054 * r.stderr("omega"), rel=1e-12)
    path = tmp_path / "fit.json"
    text = r.to_json(path)
    d = json.loads(path.read_text())
    assert d == json.loads(text)
    assert d["quality"] == "good" and d["parameters"]["omega"]["ci_method"].startswith("linear")
    assert len(d["data"]["residuals"]) == 40 and d["data"]["provenance"] == ["synthetic test data"]
    assert d["covariance"][0][0] == pytest.approx(cov[0, 0])


def test_aic_prefers_the_true_model():
    t = np.linspace(0.05, 8, 60)
    rng = np.random.default_rng(3)
    y = np.exp(-((t / 2.0) ** 0.5)) + 0.01 * rng.standard_normal(t.size)
    data = make_fit_data(t, y, np.full(t.size, 0.01))
    plain = fit_curve(ExponentialDecayModel(), data)
    stretched = fit_curve(StretchedExponentialDecayModel(), data)
    assert stretched.aic < plain.aic - 10
    assert plain.quality == "poor"  # the chi2 test rejects the wrong model


def test_results_dir_round_trip(tmp_path):
    t = np.linspace(0, 5, 21)
    w = np.sin(0.6 * t) ** 2
    folder = write_results_dir(tmp_path / "run1", {"t": t, "work": w, "sigma_work": np.full(t.size, 0.01)},
                               units={"t": "1/omega_0", "work": "omega_0"}, sigma={"work": "sigma_work"},
                               sigma_kind={"work": "measured"}, provenance=["simulated"], metadata={"g": 0.6})
    table = read_results_dir(folder)
    assert table.units == {"t": "1/omega_0", "work": "omega_0"} and table.metadata == {"g": 0.6}
    data = table.fit_data("t", "work")  # sigma column found from meta.json
    assert np.allclose(data.y, w, atol=0) and np.allclose(data.sigma, 0.01) and data.sigma_kind == "measured"
    assert data.provenance == ("simulated",)
    res = fit_curve(RabiChargingModel(), data)
    assert res.value("omega") == pytest.approx(0.6, abs=1e-8)
    curve = make_charging_curve(t, w, metadata={"model": "test"})
    table2 = read_results_dir(curve_to_results_dir(curve, tmp_path / "curve", time_unit="1/omega_0"))
    assert np.allclose(table2.numeric("work"), w, atol=0) and table2.units["t"] == "1/omega_0"


def test_sampled_curve_results_dir_carries_sigma(tmp_path):
    """curve_to_results_dir writes the σ mapping; fit_data of the folder uses σ by default; the work
    reference point W(0) ≡ 0 (σ = 0) is left out of the work fit data, with a provenance line."""
    t = np.linspace(0, 5, 21)
    e = np.sin(0.6 * t) ** 2
    es = np.full(t.size, 0.01)
    ws = np.sqrt(es**2 + es[0] ** 2)
    ws[0] = 0.0
    curve = make_charging_curve(t, e, energy_stderr=es, work_stderr=ws, metadata={"sigma_kind": "binomial"},
                                observables={"pop": e / 2, "pop_stderr": es / 2, "other": t})
    folder = curve_to_results_dir(curve, tmp_path / "sampled", time_unit="1/omega_0", energy_unit="omega_0")
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["sigma"] == {"energy": "energy_stderr", "work": "work_stderr", "pop": "pop_stderr"}
    assert set(meta["sigma_kind"].values()) == {"binomial"}
    table = read_results_dir(folder)
    data = table.fit_data("t", "energy")
    assert data.sigma is not None and np.array_equal(data.sigma, es) and data.sigma_kind == "binomial"
    work = table.fit_data("t", "work")
    assert len(work) == t.size - 1 and np.array_equal(work.sigma, ws[1:]) and work.x[0] == t[1]
    assert any("left out of the fit" in line for line in work.provenance)
    assert table.fit_data("t", "pop").sigma is not None and table.fit_data("t", "other").sigma is None
    res = fit_curve(RabiChargingModel(), data)
    assert res.sigma_kind == "binomial" and res.value("omega") == pytest.approx(0.6, abs=1e-8)
    # an exact curve: no σ columns, no mapping
    exact = read_results_dir(curve_to_results_dir(make_charging_curve(t, e), tmp_path / "exact"))
    assert exact.sigma_columns == {} and exact.fit_data("t", "energy").sigma is None


def test_poor_fit_reports_chi2_scaled_covariance():
    """A misspecified model with absolute σ: covariance is the raw one, covariance_scaled = χ²_red·covariance,
    stderr_scaled = stderr·√χ²_red, a flag says so; all of it round-trips through JSON."""
    t = np.linspace(0.05, 8, 60)
    rng = np.random.default_rng(3)
    y = np.exp(-((t / 2.0) ** 0.5)) + 0.01 * rng.standard_normal(t.size)
    res = fit_curve(ExponentialDecayModel(), make_fit_data(t, y, np.full(t.size, 0.01)))
    assert res.quality == "poor" and res.redchi > 3
    assert np.allclose(res.covariance_scaled, res.redchi * res.covariance, rtol=1e-12)
    for name in res.varied:
        p = res.parameter(name)
        assert p.stderr_scaled == pytest.approx(p.stderr * np.sqrt(res.redchi), rel=1e-12)
    assert any(f.startswith("chi2_red = ") and "scaled stderr" in f for f in res.flags)
    back = type(res).from_json(res.to_json())
    assert np.allclose(back.covariance_scaled, res.covariance_scaled, rtol=1e-15)
    assert np.allclose(back.covariance, res.covariance, rtol=1e-15)
    assert back.flags == res.flags
    for name, p in res.parameter_estimates.items():
        assert back.parameter_estimates[name] == p
    assert "x sqrt(chi2_red)" in res.summary()
    # relative σ (none given): the covariance is already scaled, no second copy
    rel = fit_curve(ExponentialDecayModel(), make_fit_data(t, y))
    assert rel.covariance_scaled is None and all(p.stderr_scaled is None for p in rel.parameter_estimates.values())
    assert type(rel).from_json(rel.to_json()).covariance_scaled is None


def test_good_fit_scaled_covariance_is_close_to_raw(rabi_fit):
    r = rabi_fit
    assert r.quality == "good" and r.covariance_scaled is not None
    assert np.allclose(r.covariance_scaled, r.redchi * r.covariance)
    assert not any(f.startswith("chi2_red") for f in r.flags)


def test_every_fit_gets_a_figure(rabi_fit, tmp_path):
    fig = plot_fit(rabi_fit, tmp_path / "fit.png")
    assert (tmp_path / "fit.png").stat().st_size > 5000 and len(fig.axes) == 2
    n = np.array([2, 4, 8, 16, 32.0])
    sc = fit_scaling_exponent(n, 0.4 * n**1.5, 0.01 * 0.4 * n**1.5)
    plot_scaling(sc, tmp_path / "scaling.png")
    t = np.linspace(0, 6, 50)
    y = star_high_temperature_polarization(t, 0.4, 4)
    prof = fit_star_high_temperature(make_fit_data(t, y + 0.01 * np.cos(3 * t), np.full(t.size, 0.01)), range(2, 7))
    plot_profile(prof, tmp_path / "profile.png")
    assert (tmp_path / "scaling.png").exists() and (tmp_path / "profile.png").exists()
    json.loads(prof.to_json())


def test_user_guess_fixed_names_and_profile_interval():
    t = np.linspace(0, 6, 40)
    rng = np.random.default_rng(8)
    y = np.exp(-t / 2.0) + 0.1 + 0.01 * rng.standard_normal(t.size)
    data = make_fit_data(t, y, np.full(t.size, 0.01))
    # fixing by name keeps the guessed value; a user guess overrides the scan
    r1 = fit_curve(ExponentialDecayModel(), data, fixed=["e_inf"], guess={"tau": 1.5})
    assert not r1.parameter("e_inf").vary and r1.parameter("e_inf").ci95 is None
    assert abs(r1.parameter("e_inf").value - 0.1) < 0.05  # the scan's guess
    lin = fit_curve(ExponentialDecayModel(), data)
    prof = fit_curve(ExponentialDecayModel(), data, interval="profile")
    p_lin, p_prof = lin.parameter("tau"), prof.parameter("tau")
    assert p_prof.ci_method.startswith("profile") and p_lin.ci_method.startswith("linear")
    assert p_prof.value == pytest.approx(p_lin.value, rel=1e-9)
    # for a well-determined parameter the profile and linear intervals agree to 20 % in width
    w_lin, w_prof = np.diff(p_lin.ci95)[0], np.diff(p_prof.ci95)[0]
    assert w_prof == pytest.approx(w_lin, rel=0.2)
    assert p_prof.ci95[0] < p_prof.value < p_prof.ci95[1]
