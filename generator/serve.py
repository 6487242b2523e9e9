"""`emqx-apidocs serve`: the static site plus a same-origin proxy of /api/v5 to one node.

The browser's Try-it panel talks to this server's own origin, so no CORS preflight is
needed; only the API prefix is forwarded, only to the configured upstream (the host is
never taken from the request), bodies are streamed both ways, and the Authorization
header is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from yarl import URL

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host",
}
# A 401 with this header makes a browser open its own password dialog; the Try-it
# panel handles credentials itself, so the proxy drops it from answers.
DROPPED_FROM_ANSWERS = HOP_BY_HOP | {"www-authenticate"}
CONFIG_PATH = "/__emqx_apidocs__/config.json"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'  # no headers: Authorization never reaches a log
UPSTREAM_TIMEOUT_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class ServeOptions:
    site: Path
    upstream: str | None
    base_path: str = "/api/v5"
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
    if not request.path.startswith(request.app["options"].base_path.rstrip("/") + "/"):
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
        missing = root / "404.html"
        if missing.is_file():
            return web.FileResponse(missing, status=404)
        raise web.HTTPNotFound()
    return web.FileResponse(target)


def _raw_target(raw: str) -> str:
    """The path and query exactly as the client sent them (an absolute-form target loses
    its scheme and host: the upstream's are the only ones ever used)."""
    if raw.startswith("/"):
        return raw
    parts = raw.split("/", 3)
    return "/" + (parts[3] if len(parts) == 4 else "")


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message}, status=status)


async def _proxy(request: web.Request) -> web.StreamResponse:
    options: ServeOptions = request.app["options"]
    if not options.upstream:
        return _problem(502, "NO_UPSTREAM", "emqx-apidocs serve was started without --upstream; no node to forward to")
    # encoded=True: the path and query go on byte for byte (no re-encoding of %2F and the like)
    target = URL(options.upstream.rstrip("/") + _raw_target(request.raw_path), encoded=True)
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    headers.pop("Origin", None)
    headers.pop("Referer", None)
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
