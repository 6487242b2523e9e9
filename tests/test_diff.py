"""`emqx-apidocs diff`: real EMQX version pairs checked against what the raw specs say,
every spec against itself, the command line and its three formats, the README."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from fragments import spec as fragment_spec
from generator.builder import build_model
from generator.changes import KINDS, LEVELS
from generator.cli import main
from generator.diff import Comparison, compare
from generator.diffreport import as_text
from generator.enrich import enrich
from generator.knowledge import load_knowledge
from generator.load import load_spec
from generator.model import HTTP_METHODS, Api
from generator.problems import unescape_pointer
from generator.schemadiff import SchemaDiff
from support import PROJECT_ROOT, shared_spec

SPECS = {
    "ce-5.0.24": "emqx-ce-5.0.24-en.json",
    "ce-5.6.0": "emqx-ce-5.6.0-en.json",
    "ce-5.8.0": "emqx-ce-5.8.0-en.json",
    "ce-5.8.1": "emqx-ce-5.8.1-en.json",
    "ce-5.8.1-zh": "emqx-ce-5.8.1-zh.json",
    "ee-5.8.0": "emqx-ee-5.8.0-en.json",
    "ee-5.8.1": "emqx-ee-5.8.1-en.json",
}
PAIRS = [("ce-5.0.24", "ce-5.8.1"), ("ce-5.6.0", "ce-5.8.1"), ("ce-5.8.0", "ce-5.8.1"), ("ee-5.8.0", "ee-5.8.1")]
PAIR_IDS = [f"{old}..{new}" for old, new in PAIRS]


# --- the real specs: each loaded and modelled once for the module --------------------

@pytest.fixture(scope="module")
def real() -> Callable[[str], tuple[dict, Api]]:
    cache: dict[str, tuple[dict, Api]] = {}

    def get(name: str) -> tuple[dict, Api]:
        if name not in cache:
            document = load_spec(str(shared_spec(SPECS[name]))).document
            knowledge = load_knowledge()
            cache[name] = (document, enrich(build_model(document, knowledge=knowledge), knowledge))
        return cache[name]

    return get


@pytest.fixture(scope="module")
def compared(real) -> Callable[[str, str], tuple[dict, dict, Comparison]]:
    cache: dict[tuple[str, str], tuple[dict, dict, Comparison]] = {}

    def get(old: str, new: str) -> tuple[dict, dict, Comparison]:
        if (old, new) not in cache:
            (old_doc, old_api), (new_doc, new_api) = real(old), real(new)
            cache[(old, new)] = (old_doc, new_doc, compare(old_api, new_api))
        return cache[(old, new)]

    return get


# What the raw specs say, found by the test itself (not by the generator's model).

def _operations(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): op
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS and isinstance(op, dict)
    }


def _follow(document: dict, node: object) -> object:
    """`node` with its `$ref` chain followed."""
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        target: object = document
        for part in unescape_pointer(node["$ref"][1:]):
            target = target[part]
        node = target
    return node


def _codes_in(document: dict, schema: object, found: set[str], depth: int = 0) -> None:
    """EMQX error codes: the string `enum` of a `code` property, in the schema or any
    of its oneOf/anyOf/allOf branches."""
    schema = _follow(document, schema)
    if not isinstance(schema, dict) or depth > 12:
        return
    code = _follow(document, (schema.get("properties") or {}).get("code"))
    if isinstance(code, dict) and isinstance(code.get("enum"), list):
        found.update(value for value in code["enum"] if isinstance(value, str) and value)
    for keyword in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(keyword) or []:
            _codes_in(document, branch, found, depth + 1)


def _error_codes(document: dict) -> dict[tuple[str, str], dict[str, set[str]]]:
    """Per operation, per status: the EMQX error codes the raw spec lists."""
    result: dict[tuple[str, str], dict[str, set[str]]] = {}
    for key, op in _operations(document).items():
        statuses: dict[str, set[str]] = {}
        for status, response in (op.get("responses") or {}).items():
            response = _follow(document, response)
            found: set[str] = set()
            for media in ((response or {}).get("content") or {}).values():
                if isinstance(media, dict) and "schema" in media:
                    _codes_in(document, media["schema"], found)
            statuses[str(status)] = found
        result[key] = statuses
    return result


def _auth(document: dict, op: dict) -> str:
    """`public`, or the schemes an operation accepts by kind, joined: `basic+bearer`."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    kinds: set[str] = set()
    for requirement in op.get("security", document.get("security", [])):
        if requirement == {}:
            return "public"
        for name in requirement:
            scheme = schemes.get(name)
            kinds.add(scheme["scheme"].lower() if scheme else "bearer" if "bearer" in name.lower() else "basic")
    return "+".join(sorted(kinds)) or "public"


@pytest.mark.shared
@pytest.mark.parametrize(("old", "new"), PAIRS, ids=PAIR_IDS)
def test_operations_added_and_removed_are_the_raw_specs_method_path_pairs(compared, old, new):
    """operation-added / operation-removed: exactly the method + path pairs under `paths`
    that one spec has and the other has not."""
    old_doc, new_doc, comparison = compared(old, new)
    before, after = set(_operations(old_doc)), set(_operations(new_doc))
    found = lambda kind: {(c.method, c.path) for c in comparison.changes if c.id == kind}  # noqa: E731
    assert found("operation-added") == after - before
    assert found("operation-removed") == before - after
    if old != "ce-5.8.0":  # 5.8.0 -> 5.8.1 has the same operations; the other pairs add some
        assert after - before


@pytest.mark.shared
@pytest.mark.parametrize(("old", "new"), PAIRS, ids=PAIR_IDS)
def test_every_auth_change_is_one_the_raw_security_shows(compared, old, new):
    """auth-changed / auth-relaxed: exactly the operations whose `security` accepts other
    schemes; breaking exactly when a call that worked (no credentials, a scheme) is refused."""
    old_doc, new_doc, comparison = compared(old, new)
    before, after = _operations(old_doc), _operations(new_doc)
    expected = {
        (method, path, _auth(old_doc, before[(method, path)]), _auth(new_doc, after[(method, path)]))
        for method, path in before.keys() & after.keys()
    }
    expected = {item for item in expected if item[2] != item[3]}
    auth = [c for c in comparison.changes if c.id in ("auth-changed", "auth-relaxed")]
    assert {(c.method, c.path, c.before, c.after) for c in auth} == expected
    for c in auth:
        refused = c.after != "public" and (c.before == "public" or not set(c.before.split("+")) <= set(c.after.split("+")))
        assert c.level == ("breaking" if refused else "info"), c
    if old == "ce-5.0.24":  # API keys could manage API keys and log out; since 5.4 only a dashboard token can
        assert expected == {("GET", "/api_key", "basic+bearer", "bearer"), ("POST", "/api_key", "basic+bearer", "bearer"),
                            ("POST", "/logout", "basic+bearer", "bearer")}
        assert {c.level for c in auth} == {"breaking"}
        assert all("an API key gets 401 now" in c.message for c in auth)


@pytest.mark.shared
@pytest.mark.parametrize(("old", "new"), PAIRS, ids=PAIR_IDS)
def test_every_error_code_added_or_removed_is_one_the_raw_specs_show(compared, old, new):
    """error-code-added / -removed per operation and status, api-error-code-added /
    -removed for the whole API: what an independent walk of the raw specs finds."""
    old_doc, new_doc, comparison = compared(old, new)
    before, after = _error_codes(old_doc), _error_codes(new_doc)
    added, removed = set(), set()
    for key in before.keys() & after.keys():
        for status in before[key].keys() | after[key].keys():
            was, now = before[key].get(status, set()), after[key].get(status, set())
            added |= {(*key, status, code) for code in now - was}
            removed |= {(*key, status, code) for code in was - now}
    found = lambda kind, side: {  # noqa: E731
        (c.method, c.path, c.subject, getattr(c, side)) for c in comparison.changes if c.id == kind
    }
    assert found("error-code-added", "after") == added
    assert found("error-code-removed", "before") == removed
    everywhere = lambda codes: {code for statuses in codes.values() for found in statuses.values() for code in found}  # noqa: E731
    api = lambda kind, side: {getattr(c, side) for c in comparison.changes if c.id == kind}  # noqa: E731
    assert api("api-error-code-added", "after") == everywhere(after) - everywhere(before)
    assert api("api-error-code-removed", "before") == everywhere(before) - everywhere(after)
    assert added, "every pair adds an error code somewhere"


@pytest.mark.shared
@pytest.mark.parametrize("name", list(SPECS))
def test_a_spec_against_itself_changes_nothing(real, name):
    """All seven real specs: no change at all against themselves."""
    _, api = real(name)
    assert compare(api, api).changes == ()


@pytest.mark.shared
def test_the_chinese_spec_differs_from_the_english_one_only_in_words(compared):
    """CE 5.8.1 en and zh: other descriptions, the same API."""
    assert compared("ce-5.8.1", "ce-5.8.1-zh")[2].changes == ()


@pytest.mark.shared
@pytest.mark.parametrize(("old", "new"), PAIRS, ids=PAIR_IDS)
def test_real_changes_are_sorted_unique_and_point_into_their_specs(compared, old, new):
    """The report's order, no duplicates, and every pointer resolves in its own spec."""
    old_doc, new_doc, comparison = compared(old, new)
    changes = comparison.changes
    assert list(changes) == sorted(set(changes), key=lambda c: c.key())
    assert [LEVELS.index(c.level) for c in changes] == sorted(LEVELS.index(c.level) for c in changes)
    for c in changes:
        for document, ptr in ((old_doc, c.old_pointer), (new_doc, c.new_pointer)):
            if ptr is not None:
                target: object = document
                for part in unescape_pointer(ptr):
                    target = target[int(part)] if isinstance(target, list) else target[part]


@pytest.mark.shared
@pytest.mark.parametrize(("old", "new"), [*PAIRS, ("ce-5.8.1", "ce-5.8.1-zh")], ids=[*PAIR_IDS, "ce-5.8.1..ce-5.8.1-zh"])
def test_skipping_unchanged_components_changes_nothing(real, compared, old, new, monkeypatch):
    """The comparison does not walk a component that is the same in both models, with
    all it reaches (schemadiff.py): the changes are those of a walk of everything."""
    with monkeypatch.context() as patch:
        patch.setattr(SchemaDiff, "unchanged", lambda self, ref: False)
        patch.setattr(SchemaDiff, "_same", lambda self, old, new: False)
        whole = compare(real(old)[1], real(new)[1])
    assert compared(old, new)[2].changes == whole.changes


SUMMARIES = {
    ("ce-5.0.24", "ce-5.8.1"): {"breaking": 384, "warning": 312, "info": 969},
    ("ce-5.6.0", "ce-5.8.1"): {"breaking": 19, "warning": 48, "info": 341},
    ("ce-5.8.0", "ce-5.8.1"): {"breaking": 0, "warning": 11, "info": 14},
    ("ee-5.8.0", "ee-5.8.1"): {"breaking": 8, "warning": 54, "info": 166},
}


@pytest.mark.shared
@pytest.mark.parametrize(("old", "new"), PAIRS, ids=PAIR_IDS)
def test_each_real_pair_gives_the_counts_it_gave_when_reviewed(compared, old, new):
    """The summary of each pair as reviewed by hand; a new count is a change of behaviour
    to look at (and the README quotes two of them)."""
    assert compared(old, new)[2].summary == SUMMARIES[(old, new)]


# --- the command line ----------------------------------------------------------------

OLD_SPEC = """
paths:
  /clients:
    get:
      security: [{basicAuth: []}, {bearerAuth: []}]
      parameters: [{name: page, in: query, schema: {type: integer}}]
      responses: {'200': {description: ok}}
  /api_key:
    get:
      security: [{basicAuth: []}, {bearerAuth: []}]
      responses: {'200': {description: ok}}
"""


def _write(tmp_path, name: str, fragment: str):
    path = tmp_path / name
    path.write_text(json.dumps(fragment_spec(fragment)), encoding="utf-8")
    return str(path)


def _specs(tmp_path, new_fragment: str) -> tuple[str, str]:
    return _write(tmp_path, "old.json", OLD_SPEC), _write(tmp_path, "new.json", new_fragment)


BREAKING = OLD_SPEC.replace("  /api_key:\n    get:\n      security: [{basicAuth: []}, {bearerAuth: []}]",
                            "  /api_key:\n    get:\n      security: [{bearerAuth: []}]")
WARNING = OLD_SPEC.replace("      parameters:", "      deprecated: true\n      parameters:")
INFO = OLD_SPEC + "  /status:\n    get: {security: [], responses: {'200': {description: ok}}}\n"


def test_json_output_has_both_specs_the_summary_and_every_change(tmp_path, capsys):
    """--format json: old, new, summary by level, changes with id, level, method, path,
    pointers and message."""
    old, new = _specs(tmp_path, BREAKING + INFO.removeprefix(OLD_SPEC))
    assert main(["diff", old, new, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["old"] == report["new"] == {"title": "Fragment", "version": "1"}
    assert report["summary"] == {"breaking": 1, "warning": 0, "info": 1}
    assert report["changes"] == [
        {"id": "auth-changed", "level": "breaking", "method": "GET", "path": "/api_key",
         "pointer": {"old": "/paths/~1api_key/get", "new": "/paths/~1api_key/get"},
         "message": "credentials: API key or bearer token → bearer token; an API key gets 401 now; "
                    "API-key roles: administrator, viewer → none",
         "subject": "", "before": "basic+bearer", "after": "bearer"},
        {"id": "operation-added", "level": "info", "method": "GET", "path": "/status",
         "pointer": {"old": None, "new": "/paths/~1status/get"}, "message": "operation added",
         "subject": "", "before": None, "after": None},
    ]


def test_text_output_groups_by_level_then_operation(tmp_path, capsys):
    """--format text (the default): a summary line, then each level, each operation."""
    old, new = _specs(tmp_path, BREAKING.replace("      parameters:", "      deprecated: true\n      parameters:"))
    assert main(["diff", old, new]) == 0
    assert capsys.readouterr().out == (
        "Fragment 1 → 1: 1 breaking, 1 warning, 0 info\n"
        "\n"
        "Breaking changes (1)\n"
        "  GET /api_key\n"
        "    - credentials: API key or bearer token → bearer token; an API key gets 401 now; "
        "API-key roles: administrator, viewer → none  [auth-changed]\n"
        "\n"
        "Warnings (1)\n"
        "  GET /clients\n"
        "    - operation deprecated  [operation-deprecated]\n"
    )


def test_markdown_output_is_a_release_note(tmp_path, capsys):
    """--format markdown: a title, the counts, a section per level, an operation per heading."""
    old, new = _specs(tmp_path, INFO)
    assert main(["diff", old, new, "--format", "markdown"]) == 0
    assert capsys.readouterr().out == (
        "# API changes: Fragment 1 → 1\n"
        "\n"
        "0 breaking, 0 warnings, 1 info.\n"
        "\n"
        "## Info (1)\n"
        "\n"
        "### `GET /status`\n"
        "\n"
        "- operation added (`operation-added`)\n"
    )


def test_changes_of_the_whole_api_come_first_in_their_level_under_their_own_heading():
    """An error code new to the API has no operation: it opens its level."""
    from fragments import model
    from generator.diffreport import as_markdown

    def spec(codes: str) -> str:
        return ("paths:\n  /b: {get: {security: [], responses: {'404': {description: gone, content: {application/json: "
                f"{{schema: {{type: object, properties: {{code: {{type: string, enum: {codes}}}}}}}}}}}}}}}}}}}\n")
    comparison = compare(model(spec("[A]")), model(spec("[A, B]")))
    assert as_text(comparison).splitlines()[2:] == [
        "Warnings (1)", "  GET /b", "    - error code `B` added to `404`  [error-code-added]", "",
        "Info (1)", "  The whole API", "    - error code `B` appears in the API  [api-error-code-added]",
    ]
    assert "### The whole API\n\n- error code `B` appears in the API (`api-error-code-added`)" in as_markdown(comparison)


def test_no_change_says_so(tmp_path, capsys):
    old, new = _specs(tmp_path, OLD_SPEC)
    assert main(["diff", old, new]) == 0
    assert capsys.readouterr().out == "Fragment 1 → 1: no changes\n"


@pytest.mark.parametrize(("new", "fail_on", "status"), [
    (BREAKING, None, 0), (BREAKING, "breaking", 1), (BREAKING, "warning", 1),
    (WARNING, "breaking", 0), (WARNING, "warning", 1),
    (INFO, "breaking", 0), (INFO, "warning", 0),
    (OLD_SPEC, "warning", 0),
], ids=["breaking", "breaking-on-breaking", "breaking-on-warning", "warning-on-breaking", "warning-on-warning",
        "info-on-breaking", "info-on-warning", "none-on-warning"])
def test_fail_on_exits_1_when_a_change_of_that_level_or_worse_exists(tmp_path, capsys, new, fail_on, status):
    old, new_path = _specs(tmp_path, new)
    assert main(["diff", old, new_path] + (["--fail-on", fail_on] if fail_on else [])) == status


@pytest.mark.parametrize("which", ["old", "new"])
def test_a_missing_or_unusable_spec_is_one_line_and_exit_2(tmp_path, capsys, which):
    """As for the other commands: one line on stderr, no traceback, exit 2."""
    good = _write(tmp_path, "good.json", OLD_SPEC)
    missing = str(tmp_path / "missing.json")
    args = [missing, good] if which == "old" else [good, missing]
    assert main(["diff", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"emqx-apidocs: error: {missing}: no such file\n"
    (tmp_path / "swagger.json").write_text('{"swagger": "2.0", "paths": {}}', encoding="utf-8")
    assert main(["diff", good, str(tmp_path / "swagger.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Swagger 2.0" in err and "Traceback" not in err


def test_specs_from_urls_use_the_given_credentials_for_both(capsys, monkeypatch):
    """OLD and NEW may be a node's URLs; --user goes to both, never to the output."""
    monkeypatch.delenv("EMQX_API_KEY", raising=False)
    monkeypatch.delenv("EMQX_SECRET_KEY", raising=False)
    import base64
    from http.server import BaseHTTPRequestHandler

    from servers import in_thread, loopback, url_of

    bodies = {"/old.json": json.dumps(fragment_spec(OLD_SPEC)), "/new.json": json.dumps(fragment_spec(INFO))}
    expected = "Basic " + base64.b64encode(b"key:s3cret").decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            ok = self.headers.get("Authorization") == expected and self.path in bodies
            data = bodies[self.path].encode() if ok else b"{}"
            self.send_response(200 if ok else 401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with in_thread(loopback(Handler)) as server:
        base = url_of(server)
        assert main(["diff", f"{base}/old.json", f"{base}/new.json", "--user", "key:s3cret", "--format", "json"]) == 0
        out, err = capsys.readouterr()
        assert [c["id"] for c in json.loads(out)["changes"]] == ["operation-added"]
        assert "s3cret" not in out + err
        assert main(["diff", f"{base}/old.json", f"{base}/new.json"]) == 2
        assert capsys.readouterr().err.startswith(f"emqx-apidocs: error: {base}/old.json: HTTP 401 Unauthorized")


def test_diff_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "diff" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["diff", "--help"])
    usage = capsys.readouterr().out
    assert all(option in usage for option in ("OLD", "NEW", "--format", "--fail-on", "--user", "--knowledge"))


def test_hostile_names_cannot_reach_a_terminal_or_break_markdown(tmp_path, capsys):
    """Control characters are dropped from text; names stay inside their code spans."""
    hostile = "x`<script>alert(1)</script>\x1b[31m\nnext"
    old = _write(tmp_path, "old.json", OLD_SPEC)
    document = fragment_spec(OLD_SPEC)
    document["paths"]["/evil\x1b[2J{id}"] = {"get": {"security": [], "responses": {"200": {"description": "ok"}}}}
    document["paths"]["/clients"]["get"]["parameters"].append({"name": hostile, "in": "query", "schema": {"type": "string"}})
    new = tmp_path / "new.json"
    new.write_text(json.dumps(document), encoding="utf-8")
    assert main(["diff", old, str(new)]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "GET /evil [2J{id}" in text
    assert main(["diff", old, str(new), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "\x1b" not in markdown and "### `GET /evil [2J{id}`" in markdown
    assert "- query parameter `` x`<script>alert(1)</script> [31m next `` added (`parameter-added`)" in markdown
    assert main(["diff", old, str(new), "--format", "json"]) == 0
    assert {c["path"] for c in json.loads(capsys.readouterr().out)["changes"]} == {"/clients", "/evil\x1b[2J{id}"}


# --- the README ------------------------------------------------------------------------

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_quotes_the_real_counts():
    breaking = SUMMARIES[("ce-5.0.24", "ce-5.8.1")]["breaking"]
    assert f"From CE 5.0.24 to 5.8.1 the same command finds {breaking} breaking changes" in README


def test_the_readme_lists_every_change_kind_with_its_level_and_meaning():
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| (.+?) \|$", README, re.M)
    assert {kind: (level, meaning) for kind, level, meaning in rows} == KINDS
    assert len(rows) == len(KINDS)


@pytest.mark.shared
def test_the_readme_example_is_real_output(compared):
    """The README's excerpt of `diff` CE 5.8.0 → 5.8.1: its lines, in order, in the real output."""
    block = re.search(r"emqx-apidocs diff emqx-ce-5\.8\.0-en\.json emqx-ce-5\.8\.1-en\.json\n```\n\n```text\n(.*?)```",
                      README, re.S)
    assert block, "the README shows the diff of CE 5.8.0 and 5.8.1"
    excerpt = [line for line in block.group(1).splitlines() if line.strip() != "…"]
    output = iter(as_text(compared("ce-5.8.0", "ce-5.8.1")[2]).splitlines())
    missing = [line for line in excerpt if not any(line == out for out in output)]
    assert not missing, missing
