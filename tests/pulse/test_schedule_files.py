"""Schedule JSON files: the ``qbhw-schedule/1`` version field, save/load, and located errors for bad files."""

import json
import subprocess
import sys
import textwrap

import pytest

import qbhw.pulse as qp
from qbhw.errors import FileFormatError
from qbhw.pulse.schedule import INSTRUCTION_KEYS, SCHEDULE_FORMAT
from qbhw.pulse.waveforms import WAVEFORM_KEYS

DT = 2 / 9

ALL_WAVEFORMS = [
    qp.Constant(4.0, amp_ghz=0.02, angle=0.3),
    qp.Gaussian(8.0, amp_ghz=0.02, sigma_ns=2.0, center_ns=3.0),
    qp.GaussianSquare(10.0, amp_ghz=0.02, sigma_ns=1.0, width_ns=4.0),
    qp.Drag(8.0, amp_ghz=0.02, sigma_ns=2.0, beta_ns=0.5, angle=-0.2),
    qp.SinSquared(6.0, amp_ghz=0.02),
    qp.FlatTop(10.0, amp_ghz=0.02, rise_ns=2.0),
    qp.StirapRamp(6.0, amp_ghz=0.02, role="stokes", law="mixing_angle"),
    qp.Samples([0.01, 0.02j, -0.01 + 0.005j], dt_ns=DT),
]


def full_schedule():
    """Every instruction and waveform type, nested schedules of every alignment."""
    plays = [qp.Play(wf, "d0") for wf in ALL_WAVEFORMS]
    return qp.align_sequential(
        qp.ShiftPhase(0.5, "d0"), qp.SetPhase(0.25, "d1"), qp.ShiftFrequency(-0.1, "d0"), qp.SetFrequency(4.9, "d1"),
        qp.align_left(*plays[:4], qp.Delay(2.0, "d1"), name="left block"),
        qp.align_right(*plays[4:], qp.Play(qp.Samples([0.01, 0.02], dt_ns=DT, duration_ns=1.0), "d1")),
        qp.Delay(0.0, "d0"),
        name="all types")


def _kinds(d, key):
    """Every value of ``key`` anywhere in the JSON data ``d``."""
    if isinstance(d, dict):
        return ({d[key]} if key in d else set()) | set().union(*(_kinds(v, key) for v in d.values()))
    if isinstance(d, list):
        return set().union(*(_kinds(v, key) for v in d))
    return set()


# ---------------------------------------------------------------- round trips and the version field
def test_save_load_round_trip_every_instruction_and_waveform(tmp_path):
    sched = full_schedule()
    path = tmp_path / "sub" / "all.json"
    assert sched.save(path) == path
    data = json.loads(path.read_text(encoding="utf-8"))
    assert _kinds(data, "type") == set(WAVEFORM_KEYS)            # the test covers every waveform type ...
    assert _kinds(data, "instruction") == set(INSTRUCTION_KEYS)  # ... and every instruction
    back = qp.Schedule.load(path)
    assert back == sched and back.to_dict() == sched.to_dict()
    assert back.duration_ns == sched.duration_ns and back.name == "all types"
    assert [i for _, i in back.timed_instructions()] == [i for _, i in sched.timed_instructions()]
    assert qp.Schedule.from_json(sched.to_json()) == sched
    assert qp.Schedule.from_dict(json.loads(json.dumps(sched.to_dict()))) == sched
    # an explicit Samples duration survives the round trip
    odd = [c for c in back.children[5].children if isinstance(c.waveform, qp.Samples)][-1]
    assert odd.waveform.duration_ns == 1.0


def test_save_is_atomic_and_overwrites(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old", encoding="utf-8")
    sched = qp.Schedule(qp.Delay(2.0, "d0"))
    sched.save(path)
    assert qp.Schedule.load(path) == sched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # no temporary file left behind
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_version_field_written_at_the_top_only():
    d = full_schedule().to_dict()
    assert next(iter(d)) == "format" and d["format"] == SCHEDULE_FORMAT == "qbhw-schedule/1"
    nested = [c["schedule"] for c in d["children"] if "schedule" in c]
    assert nested and all("format" not in n for n in nested)


def test_unversioned_layout_is_still_read(tmp_path):
    sched = full_schedule()
    old = sched.to_dict()
    del old["format"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, indent=1), encoding="utf-8")
    assert qp.Schedule.load(path) == sched
    assert qp.Schedule.from_dict(old) == sched


def test_defaults_only_for_meaningful_keys():
    sched = qp.Schedule.from_json(json.dumps({"children": [
        {"instruction": "play", "channel": "d0", "waveform": {"type": "gaussian", "duration_ns": 4, "amp_ghz": 0.02,
                                                              "sigma_ns": 1}}]}))
    assert sched.alignment == "left" and sched.name is None  # the constructor's defaults
    wf = sched.children[0].waveform
    assert wf.angle == 0.0 and wf.center_ns is None and wf.duration_ns == 4.0  # JSON integers are numbers


# ---------------------------------------------------------------- bad files: key path and line
GOOD = textwrap.dedent("""\
    {
      "format": "qbhw-schedule/1",
      "alignment": "sequential",
      "name": "bad",
      "children": [
        {"instruction": "shift_phase", "channel": "d0", "phase": 0.5},
        {"instruction": "play", "channel": "d0",
         "waveform": {"type": "gaussian", "duration_ns": 4.0,
                      "amp_ghz": 0.02, "sigma_ns": 1.0}},
        {"instruction": "delay", "channel": "d1", "duration_ns": 2.0},
        {"schedule": {"alignment": "right", "children": []}}
      ]
    }
    """)

BAD = {  # name: (replace this, by this, key path, line, text in the message)
    "typo children": ('"children": [\n', '"chldren": [\n', "chldren", 5, "did you mean 'children'"),
    "missing amp_ghz": ('"amp_ghz": 0.02, ', "", "children[1].waveform.amp_ghz", 8, "required key 'amp_ghz'"),
    "missing sigma_ns": (', "sigma_ns": 1.0', "", "children[1].waveform.sigma_ns", 8, "required key 'sigma_ns'"),
    "malformed JSON": ('"d1", "duration_ns"', '"d1" "duration_ns"', None, 10, "not valid JSON"),
    "unknown key": ('"channel": "d0", "phase"', '"chanel": "d0", "phase"', "children[0].chanel", 6,
                    "did you mean 'channel'"),
    "unknown waveform key": ('"amp_ghz": 0.02', '"amp_ghz": 0.02, "amp_mhz": 20', "children[1].waveform.amp_mhz", 9,
                             "unknown key 'amp_mhz'"),
    "string for a number": ('"sigma_ns": 1.0', '"sigma_ns": "1.0"', "children[1].waveform.sigma_ns", 9, "'1.0'"),
    "bool for a number": ('"phase": 0.5', '"phase": true', "children[0].phase", 6, "True"),
    "unknown version": ('"qbhw-schedule/1"', '"qbhw-schedule/2"', "format", 2, "qbhw-schedule/1"),
    "negative delay": ('"duration_ns": 2.0', '"duration_ns": -2.0', "children[2].duration_ns", 10, ">= 0"),
    "negative waveform duration": ('"duration_ns": 4.0', '"duration_ns": -4.0', "children[1].waveform.duration_ns",
                                   8, ">= 0"),
    "NaN amplitude": ('"amp_ghz": 0.02', '"amp_ghz": NaN', "children[1].waveform.amp_ghz", 9, "finite"),
    "sigma not positive": ('"sigma_ns": 1.0', '"sigma_ns": 0', "children[1].waveform.sigma_ns", 9, "> 0"),
    "empty channel": ('"channel": "d1"', '"channel": ""', "children[2].channel", 10, "channel name"),
    "unknown instruction": ('"play"', '"plya"', "children[1].instruction", 7, "did you mean 'play'"),
    "unknown waveform type": ('"gaussian"', '"gausian"', "children[1].waveform.type", 8, "did you mean 'gaussian'"),
    "unknown alignment": ('"right"', '"rigth"', "children[3].schedule.alignment", 11, "'sequential'"),
    "format in a sub-schedule": ('{"alignment": "right"', '{"format": "qbhw-schedule/1", "alignment": "right"',
                                 "children[3].schedule.format", 11, "unknown key 'format'"),
    "child not an object": ('{"instruction": "delay", "channel": "d1", "duration_ns": 2.0}', '"delay"',
                            "children[2]", 10, "expected a JSON object"),
    "child without instruction": ('"instruction": "delay", ', "", "children[2].instruction", 10,
                                  "required key 'instruction'"),
    "children not a list": ('"children": []', '"children": {}', "children[3].schedule.children", 11, "list"),
}


def test_good_file_loads(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(GOOD, encoding="utf-8")
    sched = qp.Schedule.load(path)
    assert sched.name == "bad" and len(sched.children) == 4


@pytest.mark.parametrize("case", list(BAD))
def test_bad_file_is_located(tmp_path, case):
    old, new, key, line, text = BAD[case]
    assert GOOD.count(old) == 1
    path = tmp_path / "bad.json"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(FileFormatError) as info:
        qp.Schedule.load(path)
    e = info.value
    msg = str(e)
    assert e.file == str(path) and e.line == line and e.key == key, msg
    assert f"{path}:{line}:" in msg and text in msg
    if key is not None:
        assert key in msg
    # the same text without a file: same key and line
    with pytest.raises(FileFormatError) as info:
        qp.Schedule.from_json(GOOD.replace(old, new))
    assert info.value.key == key and info.value.line == line and info.value.file is None


def test_errors_name_allowed_values(tmp_path):
    with pytest.raises(FileFormatError) as info:
        qp.Schedule.from_json(GOOD.replace('"play"', '"plya"'))
    assert "delay" in info.value.allowed and "schedule" in info.value.allowed
    with pytest.raises(FileFormatError) as info:
        qp.Schedule.from_json(GOOD.replace('"children": [\n', '"chldren": [\n'))
    assert info.value.allowed == "format, alignment, name, children"
    with pytest.raises(FileFormatError) as info:
        qp.Schedule.from_json(GOOD.replace('"qbhw-schedule/1"', '"qbhw-schedule/2"'))
    assert "qbhw-schedule/1" in info.value.allowed


def test_missing_file_and_not_an_object(tmp_path):
    with pytest.raises(FileFormatError, match="no such JSON file"):
        qp.Schedule.load(tmp_path / "nope.json")
    with pytest.raises(FileFormatError, match="a schedule is a JSON object"):
        qp.Schedule.from_json("[1, 2]")


def test_from_dict_names_the_key_path_without_a_line():
    data = full_schedule().to_dict()
    del data["children"][4]["schedule"]["children"][1]["waveform"]["sigma_ns"]
    with pytest.raises(FileFormatError) as info:
        qp.Schedule.from_dict(data)
    e = info.value
    assert e.key == "children[4].schedule.children[1].waveform.sigma_ns" and e.line is None and e.file is None
    assert e.key in str(e)
    data = full_schedule().to_dict()
    data["children"][6]["duration_ns"] = -1.0
    with pytest.raises(FileFormatError) as info:
        qp.Schedule.from_dict(data)
    assert info.value.key == "children[6].duration_ns" and "-1.0" in str(info.value)


def test_waveform_from_dict_is_validated():
    with pytest.raises(FileFormatError) as info:
        qp.waveform_from_dict({"type": "gaussian", "duration_ns": 4.0, "amp_ghz": 0.02})
    assert info.value.key == "sigma_ns"
    with pytest.raises(FileFormatError) as info:
        qp.waveform_from_dict({"type": "samples", "values": [[0.01, 0.0], [0.02]], "dt_ns": DT})
    assert info.value.key == "values[1]" and "[re, im]" in str(info.value)
    with pytest.raises(FileFormatError) as info:
        qp.waveform_from_dict({"type": "stirap_ramp", "duration_ns": 4.0, "amp_ghz": 0.02, "role": "pmp"})
    assert info.value.key == "role" and "stokes" in info.value.allowed


# ---------------------------------------------------------------- plot: object-oriented matplotlib
def test_plot_returns_a_figure_without_pyplot():
    code = textwrap.dedent("""
        import sys
        import matplotlib
        from matplotlib.figure import Figure
        import qbhw.pulse as qp
        backend = matplotlib.rcParams._get_backend_or_none()
        s = qp.align_left(qp.Play(qp.Gaussian(4.0, amp_ghz=0.02, sigma_ns=1.0), "d0"), qp.Delay(2.0, "d1"), name="x")
        fig = s.plot(dt_ns=2 / 9)
        assert isinstance(fig, Figure) and len(fig.axes) == 2, fig
        fig = s.plot(qp.load_device("transmon_qutrit_stirap"))
        assert isinstance(fig, Figure) and len(fig.axes) == 3
        assert "matplotlib.pyplot" not in sys.modules
        assert matplotlib.rcParams._get_backend_or_none() == backend
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
