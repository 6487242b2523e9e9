"""A site in two languages: `build --lang en --lang zh` (or the settings' `lang` list or
mapping) makes SITE/en/ and SITE/zh/, each a whole site in its language, a root page that
opens the first, and a language selector on every page that leads to the same page, and
keeps the operation being read, in the other language (from file://, in Chromium)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from browser import PageLog, chromium_page
from support import PROJECT_ROOT
from versioned import broken, parsed, resolve

SAMPLE = PROJECT_ROOT / "generator" / "data" / "default-spec.yaml"
SELECTOR = "details.ead-version"
HAN = re.compile(r"[\u4e00-\u9fff]")
CHINESE_SUMMARY = "列出客户端（测试用的中文摘要）"


def build(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"})


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> tuple[Path, str]:
    """The sample in English and Chinese: (the site, what the build printed)."""
    site = tmp_path_factory.mktemp("languages") / "site"
    result = build("--lang", "en", "--lang", "zh", "--site", str(site))
    assert result.returncode == 0, result.stderr
    return site, result.stderr


def pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))


def html_lang(path: Path) -> str:
    return re.search(r'<html lang="([^"]+)"', path.read_text(encoding="utf-8")).group(1)


def test_a_folder_per_language_and_a_root_that_opens_the_first(two) -> None:
    """en/ and zh/ hold the same pages, each in its language, each with its operations.json;
    the root page opens en/ (the first asked for) without a script and links both."""
    site, said = two
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == ["en", "index.html", "zh"]
    assert pages(site / "en") == pages(site / "zh") and "reference/clients.html" in pages(site / "en")
    for code in ("en", "zh"):
        assert {html_lang(site / code / rel) for rel in pages(site / code)} == {code}
        assert json.loads((site / code / "operations.json").read_text(encoding="utf-8"))["operations"]
        assert (site / code / "llms.txt").is_file() and (site / code / "reference" / "clients.md").is_file()
    assert "## 指南" in (site / "zh" / "llms.txt").read_text(encoding="utf-8")
    root = parsed(site / "index.html")
    assert [href for href, _ in root.links] == ["en/index.html", "en/index.html", "zh/index.html"]
    assert HAN.search((site / "zh" / "guides" / "roles.html").read_text(encoding="utf-8"))
    assert not HAN.search((site / "en" / "guides" / "roles.html").read_text(encoding="utf-8").replace("中文", ""))
    # one spec, validated once; a model and pages per language
    assert len(re.findall(r"^\s*validate\s", said, re.M)) == 1, said
    assert len(re.findall(r"^\s*model\s", said, re.M)) == 2, said
    assert "in 2 languages (en, zh)" in said


def test_anchors_are_the_same_in_both_languages(two) -> None:
    site, _ = two
    for rel in pages(site / "en"):
        if rel.startswith("reference/"):
            en = re.findall(r'<h2 class="ead-h[^"]*" id="([^"]+)"', (site / "en" / rel).read_text(encoding="utf-8"))
            zh = re.findall(r'<h2 class="ead-h[^"]*" id="([^"]+)"', (site / "zh" / rel).read_text(encoding="utf-8"))
            assert en == zh, rel


def test_every_page_links_the_same_page_in_the_other_language(two) -> None:
    """Each page's selector: itself (marked current) and the same page in the other
    language, named in its own words, with hreflang; every link resolves. The 404 page,
    served from any path, links each language's home from the root."""
    site, _ = two
    for code, other in (("en", "zh"), ("zh", "en")):
        for rel in pages(site / code):
            page = site / code / rel
            links = {values["data-ead-version"]: (href, values) for href, values in parsed(page).links
                     if "data-ead-version" in values}
            assert set(links) == {"en", "zh"}, (code, rel)
            names = {label: values for label, (_, values) in links.items()}
            assert names[code].get("aria-current") == "page" and "aria-current" not in names[other]
            assert names["zh"]["hreflang"] == "zh" and names["zh"]["lang"] == "zh"
            href = links[other][0]
            if rel == "404.html":
                assert href == f"/{other}/index.html"
                continue
            target, fragment = resolve(site, page, href)
            assert broken(site, target, fragment) is None, (code, rel, href)
            assert target == (site / other / rel).resolve(), (code, rel, href)
    selector = (site / "zh" / "index.html").read_text(encoding="utf-8")
    assert '<span class="ead-version-label">语言</span> <span class="ead-version-current">中文</span>' in selector
    assert ">English</a>" in selector and 'aria-label="本站点的各种语言"' in selector


def test_each_language_from_its_own_spec_through_the_settings(tmp_path: Path) -> None:
    """`lang: {en: A, zh: B}` in a team's mkdocs.yml: each folder is built from its own
    spec (files relative to mkdocs.yml); both are loaded and validated."""
    document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    document["paths"]["/clients"]["get"]["summary"] = CHINESE_SUMMARY
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "zh.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Team docs\ntheme: {name: material}\nextra:\n  emqx_apidocs:\n    spec: " + str(SAMPLE)
        + "\n    lang: {zh: specs/zh.json, en: }\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Team docs\n", encoding="utf-8")
    result = build(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert parsed(site / "index.html").links[0][0] == "zh/index.html"  # the first in the settings
    zh, en = ((site / code / "api" / "reference" / "clients.html").read_text(encoding="utf-8") for code in ("zh", "en"))
    assert CHINESE_SUMMARY in zh and CHINESE_SUMMARY not in en
    assert len(re.findall(r"^\s*validate\s", result.stderr, re.M)) == 2, result.stderr


def test_strict_builds_nothing_when_a_languages_spec_has_errors(tmp_path: Path) -> None:
    document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    document["paths"]["/clients"]["get"]["responses"] = "none"
    (tmp_path / "zh.json").write_text(json.dumps(document), encoding="utf-8")
    result = build("--lang", "en", "--lang", f"zh={tmp_path / 'zh.json'}", "--strict", "--site", str(tmp_path / "site"))
    assert result.returncode == 1 and "zh:" in result.stderr and "--strict" in result.stderr, result.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.browser
@pytest.mark.parametrize(("start", "choice", "lands"), [
    ("en/reference/clients.html#get-clients-clientid", "zh", "zh/reference/clients.html#get-clients-clientid"),
    ("zh/reference/publish.html#post-publish", "en", "en/reference/publish.html#post-publish"),
    ("zh/guides/roles.html", "en", "en/guides/roles.html"),
])
def test_switching_language_keeps_the_operation(two, start: str, choice: str, lands: str) -> None:
    """From file://: the selector opens the same page in the other language, at the
    operation being read, with its heading on screen."""
    site, _ = two
    log = PageLog()
    page_rel, _, fragment = start.partition("#")
    with chromium_page(log) as page:
        page.goto((site / page_rel).as_uri() + (f"#{fragment}" if fragment else ""))
        page.locator(f"{SELECTOR} > summary").click()
        link = page.locator(f'{SELECTOR} a[data-ead-version="{choice}"]')
        link.wait_for()
        with page.expect_navigation():
            link.click()
        parts = urlsplit(page.url)
        landed = Path(unquote(parts.path)).relative_to(site.resolve()).as_posix()
        assert landed + (f"#{parts.fragment}" if parts.fragment else "") == lands
        assert page.locator("html").get_attribute("lang") == choice
        if parts.fragment:
            heading = page.locator(f"h2#{parts.fragment}")
            heading.wait_for()
            box = heading.bounding_box()
            assert box is not None and 0 <= box["y"] < page.viewport_size["height"], box
    assert log.errors == [] and log.external_requests == [], (log.errors, log.external_requests)
