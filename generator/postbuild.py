"""What every page of a built site gets once the engine (MkDocs or Zensical) is done.

- The blocks set aside before the engine ran (schema trees, examples, curls; see
  render.py) are put back.
- A Content-Security-Policy meta comes first in <head>, and no inline script runs:
  the theme writes a few small inline scripts into every page; those, and only those,
  are moved into files named by their content's hash, so `script-src 'self'` holds
  without hashes or 'unsafe-inline'. Any other inline script can only have come from
  spec text that escaped escaping, or from a hand-written page: it is dropped, and the
  build warns.
- The deep-link script runs from <head>, and the theme's own scripts are deferred, so
  that a linked operation is on screen with the first paint (see deep-link.js). It,
  the polyfills and the theme's inline scripts of <head> are one file: the first paint
  waits for one request, not four.
- The navigation and the table of contents come after the content in the HTML, and
  the stylesheet shows them where the theme does: a browser parses, lays out and
  paints the content (and a linked operation in it) before some 25 KB of navigation.
  Screen readers and the Tab key meet the content first, as a skip link would lead
  them. A page whose layout is not the theme's as expected is left as it is.

This is a pass over the finished files, not an engine plugin, so it works the same
after either engine.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

from .render import put_back

INLINE_FOLDER = "assets/javascripts/inline"
# Scripts only from the site itself, no plugins, no base or form redirection.
# connect-src stays open to http(s) so the Try-it panel can reach the node a reader
# chooses; `serve` narrows it to its own origin with a header.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self' http: https:; frame-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)
THEME_CONFIG = '<script id="__config"'

# how the theme's own inline scripts begin (mkdocs-material 9); a theme upgrade that
# changes them shows up as build warnings, which the tests treat as failures
THEME_SCRIPTS = (
    '__md_scope=new URL("',
    'var palette=__md_get("__palette")',
    "var target=document.getElementById(location.hash.slice(1))",
)
# a <script> with no src and no type, or a JavaScript type (JSON data blocks stay)
SCRIPT_SRC = re.compile(r'<script src="(?P<src>[^"]+)"></script>')
INLINE_SCRIPT = re.compile(
    r'<script(?P<attrs>(?:\s+type="(?:text|application)/javascript")?)>(?P<code>.*?)</script>', re.S
)


MAIN_INNER = re.compile(r'<div class="md-main__inner(?P<classes>[^"]*)">')
PRIMARY_SIDEBAR = '<div class="md-sidebar md-sidebar--primary"'
SECONDARY_SIDEBAR = '<div class="md-sidebar md-sidebar--secondary"'
CONTENT = '<div class="md-content"'
DIV_TAG = re.compile(r"<div[\s>]|</div\s*>")
HIDDEN = re.compile(r"\shidden[\s=>]")

NOT_FOUND = "<h1>404 - Not found</h1>"  # the theme's 404 page says it in English whatever its language


def finish_site(
    site_dir: Path, slots: dict[str, dict[str, str]], head_scripts: tuple[str, ...], not_found: str = "404 - Not found"
) -> tuple[int, list[str]]:
    """Finish every HTML page under `site_dir`; returns how many there were, and warnings.

    `slots` holds the set-aside blocks by the page's source path inside docs_dir;
    `head_scripts` are the site's own scripts for <head> (the deep-link script first),
    as paths inside the site; `not_found` is what the 404 page's heading says, in the
    site's language.
    """
    pages, warnings = 0, []
    ours = {path: (site_dir / path).read_text(encoding="utf-8") for path in head_scripts if (site_dir / path).is_file()}
    for path in sorted(site_dir.rglob("*.html")):
        url = path.relative_to(site_dir).as_posix()
        pages += 1
        html = path.read_text(encoding="utf-8")
        blocks = slots.get(url[: -len(".html")] + ".md")
        if blocks:
            html = put_back(html, blocks)
        page_url = None if url == "404.html" else url  # 404.html is served from any path
        if page_url is None:
            html = html.replace(NOT_FOUND, f"<h1>{escape(not_found)}</h1>", 1)
        html = _one_head_script(html, page_url, site_dir, ours)
        html = content_first(html)
        dropped: list[str] = []
        html = externalize_scripts(html, page_url, site_dir, dropped)
        warnings += [f"{url}: dropped an inline script that is not the theme's: {code!r}" for code in dropped]
        path.write_text(html, encoding="utf-8")
    return pages, warnings


def content_first(html: str) -> str:
    """`html` with the theme's sidebars moved from before the content to just after it.

    The main area's classes then say which sidebars are shown (`ead-late-nav`,
    `ead-late-toc`): apidocs.css puts them back in their columns and keeps those
    columns free while the page loads. Unless the main area is exactly what the theme
    writes (sidebars first, then the content, each a whole element), nothing changes.
    """
    inner = MAIN_INNER.search(html)
    if inner is None:
        return html
    start = html.find(PRIMARY_SIDEBAR, inner.end())
    content = html.find(CONTENT, inner.end())
    if start < 0 or content < start or html[inner.end() : start].strip():
        return html
    sidebars = html[start:content]
    content_end = next((end for depth, end in _depths(html, content) if depth == 0), 0)
    main_end = html.find("</main>", content_end) if content_end else -1
    after = [depth for depth, _ in _depths(html, content_end, main_end)] if main_end > 0 else []
    # after the content, whole elements at most, then the main area's </div> just before </main>
    if not (_whole_elements(sidebars) and after[-1:] == [-1] and min(after[:-1], default=0) >= 0):
        return html
    late = []
    for opening, name in ((PRIMARY_SIDEBAR, "ead-late-nav"), (SECONDARY_SIDEBAR, "ead-late-toc")):
        at = sidebars.find(opening)
        if at >= 0 and not HIDDEN.search(sidebars[at : sidebars.index(">", at) + 1]):
            late.append(name)
    opening = f'<div class="md-main__inner{inner["classes"]} {" ".join(late)}">' if late else inner.group(0)
    return (
        html[: inner.start()] + opening + html[inner.end() : start]
        + html[content:content_end] + sidebars.strip() + html[content_end:]
    )


def _depths(html: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """For each <div> and </div> from `start` (to `end`): how deep the nesting is after
    it, counted from `start`, and where the tag ends."""
    depth = 0
    for tag in DIV_TAG.finditer(html, start, len(html) if end is None else end):
        depth += -1 if tag.group(0).startswith("</") else 1
        yield depth, tag.end()


def _whole_elements(fragment: str) -> bool:
    """True when `fragment` is a sequence of whole <div> elements, none left open or closed twice."""
    depths = [depth for depth, _ in _depths(fragment)]
    return depths[-1:] == [0] and min(depths) >= 0 and fragment.rstrip().endswith("</div>")


def _link(page_url: str | None, target: str) -> str:
    return f"/{target}" if page_url is None else relative(page_url, target)


def _one_head_script(html: str, page_url: str | None, site_dir: Path, ours: dict[str, str]) -> str:
    """The CSP meta first in <head>, then one script: ours (`ours`: the deep-link script
    first, then the polyfills, by path) and the theme's inline scripts of <head>, in one
    file named by its content, so the first paint waits for one file, not four. The
    theme's other scripts are deferred."""
    end = html.find("</head>")
    if end < 0:
        return html
    head, body = html[:end], html[end:]
    codes = list(ours.values())
    links = {_link(page_url, path) for path in ours}
    head = SCRIPT_SRC.sub(lambda m: "" if m.group("src") in links else m.group(0), head)

    def theme_in(match: re.Match[str]) -> str:
        code = match.group("code")
        if code.lstrip().startswith(THEME_SCRIPTS):
            codes.append(code)
            return ""
        return match.group(0)  # not the theme's: externalize_scripts drops it and warns

    head = INLINE_SCRIPT.sub(theme_in, head)
    combined = "".join(code.rstrip() + "\n;\n" for code in codes)
    name = "head-" + hashlib.sha256(combined.encode()).hexdigest()[:16] + ".js"
    target = site_dir / INLINE_FOLDER / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(combined, encoding="utf-8")
    first = (
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        f'<script src="{_link(page_url, f"{INLINE_FOLDER}/{name}")}"></script>'
    )
    html = HEAD.sub(lambda m: m.group(0) + first, head, count=1) + body
    at = html.rfind(THEME_CONFIG)
    if at >= 0:
        html = html[:at] + html[at:].replace("<script src=", "<script defer src=")
    return html


def externalize_scripts(html: str, page_url: str | None, site_dir: Path, dropped: list[str] | None = None) -> str:
    """`html` with each inline script replaced by a script file under the site.

    `page_url` is the page's site-relative URL; None for pages served from any path
    (404.html), which refer to the site root absolutely.
    """

    def move(match: re.Match[str]) -> str:
        code = match.group("code")
        if not code.strip():
            return ""
        if not code.lstrip().startswith(THEME_SCRIPTS):
            if dropped is not None:
                dropped.append(code.strip()[:60])
            return ""
        name = hashlib.sha256(code.encode()).hexdigest()[:16] + ".js"
        target = site_dir / INLINE_FOLDER / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code, encoding="utf-8")
        src = f"/{INLINE_FOLDER}/{name}" if page_url is None else relative(page_url, f"{INLINE_FOLDER}/{name}")
        return f'<script src="{src}"></script>'

    return INLINE_SCRIPT.sub(move, html)


def relative(page_url: str, target: str) -> str:
    """`target` (site-relative) as seen from the page at `page_url` (site-relative)."""
    base = posixpath.dirname(page_url) or "."
    return posixpath.relpath(target, base)
