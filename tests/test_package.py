"""The tool as a user installs it: an sdist, a wheel built from that sdist, installed
into a fresh virtualenv, run from a folder outside the checkout on a real spec."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from sitecheck import check_reference
from support import PROJECT_ROOT, shared_spec

BUNDLED = (
    "generator/_bundle/mkdocs.yml", "generator/_bundle/docs/about.md",
    "generator/_bundle/templates/tag.md.j2", "generator/_bundle/templates/labels/en.yaml",
    "generator/_bundle/templates/assets/javascripts/explorer.js",
    "generator/_bundle/templates/assets/stylesheets/apidocs.css",
    "generator/data/default-spec.yaml", "generator/knowledge/emqx.yaml",
    # the Chinese site's words, pages and knowledge
    "generator/_bundle/templates/labels/zh.yaml", "generator/_bundle/templates/zh/guides/errors.md.j2",
    "generator/_bundle/docs-zh/about.md", "generator/knowledge/emqx.zh.yaml",
)


def quiet_env() -> dict[str, str]:
    secrets = {"EMQX_API_KEY", "EMQX_SECRET_KEY", "PYTHONPATH", "VIRTUAL_ENV"}
    return {**{k: v for k, v in os.environ.items() if k not in secrets}, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def run(command: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, env=quiet_env())
    return result


def must(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args}\nexit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh virtualenv holding the wheel built from the sdist."""
    work = tmp_path_factory.mktemp("package")
    must(run([sys.executable, "-m", "build", "--sdist", "--outdir", work / "dist", PROJECT_ROOT], cwd=work))
    (sdist,) = (work / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"mkdocs.yml", "templates/tag.md.j2", "docs/about.md", "generator/data/default-spec.yaml",
            "README.md", "pyproject.toml"} <= names
    assert not any("node_modules" in name or name.startswith((".venv", "site/")) for name in names)
    must(run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", sdist], cwd=work))
    (wheel,) = (work / "dist").glob("*.whl")
    assert set(BUNDLED) <= set(zipfile.ZipFile(wheel).namelist())
    must(run([sys.executable, "-m", "venv", work / "venv"], cwd=work))
    must(run([work / "venv" / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=work))
    return work / "venv" / "bin"


@pytest.mark.shared
def test_wheel_builds_and_validates_a_real_spec_from_anywhere(installed: Path, tmp_path: Path) -> None:
    spec = shared_spec("emqx-ce-5.8.1-en.json")
    where = must(run([installed / "python", "-c", "import generator; print(generator.__file__)"], cwd=tmp_path))
    assert "site-packages" in where.stdout and str(PROJECT_ROOT) not in where.stdout
    helped = must(run([installed / "emqx-apidocs", "--help"], cwd=tmp_path)).stdout
    for command in ("build", "generate", "init", "serve", "validate"):
        assert command in helped

    must(run([installed / "emqx-apidocs", "build", "-q", "--spec", spec, "--site", "out"], cwd=tmp_path))
    check_reference(tmp_path / "out", spec)
    assert (tmp_path / "out" / "assets" / "emqx-apidocs" / "explorer.js").is_file()
    assert (tmp_path / "out" / "about.html").is_file()

    checked = run([installed / "emqx-apidocs", "validate", "--spec", spec], cwd=tmp_path)
    from_checkout = run([sys.executable, "-m", "generator", "validate", "--spec", spec], cwd=PROJECT_ROOT)
    assert checked.returncode == from_checkout.returncode == 1
    last = checked.stdout.rstrip().splitlines()[-1]
    assert checked.stdout == from_checkout.stdout and re.fullmatch(rf"\d+ problems \(.*\) in {re.escape(str(spec))}", last)


def test_wheel_builds_the_sample_and_a_new_project(installed: Path, tmp_path: Path) -> None:
    must(run([installed / "emqx-apidocs", "build", "-q"], cwd=tmp_path))
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "site" / "operations.json").is_file()
    must(run([installed / "emqx-apidocs", "build", "-q", "--lang", "zh", "--site", "zh"], cwd=tmp_path))
    assert "关于本站" in (tmp_path / "zh" / "about.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in (tmp_path / "zh" / "guides" / "errors.html").read_text(encoding="utf-8")
    must(run([installed / "emqx-apidocs", "init", "team"], cwd=tmp_path))
    must(run([installed / "emqx-apidocs", "build", "-q"], cwd=tmp_path / "team"))
    assert (tmp_path / "team" / "site" / "api" / "reference" / "clients.html").is_file()
