"""llms.txt, llms-full.txt and the Markdown twins of the real CE and EE 5.8.1 sites.

Each site is built with the CLI (a real MkDocs build). The expected operations, their
authentication and their API-key roles come from the raw spec (and the knowledge file's
role rules), not from the model.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sitecheck import METHODS
from support import PROJECT_ROOT, shared_spec

from generator.knowledge import load_knowledge
from generator.render import load_labels

pytestmark = pytest.mark.shared  # every test here reads ../shared/specs

SPECS = {"ce": "emqx-ce-5.8.1-en.json", "ee": "emqx-ee-5.8.1-en.json"}
FULL_BUDGET = 2_500_000  # bytes: EE's llms-full.txt must stay under 2.5 MB
LINK = re.compile(r"^- \[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)(?:(?:: |：)(?P<note>.+))?$")
HEADING = re.compile(r"^## `(?P<method>[A-Z]+) (?P<path>[^`]+)`$")


@pytest.fixture(scope="module", params=sorted(SPECS))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the spec, its site), built once per module and spec."""
    spec = shared_spec(SPECS[request.param])
    site = tmp_path_factory.mktemp(f"llms-{request.param}") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--spec", str(spec), "--site", str(site)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return spec, site


def expected_operations(spec: Path, language: str = "en") -> dict[tuple[str, str], tuple[str, str]]:
    """(method, full path) -> (authentication words, API-key roles words), from the raw spec."""
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    labels, knowledge = load_labels(language=language), load_knowledge(language=language)
    base = document["servers"][0]["url"].rstrip("/")
    schemes = document.get("components", {}).get("securitySchemes", {})
    kinds = {name: (s.get("scheme") or s.get("type", "")).lower() for name, s in schemes.items()}
    titles = {role.id: role.title for role in knowledge.roles}
    found = {}
    for path, item in document["paths"].items():
        for method in (m for m in METHODS if m in item):
            requirements = item[method].get("security", document.get("security", []))
            auth = tuple(sorted({kinds.get(name, name) for requirement in requirements for name in requirement}))
            words = labels["auth_basic"] if "basic" in auth else labels["auth_bearer"] if auth == ("bearer",) else labels["auth_public"]
            roles = knowledge.roles_for(method.upper(), path, auth)
            roles_words = labels["list_separator"].join(titles[r] for r in roles) if roles else f"{labels['no_api_key']} ({labels['no_api_key_title']})"
            found[(method.upper(), base + path)] = (words, roles_words)
    return found


def sections(text: str) -> list[tuple[str, str, str]]:
    """(method, full path, section text) of each operation heading in `text`."""
    found = []
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if HEADING.match(line)]
    for n, start in enumerate(starts):
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("## ", "# "))), len(lines))
        heading = HEADING.match(lines[start])
        found.append((heading["method"], heading["path"], "\n".join(lines[start:end])))
    return found


def test_llms_txt_links_every_guide_and_tag_to_an_existing_twin(built: tuple[Path, Path]) -> None:
    """An H1 with title and version, a `>` summary, Guides and Reference sections, and every
    link a Markdown file of the site."""
    spec, site = built
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    text = (site / "llms.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == f"# {document['info']['title']} {document['info']['version']}"
    assert lines[1] == "" and lines[2].startswith("> ") and len(lines[2]) > 20
    assert "\n## Guides\n" in text and "\n## Reference\n" in text
    links = [LINK.match(line) for line in lines if line.startswith("- [")]
    assert links and all(links), [line for line in lines if line.startswith("- [") and not LINK.match(line)]
    for link in links:
        assert link["url"].endswith(".md") and "://" not in link["url"] and not link["url"].startswith("/"), link["url"]
        assert (site / link["url"]).is_file(), link["url"]
        assert (site / link["url"]).with_suffix(".html").is_file(), link["url"]
    tags = {m.group(1) for m in re.finditer(r"\]\((reference/[^)]+\.md)\)", text)}
    assert tags >= {str(page.relative_to(site)) for page in (site / "reference").glob("*.md") if page.name != "spec-health.md"}


def test_every_operation_is_once_in_llms_full_with_its_auth_and_roles(built: tuple[Path, Path]) -> None:
    """Each operation of the raw spec has exactly one section in llms-full.txt, which gives
    its authentication and API-key roles as the spec and the roles rules say."""
    spec, site = built
    expected, see_above = expected_operations(spec), load_labels()["see_above"]
    full = (site / "llms-full.txt").read_text(encoding="utf-8")
    found = sections(full)
    keys = [(method, path) for method, path, _ in found]
    assert sorted(keys) == sorted(expected), set(keys) ^ set(expected)
    for method, path, body in found:
        auth, roles = expected[(method, path)]
        assert f"\n- Authentication: {auth}\n" in body, (method, path, body[:600])
        assert f"\n- API-key roles: {roles}\n" in body, (method, path, body[:600])
        assert see_above not in body, (method, path)  # the pages' words for a component drawn earlier


def test_a_twin_beside_every_generated_page(built: tuple[Path, Path]) -> None:
    """reference/clients.md next to reference/clients.html, and so for the overview, the
    guides and spec health; the project's own pages and 404 have none."""
    _, site = built
    own = {f"{page.stem}.html" for page in (PROJECT_ROOT / "docs").glob("*.md")} | {"404.html"}
    pages = [page for page in site.rglob("*.html") if str(page.relative_to(site)) not in own]
    assert len(pages) > 40
    missing = [str(page.relative_to(site)) for page in pages if not page.with_suffix(".md").is_file()]
    assert not missing, missing
    assert not any(site.joinpath(name).with_suffix(".md").exists() for name in own)


def test_llms_full_size(built: tuple[Path, Path]) -> None:
    """llms-full.txt of EE 5.8.1 stays under 2.5 MB (its size is printed)."""
    spec, site = built
    size = (site / "llms-full.txt").stat().st_size
    print(f"\n{spec.name}: llms-full.txt is {size:,} bytes ({size / 1_000_000:.2f} MB)")
    assert size < FULL_BUDGET


def test_a_chinese_site_has_chinese_twins_and_llms_files(tmp_path: Path) -> None:
    """--lang zh on CE 5.8.1 zh: llms.txt's sections, the twins' fixed words and each
    operation's authentication and roles in llms-full.txt are Chinese, and every link of
    llms.txt is a twin of the site."""
    spec, site = shared_spec("emqx-ce-5.8.1-zh.json"), tmp_path / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--lang", "zh", "--spec", str(spec), "--site", str(site)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    labels = load_labels(language="zh")
    text = (site / "llms.txt").read_text(encoding="utf-8")
    assert f"\n## {labels['guides']}\n" in text and f"\n## {labels['reference']}\n" in text
    links = [LINK.match(line) for line in text.split("\n") if line.startswith("- [")]
    assert links and all(links)
    assert all((site / link["url"]).is_file() for link in links)
    assert f"- [{labels['guide_titles']['roles']}](guides/roles.md)：" in text
    expected = expected_operations(spec, "zh")
    found = sections((site / "llms-full.txt").read_text(encoding="utf-8"))
    assert sorted((m, p) for m, p, _ in found) == sorted(expected)
    for method, path, body in found:
        auth, roles = expected[(method, path)]
        assert f"\n- {labels['auth_label']}：{auth}\n" in body, (method, path, body[:400])
        assert f"\n- {labels['roles_label']}：{roles}\n" in body, (method, path, body[:400])
    clients = (site / "reference" / "clients.md").read_text(encoding="utf-8")
    assert clients.startswith("# 客户端\n\n14 个操作。\n")
    assert f"\n### {labels['parameters']}\n" in clients and f"\n### {labels['responses']}\n" in clients
    assert (site / "guides" / "authentication.md").read_text(encoding="utf-8").startswith("# 认证\n\nAPI 的所有路径都以")
