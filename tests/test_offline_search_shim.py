"""Material search must work from file:// with our local iframe-worker shim.

Builds a tiny MkDocs + Material site in tmp_path with the repo's shim
(templates/assets/javascripts) in its docs, opens nested pages over file:// in Debian's
Chromium and searches. No request may leave file:// (the offline plugin would
otherwise add https://unpkg.com/iframe-worker/shim).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    from .browser import PageLog, chromium_page
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from browser import PageLog, chromium_page

REPO = Path(__file__).resolve().parents[1]
SHIM_SOURCE = REPO / "templates" / "assets" / "javascripts" / "iframe-worker-shim.js"
SHIM = "assets/javascripts/iframe-worker-shim.js"

PAGES = {
    "index.md": "# Home\n\nStart here.\n",
    "sub/page.md": "# Sub page\n\nThe broker keeps zanzibarquux sessions.\n",
    "sub/deeper/nested.md": "# Nested page\n\nOnly this page says xylophonequasar.\n",
}


PAGES_ZH = {
    "index.md": "# 首页\n\n从这里开始。\n",
    "sub/page.md": "# 子页面\n\n代理会保存客户端的会话。\n",
}
SEPARATOR_ZH = r"[\s\u200b\u3000\-、。，．？！；]+"  # words jieba found are joined by U+200B


def build_site(root: Path, search_lang: str | None = None, pages: dict[str, str] = PAGES,
               separator: str | None = None) -> Path:
    """Build the throwaway site into root/site and return that directory."""
    docs = root / "docs"
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    (docs / SHIM).parent.mkdir(parents=True, exist_ok=True)
    (docs / SHIM).write_bytes(SHIM_SOURCE.read_bytes())
    options = {key: value for key, value in (("lang", search_lang), ("separator", separator)) if value}
    search = {"search": options} if options else "search"
    config = {
        "site_name": "Shim test",
        "docs_dir": str(docs),
        "site_dir": str(root / "site"),
        "theme": {"name": "material", "font": False},
        "plugins": [search, "offline"],
        "extra": {"polyfills": [SHIM]},
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
         "-f", str(root / "mkdocs.yml")],
        check=True, cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("shim-en"))


@pytest.fixture(scope="module")
def site_de(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("shim-de"), search_lang="de")


@pytest.fixture(scope="module")
def site_zh(tmp_path_factory) -> Path:
    pytest.importorskip("jieba")  # what Material's search cuts Chinese with at build time
    return build_site(tmp_path_factory.mktemp("shim-zh"), search_lang="zh", pages=PAGES_ZH, separator=SEPARATOR_ZH)


def test_shim_is_shipped_and_referenced_locally(site: Path) -> None:
    assert (site / SHIM).is_file()
    assert (site / "search" / "search_index.js").is_file()
    for page, prefix in [("index.html", ""), ("sub/page.html", "../"),
                         ("sub/deeper/nested.html", "../../")]:
        html = (site / page).read_text(encoding="utf-8")
        assert f'<script src="{prefix}{SHIM}"></script>' in html, page
        assert "unpkg.com" not in html, page
        # nothing the browser would load or preconnect to may be remote
        remote = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"',
                            html)
        assert remote == [], (page, remote)


def search_from_file(site: Path, page_path: str, word: str, expected_title: str) -> PageLog:
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site / page_path).as_uri())
        assert page.evaluate("typeof IFrameWorker === 'function' && Worker === IFrameWorker")
        query = page.locator("input.md-search__input")
        query.click()
        query.press_sequentially(word)
        hit = page.locator(".md-search-result__list li", has_text=expected_title).first
        hit.wait_for(timeout=15_000)
        assert word in hit.inner_text()
        # the search ran in the shim's hidden iframe, not a real worker
        assert page.locator("iframe[title^='worker: file:']").count() == 1
    return log


@pytest.mark.browser
@pytest.mark.parametrize("page_path", ["sub/page.html", "sub/deeper/nested.html"])
def test_search_works_from_file_url_without_network(site: Path, page_path: str) -> None:
    log = search_from_file(site, page_path, "xylophonequasar", "Nested page")
    assert log.requests, "request recording is broken"
    assert all(u.startswith("file://") for u in log.requests), log.requests
    assert log.external_requests == []
    assert log.errors == []


@pytest.mark.browser
def test_non_english_search_loads_lunr_languages_via_import_scripts(site_de: Path) -> None:
    log = search_from_file(site_de, "sub/page.html", "zanzibarquux", "Sub page")
    loaded = [u for u in log.requests if "/assets/javascripts/lunr/" in u]
    assert any(u.endswith("/lunr/min/lunr.de.min.js") for u in loaded), log.requests
    assert log.external_requests == []
    assert log.errors == []


@pytest.mark.browser
def test_chinese_search_loads_lunr_zh_via_the_shim_and_finds_a_word(site_zh: Path) -> None:
    """With lang zh, the worker loads lunr.zh through the shim, and a word jieba cut out of
    a sentence at build time (客户端 in 代理会保存客户端的会话) is found from file://."""
    index = (site_zh / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "\\u200b\\u5ba2\\u6237\\u7aef\\u200b" in index or "\u200b客户端\u200b" in index
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site_zh / "sub" / "page.html").as_uri())
        query = page.locator("input.md-search__input")
        query.click()
        hit = page.locator(".md-search-result__list li", has_text="子页面").first
        for _ in range(30):  # typed again until the index, loading meanwhile, answers
            query.fill("客户端")
            query.press("End")  # Material reads the box on a key event
            try:
                hit.wait_for(timeout=1_000)
                break
            except Exception:  # noqa: BLE001 (Playwright's timeout)
                continue
        assert "客户端" in hit.inner_text()
    loaded = [u for u in log.requests if "/assets/javascripts/lunr/" in u]
    assert any(u.endswith("/lunr/min/lunr.zh.min.js") for u in loaded), log.requests
    assert all(u.startswith("file://") for u in log.requests) and log.external_requests == []
    assert log.errors == []
