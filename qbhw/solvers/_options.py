"""Shared check of the extra keyword options that :func:`qbhw.charge` passes to a model's solver."""

from __future__ import annotations

from ..errors import ConfigError

__all__ = ["CURVE_OPTIONS", "check_curve_options"]

#: options every solver accepts from ``charge()`` (they only matter for models with a cut-off)
CURVE_OPTIONS = ("truncation_threshold", "on_truncation")


def check_curve_options(options: dict) -> None:
    """Raise :class:`~qbhw.errors.ConfigError` for options a cut-off-free solver does not know."""
    unknown = sorted(set(options) - set(CURVE_OPTIONS))
    if unknown:
        raise ConfigError(f"unexpected options {unknown}", argument="options",
                          allowed="ergotropy, space, method, variances, truncation_threshold, on_truncation")
