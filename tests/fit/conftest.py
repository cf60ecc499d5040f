"""Shared fixtures of the fit tests (the project copies of the hardware data files)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def perth_csv() -> Path:
    return DATA / "ibm_perth_tfim_battery_vqergo.csv"


@pytest.fixture
def armonk_csv() -> Path:
    return DATA / "ibmq_armonk_floquet_driven_qubit.csv"
