"""axe-core on pages of the CE 5.8.1 site in Chromium, light and dark, with Try it open.

axe-core is pinned in tests/axe/package.json and installed by .ci/run
(`cd tests/axe && npm install`). It is evaluated into each page by Playwright, through
the DevTools protocol, which the page's Content-Security-Policy does not govern; the
policy stays on (no bypass_csp), so the pages are checked as readers get them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import PageLog, chromium_page
from support import PROJECT_ROOT, need

AXE = PROJECT_ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PAGES = [
    "index.html",
    "reference/clients.html",  # an operation page, with two Try-it panels open (see TRY_IT)
    "guides/roles.html",
    "guides/errors.html",
    "guides/authentication.html",
    "reference/spec-health.html",
]
# Try-it panels opened before the check: one with query parameters, one with a body.
TRY_IT = {"reference/clients.html": ["get-clients", "post-clients-kickout-bulk"]}
# The theme's own search dialog, <div class="md-search" role="dialog"> in Material's
# partials/search.html, has no accessible name, and the theme has no setting that gives
# it one (only overriding the whole partial, which would shadow a team's custom_dir).
# This one rule on this one element is not ours to fix; anything else fails.
THEME_EXCEPTIONS = {("aria-dialog-name", ".md-search")}

# Operations off screen are skipped by the browser until they come near (content-visibility:
# auto); when axe scrolls to one, the page's layout shifts under its colour sampling and it
# reads a neighbour's code background. Every operation is laid out before the check.
LAY_OUT_ALL = ".ead-op { content-visibility: visible !important; }"
# preload: false, because from file:// axe's fetch of the stylesheets (for its one CSS
# rule, css-orientation-lock, left "incomplete") is refused and logged as a page error.
RUN_AXE = """async tags => {
  const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'],
                                           preload: false });
  return result.violations.map(v => ({ id: v.id, impact: v.impact,
    targets: v.nodes.map(n => n.target.join(' ')) }));
}"""


def serious(violations: list[dict]) -> list[dict]:
    """Serious and critical violations, less the documented theme exception."""
    found = []
    for v in violations:
        if v["impact"] not in ("serious", "critical"):
            continue
        targets = [t for t in v["targets"] if (v["id"], t) not in THEME_EXCEPTIONS]
        if targets:
            found.append({**v, "targets": targets})
    return found


def report(page: str, found: list[dict]) -> str:
    return "\n".join(
        f"  {page}: {v['id']} ({v['impact']}), {len(v['targets'])} elements, e.g. {v['targets'][:3]}" for v in found
    )


@pytest.mark.browser
@pytest.mark.shared
# Both schemes at a desktop width; at a phone's width too, where tables scroll sideways
# and a scrolling region must be reachable by keyboard (colours do not change with width).
@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 1280), ("dark", 390)])
def test_no_serious_accessibility_violations(ce_site: Path, scheme: str, width: int) -> None:
    """No serious or critical axe-core violation (WCAG 2.1 A/AA and best practice) on the
    overview, an operation page with Try it open, and the guides, in either scheme."""
    need(AXE.is_file(), "axe-core is not installed (cd tests/axe && npm install)")
    source = AXE.read_text(encoding="utf-8")
    log = PageLog()
    failures = []
    with chromium_page(log) as page:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size({"width": width, "height": 900})
        for rel in PAGES:
            page.goto((ce_site / rel).as_uri())
            assert page.evaluate("document.body.dataset.mdColorScheme") == ("slate" if scheme == "dark" else "default")
            for anchor in TRY_IT.get(rel, []):
                page.locator(f"#{anchor} + .ead-op details.ead-try-box > summary").click()
                page.locator(f"#{anchor} + .ead-op details.ead-try-box[open] .ead-try-form").wait_for()
            page.add_style_tag(content=LAY_OUT_ALL)
            page.evaluate(source)
            assert page.evaluate("axe.version") == AXE_VERSION
            failures += [report(rel, serious(page.evaluate(RUN_AXE, TAGS)))]
    failures = [f for f in failures if f]
    where = f"the {scheme} scheme at {width} px"
    assert not failures, f"serious or critical axe-core violations in {where}:\n" + "\n".join(failures)
    assert log.errors == [] and log.external_requests == [], (log.errors, log.external_requests)
