"""qbhw.devices — device definitions: one :class:`Device` type for the pulse solver, Aer noise models and the
circuit layer.

* :func:`names`, :func:`load` — the device files shipped with qbhw (the repository's ``backends/`` folder, installed
  as ``qbhw._data.backends``) or any JSON device file;
* :class:`Device` with :class:`ChannelSpec`, :class:`ResonatorSpec` (single transmon) and :class:`QubitSpec`,
  :class:`GateSpec` (multi-qubit); :meth:`Device.qubit` gives qubit k's single-transmon device;
* :class:`CalibrationRecord` (:mod:`qbhw.devices.calibration`): what the calibration routines last measured;
  ``load(name, calibration="latest" | path | record)`` overlays it on the definition;
* :func:`from_backend` — a qiskit ``BackendV2`` (IBM device or fake backend) as a :class:`Device`;
  ``qbhw.backends.device_models`` builds an Aer noise model and a qiskit ``Target`` from one;
* :class:`StarMolecule` (:mod:`qbhw.devices.nmr`): an NMR star-topology molecule (device files of kind
  ``"nmr_star"``), with :class:`NuclearSpin`, :class:`NmrChannelSpec`, the isotope table :data:`ISOTOPES`,
  :func:`molecule_for` and :func:`generic_star`.

Units in names: GHz (cyclic) and ns. Imports nothing from qbhw but :mod:`qbhw.errors` (and qiskit lazily, in
:func:`from_backend`).
"""

from .convert import from_backend
from .device import CHANNEL_KINDS, ChannelSpec, Device, GateSpec, QubitSpec, ResonatorSpec
from .calibration import (QUANTITIES, ROUTINES, CalibrationRecord, CalibrationValue, apply_calibration,
                          definition_fingerprint, latest_record, load_record, records, save_record,
                          user_calibrations_folder)
from .files import DEVICE_KINDS, backends_folder, calibrations_folder, load, names, register_device_kind
from .nmr import (ISOTOPES, Isotope, NmrChannelSpec, NuclearSpin, RfChannel, StarMolecule, generic_star,
                  molecule_for, molecule_names)

__all__ = ["Device", "ChannelSpec", "ResonatorSpec", "QubitSpec", "GateSpec", "CHANNEL_KINDS",
           "names", "load", "from_backend", "backends_folder", "calibrations_folder",
           "DEVICE_KINDS", "register_device_kind",
           "CalibrationRecord", "CalibrationValue", "QUANTITIES", "ROUTINES", "apply_calibration",
           "definition_fingerprint", "latest_record", "load_record", "records", "save_record",
           "user_calibrations_folder",
           "StarMolecule", "NuclearSpin", "NmrChannelSpec", "RfChannel", "Isotope", "ISOTOPES", "molecule_for",
           "generic_star", "molecule_names"]
