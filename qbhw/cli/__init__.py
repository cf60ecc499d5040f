"""The ``qbhw`` command line: one subcommand per task, each in its own module of this package.

=====================  ==========================================================================
``qbhw demo``          charge example batteries and print their figures of merit (README's first command)
``qbhw run FILE``      run a protocol file (TOML) into a run directory (:mod:`qbhw.cli.runs`)
``qbhw resume DIR``    finish an interrupted run
``qbhw report DIR``    write a run's figures and summary page
``qbhw fit CSV``       fit a measured curve with a named model (:mod:`qbhw.cli.fit`)
``qbhw protocols``     the protocols, their parameters with units and defaults (:mod:`qbhw.cli.info`)
``qbhw backends``      what can run here: simulators, fake devices, IBM account, cross-check environment
``qbhw calibrate``     calibrate a (simulated) device: a new calibration record and a report (:mod:`qbhw.cli.calibrate`)
=====================  ==========================================================================

Exit status: 0 success; 2 bad input (the message on stderr names the argument, or the file, key and
line); 1 failure (a computation failed, a run finished incomplete). ``QBHW_DEBUG=1`` shows the
traceback of a failure.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from .. import __version__
from ..errors import QbhwError, StoreError, TruncationError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILURE", "EXIT_BAD_INPUT", "CommandFailed"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

#: errors raised while computing (not by the input): exit status 1
_FAILURES = (StoreError, TruncationError)


class CommandFailed(Exception):
    """A command ran but did not succeed (message printed, exit status 1)."""


def build_parser() -> argparse.ArgumentParser:
    from . import calibrate, demo, fit, info, runs

    parser = argparse.ArgumentParser(prog="qbhw", description="Quantum-battery toolkit (figures of merit, models, "
                                     "pulse-level and circuit simulations, fits).")
    parser.add_argument("--version", action="version", version=f"qbhw {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (demo, runs, fit, info, calibrate):
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit with status 2 (argparse)
    try:
        return int(args.func(args) or EXIT_OK)
    except CommandFailed as exc:
        print(f"qbhw: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except _FAILURES as exc:
        print(f"qbhw: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except QbhwError as exc:
        print(f"qbhw: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into a pager or `head` that closed early
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python would otherwise complain again on exit
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("qbhw: interrupted (a run directory keeps every point already done; qbhw resume DIR)",
              file=sys.stderr)
        return 130
    except Exception as exc:  # a bug or an environment problem: say what, keep the exit status honest
        if os.environ.get("QBHW_DEBUG"):
            traceback.print_exc()
        print(f"qbhw: failed: {type(exc).__name__}: {exc} (QBHW_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
