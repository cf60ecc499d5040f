"""The device files shipped with qbhw, read through :mod:`importlib.resources`.

The repository keeps device definitions in ``backends/`` and calibration records in ``calibrations/``; the package
build maps them into the installed package as ``qbhw._data.backends`` and ``qbhw._data.calibrations``
(``pyproject.toml``), so a wheel installed non-editable carries them, and an editable install maps the same names
onto the repository folders. Running from a bare source checkout that was never installed (``PYTHONPATH=.``),
those names do not exist; then the checkout's folders are read directly.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from .device import Device

__all__ = ["names", "load", "backends_folder", "calibrations_folder", "register_device_kind", "DEVICE_KINDS",
           "BACKENDS_PACKAGE", "CALIBRATIONS_PACKAGE"]

BACKENDS_PACKAGE = "qbhw._data.backends"
CALIBRATIONS_PACKAGE = "qbhw._data.calibrations"


def _folder(package: str, checkout_name: str):
    try:
        return resources.files(package)
    except ModuleNotFoundError:
        checkout = Path(__file__).resolve().parents[2] / checkout_name  # <repo>/backends in a bare checkout
        if checkout.is_dir():
            return checkout
        raise ConfigError(f"the data package {package} is not installed and there is no {checkout}",
                          argument="package", allowed="an installed qbhw (pip install .) or a source checkout")


def backends_folder():
    """The folder of shipped device definitions (an :mod:`importlib.resources` ``Traversable``; a
    :class:`pathlib.Path` for an installed or editable qbhw)."""
    return _folder(BACKENDS_PACKAGE, "backends")


def calibrations_folder():
    """The folder of shipped calibration records (see :func:`backends_folder`)."""
    return _folder(CALIBRATIONS_PACKAGE, "calibrations")


def names() -> list[str]:
    """Names of the shipped device definitions (``backends/<name>.json``), sorted: every kind (transmon devices and
    e.g. the NMR molecules of kind ``"nmr_star"``, :mod:`qbhw.devices.nmr`)."""
    return sorted(p.name[:-5] for p in backends_folder().iterdir() if p.name.endswith(".json") and p.is_file())


def _is_path(name_or_path) -> bool:
    if isinstance(name_or_path, os.PathLike):
        return True
    return isinstance(name_or_path, str) and (name_or_path.endswith(".json") or "/" in name_or_path
                                              or os.sep in name_or_path)


#: the kinds of device file: the ``kind`` field of a file → the function that reads its (other) fields.
#: ``"transmon"`` (the default: a transmon or a processor of transmons, :class:`Device`); other physical platforms
#: (e.g. an NMR molecule) add theirs with :func:`register_device_kind`.
DEVICE_KINDS = {"transmon": Device.from_dict}


def register_device_kind(kind: str, reader) -> None:
    """Read device files whose ``kind`` field is ``kind`` with ``reader(data) -> device`` (``data`` without
    ``kind``)."""
    if not isinstance(kind, str) or not kind or not callable(reader):
        raise ConfigError(f"got {kind!r}, {reader!r}", argument="kind", allowed="a non-empty name and a callable")
    DEVICE_KINDS[kind] = reader


def _parse(text: str, source: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{source} is not valid JSON: {exc}", argument="name_or_path",
                          allowed="a JSON device file") from exc
    if isinstance(data, dict) and "kind" in data:
        data = dict(data)
        kind = data.pop("kind")
        if kind not in DEVICE_KINDS:
            raise ConfigError(f"{source}: unknown device kind {kind!r}", argument="kind",
                              allowed=" | ".join(repr(k) for k in DEVICE_KINDS))
        return DEVICE_KINDS[kind](data)
    return Device.from_dict(data)


def load(name_or_path, calibration=None):
    """The device called ``name_or_path`` (one of :func:`names`) or read from a JSON file path
    (a ``str`` ending in ``.json`` or containing a path separator, or an ``os.PathLike``), overlaid with a
    calibration record (:mod:`qbhw.devices.calibration`).

    ``calibration``: ``None`` — the definition alone; ``"latest"`` — the newest record of the device
    (``$QBHW_CALIBRATIONS`` or the user data folder first, then the records shipped with qbhw; none raises
    :class:`~qbhw.errors.CalibrationNotFoundError`); a path to a record file; or a
    :class:`~qbhw.devices.CalibrationRecord`.

    An unknown name or a missing file raises :class:`ConfigError` (``argument="name_or_path"``, listing the shipped
    names); a malformed file raises the error of :meth:`Device.from_dict` naming the offending field."""
    device = _load_definition(name_or_path)
    if calibration is None:
        return device
    if not isinstance(device, Device):
        raise ConfigError(f"{device.name!r} is a {type(device).__name__}, not a transmon device",
                          argument="calibration", allowed="None (calibration records belong to transmon devices)")
    from .calibration import CalibrationRecord, apply_calibration, latest_record, load_record

    if isinstance(calibration, CalibrationRecord):
        record = calibration
    elif isinstance(calibration, str) and calibration == "latest":
        record = latest_record(device.name)[1]
    elif isinstance(calibration, (str, os.PathLike)):
        record = load_record(calibration)
    else:
        raise ConfigError(f"got {type(calibration).__name__}", argument="calibration",
                          allowed="None | 'latest' | a record path | a CalibrationRecord")
    return apply_calibration(device, record)


def _load_definition(name_or_path):
    if _is_path(name_or_path):
        p = Path(name_or_path)
        if not p.is_file():
            raise ConfigError(f"no device file {p}", argument="name_or_path",
                              allowed="an existing JSON device file or one of " + ", ".join(names()))
        return _parse(p.read_text(), str(p))
    if not isinstance(name_or_path, str) or not name_or_path:
        raise ConfigError(f"got {name_or_path!r}", argument="name_or_path",
                          allowed="a device name (" + ", ".join(names()) + ") or a path to a JSON file")
    available = names()
    if name_or_path not in available:
        raise ConfigError(f"unknown device {name_or_path!r}", argument="name_or_path",
                          allowed=", ".join(available) + " (or a path to a JSON device file)")
    res = backends_folder() / f"{name_or_path}.json"
    return _parse(res.read_text(encoding="utf-8"), f"device file {name_or_path}.json")
