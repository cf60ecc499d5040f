"""Shared fixtures of the backend tests (network blocking is session-wide: ``tests/conftest.py``)."""

import pytest


@pytest.fixture(scope="session")
def perth():
    from qbhw.backends import fake_device

    return fake_device("perth")
