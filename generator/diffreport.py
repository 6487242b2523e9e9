"""A comparison as text (a terminal), Markdown (a release note) or JSON (a program).

Text and Markdown group the changes by level, then by operation, in the report's order
(changes.Change.key); JSON lists them in that order. Every spec string is made safe for
where it lands: control characters never reach a terminal, Markdown never runs HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import groupby

from .changes import LEVELS, UNPRINTABLE, Change, code
from .diff import Comparison
from .model import Api

HEADINGS = {"breaking": "Breaking changes", "warning": "Warnings", "info": "Info"}
WHOLE_API = "The whole API"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#])")


def as_json(comparison: Comparison) -> dict:
    return {
        "old": _about(comparison.old),
        "new": _about(comparison.new),
        "summary": comparison.summary,
        "changes": [
            {
                "id": c.id, "level": c.level, "method": c.method, "path": c.path,
                "pointer": {"old": c.old_pointer, "new": c.new_pointer},
                "message": c.message, "subject": c.subject, "before": c.before, "after": c.after,
            }
            for c in comparison.changes
        ],
    }


def as_text(comparison: Comparison) -> str:
    lines = [f"{_title(comparison, _plain)}: {_counts(comparison)}"]
    for level, changes in _by_level(comparison):
        lines += ["", f"{HEADINGS[level]} ({len(changes)})"]
        for operation, items in _by_operation(changes):
            lines.append(f"  {_plain(operation)}")
            lines += [f"    - {c.message}  [{c.id}]" for c in items]
    return "\n".join(lines) + "\n"


def as_markdown(comparison: Comparison) -> str:
    lines = [f"# API changes: {_title(comparison, _markdown)}", "", f"{_counts(comparison)}."]
    for level, changes in _by_level(comparison):
        lines += ["", f"## {HEADINGS[level]} ({len(changes)})"]
        for operation, items in _by_operation(changes):
            lines += ["", f"### {code(operation) if operation != WHOLE_API else WHOLE_API}", ""]
            lines += [f"- {c.message} ({code(c.id)})" for c in items]
    return "\n".join(lines) + "\n"


def as_json_text(comparison: Comparison) -> str:
    return json.dumps(as_json(comparison), ensure_ascii=False, indent=1) + "\n"


FORMATS = {"text": as_text, "markdown": as_markdown, "json": as_json_text}


def _about(api: Api) -> dict:
    return {"title": api.title, "version": api.version}


def _by_level(comparison: Comparison) -> Iterator[tuple[str, list[Change]]]:
    for level in LEVELS:
        changes = [c for c in comparison.changes if c.level == level]
        if changes:
            yield level, changes


def _by_operation(changes: list[Change]) -> Iterator[tuple[str, list[Change]]]:
    for (method, path), items in groupby(changes, key=lambda c: (c.method, c.path)):
        yield (f"{method} {path}" if method else WHOLE_API), list(items)


def _counts(comparison: Comparison) -> str:
    n = comparison.summary
    if not comparison.changes:
        return "no changes"
    return f"{n['breaking']} breaking, {n['warning']} warning{'' if n['warning'] == 1 else 's'}, {n['info']} info"


def _title(comparison: Comparison, text: object) -> str:
    old, new = comparison.old, comparison.new
    if old.title == new.title:
        return f"{text(old.title)} {text(old.version)} → {text(new.version)}"
    return f"{text(old.title)} {text(old.version)} → {text(new.title)} {text(new.version)}"


def _plain(value: str) -> str:
    """One line, no control characters (a terminal would obey them)."""
    return " ".join(UNPRINTABLE.sub(" ", value).split())


def _markdown(value: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", _plain(value))
