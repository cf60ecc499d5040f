"""Bad input gets a specific QbhwError subclass that names the argument and the allowed range."""

from __future__ import annotations

import numpy as np
import pytest

from qbhw.errors import (
    DimensionMismatchError,
    InvalidArgumentError,
    InvalidHamiltonianError,
    InvalidStateError,
    InvalidTimesError,
    QbhwError,
)
from qbhw.metrics import Spectrum, ergotropy, n_copy_ergotropy, passive_state, power_curve, thermal_bound

H2 = np.diag([0.0, 1.0])


def assert_names(err, argument):
    assert isinstance(err, QbhwError)
    assert err.argument == argument
    assert err.allowed  # the allowed range is stated
    assert argument in str(err)


def test_non_square_hamiltonian():
    with pytest.raises(InvalidHamiltonianError) as e:
        ergotropy(np.array([1, 0]), np.zeros((2, 3)))
    assert_names(e.value, "hamiltonian")


def test_non_hermitian_hamiltonian():
    with pytest.raises(InvalidHamiltonianError) as e:
        ergotropy(np.array([1, 0]), np.array([[0, 1], [0, 0]]))
    assert_names(e.value, "hamiltonian")


def test_dimension_mismatch():
    with pytest.raises(DimensionMismatchError) as e:
        ergotropy(np.array([1, 0, 0]), H2)
    assert_names(e.value, "hamiltonian")


def test_trace_not_one():
    with pytest.raises(InvalidStateError) as e:
        ergotropy(np.diag([0.5, 0.6]), H2)
    assert_names(e.value, "state")


def test_state_vector_not_normalised():
    with pytest.raises(InvalidStateError) as e:
        ergotropy(np.array([1.0, 1.0]), H2)
    assert_names(e.value, "state")


def test_negative_eigenvalue():
    with pytest.raises(InvalidStateError) as e:
        ergotropy(np.array([[1.2, 0], [0, -0.2]]), H2)
    assert_names(e.value, "state")


def test_non_hermitian_state():
    with pytest.raises(InvalidStateError) as e:
        ergotropy(np.array([[0.5, 0.3], [0.0, 0.5]]), H2)
    assert_names(e.value, "state")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_inf(bad):
    with pytest.raises(InvalidArgumentError) as e:
        ergotropy(np.array([[bad, 0], [0, 0]]), H2)
    assert_names(e.value, "state")
    with pytest.raises(InvalidArgumentError) as e:
        ergotropy(np.array([1, 0]), np.array([[0, 0], [0, bad]]))
    assert_names(e.value, "hamiltonian")


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_n_less_than_one(n):
    with pytest.raises(InvalidArgumentError) as e:
        n_copy_ergotropy(np.diag([0.5, 0.5]), H2, n)
    assert_names(e.value, "n")


def test_times_not_increasing():
    with pytest.raises(InvalidTimesError) as e:
        power_curve([0.0, 1.0, 1.0], [0, 1, 2])
    assert_names(e.value, "times")
    with pytest.raises(InvalidTimesError):
        power_curve([0.0, np.nan, 2.0], [0, 1, 2])


def test_bad_spectrum():
    with pytest.raises(InvalidHamiltonianError) as e:
        Spectrum([0.0, 1.0], [1, 0])
    assert_names(e.value, "multiplicities")
    with pytest.raises(DimensionMismatchError):
        Spectrum([0.0, 1.0], [1, 1, 1])


def test_passive_state_of_sector_state_points_to_populations():
    with pytest.raises(DimensionMismatchError) as e:
        passive_state(np.array([0, 1.0]), Spectrum([0.0, 1.0], [1, 2]))
    assert "passive_populations" in str(e.value)


def test_nothing_is_mutated_by_failed_calls():
    rho = np.diag([0.25, 0.75])
    copy = rho.copy()
    with pytest.raises(DimensionMismatchError):
        thermal_bound(rho, np.eye(3))
    assert np.array_equal(rho, copy)
