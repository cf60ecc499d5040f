"""Shared fixtures of the fit tests.

Small dense eigensolvers run much faster on one BLAS thread than on several competing for two
cores, so the theory-backed fits limit BLAS to one thread while a test runs (when threadpoolctl
is installed; results are identical either way).
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture
def perth_csv() -> Path:
    return DATA / "ibm_perth_tfim_battery_vqergo.csv"


@pytest.fixture
def armonk_csv() -> Path:
    return DATA / "ibmq_armonk_floquet_driven_qubit.csv"
