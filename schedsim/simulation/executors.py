"""Where simulation tasks run: in this process (``Serial``), in worker processes on this machine (``Processes``), or
on Dask distributed (``DaskCluster``: a LocalCluster of N workers, or an existing scheduler). ``simulate`` and
``sweep`` hand their tasks to one of them; results come back in task order whatever runs them, so the files do not
depend on the executor.

>>> list(Serial().imap(abs, [-2, 3]))
[2, 3]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from schedsim.errors import InputError, Problem


class Executor(Protocol):
    def imap(self, function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        """``function`` of each item, yielded in the items' order as they are ready."""
        ...


class Serial:
    def imap(self, function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        return (function(item) for item in items)


@dataclass
class Processes:
    """Worker processes on this machine; ``initializer(*initargs)`` runs once in each (to compile a protocol once)."""

    workers: int
    initializer: Callable[..., None] | None = None
    initargs: tuple[Any, ...] = field(default_factory=tuple)

    def imap(self, function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        with ProcessPoolExecutor(max_workers=min(self.workers, len(items)) or 1, initializer=self.initializer,
                                 initargs=self.initargs) as pool:
            try:
                yield from pool.map(function, items)
            except BaseException:  # interrupted or killed: the workers stop too, none is left running
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                raise


@dataclass
class DaskCluster:
    """Dask distributed: a LocalCluster of ``workers`` processes (one thread each), or the scheduler at
    ``scheduler`` (``tcp://host:8786``), whose workers must see the same files."""

    workers: int = 1
    scheduler: str | None = None

    def imap(self, function: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[Any]:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError(Problem("--workers", None, "", "running on Dask needs dask[distributed]: install "
                                                            "schedsim[sweep] (or leave out --workers)")) from None
        cluster = None
        try:
            if self.scheduler is None:
                cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
            try:
                client = Client(cluster if cluster is not None else self.scheduler, timeout="15s")
            except (OSError, ValueError, TypeError) as error:  # unreachable, or not an address at all
                raise InputError(Problem("--scheduler", None, "", f"cannot reach the Dask scheduler at "
                                                                  f"{self.scheduler!r} (an address such as "
                                                                  f"tcp://host:8786): {error}")) from None
            with client:
                futures = client.map(function, list(items), pure=False)
                for future in futures:
                    yield future.result()
        finally:
            if cluster is not None:
                cluster.close()
