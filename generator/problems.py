"""Problems found in a spec: small values, collected everywhere, reported once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .words import counted

Level = Literal["error", "warning"]


class InputError(Exception):
    """The input cannot be used at all: one line, exit status 2."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: where (a JSON pointer), what kind, and a readable message."""

    pointer: str
    kind: str
    message: str
    level: Level = "error"
    source: Literal["openapi", "model"] = "openapi"


def errors(problems: tuple[Problem, ...] | list[Problem]) -> tuple[Problem, ...]:
    """The problems that make a spec "have problems": `validate` exits 1 and
    `build --strict` builds nothing when there is one. Warnings are shown, not counted."""
    return tuple(p for p in problems if p.level == "error")


def summary(problems: tuple[Problem, ...] | list[Problem]) -> str:
    """"61 problems (57 errors, 4 warnings)", or "0 problems"."""
    if not problems:
        return "0 problems"
    n_errors = len(errors(problems))
    parts = [counted(n, one, other) for n, one, other in (
        (n_errors, "error", "errors"), (len(problems) - n_errors, "warning", "warnings")) if n]
    return f"{counted(len(problems), 'problem', 'problems')} ({', '.join(parts)})"


def escape_pointer_part(part: object) -> str:
    """Escape one JSON pointer segment (RFC 6901)."""
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(*parts: object) -> str:
    return "".join("/" + escape_pointer_part(p) for p in parts)


def unescape_pointer(ptr: str) -> list[str]:
    if not ptr:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in ptr.lstrip("/").split("/")]
