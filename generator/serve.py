"""`emqx-apidocs serve`: the static site plus a same-origin proxy of /api/v5 to one node.

The browser's Try-it panel talks to this server's own origin, so no CORS preflight is
needed; only the API prefix is forwarded, only to the configured upstream (the host is
never taken from the request), bodies are streamed both ways, and the Authorization
header is never logged.

What "only the API prefix" means, given that a node or a reverse proxy in front of it
may decode and normalise a path before routing it: the proxy forwards the path and
query exactly as they came, byte for byte, once the path (the part before the first
`?`) passes these checks, and otherwise answers 400 with the code PATH_OUTSIDE_API:

- it is the base path, or starts with the base path and `/`, written out literally
  (`/api/%765/clients` is refused, though it decodes to /api/v5/clients);
- decoded once, its bytes are UTF-8 (an overlong `%c0%ae` is a dot to some decoders);
- decoded once, it holds no `%2e`, `%2f` or `%5c` (a double-encoded dot, slash or
  backslash such as `%252e`, which a second decoding would turn into one);
- decoded once and split at `/` and at `\\`, no segment is `.` or `..`, nor starts
  with `.;` or `..;` (a dot-segment with a parameter, as some servers read it).

So a dot-segment, written out or encoded, is refused wherever it stands, even one that
would stay inside the prefix: no normalisation on the way can change which path the
node answers. A `%2F` inside a segment is forwarded: `/api/v5/clients/dev%2F42` names
the client `dev/42`, and cannot leave the prefix since no segment is a dot-segment.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

import aiohttp
from aiohttp import web
from yarl import URL

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host",
}
# The node sees the proxy as its client, never the page a request came from.
DROPPED_FROM_REQUESTS = HOP_BY_HOP | {"origin", "referer"}
# A 401 with this header makes a browser open its own password dialog; the Try-it
# panel handles credentials itself, so the proxy drops it from answers.
DROPPED_FROM_ANSWERS = HOP_BY_HOP | {"www-authenticate"}
CONFIG_PATH = "/__emqx_apidocs__/config.json"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'  # no headers: Authorization never reaches a log
PATH_REFUSED_CODE = "PATH_OUTSIDE_API"
ENCODED_DOT_OR_SEPARATOR = re.compile(r"%(2e|2f|5c)", re.IGNORECASE)
DOT_SEGMENTS = {".", ".."}
UPSTREAM_TIMEOUT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class ServeOptions:
    site: Path
    upstream: str | None
    base_path: str  # what operations.json says, else the knowledge file's
    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = UPSTREAM_TIMEOUT_SECONDS


def make_app(options: ServeOptions) -> web.Application:
    app = web.Application(middlewares=[_security_headers])
    app["options"] = options
    app.cleanup_ctx.append(_client_session)
    prefix = options.base_path.rstrip("/")
    app.router.add_route("*", prefix + "/{tail:.*}", _proxy)
    app.router.add_route("*", prefix, _proxy)
    app.router.add_get(CONFIG_PATH, _config)
    app.router.add_get("/{path:.*}", _static)
    return app


def run(options: ServeOptions, print_line=print) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    where = f"http://{options.host}:{options.port}/"
    target = options.upstream or "nowhere (no --upstream given: the API answers 502)"
    print_line(f"serving {options.site}/ at {where}, {options.base_path}/ forwarded to {target}; Ctrl+C stops")
    web.run_app(
        make_app(options), host=options.host, port=options.port, print=None,
        access_log_format=ACCESS_LOG_FORMAT,
    )


async def _client_session(app: web.Application):
    options: ServeOptions = app["options"]
    timeout = aiohttp.ClientTimeout(total=None, connect=CONNECT_TIMEOUT_SECONDS, sock_read=options.timeout)
    async with aiohttp.ClientSession(timeout=timeout, auto_decompress=False, trust_env=False) as session:
        app["client"] = session
        yield


@web.middleware
async def _security_headers(request: web.Request, handler):
    response = await handler(request)
    # Decided by the handler, not by the path: /api/v5%2F..%2Findex.html is a page.
    if request.match_info.handler is not _proxy:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


async def _config(request: web.Request) -> web.Response:
    options: ServeOptions = request.app["options"]
    return web.json_response({"api_base": options.base_path, "upstream": bool(options.upstream)})


async def _static(request: web.Request) -> web.StreamResponse:
    root: Path = request.app["options"].site.resolve()
    relative = request.match_info["path"] or "index.html"
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise web.HTTPNotFound()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        missing = _nearest_404(root, target)
        if missing is not None:
            return web.FileResponse(missing, status=404)
        raise web.HTTPNotFound()
    return web.FileResponse(target)


def _nearest_404(root: Path, target: Path) -> Path | None:
    """The 404 page of the folder nearest above `target`: in a site of several versions,
    the version's own (its links point into its folder); else the site's."""
    for folder in target.parents:
        if not folder.is_relative_to(root):
            break
        if (folder / "404.html").is_file():
            return folder / "404.html"
    return None


def _raw_target(raw: str) -> str:
    """The path and query exactly as the client sent them (an absolute-form target loses
    its scheme and host: the upstream's are the only ones ever used)."""
    if raw.startswith("/"):
        return raw
    parts = raw.split("/", 3)
    return "/" + (parts[3] if len(parts) == 4 else "")


def path_refusal(target: str, base_path: str) -> str | None:
    """Why the proxy must not forward `target` (a path and query as sent), or None when
    it may; the rule is in the module docstring."""
    prefix = base_path.rstrip("/")
    path = target.split("?", 1)[0]
    if path != prefix and not path.startswith(prefix + "/"):
        return f"the path does not start with {prefix}/ written out as it is"
    try:
        decoded = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return "the path's percent-encoded bytes are not UTF-8"
    if ENCODED_DOT_OR_SEPARATOR.search(decoded):
        return "the path is percent-encoded twice (%2e, %2f or %5c remain after decoding)"
    segments = re.split(r"[/\\]", decoded)
    if any(segment.split(";", 1)[0] in DOT_SEGMENTS for segment in segments):
        return "the path has a . or .. segment (written out or percent-encoded)"
    return None


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message}, status=status)


async def _proxy(request: web.Request) -> web.StreamResponse:
    options: ServeOptions = request.app["options"]
    raw_target = _raw_target(request.raw_path)
    refusal = path_refusal(raw_target, options.base_path)
    if refusal:
        return _problem(400, PATH_REFUSED_CODE, f"not forwarded: {refusal}; only {options.base_path}/ goes to the node")
    if not options.upstream:
        return _problem(502, "NO_UPSTREAM", "emqx-apidocs serve was started without --upstream; no node to forward to")
    # encoded=True: the path and query go on byte for byte (no re-encoding of %2F and the like)
    target = URL(options.upstream.rstrip("/") + raw_target, encoded=True)
    # pairs, not a dict: a header sent twice goes on twice
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in DROPPED_FROM_REQUESTS]
    body = request.content if request.body_exists else None
    client: aiohttp.ClientSession = request.app["client"]
    try:
        async with client.request(request.method, target, headers=headers, data=body, allow_redirects=False) as upstream:
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            for name, value in upstream.headers.items():
                if name.lower() not in DROPPED_FROM_ANSWERS and name.lower() != "content-length":
                    response.headers.add(name, value)
            if upstream.content_length is not None:
                response.content_length = upstream.content_length
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
        return _problem(504, "UPSTREAM_TIMEOUT", f"the node at {options.upstream} did not answer within {options.timeout:g} s")
    except aiohttp.ClientConnectorError as exc:
        return _problem(502, "UPSTREAM_UNREACHABLE", f"cannot connect to the node at {options.upstream} ({exc.os_error.strerror or exc})")
    except aiohttp.ClientError as exc:
        return _problem(502, "UPSTREAM_ERROR", f"the node at {options.upstream} failed: {type(exc).__name__}")
