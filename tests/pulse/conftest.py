"""Shared fixtures of the pulse-layer tests (devices from ``backends/``, the stack.md STIRAP case)."""

import numpy as np
import pytest

import qbhw.pulse as qp


@pytest.fixture(scope="session")
def qutrit_device():
    return qp.load_device("transmon_qutrit_stirap")


@pytest.fixture(scope="session")
def stirap_signals(qutrit_device):
    pair = qp.StirapPair(400.0, sigma_ns=40.0, delay_ns=60.0, amp_pump_ghz=0.025, amp_stokes_ghz=0.025 / np.sqrt(2))
    return qp.align_left(qp.Play(pair.pump, "d0"), qp.Play(pair.stokes, "d1")).build(qutrit_device)
