"""What joins the folders of a site of several versions, once each is built.

- `versions.json` at the root, newest first, in the format mike writes and Material's
  version selector reads: `[{"version", "title", "aliases"}]`, `latest` the newest's alias;
- `index.html` at the root, which opens the newest version (a meta refresh and a link:
  no script, so it works from file://);
- on every page of every version, the version selector: a `<details>` in the header with
  one link per version, to the same page where that version has it, else to its home
  page; written here, so every link is a real one that works without a script;
- in each version, `versions-data.js`: which page each operation is on in each version,
  so that the selector's script (version-select.js) keeps a reader on the operation they
  are reading where the other version has it (from file:// too: nothing is fetched);
- each version's `404.html`, which a server sends from any path, refers to its own folder.

A pass over the finished files, like postbuild.py, not an engine plugin.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .model import Api
from .postbuild import CONTENT_SECURITY_POLICY
from .project import ASSET_FOLDER
from .sanitize import script_json, theme_text
from .versions import LATEST, relative_link

DATA_FILE = f"{ASSET_FOLDER}/versions-data.js"
TITLE = re.compile(r'<div class="md-header__title"[^>]*>')
DIV = re.compile(r"<(/?)div\b")
BODY = re.compile(r"<body\b[^>]*>", re.I)
ROOT_LINK = re.compile(r'\b(href|src)="/(?!/)')
THEME_BASE = re.compile(r'("base":\s*")/(")')


@dataclass(frozen=True)
class SiteVersion:
    label: str
    api: Api


def versions_json(versions: list[SiteVersion]) -> list[dict]:
    """mike's versions.json: newest first, `latest` the newest's alias."""
    newest = versions[-1].label
    return [{"version": v.label, "title": v.label, "aliases": [LATEST] if v.label == newest else []}
            for v in reversed(versions)]


def write_root(site: Path, versions: list[SiteVersion], env: jinja2.Environment, language: str = "en") -> None:
    """versions.json and the index.html that opens the newest version (in `language`,
    the theme's)."""
    (site / "versions.json").write_text(json.dumps(versions_json(versions), indent=1) + "\n", encoding="utf-8")
    newest = versions[-1]
    html = env.get_template("versions-index.html.j2").render(
        csp=CONTENT_SECURITY_POLICY, title=theme_text(newest.api.title), newest=newest.label, language=language,
        href=f"{newest.label}/index.html",
    )
    (site / "index.html").write_text(html, encoding="utf-8")


def finish_versions(site: Path, versions: list[SiteVersion], section: str, env: jinja2.Environment) -> list[str]:
    """The selector on every page of every version folder under `site`, and each version's
    data file; returns warnings (a page without the theme's header gets the selector at
    the top of its body)."""
    pages = {v.label: {p.relative_to(site / v.label).as_posix() for p in (site / v.label).rglob("*.html")}
             for v in versions}
    template = env.get_template("partials/version-select.html.j2")
    warnings: list[str] = []
    for version in versions:
        folder = site / version.label
        (folder / section / DATA_FILE).write_text(_data(version, versions, section), encoding="utf-8")
        for rel in sorted(pages[version.label]):
            path = folder / rel
            html = path.read_text(encoding="utf-8")
            served_anywhere = rel == "404.html"
            if served_anywhere:  # its links start at the root: this version's folder is below it
                html = THEME_BASE.sub(lambda m: f"{m.group(1)}/{version.label}/{m.group(2)}",
                                      ROOT_LINK.sub(lambda m: f'{m.group(1)}="/{version.label}/', html))
            links = [_link(version.label, rel, other.label, pages[other.label], served_anywhere,
                           newest=other is versions[-1]) for other in reversed(versions)]
            at, top = _selector_place(html)
            html = html[:at] + template.render(current=version.label, links=links, top=top).strip() + html[at:]
            if top:
                warnings.append(f"{version.label}/{rel}: no header title; the version selector is at the top of the page")
            path.write_text(html, encoding="utf-8")
    return warnings


@dataclass(frozen=True)
class _Link:
    label: str
    href: str
    current: bool
    latest: bool


def _link(label: str, rel: str, other: str, other_pages: set[str], served_anywhere: bool, *, newest: bool) -> _Link:
    """The selector's link from page `rel` of version `label` to version `other`: the
    same page there, else that version's home page (which is also where the 404 page,
    served from any path, links to)."""
    if served_anywhere:
        return _Link(other, f"/{other}/index.html", other == label, newest)
    target = rel if rel in other_pages else "index.html"
    href = relative_link(f"{label}/{rel}", f"{other}/{target}")
    return _Link(other, href, other == label, newest)


def _selector_place(html: str) -> tuple[int, bool]:
    """Where the selector goes: after the header's title block; else first in <body>
    (then True: it is placed on its own, at the top)."""
    start = TITLE.search(html)
    if start:
        depth = 1
        for match in DIV.finditer(html, start.end()):
            depth += -1 if match.group(1) else 1
            if depth == 0:
                return html.index(">", match.end()) + 1, False
    body = BODY.search(html)
    return (body.end() if body else 0), True


def _data(version: SiteVersion, versions: list[SiteVersion], section: str) -> str:
    """versions-data.js of one version: the way from the script's folder to the version's
    root, its operations by anchor, and where each operation is in every version."""
    depth = (section + DATA_FILE).count("/")
    operations: dict[str, dict[str, str]] = {}
    for other in versions:
        for op in other.api.operations:
            operations.setdefault(f"{op.method} {op.path}", {})[other.label] = f"{section}{op.url}"
    data = {
        "current": version.label,
        "root": "../" * depth,
        "anchors": {op.anchor: f"{op.method} {op.path}" for op in version.api.operations},
        "operations": operations,
    }
    return f"window.EAD_VERSIONS = {script_json(data)};\n"
