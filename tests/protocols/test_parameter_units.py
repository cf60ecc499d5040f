"""Every parameter of every registered protocol has a unit (``UNITS`` or its name's suffix) and a line of help,
and ``Parameters.field_table()`` reports the dataclass defaults (``qbhw protocols NAME``)."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest

from qbhw import protocols
from qbhw.protocols.base import ProtocolParameters, time_grid, unit_from_suffix

NAMES = protocols.names()


def _parameters(name):
    return protocols.get(name).Parameters


def _default(f):
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory()


@pytest.mark.parametrize("name", NAMES)
def test_every_field_has_a_unit_and_help(name):
    cls = _parameters(name)
    missing = [f for f in cls.field_names() if cls.unit_of(f) is None]
    assert not missing, f"{name}: no unit for {missing} (add them to Parameters.UNITS)"
    no_help = [f for f in cls.field_names() if not cls.help_texts().get(f)]
    assert not no_help, f"{name}: no help for {no_help} (add them to Parameters.HELP)"


@pytest.mark.parametrize("name", NAMES)
def test_units_and_help_name_only_fields(name):
    cls = _parameters(name)
    known = set(cls.field_names())
    assert set(cls.units()) <= known, f"{name}: UNITS names unknown fields {sorted(set(cls.units()) - known)}"
    assert set(cls.help_texts()) <= known, f"{name}: HELP names unknown fields {sorted(set(cls.help_texts()) - known)}"
    assert "UNITS" not in known and "HELP" not in known  # class variables, not dataclass fields


@pytest.mark.parametrize("name", NAMES)
def test_field_table_defaults_are_the_dataclass_defaults(name):
    cls = _parameters(name)
    rows = cls.field_table()
    assert [r["name"] for r in rows] == list(cls.field_names())
    json.dumps(rows, allow_nan=False)  # strict JSON
    for f, row in zip(dataclasses.fields(cls), rows):
        assert set(row) == {"name", "type", "default", "unit", "description"}
        assert row["unit"] == cls.unit_of(f.name)
        expected, got = _default(f), row["default"]
        if isinstance(expected, tuple) and isinstance(got, dict):  # an exact linspace
            assert np.array_equal(np.asarray(time_grid(got, f.name)), np.asarray(expected, dtype=float))
        elif isinstance(expected, tuple) and isinstance(got, str):  # a summarised grid
            m = re.fullmatch(r"(\d+) values in \[(\S+), (\S+)\]", got)
            assert m and int(m[1]) == len(expected)
            assert float(m[2]) == pytest.approx(expected[0]) and float(m[3]) == pytest.approx(expected[-1])
        elif isinstance(expected, tuple):
            assert got == list(expected)
        else:
            assert got == expected


@pytest.mark.parametrize("name", NAMES)
def test_field_table_defaults_build_the_default_parameters(name):
    """The table's defaults, fed back (as a protocol file would), give the default parameters."""
    cls = _parameters(name)
    values = {r["name"]: r["default"] for r in cls.field_table()
              if not (isinstance(r["default"], str) and r["type"].startswith("tuple"))}  # not a summary
    assert cls.from_dict(values) == cls()


def test_star_charging_units():
    cls = _parameters("star_charging")
    rows = {r["name"]: r for r in cls.field_table()}
    assert rows["coupling"]["unit"] == "ω_b" and rows["coupling"]["default"] == 0.5
    assert rows["times"]["unit"] == "1/ω_b"
    assert rows["times"]["default"] == {"start": 0.0, "stop": 3.0, "num": 31}
    assert rows["n_chargers"]["unit"] == "" and rows["shots"]["unit"] == "" and rows["seed"]["unit"] == ""
    assert rows["times"]["type"] == "tuple[float, ...]"


def test_suffix_units():
    assert unit_from_suffix("delay_ns") == "ns"
    assert unit_from_suffix("amp_pump_ghz") == "GHz"
    assert unit_from_suffix("drive_mhz") == "MHz"
    assert unit_from_suffix("wait_us") == "µs"
    assert unit_from_suffix("angle_rad") == "rad"
    assert unit_from_suffix("max_drive_rad_per_s") == "rad/s"
    assert unit_from_suffix("times") is None and unit_from_suffix("omega_0") is None
    assert unit_from_suffix("steps") is None and unit_from_suffix("n_s") is None  # bare "_s" is no unit
    p = _parameters("stirap_charging")
    assert p.unit_of("times_ns") == "ns" and p.unit_of("device") == "device name"


def test_subclass_units_merge_along_the_hierarchy():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Base(ProtocolParameters):
        UNITS = {"a": "GHz"}  # noqa: RUF012
        a: float = 1.0

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Child(Base):
        UNITS = {"b": ""}  # noqa: RUF012
        b: int = 2
        c: tuple = tuple(float(x) for x in (0.0, 0.5, 2.0, 3.0, 4.5, 7.0, 9.0))

    assert Child.unit_of("a") == "GHz" and Child.unit_of("b") == "" and Child.unit_of("shots") == ""
    rows = {r["name"]: r for r in Child.field_table()}
    assert rows["c"]["unit"] is None  # undeclared: the test above would catch it for a registered protocol
    assert rows["c"]["default"] == "7 values in [0, 9]"
    assert rows["a"]["description"] == ""


@pytest.mark.parametrize("name, energy_unit", [("star_charging", "ω_b"), ("spin_chain_charging", "B"),
                                               ("dicke_charging", "ω_0")])
def test_model_protocol_curves_carry_the_units_of_their_parameters(name, energy_unit):
    """The charging curve of a model protocol is labelled in the scale of its parameters (times in 1/ω_b
    for the star battery, ...), on every backend, so its figure and report name the right unit."""
    module = protocols.get(name)
    p = module.Parameters(times={"start": 0.0, "stop": 1.0, "num": 3})
    for backend in ("exact", "aer"):
        units = module.acquire(p, backend).curve.units
        assert units["time"] == f"1/{energy_unit}" and units["energy"] == energy_unit, (backend, units)
