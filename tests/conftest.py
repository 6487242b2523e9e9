"""Shared fixtures and two guards. Keep this small: helpers that are not fixtures go in support.py.

The guards: under CI=true a run that skipped any test fails (a missing browser, Prism
or ../shared must never pass as a quiet skip), and a test that reaches ../shared
without `@pytest.mark.shared` stops the run at collection (found from its code and its
fixtures' code), or fails when it calls shared_spec or uses the shared_specs fixture.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import types
from pathlib import Path

import pytest

try:
    from . import support
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    import support
need = support.need

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_SPECS = PROJECT_ROOT.parent / "shared" / "specs"


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (where pyproject.toml is)."""
    return PROJECT_ROOT


@pytest.fixture
def shared_specs() -> Path:
    """The folder of real EMQX specs, ../shared/specs relative to the repo root.

    Skips the test when the folder is absent (fails instead under CI=true). Tests
    that need a particular file should check it with support.need() too.
    """
    support.check_shared_marker("../shared/specs")
    need(SHARED_SPECS.is_dir(), f"{SHARED_SPECS} is absent: the real EMQX specs are not available")
    return SHARED_SPECS


@pytest.fixture(scope="session")
def ce_site(tmp_path_factory) -> Path:
    """The site of the real CE 5.8.1 spec, built once for the browser tests that read it."""
    spec = support.shared_spec("emqx-ce-5.8.1-en.json")
    site = tmp_path_factory.mktemp("ce-5.8.1") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--spec", str(spec), "--site", str(site)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return site


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files in tests/golden/ from the current output",
    )


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


# --------------------------------------------------------------------------- the shared marker

SHARED_NAMES = {"shared_spec", "shared_specs", "SHARED_SPECS"}
TESTS = Path(__file__).resolve().parent


def _reaches_shared(function: object, seen: set) -> bool:
    """Whether `function`, or a function of the test folder it names, names ../shared's helpers."""
    function = inspect.unwrap(getattr(getattr(function, "hypothesis", None), "inner_test", function))
    code = getattr(function, "__code__", None)
    if code is None or code in seen or not Path(code.co_filename).resolve().is_relative_to(TESTS):
        return False
    seen.add(code)
    codes, names = [code], set()
    while codes:
        current = codes.pop()
        names |= set(current.co_names) | set(current.co_varnames)
        codes += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    if names & SHARED_NAMES:
        return True
    scope = getattr(function, "__globals__", {})
    return any(_reaches_shared(scope[name], seen) for name in names if inspect.isfunction(scope.get(name)))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Stop the run before it starts when a test reaches ../shared without the marker."""
    unmarked = []
    for item in items:
        if item.get_closest_marker("shared") is not None or not isinstance(item, pytest.Function):
            continue
        seen: set = set()
        fixtures = [defs[-1].func for defs in item._fixtureinfo.name2fixturedefs.values() if defs]
        if "shared_specs" in item.fixturenames or any(_reaches_shared(f, seen) for f in [item.obj, *fixtures]):
            unmarked.append(item.nodeid)
    if unmarked:
        raise pytest.UsageError(
            f"{len(unmarked)} tests use ../shared (shared_spec, shared_specs, SHARED_SPECS) "
            "but are not marked @pytest.mark.shared:\n  " + "\n  ".join(unmarked)
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    support.RUNNING.append(item)
    try:
        return (yield)
    finally:
        support.RUNNING.pop()


# --------------------------------------------------------------------------- no quiet skips in CI

_skipped: list[str] = []  # "nodeid: reason" of every skipped test of this run


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if support.in_ci() and _skipped and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if support.in_ci() and _skipped:
        terminalreporter.section("skipped tests fail the run under CI=true", sep="=", red=True, bold=True)
        for line in _skipped:
            terminalreporter.line(line, red=True)
