"""Access to IBM Quantum through the user's own saved Qiskit Runtime account.

qbhw never asks for, stores or logs a token. The account is the one the user saved with

    from qiskit_ibm_runtime import QiskitRuntimeService
    QiskitRuntimeService.save_account(channel="ibm_quantum_platform", token="<API key>",
                                      instance="<CRN or instance name>", set_as_default=True)

(stored by qiskit-ibm-runtime in ``~/.qiskit/qiskit-ibm.json``), or the environment variables
``QISKIT_IBM_TOKEN`` (and optionally ``QISKIT_IBM_INSTANCE``, ``QISKIT_IBM_CHANNEL``) read by
qiskit-ibm-runtime itself. :func:`load_runtime_service` first checks *locally* that such an
account exists (no network) and raises :class:`~qbhw.errors.ConfigError` with these
instructions otherwise; only then is ``QiskitRuntimeService`` created (which contacts IBM).
"""

from __future__ import annotations

from ..errors import ConfigError

__all__ = ["load_runtime_service", "MISSING_ACCOUNT_HELP", "has_saved_account"]

MISSING_ACCOUNT_HELP = (
    "no IBM Quantum account found. Save yours once with\n"
    "    from qiskit_ibm_runtime import QiskitRuntimeService\n"
    "    QiskitRuntimeService.save_account(channel='ibm_quantum_platform', token='<your API key>',\n"
    "                                      instance='<your instance CRN or name>', set_as_default=True)\n"
    "or set the environment variables QISKIT_IBM_TOKEN (and QISKIT_IBM_INSTANCE). "
    "qbhw never stores tokens itself."
)


def has_saved_account(*, name: str | None = None, channel: str | None = None, account_file: str | None = None) -> bool:
    """True if qiskit-ibm-runtime finds an account locally (saved file or environment); no network."""
    import os

    from qiskit_ibm_runtime.accounts import AccountManager, management
    from qiskit_ibm_runtime.accounts.exceptions import AccountNotFoundError

    path = os.path.expanduser(account_file or management._DEFAULT_ACCOUNT_CONFIG_JSON_FILE)
    if not os.getenv("QISKIT_IBM_TOKEN") and not os.path.exists(path):
        return False  # nothing saved: answer without letting the runtime create an empty file
    try:
        return AccountManager.get(filename=account_file, name=name, channel=channel) is not None
    except AccountNotFoundError:
        return False


def load_runtime_service(*, name: str | None = None, channel: str | None = None, instance: str | None = None,
                         account_file: str | None = None):
    """``QiskitRuntimeService`` from the user's saved account or environment (module docstring)."""
    if not has_saved_account(name=name, channel=channel, account_file=account_file):
        raise ConfigError(MISSING_ACCOUNT_HELP, argument="account",
                          allowed="a Qiskit Runtime account saved with QiskitRuntimeService.save_account(...) "
                                  "or QISKIT_IBM_TOKEN in the environment")
    from qiskit_ibm_runtime import QiskitRuntimeService

    kwargs = {k: v for k, v in {"name": name, "channel": channel, "instance": instance,
                                "filename": account_file}.items() if v is not None}
    return QiskitRuntimeService(**kwargs)
