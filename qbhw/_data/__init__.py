"""Data shipped with qbhw. ``pyproject.toml`` maps the repository's ``backends/`` (device definitions) and
``calibrations/`` (calibration records) to the packages ``qbhw._data.backends`` and ``qbhw._data.calibrations``;
read them with :mod:`qbhw.devices` (``importlib.resources``), never by path."""
