"""The one path untrusted spec text takes into HTML, Markdown headings, inline JSON and
the Markdown files (twins, llms.txt)."""

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


# --------------------------------------------------------------------------- Markdown files
# The Markdown twins and llms.txt are read as they are, by people and by assistants,
# and by any Markdown renderer. Spec text reaches them only through the functions
# below: `<`, `>` and `&` become entities (so no tag, comment or entity of the spec
# survives), EMQX's <br/>, <code> and list tags become their Markdown, links keep
# only http(s), mailto and relative targets, and nothing the spec writes can start a
# heading, a fence or a table row of ours.


class Md(str):
    """Markdown made by the functions below or by our own code: written out as it is."""


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BR_TAG = re.compile(r"<br\s*/?>", re.I)
CODE_TAG = re.compile(r"<code>([^<>&\n]+)</code>", re.I)
LIST_OPEN = re.compile(r"<li\s*>", re.I)
LIST_CLOSE = re.compile(r"</li\s*>|</?[uo]l\s*>", re.I)
LINK_TARGET = re.compile(r"\]\(\s*([A-Za-z][A-Za-z0-9+.\-]*):")
LINK_DEFINITION = re.compile(r"^( {0,3})\[(?=[^\]\n]*\]:)", re.M)
SAFE_SCHEMES = {"http", "https", "mailto"}
# what would start a block of its own: a heading, a fence, a rule or setext underline
BLOCK_START = re.compile(r"^(\s*)(#|`{3}|~{3}|[-=*_+](?=[-=*_+\s]*$))")
# on one line, also a list item, a quote or a table row
LINE_START = re.compile(r"^(\s*)([#>|]|[-+*](?=\s|$)|[-=*_+](?=[-=*_+\s]*$)|`{3}|~{3}|\d+(?=[.)](?:\s|$)))")
LITERAL_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
BLANK_RUNS = re.compile(r"\n{3,}")


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code_span(text: str) -> str:
    """`text` as a code span whose fence no backtick inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _spec_markdown(text: str) -> str:
    """Spec Markdown with its HTML turned into Markdown or entities, and unsafe links broken."""
    text = CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    text = LIST_OPEN.sub("\n- ", LIST_CLOSE.sub("\n", BR_TAG.sub("\n", text)))
    parts, at = [], 0
    for match in CODE_TAG.finditer(text):
        parts += [_entities(text[at:match.start()]), code_span(" ".join(match.group(1).split()))]
        at = match.end()
    text = "".join(parts) + _entities(text[at:])
    text = LINK_TARGET.sub(lambda m: m.group(0) if m.group(1).lower() in SAFE_SCHEMES else "]\\" + m.group(0)[1:], text)
    text = text.replace("![", "!\\[")
    return LINK_DEFINITION.sub(lambda m: m.group(1) + "\\[", text)


def _escape_start(pattern: re.Pattern[str], line: str) -> str:
    """`line` with a backslash where `pattern` finds the start of a block (after a list
    number: `1\\.`)."""
    def escape(m: re.Match[str]) -> str:
        lead, mark = m.group(1), m.group(2)
        return lead + mark + "\\" if mark.isdigit() else lead + "\\" + mark
    return pattern.sub(escape, line, count=1)


def md_inline(text: object) -> Md:
    """Spec Markdown on one line (a summary, a list item, a heading): whitespace and
    newlines collapsed, and no block of its own (a leading `#`, `-`, `>`, `1.` is escaped)."""
    return _md_inline(str(text))


# The same descriptions, names and values come back in operation after operation (a
# component written out in each): each is made once.
@lru_cache(maxsize=1 << 15)
def _md_inline(text: str) -> Md:
    return Md(_escape_start(LINE_START, " ".join(_spec_markdown(text).split())))


def md_block(text: object) -> Md:
    """Spec Markdown as a block of its own (a description): its paragraphs and lists
    kept, but no heading, fence or rule that could step out of it."""
    lines = (_escape_start(BLOCK_START, line.rstrip()) for line in _spec_markdown(str(text)).split("\n"))
    return Md(BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n"))


def md_cell(text: object) -> Md:
    """`md_inline` for a table cell: every `|` escaped, so the row keeps its cells."""
    return Md(_pipes(md_inline(text)))


def _pipes(text: str) -> str:
    # a pipe after an even run of backslashes would end the cell: escape it
    return re.sub(r"(\\*)\|", lambda m: m.group(0) if len(m.group(1)) % 2 else m.group(1) + "\\|", text)


def md_literal(text: object) -> Md:
    """Text shown exactly as written (a name, a path): every Markdown character escaped."""
    flat = " ".join(CONTROL.sub("", str(text)).split())
    return Md(_entities(LITERAL_SPECIAL.sub(r"\\\1", flat)))


def md_code(text: object) -> Md:
    """An identifier (a name, a path, a value) as a code span; as escaped literal text
    when it holds `<`, `>`, `&` or `|`, which a code span would show as they are."""
    return _md_code(str(text))


@lru_cache(maxsize=1 << 15)
def _md_code(text: str) -> Md:
    flat = " ".join(CONTROL.sub("", text).split())
    if not flat or any(ch in flat for ch in "<>&|"):
        return md_literal(flat) if flat else Md("")
    return Md(code_span(flat))


def md_fence(text: str, language: str = "") -> Md:
    """A fenced code block no line of `text` can close: a command or an example, shown as
    it is (a renderer never reads HTML inside a fence)."""
    body = CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n")).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return Md(f"{fence}{language}\n{body}\n{fence}")
