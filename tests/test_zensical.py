"""CE 5.8.1 built with `--engine zensical`: every operation and anchor, a clean offline
site, search by path from file://, and one Try-it request through `serve` to Prism."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys

import pytest
from browser import PageLog, chromium_page
from servers import prism, prism_spec, serve
from sitecheck import check_reference
from support import PROJECT_ROOT, need, shared_spec

EXTERNAL = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)
# Zensical's search dialog lives in a shadow root; its text is what a reader sees
SEARCH_TEXT = """() => {
  const host = [...document.querySelectorAll('body > div')].find(e => e.shadowRoot);
  return host ? host.shadowRoot.textContent.replace(/\\s+/g, ' ') : '';
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(spec, site, stderr of the build)."""
    need(importlib.util.find_spec("zensical") is not None,
         "Zensical is not installed (pip install 'emqx-apidocs[zensical]'; bash .ci/run installs it)")
    spec = shared_spec("emqx-ce-5.8.1-en.json")
    site = tmp_path_factory.mktemp("zensical") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--engine", "zensical", "--spec", str(spec), "--site", str(site)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return spec, site, run.stderr


@pytest.mark.shared
def test_every_operation_anchor_curl_and_panel(built):
    spec, site, stderr = built
    assert "zensical" in stderr and "warning" not in stderr.lower(), stderr
    check_reference(site, spec)
    for guide in ("authentication", "roles", "pagination", "status-codes", "errors"):
        assert (site / "guides" / f"{guide}.html").is_file()
    assert (site / "reference" / "spec-health.html").is_file()


@pytest.mark.shared
def test_pages_are_local_with_the_csp_and_no_inline_script(built):
    _, site, _ = built
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(site)
        assert not EXTERNAL.search(text), f"{where} loads from another host"
        assert text.count('<meta http-equiv="Content-Security-Policy"') == 1, where
        inline = [m for m in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text) if "application/json" not in m]
        assert inline == [], f"{where} has inline scripts"
        assert "unpkg.com" not in text and "fonts.googleapis" not in text, where
        # the finishing pass reads Zensical's layout as the theme's: the sidebars follow the content
        assert 'class="md-main__inner md-grid ead-late-nav ead-late-toc"' in text, where
        assert text.index('<div class="md-content"') < text.index('<div class="md-sidebar md-sidebar--primary"'), where
    assert (site / "search.js").is_file()  # Zensical's index, as a script for file://


@pytest.mark.shared
@pytest.mark.browser
def test_search_finds_an_operation_by_its_path_from_file(built):
    _, site, _ = built
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site / "reference" / "subscriptions.html").as_uri())
        page.click(".md-search__button")
        page.keyboard.type("/clients/{clientid}/subscribe", delay=10)
        page.wait_for_function(f"() => ({SEARCH_TEXT})().includes('POST /clients/{{clientid}}/subscribe')", timeout=15000)
        assert "GET /clients/{clientid}" in page.evaluate(SEARCH_TEXT)
    assert log.external_requests == [] and log.errors == [], (log.external_requests, log.errors)


@pytest.mark.shared
@pytest.mark.browser
def test_try_it_through_serve_against_prism(built, tmp_path):
    spec, site, _ = built
    copy = prism_spec(spec, tmp_path / "prism-spec.json")
    log = PageLog()
    with prism(copy, tmp_path / "prism.log") as upstream, serve(site, upstream, tmp_path / "serve.log") as url:
        with chromium_page(log) as page:
            sent = []
            page.on("request", lambda r: sent.append(r) if "/api/v5/" in r.url else None)
            page.goto(f"{url}/reference/clients.html#get-clients-clientid")
            section = page.locator("h2#get-clients-clientid + div.ead-op section.ead-try")
            section.locator("summary", has_text="Try it").click()
            section.get_by_label("API key").fill("zen-key")
            section.get_by_label("Secret key").fill("zen-secret")
            section.get_by_label("clientid *").fill("dev/7")
            section.locator("button[type=submit]").click()
            status = section.locator(".ead-try-status")
            status.wait_for()
            assert status.inner_text().startswith("200"), status.inner_text()
            assert sent[-1].url == f"{url}/api/v5/clients/dev%2F7"
            headers = section.locator(".ead-try-headers code").text_content()
            line = next((l for l in headers.splitlines() if l.startswith("sl-violations: ")), None)
            violations = json.loads(line.split(": ", 1)[1]) if line else []
            assert [v for v in violations if v.get("location", [""])[0] == "request"] == []
            # the code tabs work under Zensical too: Python chosen in the panel shows on the page
            section.locator('.ead-try-curl [role="tab"][data-ead-lang="python"]').click()
            assert "/api/v5/clients/dev%2F7" in section.locator(".ead-try-curl code.language-python").inner_text()
            page.goto(f"{url}/reference/publish.html")
            page.locator('section.ead-code > [data-ead-lang="python"]').first.wait_for(state="visible")
            assert page.locator('section.ead-code > [data-ead-lang="bash"]').first.is_hidden()
    assert log.external_requests == [], log.external_requests


def test_a_site_in_both_languages_with_zensical(tmp_path):
    """`--engine zensical --lang en --lang zh`: both folders, each page's selector leads
    to the same page in the other language."""
    need(importlib.util.find_spec("zensical") is not None,
         "Zensical is not installed (pip install 'emqx-apidocs[zensical]'; bash .ci/run installs it)")
    site = tmp_path / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--engine", "zensical", "--lang", "en", "--lang", "zh",
         "--site", str(site)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    for code, other in (("en", "zh"), ("zh", "en")):
        html = (site / code / "reference" / "clients.html").read_text(encoding="utf-8")
        assert f'<html lang="{code}"' in html
        assert f'<a href="../../{other}/reference/clients.html" data-ead-version="{other}"' in html
