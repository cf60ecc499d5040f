"""The fit models ``qbhw fit --model NAME`` knows, by name (the CLI edge of :mod:`qbhw.fit`).

Each entry of :data:`FIT_MODELS` is a :class:`FitModelSpec`: a one-line description, the options of
the model's constructor (set on the command line with ``--set NAME=VALUE``; an option may default to
the single value of a column of the selected rows, e.g. ``n_qubits`` of the ibm_perth file), the
columns used for x, y and σ when ``--x/--y/--sigma`` are not given (the first that exists), and a
``build(options) -> lmfit.Model`` function.

Closed-form models (:mod:`qbhw.fit.models`): ``rabi_charging``, ``fock_charging``, ``star_pure``,
``damped_rabi``, ``star_high_temperature``, ``exponential_decay``, ``stretched_exponential_decay``,
``stirap_transfer``, ``power_law``. Theory-backed models (:mod:`qbhw.fit.theory`, the curve computed
by a qbhw solver): ``transverse_ising`` (the ibm_perth battery), ``dicke_coupling``,
``tavis_cummings_coupling``, ``star_battery``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import ConfigError, InvalidArgumentError

__all__ = ["ModelOption", "FitModelSpec", "FIT_MODELS", "model_names", "get_spec", "parse_option_value",
           "describe_models"]

#: spellings of booleans accepted by ``--set``
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
#: spellings of "no value" accepted by options that take one (``--set amplitude=free``)
_NONE = ("none", "free")

#: candidate columns shared by the charging-curve models
_TIME = ("t", "time", "times")
_ENERGY = ("energy", "E", "E_B", "work", "W")
_WORK = ("work", "W", "W_hw", "energy", "E")
_POLARIZATION = ("polarization", "sigma_z", "pol")
_GENERIC_SIGMA = ("sigma", "stderr", "sigma_shot_est")
_OBSERVABLES = ("energy", "work", "ergotropy", "polarization")


@dataclass(frozen=True)
class ModelOption:
    """One constructor option of a fit model (``--set NAME=VALUE``).

    Parameters
    ----------
    name:
        option name (snake_case; the keyword the model's constructor receives, unless ``build`` maps it).
    kind:
        ``"int"``, ``"float"``, ``"bool"`` or ``"choice"`` (one of ``choices``).
    help:
        what it is, with units.
    default:
        value when not set; ``None`` means "no value" (only if ``nullable``), :data:`REQUIRED` that it
        must be set (or come from ``column``).
    column:
        a column whose single value (over the selected rows) gives the option when not set.
    nullable:
        ``none``/``free`` is accepted and gives ``None`` (e.g. a free amplitude).
    choices:
        the allowed values of a ``"choice"`` option.
    """

    name: str
    kind: str
    help: str
    default: Any = None
    column: str | None = None
    nullable: bool = False
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def allowed(self) -> str:
        """The allowed values, in words."""
        base = {"int": "an integer", "float": "a real number", "bool": "true | false",
                "choice": " | ".join(self.choices)}[self.kind]
        return base + (" | none" if self.nullable else "")

    def show_default(self) -> str:
        if self.required:
            return "required" + (f", default: column {self.column!r}" if self.column else "")
        if self.default is None:
            text = "none"
        else:
            text = str(self.default).lower() if self.kind == "bool" else str(self.default)
        return text + (f" (or column {self.column!r})" if self.column else "")


class _Required:
    def __repr__(self) -> str:  # pragma: no cover - repr only
        return "REQUIRED"


#: marks an option without a default
REQUIRED = _Required()


@dataclass(frozen=True)
class FitModelSpec:
    """A fit model known by name.

    ``build(options)`` returns the lmfit model from the option values (every option of ``options``
    present, defaults filled in). ``x``/``y``/``sigma``: candidate default columns (the first present is
    used; for σ, ``<y>_stderr``, ``sigma_<y>`` and ``<y>_sigma`` are tried before these).
    ``single_case``: the model fits one curve, so a file with several values in its ``case`` column
    needs ``--where case=…``.
    """

    name: str
    description: str
    build: Callable[[Mapping[str, Any]], Any]
    options: tuple[ModelOption, ...] = ()
    x: tuple[str, ...] = _TIME
    y: tuple[str, ...] = _ENERGY
    sigma: tuple[str, ...] = _GENERIC_SIGMA
    single_case: bool = True
    theory: bool = False
    parameters: tuple[str, ...] = field(default=())

    def option(self, name: str) -> ModelOption:
        """The option called ``name`` (:class:`ConfigError` naming ``--set`` otherwise)."""
        for opt in self.options:
            if opt.name == name:
                return opt
        raise ConfigError(f"model {self.name!r} has no option {name!r}", argument="--set",
                          allowed=", ".join(o.name for o in self.options) or "no options for this model")


def parse_option_value(option: ModelOption, text: str) -> Any:
    """``text`` (from ``--set NAME=TEXT``) as the value of ``option``.

    Raises
    ------
    InvalidArgumentError
        naming ``--set`` and the option's allowed values when ``text`` does not read as one.
    """
    raw = text.strip()
    if option.nullable and raw.lower() in _NONE:
        return None
    try:
        if option.kind == "int":
            value = float(raw)
            if not value.is_integer():
                raise ValueError(raw)
            return int(value)
        if option.kind == "float":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
        if option.kind == "bool":
            if raw.lower() in _TRUE:
                return True
            if raw.lower() in _FALSE:
                return False
            raise ValueError(raw)
        if raw in option.choices:
            return raw
        raise ValueError(raw)
    except ValueError:
        raise InvalidArgumentError(f"{option.name}={text!r} is not valid", argument="--set",
                                   allowed=f"{option.name}=<{option.allowed()}>") from None


# ---------------------------------------------------------------------------------------------
# options shared by several models
def _offset(help_text: str = "fit an additive offset (fixed at 0 otherwise)") -> ModelOption:
    return ModelOption("offset", "bool", help_text, default=False)


def _contrast() -> ModelOption:
    return ModelOption("contrast", "bool", "free amplitude scale of the theory curve (readout contrast; fixed at 1 "
                       "otherwise)", default=False)


def _coupling_range(lo: float, hi: float) -> tuple[ModelOption, ...]:
    return (ModelOption("coupling_min", "float", "lower end of the initial-guess scan of the coupling "
                        "(energy units)", default=lo),
            ModelOption("coupling_max", "float", "upper end of the initial-guess scan of the coupling "
                        "(energy units)", default=hi))


def _theory_common(o: Mapping[str, Any]) -> dict[str, Any]:
    """``scale``/``offset`` keywords of the theory factories from the ``contrast``/``offset`` options."""
    return {"scale": None if o["contrast"] else 1.0, "offset": None if o["offset"] else 0.0}


def _range(o: Mapping[str, Any]) -> tuple[float, float]:
    lo, hi = float(o["coupling_min"]), float(o["coupling_max"])
    if not 0 < lo < hi:
        raise InvalidArgumentError(f"coupling_min={lo!r}, coupling_max={hi!r}", argument="--set",
                                   allowed="0 < coupling_min < coupling_max")
    return lo, hi


def _cavity_kwargs(o: Mapping[str, Any]) -> dict[str, Any]:
    return {"omega_c": o["omega_c"], "omega_0": o["omega_0"], "photons": o["photons"], "cutoff": o["cutoff"]}


_CAVITY_OPTIONS = (
    ModelOption("n_cells", "int", "number of two-level cells N", default=REQUIRED),
    ModelOption("observable", "choice", "what y is (energy above the ground state, work, ergotropy; energy "
                "units)", default="energy", choices=("energy", "work", "ergotropy")),
    ModelOption("omega_c", "float", "cavity frequency (energy units)", default=1.0),
    ModelOption("omega_0", "float", "cell splitting (energy units)", default=1.0),
    ModelOption("photons", "int", "initial photon number (default: N)", default=None, nullable=True),
    ModelOption("cutoff", "int", "photon cut-off of the Fock space (default: the model's)", default=None,
                nullable=True),
    *_coupling_range(0.01, 1.0),
    _contrast(), _offset(),
)


# ---------------------------------------------------------------------------------------------
# builders (imports inside, so that ``qbhw fit --list-models`` stays fast)
def _rabi(o):
    from ..fit import RabiChargingModel
    return RabiChargingModel(offset=o["offset"])


def _fock(o):
    from ..fit import FockChargingModel
    return FockChargingModel(o["n_photons"], offset=o["offset"])


def _star_pure(o):
    from ..fit import StarPureModel
    return StarPureModel(o["n_chargers"], offset=o["offset"])


def _damped_rabi(o):
    from ..fit import DampedRabiModel
    return DampedRabiModel(amplitude=o["amplitude"], offset=o["offset"])


def _star_high_temperature(o):
    from ..fit import StarHighTemperatureModel
    return StarHighTemperatureModel(o["n_chargers"], offset=o["offset"])


def _exponential_decay(o):
    from ..fit import ExponentialDecayModel
    return ExponentialDecayModel(floor=o["floor"])


def _stretched_exponential_decay(o):
    from ..fit import StretchedExponentialDecayModel
    return StretchedExponentialDecayModel(floor=o["floor"])


def _stirap_transfer(o):
    from ..fit import StirapTransferModel
    return StirapTransferModel()


def _power_law(o):
    from ..fit import PowerLawModel
    return PowerLawModel()


def _transverse_ising(o):
    from ..fit import transverse_ising_model
    return transverse_ising_model(o["n_qubits"], o["m_cells"], o["field"], field_in_charging=o["field_in_charging"],
                                  coupling_max=o["coupling_max"], scan_points=o["scan_points"], **_theory_common(o))


def _dicke(o):
    from ..fit import dicke_coupling_model
    return dicke_coupling_model(o["n_cells"], observable=o["observable"], coupling_range=_range(o),
                                **_theory_common(o), **_cavity_kwargs(o))


def _tavis_cummings(o):
    from ..fit import tavis_cummings_coupling_model
    return tavis_cummings_coupling_model(o["n_cells"], observable=o["observable"], coupling_range=_range(o),
                                         **_theory_common(o), **_cavity_kwargs(o))


def _star_battery(o):
    from ..fit import star_battery_model
    extra = {"omega_b": o["omega_b"]}
    if o["beta"] is not None:
        extra["beta"] = o["beta"]
    return star_battery_model(o["n_chargers"], initial=o["initial"], observable=o["observable"],
                              coupling_range=_range(o), **_theory_common(o), **extra)


# ---------------------------------------------------------------------------------------------
# the registry
_SPECS = (
    FitModelSpec("rabi_charging", "E(t) = amplitude sin^2(omega t) [+ offset]: Rabi/Fock charging of a two-level "
                 "cell (review Sec. III.B; Ferraro et al., PRL 120, 117702, 2018)", _rabi, (_offset(),),
                 parameters=("amplitude", "omega", "offset")),
    FitModelSpec("fock_charging", "E(t) = energy_max sin^2(g sqrt(n_photons) t): a cell charged by an n-photon "
                 "Fock state; fits the coupling g", _fock,
                 (ModelOption("n_photons", "int", "photon number n of the charger (>= 1)", default=1), _offset()),
                 parameters=("energy_max", "g", "offset")),
    FitModelSpec("star_pure", "p_e(t) = amplitude sin^2(J sqrt(N) t): star battery from a pure state; fits J "
                 "(n_chargers set) or J sqrt(N)", _star_pure,
                 (ModelOption("n_chargers", "int", "number of chargers N (none: fit j_sqrt_n = J sqrt(N))",
                              default=None, nullable=True), _offset()),
                 parameters=("amplitude", "coupling | j_sqrt_n", "offset")),
    FitModelSpec("damped_rabi", "E(t) = amplitude p_e(t; omega, T1, T2): Rabi charging with amplitude damping "
                 "T1 and dephasing T2 (Bloch equations)", _damped_rabi,
                 (ModelOption("amplitude", "float", "known amplitude omega_0 x contrast (energy units; none: free, "
                              "then fix t1 or t2)", default=1.0, nullable=True), _offset()),
                 parameters=("amplitude", "omega", "t1", "t2", "offset")),
    FitModelSpec("star_high_temperature", "amplitude <sigma_B^z>(t)/eps: NMR star battery at high temperature, "
                 "exact linear response for integer N; fits J", _star_high_temperature,
                 (ModelOption("n_chargers", "int", "number of chargers N (>= 1)", default=REQUIRED), _offset()),
                 y=_POLARIZATION + _ENERGY, parameters=("amplitude", "coupling", "offset")),
    FitModelSpec("exponential_decay", "E(t) = e0 exp(-t/tau) + e_inf: self-discharge", _exponential_decay,
                 (ModelOption("floor", "bool", "fit the floor e_inf (fixed at 0 otherwise)", default=True),),
                 parameters=("e0", "tau", "e_inf")),
    FitModelSpec("stretched_exponential_decay", "E(t) = e0 exp(-(t/tau)^beta) + e_inf: stretched (beta < 1) or "
                 "compressed self-discharge", _stretched_exponential_decay,
                 (ModelOption("floor", "bool", "fit the floor e_inf (fixed at 0 otherwise)", default=True),),
                 parameters=("e0", "tau", "beta", "e_inf")),
    FitModelSpec("stirap_transfer", "P(x) = p_max (1 - exp(-(x/x_c)^k)): STIRAP transfer against the pulse area "
                 "x = Omega_0 tau (phenomenological saturation; review Sec. IV.B)", _stirap_transfer,
                 x=("x", "pulse_area", "area"),
                 y=("transfer", "p", "population", "P", "y"), parameters=("p_max", "x_c", "k")),
    FitModelSpec("power_law", "y = prefactor n^exponent: scaling of a figure of merit with the size n "
                 "(several sizes, so no single case)", _power_law, x=("n", "N", "n_cells", "size"),
                 y=("y", "power", "max_average_power", "energy"), single_case=False,
                 parameters=("prefactor", "exponent")),
    FitModelSpec("transverse_ising", "W(t) of the transverse-field Ising battery H = J sum X_i X_i+1 + h sum Z_i "
                 "(open chain from |0..0>, battery = first m_cells qubits; the ibm_perth experiment, "
                 "arXiv:2308.03334); fits |J| (theory-backed)", _transverse_ising,
                 (ModelOption("n_qubits", "int", "chain length N (>= 2)", default=REQUIRED, column="n_qubits"),
                  ModelOption("m_cells", "int", "battery qubits M (1..N)", default=REQUIRED, column="m_cells"),
                  ModelOption("field", "float", "transverse field h (energy units; the ibm_perth file: -0.6)",
                              default=REQUIRED),
                  ModelOption("field_in_charging", "bool", "keep h sum Z_i while charging (false: the two-qubit "
                              "XX case)", default=True),
                  ModelOption("coupling_max", "float", "upper end of the |J| scan of the initial guess (energy "
                              "units; none: the sampling limit pi/(2 dt_min))", default=None, nullable=True),
                  ModelOption("scan_points", "int", "points of that scan", default=600),
                  _contrast(), _offset()),
                 y=_WORK, sigma=("sigma_shot_est",) + _GENERIC_SIGMA, theory=True,
                 parameters=("coupling_abs", "scale", "offset")),
    FitModelSpec("dicke_coupling", "energy/work/ergotropy of a Dicke battery (N cells in a cavity, Ferraro et al. "
                 "2018); fits the coupling g (theory-backed)", _dicke, _CAVITY_OPTIONS, theory=True,
                 parameters=("coupling", "scale", "offset")),
    FitModelSpec("tavis_cummings_coupling", "energy/work/ergotropy of a Tavis-Cummings battery (rotating-wave "
                 "Dicke); fits the coupling g (theory-backed)", _tavis_cummings, _CAVITY_OPTIONS, theory=True,
                 parameters=("coupling", "scale", "offset")),
    FitModelSpec("star_battery", "energy or polarisation of a star battery (N chargers around one cell, Joshi & "
                 "Mahesh 2022) by its exact solver; fits J (theory-backed)", _star_battery,
                 (ModelOption("n_chargers", "int", "number of chargers N (>= 1)", default=REQUIRED),
                  ModelOption("initial", "choice", "initial state of the chargers", default="pure",
                              choices=("pure", "thermal", "high_temperature")),
                  ModelOption("observable", "choice", "what y is (none: energy for pure, polarization otherwise)",
                              default=None, nullable=True, choices=_OBSERVABLES),
                  ModelOption("omega_b", "float", "battery splitting (energy units)", default=1.0),
                  ModelOption("beta", "float", "inverse temperature of initial=thermal (1/energy units)",
                              default=None, nullable=True),
                  *_coupling_range(0.01, 3.0), _contrast(), _offset()),
                 y=_ENERGY + _POLARIZATION, theory=True, parameters=("coupling", "j_sqrt_n", "scale", "offset")),
)

#: name → spec of every model ``qbhw fit`` knows
FIT_MODELS: dict[str, FitModelSpec] = {spec.name: spec for spec in _SPECS}


def model_names() -> list[str]:
    """Names of the registered fit models, in registry order."""
    return list(FIT_MODELS)


def get_spec(name: str) -> FitModelSpec:
    """The spec called ``name``; :class:`ConfigError` naming ``--model`` and listing the models otherwise."""
    if name not in FIT_MODELS:
        raise ConfigError(f"unknown fit model {name!r} (qbhw fit --list-models describes them)", argument="--model",
                          allowed=", ".join(FIT_MODELS))
    return FIT_MODELS[name]


def describe_models() -> str:
    """A text listing of every model: name, description, options with defaults, default columns."""
    lines = []
    for spec in FIT_MODELS.values():
        lines.append(f"{spec.name}")
        lines.append(f"    {spec.description}")
        lines.append(f"    parameters: {', '.join(spec.parameters)}")
        if spec.options:
            opts = "; ".join(f"{o.name}={o.show_default()}" for o in spec.options)
            lines.append(f"    --set: {opts}")
        lines.append(f"    default columns: x from {', '.join(spec.x)}; y from {', '.join(spec.y)}")
    return "\n".join(lines)
