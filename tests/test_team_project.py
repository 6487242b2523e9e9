"""A team's own MkDocs project with the EMQX reference inside: `init`, `build --config`,
and `generate` followed by the project's own `mkdocs build --strict`.

The foreign project has its own pages, nav, logo, favicon, palette, stylesheet, a
markdown extension of its own and a plugin Material ships (tags). Every check of the
reference starts from the raw CE 5.8.1 spec, not from what the generator wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitecheck import check_reference
from support import shared_spec

CLI = [sys.executable, "-m", "generator"]
SECRET_ENV = {"EMQX_API_KEY", "EMQX_SECRET_KEY"}
DEFAULT_SPEC = Path(__file__).resolve().parents[1] / "generator" / "data" / "default-spec.yaml"
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>\n'


def env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in SECRET_ENV}, "NO_MKDOCS_2_WARNING": "1"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env())


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-3000:]}"


def tree_hash(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def acme_project(root: Path, spec: Path, nav_entry: object = "api/") -> Path:
    """A team's project as a team would write it (see README, "Your own docs project")."""
    docs = root / "docs"
    (docs / "assets").mkdir(parents=True)
    (docs / "assets" / "logo.svg").write_text(LOGO, encoding="utf-8")
    (docs / "assets" / "favicon.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    (docs / "assets" / "acme.css").write_text(".acme-banner { border: 2px solid teal; }\n", encoding="utf-8")
    (docs / "index.md").write_text(
        "---\ntags: [start]\n---\n# ACME platform home\n\n<div class=\"acme-banner\">Welcome aboard.</div>\n\n"
        "See the [runbooks](runbooks.md) and the [EMQX API](api/index.md).\n", encoding="utf-8")
    (docs / "runbooks.md").write_text(
        "# Runbooks\n\n!!! warning \"Before a rolling upgrade\"\n    Drain the node first.\n\n"
        "## Restart a node\n\nUse the dashboard, then check `GET /api/v5/nodes`.\n", encoding="utf-8")
    config = {
        "site_name": "ACME platform docs",
        "theme": {
            "name": "material", "logo": "assets/logo.svg", "favicon": "assets/favicon.png",
            "palette": {"primary": "teal", "accent": "amber"}, "features": ["content.code.copy"],
        },
        "extra_css": ["assets/acme.css"],
        "markdown_extensions": ["admonition", {"toc": {"permalink": "#"}}],
        "plugins": ["search", "tags"],
        "nav": [{"Home": "index.md"}, {"Runbooks": "runbooks.md"}, {"EMQX API": nav_entry}],
        "extra": {"emqx_apidocs": {"spec": str(spec), "base_url": "https://emqx.acme.internal:18083", "section": "api/"}},
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root / "mkdocs.yml"


def check_team_pages(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "ACME platform home" in home and "acme-banner" in home
    assert "<title>ACME platform docs</title>" in home  # Material titles the home page by the site name
    assert 'data-md-color-primary="teal"' in home and 'data-md-color-accent="amber"' in home
    assert 'src="assets/logo.svg"' in home and 'href="assets/favicon.png"' in home
    assert 'href="assets/acme.css"' in home and (site / "assets" / "acme.css").is_file()
    runbooks = (site / "runbooks.html").read_text(encoding="utf-8")
    assert "<title>Runbooks - ACME platform docs</title>" in runbooks
    assert 'class="admonition warning"' in runbooks and 'class="headerlink" href="#restart-a-node"' in runbooks
    assert 'href="api/index.html"' in home  # the nav's EMQX API section and the page's own link
    assert ">EMQX API<" in re.sub(r"\s+", "", home).replace("EMQXAPI", "EMQX API") or "EMQX API" in home


@pytest.mark.shared
def test_build_config_keeps_the_team_project(tmp_path: Path) -> None:
    spec = shared_spec("emqx-ce-5.8.1-en.json")
    config = acme_project(tmp_path / "acme", spec)
    docs_before = tree_hash(tmp_path / "acme" / "docs")
    config_before = config.read_bytes()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("build", "--config", str(config), cwd=elsewhere)
    assert result.returncode == 0, explain(result)
    assert "warning" not in result.stderr.lower(), explain(result)
    site = tmp_path / "acme" / "site"  # the project's site_dir, relative to its mkdocs.yml
    check_team_pages(site)
    check_reference(site / "api", spec)
    nav = (site / "runbooks.html").read_text(encoding="utf-8")
    for label in ("Overview", "Guides", "Reference", "Spec health", "Clients"):
        assert f">{label}<" in re.sub(r">\s+", ">", re.sub(r"\s+<", "<", nav)), f"nav lacks {label}"
    assert (site / "api" / "reference" / "clients.html").is_file()
    assert 'class="md-tag"' in (site / "index.html").read_text(encoding="utf-8")  # the tags plugin ran
    page = (site / "api" / "reference" / "clients.html").read_text(encoding="utf-8")
    assert "https://emqx.acme.internal:18083" in page  # base_url from the team's file
    assert '<meta http-equiv="Content-Security-Policy"' in page
    assert "fonts.googleapis" not in page and "unpkg.com" not in page
    # the Markdown twins and llms files sit beside the reference's pages, not the team's
    assert (site / "api" / "reference" / "clients.md").is_file() and (site / "api" / "index.md").is_file()
    assert not (site / "index.md").exists() and not (site / "runbooks.md").exists() and not (site / "llms.txt").exists()
    links = re.findall(r"^- \[[^\]]+\]\(([^)]+)\)", (site / "api" / "llms.txt").read_text(encoding="utf-8"), re.M)
    assert links and all((site / "api" / link).is_file() for link in links), links
    assert (site / "api" / "llms-full.txt").stat().st_size > 100_000
    assert tree_hash(tmp_path / "acme" / "docs") == docs_before and config.read_bytes() == config_before
    assert sorted(p.name for p in (tmp_path / "acme").iterdir()) == ["docs", "mkdocs.yml", "site"]


@pytest.mark.shared
def test_generate_then_the_teams_own_mkdocs_build(tmp_path: Path) -> None:
    spec = shared_spec("emqx-ce-5.8.1-en.json")
    root = tmp_path / "acme"
    config = acme_project(root, spec, nav_entry="api/index.md")
    result = run("generate", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, explain(result)
    section = root / "docs" / "api"
    assert (section / ".emqx-apidocs-section").is_file() and (section / "index.md").is_file()
    # what it printed is what the team pastes: merge it into their file as a person would
    needed = yaml.safe_load(result.stdout)
    assert set(needed) >= {"use_directory_urls", "markdown_extensions", "extra_css", "extra_javascript", "plugins"}
    team = yaml.safe_load(config.read_text(encoding="utf-8"))
    team["use_directory_urls"] = needed["use_directory_urls"]
    team["markdown_extensions"] += needed["markdown_extensions"]
    team["extra_css"] += needed["extra_css"]
    team["extra_javascript"] = needed["extra_javascript"]
    team["plugins"] = [p for p in team["plugins"] if p != "search"] + needed["plugins"]
    team["nav"][2] = {"EMQX API": [{"Overview": "api/index.md"}, *needed["nav"][0]["EMQX API"][1:]]} if "nav" in needed else team["nav"][2]
    config.write_text(yaml.safe_dump(team, sort_keys=False), encoding="utf-8")
    again = run("generate", "--config", str(config), cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "", explain(again)  # nothing left to add

    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)],
                           cwd=root, capture_output=True, text=True, timeout=300, env=env())
    assert built.returncode == 0, explain(built)
    site = root / "site"
    check_team_pages(site)
    check_reference(site / "api", spec)
    explorer = (site / "api" / "reference" / "clients.html").read_text(encoding="utf-8")
    assert "assets/emqx-apidocs/explorer.js" in explorer and "assets/emqx-apidocs/apidocs.css" in explorer
    # Copy as Markdown's script reaches the site beside its page; no Markdown twin does
    assert 'data-src="clients.copy.js"' in explorer and (site / "api" / "reference" / "clients.copy.js").is_file()
    assert not (site / "api" / "llms.txt").exists()


def test_generate_refuses_a_section_it_did_not_make(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    config = acme_project(root, Path("unused.json"))
    config.write_text(config.read_text(encoding="utf-8").replace(
        f"spec: {Path('unused.json')}", "spec: null"), encoding="utf-8")
    (root / "docs" / "api").mkdir()
    (root / "docs" / "api" / "notes.md").write_text("# Our own notes\n", encoding="utf-8")
    before = tree_hash(root)
    result = run("generate", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2, explain(result)
    assert len(result.stderr.splitlines()) == 1 and "was not made by emqx-apidocs" in result.stderr
    assert tree_hash(root) == before
    built = run("build", "--config", str(config), "-q", cwd=tmp_path)
    assert built.returncode == 2 and "was not made by emqx-apidocs" in built.stderr, explain(built)


def test_generate_writes_only_inside_the_section(tmp_path: Path) -> None:
    """Two runs: the second replaces the first's folder; nothing else in the project changes."""
    root = tmp_path / "acme"
    config = acme_project(root, Path("x"))
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"spec: .*", "spec: null", text), encoding="utf-8")
    others = {k: v for k, v in tree_hash(root).items()}
    for _ in range(2):
        result = run("generate", "--config", str(config), "-q", cwd=root)
        assert result.returncode == 0, explain(result)
    after = tree_hash(root)
    assert {k: v for k, v in after.items() if not k.startswith("docs/api/")} == others
    assert "docs/api/reference/clients.md" in after and "docs/api/assets/emqx-apidocs/explorer.js" in after
    assert sorted(p.name for p in (root / "docs").iterdir()) == ["api", "assets", "index.md", "runbooks.md"]


def test_init_then_build_with_no_argument(tmp_path: Path) -> None:
    folder = tmp_path / "docs-project"
    result = run("init", str(folder), cwd=tmp_path)
    assert result.returncode == 0, explain(result)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "docs/index.md", "mkdocs.yml"]
    config = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["extra"]["emqx_apidocs"]["section"] == "api/"
    (folder / "docs" / "index.md").write_text("# Edited by the team\n", encoding="utf-8")
    again = run("init", str(folder), cwd=tmp_path)
    assert again.returncode == 0 and "kept" in again.stderr, explain(again)
    assert (folder / "docs" / "index.md").read_text(encoding="utf-8") == "# Edited by the team\n"

    built = run("build", "-q", cwd=folder)
    assert built.returncode == 0, explain(built)
    site = folder / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>Our platform docs</title>" in home and "Edited by the team" in home
    check_reference(site / "api", DEFAULT_SPEC)


def test_team_settings_that_must_change_are_named(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    config = acme_project(root, Path("x"))
    team = yaml.safe_load(config.read_text(encoding="utf-8"))
    team["extra"]["emqx_apidocs"]["spec"] = None
    team["use_directory_urls"] = True
    team["theme"]["font"] = {"text": "Roboto"}
    team["plugins"] = [{"search": {"separator": "[\\s]+"}}]
    config.write_text(yaml.safe_dump(team), encoding="utf-8")
    result = run("build", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, explain(result)
    for setting in ("use_directory_urls", "theme.font", "plugins.search.separator"):
        lines = [line for line in result.stderr.splitlines() if setting in line]
        assert len(lines) == 1 and "mkdocs.yml" in lines[0], f"{setting}:\n{result.stderr}"
    assert "fonts.googleapis" not in (root / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, says", [
    ("site_name: [unclosed\n", "not valid YAML"),
    ("- a list\n", "expected MkDocs settings"),
    ("site_name: x\ntheme: readthedocs\n", "needs the material theme"),
    ("site_name: x\nextra: {emqx_apidocs: {section: ../out}}\n", "section"),
    ("site_name: x\nextra: {emqx_apidocs: {sepc: a.json}}\n", "unknown setting"),
    ("INHERIT: missing.yml\n", "missing.yml: no such file"),
])
def test_a_bad_team_file_is_one_line(tmp_path: Path, text: str, says: str) -> None:
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = run("build", "-q", cwd=tmp_path)
    assert result.returncode == 2, explain(result)
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1, explain(result)
    assert says in result.stderr


def test_serve_config_serves_the_team_site_and_its_reference(tmp_path: Path) -> None:
    """`serve --config` finds the team's site_dir and the reference's base path in its section."""
    import urllib.error
    import urllib.request

    from servers import free_port, running

    root = tmp_path / "acme"
    config = acme_project(root, Path("x"))
    config.write_text(re.sub(r"spec: .*", "spec: null", config.read_text(encoding="utf-8")), encoding="utf-8")
    port = free_port()
    command = [*CLI, "serve", "--config", str(config), "--port", str(port), "-q"]
    with running(command, port, tmp_path / "serve.log", cwd=tmp_path, env=env()) as url:
        with urllib.request.urlopen(f"{url}/runbooks.html") as answer:
            assert "ACME platform docs" in answer.read().decode()
        with urllib.request.urlopen(f"{url}/api/reference/clients.html") as answer:
            assert 'id="get-clients"' in answer.read().decode()
        try:
            urllib.request.urlopen(f"{url}/api/v5/clients")
        except urllib.error.HTTPError as error:
            assert json.loads(error.read())["code"] == "NO_UPSTREAM"
        else:
            raise AssertionError("the proxy answered without an upstream")
    assert (root / "site" / "api" / "operations.json").is_file()
