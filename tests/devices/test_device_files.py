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


# ---- every shipped device file; the Hu et al. 2022 qutrit; the IBM files generated from fake backends --------------
HU = "hu2022_transmon_qutrit"
# file name -> (fake backend class in qiskit_ibm_runtime.fake_provider, its number of qubits)
IBM_FILES = {"ibm_eagle_sherbrooke": ("FakeSherbrooke", 127), "ibm_heron_fez": ("FakeFez", 156)}
MAKE_IBM = ROOT / "tools" / "make_ibm_devices.py"


def test_the_new_device_files_are_shipped():
    assert {HU, *IBM_FILES} <= set(qd.names())


@pytest.mark.parametrize("name", qd.names())
def test_every_shipped_device_loads_and_round_trips(name):
    dev = qd.load(name)
    assert dev.name == name and dev.description and dev.provenance  # each file says what it is and where from
    d = dev.to_dict()
    back = type(dev).from_dict(d)
    assert back == dev and hash(back) == hash(dev) and back.to_dict() == d  # exact: floats round-trip in JSON


def test_hu2022_qutrit():
    """Three transmon levels with per-level T1 (|2> decays faster than |1>), a readout resonator, the STIRAP pump
    (d0, 0-1) and Stokes (d1, 1-2) carriers derived from ν and α (exact up to float rounding, 1e-12 GHz)."""
    dev = qd.load(HU)
    assert dev.levels == 3 and not dev.is_multi_qubit
    assert isinstance(dev.t1_ns, tuple) and len(dev.t1_ns) == 2
    t1_1, t1_2 = dev.t1_ns
    assert 0 < t1_2 < t1_1
    assert dev.tphi_ns > 0 and dev.t2_ns <= 2 * t1_1
    assert dev.resonator is not None and dev.resonator.freq_ghz > 0 and dev.resonator.coupling_ghz != 0
    ch = dev.channel_map
    assert {"d0", "d1"} <= set(ch) and ch["d0"].kind == ch["d1"].kind == "drive"
    assert dev.channels[0].carrier == "qubit" and dev.channels[1].carrier == "transition:1-2"  # follow the device
    assert ch["d0"].freq_ghz == pytest.approx(dev.freq_ghz, abs=1e-12)
    assert ch["d1"].freq_ghz == pytest.approx(dev.freq_ghz + dev.anharmonicity_ghz, abs=1e-12)
    assert ch["d02"].freq_ghz == pytest.approx(2 * dev.freq_ghz + dev.anharmonicity_ghz, abs=1e-12)
    # every number says where it comes from: the paper, or a typical value labelled as such
    for field in ("freq_ghz", "anharmonicity_ghz", "t1_ns", "tphi_ns", "resonator", "dt_ns", "max_amp_ghz"):
        source = dev.provenance[field]
        assert "Hu et al. 2022" in source or "typical value, not from the paper" in source, (field, source)


def _fake_backend(cls_name: str):
    fake_provider = pytest.importorskip("qiskit_ibm_runtime.fake_provider")
    return getattr(fake_provider, cls_name)()


@pytest.mark.parametrize("name", sorted(IBM_FILES))
def test_ibm_files_match_their_fake_backend(name):
    """Qubit count of the fake backend; qubit 0's T1, T2 and frequency, dt, coupling map and basis gates as
    ``from_backend(FakeX())`` gives them (relative tolerance 1e-12: JSON keeps floats exactly; None stays None)."""
    _skip_unless_generated_with_the_installed_runtime()
    cls_name, n = IBM_FILES[name]
    dev = qd.load(name)
    ref = qd.from_backend(_fake_backend(cls_name))
    assert dev.is_multi_qubit and dev.num_qubits == ref.num_qubits == n
    for field in ("t1_ns", "t2_ns", "freq_ghz"):
        got, want = getattr(dev.qubits[0], field), getattr(ref.qubits[0], field)
        assert (got is None) == (want is None), field
        if want is not None:
            assert got == pytest.approx(want, rel=1e-12), field
    assert dev.dt_ns == pytest.approx(ref.dt_ns, rel=1e-12)
    assert dev.coupling_map == ref.coupling_map and dev.basis_gates == ref.basis_gates
    assert len(dev.gates) == len(ref.gates)
    import qiskit_ibm_runtime

    assert dev.provenance["fake_backend"] == f"qiskit_ibm_runtime.fake_provider.{cls_name}"
    assert dev.provenance["qiskit_ibm_runtime"] == qiskit_ibm_runtime.__version__
    assert cls_name in dev.description and qiskit_ibm_runtime.__version__ in dev.description
    assert (ROOT / "backends" / f"{name}.json").stat().st_size < 1.5e6


def test_eagle_gives_frequencies_and_heron_does_not():
    eagle, heron = qd.load("ibm_eagle_sherbrooke"), qd.load("ibm_heron_fez")
    assert all(q.freq_ghz is not None and q.anharmonicity_ghz is not None for q in eagle.qubits)
    assert eagle.levels == 3 and eagle.qubit(0).freq_ghz == eagle.qubits[0].freq_ghz
    assert all(q.freq_ghz is None and q.anharmonicity_ghz is None for q in heron.qubits) and heron.levels == 2
    assert "no qubit frequency" in heron.description


def _skip_unless_generated_with_the_installed_runtime():
    """The IBM files are snapshots of the installed fake backends; another qiskit-ibm-runtime release may carry
    other snapshot data, so the comparison runs only with the release that generated them."""
    import qiskit_ibm_runtime

    for name in IBM_FILES:
        recorded = json.loads((ROOT / "backends" / f"{name}.json").read_text())["provenance"]["qiskit_ibm_runtime"]
        if recorded != qiskit_ibm_runtime.__version__:
            pytest.skip(f"{name}.json was generated with qiskit-ibm-runtime {recorded}, "
                        f"{qiskit_ibm_runtime.__version__} is installed: rerun tools/make_ibm_devices.py")


def _make_ibm(*args):
    import subprocess
    import sys

    pytest.importorskip("qiskit_ibm_runtime.fake_provider")
    return subprocess.run([sys.executable, str(MAKE_IBM), *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_make_ibm_devices_check_passes_on_the_committed_files():
    _skip_unless_generated_with_the_installed_runtime()
    run = _make_ibm("--check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("ok ") == len(IBM_FILES)


def test_make_ibm_devices_check_reports_changed_and_missing_files(tmp_path):
    eagle = json.loads((ROOT / "backends" / "ibm_eagle_sherbrooke.json").read_text())
    eagle["qubits"][0]["t1_ns"] *= 1.001
    (tmp_path / "ibm_eagle_sherbrooke.json").write_text(json.dumps(eagle))  # ibm_heron_fez.json is missing
    run = _make_ibm("--check", "--out", str(tmp_path))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "DIFFERS" in run.stdout and "qubits" in run.stdout and "MISSING" in run.stdout


@pytest.mark.parametrize("change, argument, error", [
    (lambda d: d.pop("freq_ghz"), "freq_ghz", ConfigError),
    (lambda d: d.__setitem__("t1_ns", [-20000.0, 10000.0]), "t1_ns", InvalidArgumentError),
    (lambda d: d.__setitem__("t1_ns", -20000.0), "t1_ns", InvalidArgumentError),
    (lambda d: d.__setitem__("t1_us", 20.0), "t1_us", ConfigError),
], ids=["missing-freq_ghz", "negative-per-level-t1", "negative-t1", "field-t1_us"])
def test_invalid_copies_of_the_hu_file(change, argument, error, tmp_path):
    d = json.loads((ROOT / "backends" / f"{HU}.json").read_text())
    change(d)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    with pytest.raises(error) as e:
        qd.load(path)
    assert type(e.value) is error and e.value.argument == argument
