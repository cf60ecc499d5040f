"""Session-wide test settings.

* One BLAS thread: small dense eigensolvers (the bulk of qbhw's tests) run much faster on one
  BLAS thread than on several threads competing for CI's two cores. Results do not depend on it.
* No network: every test runs with internet sockets blocked and IBM service construction
  refused (no test may reach IBM or any other host); the IBM credentials variables are unset.
  Loopback (this machine: a Dask ``LocalCluster`` talks to its workers over 127.0.0.1) stays open.
"""

from __future__ import annotations

import ipaddress
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
    real_create = socket.create_connection

    def loopback(address) -> bool:
        host = address[0] if isinstance(address, tuple) else address
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def guarded_connect(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            raise RuntimeError(f"test tried to reach the network ({address!r})")
        return real_connect(self, address, *args, **kwargs)

    def no_connection(address, *args, **kwargs):
        if loopback(address):
            return real_create(address, *args, **kwargs)
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


@pytest.fixture(autouse=True)
def own_calibrations_folder(tmp_path_factory, monkeypatch):
    """New calibration records go to a temporary folder, never into the user's data folder."""
    monkeypatch.setenv("QBHW_CALIBRATIONS", str(tmp_path_factory.mktemp("calibrations")))

