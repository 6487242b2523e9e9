"""Work in forked children: the value comes back, a failure is said, and the build does
the work itself when a child cannot."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time

import pytest

from generator.forks import ChildFailed, Forked
from generator.pipeline import Options, build

forks = importlib.import_module("generator.forks")


def test_the_value_comes_back_from_the_child() -> None:
    parent = os.getpid()
    child = Forked(lambda: (os.getpid(), {"pages": "x" * 300_000}))  # larger than a pipe's buffer
    pid, value = child.result()
    assert pid != parent and value == {"pages": "x" * 300_000}


def test_a_raise_in_the_child_is_a_failure_with_its_reason() -> None:
    def broken() -> None:
        raise ValueError("no such schema")

    with pytest.raises(ChildFailed, match="no such schema"):
        Forked(broken).result()


def test_a_child_that_dies_is_a_failure() -> None:
    with pytest.raises(ChildFailed, match="exited"):
        Forked(lambda: os._exit(3)).result()


def test_ready_waits_no_longer_than_asked_and_close_stops_the_child() -> None:
    child = Forked(lambda: time.sleep(60))
    started = time.perf_counter()
    assert child.ready(0.2) is False
    assert time.perf_counter() - started < 5
    process = child._process
    child.close()
    assert not process.is_alive()
    with pytest.raises(ChildFailed):
        child.result()


def test_without_fork_the_work_is_done_in_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork(method: str):  # noqa: ANN202 (Windows has no fork)
        raise ValueError(f"cannot find context for {method!r}")

    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    child = Forked(os.getpid)
    assert child.in_line and child.ready(0) is True
    assert child.result() == os.getpid()


def test_a_build_whose_children_fail_is_the_same_build(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Every child dies at once (a killed worker, no memory): the build validates and
    renders in line and makes the same site."""
    spec = tmp_path / "spec.json"
    spec.write_text(
        '{"openapi": "3.0.0", "info": {"title": "T", "version": "1"}, "paths": {'
        '"/a": {"get": {"tags": ["A"], "responses": {"200": {"description": "ok"}}}},'
        '"/b": {"get": {"tags": ["B"], "responses": {"200": {"descripton": "typo"}}}}}}'
    )
    good = build(Options(spec=str(spec), site=tmp_path / "good"))

    real = Forked.__init__

    def dying(self, work):  # noqa: ANN001, ANN202
        real(self, lambda: os._exit(9))

    monkeypatch.setattr(forks.Forked, "__init__", dying)
    again = build(Options(spec=str(spec), site=tmp_path / "again"))
    assert again.api.problems == good.api.problems and again.api.problems
    pages = sorted(p.relative_to(tmp_path / "good") for p in (tmp_path / "good").rglob("*.html"))
    assert pages == sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*.html"))
    for page in pages:
        assert (tmp_path / "good" / page).read_text() == (tmp_path / "again" / page).read_text(), page
