"""Every operation of every real EMQX spec is in the built site and in operations.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from support import PROJECT_ROOT, shared_spec

pytestmark = pytest.mark.shared  # every test here reads ../shared/specs

SPECS = {
    "emqx-ce-5.8.1-en.json": 290,
    "emqx-ce-5.8.1-zh.json": 290,
    "emqx-ee-5.8.1-en.json": 371,
    "emqx-ce-5.0.24-en.json": 238,
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
EXTERNAL = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)


@pytest.fixture(scope="module", params=sorted(SPECS))
def built(request, tmp_path_factory):
    """(spec name, raw document, site folder, stderr of the build)."""
    spec = shared_spec(request.param)
    site = tmp_path_factory.mktemp("site") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--spec", str(spec), "--site", str(site)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return request.param, json.loads(spec.read_text(encoding="utf-8")), site, run.stderr


def test_every_operation_is_in_operations_json(built):
    """operations.json has exactly the spec's (method, path) pairs, counted from the raw spec."""
    name, document, site, _ = built
    expected = sorted(
        (m.upper(), p) for p, item in document["paths"].items() for m in METHODS if m in item
    )
    data = json.loads((site / "operations.json").read_text(encoding="utf-8"))
    listed = sorted((o["method"], o["path"]) for o in data["operations"])
    assert len(expected) == SPECS[name]
    assert listed == expected
    assert data["title"] == document["info"]["title"] and data["version"] == document["info"]["version"]
    for entry in data["operations"]:
        assert set(entry) >= {"method", "path", "tag", "url", "summary", "auth", "deprecated"}
        assert entry["tag"] == (document["paths"][entry["path"]][entry["method"].lower()].get("tags") or ["Other"])[0]


def test_every_operation_has_its_section_on_its_page(built):
    """Each url in operations.json names a page that has an h2 with that id and the method + path."""
    _, _, site, _ = built
    data = json.loads((site / "operations.json").read_text(encoding="utf-8"))
    pages: dict[str, str] = {}
    for entry in data["operations"]:
        page, anchor = entry["url"].split("#")
        html = pages.setdefault(page, (site / page).read_text(encoding="utf-8"))
        match = re.search(rf'<h2\b[^>]*\bid="{re.escape(anchor)}"[^>]*>(.*?)</h2>', html, re.S)
        assert match, f"{entry['method']} {entry['path']}: no h2 #{anchor} in {page}"
        heading = re.sub(r"<[^>]+>", "", match.group(1)).replace("&para;", "").strip()
        assert heading == f"{entry['method']} {entry['path']}"


def test_pages_and_operations_json_list_operations_in_one_order(built):
    """Operations come in the same order on each tag page as in operations.json, and a
    collection comes before its items (GET /clients before POST /clients/kickout/bulk)."""
    _, _, site, _ = built
    data = json.loads((site / "operations.json").read_text(encoding="utf-8"))
    by_page: dict[str, list[str]] = {}
    for entry in data["operations"]:
        page, anchor = entry["url"].split("#")
        by_page.setdefault(page, []).append(anchor)
    for page, anchors in by_page.items():
        html = (site / page).read_text(encoding="utf-8")
        on_page = re.findall(r'<h2\b(?=[^>]*\bclass="ead-h\b)[^>]*\bid="([^"]+)"', html)
        assert on_page == anchors, page
    clients = [(e["method"], e["path"]) for e in data["operations"] if e["url"].startswith("reference/clients.html#")]
    assert clients[0] == ("GET", "/clients")
    if ("POST", "/clients/kickout/bulk") in clients:  # since 5.1
        assert clients.index(("GET", "/clients/{clientid}")) < clients.index(("POST", "/clients/kickout/bulk"))


def test_auth_follows_each_operations_security(built):
    """auth in operations.json is what the operation's security lists, by scheme kind."""
    name, document, site, _ = built
    kinds = {"basicAuth": "basic", "bearerAuth": "bearer"}
    data = json.loads((site / "operations.json").read_text(encoding="utf-8"))
    for entry in data["operations"]:
        security = document["paths"][entry["path"]][entry["method"].lower()].get("security", [])
        expected = []
        for requirement in security:
            for scheme in requirement:
                if kinds[scheme] not in expected:
                    expected.append(kinds[scheme])
        assert entry["auth"] == expected, f"{entry['method']} {entry['path']}"
    if name == "emqx-ee-5.8.1-en.json":
        modes = [tuple(e["auth"]) for e in data["operations"]]
        assert modes.count(("basic", "bearer")) == 353
        assert sorted((e["method"], e["path"]) for e in data["operations"] if e["auth"] == ["bearer"]) == [
            ("GET", "/api_key"), ("POST", "/api_key"), ("POST", "/logout"),
        ]
        assert modes.count(()) == 15


def test_build_is_clean_and_pages_stay_local(built):
    """MkDocs warns about nothing, and no page loads anything from another host."""
    _, _, site, stderr = built
    assert "warning" not in stderr.lower(), stderr
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL.search(text), f"{page.relative_to(site)} loads from another host"
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\';' in text
        inline = [m for m in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text) if "application/json" not in m]
        assert inline == [], f"{page.relative_to(site)} has inline scripts"
        assert "fonts.googleapis" not in text and "unpkg.com" not in text


def test_spec_health_lists_every_problem(built):
    """The health page has one row per problem `validate --format json` reports."""
    name, _, site, _ = built
    run = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--spec", str(shared_spec(name)), "--format", "json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1
    report = json.loads(run.stdout)
    html = (site / "reference" / "spec-health.html").read_text(encoding="utf-8")
    assert html.count('<tr id="p-') == report["count"] == len(report["problems"])
