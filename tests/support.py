"""Shared helpers for the test suite (not a test module).

Availability rule for optional prerequisites (Chromium, Playwright, ...):
a missing prerequisite skips the test with a clear reason, except when the
environment variable ``CI`` is ``true``, where the test fails instead, so
that CI cannot go green by silently skipping everything (conftest.py also
fails a CI run that skipped anything, whatever the reason).

A test that reads ../shared must carry ``@pytest.mark.shared``: shared_spec()
and the shared_specs fixture fail the test that reaches them without it.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """True when running in CI (``CI=true``, case-insensitive)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def need(ok: bool, reason: str) -> None:
    """Skip the current test (or fail it under ``CI=true``) unless *ok*."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: missing prerequisites fail instead of skipping)",
                    pytrace=False)
    pytest.skip(reason)


PROJECT_ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
SHARED_SPECS = PROJECT_ROOT.parent / "shared" / "specs"


RUNNING: list = []  # the test item being run (conftest.py keeps it), for check_shared_marker


def check_shared_marker(what: str) -> None:
    """Fail the running test if it reaches ../shared without the `shared` marker."""
    item = RUNNING[-1] if RUNNING else None
    if item is not None and item.get_closest_marker("shared") is None:
        pytest.fail(f"{item.nodeid} reads {what} but is not marked @pytest.mark.shared", pytrace=False)


def shared_spec(name: str):
    """The path of one real EMQX spec in ../shared/specs (skip, or fail in CI, if absent)."""
    check_shared_marker(f"../shared/specs/{name}")
    path = SHARED_SPECS / name
    need(path.is_file(), f"../shared/specs/{name} is absent: the real EMQX specs are not available here")
    return path
