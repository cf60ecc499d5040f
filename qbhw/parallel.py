"""Running independent tasks on any :class:`concurrent.futures.Executor`, with a progress bar.

One code path serves a laptop and a cluster: ``executor=None`` runs the tasks one after the other in
this process; a :class:`concurrent.futures.ProcessPoolExecutor`, a Dask ``Client.get_executor()``
(``dask.distributed``) or mpi4py's ``MPIPoolExecutor`` plug in unchanged, because all of them
implement ``submit`` and return futures that :func:`concurrent.futures.as_completed` understands. The
function and its arguments must then be picklable (module-level functions, plain data).

Results are yielded as they finish, each with the index of its task, so that the caller can record
each one as soon as it exists (:mod:`qbhw.runs` commits every point before the next one arrives).
"""

from __future__ import annotations

import concurrent.futures as cf
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .errors import ConfigError

__all__ = ["SerialExecutor", "check_executor", "map_ordered", "progress_bar", "run_tasks"]


class SerialExecutor(cf.Executor):
    """Runs each task at ``submit`` in the calling process (the default executor).

    Exceptions are stored in the returned future, exactly as a pool would deliver them.
    """

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        future: cf.Future = cf.Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            future.set_exception(exc)
        return future


def check_executor(executor) -> cf.Executor:
    """The executor to use (``None`` → :class:`SerialExecutor`); anything else must have ``submit``."""
    if executor is None:
        return SerialExecutor()
    if not callable(getattr(executor, "submit", None)):
        raise ConfigError(f"got {type(executor).__name__}", argument="executor",
                          allowed="None or a concurrent.futures.Executor (ProcessPoolExecutor, "
                                  "dask Client.get_executor(), mpi4py MPIPoolExecutor)")
    return executor


def progress_bar(total: int, *, desc: str, enabled: bool = True, initial: int = 0):
    """A tqdm bar on stderr (a no-op object when ``enabled`` is False)."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc=desc, unit="pt", file=sys.stderr, dynamic_ncols=True)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str) -> None:
        pass

    def close(self) -> None:
        pass


def run_tasks(fn: Callable[..., Any], tasks: Sequence[tuple[int, tuple]], *, executor=None, progress: bool = True,
              desc: str = "qbhw", total: int | None = None, initial: int = 0) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, fn(*args))`` for every ``(index, args)`` in ``tasks`` as each finishes.

    With the serial default each task runs when its turn comes (so a caller that stores each result
    before asking for the next loses at most the running task when killed). With a pool all tasks are
    submitted first and collected with :func:`concurrent.futures.as_completed`. An exception of a task
    is raised when its result is reached; pending tasks are then cancelled.
    """
    ex = check_executor(executor)
    bar = progress_bar(len(tasks) if total is None else total, desc=desc, enabled=progress, initial=initial)
    try:
        if isinstance(ex, SerialExecutor):
            for index, args in tasks:
                result = ex.submit(fn, *args).result()
                bar.update(1)
                yield index, result
            return
        futures = {ex.submit(fn, *args): index for index, args in tasks}
        try:
            for future in cf.as_completed(futures):
                result = future.result()
                bar.update(1)
                yield futures[future], result
        finally:
            for future in futures:
                future.cancel()
    finally:
        bar.close()


def map_ordered(fn: Callable[..., Any], items: Iterable[Any], *, executor=None, progress: bool = False,
                desc: str = "qbhw") -> list[Any]:
    """``[fn(item) for item in items]`` through ``executor`` (results in the order of ``items``)."""
    items = list(items)
    out: list[Any] = [None] * len(items)
    for index, result in run_tasks(fn, [(k, (item,)) for k, item in enumerate(items)], executor=executor,
                                   progress=progress, desc=desc):
        out[index] = result
    return out
