"""Every CE 5.8.1 curl example, run by bash against a recording server on 127.0.0.1.

What arrives must be what the operation expects: its method, a path with every
parameter filled, the right credentials for its security, the Accept header, the
required query parameters, and a body that validates against the request schema.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from openapi_schema_validator import OAS30Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4
from servers import in_thread, loopback, url_of
from support import need, shared_spec

from generator.builder import build_api
from generator.knowledge import load_knowledge
from generator.load import load_spec

KEY, SECRET, TOKEN = "key-1", "s3cr3t", "tok-1"


class Recorder(BaseHTTPRequestHandler):
    received: list[dict] = []

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.received.append(
            {"method": self.command, "target": self.path, "headers": dict(self.headers.items()), "body": body}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    need(shutil.which("curl") is not None and shutil.which("bash") is not None, "curl and bash are needed")
    with in_thread(loopback(Recorder)) as httpd:
        yield url_of(httpd)


@pytest.fixture(scope="module")
def ce():
    document = load_spec(str(shared_spec("emqx-ce-5.8.1-en.json"))).document
    return document, build_api(document, knowledge=load_knowledge())


def schema_check(document: dict, pointer: str):
    registry = Registry().with_resource("urn:spec", DRAFT4.create_resource(document))
    resolved = registry.resolver(base_uri="urn:spec").lookup(f"urn:spec#{pointer}")
    return OAS30Validator(resolved.contents, _resolver=resolved.resolver)


def test_every_curl_sends_a_request_the_operation_accepts(ce, server, tmp_path):
    """Run each operation's curl as written; check what the server receives.

    Uploads read ./<field name>, so those files are made first. A body whose schema no
    value can satisfy (overlapping oneOf branches) must be flagged as a spec problem.
    """
    document, api = ce
    env = {"PATH": "/usr/bin:/bin", "EMQX_URL": server, "EMQX_API_KEY": KEY, "EMQX_SECRET_KEY": SECRET, "EMQX_TOKEN": TOKEN}
    basic = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    failures, unsatisfiable = [], []
    for op in api.operations:
        assert op.curl.startswith("curl ") and "|" not in op.curl.replace("\\|", "")
        Recorder.received.clear()
        for upload in re.findall(r"-F (\w+)=@\./(\w+)", op.curl):
            (tmp_path / upload[1]).write_bytes(b"upload")
        run = subprocess.run(["bash", "-c", op.curl], env=env, capture_output=True, text=True, timeout=30, cwd=tmp_path)
        where = f"{op.method} {op.path}"
        if run.returncode != 0 or len(Recorder.received) != 1:
            failures.append(f"{where}: curl exited {run.returncode}: {run.stderr.strip()[:200]}")
            continue
        got = Recorder.received[0]
        target = urlsplit(got["target"])
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/{}]+", re.escape(op.full_path)) + "$"
        problems = []
        if got["method"] != op.method:
            problems.append(f"method {got['method']}")
        if not re.match(pattern, target.path) or "{" in unquote(target.path):
            problems.append(f"path {target.path}")
        auth = got["headers"].get("Authorization")
        expected_auth = {"basic": basic, "bearer": f"Bearer {TOKEN}", "public": None}[op.auth_mode]
        if auth != expected_auth:
            problems.append(f"Authorization {auth!r}")
        if got["headers"].get("Accept") != "application/json":
            problems.append("no Accept: application/json")
        query = parse_qs(target.query)
        for p in op.parameters:
            if p.location == "query" and p.required and p.name not in query:
                problems.append(f"required query {p.name} missing")
        if op.body and op.body.media and "json" in op.body.media[0].media_type:
            try:
                body = json.loads(got["body"])
            except ValueError:
                problems.append(f"body is not JSON: {got['body'][:80]!r}")
            else:
                body_ptr = _body_schema_pointer(document, op)
                errors = list(schema_check(document, body_ptr).iter_errors(body))
                flagged = any(p.kind == "Schemas no value can satisfy" and p.pointer == body_ptr for p in api.problems)
                if errors and not flagged:
                    problems.append(f"body invalid: {errors[0].message[:150]}")
                if flagged:
                    unsatisfiable.append(where)
        if problems:
            failures.append(f"{where}: " + "; ".join(problems))
    assert len(api.operations) == 290
    assert not failures, "\n".join(failures)
    assert unsatisfiable == ["PUT /gateways/{name}"]


def _body_schema_pointer(document: dict, op) -> str:
    """The JSON pointer of the first request media schema, following a requestBody $ref."""
    body = document["paths"][op.path][op.method.lower()]["requestBody"]
    base = op.pointer + "/requestBody"
    if "$ref" in body:
        base = body["$ref"][1:]
        body = document
        for part in base.strip("/").split("/"):
            body = body[part.replace("~1", "/").replace("~0", "~")]
    media_type = next(iter(body["content"]))
    return f"{base}/content/{media_type.replace('~', '~0').replace('/', '~1')}/schema"
