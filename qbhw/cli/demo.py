"""``qbhw demo``: the main demo (README's first command).

``qbhw demo`` prints the figures of merit of example batteries; ``--quick`` uses smaller sizes; ``--json``
prints the report as JSON instead (:func:`qbhw.demo.run_demo`: ``"format": "qbhw-demo/1"``, the qbhw
``"version"``, ``"units"``; the same bytes on every run with the same arguments); ``--out DIR`` also writes
the demo's figures as PNG files into ``DIR`` and prints their paths (on stderr with ``--json``, so that
stdout stays JSON).
"""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    demo = sub.add_parser("demo", help="charge example batteries and print their figures of merit")
    demo.add_argument("--quick", action="store_true", help="smaller sizes (a few seconds)")
    demo.add_argument("--json", action="store_true", help="print the report as JSON (format qbhw-demo/1)")
    demo.add_argument("--out", metavar="DIR", default=None, help="also write the demo's figures (PNG) into DIR")
    demo.set_defaults(func=run_command)


def run_command(args) -> int:
    from pathlib import Path

    from ..demo import run_demo, write_figures
    from ..errors import ConfigError

    if args.out is not None and Path(args.out).exists() and not Path(args.out).is_dir():
        raise ConfigError(f"{args.out} exists and is not a directory", argument="--out",
                          allowed="a directory (created when missing)")
    figures = {} if args.out is not None else None
    report = run_demo(quick=args.quick, out=None if args.json else sys.stdout, figures=figures)
    if args.json:
        json.dump(report, sys.stdout, indent=2, default=float)
        sys.stdout.write("\n")
    if figures is not None:
        stream = sys.stderr if args.json else sys.stdout
        if not args.json:
            stream.write("\nfigures:\n")
        for path in write_figures(figures, args.out):
            stream.write(f"{path}\n")
    return 0
