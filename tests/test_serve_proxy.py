"""`emqx-apidocs serve`'s proxy: only /api/v5, only to --upstream, streamed, never logging secrets."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from servers import free_port, in_thread, loopback, serve, url_of
from support import PROJECT_ROOT, need

from generator.serve import CONTENT_SECURITY_POLICY, PATH_REFUSED_CODE, path_refusal

SECRET = "Basic c2VjcmV0LWtleTpzZWNyZXQtdmFsdWU="


class Upstream(BaseHTTPRequestHandler):
    """A node stand-in that records what reaches it."""

    seen: list[dict] = []
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                          "header_list": self.headers.items(), "body": body})
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
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def raw_get(url: str, target: str, headers: list[tuple[str, str]] = ()) -> http.client.HTTPResponse:
    """GET `target` exactly as written (no normalising, no re-encoding); the response, read."""
    connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=10)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


# Each one may name another path, or one outside /api/v5, once a server on the way
# decodes it or resolves its dot-segments (the rule is in generator/serve.py).
ESCAPES = [
    "/api/v5/../api-docs/swagger.json",
    "/api/v5/%2e%2e/api-docs/swagger.json",
    "/api/v5/%2E%2E/api-docs/swagger.json",
    "/api/v5/.%2e/api-docs/swagger.json",
    "/api/v5/..%2fapi-docs",
    "/api/v5/..%2Fapi-docs",
    "/api/v5/clients/../../../etc/passwd",
    "/api/v5/clients/..%2f..%2f..%2fetc/passwd",
    "/api/v5/%252e%252e/api-docs/swagger.json",
    "/api/v5/..%252fapi-docs",
    "/api/v5/clients%252f..%252f..%252fapi-docs",
    "/api/v5/..\\api-docs",
    "/api/v5/clients\\..\\..\\api-docs",
    "/api/v5/..%5capi-docs",
    "/api/v5/clients/%5C..%5C..%5Capi-docs",
    "/api/v5/..%255capi-docs",
    "/api/v5/..;/api-docs",
    "/api/v5/%c0%ae%c0%ae/api-docs",
    "/api/v5/./clients",
    "/api/v5/clients/.",
    "/api/v5/clients/..",
    "/api/v5/..?page=1",
    "/api/%765/clients",
    "http://127.0.0.1/api/v5/../api-docs/swagger.json",
]

# Names with dots, encoded slashes and backslashes that stay names: forwarded as they are.
LEGITIMATE = [
    "/api/v5",
    "/api/v5/clients/dev%2F42%20a",
    "/api/v5/clients/dev%2f42",
    "/api/v5/clients/a%5Cb",
    "/api/v5/clients/...",
    "/api/v5/clients/.hidden",
    "/api/v5/clients/a..b/subscriptions",
    "/api/v5/clients/%E4%B8%AD%E6%96%87",
    "/api/v5/clients/100%25",
    "/api/v5/mqtt/retainer/message/a%2Fb%2F%23",
    "/api/v5/clients?like_clientid=..%2F..&_page=1&_limit=10",
    "/api/v5/clients?q=../../etc/passwd",
]


@pytest.mark.parametrize("target", ESCAPES)
def test_a_path_that_could_leave_the_prefix_is_refused(target):
    assert path_refusal(target, "/api/v5") is not None


@pytest.mark.parametrize("target", LEGITIMATE)
def test_a_path_inside_the_prefix_is_accepted(target):
    assert path_refusal(target, "/api/v5") is None


def dot_segment_after_decoding(path: str, times: int) -> bool:
    """Whether decoding `path` up to `times` times shows a . or .. segment, reading
    backslashes as slashes and dropping ;parameters, as lenient servers do."""
    for _ in range(times + 1):
        segments = path.replace("\\", "/").split("/")
        if any(segment.split(";", 1)[0] in (".", "..") for segment in segments):
            return True
        path = urllib.parse.unquote(path, errors="surrogateescape")
    return False


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.sampled_from(["/api/v5", "/api/v5/", "/api/%765/", "/api%2Fv5/", "/api/v5%2F", "/api/v5/../"]),
       st.lists(st.sampled_from(["/", ".", "..", "%2e", "%2E", "%2f", "%2F", "%5c", "%25", "2e", "\\", ";",
                                 "a", "%c0%ae", "?"]), max_size=12))
def test_an_accepted_path_has_no_dot_segment_however_often_it_is_decoded(start, pieces):
    """The property behind the rule: what the proxy forwards stays under the prefix and
    keeps its meaning through any number of decodings and dot-segment resolutions."""
    target = start + "".join(pieces)
    if path_refusal(target, "/api/v5") is None:
        path = target.split("?", 1)[0]
        assert path == "/api/v5" or path.startswith("/api/v5/"), target
        assert not dot_segment_after_decoding(path, times=3), target


def test_the_rule_follows_the_base_path():
    """The base path comes from the spec: another one is checked the same way."""
    assert path_refusal("/emqx/api/v5/clients/dev%2F42", "/emqx/api/v5/") is None
    assert path_refusal("/emqx/api/v5/%2e%2e/x", "/emqx/api/v5/") is not None
    assert path_refusal("/api/v5/clients", "/emqx/api/v5") is not None


def test_escaping_paths_get_a_400_and_never_reach_the_upstream(proxy):
    url, _ = proxy
    Upstream.seen.clear()
    for target in ESCAPES:
        response = raw_get(url, target)
        answer = json.loads(response.body)
        assert (response.status, answer["code"]) == (400, PATH_REFUSED_CODE), target
        assert "/api/v5/" in answer["message"], target
    assert Upstream.seen == []


def test_the_four_paths_of_the_report_are_refused_by_curl(proxy):
    """As reported, with curl --path-as-is (curl otherwise resolves the dot-segments itself)."""
    url, _ = proxy
    need(shutil.which("curl") is not None, "curl is not installed (bash .ci/run installs it)")
    Upstream.seen.clear()
    for target in ("/api/v5/../api-docs/swagger.json", "/api/v5/%2e%2e/api-docs/swagger.json",
                   "/api/v5/..%2fapi-docs", "/api/v5/clients/../../../etc/passwd"):
        run = subprocess.run(["curl", "-sS", "--path-as-is", "-w", "\\n%{http_code}", url + target],
                             capture_output=True, text=True, timeout=20)
        body, status = run.stdout.rsplit("\n", 1)
        assert (status, json.loads(body)["code"]) == ("400", PATH_REFUSED_CODE), target
    assert Upstream.seen == []


def test_legitimate_paths_arrive_byte_for_byte(proxy):
    url, _ = proxy
    Upstream.seen.clear()
    for target in LEGITIMATE:
        assert raw_get(url, target).status == 200, target
    assert [s["path"] for s in Upstream.seen] == LEGITIMATE


def test_origin_and_referer_never_reach_the_upstream(proxy):
    """Whatever their case; other headers, repeated ones too, go on as sent."""
    url, _ = proxy
    Upstream.seen.clear()
    sent = [("Origin", "http://evil.invalid"), ("origin", "http://evil.invalid"), ("ORIGIN", "http://evil.invalid"),
            ("Referer", "http://evil.invalid/"), ("referer", "http://evil.invalid/"),
            ("X-Tag", "one"), ("X-Tag", "two")]
    assert raw_get(url, "/api/v5/clients", sent).status == 200
    received = Upstream.seen[-1]["header_list"]
    assert not [name for name, _ in received if name.lower() in ("origin", "referer")]
    assert [value for name, value in received if name.lower() == "x-tag"] == ["one", "two"]


def test_pages_carry_the_content_security_policy_serve_defines(proxy):
    """The whole header, on pages, a missing page, and a page reached by an encoded detour
    through the API prefix (served from the site, not forwarded)."""
    url, _ = proxy
    Upstream.seen.clear()
    for target, status in (("/reference/clients.html", 200), ("/", 200), ("/no/such/page", 404),
                           ("/api/v5%2f..%2f..%2findex.html", 200), ("/api/v5%2F..%2Fnothing", 404)):
        response = raw_get(url, target)
        assert response.status == status, target
        assert "text/html" in response.getheader("Content-Type"), target
        assert response.getheader("Content-Security-Policy") == CONTENT_SECURITY_POLICY, target
        assert response.getheader("X-Content-Type-Options") == "nosniff", target
    assert Upstream.seen == []


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
