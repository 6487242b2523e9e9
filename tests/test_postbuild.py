"""The pass over finished pages: the sidebars after the content, or the page untouched."""

from __future__ import annotations

import re

from generator.postbuild import content_first

NAV = (
    '<div class="md-sidebar md-sidebar--primary" data-md-component="sidebar" data-md-type="navigation"{hidden}>\n'
    '  <div class="md-sidebar__scrollwrap"><nav>Overview</nav></div>\n</div>\n'
)
TOC = (
    '<div class="md-sidebar md-sidebar--secondary" data-md-component="sidebar" data-md-type="toc"{hidden}>\n'
    '  <div class="md-sidebar__scrollwrap"><nav>On this page</nav></div>\n</div>\n'
)
CONTENT = '<div class="md-content" data-md-component="content"><article><div class="ead-op">GET</div></article></div>'
TAIL = '\n<script src="x.js"></script>\n</div>\n<button class="md-top">Back</button>\n</main>'


def tokens(html: str) -> list[str]:
    """The tags and words of `html`, sorted: equal when only their order differs."""
    return sorted(re.findall(r"<[^>]*>|[^<>\s]+", html))


def page(sidebars: str, content: str = CONTENT) -> str:
    return f'<main class="md-main"><div class="md-main__inner md-grid">\n  {sidebars}{content}{TAIL}'


def test_the_sidebars_follow_the_content_and_the_main_area_says_which() -> None:
    html = page(NAV.format(hidden="") + TOC.format(hidden=""))
    moved = content_first(html)
    assert moved.index(CONTENT) < moved.index("md-sidebar--primary") < moved.index("md-sidebar--secondary")
    assert moved.index("md-sidebar--secondary") < moved.index('<script src="x.js">')
    assert '<div class="md-main__inner md-grid ead-late-nav ead-late-toc">' in moved
    # nothing lost, nothing added but the two classes
    assert tokens(moved.replace(" ead-late-nav ead-late-toc", "")) == tokens(html)


def test_a_hidden_or_missing_sidebar_keeps_no_column() -> None:
    hidden_toc = content_first(page(NAV.format(hidden="") + TOC.format(hidden=" hidden")))
    assert '<div class="md-main__inner md-grid ead-late-nav">' in hidden_toc
    assert hidden_toc.index(CONTENT) < hidden_toc.index("md-sidebar--secondary")
    integrated_toc = content_first(page(NAV.format(hidden="")))  # toc.integrate: no second sidebar
    assert '<div class="md-main__inner md-grid ead-late-nav">' in integrated_toc
    both_hidden = content_first(page(NAV.format(hidden=" hidden") + TOC.format(hidden=" hidden")))
    assert '<div class="md-main__inner md-grid">' in both_hidden
    assert both_hidden.index(CONTENT) < both_hidden.index("md-sidebar--primary")


def test_a_layout_that_is_not_the_themes_is_left_as_it_is() -> None:
    sidebars = NAV.format(hidden="") + TOC.format(hidden="")
    odd = [
        page("<p>a banner</p>" + sidebars),  # something before the sidebars
        page(sidebars.replace("</nav></div>\n</div>", "</nav></div>", 1)),  # a sidebar left open
        page(sidebars, CONTENT.replace("</article></div>", "</article>")),  # content never closed
        page(sidebars, CONTENT + "</div></div>"),  # closes more than it opened
        page(sidebars, CONTENT.replace("<article>", "<article><div>")),  # a <div> of a page left open
        page(TOC.format(hidden=""), CONTENT),  # no navigation sidebar
        CONTENT,  # no main area at all
    ]
    for html in odd:
        assert content_first(html) == html
    once = content_first(page(sidebars))
    assert content_first(once) == once
