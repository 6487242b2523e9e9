"""Work done in a forked child while the build goes on, its result read back through a pipe.

A forked child starts with the parent's memory as it is, so the spec and the model are
shared, not copied or pickled; only the result comes back. No thread is involved in
the parent (a fork beside running threads can deadlock), and where there is no fork
(Windows) the work is simply done in line when its result is asked for.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ChildFailed(Exception):
    """The child died or raised; the caller may do the work itself instead."""


class Forked(Generic[T]):
    """`work()` run in a forked child from now on; `result()` waits for its value."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._process = self._receive = None
        self.in_line = True  # until a child runs it
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this system: result() does the work in line
            return
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(work, send), daemon=True)
        try:
            process.start()
        except OSError:  # no process to spare: result() does the work in line
            receive.close()
            send.close()
            return
        send.close()
        self._process, self._receive = process, receive
        self.in_line = False

    def ready(self, timeout: float | None) -> bool:
        """Whether the result is there, waiting up to `timeout` seconds for it."""
        if self.in_line or self._receive is None:
            return True
        return bool(multiprocessing.connection.wait([self._receive], timeout))

    def result(self) -> T:
        if self.in_line:
            return self._work()
        if self._receive is None:
            raise ChildFailed("the child was stopped before it answered")
        try:
            ok, value = self._receive.recv()
        except (EOFError, OSError):
            raise ChildFailed(f"the child exited with status {self._process.exitcode}") from None
        finally:
            self.close()
        if not ok:
            raise ChildFailed(value)
        return value

    def close(self) -> None:
        """Stop the child if it still runs (a build that failed or was interrupted)."""
        if self._receive is not None:
            self._receive.close()
            self._receive = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None


def _child(work: Callable[[], object], send: multiprocessing.connection.Connection) -> None:
    try:
        outcome = (True, work())
    except BaseException:  # noqa: BLE001 (everything goes back to the parent as text)
        outcome = (False, traceback.format_exc(limit=-3))
    try:
        send.send(outcome)
    finally:
        send.close()
