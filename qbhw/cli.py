"""Command-line interface: ``qbhw demo`` and friends."""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .errors import QbhwError


def _cmd_demo(args) -> int:
    from .demo import run_demo

    report = run_demo(quick=args.quick, out=None if args.json else sys.stdout)
    if args.json:
        json.dump(report, sys.stdout, indent=2, default=float)
        sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qbhw", description="Quantum-battery toolkit (figures of merit, models, "
                                     "pulse-level and circuit simulations, fits).")
    parser.add_argument("--version", action="version", version=f"qbhw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="charge example batteries and print their figures of merit")
    demo.add_argument("--quick", action="store_true", help="smaller sizes (a few seconds)")
    demo.add_argument("--json", action="store_true", help="print the report as JSON")
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except QbhwError as exc:
        print(f"qbhw: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
