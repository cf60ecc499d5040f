"""The device description a calibration-routine test starts from when a dependency of the routine is not what the
test checks: the definition overlaid with a calibration record built from the hidden truth of a
:class:`~qbhw.backends.simulated.SimulatedTransmon` (imported by name: pytest puts this folder on ``sys.path``, as
the folder has no ``__init__.py``).

What goes into the record is chosen per test, and each test module's docstring says which:

* ``freq_ghz`` (ν) and ``ef_freq_ghz`` (ν + α) of the true device;
* the π amplitudes ``pi_amp_01_ghz`` / ``pi_amp_12_ghz`` of the default Gaussian (σ = 6 ns, 24 ns window, no DRAG),
  found by optimising on the true device with ``backend._player(True)`` (its drive gain, T1 and Tφ applied, no
  readout errors), the pulses built on the description overlaid with the frequencies above (the definition's
  carriers where they are not recorded):
  ``a_π(0→1) = argmax P₁`` after the pulse (``pi_01="upper"``) or ``argmax (1 − P₀)`` (``pi_01="excited"``, the
  criterion by which ``stirap_tuneup`` estimates the drive gain), and ``a_π(1→2) = argmax P₂`` after that 0→1 π
  pulse and the 1→2 pulse (what :func:`qbhw.protocols._calibration.prepare` plays for |2⟩); bounded search in
  ``[0.75, 1.3] · s_π / g`` (``s_π``: :func:`~qbhw.protocols._calibration.nominal_pi_amp`, ``g`` the true gain;
  the level shifts of the transmon move the optimum by a few per cent), to ``1e-8`` GHz;
* the true readout assignment matrix, the T1 of each level, T2* = 1/(1/(2 T1) + 1/Tφ) (``Device.t2_ns``);
* ``extra``: further record values as given (e.g. a deliberately wrong ``drag_beta_ns`` that centres a sweep),
  added after the π amplitudes are found.

The calibration experiments these values stand for: Krantz et al., Appl. Phys. Rev. 6, 021318 (2019), Sec. V; the
transmon: Koch et al., Phys. Rev. A 76, 042319 (2007); review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024),
Sec. VI.A.
"""

from __future__ import annotations

from scipy.optimize import minimize_scalar

from qbhw.devices import CalibrationRecord, CalibrationValue, apply_calibration, definition_fingerprint
from qbhw.errors import InvalidArgumentError
from qbhw.protocols._calibration import make_value, nominal_pi_amp, pi_pulse, pi_settings

__all__ = ["truth_description", "true_pi_amp"]

#: search interval of a true π amplitude, in units of the rotating-wave estimate over the true gain
PI_SEARCH = (0.75, 1.3)
#: absolute tolerance of the search (GHz)
PI_XATOL_GHZ = 1e-8


def true_pi_amp(backend, device, transition: str, *, shape: dict, before=(), level: int | None = None) -> float:
    """The amplitude (GHz) of the plain Gaussian π pulse ``shape`` on ``transition``, built on ``device``, that
    maximises the population of ``level`` (default: the transition's upper level; ``0`` means ``1 − P₀``) after the
    built signals ``before`` and the pulse, played on the true device of ``backend`` (``backend._player(True)``)."""
    player = backend._player(True)
    upper = int(transition[1]) if level is None else int(level)
    a0 = nominal_pi_amp(device, transition, **shape) / backend._truth.drive_gain

    def loss(a):
        pops = player.populations([[*before, pi_pulse(device, transition, amp_ghz=float(a), drag=False,
                                                      shape=shape).build(device)]])[0]
        return pops[0] if upper == 0 else -pops[upper]

    return float(minimize_scalar(loss, bounds=(PI_SEARCH[0] * a0, PI_SEARCH[1] * a0), method="bounded",
                                 options={"xatol": PI_XATOL_GHZ}).x)


def truth_description(backend, *, freq: bool = False, ef_freq: bool = False, pi_amps=("01",), pi_01: str = "upper",
                      assignment: bool = False, t1: bool = False, t2star: bool = False, extra: dict | None = None):
    """``backend.device`` (the definition) overlaid with a record of ``backend``'s hidden truth (see the module
    docstring): ``freq``/``ef_freq`` the true ν / ν + α (GHz); ``pi_amps`` the transitions (``"01"``, ``"12"``)
    whose π amplitude is optimised on the true device (``"12"`` needs ``"01"``: its preparation), ``pi_01``
    ``"upper"`` (max P₁) or ``"excited"`` (max 1 − P₀); ``assignment`` the true readout matrix; ``t1`` the T1 of
    each level (ns); ``t2star`` the true T2* (ns); ``extra`` further values ``{name: value}`` (validated by
    :data:`qbhw.devices.QUANTITIES`)."""
    pi_amps = tuple(pi_amps)
    if "12" in pi_amps and "01" not in pi_amps:
        raise InvalidArgumentError(f"got {pi_amps!r}", argument="pi_amps",
                                   allowed="'01' with '12' (the 1→2 π amplitude is found after the 0→1 π pulse)")
    if pi_01 not in ("upper", "excited"):
        raise InvalidArgumentError(f"got {pi_01!r}", argument="pi_01", allowed="'upper' | 'excited'")
    definition, truth = backend.device, backend._truth
    true = truth.device
    values = {}
    if freq:
        values["freq_ghz"] = true.freq_ghz
    if ef_freq:
        values["ef_freq_ghz"] = true.transition_freq_ghz(1, 2)
    if t1:
        values.update({f"t1_level{k}_ns": v for k, v in enumerate(true.t1_ns, start=1)})
    if t2star:
        values["t2star_ns"] = true.t2_ns
    if assignment:
        values["readout_assignment"] = truth.readout_assignment
    record = CalibrationRecord(definition.name, definition_fingerprint(definition),
                               {k: make_value(k, v) for k, v in values.items()})
    device = apply_calibration(definition, record) if values else definition  # the carriers the pulses are built on
    shape = pi_settings(definition, "01")
    amps = {}
    if "01" in pi_amps:
        amps["01"] = true_pi_amp(backend, device, "01", shape=shape, level=0 if pi_01 == "excited" else None)
    if "12" in pi_amps:
        prep = pi_pulse(device, "01", amp_ghz=amps["01"], drag=False, shape=shape).build(device)
        amps["12"] = true_pi_amp(backend, device, "12", shape=shape, before=[prep])
    new = [CalibrationValue.from_dict(f"pi_amp_{tr}_ghz", make_value(f"pi_amp_{tr}_ghz", a,
                                                                      settings={**shape, "shape": "gaussian"}))
           for tr, a in amps.items()]
    new += [CalibrationValue.from_dict(k, make_value(k, v)) for k, v in (extra or {}).items()]
    return apply_calibration(definition, record.updated(new))
