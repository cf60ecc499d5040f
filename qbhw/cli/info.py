"""``qbhw protocols`` and ``qbhw backends``: what the toolkit offers and what can run on this machine.

``qbhw protocols`` lists every registered protocol (name, one-line summary, the backend kinds it runs on);
``qbhw protocols NAME`` prints its parameter table (name, type, default, unit, description — from
:meth:`qbhw.protocols.ProtocolParameters.field_table`) and the options of its ``analyse``.

``qbhw backends`` says what runs here, without contacting any network and without building noise models:
the simulators (``exact``, ``pulse``, ``aer``, ``aer:density_matrix``), the fake IBM devices installed with
qiskit-ibm-runtime (``fake:<name>``, with their qubit counts read from the shipped configuration files),
whether an IBM Quantum account is saved (channel and name only — never a token) and whether the
qiskit-dynamics cross-check environment exists (:mod:`qbhw.pulse.crosscheck`; it is not run).

Both take ``--json`` (deterministic: keys sorted, lists in a fixed order).
"""

from __future__ import annotations

import glob
import importlib.util
import inspect
import json
import os
import re
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..protocols.base import backend_label

__all__ = ["backends_report", "module_summary", "protocol_details", "protocol_list", "register"]


def register(sub) -> None:
    """Add the ``protocols`` and ``backends`` subcommands."""
    protocols = sub.add_parser("protocols", help="the protocols, their parameters with units and defaults")
    protocols.add_argument("name", nargs="?", metavar="NAME",
                           help="one protocol: its parameter table and the options of its analysis")
    protocols.add_argument("--json", action="store_true", help="print as JSON")
    protocols.add_argument("--template", action="store_true",
                           help="print a protocol file for NAME with every parameter at its default "
                                "(qbhw protocols NAME --template > NAME.toml; then qbhw run NAME.toml)")
    protocols.set_defaults(func=protocols_command)
    backends = sub.add_parser("backends", help="what can run here: simulators, fake devices, IBM account, "
                                               "qiskit-dynamics cross-check environment")
    backends.add_argument("--json", action="store_true", help="print as JSON")
    backends.set_defaults(func=backends_command)


def _print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


# =============================================================================================
# qbhw protocols [NAME]
def protocols_command(args) -> int:
    """``qbhw protocols [NAME] [--json | --template]``."""
    if args.template:
        from ..errors import ConfigError
        from ..protocol_file import protocol_template

        if args.name is None or args.json:
            raise ConfigError("--template needs a protocol NAME and no --json", argument="--template",
                              allowed="qbhw protocols NAME --template")
        _module(args.name)  # an unknown name is refused with the list of names
        sys.stdout.write(protocol_template(args.name))
        return 0
    data = protocol_list() if args.name is None else protocol_details(args.name)
    if args.json:
        _print_json(data)
    elif args.name is None:
        print(_format_list(data))
    else:
        print(_format_details(data))
    return 0


def _module(name: str):
    from .. import protocols

    known = protocols.names()
    if name not in known:
        raise ConfigError(f"unknown protocol {name!r}", argument="NAME", allowed=", ".join(known))
    return protocols.get(name)


def module_summary(module) -> str:
    """The first paragraph of a module's docstring on one line, without a closing citation in parentheses
    (``"Dicke-battery charging: N cells … cavity mode."``)."""
    doc = inspect.getdoc(module) or ""
    text = " ".join(doc.strip().split("\n\n", 1)[0].split())
    body = text.removesuffix(".")
    if body.endswith(")"):
        start = _opening_parenthesis(body)
        cited = body[start:]
        if start > 0 and ("review" in cited or re.search(r"\b(1[89]|20)\d\d\b", cited)):
            return body[:start].rstrip(" ;,") + "."
    return text


def _opening_parenthesis(text: str) -> int:
    """Index of the ``(`` matching the ``)`` that ends ``text`` (-1 when unbalanced)."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def protocol_list() -> dict[str, Any]:
    """``{"protocols": [{name, summary, backends}, …]}`` in name order."""
    from .. import protocols

    return {"protocols": [_protocol_head(name, protocols.get(name)) for name in protocols.names()]}


def _protocol_head(name: str, module) -> dict[str, Any]:
    return {"name": name, "summary": module_summary(module), "backends": list(getattr(module, "BACKENDS", ()))}


def protocol_details(name: str) -> dict[str, Any]:
    """One protocol: its head (:func:`protocol_list`), ``parameters`` (the field table) and
    ``analyse_options`` (name, type, default, and ``source``: ``analyse`` or ``qbhw.fit.fit_curve``)."""
    module = _module(name)
    return {**_protocol_head(name, module), "parameters": module.Parameters.field_table(),
            "analyse_options": analyse_options(name, module)}


def analyse_options(name: str, module) -> list[dict[str, Any]]:
    """The options of ``module.analyse`` (:func:`qbhw.protocols.analysis_options`: its keyword parameters,
    then the options of :func:`qbhw.fit.fit_curve` it passes on) as rows: name, type, default, source."""
    from .. import protocols

    return [{"name": o.name, "type": _annotation_text(o.annotation), "default": _jsonable(o.default),
             "source": o.source} for o in protocols.analysis_options(module).values()]


def _annotation_text(annotation) -> str:
    if annotation is None:
        return ""
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))


def _jsonable(value):
    from ..serialization import to_jsonable

    try:
        out = to_jsonable(value)
        json.dumps(out, allow_nan=False)
        return out
    except (TypeError, ValueError):
        return repr(value)


# ---- text rendering --------------------------------------------------------------------------
def _format_list(data: dict[str, Any]) -> str:
    rows = [[p["name"], ", ".join(backend_label(k) for k in p["backends"]), p["summary"]] for p in data["protocols"]]
    return _table(["protocol", "backends", "summary"], rows) + \
        "\n\nqbhw protocols NAME: its parameters (units, defaults) and analysis options"


def _format_details(data: dict[str, Any]) -> str:
    lines = [f"{data['name']}: {data['summary']}",
             f"backends: {', '.join(backend_label(k) for k in data['backends'])}", "",
             "parameters ([parameters] of a protocol file; unit '-': dimensionless):"]
    rows = [[r["name"], r["type"], _show(r["default"]), _show_unit(r["unit"]), r["description"]]
            for r in data["parameters"]]
    lines.append(_indent(_table(["name", "type", "default", "unit", "description"], rows)))
    lines += ["", "analysis options ([analysis] of a protocol file):"]
    rows = [[r["name"], r["type"], _show(r["default"]), "" if r["source"] == "analyse" else r["source"]]
            for r in data["analyse_options"]]
    lines.append(_indent(_table(["name", "type", "default", "passed to"], rows)) if rows else "  (none)")
    return "\n".join(lines)


def _show_unit(unit) -> str:
    return "?" if unit is None else (unit or "-")


def _show(value) -> str:
    """A default as written in a protocol file (a grid as ``{ start = a, stop = b, num = n }``)."""
    if isinstance(value, dict) and set(value) == {"start", "stop", "num"}:
        return "{ " + ", ".join(f"{k} = {_show(value[k])}" for k in ("start", "stop", "num")) + " }"
    if isinstance(value, float):
        return repr(value) if len(repr(value)) <= 10 else f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns; the last column is not padded."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row, widths)] + [str(row[-1])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _indent(text: str) -> str:
    return textwrap.indent(text, "  ")


# =============================================================================================
# qbhw backends
def backends_command(args) -> int:
    """``qbhw backends [--json]``."""
    report = backends_report()
    if args.json:
        _print_json(report)
    else:
        print(_format_backends(report))
    return 0


def backends_report() -> dict[str, Any]:
    """``simulators``, ``fake_devices``, ``ibm_account`` and ``crosscheck`` (see the module docstring)."""
    return {"simulators": simulators(), "fake_devices": fake_devices(), "ibm_account": ibm_account(),
            "crosscheck": crosscheck_environment()}


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def simulators() -> list[dict[str, Any]]:
    """The local simulators :func:`qbhw.backends.get_backend` accepts, and whether each can run here."""
    from ..backends import pulse_available
    from ..backends.aer import AER_METHODS

    aer = importlib.util.find_spec("qiskit_aer") is not None
    aer_detail = f"qiskit-aer {_version('qiskit-aer')}" if aer else "qiskit-aer is not installed"
    rows = [{"name": "exact", "description": "exact symmetry-reduced solvers (qbhw.solvers)", "available": True,
             "detail": ""},
            {"name": "pulse", "description": "pulse-level solver of qbhw.pulse (transmon devices)",
             "available": pulse_available(), "detail": ""}]
    for method in AER_METHODS:
        name = "aer" if method == "statevector" else f"aer:{method}"
        alias = " (aer:statevector)" if method == "statevector" else ""
        rows.append({"name": name, "description": f"Aer {method.replace('_', ' ')} simulator{alias}",
                     "available": aer, "detail": aer_detail})
    return rows


def fake_devices() -> dict[str, Any]:
    """The fake IBM backends of qiskit-ibm-runtime (offline), ``fake:<name>`` with their qubit counts read
    from the configuration files they ship (no backend or noise model is built)."""
    version = _version("qiskit-ibm-runtime")
    if version is None or importlib.util.find_spec("qiskit_ibm_runtime") is None:
        return {"available": False, "package": "qiskit-ibm-runtime is not installed", "devices": []}
    from ..backends import devices

    rows = []
    for name in devices.fake_device_names():
        cls = devices._class_for(name)  # the class fake_device(name) instantiates
        qubits, device = _conf_summary(cls)
        rows.append({"name": f"fake:{name}", "qubits": qubits, "device": device})
    return {"available": bool(rows), "package": f"qiskit-ibm-runtime {version}", "devices": rows}


def _conf_summary(cls) -> tuple[int | None, str | None]:
    """``(n_qubits, backend_name)`` from a fake backend's shipped configuration file (the device it copies,
    e.g. ``ibm_sherbrooke``); ``None`` for what it does not say."""
    directory, filename = getattr(cls, "dirname", None), getattr(cls, "conf_filename", None)
    if not directory or not filename:
        return None, None
    try:
        with open(Path(directory) / filename, encoding="utf-8") as fh:
            conf = json.load(fh)
    except (OSError, ValueError):
        return None, None
    if not isinstance(conf, dict):
        return None, None
    n, device = conf.get("n_qubits"), conf.get("backend_name")
    return (n if isinstance(n, int) else None), (device if isinstance(device, str) else None)


def ibm_account() -> dict[str, Any]:
    """Whether qiskit-ibm-runtime finds an IBM Quantum account locally (:mod:`qbhw.backends.accounts`; no
    network): ``saved``, ``environment`` (``QISKIT_IBM_TOKEN`` set), the account ``file`` and its
    ``accounts`` (name, channel, default) — never a token or an instance."""
    if importlib.util.find_spec("qiskit_ibm_runtime") is None:
        return {"saved": False, "environment": False, "file": None, "accounts": [],
                "detail": "qiskit-ibm-runtime is not installed"}
    from qiskit_ibm_runtime.accounts import management
    from qiskit_ibm_runtime.exceptions import IBMError

    from ..backends.accounts import has_saved_account

    path = os.path.expanduser(management._DEFAULT_ACCOUNT_CONFIG_JSON_FILE)
    out = {"saved": False, "environment": bool(os.getenv("QISKIT_IBM_TOKEN")), "file": path,
           "channel_variable": os.getenv("QISKIT_IBM_CHANNEL"), "accounts": _saved_accounts(path), "detail": ""}
    try:
        out["saved"] = bool(has_saved_account())
    except (IBMError, ValueError, TypeError, KeyError, OSError) as exc:  # a malformed file: say so, quote nothing
        out["detail"] = f"the account could not be read ({type(exc).__name__})"
    return out


def _saved_accounts(path: str) -> list[dict[str, Any]]:
    """Name, channel and default flag of each account in qiskit-ibm-runtime's account file."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    return [{"name": str(name), "channel": entry.get("channel"), "default": bool(entry.get("is_default_account"))}
            for name, entry in sorted(data.items()) if isinstance(entry, dict)]


def crosscheck_environment() -> dict[str, Any]:
    """Whether the frozen qiskit-dynamics environment of :mod:`qbhw.pulse.crosscheck` exists (its python and
    the installed qiskit-dynamics version, read from its metadata; nothing is run)."""
    try:
        from ..pulse.crosscheck import ENV_SCRIPT, qd_env_python
    except ImportError as exc:
        return {"available": False, "environment": None, "python": None, "qiskit_dynamics": None,
                "build": None, "detail": f"qbhw.pulse.crosscheck cannot be imported ({exc})"}
    python = qd_env_python()
    env = python.parent.parent
    version = _dist_version(env, "qiskit_dynamics") if python.exists() else None
    detail = "" if version else (f"no environment at {env}" if not python.exists()
                                 else "the environment has no qiskit-dynamics")
    return {"available": version is not None, "environment": str(env), "python": str(python),
            "qiskit_dynamics": version, "build": f"bash {ENV_SCRIPT}", "detail": detail}


def _dist_version(env: Path, package: str) -> str | None:
    """Version of ``package`` installed in the virtual environment ``env`` (from its ``.dist-info``)."""
    patterns = [env / "lib" / "python*" / "site-packages", env / "Lib" / "site-packages"]
    for pattern in patterns:
        for info in sorted(glob.glob(str(pattern / f"{package}-*.dist-info"))):
            return Path(info).name[len(package) + 1:-len(".dist-info")]
    return None


# ---- text rendering --------------------------------------------------------------------------
def _format_backends(report: dict[str, Any]) -> str:
    lines = ["simulators:"]
    rows = [[s["name"], "yes" if s["available"] else "no", s["description"] + (f"; {s['detail']}" if s["detail"] else "")]
            for s in report["simulators"]]
    lines.append(_indent(_table(["backend", "available", "what"], rows)))
    lines += ["", *_format_fakes(report["fake_devices"]), "", _format_account(report["ibm_account"]),
              _format_crosscheck(report["crosscheck"])]
    return "\n".join(lines)


def _format_fakes(fakes: dict[str, Any]) -> list[str]:
    if not fakes["devices"]:
        return [f"fake devices (offline): none ({fakes['package']})"]
    nbsp = "\u00a0"  # keeps "fake:name (n)" on one line when wrapping
    items = ", ".join(f"{d['name']}{nbsp}({d['qubits'] if d['qubits'] is not None else '?'})"
                      for d in fakes["devices"])
    head = f"fake devices (offline, {fakes['package']}; qubits in parentheses): {len(fakes['devices'])}"
    text = textwrap.fill(items, width=100, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)
    return [head, text.replace(nbsp, " ")]


def _format_account(account: dict[str, Any]) -> str:
    label = "IBM Quantum account (ibm:<device>):"
    if account.get("detail") and not account["saved"]:
        return f"{label} unknown — {account['detail']}"
    if not account["saved"]:
        return f"{label} none — save yours with QiskitRuntimeService.save_account(...) or set QISKIT_IBM_TOKEN"
    where = []
    if account["environment"]:
        channel = account.get("channel_variable")
        where.append("QISKIT_IBM_TOKEN in the environment" + (f" (channel {channel})" if channel else ""))
    for a in account["accounts"]:
        where.append(f"{a['name']} (channel {a['channel']}{', default' if a['default'] else ''})")
    if account["accounts"]:
        where[-1] += f" in {account['file']}"
    return f"{label} saved — " + "; ".join(where)


def _format_crosscheck(cross: dict[str, Any]) -> str:
    label = "qiskit-dynamics cross-check environment:"
    if cross["available"]:
        return f"{label} qiskit-dynamics {cross['qiskit_dynamics']} at {cross['environment']}"
    build = f" (build it: {cross['build']})" if cross.get("build") else ""
    return f"{label} missing — {cross['detail']}{build}"
