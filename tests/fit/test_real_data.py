"""Fits of real IBM hardware data shipped in tests/data.

ibm_perth (Hoang, Metz et al., arXiv:2308.03334): transverse-field Ising battery, true |J| = 2,
h = −0.6 (file header). σ is the file's ``sigma_shot_est`` — a shot-noise *estimate*, so the
fits rescale the covariance by χ²_red and say so.
ibmq_armonk (Malz & Smith, PRL 126, 163602): the data file's counts read as expectations (the drive and
its fit are tested with :mod:`qbhw.protocols.driven_qubit`, tests/protocols/test_driven_qubit_theory.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from qbhw.fit import RabiChargingModel, fit_curve, read_csv, transverse_ising_model

H_FIELD = -0.6  # header: energies in units where J = -2.0 and h = -0.6


# ---------------------------------------------------------------------------------------------
# loading
def test_perth_csv_reads_as_is(perth_csv):
    table = read_csv(perth_csv)
    assert table.header[0].startswith("Real hardware data: many-body (transverse-field-Ising)")
    assert any(line.startswith("LICENSE: MIT") for line in table.header)
    assert len(table.header) == 31 and len(table) == 9
    assert table.names[:5] == ["case", "n_qubits", "m_cells", "time_index", "t"]
    assert table.column("case").dtype.kind in "UO" and table.numeric("t").dtype == float
    assert table.units["exec_time_s"] == "s"
    assert table.line_numbers[0] == 33  # first data row of the file (1-based line)
    xx = table.where(case="xx_N2_M1")
    assert np.allclose(xx.numeric("t"), [0.6, 0.8, 1.0])
    data = xx.fit_data("t", "W_hw", "sigma_shot_est", sigma_kind="estimate")
    assert data.sigma_kind == "estimate" and data.provenance == table.header
    assert data.row_labels[0].endswith("line 39")


def test_armonk_csv_counts_to_expectations(armonk_csv):
    table = read_csv(armonk_csv)
    assert len(table) == 1600 and table.units["t_us"] == "us"
    assert sorted(set(table.numeric("m"))) == [1.0, 3.0]
    for axis, (c0, c1), col in (("x", ("nX0", "nX1"), "x_lab"), ("y", ("nY0", "nY1"), "y_lab"), ("z", ("nZ0", "nZ1"), "z")):
        value, sigma = table.expectation(c0, c1)
        assert np.allclose(value, table.numeric(col), atol=1e-6)  # the file's (n0 - n1)/8192, 6 decimals
        n = table.numeric(c0) + table.numeric(c1)
        assert np.all(n == 8192)
        # error of a +-1 outcome: 2 sqrt(p~(1-p~)/(n+2)), the Jeffreys posterior Beta(n1 + 1/2, n0 + 1/2)
        p = (table.numeric(c1) + 0.5) / (n + 1)
        assert np.allclose(sigma, 2 * np.sqrt(p * (1 - p) / (n + 2)), rtol=1e-12)
        assert np.allclose(sigma, 2 * np.sqrt(p * (1 - p) / n), rtol=1e-3)  # ~ the binomial sqrt(p(1-p)/n)
    data = table.where(m=1).fit_data("t_us", counts=("nZ0", "nZ1"))
    assert data.sigma_kind == "binomial" and data.x_unit == "us" and np.all(data.shots == 8192)


# ---------------------------------------------------------------------------------------------
# ibm_perth fits
def test_perth_two_qubit_closed_form(perth_csv):
    data = read_csv(perth_csv).where(case="xx_N2_M1").fit_data("t", "W_hw", "sigma_shot_est", sigma_kind="estimate")
    # W = 2|h| sin^2(|J| t) with the amplitude fixed by h: the shot-noise estimate is far below the
    # hardware error at t = 0.8 (sigma = 0.0008 where Var(H_B) -> 0): the fit is flagged poor
    fixed = fit_curve(RabiChargingModel(), data, fixed={"amplitude": 2 * abs(H_FIELD)})
    assert fixed.ok and fixed.quality == "poor" and fixed.redchi > 10
    assert "estimate" in fixed.uncertainty_note
    # with a free contrast on the amplitude (hardware loses contrast), |J| = 2 is recovered
    free = fit_curve(RabiChargingModel(), data)
    assert free.ok and free.parameter("omega").contains(2.0)
    assert abs(free.value("omega") - 2.0) < 2 * free.stderr("omega")
    assert 0.9 < free.value("amplitude") / (2 * abs(H_FIELD)) <= 1.0
    # the theory-backed Ising model (2 qubits, field off while charging) gives the same fit (tol 1e-6)
    ising = fit_curve(transverse_ising_model(2, 1, H_FIELD, field_in_charging=False, scale=None), data)
    assert ising.value("coupling_abs") == pytest.approx(free.value("omega"), rel=1e-6)


def test_perth_four_qubit_theory_backed(perth_csv):
    data = read_csv(perth_csv).where(case="tfim_N4_M2").fit_data("t", "W_hw", "sigma_shot_est", sigma_kind="estimate")
    res = fit_curve(transverse_ising_model(4, 2, H_FIELD), data)
    assert res.ok
    assert res.parameter("coupling_abs").contains(2.0)
    assert abs(res.value("coupling_abs") - 2.0) < 2 * res.stderr("coupling_abs")
    assert res.sigma_kind == "estimate" and "scaled by chi2_red" in res.uncertainty_note
    # the profile interval (chi2 scan, F-test) also contains the truth
    prof = fit_curve(transverse_ising_model(4, 2, H_FIELD), data, interval="profile")
    assert prof.parameter("coupling_abs").contains(2.0)
    assert prof.parameter("coupling_abs").ci_method.startswith("profile")

