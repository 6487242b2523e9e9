"""EMQX knowledge is data: an edited copy changes the site; a live node's codes merge in."""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import yaml
from servers import in_thread, loopback, url_of
from support import PROJECT_ROOT

from generator.knowledge import DEFAULT_FILE
from generator.load import DEFAULT_SPEC


def build(site: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--site", str(site), *extra],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )


def test_an_edited_knowledge_file_changes_roles_and_descriptions(tmp_path):
    """A patched EMQX whose viewers may publish is one edit of the data file away."""
    data = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    viewer = next(r for r in data["roles"] if r["id"] == "viewer")
    viewer["rules"].append({"operations": ["POST /publish"]})
    data["error_codes"]["NOT_FOUND"] = "Nothing by that name here (patched build)."
    edited = tmp_path / "patched.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    run = build(tmp_path / "site", "--knowledge", str(edited))
    assert run.returncode == 0, run.stderr
    ops = json.loads((tmp_path / "site" / "operations.json").read_text())["operations"]
    publish = next(o for o in ops if (o["method"], o["path"]) == ("POST", "/publish"))
    bulk = next(o for o in ops if (o["method"], o["path"]) == ("POST", "/publish/bulk"))
    assert publish["roles"] == ["administrator", "viewer", "publisher"]
    assert bulk["roles"] == ["administrator", "publisher"]
    errors = (tmp_path / "site" / "guides" / "errors.html").read_text(encoding="utf-8")
    assert "Nothing by that name here (patched build)." in errors


def test_a_broken_knowledge_file_is_one_line(tmp_path):
    """A knowledge file that is not YAML, or lacks a section, is an input error."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("roles: [", encoding="utf-8")
    run = build(tmp_path / "site", "--knowledge", str(bad))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "bad.yaml" in run.stderr
    bad.write_text("default_base_url: http://x\n", encoding="utf-8")
    run = build(tmp_path / "site", "--knowledge", str(bad))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


class Node(BaseHTTPRequestHandler):
    spec = json.dumps(yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))).encode()
    codes = json.dumps([
        {"code": "NODE_ONLY_CODE", "description": "Known to this node alone."},
        {"code": "CLIENTID_NOT_FOUND", "description": "The node's own words for a missing client."},
    ]).encode()

    def do_GET(self) -> None:  # noqa: N802
        body = {"/api-docs/swagger.json": self.spec, "/api/v5/error_codes": self.codes}.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


def test_a_live_nodes_error_codes_are_merged(tmp_path):
    """Built from a node's URL, the error page adds the node's own GET /error_codes."""
    with in_thread(loopback(Node)) as httpd:
        run = build(tmp_path / "site", "--spec", url_of(httpd) + "/api-docs/swagger.json")
    assert run.returncode == 0, run.stderr
    errors = (tmp_path / "site" / "guides" / "errors.html").read_text(encoding="utf-8")
    assert 'id="NODE_ONLY_CODE"' in errors and "Known to this node alone." in errors
    assert "The node says: “The node’s own words for a missing client.”" in errors or \
        "The node&#39;s own words for a missing client." in errors
