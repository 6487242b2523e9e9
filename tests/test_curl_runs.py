"""Every curl of every real EMQX spec, copied from the built pages and run by bash
against Prism mocking that spec.

Nothing the generator computed is trusted here: the commands come from the HTML as a
reader copies them (the text of each operation's curl block), and what each one must
send comes from the raw spec (method, path template, security, required parameters).
A small recording relay stands between curl and Prism, so the test sees exactly what
arrived, and Prism judges the request against the spec: its `sl-violations` header
lists what it found wrong, and its own error answers (401 for missing credentials,
404 for a path no operation has) count as failures too.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from servers import in_thread, loopback, prism, prism_spec, url_of
from support import PROJECT_ROOT, SHARED_SPECS, need, shared_spec

# every spec in ../shared/specs, with its operation count (from the raw spec, checked below)
SPECS = {
    "emqx-ce-5.8.1-en.json": 290,
    "emqx-ce-5.8.1-zh.json": 290,
    "emqx-ee-5.8.1-en.json": 371,
    "emqx-ce-5.8.0-en.json": 290,
    "emqx-ee-5.8.0-en.json": 365,
    "emqx-ce-5.6.0-en.json": 279,
    "emqx-ce-5.0.24-en.json": 238,
}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
KEY, SECRET, TOKEN = "key-1", "s3cr3t", "tok-1"
BASIC = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
WORKERS = 4
PRISM_ERROR = "https://stoplight.io/prism/errors#"

pytestmark = pytest.mark.shared


# --------------------------------------------------------------------------- the raw spec


@dataclass(frozen=True)
class Expected:
    """What one operation's request must look like, read from the raw spec alone."""

    method: str
    template: str  # /api/v5/clients/{clientid}
    auth: str  # basic, bearer or none
    query: tuple[str, ...]  # required query parameters
    headers: tuple[str, ...]  # required header parameters
    body: tuple[str, ...]  # the request body's media types (none: no body)
    body_required: bool
    answers: tuple[str, ...]  # the media types of the success answers
    smallest_answer: str  # the status whose documented answer is the smallest
    pattern: re.Pattern = field(compare=False)
    literal_segments: int = field(compare=False)


def expected_operations(document: dict) -> dict[tuple[str, str], Expected]:
    """(METHOD, full path template) -> Expected, for every operation of the raw spec."""
    servers = document.get("servers") or [{"url": ""}]
    base = urlsplit(servers[0]["url"]).path.rstrip("/")
    found = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            params = {}
            for raw in item.get("parameters", []) + op.get("parameters", []):
                p = resolve(document, raw)
                params[(p["name"], p["in"])] = p  # the operation's own win over the path item's
            body = resolve(document, op.get("requestBody", {}))
            responses = {status: resolve(document, r) for status, r in op.get("responses", {}).items()}
            template = base + path
            expected = Expected(
                method=method.upper(), template=template, auth=auth_of(op.get("security", document.get("security", []))),
                query=tuple(n for (n, where), p in params.items() if where == "query" and p.get("required")),
                headers=tuple(n for (n, where), p in params.items() if where == "header" and p.get("required")),
                body=tuple(body.get("content", {})), body_required=bool(body.get("required")),
                answers=tuple(m for status, r in responses.items() if status.startswith("2") for m in r.get("content", {})),
                smallest_answer=min(responses, default="", key=lambda status: (
                    "content" in responses[status], len(json.dumps(responses[status])))),
                pattern=re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"),
                literal_segments=sum(1 for s in template.split("/") if s and "{" not in s),
            )
            found[(expected.method, template)] = expected
    return found


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        assert node["$ref"].startswith("#/"), node["$ref"]
        target = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def auth_of(security: list) -> str:
    """basic when basicAuth is allowed, bearer when only bearerAuth is, none when nothing is asked."""
    schemes = {name for requirement in security for name in requirement}
    if not security or {} in security:
        return "none"
    if "basicAuth" in schemes:
        return "basic"
    if schemes == {"bearerAuth"}:
        return "bearer"
    raise AssertionError(f"security {security!r}: this test does not know what it asks for")


def route(expected: dict[tuple[str, str], Expected], method: str, path: str) -> Expected | None:
    """The operation a router picks for a request: among the matching templates, the one
    with the most literal segments (`/clients/kickout` before `/clients/{clientid}`)."""
    matches = [e for e in expected.values() if e.method == method and e.pattern.match(path)]
    return max(matches, key=lambda e: e.literal_segments, default=None)


# --------------------------------------------------------------------------- the built HTML


@dataclass
class Block:
    """One operation as the page shows it: its heading line and its code blocks' text."""

    page: str
    method: str = ""
    path: str = ""
    curls: list[tuple[str, str]] = field(default_factory=list)  # (which, text): the operation's, the next page's
    samples: dict[str, str] = field(default_factory=dict)  # the operation's own, by language (python, javascript)
    next_samples: dict[str, str] = field(default_factory=dict)  # the next page's, by language


class OperationBlocks(HTMLParser):
    """The `div.ead-op` blocks of a page: the method and path shown, and the code a reader
    copies (the text of each `code.language-*` of the operation's `section.ead-code`, and
    of the next page's `section.ead-curl`, character references decoded)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.blocks, self.depth, self.into = page, [], 0, None
        self.section = ""  # "curl" or "next-page curl" inside an operation's code section

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "ead-op" in classes and not self.depth:
            self.blocks.append(Block(self.page))
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "div":
            self.depth += 1
        block = self.blocks[-1]
        if tag == "span" and "ead-method" in classes and not block.method:
            self.into = "method"
        elif tag == "code" and "ead-path" in classes and not block.path:
            self.into = "path"
        elif tag == "section" and ("ead-code" in classes or "ead-curl" in classes):
            self.section = "curl" if self.depth == 1 else "next-page curl"
        elif tag == "code" and self.section:
            lang = next((c.removeprefix("language-") for c in classes if c.startswith("language-")), "")
            if lang == "bash":
                self.into = "curl"
                block.curls.append((self.section, ""))
            elif lang:
                self.into = "sample"
                self.samples = block.samples if self.section == "curl" else block.next_samples
                self.samples[lang] = ""
                self.lang = lang

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "div":
            self.depth -= 1
        if tag == "section":
            self.section = ""
        if (self.into, tag) in {("method", "span"), ("path", "code"), ("curl", "code"), ("sample", "code")}:
            self.into = None

    def handle_data(self, data: str) -> None:
        if not (self.depth and self.into):
            return
        block = self.blocks[-1]
        if self.into == "curl":
            which, text = block.curls[-1]
            block.curls[-1] = (which, text + data)
        elif self.into == "sample":
            self.samples[self.lang] += data
        else:
            setattr(block, self.into, getattr(block, self.into) + data)


def page_blocks(site: Path) -> list[Block]:
    blocks = []
    for page in sorted(site.rglob("*.html")):
        parser = OperationBlocks(page.relative_to(site).as_posix())
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        blocks += parser.blocks
    return blocks


# --------------------------------------------------------------------------- the relay


class Relay(BaseHTTPRequestHandler):
    """Records each request, forwards it to Prism, records Prism's answer and returns it.

    It adds one header on the way: `Prefer: code=<status>` with the operation's smallest
    documented answer. Prism checks the request the same whatever it answers; it only
    spends less time mocking (and checking) a large answer nobody looks at here.
    """

    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        if chunked:
            body = self._read_chunked()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
        seen = {"method": self.command, "target": self.path, "headers": dict(self.headers.items()), "body": body}
        self.server.records.append(seen)
        forward = {k: v for k, v in self.headers.items() if k.lower() not in ("expect", "connection", "transfer-encoding")}
        if chunked:
            forward["Content-Length"] = str(len(body))
        operation = route(self.server.expected, self.command, urlsplit(self.path).path)
        if operation and operation.smallest_answer:
            forward["Prefer"] = f"code={operation.smallest_answer}"
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.prism_port, timeout=120)
        try:
            upstream.request(self.command, self.path, body=body or None, headers=forward)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        seen["status"], seen["answer_headers"], seen["answer"] = answer.status, dict(answer.getheaders()), data
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.getheader("Content-Type") or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _read_chunked(self) -> bytes:
        body = b""
        while size := int(self.rfile.readline().split(b";")[0], 16):
            body += self.rfile.read(size)
            self.rfile.readline()
        self.rfile.readline()
        return body

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, *args: object) -> None:
        pass


VIOLATION = re.compile(r'\{"location":(\[[^\]]*\]),"severity":"\w+","code":"[^"]*","message":("(?:[^"\\]|\\.)*")')


def request_violations(header: str | None) -> list[str]:
    """The request entries of Prism's `sl-violations` header, as "where: message", once
    each. A long list comes cut short after "Too many violations!": read what is there."""
    found = []
    for location, message in VIOLATION.findall(header or ""):
        where = json.loads(location)
        text = f"{'.'.join(map(str, where))}: {json.loads(message)}"
        if where[:1] == ["request"] and text not in found:
            found.append(text)
    if header and not VIOLATION.search(header) and header.strip() != "[]":
        found.append(f"unreadable sl-violations header: {header[:300]}")
    return found


# --------------------------------------------------------------------------- one spec, end to end


@dataclass
class Run:
    block: Block
    which: str  # "curl" or "next-page curl"
    returncode: int
    stderr: str
    received: list[dict]


@dataclass
class SpecRun:
    name: str
    expected: dict[tuple[str, str], Expected]
    blocks: list[Block]
    runs: list[Run]


@pytest.fixture(scope="module", params=list(SPECS))
def spec_run(request, tmp_path_factory) -> SpecRun:
    """Build the spec's site, start Prism on it once, run every page's curl through a
    relay per worker (WORKERS at a time), and keep what arrived and what Prism said."""
    need(shutil.which("curl") is not None and shutil.which("bash") is not None, "curl and bash are needed")
    name = request.param
    spec = shared_spec(name)
    work = tmp_path_factory.mktemp(name.removesuffix(".json"))
    expected = expected_operations(json.loads(spec.read_text(encoding="utf-8")))
    build = subprocess.Popen(  # builds while Prism starts: two jobs for two cores
        [sys.executable, "-m", "generator", "build", "-q", "--spec", str(spec), "--site", str(work / "site")],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        # warnings and errors only: logging every step of every request slows Prism down by a quarter
        with prism(prism_spec(spec, work / "prism-spec.json"), work / "prism.log", "-v", "warn") as upstream:
            _, err = build.communicate(timeout=300)
            assert build.returncode == 0, f"build of {name} exited {build.returncode}:\n{err}"
            blocks = page_blocks(work / "site")
            runs = run_all(blocks, expected, urlsplit(upstream).port, work)
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
    return SpecRun(name, expected, blocks, runs)


def run_all(blocks: list[Block], expected: dict, prism_port: int, work: Path) -> list[Run]:
    """Every curl of every block, each run by bash with only the reader's variables set,
    WORKERS at a time, each worker through its own relay (so what a relay records is
    what one curl sent)."""
    relays = []
    for _ in range(WORKERS):
        relay = loopback(Relay)
        relay.prism_port, relay.expected, relay.records = prism_port, expected, []
        relays.append(relay)
    free, lock = list(relays), threading.Lock()

    def one(job: tuple[Block, str, str]) -> Run:
        block, which, curl = job
        with lock:
            relay = free.pop()
        try:
            relay.records = []
            cwd = work / f"cwd-{relays.index(relay)}"
            cwd.mkdir(exist_ok=True)
            for upload in re.findall(r"-F '?[^=\s']+=@\./([^'\s]+)", curl):
                (cwd / upload).write_bytes(b"the reader's file\n")  # what a reader uploads is theirs
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "EMQX_URL": url_of(relay),
                   "EMQX_API_KEY": KEY, "EMQX_SECRET_KEY": SECRET, "EMQX_TOKEN": TOKEN}
            done = subprocess.run(["bash", "-c", curl], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
            return Run(block, which, done.returncode, done.stderr, relay.records)
        finally:
            with lock:
                free.append(relay)

    with contextlib.ExitStack() as serving, concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for relay in relays:
            serving.enter_context(in_thread(relay))
        return list(pool.map(one, [(b, which, text) for b in blocks for which, text in b.curls]))


def where(run: Run) -> str:
    return f"{run.block.method} {run.block.path} ({run.block.page}, {run.which})"


def media_matches(accept: str, offered: tuple[str, ...]) -> bool:
    """Whether an Accept header admits one of the offered media types."""
    for item in accept.split(","):
        wanted = item.split(";")[0].strip().lower()
        for media in offered:
            kind = media.split(";")[0].strip().lower()
            if wanted in ("*/*", kind) or (wanted.endswith("/*") and kind.startswith(wanted[:-1])):
                return True
    return False


# --------------------------------------------------------------------------- the tests


def test_the_specs_folder_holds_only_specs_this_test_knows() -> None:
    """Every spec in ../shared/specs is run here (a new one must be added to SPECS)."""
    need(SHARED_SPECS.is_dir(), "../shared/specs is absent")
    assert sorted(p.name for p in SHARED_SPECS.glob("*.json")) == sorted(SPECS)


def test_every_operation_has_one_curl_on_its_page(spec_run: SpecRun) -> None:
    """The pages show each raw-spec operation exactly once, each with one curl command."""
    shown = sorted((b.method, b.path) for b in spec_run.blocks)
    assert len(spec_run.expected) == SPECS[spec_run.name]
    assert shown == sorted(spec_run.expected), "operations on the pages differ from the raw spec's"
    mains = [[text for which, text in b.curls if which == "curl"] for b in spec_run.blocks]
    wrong = [f"{b.method} {b.path}: {len(m)} curl blocks" for b, m in zip(spec_run.blocks, mains)
             if len(m) != 1 or not m[0].startswith("curl ")]
    assert not wrong, "operations without exactly one curl command:\n" + "\n".join(wrong)


def test_every_curl_sends_what_the_raw_spec_asks(spec_run: SpecRun) -> None:
    """Each curl, run as copied, makes one request with the operation's method and path
    template, the credentials its security asks for, every required parameter, a body
    of a media type the operation takes, and an Accept its success answer satisfies."""
    failures = []
    for run in spec_run.runs:
        expected = spec_run.expected.get((run.block.method, run.block.path))
        if expected is None:
            continue  # reported by test_every_operation_has_one_curl_on_its_page
        if run.returncode != 0 or len(run.received) != 1:
            failures.append(f"{where(run)}: curl exited {run.returncode} after {len(run.received)} requests: "
                            f"{run.stderr.strip()[:200]}")
            continue
        problems = request_problems(spec_run.expected, expected, run.received[0])
        if problems:
            failures.append(f"{where(run)}: " + "; ".join(problems))
    assert not failures, f"{len(failures)} curls of {spec_run.name} send the wrong request:\n" + "\n".join(failures)


def request_problems(operations: dict, expected: Expected, got: dict) -> list[str]:
    target = urlsplit(got["target"])
    headers = {k.lower(): v for k, v in got["headers"].items()}
    problems = []
    if got["method"] != expected.method:
        problems.append(f"method {got['method']}")
    routed = route(operations, got["method"], target.path)
    if routed is not expected or "{" in unquote(target.path) or "}" in unquote(target.path):
        problems.append(f"path {target.path} reaches {routed.method + ' ' + routed.template if routed else 'nothing'}")
    want = {"basic": BASIC, "bearer": f"Bearer {TOKEN}", "none": None}[expected.auth]
    if headers.get("authorization") != want:
        problems.append(f"Authorization {headers.get('authorization')!r}, expected {expected.auth}")
    query = parse_qs(target.query, keep_blank_values=True)
    problems += [f"required query parameter {n} missing" for n in expected.query if n not in query]
    problems += [f"required header {n} missing" for n in expected.headers if n.lower() not in headers]
    if got["body"] and not media_matches(headers.get("content-type", ""), expected.body):
        problems.append(f"a body of {headers.get('content-type')!r}, the operation takes {list(expected.body) or 'none'}")
    if expected.body_required and not got["body"]:
        problems.append("no body, the operation requires one")
    if expected.answers and not media_matches(headers.get("accept", "*/*"), expected.answers):
        problems.append(f"Accept {headers.get('accept')!r}, the success answer is {', '.join(expected.answers)}")
    return problems


def test_prism_accepts_every_request(spec_run: SpecRun) -> None:
    """Prism, mocking the spec, finds nothing wrong with any request: no request entry in
    `sl-violations`, and none of its own error answers (401, 404, 405, 406, 415, 422...)."""
    failures = []
    for run in spec_run.runs:
        for got in run.received:
            if "status" not in got:
                failures.append(f"{where(run)}: Prism did not answer")
                continue
            headers = {k.lower(): v for k, v in got["answer_headers"].items()}
            said = request_violations(headers.get("sl-violations"))
            if "problem+json" in headers.get("content-type", ""):
                problem = json.loads(got["answer"] or b"{}")
                if str(problem.get("type", "")).startswith(PRISM_ERROR):
                    said.append(f"Prism answered {got['status']} {problem.get('title')}: {str(problem.get('detail'))[:200]}")
            if said:
                shown = " | ".join(said[:4]) + (f" | and {len(said) - 4} more" if len(said) > 4 else "")
                failures.append(f"{where(run)}: {shown}")
    assert not failures, (f"Prism rejects {len(failures)} curls of {spec_run.name} "
                          "(method path (page, which): what Prism says):\n" + "\n".join(failures))
