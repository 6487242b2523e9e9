"""Checks of Markdown the generator wrote from untrusted text (not a test module).

Each function returns what is wrong, one line per finding, so a test can name the file.
"""

from __future__ import annotations

import re

import markdown

FENCE = re.compile(r"^(`{3,})[^\n]*\n.*?^\1$", re.S | re.M)  # our fences: a run of backticks, closed by the same
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "code", "pre", "table", "thead", "tbody", "tr", "th",
                "td", "a", "strong", "em", "blockquote"}
DELIMITER_ROW = re.compile(r"\|( --- \|)+")


def prose(text: str) -> str:
    """`text` without its fenced blocks (commands and examples, shown as they are)."""
    return FENCE.sub("", text)


def raw_html(text: str) -> list[str]:
    """Lines that hold `<`, or `>` other than a leading quote mark, outside the fences."""
    return [line for line in prose(text).split("\n") if "<" in line or ">" in line.removeprefix("> ")]


def rendered_markup(text: str) -> list[str]:
    """Tags and attributes that rendering `text` (Python-Markdown, tables and fences) makes
    beyond ours: only our tags, href (web, mail or relative) and a code block's language."""
    found = []
    html = markdown.markdown(text, extensions=["tables", "fenced_code"])
    for tag, attrs in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>", html):
        if tag.lower() not in ALLOWED_TAGS:
            found.append(f"<{tag}{attrs}>")
        for name, value in re.findall(r'([a-zA-Z-]+)="([^"]*)"', attrs):
            scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", value)
            if name == "href" and (scheme is None or scheme.group(1).lower() in ("http", "https", "mailto")):
                continue
            if name == "class" and value.startswith("language-"):
                continue
            found.append(f"{name}={value!r} on <{tag}>")
    return found


def unescaped_pipes(line: str) -> int:
    """How many `|` of a table row delimit cells (one after an odd run of backslashes does not)."""
    count = backslashes = 0
    for ch in line:
        if ch == "|" and backslashes % 2 == 0:
            count += 1
        backslashes = backslashes + 1 if ch == "\\" else 0
    return count


def broken_rows(text: str) -> tuple[int, list[str]]:
    """How many tables `text` has, and the rows whose cells do not match their header's
    (a `|` or a newline of the spec that split a cell or a row)."""
    tables, found = 0, []
    lines = prose(text).split("\n")
    for i, line in enumerate(lines):
        if not (i and DELIMITER_ROW.fullmatch(line)):
            continue
        tables += 1
        width = unescaped_pipes(lines[i - 1])
        if unescaped_pipes(line) != width:
            found.append(f"header {lines[i - 1]!r} does not match {line!r}")
        for row in lines[i + 1:]:
            if not row:
                break
            if not (row.startswith("| ") and row.endswith(" |")) or unescaped_pipes(row) != width:
                found.append(f"{width - 1} columns, but: {row[:300]}")
    return tables, found
