"""Problems found in a spec: small values, collected everywhere, reported once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


def escape_pointer_part(part: object) -> str:
    """Escape one JSON pointer segment (RFC 6901)."""
    return str(part).replace("~", "~0").replace("/", "~1")


def pointer(*parts: object) -> str:
    return "".join("/" + escape_pointer_part(p) for p in parts)


def unescape_pointer(ptr: str) -> list[str]:
    if not ptr:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in ptr.lstrip("/").split("/")]
