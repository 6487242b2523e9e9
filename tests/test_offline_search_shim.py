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


def build_site(root: Path, search_lang: str | None = None) -> Path:
    """Build the throwaway site into root/site and return that directory."""
    docs = root / "docs"
    for name, text in PAGES.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    (docs / SHIM).parent.mkdir(parents=True, exist_ok=True)
    (docs / SHIM).write_bytes(SHIM_SOURCE.read_bytes())
    search = {"search": {"lang": search_lang}} if search_lang else "search"
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
