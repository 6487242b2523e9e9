"""The version selector in Chromium: three versions of the sample (see versioned.py),
built by `emqx-apidocs serve --spec LABEL=PATH ...`, opened from file:// and through
that server; with the keyboard; every target its script chooses; axe-core, light and dark.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import PageLog, chromium_page
from servers import free_port, running
from support import PROJECT_ROOT, need
from test_accessibility import AXE, LAY_OUT_ALL, RUN_AXE, TAGS, report, serious
from versioned import MIDDLE, NEWEST, OLDEST, broken, sample_versions, selector_data

pytestmark = pytest.mark.browser
SELECTOR = "details.ead-version"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(the site folder, the URL `serve` answers at), `serve` having built the site."""
    folder = tmp_path_factory.mktemp("versions-browser")
    specs = sample_versions(folder)
    port = free_port()
    command = [sys.executable, "-m", "generator", "serve", "-q", "--port", str(port), "--site", str(folder / "site"),
               *(x for label, path in specs.items() for x in ("--spec", f"{label}={path}"))]
    with running(command, port, folder / "serve.log", cwd=PROJECT_ROOT) as url:
        yield folder / "site", url


def address(served, transport: str, rel: str) -> str:
    site, url = served
    page, _, fragment = rel.partition("#")
    base = (site / page).as_uri() if transport == "file" else f"{url}/{page}"
    return base + (f"#{fragment}" if fragment else "")


def where(served, transport: str, href: str) -> str:
    """A URL of the site as `LABEL/page#fragment`."""
    site, url = served
    parts = urlsplit(href)
    path = unquote(parts.path)
    rel = Path(path).relative_to(site.resolve()).as_posix() if transport == "file" else path.lstrip("/")
    return rel + (f"#{parts.fragment}" if parts.fragment else "")


def choose(page, label: str) -> None:
    page.locator(f"{SELECTOR} > summary").click()
    link = page.locator(f'{SELECTOR} a[data-ead-version="{label}"]')
    link.wait_for()
    with page.expect_navigation():
        link.click()


@pytest.mark.parametrize("transport", ["file", "serve"])
@pytest.mark.parametrize(("start", "label", "lands"), [
    # the same operation in an older version, on the same page
    (f"{MIDDLE}/reference/clients.html#get-clients", OLDEST, f"{OLDEST}/reference/clients.html#get-clients"),
    # the same operation, on another page there (its tag changed)
    (f"{OLDEST}/reference/subscriptions.html#get-subscriptions", NEWEST,
     f"{NEWEST}/reference/clients.html#get-subscriptions"),
    # an operation the older version lacks: the same page there
    (f"{NEWEST}/reference/clients.html#put-clients-clientid-keepalive", OLDEST, f"{OLDEST}/reference/clients.html"),
    # a page the newer version lacks: its home page
    (f"{MIDDLE}/reference/status.html#get-status", NEWEST, f"{NEWEST}/index.html"),
])
def test_switching_versions_on_a_deep_link(served, transport: str, start: str, label: str, lands: str) -> None:
    """The selector keeps the reader on the operation where the other version has it,
    from file:// as through `serve`, and the operation is on screen when it opens."""
    log = PageLog()
    with chromium_page(log) as page:
        page.goto(address(served, transport, start))
        choose(page, label)
        assert where(served, transport, page.url) == lands
        fragment = urlsplit(page.url).fragment
        if fragment:
            heading = page.locator(f"h2#{fragment}")
            heading.wait_for()
            box = heading.bounding_box()
            assert box is not None and 0 <= box["y"] < page.viewport_size["height"], box
        assert page.locator(f'{SELECTOR} a[aria-current="page"]').text_content().startswith(label)
    assert log.errors == [] and log.external_requests == [], (log.errors, log.external_requests)


def test_the_selector_follows_the_operation_being_read(served) -> None:
    """Without a fragment in the address, or after scrolling by hand away from the one
    it named, the operation whose heading was scrolled past last."""
    log = PageLog()
    with chromium_page(log) as page:
        page.goto(address(served, "file", f"{MIDDLE}/reference/clients.html"))
        older = page.locator(f'{SELECTOR} a[data-ead-version="{OLDEST}"]')
        page.locator(f"{SELECTOR} > summary").click()
        assert where(served, "file", older.evaluate("a => a.href")) == f"{OLDEST}/reference/clients.html"
        page.locator(f"{SELECTOR} > summary").click()
        # operations off screen are laid out as they come near (content-visibility: auto),
        # which moves what is below them: scroll, let the layout settle, scroll again
        for _ in range(2):
            page.evaluate("() => document.getElementById('delete-clients-clientid').scrollIntoView()")
            page.wait_for_timeout(300)
        page.evaluate("() => history.replaceState(null, '', location.pathname)")  # the theme may have set one
        page.locator(f"{SELECTOR} > summary").click()
        assert where(served, "file", older.evaluate("a => a.href")) == \
            f"{OLDEST}/reference/clients.html#delete-clients-clientid"
        # opened on a deep link, then scrolled by hand to another operation: that one
        page.goto(address(served, "file", f"{MIDDLE}/reference/clients.html#get-clients"))
        for _ in range(4):  # the wheel, until the heading stays near the top as the layout settles
            offset = page.evaluate("document.getElementById('delete-clients-clientid').getBoundingClientRect().top")
            page.mouse.move(600, 400)
            page.mouse.wheel(0, offset - 120)
            page.wait_for_timeout(300)
        page.locator(f"{SELECTOR} > summary").click()
        assert where(served, "file", older.evaluate("a => a.href")) == \
            f"{OLDEST}/reference/clients.html#delete-clients-clientid"
    assert log.errors == [] and log.external_requests == []


def test_the_selector_with_the_keyboard(served) -> None:
    """A disclosure: Enter opens it, Tab reaches the links, Escape closes it and gives the
    focus back, Enter on a link goes there."""
    log = PageLog()
    with chromium_page(log) as page:
        page.goto(address(served, "file", f"{NEWEST}/reference/clients.html#get-clients-clientid"))
        summary = page.locator(f"{SELECTOR} > summary")
        summary.focus()
        assert page.evaluate("document.activeElement.textContent").split() == ["Version", NEWEST]
        page.keyboard.press("Enter")
        assert page.locator(SELECTOR).evaluate("d => d.open")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.eadVersion") == NEWEST
        page.keyboard.press("Escape")
        assert not page.locator(SELECTOR).evaluate("d => d.open")
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.eadVersion") == MIDDLE
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert where(served, "file", page.url) == f"{MIDDLE}/reference/clients.html#get-clients-clientid"
    assert log.errors == [] and log.external_requests == []


# Every operation heading of a page in turn: followed as a link within the page (the
# browser scrolls to it), the selector opens, each version's link is read as the script set it.
TARGETS = """async () => {
  const details = document.querySelector('details.ead-version');
  const found = [];
  for (const heading of document.querySelectorAll('h2.ead-h[id]')) {
    location.hash = heading.id;
    await new Promise(done => setTimeout(done, 0));  // hashchange comes as a task
    details.open = false;
    details.open = true;
    await new Promise(done => setTimeout(done, 0));  // the toggle event comes as a task
    for (const a of details.querySelectorAll('a[data-ead-version]')) found.push([heading.id, a.dataset.eadVersion, a.href]);
  }
  details.open = false;
  return found;
}"""


def test_every_target_the_script_chooses_resolves(served) -> None:
    """On every tag page of every version, for every operation, every version's link as
    the script sets it names a file that exists and an anchor that exists in it: the same
    operation where that version has it (versions-data.js says where), else a page."""
    site, _ = served
    problems, checked, same = [], 0, 0
    log = PageLog()
    with chromium_page(log) as page:
        for label in (OLDEST, MIDDLE, NEWEST):
            data = selector_data(site, label)
            for tag_page in sorted((site / label / "reference").glob("*.html")):
                page.goto(tag_page.as_uri())
                for anchor, other, href in page.evaluate(TARGETS):
                    parts = urlsplit(href)
                    checked += 1
                    why = broken(site, Path(unquote(parts.path)).resolve(), unquote(parts.fragment))
                    expected = data["operations"][data["anchors"][anchor]].get(other)
                    if expected is not None:
                        same += 1
                        if where(served, "file", href) != f"{other}/{expected}":
                            why = f"not the same operation, which is at {other}/{expected}"
                    elif parts.fragment:
                        why = f"{other} has no such operation, yet the link names #{parts.fragment}"
                    if why:
                        problems.append(f"{label}/{tag_page.name}#{anchor}: {href} ({why})")
    assert problems == [] and checked > 150 and same > 120, (problems[:20], checked, same)
    assert log.errors == [] and log.external_requests == []


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 1280), ("dark", 390)])
def test_no_serious_accessibility_violations_with_versions(served, scheme: str, width: int) -> None:
    """axe-core on an operation page with its change list and the selector open, and on a
    What-changed page, in both schemes."""
    need(AXE.is_file(), "axe-core is not installed (cd tests/axe && npm install)")
    source = AXE.read_text(encoding="utf-8")
    log = PageLog()
    failures = []
    with chromium_page(log) as page:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size({"width": width, "height": 900})
        for rel in (f"{MIDDLE}/reference/clients.html", f"{NEWEST}/reference/what-changed.html",
                    f"{MIDDLE}/reference/status.html"):
            page.goto(address(served, "file", rel))
            assert page.evaluate("document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
            page.evaluate("() => document.querySelectorAll('details.ead-vchanges').forEach(d => { d.open = true; })")
            page.locator(f"{SELECTOR} > summary").click()
            page.add_style_tag(content=LAY_OUT_ALL)
            page.evaluate(source)
            failures.append(report(rel, serious(page.evaluate(RUN_AXE, TAGS))))
    failures = [f for f in failures if f]
    assert not failures, f"serious or critical axe-core violations ({scheme}, {width} px):\n" + "\n".join(failures)
    assert log.errors == [] and log.external_requests == [], (log.errors, log.external_requests)
