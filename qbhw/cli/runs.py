"""``qbhw run FILE``, ``qbhw resume DIR``, ``qbhw report DIR``: protocol files into run directories.

``qbhw run`` validates the whole protocol file first (:mod:`qbhw.protocol_file`) — a bad file exits with
status 2 and leaves any existing ``--out`` directory untouched — then runs it with :func:`qbhw.run`
(a progress bar on stderr), prints where the run lives and a line per point, and exits 0 when every
point is done, 1 when some failed (``qbhw resume DIR`` retries them). Running the same file again into
the same directory resumes it; a directory holding another run is refused (status 2).

Executors: ``--workers N`` runs points in N processes (a ``forkserver`` pool, safe after Aer/OpenMP),
``--executor dask://HOST:PORT`` on a Dask cluster (extra ``qbhw[cluster]``).
"""

from __future__ import annotations

import contextlib
import math
import sys
from pathlib import Path

from ..errors import ConfigError
from . import CommandFailed

#: the figure of merit printed per point, first one present wins
_SUMMARY_FIELDS = ("max_average_power", "final_energy", "final_work", "final_ergotropy")


def register(sub) -> None:
    run = sub.add_parser("run", help="run a protocol file (TOML) into a run directory",
                         description="Run a protocol file: validate it, run every point of its sweep into a "
                                     "run directory (resumable), print where the run lives.")
    run.add_argument("file", metavar="PROTOCOL.toml", help="the protocol file (see examples/*.toml)")
    run.add_argument("--backend", metavar="NAME", help="override the file's backend (exact, pulse, aer, "
                     "aer:density_matrix, fake:<device>, ibm:<device>)")
    run.add_argument("--out", metavar="DIR", help="run directory (default: runs/<file name>)")
    _executor_arguments(run)
    run.add_argument("--no-wait", action="store_true", help="hardware: return after submitting the jobs")
    run.add_argument("--no-figures", action="store_true", help="do not draw a figure per point")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=run_command)

    resume = sub.add_parser("resume", help="finish an interrupted run (nothing done is recomputed)")
    resume.add_argument("dir", metavar="DIR", help="the run directory")
    _executor_arguments(resume)
    resume.add_argument("--no-wait", action="store_true", help="hardware: return after submitting the jobs")
    resume.add_argument("--quiet", action="store_true", help="no progress bar")
    resume.set_defaults(func=resume_command)

    report = sub.add_parser("report", help="write a run's figures and summary page (HTML)")
    report.add_argument("dir", metavar="DIR", help="the run directory")
    report.add_argument("--out", metavar="PATH", help="report directory (default: DIR/report)")
    report.set_defaults(func=report_command)


def _executor_arguments(parser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=int, metavar="N", help="run points in N worker processes")
    group.add_argument("--executor", metavar="URL", help="dask://HOST:PORT: run points on a Dask cluster")


@contextlib.contextmanager
def executor_from_args(args):
    """The executor ``--workers``/``--executor`` ask for (``None``: serially in this process)."""
    if getattr(args, "workers", None) is not None:
        if args.workers < 1:
            raise ConfigError(f"got {args.workers}", argument="--workers", allowed="an integer >= 1")
        if args.workers == 1:
            yield None
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
            yield pool
        return
    url = getattr(args, "executor", None)
    if url is None:
        yield None
        return
    if not url.startswith("dask://") or len(url) <= len("dask://"):
        raise ConfigError(f"got {url!r}", argument="--executor", allowed="dask://HOST:PORT")
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("Dask's distributed is not installed", argument="--executor",
                          allowed="pip install 'qbhw[cluster]', or --workers N") from None
    address = "tcp://" + url[len("dask://"):]
    try:
        client = Client(address, timeout="10s")
    except OSError as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address} ({exc})", argument="--executor",
                          allowed="the address of a running dask scheduler") from None
    with client:
        yield client.get_executor()


def _value(v) -> str:
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.6g}"
    return repr(v) if isinstance(v, str) else str(v)


def print_run(run, out=None) -> None:
    """The run's place, status and one line per point (swept values, status, a figure of merit, the fit)."""
    out = sys.stdout if out is None else out
    done = sum(p.status == "done" for p in run.points)
    print(f"run: {run.path}", file=out)
    print(f"protocol {run.protocol} on {run.backend}: {run.status}, {done}/{len(run.points)} points done", file=out)
    swept = list(run.sweep)
    for point, results in zip(run.points, run.analysis):
        values = ", ".join(f"{k}={_value(getattr(point.parameters, k, None))}" for k in swept)
        parts = [f"  [{point.index}]", values, point.status]
        if results is not None:
            for name in _SUMMARY_FIELDS:
                v = getattr(results, name, None)
                if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v)):
                    parts.append(f"{name}={_value(v)}")
                    break
            fit = getattr(results, "fit", None)
            if fit is not None:
                pars = ", ".join(f"{k}={p.value:.5g}" for k, p in fit.parameter_estimates.items() if p.vary)
                parts.append(f"fit: {pars} ({fit.quality})")
        if point.error:
            parts.append(f"error: {point.error.splitlines()[0]}")
        print("  ".join(p for p in parts if p), file=out)


def _finish(run) -> int:
    print_run(run)
    if run.status == "done":
        print(f"report: qbhw report {run.path}")
        return 0
    if run.status == "submitted":
        print(f"jobs submitted; collect them with: qbhw resume {run.path}")
        return 0
    raise CommandFailed(f"run {run.path} is {run.status}; qbhw resume {run.path} retries the points not done")


def run_command(args) -> int:
    import warnings

    from ..protocol_file import default_out, load_protocol_file
    from ..runs import RunIncompleteWarning

    pf = load_protocol_file(args.file, backend=args.backend)  # everything checked before any directory is touched
    out = Path(args.out) if args.out else default_out(pf)
    print(f"{pf.protocol} on {pf.backend}: {pf.grid_size} point{'s' if pf.grid_size != 1 else ''} → {out}",
          file=sys.stderr)
    with executor_from_args(args) as executor, warnings.catch_warnings():
        warnings.simplefilter("ignore", RunIncompleteWarning)  # reported below, with the exit status
        run = pf.run(out=out, executor=executor, progress=not args.quiet, wait=not args.no_wait,
                     figures=not args.no_figures)
    return _finish(run)


def resume_command(args) -> int:
    import warnings

    from ..runs import RunIncompleteWarning, resume

    with executor_from_args(args) as executor, warnings.catch_warnings():
        warnings.simplefilter("ignore", RunIncompleteWarning)
        run = resume(args.dir, executor=executor, progress=not args.quiet, wait=not args.no_wait)
    return _finish(run)


def report_command(args) -> int:
    from ..runs import load_run

    run = load_run(args.dir)
    page = run.report(args.out)
    print_run(run)
    figures = sorted(p.name for p in Path(page).parent.glob("*.png"))
    print(f"report: {page} ({len(figures)} figure{'s' if len(figures) != 1 else ''})")
    return 0
