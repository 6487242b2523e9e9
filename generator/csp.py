"""Pages that keep a strict Content-Security-Policy: no inline script runs.

The theme writes a few small inline scripts into every page. Those, and only those,
are moved into files named by their content's hash, so `script-src 'self'` holds
without hashes or 'unsafe-inline'. Any other inline script can only have come from
spec text that escaped escaping: it is dropped, and the build warns.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import re
from pathlib import Path

INLINE_FOLDER = "assets/javascripts/inline"
# how the theme's own inline scripts begin (mkdocs-material 9); a theme upgrade that
# changes them shows up as build warnings, which the tests treat as failures
THEME_SCRIPTS = (
    '__md_scope=new URL("',
    'var palette=__md_get("__palette")',
    "var target=document.getElementById(location.hash.slice(1))",
)
log = logging.getLogger("mkdocs.plugins.emqx-apidocs")
# a <script> with no src and no type, or a JavaScript type (JSON data blocks stay)
INLINE_SCRIPT = re.compile(
    r'<script(?P<attrs>(?:\s+type="(?:text|application)/javascript")?)>(?P<code>.*?)</script>', re.S
)


def externalize_scripts(html: str, page_url: str | None, site_dir: Path) -> str:
    """`html` with each inline script replaced by a script file under the site.

    `page_url` is the page's site-relative URL; None for pages served from any path
    (404.html), which refer to the site root absolutely.
    """

    def move(match: re.Match[str]) -> str:
        code = match.group("code")
        if not code.strip():
            return ""
        if not code.lstrip().startswith(THEME_SCRIPTS):
            log.warning("dropped an inline script that is not the theme's: %r", code.strip()[:60])
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
