# Data folder, no code. pyproject.toml maps this folder to the package "qbhw._data.backends" so that
# the JSON files ship in the wheel and are read with importlib.resources. This file is needed for an editable install
# (pip install -e ., the README/CI path): setuptools' editable finder maps a folder to a package name only when it
# holds an __init__.py (checked with setuptools 84 on Python 3.11: as a namespace package, "qbhw._data.backends" is
# not importable in editable mode, since its parent qbhw._data is a regular package searched only under qbhw/).
