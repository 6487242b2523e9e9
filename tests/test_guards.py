"""The suite's own guards, tried on small throwaway suites that use this conftest.py.

Under CI=true a run that skipped anything fails, and a test that reaches ../shared
without `@pytest.mark.shared` never runs quietly: collection stops when its code (or
its fixtures' code, or a helper's) names shared_spec, shared_specs or SHARED_SPECS,
and shared_spec()/shared_specs fail a test that reaches them some other way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
INI = """[pytest]
markers =
    shared: needs the real EMQX specs in ../shared/specs
"""


def suite(tmp_path: Path, **files: str) -> Path:
    """A project folder whose tests/ holds our conftest.py and support.py and `files`
    (there is no ../shared beside it)."""
    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    for name in ("conftest.py", "support.py"):
        shutil.copy(TESTS / name, tests / name)
    (tests.parent / "pytest.ini").write_text(INI)
    for name, text in files.items():
        (tests / f"{name}.py").write_text(text)
    assert not (tmp_path / "shared").exists()
    return tests.parent


def pytest_in(project: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only pytest and this conftest: quicker
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project,
                          env=env, capture_output=True, text=True, timeout=120)


def explain(run: subprocess.CompletedProcess[str]) -> str:
    return f"exit {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}"


SKIPS = '''
import pytest

def test_fine():
    pass

def test_skips_itself():
    pytest.skip("no browser here")

@pytest.mark.skipif(True, reason="not on this machine")
def test_skipped_by_mark():
    pass
'''


def test_a_skip_fails_the_run_only_under_ci(tmp_path: Path) -> None:
    """Skips pass locally; under CI=true the same run exits 1 and lists each skipped test with its reason."""
    project = suite(tmp_path, test_skips=SKIPS)
    local = pytest_in(project, ci=False)
    assert local.returncode == 0 and "1 passed, 2 skipped" in local.stdout, explain(local)
    ci = pytest_in(project, ci=True)
    assert ci.returncode == 1, explain(ci)
    assert "skipped tests fail the run under CI=true" in ci.stdout, explain(ci)
    assert "tests/test_skips.py::test_skips_itself: Skipped: no browser here" in ci.stdout, explain(ci)
    assert "tests/test_skips.py::test_skipped_by_mark: Skipped: not on this machine" in ci.stdout, explain(ci)


def test_a_clean_run_still_passes_under_ci(tmp_path: Path) -> None:
    """The guard does not fail a run that skipped nothing."""
    run = pytest_in(suite(tmp_path, test_fine="def test_fine():\n    pass\n"), ci=True)
    assert run.returncode == 0 and "1 passed" in run.stdout, explain(run)


UNMARKED = '''
import pytest
from support import SHARED_SPECS, shared_spec

def helper():
    return shared_spec("emqx-ce-5.8.1-en.json")

@pytest.fixture
def built():
    return helper()

def test_through_a_helper():
    helper()

def test_through_a_fixture(built):
    pass

def test_through_the_folder_fixture(shared_specs):
    pass

def test_through_the_constant():
    assert SHARED_SPECS

def test_unrelated():
    pass

@pytest.mark.shared
def test_marked():
    helper()
'''


def test_unmarked_tests_that_reach_shared_stop_the_run(tmp_path: Path) -> None:
    """Collection stops, naming every unmarked test that reaches ../shared (through a helper,
    a fixture, the shared_specs fixture, SHARED_SPECS), and no other test."""
    run = pytest_in(suite(tmp_path, test_unmarked=UNMARKED), ci=False)
    assert run.returncode == 4, explain(run)
    output = run.stdout + run.stderr
    assert "4 tests use ../shared" in output and "not marked @pytest.mark.shared" in output, explain(run)
    for name in ("through_a_helper", "through_a_fixture", "through_the_folder_fixture", "through_the_constant"):
        assert f"tests/test_unmarked.py::test_{name}" in output, explain(run)
    assert "test_unrelated" not in output and "test_marked" not in output, explain(run)


HIDDEN = '''
import importlib
import pytest

def test_reaches_shared_where_no_code_names_it():
    getattr(importlib.import_module("support"), "shared" + "_spec")("emqx-ce-5.8.1-en.json")

@pytest.mark.shared
def test_marked_and_absent():
    getattr(importlib.import_module("support"), "shared" + "_spec")("emqx-ce-5.8.1-en.json")
'''


def test_unmarked_test_reaching_shared_at_run_time_fails(tmp_path: Path) -> None:
    """A test that reaches shared_spec in a way its code does not show fails when it calls it;
    the marked one skips (../shared is absent) locally and fails under CI=true."""
    project = suite(tmp_path, test_hidden=HIDDEN)
    local = pytest_in(project, ci=False)
    assert local.returncode == 1 and "1 failed, 1 skipped" in local.stdout, explain(local)
    assert ("tests/test_hidden.py::test_reaches_shared_where_no_code_names_it reads "
            "../shared/specs/emqx-ce-5.8.1-en.json but is not marked @pytest.mark.shared") in local.stdout, explain(local)
    ci = pytest_in(project, ci=True)
    assert ci.returncode == 1 and "2 failed" in ci.stdout, explain(ci)
