"""The calibration routines share one contract: each is a protocol (parameters → acquire → analyse → plot) that
measures with finite, seeded shots, and its analysis returns exactly the record values its routine produces
(qbhw.devices.ROUTINES), each valid for a record (unit, routine name, interval containing the value). On the
``exact`` backend the device *is* its description, so the values recovered are the description's own: checked
here for the quantities the description defines (tolerance: the reported 95 % interval). Each routine's recovery
of hidden parameters is tested in tests/protocols/test_calibration_<routine>.py."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from qbhw import protocols
from qbhw.devices import ROUTINES, load
from qbhw.protocols import Data, Results

DEVICE = "transmon_qutrit_stirap"


@pytest.fixture(scope="module")
def exact_runs():
    """Every routine once on ``exact`` (seed 3), in the calibration order."""
    from qbhw.calibration import ROUTINE_ORDER

    return {name: protocols.get(name).acquire(protocols.get(name).Parameters(seed=3), "exact")
            for name in ROUTINE_ORDER}


@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_routine_contract(name, exact_runs):
    proto = protocols.get(name)
    data = exact_runs[name]
    assert data.curve is None and data.backend == "exact" and data.parameters.shots >= 1
    results = proto.analyse(data)
    assert set(results.updates) == set(ROUTINES[name]), results.notes
    values = results.values(run="runs/x")
    assert {v.routine for v in values} == {name} and all(v.run == "runs/x" for v in values)
    assert isinstance(proto.plot(data, results), Figure)
    d2 = Data.from_json(data.to_json())
    assert d2.parameters == data.parameters and np.array_equal(d2.raw["counts"], data.raw["counts"])
    r2 = Results.from_json(results.to_json())
    assert type(r2) is type(results) and r2.updates == results.updates


def test_exact_backend_recovers_the_descriptions_own_values(exact_runs):
    dev = load(DEVICE)
    expected = {"ef_freq_ghz": dev.transition_freq_ghz(1, 2), "freq_ghz": dev.freq_ghz,
                "t1_level1_ns": dev.t1_ns, "t1_level2_ns": dev.t1_ns / 2, "t2star_ns": dev.t2_ns}
    found = {}
    for name, data in exact_runs.items():
        found.update(protocols.get(name).analyse(data).updates)
    for q, value in expected.items():
        lo, hi = found[q]["ci95"]
        assert lo <= value <= hi, (q, found[q]["value"], (lo, hi), value)


def test_shots_are_required():
    from qbhw.errors import ConfigError

    for name in ROUTINES:
        with pytest.raises(ConfigError) as err:
            protocols.get(name).Parameters(shots=None)
        assert err.value.argument == "shots"
