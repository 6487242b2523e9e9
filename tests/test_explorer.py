"""The Try-it panel in real Chromium, through `emqx-apidocs serve`, against Prism mocking CE 5.8.1.

Prism answers from the spec and flags any request it finds invalid in its
`sl-violations` response header, so a request the panel builds wrongly fails here
even when the status looks fine.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from browser import PageLog, chromium_page
from servers import prism, prism_spec, serve
from support import PROJECT_ROOT, shared_spec

KEY, SECRET = "panel-key", "panel-s3cret!"
GOLDEN_OPERATIONS = [  # those of tests/golden (test_golden.py)
    ("GET", "/clients/{clientid}"), ("GET", "/clients"), ("POST", "/publish"),
    ("PUT", "/authentication/{id}/position/{position}"), ("POST", "/login"), ("GET", "/api_key"),
]


def _hasnext(document: dict) -> None:
    """Let GET /clients say another page follows, so the panel offers one."""
    example = document["paths"]["/api/v5/clients"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    example["meta"]["hasnext"] = True


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL of `serve`, folder of the logs): CE 5.8.1 built, Prism behind the proxy."""
    spec = shared_spec("emqx-ce-5.8.1-en.json")
    work = tmp_path_factory.mktemp("explorer")
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--spec", str(spec), "--site", str(work / "site")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    copy = prism_spec(spec, work / "prism-spec.json", edit=_hasnext)
    with prism(copy, work / "prism.log") as upstream, serve(work / "site", upstream, work / "serve.log") as url:
        yield url, work


def panel(page, anchor: str):
    section = page.locator(f"h2#{anchor} + div.ead-op section.ead-try")
    section.locator("summary", has_text="Try it").click()
    return section


def with_key(section):
    section.get_by_label("API key").fill(KEY)
    section.get_by_label("Secret key").fill(SECRET)
    return section


def send(section):
    section.locator("button[type=submit]").click()
    section.locator(".ead-try-status").wait_for()
    return section.locator(".ead-try-status").inner_text()


def api_requests(page) -> list:
    seen = []
    page.on("request", lambda r: seen.append(r) if "/api/v5/" in r.url else None)
    return seen


def assert_curl_matches(section, request) -> None:
    """The curl the panel shows is the request it sent: method, URL, credentials form, body."""
    curl = section.locator(".ead-try-curl code.language-bash").inner_text()
    match = re.match(r'curl -sS -X (\w+) "\$\{EMQX_URL:-([^}]*)\}([^"]*)"', curl)
    assert match, curl
    assert match.group(1) == request.method
    assert match.group(2) + match.group(3) == request.url
    auth = request.headers.get("authorization", "")
    assert ('-u "${EMQX_API_KEY}:${EMQX_SECRET_KEY}"' in curl) == auth.startswith("Basic ")
    assert ('Authorization: Bearer ${EMQX_TOKEN}' in curl) == auth.startswith("Bearer ")
    body = re.search(r"-d '(.*)'$", curl, re.S)
    if request.post_data:
        assert body and json.loads(body.group(1).replace("'\\''", "'")) == json.loads(request.post_data)
    else:
        assert body is None
    assert KEY not in curl and SECRET not in curl


def request_violations(section) -> list:
    """What Prism found wrong with the request (its answers' own flaws are the spec's)."""
    text = section.locator(".ead-try-headers code").text_content()
    line = next((l for l in text.splitlines() if l.startswith("sl-violations: ")), None)
    found = json.loads(line.split(": ", 1)[1]) if line else []
    return [v for v in found if v.get("location", [""])[0] == "request"]


def open_page(page, url: str, path: str) -> None:
    page.goto(f"{url}/{path}")
    page.locator("section.ead-try details.ead-try-box").first.wait_for(state="attached")


@pytest.mark.browser
@pytest.mark.shared
def test_path_parameter_get_and_curl(served):
    """GET /clients/{clientid} with a typed client ID, encoded; the curl is the request."""
    url, _ = served
    log = PageLog()
    with chromium_page(log) as page:
        sent = api_requests(page)
        open_page(page, url, "reference/clients.html#get-clients-clientid")
        section = with_key(panel(page, "get-clients-clientid"))
        section.get_by_label("clientid *").fill("dev/42 a")
        assert send(section).startswith("200 OK")
        assert sent[-1].url == f"{url}/api/v5/clients/dev%2F42%20a"
        assert request_violations(section) == []
        assert '"clientid"' in section.locator(".ead-try-body-out").inner_text()
        assert_curl_matches(section, sent[-1])
    assert log.external_requests == [] and log.errors == [], (log.external_requests, log.errors)


@pytest.mark.browser
@pytest.mark.shared
def test_post_publish_with_its_body(served):
    """POST /publish sends the prefilled JSON body, which Prism accepts."""
    url, _ = served
    with chromium_page() as page:
        sent = api_requests(page)
        open_page(page, url, "reference/publish.html#post-publish")
        section = with_key(panel(page, "post-publish"))
        assert send(section).startswith("200")
        assert sent[-1].method == "POST" and json.loads(sent[-1].post_data)["topic"]
        assert request_violations(section) == []
        assert_curl_matches(section, sent[-1])


@pytest.mark.browser
@pytest.mark.shared
def test_missing_credentials_give_401_explained(served):
    """A basic-auth operation without credentials: 401 and what to do about it."""
    url, _ = served
    with chromium_page() as page:
        open_page(page, url, "reference/clients.html#get-clients-clientid")
        section = panel(page, "get-clients-clientid")
        status = send(section)
        assert status.startswith("401") and "No valid credentials" in status
        assert "Give an API key and secret" in section.locator(".ead-try-explain").inner_text()


@pytest.mark.browser
@pytest.mark.shared
def test_bearer_login_then_bearer_only_call(served):
    """Log in with the helper, then call GET /api_key, which takes only a bearer token."""
    url, _ = served
    with chromium_page() as page:
        sent = api_requests(page)
        open_page(page, url, "reference/api-keys.html#get-api-key")
        section = panel(page, "get-api-key")
        section.get_by_label("Credentials", exact=True).select_option("bearer")
        section.get_by_label("Dashboard user").fill("admin")
        section.get_by_label("Password").fill("public")
        section.get_by_role("button", name="Log in").click()
        section.get_by_text("Logged in; the token is set.").wait_for()
        assert sent[-1].url.endswith("/api/v5/login") and sent[-1].method == "POST"
        assert send(section).startswith("200")
        assert sent[-1].headers["authorization"] == "Bearer string"  # Prism's token
        assert_curl_matches(section, sent[-1])


@pytest.mark.browser
@pytest.mark.shared
def test_page_paginated_list_and_its_next_page(served):
    """GET /clients answers meta.hasnext, and the panel fetches page 2."""
    url, _ = served
    with chromium_page() as page:
        sent = api_requests(page)
        open_page(page, url, "reference/clients.html#get-clients")
        section = with_key(panel(page, "get-clients"))
        assert send(section).startswith("200")
        first = len(sent)
        with page.expect_response(lambda r: "page=2" in r.url):
            section.get_by_role("button", name=re.compile(r"Next page \(page=2\)")).click()
        section.locator(".ead-try-status").wait_for()
        assert len(sent) == first + 1 and "page=2" in sent[-1].url
        assert request_violations(section) == []
        assert_curl_matches(section, sent[-1])


@pytest.mark.browser
@pytest.mark.shared
def test_emqx_error_code_is_explained(served):
    """A 404 carrying CLIENTID_NOT_FOUND is explained from the error reference, with a link."""
    url, _ = served
    with chromium_page() as page:
        # ask Prism for the operation's 404 answer instead of its 200
        page.route("**/api/v5/clients/**", lambda route: route.continue_(
            headers={**route.request.headers, "prefer": "code=404"}))
        open_page(page, url, "reference/clients.html#get-clients-clientid")
        section = with_key(panel(page, "get-clients-clientid"))
        assert send(section).startswith("404")
        explain = section.locator(".ead-try-explain")
        assert "CLIENTID_NOT_FOUND" in explain.inner_text()
        assert "There is no client with this client ID." in explain.inner_text()
        href = explain.locator("a").get_attribute("href")
        assert href == f"{url}/guides/errors.html#CLIENTID_NOT_FOUND"


@pytest.mark.browser
@pytest.mark.shared
def test_credentials_are_kept_only_where_asked(served):
    """After use: nothing in localStorage, cookies or the URL; sessionStorage only on request."""
    url, _ = served
    with chromium_page() as page:
        open_page(page, url, "reference/clients.html#get-clients-clientid")
        section = with_key(panel(page, "get-clients-clientid"))
        send(section)

        def stores() -> str:
            return page.evaluate(
                "JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie, location.href])"
            )

        assert KEY not in stores() and SECRET not in stores()
        assert page.context.cookies() == []
        section.get_by_label("Keep credentials for this tab (sessionStorage)").check()
        kept = page.evaluate("sessionStorage.getItem('emqx-apidocs:connection')")
        assert SECRET in kept
        assert SECRET not in page.evaluate("JSON.stringify(Object.entries(localStorage))")
        # another page of the same tab finds them; "forget" removes them everywhere
        open_page(page, url, "reference/publish.html#post-publish")
        other = panel(page, "post-publish")
        assert other.get_by_label("Secret key").input_value() == SECRET
        other.get_by_role("button", name="Forget credentials").click()
        assert SECRET not in stores()
        assert other.get_by_label("Secret key").input_value() == ""


@pytest.mark.browser
def test_panel_from_file_url_defaults_to_the_local_node(tmp_path):
    """Opened from file://, the panel targets http://localhost:18083 and explains a failure."""
    site = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "generator", "build", "-q", "--site", str(site)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    log = PageLog()
    with chromium_page(log) as page:
        page.goto((site / "reference" / "status.html").as_uri())
        section = panel(page, "get-status")
        assert section.get_by_label("Node URL").input_value() == "http://localhost:18083"
        # the node is not there (and would be another origin): the failure is explained
        section.get_by_label("Node URL").fill("http://127.0.0.1:9")
        assert send(section).startswith("No answer")
        assert "emqx-apidocs serve --upstream" in section.locator(".ead-try-explain").inner_text()


@pytest.mark.browser
@pytest.mark.shared
def test_a_down_node_is_explained_not_failed_to_fetch(served, tmp_path):
    """Through serve with the node down, the panel explains the proxy's 502."""
    import socket

    _, work = served
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with serve(work / "site", f"http://127.0.0.1:{dead}", tmp_path / "serve.log") as url:
        with chromium_page() as page:
            open_page(page, url, "reference/status.html#get-status")
            section = panel(page, "get-status")
            assert send(section).startswith("502")
            text = section.locator(".ead-try-explain").inner_text()
            assert "UPSTREAM_UNREACHABLE" in text and "could not connect to the node" in text


@pytest.mark.browser
@pytest.mark.shared
def test_a_refused_path_is_explained(served):
    """A client ID holding the text %2e%2e is encoded once more by the panel; serve refuses
    the double encoding before Prism sees it, and the panel says why."""
    url, work = served
    with chromium_page() as page:
        sent = api_requests(page)
        open_page(page, url, "reference/clients.html#get-clients-clientid")
        section = with_key(panel(page, "get-clients-clientid"))
        section.get_by_label("clientid *").fill("%2e%2e")
        assert send(section).startswith("400")
        assert sent[-1].url == f"{url}/api/v5/clients/%252e%252e"
        text = section.locator(".ead-try-explain").inner_text()
        assert "PATH_OUTSIDE_API" in text and "outside the API" in text
    assert "/api/v5/clients/%252e" not in (work / "prism.log").read_text()


@pytest.mark.browser
@pytest.mark.shared
def test_file_upload_is_sent_as_multipart(served, tmp_path):
    """POST /data/files: a file input, a multipart request Prism accepts, and its curl -F."""
    url, _ = served
    upload = tmp_path / "backup.tar.gz"
    upload.write_bytes(b"not really a backup")
    with chromium_page() as page:
        sent = api_requests(page)
        open_page(page, url, "reference/data-backup.html#post-data-files")
        section = with_key(panel(page, "post-data-files"))
        section.locator("input[type=file]").set_input_files(str(upload))
        assert send(section).startswith("2")
        request = sent[-1]
        assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
        # (Playwright leaves file contents out of post data; the part itself is there)
        assert b'name="filename"; filename="backup.tar.gz"' in request.post_data_buffer
        assert request_violations(section) == []
        curl = section.locator(".ead-try-curl code.language-bash").inner_text()
        assert "-F 'filename=@./backup.tar.gz'" in curl and "Content-Type" not in curl
        python = section.locator(".ead-try-curl code.language-python").text_content()
        assert '"filename": open("backup.tar.gz", "rb"),' in python and "Content-Type" not in python
        javascript = section.locator(".ead-try-curl code.language-javascript").text_content()
        assert 'form.append("filename", new Blob([await readFile("backup.tar.gz")]), "backup.tar.gz");' in javascript


@pytest.mark.browser
@pytest.mark.shared
def test_the_panel_writes_the_page_samples_on_every_golden_operation(served):
    """With the page's own values (the default node, the examples it fills in, an API
    key or a token as the operation asks), the panel's Python and JavaScript are the
    page's, character for character: both are written from one description."""
    url, work = served
    operations = json.loads((work / "site" / "operations.json").read_text(encoding="utf-8"))["operations"]
    links = {(o["method"], o["path"]): o["url"] for o in operations}
    log = PageLog()
    with chromium_page(log) as page:
        for method, path in GOLDEN_OPERATIONS:
            link = links[(method, path)]
            anchor = link.split("#", 1)[1]
            open_page(page, url, link)
            section = panel(page, anchor)
            section.get_by_label("Node URL", exact=True).fill("http://localhost:18083")
            auth = json.loads(section.locator('script[type="application/json"]').text_content())["auth"]
            if auth == "bearer":
                section.get_by_label("Credentials", exact=True).select_option("bearer")
                section.get_by_label("Token", exact=True).fill("a-token")
            elif auth != "public":
                with_key(section)
            own = page.locator(f"h2#{anchor} + div.ead-op > section.ead-code")
            for lang in ("python", "javascript"):
                written = section.locator(f".ead-try-curl code.language-{lang}").text_content()
                assert written == own.locator(f"code.language-{lang}").text_content(), f"{method} {path} ({lang})"
                assert KEY not in written and SECRET not in written and "a-token" not in written
    assert log.errors == [], log.errors
