"""Device descriptions for the pulse layer — re-exported from :mod:`qbhw.devices`, where they live.

``Device``, ``ChannelSpec`` and ``ResonatorSpec`` are the :mod:`qbhw.devices` classes. :func:`list_devices` and
:func:`load_device` keep their signatures: without ``folder`` they read the device files shipped with qbhw
(``BACKENDS_DIR``, the installed ``qbhw._data.backends`` found through :mod:`importlib.resources`); with ``folder``
they read ``<folder>/<name>.json``.
"""

from __future__ import annotations

from pathlib import Path

from ..devices.device import CHANNEL_KINDS, ChannelSpec, Device, ResonatorSpec
from ..devices.files import backends_folder, load
from ..errors import ConfigError

__all__ = ["ChannelSpec", "ResonatorSpec", "Device", "load_device", "list_devices", "BACKENDS_DIR", "CHANNEL_KINDS"]

#: the folder of the device files shipped with qbhw (the repository's ``backends/``, installed as
#: ``qbhw._data.backends``); a real :class:`~pathlib.Path` for an installed or editable qbhw
BACKENDS_DIR = Path(str(backends_folder()))


def list_devices(folder=None) -> list[str]:
    """Names of the device files in ``folder`` (default: the shipped ones)."""
    folder = Path(folder) if folder is not None else BACKENDS_DIR
    return sorted(p.stem for p in folder.glob("*.json"))


def load_device(name_or_path, folder=None) -> Device:
    """Load ``<folder>/<name>.json`` (default folder: the shipped devices) or a JSON file path — a :class:`Device`,
    or the device of the file's ``kind`` (e.g. a :class:`~qbhw.devices.StarMolecule` for ``"nmr_star"``)."""
    p = Path(name_or_path)
    if p.suffix != ".json":
        p = (Path(folder) if folder is not None else BACKENDS_DIR) / f"{name_or_path}.json"
    if not p.is_file():
        raise ConfigError(f"no device file {p}", argument="name",
                          allowed=", ".join(list_devices(folder)) or "a JSON device file")
    return load(p)
