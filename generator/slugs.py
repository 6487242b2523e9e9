"""Stable, file-system-safe slugs for pages and anchors."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG = 60
RESERVED = {"index", "search", "assets", "404", "sitemap", "con", "prn", "aux", "nul"}


def slugify(text: str, fallback: str = "section") -> str:
    """Lower-case ASCII words joined by '-', e.g. 'Gateway Listeners' -> 'gateway-listeners'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rstrip("-")
    if not slug:
        # non-Latin names keep a stable, distinct slug
        slug = f"{fallback}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"
    return slug


def operation_anchor(method: str, path: str) -> str:
    """get + /clients/{clientid} -> get-clients-clientid."""
    return slugify(f"{method} {path}", fallback=method.lower())


class SlugSet:
    """Hands out unique slugs: a second 'x' becomes 'x-2'."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = set(taken or ())

    def claim(self, slug: str) -> str:
        candidate, n = slug, 1
        while candidate in self.taken or candidate in RESERVED:
            n += 1
            candidate = f"{slug}-{n}"
        self.taken.add(candidate)
        return candidate
