"""Compile tests never reach the network: IBM service construction and internet sockets are blocked."""

import socket

import pytest


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
