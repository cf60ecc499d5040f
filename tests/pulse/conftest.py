"""Shared fixtures of the pulse-layer tests (devices from ``backends/``, the reference STIRAP pair)."""

import pytest

import qbhw.pulse as qp


@pytest.fixture(scope="session")
def qutrit_device():
    return qp.load_device("transmon_qutrit_stirap")


@pytest.fixture(scope="session")
def stirap_signals(qutrit_device):
    pair = qp.StirapPair.reference()
    return qp.align_left(qp.Play(pair.pump, "d0"), qp.Play(pair.stokes, "d1")).build(qutrit_device)
