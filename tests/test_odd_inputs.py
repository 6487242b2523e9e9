"""Odd but possible inputs, run through the real CLI as a user runs it.

Hostile tag names and paths, external references, recursive schemas, OpenAPI 3.1,
specs too large, YAML alias bombs, very deep nesting and other legal-but-strange
documents. Every build goes into a --site under tmp_path; the only network traffic
is to servers these tests start on 127.0.0.1.

Exit statuses: 0 built, 1 problems (validate), 2 unusable input (exactly one line
on stderr, no traceback), 3 internal error (always a bug).
"""

from __future__ import annotations

import hashlib
import html
import http.server
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from servers import in_thread, loopback

import generator.load
from generator.load import MAX_EXPANDED_NODES, MAX_NESTING, MAX_YAML_INDENT

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = REPO / "generator" / "data" / "default-spec.yaml"
CLI_TIMEOUT = 120
SECRET_ENV = ("EMQX_API_KEY", "EMQX_SECRET_KEY", "EMQX_APIDOCS_DEBUG")
MEMORY_CAP = 2 * 1024**3  # address space for builds that might explode (alias bombs, ...)
OK_RESPONSE = {"200": {"description": "ok"}}
JSON_RESPONSE = {"200": {"description": "ok", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"id": {"type": "string"}, "count": {"type": "integer"}},
}}}}}


# --------------------------------------------------------------------------- helpers


def cli_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in SECRET_ENV}


def run_cli(*args: str, cwd: Path = REPO, timeout: float = CLI_TIMEOUT,
            memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m generator ARGS` in its own process group, killed whole on timeout."""

    def limits() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *args], cwd=cwd, env=cli_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=limits if memory else None,  # only then: preexec_fn and threads do not mix well
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"`{' '.join(args)}` still running after {timeout} s (killed)\n--- stderr ---\n{err[-2000:]}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # a forked worker left behind
        except (ProcessLookupError, PermissionError):
            pass
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def build(spec: Path, site: Path, *more: str, **kw) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--spec", str(spec), "--site", str(site), "-q", *more, **kw)


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-3000:]}"


def assert_built(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, explain(result)
    assert "Traceback" not in result.stderr, explain(result)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *mentions: str) -> str:
    assert result.returncode == 2, explain(result)
    assert "Traceback" not in result.stderr + result.stdout, explain(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected exactly one stderr line\n{explain(result)}"
    for text in mentions:
        assert text in lines[0], f"{text!r} not in the error line {lines[0]!r}"
    return lines[0]


def spec(paths: dict, **top: object) -> dict:
    return {"openapi": "3.0.3", "info": {"title": "Odd input", "version": "1"}, "paths": paths, **top}


def write(path: Path, document: dict | str | bytes) -> Path:
    if isinstance(document, dict):
        document = json.dumps(document, ensure_ascii=False)
    path.write_bytes(document if isinstance(document, bytes) else document.encode("utf-8"))
    return path


def all_files(folder: Path) -> set[str]:
    """Every file and symlink under `folder`, hidden ones included, relative to it."""
    found = set()
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            found.add(os.path.relpath(os.path.join(root, name), folder))
    return found


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def operations(site: Path) -> list[dict]:
    return json.loads((site / "operations.json").read_text(encoding="utf-8"))["operations"]


def assert_operations_reachable(site: Path) -> list[dict]:
    """Every operation's URL names a page inside the site that has the operation's anchor."""
    ops = operations(site)
    for op in ops:
        page, _, anchor = op["url"].partition("#")
        target = (site / page).resolve()
        assert target.is_relative_to(site.resolve()), f"{op['url']} points outside the site"
        assert target.is_file(), f"{op['method']} {op['path'][:80]}: page {page} does not exist"
        assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), (
            f"{op['method']} {op['path'][:80]} (tag {op['tag'][:40]!r}): no anchor #{anchor} in {page}"
        )
    return ops


def build_in_sandbox(tmp_path: Path, document: dict) -> tuple[Path, list[dict]]:
    """Build `document` into tmp_path/out/site; check that nothing lands outside it or in docs/."""
    spec_file = write(tmp_path / "spec.json", document)
    site = tmp_path / "out" / "site"
    docs_before = tree_hash(REPO / "docs")
    before = all_files(tmp_path)
    assert_built(build(spec_file, site))
    new = all_files(tmp_path) - before
    allowed_outside: set[str] = set()  # the lock lives in the temporary folder
    outside = sorted(p for p in new if not p.startswith("out/site/") and p not in allowed_outside)
    assert not outside, f"files written outside --site: {outside[:20]}"
    assert tree_hash(REPO / "docs") == docs_before, "the build changed the repository's docs/"
    return site, assert_operations_reachable(site)


# --------------------------------------------------------------------------- hostile names


HOSTILE_TAGS = [
    "../../etc", "/abs/path", "..", "index", "search", "assets", "404", "CON",
    "Long " + "x" * 295, "客户端", "Клиенты", "🚀🔥 emoji", "Foo Bar", "foo-bar", "!!!?*<>|",
]


def test_hostile_tag_names_stay_inside_the_site_and_get_a_page_each(tmp_path: Path) -> None:
    """Tag names that look like paths, reserved names or clash after slugging each get their own page in the site."""
    document = spec(
        {f"/t{i}": {"get": {"tags": [tag], "summary": f"op {i}", "responses": JSON_RESPONSE}}
         for i, tag in enumerate(HOSTILE_TAGS)},
        tags=[{"name": tag, "description": f"about {i}"} for i, tag in enumerate(HOSTILE_TAGS)],
    )
    site, ops = build_in_sandbox(tmp_path, document)

    pages = {op["tag"]: op["url"].partition("#")[0] for op in ops}
    assert set(pages) == set(HOSTILE_TAGS), set(HOSTILE_TAGS) ^ set(pages)
    assert len(set(pages.values())) == len(HOSTILE_TAGS), f"tags share a page: {pages}"
    reserved = {"index.html", "search.html", "404.html", "sitemap.xml", "operations.json"}
    for tag, page in pages.items():
        assert page.startswith("reference/") and page.count("/") == 1, (tag, page)
        assert Path(page).name not in reserved and page != "reference/spec-health.html", (tag, page)
    for tag in ("Long " + "x" * 295, "客户端", "Клиенты", "🚀🔥 emoji"):
        assert html.escape(tag, quote=False) in (site / pages[tag]).read_text(encoding="utf-8"), tag
    assert (site / "index.html").is_file()
    assert not (tmp_path / "etc").exists() and not (tmp_path / "out" / "etc").exists()


def test_tag_that_slugs_like_the_health_page_keeps_its_page(tmp_path: Path) -> None:
    """A tag called 'Spec Health' must not share reference/spec-health.html with the spec-health page."""
    document = spec({
        "/h": {"get": {"tags": ["Spec Health"], "summary": "health op", "responses": OK_RESPONSE}},
        "/g": {"get": {"tags": ["guides"], "summary": "guides op", "responses": OK_RESPONSE}},
    })
    site, ops = build_in_sandbox(tmp_path, document)  # also checks every anchor is on its page
    assert (site / "reference" / "spec-health.html").is_file()
    assert {op["tag"] for op in ops} == {"Spec Health", "guides"}


HOSTILE_PATHS = [
    "/a/../b",
    "/../../../../etc/passwd",
    "/..",
    "/" + "/".join(["segment"] * 400) + "/end",
    "/" + "y" * 5000,
    "/клиенты/{id}",
    "/客户端/{clientid}/订阅",
    "/emoji/🚀",
]


def test_hostile_paths_stay_inside_the_site(tmp_path: Path) -> None:
    """Paths with '..', thousands of characters or non-ASCII text build, and each operation is on its page."""
    paths = {}
    for path in HOSTILE_PATHS:
        params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                  for n in ("id", "clientid") if "{" + n + "}" in path]
        paths[path] = {"get": {"tags": ["Odd"], "parameters": params, "responses": JSON_RESPONSE}}
    site, ops = build_in_sandbox(tmp_path, spec(paths))
    assert sorted(op["path"] for op in ops) == sorted(HOSTILE_PATHS)
    anchors = [op["url"] for op in ops]
    assert len(set(anchors)) == len(anchors), "two operations share an anchor"


def test_percent_encoded_paths_build(tmp_path: Path) -> None:
    """Paths with percent escapes ('%2e%2e', '%41') build; they are not decoded into anything."""
    paths = {
        "/a/%2e%2e/b": {"get": {"tags": ["Odd"], "responses": JSON_RESPONSE}},
        "/%2e%2e/%2e%2e/etc": {"get": {"tags": ["Odd"], "responses": JSON_RESPONSE}},
        "/x%41": {"post": {"tags": ["Odd"], "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                           "responses": OK_RESPONSE}},
    }
    site, ops = build_in_sandbox(tmp_path, spec(paths))
    assert sorted(op["path"] for op in ops) == sorted(paths)


def test_relative_site_from_another_directory(tmp_path: Path) -> None:
    """A relative --site is relative to the current directory, wherever the command runs."""
    work = tmp_path / "work"
    work.mkdir()
    result = run_cli("build", "--site", "site", "-q", cwd=work)
    assert_built(result)
    assert (work / "site" / "index.html").is_file()
    assert_operations_reachable(work / "site")


# --------------------------------------------------------------------------- external references


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        body = b'{"X": {"type": "string"}, "components": {"schemas": {"X": {"type": "string"}}}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def ref_server():
    server = loopback(_CountingHandler)
    server.hits = []  # type: ignore[attr-defined]
    with in_thread(server):
        yield server


def ref_spec(*refs: str) -> dict:
    return spec({
        f"/r{i}": {"get": {"tags": ["Refs"], "responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": ref}}}}}}}
        for i, ref in enumerate(refs)
    })


def ref_pointer(i: int) -> str:
    return f"/paths/~1r{i}/get/responses/200/content/application~1json/schema"


def assert_external_ref_reported(spec_file: Path, refs: list[str], cwd: Path = REPO) -> None:
    result = run_cli("validate", "--spec", str(spec_file), "--format", "json", cwd=cwd)
    assert result.returncode == 1, explain(result)
    report = json.loads(result.stdout)
    for i, ref in enumerate(refs):
        at = [p for p in report["problems"] if p["pointer"].startswith(ref_pointer(i))]
        assert at, f"no problem listed at {ref_pointer(i)} for {ref!r}: {report['problems']}"
        assert any("external" in p["message"] and "not followed" in p["message"] and ref in p["message"] for p in at), at


def test_ref_to_a_url_is_never_fetched(tmp_path: Path, ref_server) -> None:
    """A $ref to an http URL builds, is listed as external and not followed, and no request is made."""
    host, port = ref_server.server_address[:2]
    ref = f"http://{host}:{port}/x.json#/X"
    spec_file = write(tmp_path / "spec.json", ref_spec(ref))
    result = build(spec_file, tmp_path / "site")
    assert_built(result)
    assert_operations_reachable(tmp_path / "site")
    assert_external_ref_reported(spec_file, [ref])
    assert ref_server.hits == [], f"the $ref URL was fetched: {ref_server.hits}"


class _FifoWatch:
    """A named pipe that notices when anything opens it for reading (and then feeds it '{}')."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody is reading
                time.sleep(0.02)
                continue
            self.opened = True
            try:
                os.write(fd, b"{}\n")
            except OSError:
                pass
            os.close(fd)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.mark.parametrize("kind", ["relative", "file-url"])
def test_ref_to_another_file_is_never_read(tmp_path: Path, kind: str) -> None:
    """A $ref to another file (relative, or a file:// URL) builds, is listed as not followed, and the file is not opened."""
    watch = _FifoWatch(tmp_path / "other.yaml")
    ref = ("other.yaml" if kind == "relative" else watch.path.as_uri()) + "#/components/schemas/X"
    try:
        spec_file = write(tmp_path / "spec.json", ref_spec(ref))
        site = tmp_path / "out" / "site"
        assert_built(build(spec_file, site, cwd=tmp_path))  # relative to the spec's folder or to the cwd: both
        assert_operations_reachable(site)
        assert_external_ref_reported(spec_file, [ref], cwd=tmp_path)
    finally:
        watch.close()
    assert not watch.opened, f"the file the $ref {ref!r} names was opened"


# --------------------------------------------------------------------------- recursion


RECURSIVE_SCHEMAS = {
    "Self": {"type": "object", "properties": {"name": {"type": "string"}, "child": {"$ref": "#/components/schemas/Self"}}},
    "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
    "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
    "Tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
    "All": {"allOf": [{"$ref": "#/components/schemas/All"}, {"type": "object", "properties": {"x": {"type": "integer"}}}]},
    "One": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/components/schemas/One"}},
                      {"$ref": "#/components/schemas/One"}]},
    "Map": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Map"}},
    "Loop1": {"$ref": "#/components/schemas/Loop2"},
    "Loop2": {"$ref": "#/components/schemas/Loop1"},
}


def test_recursive_schemas_finish_quickly_and_stay_small(tmp_path: Path) -> None:
    """Self, mutual, array-item, allOf/oneOf and additionalProperties recursion build in time into small pages."""
    paths = {}
    for name in RECURSIVE_SCHEMAS:
        ref = {"$ref": f"#/components/schemas/{name}"}
        paths[f"/{name.lower()}"] = {"post": {
            "tags": ["Recursive"],
            "requestBody": {"content": {"application/json": {"schema": ref}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": ref}}}},
        }}
    document = spec(paths, components={"schemas": RECURSIVE_SCHEMAS})
    spec_file = write(tmp_path / "spec.json", document)
    site = tmp_path / "site"
    started = time.monotonic()
    result = build(spec_file, site, timeout=60)
    assert_built(result)
    assert time.monotonic() - started < 60
    assert "panicked" not in result.stderr, result.stderr  # a Rust extension hit by a RecursionError
    ops = assert_operations_reachable(site)
    assert len(ops) == len(RECURSIVE_SCHEMAS)
    for page in {op["url"].partition("#")[0] for op in ops}:
        size = (site / page).stat().st_size
        assert size < 1024 * 1024, f"{page} is {size} bytes"
    result = run_cli("validate", "--spec", str(spec_file), timeout=60)
    assert result.returncode in (0, 1), explain(result)


# --------------------------------------------------------------------------- OpenAPI 3.1


OPENAPI_31 = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
    "info": {"title": "Three one", "version": "1", "summary": "3.1 features",
             "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
    "webhooks": {"newThing": {"post": {
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
        "responses": {"200": {"description": "ok"}},
    }}},
    "paths": {
        "/things/{id}": {"get": {
            "tags": ["Things"], "summary": "Get a thing",
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": ["string", "null"], "examples": ["abc"]}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"}}}}},
        }},
        "/kinds": {"post": {
            "tags": ["Kinds"],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Holder/$defs/Kind"}}}},
            "responses": {"204": {"description": "done"}},
        }},
    },
    "components": {"schemas": {
        "Thing": {"type": "object", "required": ["id", "kind"], "properties": {
            "id": {"type": ["string", "null"]},
            "kind": {"const": "thing"},
            "n": {"type": ["integer", "null"], "examples": [1, 2], "exclusiveMinimum": 0},
            "holder": {"$ref": "#/components/schemas/Holder"},
        }},
        "Holder": {"$defs": {"Kind": {"type": "string", "enum": ["a", "b"]}}, "type": "object",
                   "properties": {"kind": {"$ref": "#/components/schemas/Holder/$defs/Kind"}, "anything": True}},
    }},
}


def test_openapi_31_builds_and_validates(tmp_path: Path) -> None:
    """An OpenAPI 3.1.0 spec (type arrays, examples, const, $defs, webhooks, jsonSchemaDialect) builds and validates clean."""
    spec_file = write(tmp_path / "spec31.json", OPENAPI_31)
    site = tmp_path / "site"
    assert_built(build(spec_file, site))
    ops = assert_operations_reachable(site)
    assert sorted((op["method"], op["path"]) for op in ops) == [("GET", "/things/{id}"), ("POST", "/kinds")]
    result = run_cli("validate", "--spec", str(spec_file), "--format", "json")
    assert result.returncode == 0, explain(result)
    assert json.loads(result.stdout)["count"] == 0


# --------------------------------------------------------------------------- size


def test_max_size_smaller_than_the_spec_on_validate(tmp_path: Path) -> None:
    """validate with --max-size below the spec's size exits 2 with one line naming --max-size."""
    spec_file = tmp_path / "sample.yaml"
    spec_file.write_bytes(DEFAULT_SPEC.read_bytes())
    line = assert_one_line_error(run_cli("validate", "--spec", str(spec_file), "--max-size", "1000"), "sample.yaml")
    assert "--max-size" in line and "1000" in line, line


def test_default_size_cap_refuses_a_huge_file_quickly(tmp_path: Path) -> None:
    """A file one byte over generator.load.DEFAULT_MAX_BYTES is refused (exit 2) without being read."""
    cap = generator.load.DEFAULT_MAX_BYTES
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:  # spaces: read, they would be "empty" rather than "too big"
        handle.write(b"{")
        chunk = b" " * (1 << 20)
        remaining = cap  # total cap + 1 bytes
        while remaining:
            handle.write(chunk[: min(len(chunk), remaining)])
            remaining -= min(len(chunk), remaining)
    assert huge.stat().st_size == cap + 1
    started = time.monotonic()
    result = run_cli("build", "--spec", str(huge), "--site", str(tmp_path / "site"), "-q", timeout=30)
    elapsed = time.monotonic() - started
    line = assert_one_line_error(result, "huge.json")
    assert "--max-size" in line and str(cap) in line, line
    assert elapsed < 5, f"refusing a file over the cap took {elapsed:.1f} s"
    assert not (tmp_path / "site").exists()


# --------------------------------------------------------------------------- alias bombs and deep nesting


def alias_bomb(levels: int, where: str) -> str:
    """A billion-laughs YAML: 9**levels strings from a few hundred bytes."""
    lines = ['openapi: "3.0.3"', 'info: {title: bomb, version: "1"}',
             'x-a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"x-a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    top = f"*a{levels - 1}"
    if where == "extension":
        lines += [f"x-bomb: {top}", "paths: {/a: {get: {responses: {'200': {description: ok}}}}}"]
    elif where == "extension-and-external-ref":  # anything that copies the document must keep aliases shared
        lines += [f"x-bomb: {top}", "x-other: {$ref: 'other.yaml#/X'}",
                  "paths: {/a: {get: {responses: {'200': {description: ok}}}}}"]
    else:  # the example of a schema the model shows
        lines += ["paths:", "  /a:", "    get:", "      responses:", "        '200':", "          description: ok",
                  "          content:", "            application/json:", f"              schema: {{type: array, example: {top}}}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["extension", "extension-and-external-ref", "example"])
def test_yaml_alias_bomb_is_refused_in_one_line(tmp_path: Path, where: str) -> None:
    """A billion-laughs alias bomb (9**10 strings) is refused (exit 2, one line) within 30 s under a 2 GiB memory cap."""
    spec_file = write(tmp_path / "bomb.yaml", alias_bomb(10, where))
    result = build(spec_file, tmp_path / "site", timeout=30, memory=MEMORY_CAP)
    assert_one_line_error(result, "bomb.yaml", f"aliases expand to more than {MAX_EXPANDED_NODES} nodes")
    assert not (tmp_path / "site").exists()


def aliases_expanding_to(nodes: int) -> str:
    """YAML whose aliases expand to exactly `nodes` nodes: every object, array and scalar
    value counts once each time it is reached (keys do not count), the top object too."""
    row, copies = 999, 1998  # a list of 999 scalars is 1000 nodes
    fixed = 1 + 1 + 3 + 1 + (1 + row) + (1 + copies * (1 + row)) + 1  # top, openapi, info, paths, x-row, x-copies, x-pad
    pad = nodes - fixed
    assert pad >= 0
    return "\n".join([
        'openapi: "3.0.3"', 'info: {title: aliases, version: "1"}', "paths: {}",
        "x-row: &row [" + ", ".join(["1"] * row) + "]",
        "x-copies: [" + ", ".join(["*row"] * copies) + "]",
        "x-pad: [" + ", ".join(["2"] * pad) + "]",
    ]) + "\n"


def expanded_nodes(node: object) -> int:
    """The count aliases_expanding_to promises, by walking the loaded document naively."""
    if isinstance(node, dict):
        return 1 + sum(expanded_nodes(v) for v in node.values())
    if isinstance(node, list):
        return 1 + sum(expanded_nodes(v) for v in node)
    return 1


@pytest.mark.parametrize("nodes", [MAX_EXPANDED_NODES, MAX_EXPANDED_NODES + 1], ids=["at-the-limit", "one-over"])
def test_yaml_aliases_at_the_expansion_limit(tmp_path: Path, nodes: int) -> None:
    """Aliases expanding to exactly MAX_EXPANDED_NODES build (exit 0); one node more is refused in one line (exit 2)."""
    text = aliases_expanding_to(nodes)
    assert expanded_nodes(yaml.safe_load(text)) == nodes
    spec_file = write(tmp_path / "aliases.yaml", text)
    result = build(spec_file, tmp_path / "site", timeout=60, memory=MEMORY_CAP)
    if nodes <= MAX_EXPANDED_NODES:
        assert_built(result)
    else:
        assert_one_line_error(result, "aliases.yaml", f"aliases expand to more than {MAX_EXPANDED_NODES} nodes")


def nested(depth: int, leaf: str = "[]") -> str:
    return "[" * depth + leaf + "]" * depth


def deep_example(levels: int, kind: str) -> str:
    """A spec nested `levels` deep (objects and arrays, the top object counted), the deepest
    part being the example of a response the page shows; as JSON or as block-style YAML."""
    # top object, paths, /a, get, responses, 200, content, application/json, example: 8 objects
    inner = levels - 8
    if kind == "json":
        example = "[" * inner + "1" + "]" * inner
        return ('{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": '
                '{"200": {"description": "ok", "content": {"application/json": {"example": ' + example + "}}}}}}}}")
    return "\n".join([
        "openapi: 3.0.3", 'info: {title: t, version: "1"}', "paths:", "  /a:", "    get:", "      responses:",
        "        '200':", "          description: ok", "          content:", "            application/json:",
        "              example: " + "[" * inner + "1" + "]" * inner,
    ]) + "\n"


def deep_indent(columns: int) -> str:
    """Block-style YAML whose deepest line starts after `columns` spaces (in an extension)."""
    return 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\nx-wide:\n' + " " * columns + "a: 1\n"


@pytest.mark.parametrize("kind", ["json", "yaml"])
@pytest.mark.parametrize("levels", [MAX_NESTING, MAX_NESTING + 1], ids=["at-the-limit", "one-over"])
def test_nesting_at_the_limit(tmp_path: Path, kind: str, levels: int) -> None:
    """A spec nested exactly MAX_NESTING levels builds (exit 0); one level more is refused in one line (exit 2)."""
    text = deep_example(levels, kind)
    document = json.loads(text) if kind == "json" else yaml.safe_load(text)
    assert depth_of(document) == levels
    spec_file = write(tmp_path / f"deep.{kind}", text)
    result = build(spec_file, tmp_path / "site", timeout=60, memory=MEMORY_CAP)
    if levels <= MAX_NESTING:
        assert_built(result)
        assert_operations_reachable(tmp_path / "site")
    else:
        assert_one_line_error(result, f"deep.{kind}", f"nested more than {MAX_NESTING} levels deep")


def depth_of(node: object) -> int:
    children = list(node.values()) if isinstance(node, dict) else node if isinstance(node, list) else None
    if children is None:
        return 0
    return 1 + max((depth_of(c) for c in children), default=0)


@pytest.mark.parametrize("columns", [MAX_YAML_INDENT, MAX_YAML_INDENT + 1], ids=["at-the-limit", "one-over"])
def test_yaml_indentation_at_the_limit(tmp_path: Path, columns: int) -> None:
    """A line indented MAX_YAML_INDENT columns builds (exit 0); one column more is refused in one line (exit 2)."""
    spec_file = write(tmp_path / "wide.yaml", deep_indent(columns))
    result = build(spec_file, tmp_path / "site", timeout=60)
    if columns <= MAX_YAML_INDENT:
        assert_built(result)
    else:
        assert_one_line_error(result, "wide.yaml", f"indented more than {MAX_YAML_INDENT} columns")


# name: (file content, the exit status, and for exit 2 what its one line says)
DEEP_AND_ODD = {
    "deep-100000.json": ('{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-deep": '
                         + nested(100_000) + "}", 2, "nested more than"),
    "deep-50000.yaml": ('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\nx-deep: ' + nested(50_000) + "\n",
                        2, "nested more than"),
    "deep-2000.yaml": ('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\nx-deep: ' + nested(2000) + "\n",
                       2, "nested more than"),
    "big-int.json": ('{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x-n": ' + "7" * 5000 + "}",
                     2, "invalid JSON: Exceeds the limit"),
    "big-int.yaml": ('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\nx-n: ' + "7" * 5000 + "\n",
                     2, "invalid YAML: Exceeds the limit"),
    "lone-surrogate.json": ('{"openapi": "3.0.3", "info": {"title": "broken \\ud800 text", "version": "1"}, '
                            '"paths": {"/a": {"get": {"summary": "x \\udfff y", "responses": {"200": {"description": "ok"}}}}}}',
                            0, ""),
}


@pytest.mark.parametrize("name", sorted(DEEP_AND_ODD))
def test_deep_nesting_huge_numbers_and_bad_escapes(tmp_path: Path, name: str) -> None:
    """Very deep nesting and 5000-digit numbers are refused in one line; lone surrogate escapes build."""
    text, status, says = DEEP_AND_ODD[name]
    spec_file = write(tmp_path / name, text)
    result = build(spec_file, tmp_path / "site", timeout=60, memory=MEMORY_CAP)
    assert result.returncode >= 0, f"killed by signal {-result.returncode}\n{explain(result)}"
    if status == 0:
        assert_built(result)
    else:
        assert_one_line_error(result, name, says)


# --------------------------------------------------------------------------- weird but valid


ANCHORS_YAML = """\
openapi: 3.0.3
info: {title: anchors, version: "1"}
x-common:
  responses: &resp
    "200": {description: ok, content: {application/json: {schema: &obj {type: object, properties: {a: {type: string}}}}}}
paths:
  /a: {get: {tags: [A], responses: *resp}}
  /b: {get: {tags: [A], responses: *resp, parameters: [{name: q, in: query, schema: *obj}]}}
  /c:
    post:
      requestBody: {content: {application/json: {schema: {<<: *obj, description: merged}}}}
      responses: *resp
"""

DUPLICATE_KEYS_YAML = """\
openapi: 3.0.3
info: {title: duplicates, version: "1"}
info: {title: duplicates again, version: "2"}
paths:
  /a:
    get: {responses: {"200": {description: first}}}
    get: {responses: {"200": {description: second}}}
  /a:
    post: {responses: {"200": {description: third}}}
"""

# name -> (file content, the operations expected in operations.json as (method, full_path))
WEIRD_BUT_VALID = {
    "anchors.yaml": (ANCHORS_YAML, {("GET", "/api/v5/a"), ("GET", "/api/v5/b"), ("POST", "/api/v5/c")}),
    "duplicate-keys.yaml": (DUPLICATE_KEYS_YAML, {("POST", "/api/v5/a")}),
    "bom.json": ("\ufeff" + json.dumps(spec({"/a": {"get": {"responses": OK_RESPONSE}}})), {("GET", "/api/v5/a")}),
    "empty-paths.json": (json.dumps(spec({})), set()),
    "no-responses.json": (json.dumps(spec({"/a": {"get": {"summary": "no responses"}}})), {("GET", "/api/v5/a")}),
    "parameter-without-schema.json": (json.dumps(spec({"/a/{id}": {"get": {"parameters": [
        {"name": "id", "in": "path", "required": True},
        {"name": "q", "in": "query", "example": "x"},
        {"name": "c", "in": "query", "content": {"application/json": {"schema": {"type": "object"}}}},
    ], "responses": OK_RESPONSE}}})), {("GET", "/api/v5/a/{id}")}),
    "content-without-schema.json": (json.dumps(spec({"/a": {"post": {
        "requestBody": {"content": {"application/json": {}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {}, "text/plain": {"example": "hi"}}}},
    }}})), {("POST", "/api/v5/a")}),
    "security-not-a-list.json": (json.dumps(spec({"/a": {"get": {"security": {"basicAuth": []}, "responses": OK_RESPONSE}},
                                                  "/b": {"get": {"responses": OK_RESPONSE}}}, security="basicAuth")),
                                 {("GET", "/api/v5/a"), ("GET", "/api/v5/b")}),
    "tags-not-a-list.json": (json.dumps(spec({"/a": {"get": {"tags": "Clients", "responses": OK_RESPONSE}}},
                                             tags={"name": "Clients"})), {("GET", "/api/v5/a")}),
    "server-full-url.json": (json.dumps(spec({"/a": {"get": {"responses": OK_RESPONSE}}},
                                             servers=[{"url": "https://emqx.example.com:18083/custom/base/"}])),
                             {("GET", "/custom/base/a")}),
    "operation-is-a-list.json": (json.dumps(spec({"/a": {"get": [{"responses": OK_RESPONSE}], "post": {"responses": OK_RESPONSE}}})),
                                 {("POST", "/api/v5/a")}),
}


@pytest.mark.parametrize("name", sorted(WEIRD_BUT_VALID))
def test_weird_but_usable_specs_build(tmp_path: Path, name: str) -> None:
    """Legal-but-strange documents (anchors, duplicate keys, BOM, missing or mistyped parts) build with exit 0."""
    content, expected = WEIRD_BUT_VALID[name]
    spec_file = write(tmp_path / name, content)
    site = tmp_path / "site"
    assert_built(build(spec_file, site))
    ops = assert_operations_reachable(site)
    assert {(op["method"], op["full_path"]) for op in ops} == expected
    result = run_cli("validate", "--spec", str(spec_file), "--format", "json")
    assert result.returncode in (0, 1), explain(result)
    assert json.loads(result.stdout)["count"] == len(json.loads(result.stdout)["problems"])


def test_yaml_anchor_document_is_parsed_as_yaml_not_json() -> None:
    """Sanity check of the fixtures above: the anchor and duplicate-key YAML parse to what the tests expect."""
    anchors = yaml.safe_load(ANCHORS_YAML)
    assert anchors["paths"]["/a"]["get"]["responses"] is anchors["paths"]["/b"]["get"]["responses"]
    duplicates = yaml.safe_load(DUPLICATE_KEYS_YAML)
    assert list(duplicates["paths"]["/a"]) == ["post"]
