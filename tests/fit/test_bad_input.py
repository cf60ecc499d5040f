"""Bad input gives specific QbhwError subclasses that name the row or column; failed fits are flagged."""

from __future__ import annotations

import numpy as np
import pytest

from qbhw.errors import DataError, DimensionMismatchError, FitError, InvalidArgumentError, QbhwError
from qbhw.fit import (
    CurveModel,
    RabiChargingModel,
    fit_curve,
    fit_scaling_exponent,
    make_fit_data,
    read_csv,
    read_results_dir,
)

T = np.linspace(0, 3, 10)
Y = np.sin(T) ** 2


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_names_row_and_column(bad):
    y = Y.copy()
    y[4] = bad
    with pytest.raises(DataError) as err:
        make_fit_data(T, y, x_name="t", y_name="work")
    assert err.value.row == 4 and err.value.column == "work"
    assert "row 4" in str(err.value) and "'work'" in str(err.value)
    t = T.copy()
    t[2] = bad
    with pytest.raises(DataError, match="row 2"):
        make_fit_data(t, Y, x_name="t")
    s = np.full(T.size, 0.1)
    s[7] = bad
    with pytest.raises(DataError, match="row 7"):
        make_fit_data(T, Y, s)


def test_mismatched_lengths():
    with pytest.raises(DimensionMismatchError, match="9 values"):
        make_fit_data(T, Y[:9])
    with pytest.raises(DimensionMismatchError, match="sigma"):
        make_fit_data(T, Y, np.ones(3))
    with pytest.raises(DimensionMismatchError):
        fit_curve(RabiChargingModel(), x=T, y=Y[:-1])


@pytest.mark.parametrize("value", [-0.1, 0.0])
def test_non_positive_sigma_names_row(value):
    s = np.full(T.size, 0.1)
    s[3] = value
    with pytest.raises(DataError) as err:
        make_fit_data(T, Y, s)
    assert err.value.row == 3 and "sigma" in str(err.value)


def test_fewer_points_than_parameters():
    with pytest.raises(FitError, match="2 data points but 3 free parameters"):
        fit_curve(RabiChargingModel(offset=True), x=T[:2], y=Y[:2])
    # fixing parameters makes it fittable
    res = fit_curve(RabiChargingModel(offset=True), x=T[1:3], y=Y[1:3], fixed={"offset": 0.0})
    assert res.ok


def test_unknown_parameter_and_bad_options():
    with pytest.raises(FitError, match="unknown parameter 'omgea'"):
        fit_curve(RabiChargingModel(), x=T, y=Y, fixed={"omgea": 1.0})
    with pytest.raises(FitError, match="bounds"):
        fit_curve(RabiChargingModel(), x=T, y=Y, bounds={"omega": (2.0, 1.0)})
    with pytest.raises(InvalidArgumentError):
        fit_curve(RabiChargingModel(), x=T, y=Y, interval="bayesian")


def test_unknown_csv_column_is_named(perth_csv, tmp_path):
    table = read_csv(perth_csv)
    with pytest.raises(DataError) as err:
        table.fit_data("t", "W_hardware")
    assert err.value.column == "W_hardware" and "'W_hw'" in str(err.value)  # lists the known columns
    with pytest.raises(DataError, match="unknown column 'energy'"):
        read_csv(perth_csv, columns=["t", "energy"])
    with pytest.raises(DataError, match="unknown column 'tt'"):
        read_csv(perth_csv, units={"tt": "s"})
    with pytest.raises(DataError, match="not numeric"):
        table.fit_data("case", "W_hw")


def test_malformed_files_name_the_line(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("# header\nt,y\n0,1\n1,2,3\n")
    with pytest.raises(DataError, match="line 4"):
        read_csv(ragged)
    missing = tmp_path / "missing.csv"
    missing.write_text("# header\nt,y\n0,1\n1,\n2,3\n")
    table = read_csv(missing)
    with pytest.raises(DataError, match="missing.csv line 4"):  # empty cell -> NaN, rejected with its line
        table.fit_data("t", "y")
    with pytest.raises(DataError):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(DataError):
        read_results_dir(tmp_path)
    assert issubclass(DataError, QbhwError) and issubclass(FitError, QbhwError)


def test_failed_fit_is_flagged_bad_never_a_silent_number():
    def explodes(t, a=1.0):
        return np.where(t > 1.0, np.nan, a * t) if a > 1.5 else a * t * np.nan

    model = CurveModel(explodes, hints={"a": {"value": 2.0}})
    res = fit_curve(model, x=T, y=Y, guess={"a": 2.0})
    assert not res.ok and res.quality == "bad" and not res.success
    assert res.message
    with pytest.raises(FitError, match="failed"):
        res.value("a")
    with pytest.raises(FitError):
        _ = res.values
    assert res.to_dict()["quality"] == "bad"  # still exportable, flagged


def test_non_convergence_is_flagged_bad():
    res = fit_curve(RabiChargingModel(), x=T, y=Y + 0.01 * np.cos(7 * T), max_nfev=2)
    assert res.quality == "bad" and "not converged" in res.flags


def test_scaling_rejects_non_positive_values():
    with pytest.raises(DataError, match="row 1"):
        fit_scaling_exponent([1, 2, 4], [1.0, -2.0, 4.0])
    with pytest.raises(DataError):
        fit_scaling_exponent([2, 2, 2], [1.0, 1.1, 0.9])


@pytest.mark.parametrize("bad", [0.0, -0.1, np.nan, np.inf])
def test_guess_weights_refuse_a_non_positive_sigma(bad):
    """weights_from_sigma never returns an infinite or NaN weight: σ ≤ 0 or non-finite is a DataError."""
    from qbhw.fit.guess import weights_from_sigma

    sigma = np.full(5, 0.1)
    sigma[2] = bad
    with pytest.raises(DataError) as err:
        weights_from_sigma(sigma, 5)
    assert err.value.row == 2 and "row 2" in str(err.value)
    assert np.array_equal(weights_from_sigma(None, 3), np.ones(3))
    assert np.allclose(weights_from_sigma(0.5, 3), 2.0)
    with pytest.raises(DimensionMismatchError):
        weights_from_sigma(np.ones(4), 5)
