"""A second process for the work that can run beside the main one.

Validating a spec takes longer than modelling it; a build of several versions also runs
one version's engine while the main process renders the next. The helper is forked once
every spec is loaded, so it inherits the documents (nothing is pickled); what it is
asked afterwards (an engine run) needs only paths and strings. Where fork is not
available, or the helper dies, the same work is done in line.

The helper validates the specs one after another, in their order, and each takes from
the ones before it the schema checks that are the same (sharedfindings.py).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .engines import run_engine
from .postbuild import finish_site
from .segment import quiet_jieba
from .problems import Problem
from .sharedfindings import SharedFindings
from .validate import validate

_DOCUMENTS: list[dict] = []  # what the forked helper validates, by index
_FINDINGS = SharedFindings()  # what the specs validated so far found, for the next


def _validate_forked(index: int) -> list[Problem]:
    return validate(_DOCUMENTS[index], shared=_FINDINGS, keep=index < len(_DOCUMENTS) - 1)


def build_html(engine: str, config_file: Path, slots: dict[str, dict[str, str]],
               head_scripts: tuple[str, ...], not_found: str = "404 - Not found") -> tuple[int, list[str]]:
    """The engine's run over a staged project, then the finishing pass over its pages:
    how many pages, and the warnings of both. The site goes to the project's `site/`."""
    with quiet_jieba(config_file.parent) if (config_file.parent / "jieba-dict.txt").is_file() else contextlib.nullcontext():
        warnings = run_engine(engine, config_file)
    pages, dropped = finish_site(config_file.parent / "site", slots, head_scripts, not_found)
    return pages, warnings + dropped


class Helper:
    """One forked helper process; `documents` are what `validate(index)` may be asked for."""

    def __init__(self, documents: list[dict]) -> None:
        global _DOCUMENTS, _FINDINGS
        _DOCUMENTS = documents  # inherited by the child at its fork, on the first submit
        _FINDINGS = SharedFindings()
        self.documents = documents
        self.futures: list[concurrent.futures.Future] = []
        try:
            self.pool: concurrent.futures.ProcessPoolExecutor | None = concurrent.futures.ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("fork"))
        except (ValueError, OSError):  # no fork here: everything in line
            self.pool = None

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        # after an error, a validation still running is not waited for (it writes nothing)
        self.close(wait=exc_type is None)

    def close(self, wait: bool) -> None:
        """Stop the helper; queued work is dropped. `wait` for the running task (an engine
        writing into a staging folder must be done before that folder is removed)."""
        if self.pool is not None:
            self.pool.shutdown(wait=wait, cancel_futures=True)
            self.pool = None

    def validate(self, index: int) -> concurrent.futures.Future:
        """The validator's problems in `documents[index]`, found in the helper."""
        return self.submit(_validate_forked, index)

    def idle(self) -> bool:
        """Whether everything asked of the helper so far is done."""
        return all(future.done() for future in self.futures)

    def submit(self, function: Callable, *args: object) -> concurrent.futures.Future:
        if self.pool is None:
            return done(function(*args))
        future = self.pool.submit(function, *args)
        self.futures.append(future)
        return future

    @staticmethod
    def result(future: concurrent.futures.Future, function: Callable, *args: object):
        """`future`'s result; the same work done in line when the helper died on it."""
        try:
            return future.result()
        except BrokenProcessPool:
            return function(*args)


def done(value: object) -> concurrent.futures.Future:
    """A future that already holds `value` (work done in line)."""
    future: concurrent.futures.Future = concurrent.futures.Future()
    future.set_result(value)
    return future
