"""Real servers the explorer tests talk to: Prism mocking a spec, and `emqx-apidocs serve`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from support import PROJECT_ROOT, need

PRISM = PROJECT_ROOT / "tests" / "prism" / "node_modules" / ".bin" / "prism"


@contextmanager
def in_thread(server):
    """Serve `server` (an http.server instance) from a thread until the block ends."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def loopback(handler) -> ThreadingHTTPServer:
    """A threading HTTP server on a free port of 127.0.0.1."""
    return ThreadingHTTPServer(("127.0.0.1", 0), handler)


def url_of(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def prism_spec(spec: Path, out: Path, base_path: str = "/api/v5", edit=None) -> Path:
    """A copy of `spec` for Prism, which ignores `servers`: the base path goes into every path."""
    document = json.loads(spec.read_text(encoding="utf-8"))
    document["paths"] = {base_path + path: item for path, item in document["paths"].items()}
    document["servers"] = [{"url": "/"}]
    if edit:
        edit(document)
    out.write_text(json.dumps(document), encoding="utf-8")
    return out


@contextmanager
def running(command: list[str], port: int, log: Path, **kwargs) -> Iterator[str]:
    """Run a server until the block ends; yields its URL once its port accepts connections."""
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        try:
            wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def prism(spec_copy: Path, log: Path, *options: str):
    """Prism mocking `spec_copy` (see prism_spec), with more of Prism's `options` if given."""
    need(PRISM.exists(), "Prism is not installed (bash .ci/run installs it: npm install in tests/prism)")
    port = free_port()
    command = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), *options, str(spec_copy)]
    return running(command, port, log, env={**os.environ, "NO_COLOR": "1"})


def serve(site: Path, upstream: str | None, log: Path, *extra: str):
    """`emqx-apidocs serve --reuse` of an already built site."""
    port = free_port()
    command = [sys.executable, "-m", "generator", "serve", "--reuse", "-q", "--site", str(site), "--port", str(port)]
    if upstream:
        command += ["--upstream", upstream]
    return running([*command, *extra], port, log, cwd=PROJECT_ROOT)
