"""Sites of several versions for the tests: sample specs and a link checker (not a test module)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from support import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "generator" / "data" / "default-spec.yaml"
# The labels, given out of order; oldest first they are 5.8.9, 5.8.10, 5.9.0-rc.1.
OLDEST, MIDDLE, NEWEST = "5.8.9", "5.8.10", "5.9.0-rc.1"


def sample_versions(folder: Path) -> dict[str, Path]:
    """Three versions of the bundled sample, each a JSON file in `folder`:

    - OLDEST: the sample as it is;
    - MIDDLE: one operation added (PUT /clients/{clientid}/keepalive), GET /clients with
      a new optional and a new required query parameter (a breaking change), and
      GET /subscriptions moved from the Subscriptions tag to Clients, so it is on
      another page; nothing removed, so OLDEST has no badge at all;
    - NEWEST: MIDDLE without /status (removed: the only operation of its tag page).
    """
    base = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    oldest = copy.deepcopy(base)
    middle = copy.deepcopy(base)
    middle["paths"]["/clients/{clientid}/keepalive"] = {"put": {
        "tags": ["Clients"], "summary": "Set a client's keepalive",
        "parameters": [{"name": "clientid", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "OK"}}}}
    params = middle["paths"]["/clients"]["get"]["parameters"]
    params.append({"name": "ip_address", "in": "query", "required": False, "schema": {"type": "string"}})
    params.append({"name": "zone", "in": "query", "required": True, "schema": {"type": "string"}})
    middle["paths"]["/subscriptions"]["get"]["tags"] = list(middle["paths"]["/clients"]["get"]["tags"])
    newest = copy.deepcopy(middle)
    del newest["paths"]["/status"]
    paths = {}
    for label, document in ((OLDEST, oldest), (MIDDLE, middle), (NEWEST, newest)):
        document["info"]["version"] = label
        paths[label] = folder / f"emqx-{label}.json"
        paths[label].write_text(json.dumps(document, default=str), encoding="utf-8")
    return paths


def build(site: Path, specs: dict[str, Path], *more: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    """`emqx-apidocs build --spec LABEL=PATH ...` into `site`, the specs given newest first."""
    args = [x for label, path in reversed(list(specs.items())) for x in ("--spec", f"{label}={path}")]
    return subprocess.run([sys.executable, "-m", "generator", "build", "-q", *args, "--site", str(site), *more],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "href" in values:
            self.links.append((values["href"], values))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.links.append((values.get("content", "").split("url=", 1)[-1], values))


_parsed: dict[Path, _Links] = {}


def parsed(path: Path) -> _Links:
    if path not in _parsed:
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        _parsed[path] = parser
    return _parsed[path]


def resolve(site: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment a link of `page` leads to inside `site`; None for another
    scheme, a link to the page itself or an absolute URL (none expected here)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return (page, unquote(parts.fragment)) if parts.fragment else None
    base = site if parts.path.startswith("/") else page.parent
    target = (base / unquote(parts.path.lstrip("/"))).resolve()
    return target, unquote(parts.fragment)


def broken(site: Path, target: Path, fragment: str) -> str | None:
    """Why a link to `target#fragment` does not resolve, or None when it does."""
    if not target.is_relative_to(site.resolve()):
        return "leaves the site"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return "no such file"
    if fragment and target.suffix == ".html" and fragment not in parsed(target).ids:
        return f"no #{fragment} there"
    return None


def check_links(site: Path) -> tuple[list[str], int, int]:
    """Every link of every page of a site of several versions, the root's included:
    (the broken ones, how many links were checked, how many lead into another version)."""
    site = site.resolve()
    labels = [v["version"] for v in json.loads((site / "versions.json").read_text(encoding="utf-8"))]
    problems, checked, across = [], 0, 0
    for page in sorted(site.rglob("*.html")):
        folder = page.relative_to(site).parts[0] if page.parent != site else ""
        for href, _ in parsed(page).links:
            found = resolve(site, page, href)
            if found is None:
                continue
            checked += 1
            target, fragment = found
            inside = target.relative_to(site).parts[0] if target.is_relative_to(site) and target != site else ""
            if inside in labels and inside != folder:
                across += 1
            why = broken(site, target, fragment)
            if why:
                problems.append(f"{page.relative_to(site)}: {href} ({why})")
    return problems, checked, across


def selector_data(site: Path, label: str, section: str = "") -> dict:
    """One version's versions-data.js, as data."""
    text = (site / label / section / "assets" / "emqx-apidocs" / "versions-data.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"window\.EAD_VERSIONS = (.*);\n", text, re.S)
    assert match, text[:200]
    return json.loads(match.group(1))


def check_selector_data(site: Path, section: str = "") -> tuple[list[str], int]:
    """Every target the selector's script may open, from every version's data: (broken, checked)."""
    site = site.resolve()
    labels = [v["version"] for v in json.loads((site / "versions.json").read_text(encoding="utf-8"))]
    problems, checked = [], 0
    for label in labels:
        data = selector_data(site, label, section)
        for key, where in data["operations"].items():
            for other, url in where.items():
                path, _, fragment = url.partition("#")
                checked += 1
                why = broken(site, (site / other / path).resolve(), fragment)
                if why:
                    problems.append(f"{label}: {key} in {other}: {url} ({why})")
        for anchor in data["anchors"]:
            key = data["anchors"][anchor]
            url = data["operations"][key][label]
            if not url.endswith(f"#{anchor}"):
                problems.append(f"{label}: #{anchor} is {key}, whose page there is {url}")
    return problems, checked
