"""Session-wide test settings.

* One BLAS thread: small dense eigensolvers (the bulk of qbhw's tests) run much faster on one
  BLAS thread than on several threads competing for CI's two cores. Results do not depend on it.
* No network: every test runs with internet sockets blocked and IBM service construction
  refused (no test may reach IBM or any other host); the IBM credentials variables are unset.
"""

from __future__ import annotations

import socket

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    real_connect = socket.socket.connect

    def guarded_connect(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"test tried to reach the network ({address!r})")
        return real_connect(self, address, *args, **kwargs)

    def no_connection(*args, **kwargs):
        raise RuntimeError("test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "create_connection", no_connection)

    from qiskit_ibm_runtime import QiskitRuntimeService

    def no_service(self, *args, **kwargs):
        raise RuntimeError("tests must not create a QiskitRuntimeService (it contacts IBM)")

    monkeypatch.setattr(QiskitRuntimeService, "__init__", no_service)
    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "QISKIT_IBM_URL"):
        monkeypatch.delenv(var, raising=False)
    yield
