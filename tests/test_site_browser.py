"""The built site in real headless Chromium, opened from file:// with no network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from urllib.parse import urlsplit
from browser import PageLog, chromium_page
from support import PROJECT_ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site of the bundled default spec."""
    out = tmp_path_factory.mktemp("browser") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--site", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return out


def search(page, words: str):
    query = page.locator("input.md-search__input")
    query.click()
    query.press_sequentially(words)
    results = page.locator(".md-search-result__list li")
    results.first.wait_for(timeout=15_000)
    return results


@pytest.mark.browser
@pytest.mark.parametrize(
    ("words", "anchor"),
    [
        ("mqueue_messages", "get-clients-clientid-mqueue-messages"),  # a word of the path
        ("evacuate", None),  # not in the sample: no result expected
        ("kick out", "delete-clients-clientid"),  # words of the description
    ],
)
def test_search_finds_operations_offline(site: Path, words: str, anchor: str | None) -> None:
    """Search from file:// finds an operation by its path and by its description."""
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site / "reference" / "status.html").as_uri())
        if anchor is None:
            query = page.locator("input.md-search__input")
            query.click()
            query.press_sequentially(words)
            page.locator(".md-search-result__meta").filter(has_text="No matching").wait_for(timeout=15_000)
        else:
            search(page, words)
            wanted = page.locator(f'.md-search-result__list a[href$="#{anchor}"]')
            wanted.first.wait_for(state="attached", timeout=15_000)  # results settle as the words are typed
            links = [urlsplit(h) for h in page.eval_on_selector_all(".md-search-result__list a", "els => els.map(e => e.href)")]
            assert any(u.path.endswith("/reference/clients.html") and u.fragment == anchor for u in links), links
    assert log.external_requests == [], log.external_requests
    assert all(u.startswith("file://") for u in log.requests), log.requests
    assert log.errors == [], log.errors


@pytest.mark.browser
def test_deep_link_shows_the_operation_with_a_copyable_curl(site: Path) -> None:
    """A deep link scrolls to its operation; the curl block has Material's copy button."""
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site / "reference" / "clients.html").as_uri() + "#get-clients-clientid")
        heading = page.locator("h2#get-clients-clientid")
        heading.wait_for()
        assert heading.is_visible() and heading.inner_text().startswith("GET /clients/{clientid}")
        box = heading.bounding_box()
        assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
        section = page.locator(".ead-op").nth(1)
        curl = section.locator(':scope > section.ead-code [data-ead-lang="bash"] pre code')
        assert curl.inner_text().startswith('curl -sS -X GET "${EMQX_URL:-http://localhost:18083}/api/v5/clients/')
        assert section.locator(':scope > section.ead-code [data-ead-lang="bash"] button[data-md-type=copy]').count() == 1
        # while the operation was sought, those before it were not laid out; found, all are
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.classList.contains('ead-seeking')") is False
        first = page.locator(".ead-op").first
        first.scroll_into_view_if_needed()
        assert first.evaluate("e => getComputedStyle(e).contentVisibility") == "auto" and first.is_visible()
    assert log.external_requests == [] and log.errors == [], (log.external_requests, log.errors)


# Records each change of the page's "seeking" state (deep-link.js), from before its scripts run.
SEEKING_WATCH = """window.__seeking = [];
new MutationObserver(() => {
  const now = document.documentElement.classList.contains('ead-seeking');
  if (window.__seeking[window.__seeking.length - 1] !== now) window.__seeking.push(now);
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['class'] });"""


@pytest.mark.browser
def test_a_deep_link_to_nothing_leaves_every_operation_shown(site: Path) -> None:
    """A fragment no element has (a stale link): once the page is parsed, it stops
    being sought and no operation stays hidden."""
    log = PageLog()
    with chromium_page(log) as page:
        page.add_init_script(SEEKING_WATCH)
        page.goto((site / "reference" / "clients.html").as_uri() + "#no-such-operation", wait_until="domcontentloaded")
        assert page.evaluate("window.__seeking") == [True, False]  # sought while parsed, then given up
        first = page.locator(".ead-op").first
        assert first.evaluate("e => getComputedStyle(e).contentVisibility") == "auto" and first.is_visible()
    assert log.external_requests == [] and log.errors == [], (log.external_requests, log.errors)


def test_every_sample_is_in_the_page_as_built(site: Path) -> None:
    """With no script, each operation shows curl, Python and JavaScript, each captioned;
    only the tab list (useless without script) starts hidden."""
    html = (site / "reference" / "publish.html").read_text(encoding="utf-8")
    assert html.count('<div class="ead-tabs" role="tablist"') == html.count('class="ead-op ') == 2
    assert html.count('role="tablist" aria-label="Language of the example" hidden>') == 2
    for lang in ("bash", "python", "javascript"):
        assert html.count(f'<div class="ead-sample" id="post-publish--{lang}" data-ead-lang="{lang}"><p class="ead-cap">') == 1
        assert html.count(f'<pre><code class="language-{lang}">') == 2


@pytest.mark.browser
def test_the_chosen_language_is_kept_across_pages_and_in_try_it(site: Path) -> None:
    """Python picked on one operation: every operation of another page shows Python, its
    tab is the selected one, and Try it shows the same request as Python too."""
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site / "reference" / "clients.html").as_uri())
        first = page.locator(".ead-op").first
        sample = lambda op, lang: op.locator(f':scope > section.ead-code > .ead-sample[data-ead-lang="{lang}"]')  # noqa: E731
        sample(first, "bash").wait_for(state="visible")
        assert sample(first, "python").is_hidden()
        first.locator(':scope > section.ead-code [role="tab"][data-ead-lang="python"]').click()
        assert sample(first, "python").is_visible() and sample(first, "bash").is_hidden()
        assert sample(page.locator(".ead-op").nth(3), "python").is_visible()  # the whole page follows
        first.locator(':scope > section.ead-code [role="tab"][data-ead-lang="python"]').press("ArrowRight")  # keys move too
        assert sample(first, "javascript").is_visible() and page.evaluate("document.activeElement.textContent") == "JavaScript"
        page.keyboard.press("ArrowLeft")
        assert sample(first, "python").is_visible() and sample(first, "javascript").is_hidden()
        page.goto((site / "reference" / "publish.html").as_uri())
        for op in page.locator(".ead-op").all():
            sample(op, "python").wait_for(state="visible")
            assert sample(op, "bash").is_hidden() and sample(op, "javascript").is_hidden()
            assert op.locator(':scope > section.ead-code [role="tab"][aria-selected="true"]').text_content() == "Python"
        op = page.locator(".ead-op").first
        op.locator(".ead-try-box > summary").click()
        code = op.locator('.ead-try-curl .ead-sample[data-ead-lang="python"] code')
        code.wait_for(state="visible")
        assert 'base + "/api/v5/publish"' in code.inner_text()
        assert op.locator('.ead-try-curl .ead-sample[data-ead-lang="bash"]').is_hidden()
        op.locator('.ead-try-curl [role="tab"][data-ead-lang="javascript"]').click()  # and back: the page follows
        assert sample(op, "javascript").is_visible()
    assert log.errors == [] and log.external_requests == [], (log.errors, log.external_requests)


@pytest.mark.browser
def test_dark_scheme_applies(site: Path) -> None:
    """The palette toggle switches Material to its dark scheme."""
    with chromium_page() as page:
        page.goto((site / "index.html").as_uri())
        page.locator("label.md-header__button[for^='__palette']").first.click()
        scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert scheme == "slate"


@pytest.mark.browser
def test_roles_matrix_filters_by_text_and_role(site: Path) -> None:
    """The matrix narrows to the operations a role may call and that match the text."""
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site / "guides" / "roles.html").as_uri())
        rows = page.locator("[data-ead-row]:visible")
        total = page.locator("[data-ead-row]").count()
        assert rows.count() == total == 24
        page.select_option("[data-ead-role]", "publisher")
        visible = [r.get_attribute("data-text") for r in rows.all()]
        assert "post /publish publish" in visible and "post /publish/bulk publish" in visible
        assert not any(v.startswith("delete") for v in visible)
        page.fill("[data-ead-filter]", "bulk")
        assert [r.get_attribute("data-text") for r in rows.all()] == ["post /publish/bulk publish"]
        assert page.locator("[data-ead-count]").inner_text() == f"1 of {total} operations"
        page.select_option("[data-ead-role]", "")
        page.fill("[data-ead-filter]", "")
        assert rows.count() == total
    assert log.errors == [] and log.external_requests == []
