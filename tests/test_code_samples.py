"""The Python and JavaScript samples (generator/samples.py) and the Try-it panel's copy
of their writers (code-samples.js).

Fragment in, exact text out for a few operations; untrusted text stays inside string
literals and shows no invisible character; and the panel's writers, run by Node on the
description of every operation of CE 5.8.1 and of the sample spec, write exactly what
the page shows.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import yaml
from fragments import operation
from servers import in_thread, loopback, url_of
from support import PROJECT_ROOT, need, shared_spec

from generator.builder import build_api
from generator.curl import ExampleRequest
from generator.knowledge import load_knowledge
from generator.samples import javascript_code, names, python_code, string_literal, wire

NODE = "/usr/bin/node"
CODE_SAMPLES = PROJECT_ROOT / "templates" / "assets" / "javascripts" / "code-samples.js"
NODE_BATCH = """
const fs = require("fs");
require("vm").runInThisContext(fs.readFileSync(process.argv[1], "utf8"));
const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(jobs.map((j) => [EAD_SAMPLES.python(j.wire, j.node, j.env),
                                                     EAD_SAMPLES.javascript(j.wire, j.node, j.env)])));
"""
HOSTILE = [
    'quote " back \\ dollar ${x} tick ` </script><!--',
    "line\nbreak\r\ttab \x00 nul \x7f del \x85 nel",
    "bidi \u202e\u2066\u2069 zero-width \u200b\u200d bom \ufeff separators \u2028\u2029",
    "astral \U0001f600 tag \U000e0041 lone \ud800 surrogate",
    "中文 é",
    "\"); import os; os.system('x') #",
    '"; process.exit(1); //',
]


def node_writes(jobs: list[dict]) -> list[list[str]]:
    """What code-samples.js writes for each job ({wire, node, env}): [python, javascript]."""
    need(Path(NODE).is_file(), "Debian's nodejs (/usr/bin/node) is needed")
    done = subprocess.run([NODE, "-e", NODE_BATCH, str(CODE_SAMPLES)], input=json.dumps(jobs),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --------------------------------------------------------------------------- exact text


def test_the_description_is_the_request_as_sent() -> None:
    """wire(): the path values encoded, a list query value once per item, values as text."""
    request = ExampleRequest("GET", "/api/v5/clients/{clientid}", "basic", path_values=(("clientid", "dev/42 a"),),
                             query=(("username", ["u1", "u2"]), ("limit", 50), ("clean_start", True)),
                             headers=(("X-Node", "emqx@127.0.0.1"),))
    assert wire(request) == {
        "method": "GET", "path": "/api/v5/clients/dev%2F42%20a",
        "query": [["username", "u1"], ["username", "u2"], ["limit", "50"], ["clean_start", "true"]],
        "headers": [["X-Node", "emqx@127.0.0.1"]], "auth": "basic", "accept": "application/json",
        "media_type": None, "body": None,
    }
    python = python_code(request, base_url="http://localhost:18083", knowledge=load_knowledge())
    assert """
    params={
        "username": ["u1", "u2"],
        "limit": "50",
        "clean_start": "true",
    },
""" in python  # httpx sends each item of a list
    javascript = javascript_code(request, base_url="http://localhost:18083", knowledge=load_knowledge())
    assert """
url.search = new URLSearchParams([
  ["username", "u1"],
  ["username", "u2"],
  ["limit", "50"],
  ["clean_start", "true"],
]);
""" in javascript  # a name given twice: pairs, as an object could not hold them


def test_python_sample_of_a_bearer_only_json_post() -> None:
    """A bearer-only POST: the token in a header, the body as json=, the answer printed."""
    op = operation("""
    paths:
      /rules/{id}/test:
        post:
          security: [{bearerAuth: []}]
          parameters: [{name: id, in: path, required: true, schema: {type: string, example: "a/b"}}]
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {sql: {type: string}, qos: {type: integer}}}
                example: {sql: SELECT 1, qos: 1}
          responses: {'200': {description: ok}}
    """, "POST", "/rules/{id}/test")
    assert op.python == """\
import json
import os

import httpx

base = os.environ.get("EMQX_URL") or "http://localhost:18083"
response = httpx.request(
    "POST",
    base + "/api/v5/rules/a%2Fb/test",
    headers={
        "Accept": "application/json",
        "Authorization": "Bearer " + os.environ["EMQX_TOKEN"],
    },
    json={"sql": "SELECT 1", "qos": 1},
)
response.raise_for_status()
if response.content:
    print(json.dumps(response.json(), indent=2, ensure_ascii=False))"""


def test_javascript_sample_of_a_multipart_upload() -> None:
    """A multipart body uploads the file named as its field, as the curl does (-F file=@./file)."""
    op = operation("""
    paths:
      /data/files:
        post:
          security: [{basicAuth: []}]
          requestBody:
            content:
              multipart/form-data:
                schema: {type: object, properties: {filename: {type: string, format: binary}}}
          responses: {'204': {description: ok}}
    """, "POST", "/data/files")
    assert op.javascript == """\
import { readFile } from "node:fs/promises";

// a credential from the environment: stop when it is not set
function need(name) {
  if (!process.env[name]) {
    console.error(`${name} is not set`);
    process.exit(1);
  }
  return process.env[name];
}

// Basic credentials: UTF-8 bytes, then base64 (btoa alone refuses non-ASCII)
const basic = (key, secret) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(`${key}:${secret}`)));

const base = process.env.EMQX_URL || "http://localhost:18083";
const url = new URL(base + "/api/v5/data/files");
const form = new FormData();
form.append("filename", new Blob([await readFile("filename")]), "filename");
const response = await fetch(url, {
  method: "POST",
  headers: {
    "Accept": "application/json",
    "Authorization": "Basic " + basic(need("EMQX_API_KEY"), need("EMQX_SECRET_KEY")),
  },
  body: form,
});
if (!response.ok) {
  throw new Error(`${response.status} ${response.statusText}: ${await response.text()}`);
}
const text = await response.text();
if (text) console.log(JSON.stringify(JSON.parse(text), null, 2));"""


@pytest.mark.parametrize(("security", "given", "missing"), [
    ("basicAuth", {}, "EMQX_API_KEY"),
    ("basicAuth", {"EMQX_API_KEY": "key"}, "EMQX_SECRET_KEY"),
    ("bearerAuth", {"EMQX_API_KEY": "key", "EMQX_SECRET_KEY": "secret"}, "EMQX_TOKEN"),
])
def test_the_javascript_sample_stops_when_a_credential_is_not_set(security: str, given: dict, missing: str,
                                                                   tmp_path: Path) -> None:
    """Run by Node with a credential unset, the sample says which, exits 1 and sends
    nothing: no "undefined" goes out as a key or a token."""
    need(Path(NODE).is_file(), "Debian's nodejs (/usr/bin/node) is needed")
    op = operation(f"""
    paths:
      /clients:
        get:
          security: [{{{security}: []}}]
          responses: {{'200': {{description: ok}}}}
    """, "GET", "/clients")
    received = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the handler's name)
            received.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    (tmp_path / "sample.mjs").write_text(op.javascript, encoding="utf-8")
    server = loopback(Recorder)
    with in_thread(server):
        done = subprocess.run([NODE, "sample.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "EMQX_URL": url_of(server), **given})
    assert (done.returncode, done.stderr.strip(), received) == (1, f"{missing} is not set", [])


def test_a_public_operation_sends_no_credentials() -> None:
    """Public: no auth= in Python, no Authorization in JavaScript, no helper."""
    op = operation("""
    paths:
      /status:
        get:
          security: []
          responses: {'200': {description: ok, content: {text/plain: {schema: {type: string}}}}}
    """, "GET", "/status")
    assert "auth=" not in op.python and "Authorization" not in op.python
    assert "Authorization" not in op.javascript and "basic" not in op.javascript
    assert '"Accept": "text/plain"' in op.python and "sys.stdout.buffer.write(response.content)" in op.python


# --------------------------------------------------------------------------- untrusted text


@pytest.mark.parametrize("text", HOSTILE)
def test_python_literals_say_exactly_the_text_and_show_nothing_unseen(text: str) -> None:
    literal = string_literal(text, python=True)
    assert ast.literal_eval(literal) == text
    assert all(ch.isprintable() for ch in literal)


def test_hostile_values_stay_inside_the_literals() -> None:
    """Spec text in every place of a request: the Python is one call with the text intact,
    the JavaScript parses as a module, and outside its string literals holds none of it."""
    request = ExampleRequest(
        "POST", "/api/v5/x/{id}", "basic", path_values=(("id", HOSTILE[0]),),
        query=tuple((f"q{i}", text) for i, text in enumerate(HOSTILE)),
        headers=(("X-" + HOSTILE[5], HOSTILE[6]),),
        media_type="application/json", body={text: [text, {text: text}] for text in HOSTILE},
    )
    knowledge = load_knowledge()
    python = python_code(request, base_url=HOSTILE[1], knowledge=knowledge)
    tree = ast.parse(python)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "request"]
    assert len(calls) == 1 and len(tree.body) == 7  # 3 imports, base, the call, raise, if
    assert ast.literal_eval(next(k.value for k in calls[0].keywords if k.arg == "json")) == request.body
    assert all(ch.isprintable() or ch == "\n" for ch in python)
    javascript = javascript_code(request, base_url=HOSTILE[1], knowledge=knowledge)
    assert all(ch.isprintable() or ch == "\n" for ch in javascript)
    outside = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', javascript)
    assert "process.exit(1); //" not in outside and "import os" not in outside and "</script" not in outside
    need(Path(NODE).is_file(), "Debian's nodejs (/usr/bin/node) is needed")
    check = subprocess.run([NODE, "--input-type=module", "--check"], input=javascript, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


# --------------------------------------------------------------------------- the panel's copy


def every_operation(document: dict) -> list[dict]:
    knowledge = load_knowledge()
    api = build_api(document, knowledge=knowledge)
    return [{"op": op, "wire": wire(op.example), "node": api.base_url, "env": names(knowledge)} for op in api.operations]


def assert_panel_writes_the_same(jobs: list[dict]) -> None:
    written = node_writes([{k: v for k, v in job.items() if k != "op"} for job in jobs])
    differ = [f"{job['op'].method} {job['op'].path} ({lang})"
              for job, (python, javascript) in zip(jobs, written)
              for lang, ours, theirs in (("python", job["op"].python, python), ("javascript", job["op"].javascript, javascript))
              if ours != theirs]
    assert not differ, f"code-samples.js writes {len(differ)} samples otherwise than samples.py:\n" + "\n".join(differ)


@pytest.mark.shared
def test_the_panel_writes_what_the_page_shows_for_every_ce_operation() -> None:
    """Every operation of CE 5.8.1: code-samples.js, given samples.wire of the page's
    request, writes the page's Python and JavaScript character for character."""
    document = json.loads(shared_spec("emqx-ce-5.8.1-en.json").read_text(encoding="utf-8"))
    jobs = every_operation(document)
    assert len(jobs) == 290
    assert_panel_writes_the_same(jobs)


def test_the_panel_writes_what_the_page_shows_for_the_sample_spec_and_hostile_text() -> None:
    """The same for the bundled sample spec, and for requests full of hostile text."""
    document = yaml.safe_load((PROJECT_ROOT / "generator" / "data" / "default-spec.yaml").read_text(encoding="utf-8"))
    jobs = every_operation(document)
    knowledge = load_knowledge()
    for i, text in enumerate(HOSTILE):
        request = ExampleRequest("PUT", "/api/v5/h", ("basic", "bearer", "public")[i % 3],
                                 query=(("q", text), ("q", "2")) if i % 2 else (("q", text),),
                                 headers=(("X-H", text),), media_type="application/json" if i % 2 else "text/plain",
                                 body={text: [1.5, 2.0, True, None, text]} if i % 2 else text)
        op = type("Op", (), {"method": "PUT", "path": text, "python": python_code(request, base_url=text, knowledge=knowledge),
                             "javascript": javascript_code(request, base_url=text, knowledge=knowledge)})
        jobs.append({"op": op, "wire": wire(request), "node": text, "env": names(knowledge)})
    assert_panel_writes_the_same(jobs)
