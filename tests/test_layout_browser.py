"""How the pages of the CE 5.8.1 site lay out in Chromium: identifiers whole, columns apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import PageLog, chromium_page
from support import shared_spec

from generator.builder import build_model
from generator.knowledge import load_knowledge
from generator.load import load_spec

# Every parameter name of GET /clients, each measured as it is drawn: one box, one line
# high. A name the browser broke (`ip_addres|s`) has two boxes.
NAME_LINES = """() => [...document.querySelectorAll('#get-clients + .ead-op table.ead-params td:first-child code')]
  .map(code => ({
    name: code.textContent,
    boxes: code.getClientRects().length,
    height: code.getBoundingClientRect().height,
    line: parseFloat(getComputedStyle(code).lineHeight),
  }))"""

# The horizontal space between the text of one cell and the text of the next: the
# "In" and "Type" columns, measured on the drawn glyphs, not the cell boxes.
COLUMN_GAPS = """() => [...document.querySelectorAll('#get-clients + .ead-op table.ead-params tbody tr')].map(row => {
  const text = cell => { const r = document.createRange(); r.selectNodeContents(cell); return r.getBoundingClientRect(); };
  const where = text(row.cells[1]), type = text(row.cells[2]);
  return { name: row.cells[0].querySelector('code').textContent, in: row.cells[1].textContent,
           type: row.cells[2].textContent, gap: type.left - where.right };
})"""

SCROLL = """() => {
  const box = document.querySelector('#get-clients + .ead-op .ead-scroll');
  return { page: document.documentElement.scrollWidth, viewport: innerWidth,
           box: box.clientWidth, table: box.scrollWidth };
}"""


def spec_parameters(method: str, path: str) -> list[str]:
    """The parameter names of one CE 5.8.1 operation, from the model, in page order."""
    document = load_spec(str(shared_spec("emqx-ce-5.8.1-en.json"))).document
    model = build_model(document, knowledge=load_knowledge())
    op = next(o for o in model.operations if (o.method, o.path) == (method, path))
    return [p.name for p in op.parameters]


@pytest.mark.browser
@pytest.mark.shared
@pytest.mark.parametrize("width", [390, 1280])
def test_parameter_names_of_get_clients_stay_whole_and_columns_apart(ce_site: Path, width: int) -> None:
    """At 390 and 1280 px every parameter name of GET /clients is one line, "In" and
    "Type" text have room between them, and a table too wide scrolls by itself."""
    log = PageLog()
    with chromium_page(log) as page:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto((ce_site / "reference" / "clients.html").as_uri() + "#get-clients")
        page.locator("#get-clients + .ead-op table.ead-params").wait_for()
        names = page.evaluate(NAME_LINES)
        gaps = page.evaluate(COLUMN_GAPS)
        scroll = page.evaluate(SCROLL)
    assert [n["name"] for n in names] == spec_parameters("GET", "/clients")
    broken = [n for n in names if n["boxes"] != 1 or n["height"] > n["line"] * 1.2]
    assert broken == [], f"parameter names drawn on more than one line at {width} px: {broken}"
    touching = [g for g in gaps if g["gap"] < 8]
    assert touching == [], f"'In' and 'Type' text closer than 8 px at {width} px: {touching}"
    assert scroll["page"] <= scroll["viewport"], f"the page itself scrolls sideways at {width} px: {scroll}"
    if width == 390:
        assert scroll["table"] > scroll["box"], f"the table was squeezed instead of scrolling: {scroll}"
    assert log.errors == [] and log.external_requests == [], (log.errors, log.external_requests)


# Where the content and the two sidebars are drawn, and the content's inner margins.
COLUMNS = """() => {
  const box = sel => { const e = document.querySelector(sel); if (!e) return null;
    const r = e.getBoundingClientRect(); return { left: r.left, right: r.right, width: r.width, shown: r.width > 0 && getComputedStyle(e).display !== 'none' }; };
  const inner = getComputedStyle(document.querySelector('.md-content__inner'));
  return { content: box('.md-content'), nav: box('.md-sidebar--primary'), toc: box('.md-sidebar--secondary'),
           marginLeft: parseFloat(inner.marginLeft), marginRight: parseFloat(inner.marginRight),
           rem: parseFloat(getComputedStyle(document.documentElement).fontSize),
           order: [...document.querySelector('.md-main__inner').children].map(e => e.className.split(' ')[0]) };
}"""


@pytest.mark.browser
@pytest.mark.shared
@pytest.mark.parametrize("width", [1920, 1280, 1000, 390])
def test_sidebars_after_the_content_are_drawn_in_the_themes_columns(ce_site: Path, width: int, tmp_path: Path) -> None:
    """The sidebars follow the content in the HTML (postbuild.content_first) yet are drawn
    where the theme draws them: navigation left, contents right, with the theme's
    margins. And while they are not yet parsed, the content already leaves their columns
    free: a copy of the page cut just after the content lays it out in the same box."""
    page_path = ce_site / "reference" / "clients.html"
    html = page_path.read_text(encoding="utf-8")
    cut = html.index('<div class="md-sidebar md-sidebar--primary"')
    assert html.index('<div class="md-content"') < cut
    partial = tmp_path / "reference" / "clients.html"
    partial.parent.mkdir()
    partial.write_text(html[:cut], encoding="utf-8")  # the parser's view just before the sidebars
    (tmp_path / "assets").symlink_to(ce_site / "assets")
    log = PageLog()
    with chromium_page(log) as page:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(page_path.as_uri())
        page.locator(".md-sidebar--secondary").wait_for(state="attached")
        whole = page.evaluate(COLUMNS)
        page.goto(partial.as_uri())
        page.locator(".md-content").wait_for(state="attached")
        loading = page.evaluate(COLUMNS)
    assert whole["order"][:3] == ["md-content", "md-sidebar", "md-sidebar"], whole["order"]
    content, nav, toc = whole["content"], whole["nav"], whole["toc"]
    if width >= 1220:  # 76.25em: both sidebars in columns beside the content
        assert nav["shown"] and toc["shown"]
        assert nav["right"] <= content["left"] + 0.5 and content["right"] <= toc["left"] + 0.5, whole
        gap = 1.2 * whole["rem"]  # the theme's margin beside a sidebar
        assert whole["marginLeft"] == pytest.approx(gap) and whole["marginRight"] == pytest.approx(gap), whole
    elif width >= 960:  # 60em: the navigation is a drawer, the contents a column
        assert toc["shown"] and content["right"] <= toc["left"] + 0.5, whole
    assert (loading["content"]["left"], loading["content"]["width"]) == (content["left"], content["width"]), (
        f"the content moves when the sidebars arrive at {width} px: {loading['content']} then {content}")
    assert (loading["marginLeft"], loading["marginRight"]) == (whole["marginLeft"], whole["marginRight"])
    assert log.errors == [] and log.external_requests == [], (log.errors, log.external_requests)
