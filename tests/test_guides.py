"""Roles, pagination and error codes of every operation, for every real spec.

Expected values are computed here from the raw spec and the rules stated in
emqx-facts.md, independently of the generator, then compared with operations.json
and with the built pages.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from support import PROJECT_ROOT, shared_spec

pytestmark = pytest.mark.shared  # every test here reads ../shared/specs

SPECS = ["emqx-ce-5.8.1-en.json", "emqx-ce-5.8.1-zh.json", "emqx-ee-5.8.1-en.json", "emqx-ce-5.0.24-en.json"]
METHODS = ("get", "put", "post", "delete", "patch")
ALL_ROLES = ["administrator", "viewer", "publisher"]
TABLE_CODES = {
    "WRONG_USERNAME_OR_PWD", "WRONG_USERNAME_OR_PWD_OR_API_KEY_OR_API_SECRET", "BAD_REQUEST", "NOT_MATCH",
    "ALREADY_EXISTS", "BAD_CONFIG_SCHEMA", "BAD_RPC", "BAD_TOPIC", "EXCEED_LIMIT", "INVALID_PARAMETER", "CONFLICT",
    "NO_DEFAULT_VALUE", "DEPENDENCY_EXISTS", "MESSAGE_ID_SCHEMA_ERROR", "MESSAGE_ID_NOT_FOUND", "NOT_FOUND",
    "CLIENTID_NOT_FOUND", "CLIENT_NOT_FOUND", "RESOURCE_NOT_FOUND", "TOPIC_NOT_FOUND", "USER_NOT_FOUND",
    "INTERNAL_ERROR", "SERVICE_UNAVAILABLE", "SOURCE_ERROR", "REST_FAILED", "CLIENT_NOT_RESPONSE",
}


def deref(doc: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def expected_roles(method: str, path: str, op: dict) -> list[str]:
    schemes = [name for requirement in op.get("security", []) for name in requirement]
    if not schemes:
        return ALL_ROLES
    if "basicAuth" not in schemes:
        return []
    roles = ["administrator"]
    if method == "GET":
        roles.append("viewer")
    if (method, path) in {("POST", "/publish"), ("POST", "/publish/bulk")}:
        roles.append("publisher")
    return roles


def expected_pagination(doc: dict, item: dict, op: dict) -> str | None:
    params = [deref(doc, p) for p in item.get("parameters", []) + op.get("parameters", [])]
    query = {p["name"] for p in params if p.get("in") == "query"}
    if {"position", "bytes"} <= query:
        return "offset"
    if query & {"position", "cursor"} and "limit" in query:
        return "cursor"
    return "page" if "page" in query else None


def codes_of(doc: dict, schema, depth: int = 0) -> list[str]:
    schema = deref(doc, schema)
    if not isinstance(schema, dict) or depth > 5:
        return []
    found = []
    code = deref(doc, (schema.get("properties") or {}).get("code"))
    if isinstance(code, dict):
        found += [c for c in code.get("enum", []) if isinstance(c, str) and c]
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(key, []):
            found += codes_of(doc, branch, depth + 1)
    return list(dict.fromkeys(found))


def expected_errors(doc: dict, op: dict) -> dict[str, list[str]]:
    result = {}
    for status, response in sorted(op.get("responses", {}).items()):
        response = deref(doc, response)
        codes = []
        for media in (response.get("content") or {}).values():
            codes += codes_of(doc, media.get("schema"))
        if codes:
            result[status] = list(dict.fromkeys(codes))
    return result


@pytest.fixture(scope="module", params=SPECS)
def built(request, tmp_path_factory):
    spec = shared_spec(request.param)
    site = tmp_path_factory.mktemp("guides") / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--spec", str(spec), "--site", str(site)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    document = json.loads(spec.read_text(encoding="utf-8"))
    operations = json.loads((site / "operations.json").read_text(encoding="utf-8"))["operations"]
    return request.param, document, site, operations


def test_roles_pagination_and_errors_in_operations_json(built):
    """Each operation's roles, pagination kind and error codes equal the computed ones."""
    _, doc, _, operations = built
    mismatches = []
    for entry in operations:
        item = doc["paths"][entry["path"]]
        op = item[entry["method"].lower()]
        expected = {
            "roles": expected_roles(entry["method"], entry["path"], op),
            "pagination": expected_pagination(doc, item, op),
            "errors": expected_errors(doc, op),
        }
        actual = {key: entry[key] for key in expected}
        if actual != expected:
            mismatches.append(f"{entry['method']} {entry['path']}: {actual} != {expected}")
    assert not mismatches, "\n".join(mismatches[:20])


def test_facts_of_each_spec(built):
    """The counts emqx-facts.md states hold in operations.json."""
    name, _, _, operations = built
    by = lambda kind: sorted(f"{o['method']} {o['path']}" for o in operations if o["pagination"] == kind)  # noqa: E731
    secured = [o for o in operations if o["auth"]]
    assert sorted(f"{o['method']} {o['path']}" for o in secured if "publisher" in o["roles"]) == [
        "POST /publish", "POST /publish/bulk",
    ]
    api_key = next(o for o in operations if (o["method"], o["path"]) == ("GET", "/api_key"))
    if name != "emqx-ce-5.0.24-en.json":
        assert api_key["roles"] == []
    assert by("offset") == ["GET /trace/{name}/log"]
    assert not any(o["pagination"] for o in operations if "/position/{position}" in o["path"])
    if name == "emqx-ee-5.8.1-en.json":
        assert by("cursor") == [
            "GET /clients/{clientid}/inflight_messages", "GET /clients/{clientid}/mqueue_messages", "GET /durable_queues",
        ]
        assert len(by("page")) == 18


def section_of(html: str, anchor: str) -> str:
    start = re.search(rf'<h2\b[^>]*\bid="{re.escape(anchor)}"', html).start()
    end = html.find("<h2", start + 3)
    return html[start : end if end != -1 else len(html)]


def test_each_operation_shows_its_roles_pagination_and_codes(built):
    """On the page, every operation names its roles, its pagination and its error codes."""
    _, _, site, operations = built
    pages: dict[str, str] = {}
    for entry in operations:
        page, anchor = entry["url"].split("#")
        html = pages.setdefault(page, (site / page).read_text(encoding="utf-8"))
        section = section_of(html, anchor)
        shown_roles = re.findall(r'href="\.\./guides/roles\.html#role-([a-z]+)"', section)
        assert shown_roles == entry["roles"], (entry["path"], shown_roles)
        if not entry["roles"]:
            assert "ead-role-none" in section
        if entry["pagination"]:
            assert f'href="../guides/pagination.html#kind-{entry["pagination"]}"' in section
        else:
            assert "guides/pagination.html" not in section
        linked = set(re.findall(r'href="\.\./guides/errors\.html#([A-Z0-9_]+)"', section))
        assert linked == {c for codes in entry["errors"].values() for c in codes}, entry["path"]
        assert 'href="../guides/authentication.html#' in section


def test_error_page_has_every_code_of_the_table_and_the_spec(built):
    """One anchor per code: the 26 of EMQX's table and every code the spec uses."""
    name, _, site, operations = built
    html = (site / "guides" / "errors.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<h2\b[^>]*\bid="([A-Z0-9_]+)"', html))
    used = {c for o in operations for codes in o["errors"].values() for c in codes}
    assert TABLE_CODES <= anchors and used <= anchors
    assert anchors == TABLE_CODES | used
    if name.startswith("emqx-ce-5.8.1"):
        assert len(used) == 47 and len(anchors) == 53
    chinese = "-zh." in name  # the zh spec's site is in Chinese: its language is read from its text
    unused = "这份规范中没有操作会返回它。" if chinese else "No operation of this spec returns it."
    undescribed = ("EMQX 的错误码表没有说明这个错误码。",) if chinese else (
        "Not described in EMQX&#39;s error table.", "Not described in EMQX's error table.")
    for code in TABLE_CODES - used:
        assert unused in section_of(html, code)
    for code in used - TABLE_CODES:
        assert any(text in section_of(html, code) for text in undescribed)


def test_guides_list_bearer_only_and_public_operations(built):
    """The authentication page links every bearer-only and every public operation."""
    _, _, site, operations = built
    html = (site / "guides" / "authentication.html").read_text(encoding="utf-8")
    for entry in operations:
        link = f'href="../{entry["url"]}"'
        if entry["auth"] == [] or entry["auth"] == ["bearer"]:
            assert link in html, entry["path"]
    matrix = (site / "guides" / "roles.html").read_text(encoding="utf-8")
    assert matrix.count("data-ead-row") == len(operations)
