"""Every operation's Python and JavaScript sample (and its next page's), copied from the built pages and run
(Python with this project's httpx, JavaScript with Debian's Node) against Prism mocking
the spec: CE 5.8.1 and the bundled sample spec.

As in test_curl_runs.py, whose relay and checks this uses: the code comes from the HTML
as a reader copies it, what each request must look like comes from the raw spec, and
Prism judges each request (its `sl-violations` header, its own error answers). Here the
relay asks Prism for the operation's smallest success answer when it documents one, so
that the samples also go through their success path: the answer is printed as JSON.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from servers import in_thread, loopback, prism, prism_spec, url_of
from support import PROJECT_ROOT, need, shared_spec
from test_curl_runs import (KEY, PRISM_ERROR, SECRET, TOKEN, Block, Expected, Relay, expected_operations,
                            page_blocks, request_problems, request_violations, resolve)

NODE = "/usr/bin/node"  # Debian's nodejs
SPECS = {"emqx-ce-5.8.1-en.json": 290, "default": None}  # with the operation count, when checked
LANGUAGES = {"python": ("sample.py", [sys.executable]), "javascript": ("sample.mjs", [NODE])}
WORKERS = 4
pytestmark = pytest.mark.shared  # CE 5.8.1 (the sample spec is bundled, but shares the fixture)
UPLOAD = re.compile(r'(?:open|readFile)\(("(?:[^"\\]|\\.)*")')  # the file a sample uploads


@dataclass
class Run:
    block: Block
    lang: str
    which: str  # "sample" or "next-page sample"
    returncode: int
    stdout: str
    stderr: str
    received: list[dict]


@dataclass
class SpecRun:
    name: str
    expected: dict[tuple[str, str], Expected]
    blocks: list[Block]
    runs: list[Run]


def success_first(document: dict, expected: dict[tuple[str, str], Expected]) -> dict[tuple[str, str], Expected]:
    """`expected` with each operation's answer to ask Prism for: its smallest documented
    success (2xx) when it has one, else its smallest answer as test_curl_runs asks."""
    servers = document.get("servers") or [{"url": ""}]
    base = urlsplit(servers[0]["url"]).path.rstrip("/")
    chosen = {}
    for path, item in document["paths"].items():
        for method, op in item.items():
            key = (method.upper(), base + path)
            if key not in expected:
                continue
            responses = {s: resolve(document, r) for s, r in op.get("responses", {}).items() if str(s).startswith("2")}
            smallest = min(responses, default="", key=lambda s: ("content" in responses[s], len(json.dumps(responses[s]))))
            chosen[key] = dataclasses.replace(expected[key], smallest_answer=smallest or expected[key].smallest_answer)
    return {**expected, **chosen}


@pytest.fixture(scope="module", params=list(SPECS))
def spec_run(request, tmp_path_factory) -> SpecRun:
    """Build the spec's site, start Prism on it, run every operation's Python and
    JavaScript sample through a relay per worker, and keep what arrived."""
    need(Path(NODE).is_file(), "Debian's nodejs (/usr/bin/node) is needed")
    name = request.param
    work = tmp_path_factory.mktemp(name.removesuffix(".json"))
    if name == "default":
        spec = work / "default-spec.json"
        document = yaml.safe_load((PROJECT_ROOT / "generator" / "data" / "default-spec.yaml").read_text(encoding="utf-8"))
        spec.write_text(json.dumps(document, default=str), encoding="utf-8")
    else:
        spec = shared_spec(name)
    document = json.loads(spec.read_text(encoding="utf-8"))
    expected = success_first(document, expected_operations(document))
    build = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--spec", str(spec), "--site", str(work / "site")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, f"build of {name} exited {build.returncode}:\n{build.stderr}"
    blocks = page_blocks(work / "site")
    with prism(prism_spec(spec, work / "prism-spec.json"), work / "prism.log", "-v", "warn") as upstream:
        runs = run_all(blocks, expected, urlsplit(upstream).port, work)
    return SpecRun(name, expected, blocks, runs)


def run_all(blocks: list[Block], expected: dict, prism_port: int, work: Path) -> list[Run]:
    """Each block's samples, each run in its own folder with only the reader's variables
    set, WORKERS at a time, each worker through its own relay."""
    relays = []
    for _ in range(WORKERS):
        relay = loopback(Relay)
        relay.prism_port, relay.expected, relay.records = prism_port, expected, []
        relays.append(relay)
    free, lock = list(relays), threading.Lock()

    def one(job: tuple[Block, str, str]) -> Run:
        block, lang, which = job
        code = (block.samples if which == "sample" else block.next_samples)[lang]
        with lock:
            relay = free.pop()
        try:
            relay.records = []
            cwd = work / f"cwd-{relays.index(relay)}"
            cwd.mkdir(exist_ok=True)
            for upload in UPLOAD.findall(code):
                (cwd / json.loads(upload)).write_bytes(b"the reader's file\n")
            file, command = LANGUAGES[lang]
            (cwd / file).write_text(code, encoding="utf-8")
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "EMQX_URL": url_of(relay),
                   "EMQX_API_KEY": KEY, "EMQX_SECRET_KEY": SECRET, "EMQX_TOKEN": TOKEN}
            done = subprocess.run([*command, file], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
            return Run(block, lang, which, done.returncode, done.stdout, done.stderr, relay.records)
        finally:
            with lock:
                free.append(relay)

    jobs = [(b, lang, which) for b in blocks for which, samples in (("sample", b.samples), ("next-page sample", b.next_samples))
            for lang in LANGUAGES if lang in samples]
    with contextlib.ExitStack() as serving, concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for relay in relays:
            serving.enter_context(in_thread(relay))
        return list(pool.map(one, jobs))


def where(run: Run) -> str:
    return f"{run.block.method} {run.block.path} ({run.block.page}, {run.lang} {run.which})"


def test_every_operation_has_both_samples(spec_run: SpecRun) -> None:
    """The pages show each raw-spec operation once, each with a Python and a JavaScript sample."""
    assert sorted((b.method, b.path) for b in spec_run.blocks) == sorted(spec_run.expected)
    if SPECS[spec_run.name]:
        assert len(spec_run.expected) == SPECS[spec_run.name]
    lacking = [f"{b.method} {b.path}: {sorted(b.samples)}" for b in spec_run.blocks if set(b.samples) != set(LANGUAGES)]
    assert not lacking, "operations without both samples:\n" + "\n".join(lacking)
    paged = [b for b in spec_run.blocks if len(b.curls) > 1]  # a next-page curl: the next page in each language too
    assert paged and all(set(b.next_samples) == set(LANGUAGES) for b in paged)


def test_every_sample_sends_what_the_raw_spec_asks(spec_run: SpecRun) -> None:
    """Each sample, run as copied, makes one request with the method, path, credentials,
    required parameters, body and Accept the raw spec asks for; it ends well when the
    answer is a success (printing it: JSON when it is JSON) and fails on an error status."""
    failures = []
    for run in spec_run.runs:
        expected = spec_run.expected.get((run.block.method, run.block.path))
        if expected is None:
            continue
        if len(run.received) != 1:
            failures.append(f"{where(run)}: {len(run.received)} requests, exit {run.returncode}: {run.stderr.strip()[-300:]}")
            continue
        got = run.received[0]
        problems = request_problems(spec_run.expected, expected, got)
        status = got.get("status", 0)
        if (run.returncode == 0) != (200 <= status < 400):
            problems.append(f"exit {run.returncode} on a {status} answer: {run.stderr.strip()[-300:]}")
        elif run.returncode == 0 and run.stdout.strip() and "json" in str(got["answer_headers"].get("Content-Type", "")):
            try:
                json.loads(run.stdout)
            except ValueError:
                problems.append(f"printed something else than JSON: {run.stdout[:100]!r}")
        if problems:
            failures.append(f"{where(run)}: " + "; ".join(problems))
    assert not failures, f"{len(failures)} samples of {spec_run.name} go wrong:\n" + "\n".join(failures)


def test_prism_accepts_every_sample_request(spec_run: SpecRun) -> None:
    """Prism finds nothing wrong with any sample's request: no request entry in
    `sl-violations`, and none of its own error answers."""
    failures = []
    for run in spec_run.runs:
        for got in run.received:
            headers = {k.lower(): v for k, v in got.get("answer_headers", {}).items()}
            said = request_violations(headers.get("sl-violations"))
            if "problem+json" in headers.get("content-type", ""):
                problem = json.loads(got["answer"] or b"{}")
                if str(problem.get("type", "")).startswith(PRISM_ERROR):
                    said.append(f"Prism answered {got['status']} {problem.get('title')}: {str(problem.get('detail'))[:200]}")
            if said:
                failures.append(f"{where(run)}: " + " | ".join(said[:4]))
    assert not failures, f"Prism rejects {len(failures)} samples of {spec_run.name}:\n" + "\n".join(failures)
