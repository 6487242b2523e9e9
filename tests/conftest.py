"""Shared fixtures. Keep this small: helpers that are not fixtures go in support.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

try:
    from .support import need, shared_spec
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from support import need, shared_spec

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
    need(SHARED_SPECS.is_dir(), f"{SHARED_SPECS} is absent: the real EMQX specs are not available")
    return SHARED_SPECS


@pytest.fixture(scope="session")
def ce_site(tmp_path_factory) -> Path:
    """The site of the real CE 5.8.1 spec, built once for the browser tests that read it."""
    spec = shared_spec("emqx-ce-5.8.1-en.json")
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
