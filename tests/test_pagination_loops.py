"""The pagination guide's shell loops, run by bash against a server that pages like EMQX.

The server holds a fixed set of items and answers page-number requests with
meta.page/limit/count/hasnext and cursor requests with meta.position (or
meta.cursor), ending with `end_of_data` (or no cursor). Each loop must print every
item exactly once.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from servers import in_thread, loopback, url_of
from support import PROJECT_ROOT, need, shared_spec

ITEMS = [{"id": f"item-{n:04d}", "n": n} for n in range(257)]  # not a multiple of any page size
KEY, SECRET = "pager", "p@ss wörd 密码"  # Basic credentials are UTF-8, in every language
NODE = "/usr/bin/node"  # Debian's nodejs


class Pager(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._send(401, {"code": "BAD_USERNAME_OR_PWD", "message": "no"})
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        limit = int(query.get("limit", 100))
        if not 1 <= limit <= 10000:
            return self._send(400, {"code": "INVALID_PARAMETER", "message": "limit"})
        if url.path == "/api/v5/clients":
            page = int(query.get("page", 1))
            chunk = ITEMS[(page - 1) * limit : page * limit]
            hasnext = page * limit < len(ITEMS)
            return self._send(200, {"data": chunk, "meta": {"page": page, "limit": limit, "hasnext": hasnext}})
        if re.fullmatch(r"/api/v5/clients/[^/]+/mqueue_messages", url.path):
            start = int(query["position"].split("_")[0]) if "position" in query else 0
            chunk = ITEMS[start : start + limit]
            end = start + limit >= len(ITEMS)
            position = "end_of_data" if end else f"{start + limit}_0"
            return self._send(200, {"data": chunk, "meta": {"start": f"{start}_0", "position": position}})
        if url.path == "/api/v5/durable_queues":
            start = int(base64.urlsafe_b64decode(query["cursor"]).decode()) if "cursor" in query else 0
            chunk = ITEMS[start : start + limit]
            meta = {} if start + limit >= len(ITEMS) else {"cursor": base64.urlsafe_b64encode(str(start + limit).encode()).decode()}
            return self._send(200, {"data": chunk, "meta": meta})
        return self._send(404, {"code": "NOT_FOUND", "message": url.path})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    need(all(shutil.which(tool) for tool in ("bash", "curl", "jq")), "bash, curl and jq are needed")
    with in_thread(loopback(Pager)) as httpd:
        yield url_of(httpd)


def loops(spec: str | None, tmp_path, lang: str = "bash") -> dict[str, str]:
    """The loops of the pagination guide of a freshly built site, by kind, in `lang`
    (bash, python or javascript)."""
    site = tmp_path / "site"
    command = [sys.executable, "-m", "generator", "build", "-q", "--site", str(site)]
    if spec:
        command += ["--spec", spec]
    run = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = (site / "guides" / "pagination.html").read_text(encoding="utf-8")
    found = {}
    for kind in ("page", "cursor", "offset"):
        part = page.split(f'id="kind-{kind}"', 1)[1].split("<h2", 1)[0]
        code = re.search(rf'<code class="language-{lang}">(.*?)</code>', part, re.S)
        if code:
            found[kind] = html.unescape(re.sub(r"<[^>]+>", "", code.group(1)))
    return found


RUNNERS = {"bash": ["bash", "-c"], "python": [sys.executable, "-c"], "javascript": [NODE, "--input-type=module", "-e"]}


def run_loop(script: str, server: str, lang: str = "bash") -> list[dict]:
    env = {"PATH": "/usr/bin:/bin", "EMQX_URL": server, "EMQX_API_KEY": KEY, "EMQX_SECRET_KEY": SECRET}
    run = subprocess.run([*RUNNERS[lang], script], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines() if line.strip()]


def test_page_and_position_loops_of_the_default_site(server, tmp_path):
    """Both loops of the sample spec's guide fetch all 257 items exactly once."""
    found = loops(None, tmp_path)
    assert set(found) == {"page", "cursor"}
    for kind in ("page", "cursor"):
        Pager.requests.clear()
        items = run_loop(found[kind], server)
        assert [i["id"] for i in items] == [i["id"] for i in ITEMS], kind
        assert len(Pager.requests) == 3  # 100 + 100 + 57


@pytest.mark.parametrize("lang", ["python", "javascript"])
def test_python_and_javascript_loops_of_the_default_site(server, tmp_path, lang):
    """The guide's Python (httpx) and JavaScript (Node's fetch) loops fetch every item once too."""
    need(lang != "javascript" or Path(NODE).is_file(), "Debian's nodejs (/usr/bin/node) is needed")
    found = loops(None, tmp_path, lang)
    assert set(found) == {"page", "cursor"}
    for kind in ("page", "cursor"):
        Pager.requests.clear()
        items = run_loop(found[kind], server, lang)
        assert [i["id"] for i in items] == [i["id"] for i in ITEMS], kind
        assert len(Pager.requests) == 3  # 100 + 100 + 57


@pytest.mark.shared
def test_cursor_loop_of_ee_follows_the_cursor(server, tmp_path):
    """EE's cursor loop (durable queues use `cursor`) reads to the end; a small page too."""
    from generator.curl import cursor_loop
    from generator.knowledge import load_knowledge

    found = loops(str(shared_spec("emqx-ee-5.8.1-en.json")), tmp_path)
    assert "mqueue_messages" in found["cursor"]
    assert [i["id"] for i in run_loop(found["cursor"], server)] == [i["id"] for i in ITEMS]
    assert [i["id"] for i in run_loop(found["page"], server)] == [i["id"] for i in ITEMS]
    # the same generator writes the loop for an operation whose parameter is `cursor`
    from generator.curl import ExampleRequest

    request = ExampleRequest("GET", "/api/v5/durable_queues", "basic")
    script = cursor_loop(request, name="cursor", limit=7, end_marker="end_of_data",
                         base_url="http://localhost:18083", knowledge=load_knowledge())
    Pager.requests.clear()
    assert [i["id"] for i in run_loop(script, server)] == [i["id"] for i in ITEMS]
    assert len(Pager.requests) == 37  # ceil(257 / 7)
    # and its Python and JavaScript twins
    from generator.samples import javascript_cursor_loop, python_cursor_loop

    need(Path(NODE).is_file(), "Debian's nodejs (/usr/bin/node) is needed")
    for lang, write in (("python", python_cursor_loop), ("javascript", javascript_cursor_loop)):
        script = write(request, name="cursor", limit=7, end_marker="end_of_data",
                       base_url="http://localhost:18083", knowledge=load_knowledge())
        Pager.requests.clear()
        assert [i["id"] for i in run_loop(script, server, lang)] == [i["id"] for i in ITEMS], lang
        assert len(Pager.requests) == 37, lang
