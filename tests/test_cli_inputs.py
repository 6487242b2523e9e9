"""The CLI against bad, odd and remote inputs, run as a user runs it.

Every case runs ``python -m generator`` in a subprocess from the repository root
and checks the exit status (0 built, 1 problems, 2 unusable input, 3 internal
error) and, for unusable input, that stderr is exactly one line naming the file
or URL, with no traceback. URL cases use a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import generator.load
from generator.problems import InputError

from servers import in_thread
from support import need

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = REPO / "generator" / "data" / "default-spec.yaml"
CLI_TIMEOUT = 120
SECRET_ENV = ("EMQX_API_KEY", "EMQX_SECRET_KEY", "EMQX_APIDOCS_DEBUG")


# --------------------------------------------------------------------------- helpers


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without credentials or the traceback switch."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=REPO, capture_output=True, text=True, timeout=CLI_TIMEOUT,
        env=env if env is not None else clean_env(),
    )


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-3000:]}"


def assert_one_line_error(result: subprocess.CompletedProcess[str], status: int, *mentions: str) -> str:
    """Exit `status`, stderr exactly one non-empty line containing every one of `mentions`."""
    assert result.returncode == status, explain(result)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, explain(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected exactly one stderr line\n{explain(result)}"
    line = lines[0]
    for text in mentions:
        assert text in line, f"{text!r} not in the error line {line!r}"
    return line


def build(spec: Path | str, site: Path, *more: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--spec", str(spec), "--site", str(site), *more, env=env)


def default_spec_json() -> bytes:
    document = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))
    return json.dumps(document, default=str).encode("utf-8")


def validate_json(*args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    result = run_cli("validate", *args, "--format", "json")
    assert "Traceback" not in result.stderr, explain(result)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        pytest.fail(f"validate --format json printed no JSON ({exc})\n{explain(result)}")
    return result, report


def assert_report_shape(report: dict) -> None:
    assert isinstance(report.get("count"), int), report
    assert isinstance(report.get("problems"), list), report
    assert report["count"] == len(report["problems"])
    for problem in report["problems"]:
        for key in ("pointer", "kind", "message"):
            assert isinstance(problem.get(key), str), f"{key!r} missing or not a string in {problem}"
        assert problem["kind"] and problem["message"], problem


def shared_spec(shared_specs: Path, name: str) -> Path:
    path = shared_specs / name
    need(path.is_file(), f"{path} is absent (the real EMQX specs live in ../shared/specs)")
    return path


# --------------------------------------------------------------------------- local files


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-spec.json"
    result = build(missing, tmp_path / "site")
    assert_one_line_error(result, 2, "no-such-spec.json")
    assert not (tmp_path / "site").exists()


def test_directory_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "a-spec-folder.json"
    folder.mkdir()
    result = build(folder, tmp_path / "site")
    assert_one_line_error(result, 2, "a-spec-folder.json")
    assert not (tmp_path / "site").exists()


# name -> (file content, a word the one-line message must contain to say why)
UNUSABLE = {
    "empty.json": (b"", "empty"),
    "whitespace.yaml": (b"  \n\t\n   \r\n", "empty"),
    "truncated.json": (b'{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {', "JSON"),
    "broken.yaml": (b"a: [1, 2\n", "YAML"),
    "random-bytes.json": (b"\x00" + random.Random(7).randbytes(4096) + b"\x00\x00", "not a text file"),
    "nul-bytes.yaml": (b"openapi: 3.0.3\x00\x00\ninfo: {title: T, version: '1'}\npaths: {}\n", "NUL"),
    "latin1.yaml": ("openapi: 3.0.3\ninfo: {title: Caf\u00e9, version: '1'}\npaths: {}\n".encode("latin-1"), "UTF-8"),
    "array.json": (b"[1,2]", "array"),
    "scalar.json": (b"42", "int"),
    "string.json": (b'"just a string"', "str"),
    "openapi-4.json": (b'{"openapi": "4.0.0", "info": {"title": "T", "version": "1"}, "paths": {}}', "4.0.0"),
    "openapi-int.json": (b'{"openapi": 3, "info": {"title": "T", "version": "1"}, "paths": {}}', "version"),
}


@pytest.mark.parametrize("name", sorted(UNUSABLE))
def test_unusable_file(tmp_path: Path, name: str) -> None:
    content, cause = UNUSABLE[name]
    spec = write(tmp_path, name, content)
    line = assert_one_line_error(build(spec, tmp_path / "site"), 2, name)
    assert cause.lower() in line.lower(), f"{name}: the message does not say why ({cause!r}): {line!r}"
    assert not (tmp_path / "site").exists()


def test_swagger_2_is_refused_with_a_hint(tmp_path: Path) -> None:
    spec = write(tmp_path, "swagger.json", json.dumps(
        {"swagger": "2.0", "info": {"title": "Old", "version": "1"}, "paths": {}}
    ))
    line = assert_one_line_error(build(spec, tmp_path / "site"), 2, "swagger.json", "Swagger")
    assert "convert" in line.lower() and "openapi" in line.lower(), line


def test_file_over_max_size(tmp_path: Path) -> None:
    spec = write(tmp_path, "big.json", json.dumps(
        {"openapi": "3.0.3", "info": {"title": "x" * 200, "version": "1"}, "paths": {}}
    ))
    line = assert_one_line_error(build(spec, tmp_path / "site", "--max-size", "100"), 2, "big.json")
    assert "100" in line and "--max-size" in line, line


def test_base_url_must_be_http(tmp_path: Path) -> None:
    result = run_cli("build", "--site", str(tmp_path / "site"), "--base-url", "ftp://x")
    assert_one_line_error(result, 2, "ftp://x")
    assert not (tmp_path / "site").exists()


def test_spec_without_paths_builds_and_reports(tmp_path: Path) -> None:
    spec = write(tmp_path, "nopaths.json", json.dumps({"openapi": "3.0.3", "info": {"title": "No paths", "version": "1"}}))
    site = tmp_path / "site"
    result = build(spec, site)
    assert result.returncode == 0, explain(result)
    assert (site / "index.html").is_file()

    text = run_cli("validate", "--spec", str(spec))
    assert text.returncode == 1, explain(text)
    assert re.search(r"^\s*/paths: ", text.stdout, re.M), text.stdout

    result, report = validate_json("--spec", str(spec))
    assert result.returncode == 1, explain(result)
    assert_report_shape(report)
    assert "/paths" in {p["pointer"] for p in report["problems"]}, report


MISSING_REF_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Dangling ref", "version": "1"},
    "paths": {
        "/things": {"get": {
            "summary": "List things",
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}
            }}},
        }},
    },
}
MISSING_REF_POINTER = "/paths/~1things/get/responses/200/content/application~1json/schema"


def test_missing_ref_target_builds_and_is_listed(tmp_path: Path) -> None:
    spec = write(tmp_path, "dangling.json", json.dumps(MISSING_REF_SPEC))
    result = build(spec, tmp_path / "site")
    assert result.returncode == 0, explain(result)
    assert (tmp_path / "site" / "index.html").is_file()

    result, report = validate_json("--spec", str(spec))
    assert result.returncode == 1, explain(result)
    assert_report_shape(report)
    pointers = [p["pointer"] for p in report["problems"]]
    assert any(p.startswith(MISSING_REF_POINTER) for p in pointers), pointers
    assert any("#/components/schemas/Missing" in p["message"] for p in report["problems"]), report


def test_missing_ref_does_not_hide_other_problems(tmp_path: Path) -> None:
    """One dangling $ref must not stop the validator from reporting the rest.

    openapi-spec-validator raises PointerToNowhere mid-iteration; the errors it
    yielded before that must still be reported.
    """
    document = json.loads(json.dumps(MISSING_REF_SPEC))
    document["paths"]["/things"]["get"]["bogus"] = 1  # not an OpenAPI key
    document["paths"]["/other"] = {"get": {"responses": {"200": {"description": 5}}}}  # wrong type
    spec = write(tmp_path, "dangling-and-more.json", json.dumps(document))
    result, report = validate_json("--spec", str(spec))
    assert result.returncode == 1, explain(result)
    assert_report_shape(report)
    pointers = [p["pointer"] for p in report["problems"]]
    assert any(p.startswith("/paths/~1things/get") and "bogus" in m for p, m in
               ((q["pointer"], q["message"]) for q in report["problems"])), pointers
    assert any(p.startswith("/paths/~1other/get/responses/200") for p in pointers), pointers


# --------------------------------------------------------------------------- URLs


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        if path == "/api/v5/error_codes":  # the build asks a node for its own error codes
            self.server.code_requests.append(self.headers.get("Authorization"))
            self._send(404, b'{"code":"NOT_FOUND"}')
            return
        self.server.seen.append((self.path, self.headers.get("Authorization")))
        if path == "/spec.json":
            self._send(200, self.server.spec)
        elif path == "/slow":
            time.sleep(3)
            self._send(200, self.server.spec)
        elif path == "/loop":
            self._send(302, b"", Location="/loop")
        elif path == "/html":
            self._send(200, b"<!doctype html><html><body><h1>EMQX Dashboard</h1></body></html>", "text/html; charset=utf-8")
        elif path == "/auth":
            if self.headers.get("Authorization"):
                self._send(200, self.server.spec)
            else:
                self._send(401, b'{"code":"BAD_API_KEY_OR_SECRET"}', WWW_Authenticate='Basic realm="emqx"')
        elif path == "/auth500":
            self._send(500, b'{"code":"INTERNAL_ERROR","message":"boom"}')
        else:
            self._send(404, b'{"code":"NOT_FOUND"}')


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a sleeping handler must not hold up shutdown
    seen: list[tuple[str, str | None]]
    code_requests: list[str | None]
    spec: bytes


@pytest.fixture(scope="module")
def http_server():
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen = []
    server.code_requests = []
    server.spec = default_spec_json()
    with in_thread(server):
        yield server


@pytest.fixture
def server(http_server):
    http_server.seen.clear()
    http_server.code_requests.clear()
    return http_server


def url(server: _Server, path: str, userinfo: str = "") -> str:
    host, port = server.server_address[:2]
    return f"http://{userinfo}{host}:{port}{path}"


def basic(auth_header: str | None) -> str | None:
    if not auth_header or not auth_header.startswith("Basic "):
        return None
    return base64.b64decode(auth_header[6:]).decode("utf-8")


def assert_not_in_output(result: subprocess.CompletedProcess[str], *secrets: str) -> None:
    output = result.stdout + result.stderr
    for secret in secrets:
        assert secret not in output, f"{secret!r} leaked into the output\n{explain(result)}"


def test_url_valid_json_spec_builds(server: _Server, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = build(url(server, "/spec.json"), site)
    assert result.returncode == 0, explain(result)
    assert (site / "index.html").is_file()
    assert json.loads((site / "operations.json").read_text(encoding="utf-8"))["operations"]
    assert [p for p, _ in server.seen] == ["/spec.json"]


def test_url_connection_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    target = f"http://127.0.0.1:{port}/api/v5/api-docs"
    assert_one_line_error(build(target, tmp_path / "site"), 2, f"127.0.0.1:{port}")
    assert not (tmp_path / "site").exists()


def test_url_timeout_in_process(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator.load, "URL_TIMEOUT_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(InputError, match="timed out") as caught:
        generator.load.load_spec(url(server, "/slow"))
    assert time.monotonic() - started < 2.5
    assert "/slow" in str(caught.value) and "\n" not in str(caught.value)


def test_url_response_over_max_size(server: _Server, tmp_path: Path) -> None:
    line = assert_one_line_error(
        build(url(server, "/spec.json"), tmp_path / "site", "--max-size", "100"), 2, url(server, "/spec.json")
    )
    assert "--max-size" in line, line


def test_url_redirect_loop(server: _Server, tmp_path: Path) -> None:
    line = assert_one_line_error(build(url(server, "/loop"), tmp_path / "site"), 2, url(server, "/loop"))
    assert "redirect" in line.lower(), line


def test_url_html_page(server: _Server, tmp_path: Path) -> None:
    line = assert_one_line_error(build(url(server, "/html"), tmp_path / "site"), 2, url(server, "/html"))
    assert "HTML" in line, line


def test_url_401_without_credentials_suggests_user(server: _Server, tmp_path: Path) -> None:
    line = assert_one_line_error(build(url(server, "/auth"), tmp_path / "site"), 2, url(server, "/auth"))
    assert "401" in line and "--user" in line, line
    assert server.seen and server.seen[0][1] is None


KEY, SECRET = "key-4f1c", "secret-Zq9x7Wv"


def test_url_user_option_sends_basic_auth_and_hides_secret(server: _Server, tmp_path: Path) -> None:
    result = run_cli("validate", "--spec", url(server, "/auth"), "--user", f"{KEY}:{SECRET}")
    assert result.returncode == 0, explain(result)
    assert [basic(a) for _, a in server.seen] == [f"{KEY}:{SECRET}"]
    assert None in server.code_requests and all(a is None for a in server.code_requests)  # a public call: no credentials
    assert_not_in_output(result, SECRET, base64.b64encode(f"{KEY}:{SECRET}".encode()).decode())


def test_url_user_option_hides_secret_on_server_error(server: _Server, tmp_path: Path) -> None:
    result = build(url(server, "/auth500"), tmp_path / "site", "--user", f"{KEY}:{SECRET}")
    assert_one_line_error(result, 2, url(server, "/auth500"), "500")
    assert [basic(a) for _, a in server.seen] == [f"{KEY}:{SECRET}"]
    assert_not_in_output(result, SECRET, base64.b64encode(f"{KEY}:{SECRET}".encode()).decode())


def test_url_credentials_from_environment(server: _Server, tmp_path: Path) -> None:
    env = clean_env(EMQX_API_KEY="envkey-81", EMQX_SECRET_KEY="envsecret-Hk3pQ")
    result = run_cli("validate", "--spec", url(server, "/auth"), env=env)
    assert result.returncode == 0, explain(result)
    assert [basic(a) for _, a in server.seen] == ["envkey-81:envsecret-Hk3pQ"]
    assert_not_in_output(result, "envsecret-Hk3pQ")


@pytest.mark.parametrize("path, status", [("/auth", 0), ("/auth500", 2)])
def test_url_userinfo_never_printed(server: _Server, tmp_path: Path, path: str, status: int) -> None:
    name, password = "uzr-K7b", "pw-Q8xR2"
    result = build(url(server, path, f"{name}:{password}@"), tmp_path / "site")
    if status:
        assert_one_line_error(result, status, url(server, path))
    else:
        assert result.returncode == 0, explain(result)
    assert [basic(a) for _, a in server.seen] == [f"{name}:{password}"]
    assert_not_in_output(result, name, password)


def test_url_userinfo_never_printed_when_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = build(f"http://uzr-K7b:pw-Q8xR2@127.0.0.1:{port}/spec", tmp_path / "site")
    assert_one_line_error(result, 2, f"127.0.0.1:{port}")
    assert_not_in_output(result, "uzr-K7b", "pw-Q8xR2")


def test_url_userinfo_is_percent_decoded(server: _Server, tmp_path: Path) -> None:
    """user:pass@ in a URL is percent-encoded (RFC 3986); the server must get the decoded pair."""
    result = run_cli("validate", "--spec", url(server, "/auth", "uzr-K7b:p%40ss%3Aw0rd-J5@"))
    assert result.returncode == 0, explain(result)
    assert [basic(a) for _, a in server.seen] == ["uzr-K7b:p@ss:w0rd-J5"]
    assert_not_in_output(result, "uzr-K7b", "w0rd-J5")


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:99999/api/v5/api-docs",  # port out of range
    "http://127.0.0.1:port/api/v5/api-docs",  # port not a number
    "http://[::1/api/v5/api-docs",  # unclosed IPv6 bracket
])
def test_url_malformed_is_an_input_error(tmp_path: Path, target: str) -> None:
    """A URL the user mistyped is unusable input (exit 2), not an internal error (exit 3)."""
    result = build(target, tmp_path / "site")
    assert_one_line_error(result, 2, "/api/v5/api-docs")


def test_url_ipv6_literal(tmp_path: Path) -> None:
    class _Server6(_Server):
        address_family = socket.AF_INET6

    try:
        server6 = _Server6(("::1", 0), _Handler)
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    server6.seen, server6.spec, server6.code_requests = [], default_spec_json(), []
    with in_thread(server6):
        target = f"http://[::1]:{server6.server_address[1]}/spec.json"
        result = run_cli("validate", "--spec", target)
        assert result.returncode == 0, explain(result)
        assert [p for p, _ in server6.seen] == ["/spec.json"]


# --------------------------------------------------------------------------- validate


def test_validate_default_spec_is_clean() -> None:
    result = run_cli("validate")
    assert result.returncode == 0, explain(result)
    assert re.search(r"\b0 problems\b", result.stdout), result.stdout

    result, report = validate_json()
    assert result.returncode == 0, explain(result)
    assert_report_shape(report)
    assert report["count"] == 0 and report["problems"] == []


def by_source(report: dict, source: str) -> list[dict]:
    return [p for p in report["problems"] if p.get("source") == source]


@pytest.mark.shared
@pytest.mark.parametrize("name, count", [("emqx-ce-5.8.1-en.json", 57), ("emqx-ee-5.8.1-en.json", 89)])
def test_validate_shared_spec_counts(shared_specs: Path, name: str, count: int) -> None:
    """The OpenAPI validator's findings are exactly `count`; the model may add its own on top."""
    spec = shared_spec(shared_specs, name)
    result, report = validate_json("--spec", str(spec))
    assert result.returncode == 1, explain(result)
    assert_report_shape(report)
    assert {p.get("source") for p in report["problems"]} <= {"openapi", "model"}, report["problems"][:3]
    found = len(by_source(report, "openapi"))
    assert found == count, f"{name}: {found} problems from the OpenAPI validator, expected {count}"
    assert report["count"] >= count


def parse_text_report(stdout: str) -> tuple[dict[str, int], dict[str, int], int, str]:
    """(count each kind header claims, items under each kind, total on the last line, last line)."""
    lines = stdout.rstrip("\n").splitlines()
    assert lines, "no output"
    last = lines[-1]
    total = re.fullmatch(r"(\d+) problems? in .+", last)
    assert total, f"last line is not the count line: {last!r}"
    claimed: dict[str, int] = {}
    found: dict[str, int] = {}
    current = None
    for line in lines[:-1]:
        if line.startswith("  "):
            assert current is not None, f"problem line before any kind header: {line!r}"
            assert re.match(r"  (/\S*|/): ", line), f"problem line without a pointer: {line!r}"
            found[current] += 1
            continue
        header = re.fullmatch(r"(.+) \((\d+)\)", line)
        assert header, f"neither a kind header nor a problem line: {line!r}"
        current = header.group(1)
        assert current not in claimed, f"kind {current!r} appears twice: problems are not grouped"
        claimed[current], found[current] = int(header.group(2)), 0
    return claimed, found, int(total.group(1)), last


@pytest.mark.shared
def test_validate_ce_5_0_24(shared_specs: Path) -> None:
    spec = shared_spec(shared_specs, "emqx-ce-5.0.24-en.json")
    result, report = validate_json("--spec", str(spec))
    assert result.returncode == 1, explain(result)
    assert_report_shape(report)
    # openapi-spec-validator yields 225 raw errors for this spec, one of them an exact
    # duplicate once located; the model adds its own problems (undefined schemes, ...)
    from_validator = len(by_source(report, "openapi"))
    assert 224 <= from_validator <= 225, from_validator
    assert report["count"] >= 224, report["count"]
    bad = [p["pointer"] for p in report["problems"] if p["pointer"] and not p["pointer"].startswith("/")]
    assert not bad, bad[:10]

    text = run_cli("validate", "--spec", str(spec))
    assert text.returncode == 1, explain(text)
    claimed, found, total, last = parse_text_report(text.stdout)
    assert claimed == found, "a kind header's count differs from the problems listed under it"
    assert total == sum(claimed.values()) == report["count"], (total, sum(claimed.values()), report["count"])
    assert "emqx-ce-5.0.24-en.json" in last


@pytest.mark.shared
def test_build_strict_with_problems_writes_nothing(shared_specs: Path, tmp_path: Path) -> None:
    spec = shared_spec(shared_specs, "emqx-ce-5.8.1-en.json")
    site = tmp_path / "out" / "site"
    result = build(spec, site, "--strict")
    assert result.returncode == 1, explain(result)
    assert "Traceback" not in result.stderr
    assert "--strict" in result.stderr
    assert not site.exists(), "--strict with problems must not write the site"
    leftovers = list((tmp_path / "out").glob(".site.*")) if (tmp_path / "out").exists() else []
    assert not [p for p in leftovers if p.is_dir()], leftovers
