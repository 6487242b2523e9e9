"""The one path untrusted spec text takes into HTML, Markdown headings and inline JSON."""

from __future__ import annotations

import json
import re
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h4", "h5",
    "h6", "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
PLAIN = re.compile(r"[^`*_\[\]<>&#!\\|~\n]*")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|])")

_md = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"], output_format="html")


@lru_cache(maxsize=65536)
def markdown_html(text: str) -> Markup:
    """Spec Markdown (which may hold HTML such as EMQX's <br/>) as safe HTML."""
    if not text or not text.strip():
        return Markup("")
    if PLAIN.fullmatch(text):
        return Markup(f"<p>{escape(text.strip())}</p>")
    _md.reset()
    html = _md.convert(text)
    return Markup(clean_html(html))


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def inline_html(text: str) -> Markup:
    """Spec Markdown for an inline spot (a table cell): block wrappers removed."""
    html = str(markdown_html(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def markdown_text(text: str) -> Markup:
    """Plain text made inert for a Markdown line, e.g. a heading: no markup survives."""
    flat = " ".join(str(text).split())
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", flat).replace("&", "&amp;")
    return Markup(escaped)


def breakable(text: str, sep: str = "/", *, markdown: bool = False) -> Markup:
    """An identifier (a path, an error code) escaped for HTML, or made inert for a
    Markdown line, with a <wbr> before each `sep` after the first character: where it
    must break, it breaks at a separator, never inside a word."""
    inert = markdown_text if markdown else escape
    parts = [str(inert(part)) for part in str(text).split(sep)]
    joined = ("<wbr>" + str(inert(sep))).join(parts)
    return Markup(joined.removeprefix("<wbr>"))


def script_json(value: object) -> Markup:
    """JSON safe inside <script type="application/json">: no '<', '>', '&' or line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    for raw, safe in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, safe)
    return Markup(text)


THEME_SAFE = str.maketrans({"<": "‹", ">": "›", "&": "＆", '"': "”", "'": "’", "`": "‘"})


def theme_text(text: str) -> str:
    """Text for the places the theme prints without escaping (site name, page and nav
    titles), some after `striptags`, which turns entities back into markup: markup
    characters are replaced by look-alikes, so no escaping context can revive them."""
    flat = " ".join(str(text).split())
    return "".join(ch for ch in flat if ch.isprintable()).translate(THEME_SAFE)
