"""qbhw.devices: shipped device files, validation, value semantics and JSON round trips; the pulse-layer aliases."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from pathlib import Path

import pytest

import qbhw.devices as qd
import qbhw.pulse as qp
from qbhw.errors import ConfigError, InvalidArgumentError, QbhwError

ROOT = Path(__file__).resolve().parents[2]


def test_names_and_load():
    assert {"armonk_like", "transmon_qutrit_stirap"} <= set(qd.names())
    dev = qd.load("armonk_like")
    assert isinstance(dev, qd.Device) and dev.granularity == 16 and dev.min_length == 64
    assert qd.load(ROOT / "backends" / "armonk_like.json") == dev  # a path works too
    assert qd.load(str(ROOT / "backends" / "armonk_like.json")) == dev


def test_unknown_name_lists_the_shipped_devices():
    with pytest.raises(ConfigError) as e:
        qd.load("no_such_device")
    assert e.value.argument == "name_or_path"
    assert "transmon_qutrit_stirap" in e.value.allowed and "armonk_like" in e.value.allowed
    with pytest.raises(ConfigError) as e:
        qd.load("missing/dir/dev.json")
    assert e.value.argument == "name_or_path"


def test_pulse_aliases_are_the_same_objects():
    assert qp.Device is qd.Device and qp.ChannelSpec is qd.ChannelSpec and qp.ResonatorSpec is qd.ResonatorSpec
    assert qp.list_devices() == qd.names()
    assert qp.load_device("transmon_qutrit_stirap") == qd.load("transmon_qutrit_stirap")
    assert (qp.BACKENDS_DIR / "armonk_like.json").is_file()
    with pytest.raises(ConfigError) as e:
        qp.load_device("no_such_device")
    assert e.value.argument == "name"


def test_load_device_with_folder(tmp_path):
    qd.load("armonk_like").replace(name="mine").to_json(tmp_path / "mine.json")
    assert qp.list_devices(tmp_path) == ["mine"]
    assert qp.load_device("mine", folder=tmp_path).name == "mine"


@pytest.mark.parametrize("name", ["armonk_like", "transmon_qutrit_stirap"])
def test_round_trip_dict_and_json_exactly(name, tmp_path):
    dev = qd.load(name)
    d = dev.to_dict()
    back = qd.Device.from_dict(d)
    assert back == dev and hash(back) == hash(dev)
    assert back.to_dict() == d and back.provenance == dev.provenance
    text = dev.to_json()
    assert qd.Device.from_dict(json.loads(text)).to_dict() == d
    dev.to_json(tmp_path / "d.json")
    assert qd.load(tmp_path / "d.json").to_dict() == d


def test_hashable_and_compared_by_value():
    a = qd.load("transmon_qutrit_stirap")
    b = qd.load("transmon_qutrit_stirap")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    c = qd.Device.from_dict({**a.to_dict(), "provenance": {"note": "other"}})
    assert c == a and hash(c) == hash(a)  # provenance is commentary, not part of the value
    assert a.replace(t1_ns=1000.0) != a
    per_level = a.replace(t1_ns=[20000.0, 10000.0])
    assert per_level.t1_ns == (20000.0, 10000.0) and hash(per_level) != hash(a)
    assert qd.Device.from_dict(per_level.to_dict()) == per_level


def _base():
    return copy.deepcopy(qd.load("transmon_qutrit_stirap").to_dict())


@pytest.mark.parametrize("field", ["name", "levels", "freq_ghz", "anharmonicity_ghz", "dt_ns", "channels"])
def test_missing_required_field(field):
    d = _base()
    del d[field]
    with pytest.raises(ConfigError) as e:
        qd.Device.from_dict(d)
    assert e.value.argument == field and "missing" in str(e.value)


@pytest.mark.parametrize("field, value", [
    ("levels", "3"), ("levels", 2.5), ("freq_ghz", "5.0"), ("anharmonicity_ghz", None), ("dt_ns", True),
    ("t1_ns", -1.0), ("tphi_ns", 0.0), ("t1_ns", "long"), ("granularity", 0), ("name", 7), ("dt_ns", float("nan")),
])
def test_wrong_type_or_range(field, value):
    d = _base()
    d[field] = value
    with pytest.raises(InvalidArgumentError) as e:
        qd.Device.from_dict(d)
    assert e.value.argument == field


def test_unknown_fields_and_channel_errors():
    d = _base()
    d["freq_GHz"] = 5.0
    with pytest.raises(ConfigError) as e:
        qd.Device.from_dict(d)
    assert e.value.argument == "freq_GHz" and "freq_ghz" in e.value.allowed
    d = _base()
    d["_comment"] = "keys starting with _ are notes"
    qd.Device.from_dict(d)
    for key, value, argument, error in [("operator", "sigma_x", "operator", ConfigError),
                                        ("kind", "laser", "kind", ConfigError),
                                        ("carrier", "transition:1", "carrier", ConfigError),
                                        ("carrier", "cavity", "carrier", ConfigError),
                                        ("max_amp_ghz", -0.1, "max_amp_ghz", InvalidArgumentError),
                                        ("colour", "red", "colour", ConfigError)]:
        d = _base()
        d["channels"][1][key] = value
        with pytest.raises(error) as e:
            qd.Device.from_dict(d)
        assert e.value.argument == argument, (key, value)
    d = _base()
    d["channels"][1]["freq_ghz"] = 4.7  # both a derived and a fixed carrier
    with pytest.raises(ConfigError) as e:
        qd.Device.from_dict(d)
    assert e.value.argument == "carrier"
    d = _base()
    d["channels"] = {"d0": {}}
    with pytest.raises(ConfigError) as e:
        qd.Device.from_dict(d)
    assert e.value.argument == "channels"


def test_bad_json_file(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("{ not json")
    with pytest.raises(ConfigError) as e:
        qd.load(p)
    assert e.value.argument == "name_or_path"
    p.write_text(json.dumps({**_base(), "t1_ns": -5.0}))
    with pytest.raises(QbhwError) as e:
        qd.load(p)
    assert e.value.argument == "t1_ns"


def test_every_qbhw_package_is_listed_in_pyproject():
    """pyproject.toml lists the packages explicitly (the data folders are mapped with package-dir): a new
    subpackage of qbhw must be added there, or the wheel silently lacks it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "qbhw").rglob("__init__.py")}
    assert on_disk <= listed, sorted(on_disk - listed)
    assert config["package-dir"] == {"qbhw._data.backends": "backends", "qbhw._data.calibrations": "calibrations"}
    assert {"qbhw._data.backends", "qbhw._data.calibrations"} <= listed


def test_data_packages_resolve_to_the_shipped_folders():
    """Through importlib.resources: in an editable install (the test environment) these are the repository's
    folders; in a wheel, the installed copies (see test_device_wheel.py)."""
    folder = qd.backends_folder()
    assert {p.name for p in folder.iterdir() if p.name.endswith(".json")} == {f"{n}.json" for n in qd.names()}
    assert (qd.calibrations_folder() / "README.md").is_file()
    names = sorted(re.sub(r"\.json$", "", p.name) for p in (ROOT / "backends").glob("*.json"))
    assert names == qd.names()


def test_devices_imports_only_errors_and_metrics():
    """Import rule: qbhw.devices may import qbhw.metrics and qbhw.errors (and third-party libraries lazily)."""
    import ast

    for path in (ROOT / "qbhw" / "devices").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert (node.module or "").split(".")[0] in ("errors", "metrics"), (path.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("qbhw"):
                assert node.module.split(".")[1] in ("errors", "metrics", "devices"), (path.name, node.module)
        top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        assert not any((getattr(n, "module", None) or "").startswith("qiskit") for n in top_level), path.name
