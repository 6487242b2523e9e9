"""`emqx-apidocs serve`'s proxy: only /api/v5, only to --upstream, streamed, never logging secrets."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest
from servers import free_port, in_thread, loopback, serve, url_of
from support import PROJECT_ROOT

SECRET = "Basic c2VjcmV0LWtleTpzZWNyZXQtdmFsdWU="


class Upstream(BaseHTTPRequestHandler):
    """A node stand-in that records what reaches it."""

    seen: list[dict] = []
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/api/v5/slow"):
            time.sleep(3)
        if self.path.startswith("/api/v5/stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(200):
                chunk = f"line {i}\n".encode() * 100
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        payload = json.dumps({"path": self.path, "echo": body.decode(errors="replace")}).encode()
        self.send_response(418 if self.path.endswith("/teapot") else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "yes")
        self.send_header("WWW-Authenticate", 'Basic realm="emqx"')
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the proxy gave up on a slow answer, as it should

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serve") / "site"
    run = subprocess.run([sys.executable, "-m", "generator", "build", "-q", "--site", str(out)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def upstream():
    with in_thread(loopback(Upstream)) as httpd:
        yield url_of(httpd)


@pytest.fixture(scope="module")
def proxy(site, upstream, tmp_path_factory):
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    with serve(site, upstream, log, "--upstream-timeout", "1") as url:
        yield url, log


def test_api_prefix_is_forwarded_with_method_body_status_and_headers(proxy):
    url, _ = proxy
    Upstream.seen.clear()
    r = httpx.post(f"{url}/api/v5/publish?x=1&y=%2F", content=b'{"topic":"t/1"}',
                   headers={"Authorization": SECRET, "Content-Type": "application/json"})
    assert r.status_code == 200 and r.headers["x-upstream"] == "yes"
    assert "www-authenticate" not in r.headers  # no browser password dialog
    got = Upstream.seen[-1]
    assert (got["method"], got["path"], got["body"]) == ("POST", "/api/v5/publish?x=1&y=%2F", b'{"topic":"t/1"}')
    assert got["headers"]["Authorization"] == SECRET
    assert httpx.get(f"{url}/api/v5/teapot").status_code == 418


def test_only_the_prefix_is_forwarded(proxy):
    url, _ = proxy
    Upstream.seen.clear()
    for path in ("/", "/index.html", "/api/v4/clients", "/api/v5x/clients", "/apiv5/clients", "/nothing/here"):
        httpx.get(f"{url}{path}")
    assert Upstream.seen == []
    page = httpx.get(f"{url}/reference/clients.html")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_the_upstream_cannot_be_changed_by_a_request(proxy, upstream):
    """Host headers and absolute request targets do not pick another host."""
    url, _ = proxy
    port = int(url.rsplit(":", 1)[1])
    Upstream.seen.clear()
    httpx.get(f"{url}/api/v5/x", headers={"Host": "evil.invalid", "X-Forwarded-Host": "evil.invalid"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "http://evil.invalid/api/v5/y")
    connection.getresponse().read()
    connection.close()
    assert [s["path"] for s in Upstream.seen] == ["/api/v5/x", "/api/v5/y"]
    assert all(s["headers"]["Host"] == upstream.split("//")[1] for s in Upstream.seen)


def test_bodies_are_streamed(proxy):
    url, _ = proxy
    with httpx.stream("GET", f"{url}/api/v5/stream") as r:
        assert r.headers.get("transfer-encoding") == "chunked"
        assert sum(len(c) for c in r.iter_bytes()) == sum(len(f"line {i}\n") * 100 for i in range(200))


def test_a_slow_upstream_gives_an_explained_504(proxy):
    url, _ = proxy
    r = httpx.get(f"{url}/api/v5/slow", timeout=10)
    assert r.status_code == 504 and r.json()["code"] == "UPSTREAM_TIMEOUT"


def test_a_down_upstream_gives_an_explained_502(site, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with serve(site, f"http://127.0.0.1:{dead}", tmp_path / "serve.log") as url:
        r = httpx.get(f"{url}/api/v5/status")
    assert r.status_code == 502 and r.json()["code"] == "UPSTREAM_UNREACHABLE"
    assert "cannot connect" in r.json()["message"]


def test_no_upstream_gives_an_explained_502(site, tmp_path):
    with serve(site, None, tmp_path / "serve.log") as url:
        r = httpx.get(f"{url}/api/v5/status")
    assert r.status_code == 502 and r.json()["code"] == "NO_UPSTREAM"


def test_authorization_never_reaches_the_log(proxy):
    url, log = proxy
    httpx.get(f"{url}/api/v5/clients", headers={"Authorization": SECRET})
    httpx.get(f"{url}/api/v5/slow", headers={"Authorization": SECRET}, timeout=10)
    time.sleep(0.3)
    text = log.read_text()
    assert "/api/v5/clients" in text  # the access log is there...
    assert SECRET not in text and SECRET.split()[1] not in text  # ...without credentials


def listening_addresses(port: int) -> list[str]:
    """Local addresses listening on `port`, from /proc/net/tcp (IPv4, as hex)."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.append(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_binds_to_loopback_by_default(site, tmp_path):
    """Without --host, only 127.0.0.1 listens."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--reuse", "-q", "--site", str(site),
                                "--port", str(port)], cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not listening_addresses(port):
            time.sleep(0.2)
        assert listening_addresses(port) == ["127.0.0.1"]
    finally:
        process.terminate()
        process.wait(timeout=10)
