"""Time a deep link into the built site until the operation is on screen.

What it measures: how long headless Chromium takes, from navigation start,
to show the heading of one operation (default ``GET /clients/{clientid}``)
when the site is opened at that operation's deep link, e.g.
``file://<site>/reference/clients.html#get-clients-clientid``.

How: the site is built first (``emqx-apidocs build``, default spec EE 5.8.1)
unless ``--site DIR`` gives one already built. The operation's ``url`` is
read from ``operations.json`` at the site root. A script injected before the
page's own scripts checks, on every animation frame (and at
DOMContentLoaded and load), whether the element whose id is the fragment is
rendered (non-empty box, ``checkVisibility()``) and lies inside the viewport;
the first time it is, it records ``performance.now()``, which counts from
navigation start. So the figure is measured inside the page by the
Performance API, not by Playwright's round trips; its resolution is one
frame (~16 ms). DOMContentLoaded, load and first-contentful-paint are
reported alongside for context.

Runs: ``--runs`` (default 7) cold runs, each in a fresh browser context (no
HTTP cache, no storage), after ``--warmup`` (default 1) uncounted ones; then,
unless ``--no-warm``, as many warm runs: new pages in one context that has
already loaded the page once. With ``--http`` the same is repeated over
``http://127.0.0.1:PORT/`` served by a ``python -m http.server`` this script
starts and stops.

Also reported: the HTML page's size in bytes, the number of requests the page
makes and their total bytes, console errors, and the number of requests that
would have left file:// and 127.0.0.1 (they are aborted and counted; the
browser's host resolver also resolves nothing but loopback). The exit status
is 1 if there was any such request or any run failed.

Chromium is Debian's (/usr/bin/chromium) launched with the project's
arguments from tests/browser.py; no browser is downloaded.

Examples::

    python3 bench/deeplink_bench.py --runs 7
    python3 bench/deeplink_bench.py --site site --runs 7 --http --json /tmp/deeplink.json
    python3 bench/deeplink_bench.py --spec ../shared/specs/emqx-ce-5.8.1-en.json --operation "DELETE /clients/{clientid}"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO.parent / "shared" / "specs" / "emqx-ee-5.8.1-en.json"
DEFAULT_OPERATION = "GET /clients/{clientid}"

sys.path.insert(0, str(REPO / "tests"))
from browser import CHROMIUM_ARGS, find_chromium, is_local_url  # noqa: E402  (the project's launch rules)

# The element watched: the one whose id is the fragment, or, when "inside" is a
# CSS selector, the first match inside it (Redoc puts the id on the whole
# operation and the heading inside it). See target().
FIND_TARGET = r"""
  const find = (t) => {
    const el = document.getElementById(t.id);
    return el && t.inside ? el.querySelector(t.inside) : el;
  };
"""

# Installed in every document before its own scripts. Records the first moment
# the target element is rendered and inside the viewport.
WATCH_SCRIPT = r"""
(() => {
  if (window.top !== window) return;
  const target = %s;
""" + FIND_TARGET + r"""
  const check = (how) => {
    if (window.__deeplink) return true;
    const el = find(target);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return false;
    if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true, checkOpacity: true, checkVisibilityCSS: true})) return false;
    const vh = window.innerHeight || document.documentElement.clientHeight;
    const vw = window.innerWidth || document.documentElement.clientWidth;
    if (!(r.top >= 0 && r.bottom <= vh && r.left < vw && r.right > 0)) return false;
    window.__deeplink = {ms: performance.now(), how: how, top: r.top, scrollY: window.scrollY};
    return true;
  };
  const frame = () => { if (!check("frame")) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  document.addEventListener("DOMContentLoaded", () => check("domcontentloaded"));
  window.addEventListener("load", () => check("load"));
})();
"""

# Read after the heading showed up and the load event fired.
TIMING_SCRIPT = r"""
(target) => {
""" + FIND_TARGET + r"""
  const nav = performance.getEntriesByType("navigation")[0] || {};
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const el = find(target);
  const r = el ? el.getBoundingClientRect() : null;
  return {
    deeplink: window.__deeplink || null,
    dcl: nav.domContentLoadedEventEnd || null,
    load: nav.loadEventEnd || null,
    fcp: fcp ? fcp.startTime : null,
    final_top: r ? r.top : null,
    final_in_view: r ? (r.top >= 0 && r.bottom <= window.innerHeight) : false,
    scroll_y: window.scrollY,
    doc_height: document.documentElement.scrollHeight,
    nodes: document.getElementsByTagName("*").length,
  };
}
"""


# --------------------------------------------------------------------------- helpers


def cli_command() -> list[str]:
    found = shutil.which("emqx-apidocs")
    return [found] if found else [sys.executable, "-m", "generator"]


def build_site(spec: Path, site: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run([*cli_command(), "build", "--spec", str(spec), "--site", str(site), "-q"],
                          cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"deeplink_bench: build failed (exit {proc.returncode}):\n{proc.stderr}")
    return seconds


def target(element_id: str, inside: str | None = None) -> dict:
    """What the page scripts watch: the element with *element_id*, or the first *inside* match in it."""
    return {"id": element_id, "inside": inside}


def new_context(browser, watched: dict, width: int, height: int, blocked: list[str]):
    """A fresh context (empty cache and storage) that watches *watched* and aborts non-local requests."""
    ctx = browser.new_context(service_workers="block", viewport={"width": width, "height": height})
    ctx.add_init_script(WATCH_SCRIPT % json.dumps(watched))

    def block(route) -> None:
        blocked.append(route.request.url)
        route.abort("blockedbyclient")

    ctx.route(lambda u: not is_local_url(u), block)
    return ctx


def find_operation(site: Path, operation: str) -> dict:
    method, _, path = operation.strip().partition(" ")
    data = json.loads((site / "operations.json").read_text())
    ops = data["operations"] if isinstance(data, dict) else data
    for op in ops:
        if op["method"].upper() == method.upper() and op["path"] == path.strip():
            return op
    sys.exit(f"deeplink_bench: {operation!r} is not in {site / 'operations.json'}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpServer:
    """`python -m http.server` on 127.0.0.1, started and stopped by us."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(directory), str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit("deeplink_bench: http.server did not start")
                time.sleep(0.05)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def body_bytes(request, site: Path) -> int | None:
    """Bytes of a finished request's body: the file's size for file://, else Content-Length or what Chromium received."""
    parts = urlsplit(request.url)
    if parts.scheme == "file":
        try:
            return Path(unquote(parts.path)).stat().st_size
        except OSError:
            return None
    try:  # Content-Length first: Chromium reports 0 body bytes for requests made by workers
        response = request.response()
        length = response.headers.get("content-length") if response is not None else None
        if length is not None:
            return int(length)
        return request.sizes()["responseBodySize"]
    except Exception:  # the request may be gone already
        return None


def summary(values: list[float]) -> dict:
    if not values:
        return {}
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "spread": max(values) - min(values), "runs": values}


# --------------------------------------------------------------------------- one run


class Recorder:
    """Requests, sizes and errors of one page."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.requests: list[str] = []
        self.bytes: dict[str, int | None] = {}
        self.failed: list[str] = []
        self.errors: list[str] = []

    def attach(self, page) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfinished", lambda r: self.bytes.__setitem__(r.url, body_bytes(r, self.site)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def one_run(context, url: str, watched: dict, site: Path, timeout_ms: int) -> dict:
    rec = Recorder(site)
    page = context.new_page()
    rec.attach(page)
    try:
        response = page.goto(url, wait_until="load", timeout=timeout_ms)
        page.wait_for_function("() => window.__deeplink", timeout=timeout_ms, polling=50)
        timing = page.evaluate(TIMING_SCRIPT, watched)
        html_bytes = None
        if response is not None and not url.startswith("file:"):
            try:
                html_bytes = len(response.body())
            except Exception:
                html_bytes = None
        ok, error = True, None
    except Exception as exc:  # timeout or a crashed page: recorded, not fatal
        timing, html_bytes, ok, error = {}, None, False, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        page.close()
    sizes = [b for b in rec.bytes.values() if b is not None]
    return {
        "ok": ok,
        "error": error,
        "visible_ms": (timing.get("deeplink") or {}).get("ms"),
        "seen_at": (timing.get("deeplink") or {}).get("how"),
        "timing": timing,
        "html_bytes": html_bytes,
        "requests": len(rec.requests),
        "request_bytes": sum(sizes),
        "request_sizes": rec.bytes,
        "external": [u for u in rec.requests if not is_local_url(u)],
        "failed": rec.failed,
        "console_errors": rec.errors,
    }


def run_mode(browser, url: str, fragment: str, site: Path, args: argparse.Namespace, log) -> dict:
    """Cold runs (fresh context each) and warm runs (one primed context)."""
    blocked: list[str] = []
    watched = target(fragment)
    fresh = lambda: new_context(browser, watched, args.width, args.height, blocked)

    cold, warm = [], []
    for i in range(args.warmup + args.runs):
        ctx = fresh()
        try:
            r = one_run(ctx, url, watched, site, args.timeout)
        finally:
            ctx.close()
        counted = i >= args.warmup
        log(f"cold {'run ' + str(i - args.warmup + 1) if counted else 'warm-up'}: "
            f"{'%.0f ms' % r['visible_ms'] if r['visible_ms'] is not None else r['error']}")
        if counted:
            cold.append(r)
    if args.warm:
        ctx = fresh()
        try:
            one_run(ctx, url, watched, site, args.timeout)  # primes this context's caches
            for i in range(args.runs):
                r = one_run(ctx, url, watched, site, args.timeout)
                log(f"warm run {i + 1}: "
                    f"{'%.0f ms' % r['visible_ms'] if r['visible_ms'] is not None else r['error']}")
                warm.append(r)
        finally:
            ctx.close()
    return {"url": url, "cold": digest(cold), "warm": digest(warm) if args.warm else None,
            "blocked": sorted(set(blocked))}


def digest(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["ok"] and r["visible_ms"] is not None]
    pick = lambda key: [r["timing"][key] for r in ok if r["timing"].get(key) is not None]
    last = ok[-1] if ok else {}
    return {
        "runs": len(runs),
        "ok": len(ok),
        "visible_ms": summary([r["visible_ms"] for r in ok]),
        # nothing is on screen before the first contentful paint, so the heading is
        # really seen at the later of the two
        "painted_ms": summary([max(r["visible_ms"], r["timing"].get("fcp") or 0) for r in ok]),
        "dcl_ms": summary(pick("dcl")),
        "load_ms": summary(pick("load")),
        "fcp_ms": summary(pick("fcp")),
        "seen_at": sorted({r["seen_at"] for r in ok}),
        "final_top_px": last.get("timing", {}).get("final_top"),
        "final_in_view": last.get("timing", {}).get("final_in_view"),
        "scroll_y": last.get("timing", {}).get("scroll_y"),
        "doc_height": last.get("timing", {}).get("doc_height"),
        "dom_nodes": last.get("timing", {}).get("nodes"),
        "html_bytes": last.get("html_bytes"),
        "requests": summary([r["requests"] for r in ok]),
        "request_bytes": last.get("request_bytes"),
        "external": sorted({u for r in runs for u in r["external"]}),
        "failed": sorted({u for r in runs for u in r["failed"]}),
        "console_errors": sorted({e for r in runs for e in r["console_errors"]}),
        "errors": [r["error"] for r in runs if r["error"]],
        "all": runs,
    }


# --------------------------------------------------------------------------- output


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def ms_row(label: str, d: dict) -> list[str]:
    if not d:
        return [label, "-", "-", "-", "-"]
    return [label, f"{d['median']:.0f}", f"{d['min']:.0f}", f"{d['max']:.0f}", f"{d['spread']:.0f}"]


def report(data: dict) -> str:
    out = [
        f"Site: {data['site']}" + (f" (built from {data['spec']} in {data['build_seconds']:.2f} s)"
                                   if data.get("build_seconds") is not None else " (given, not built)"),
        f"Operation: {data['operation']} -> {data['op_url']}",
        f"HTML page: {data['html_file']} {data['html_file_bytes']:,} bytes on disk",
        f"Browser: {data['browser']} ({data['chromium']}), viewport {data['viewport']}",
        f"Machine: nproc {data['nproc']}, load average before {data['load_before']} after {data['load_after']}",
        f"Runs: {data['runs']} per mode (+{data['warmup']} cold warm-up not counted); "
        "times in ms from navigation start (Performance API, one-frame resolution)",
        "",
    ]
    total_external = 0
    for mode, res in data["modes"].items():
        out.append(f"{mode}: {res['url']}")
        for kind in ("cold", "warm"):
            d = res[kind]
            if d is None:
                continue
            rows = [ms_row("heading on screen (max of the two below)", d["painted_ms"]),
                    ms_row("heading in viewport (a frame, maybe unpainted)", d["visible_ms"]),
                    ms_row("first contentful paint", d["fcp_ms"]),
                    ms_row("DOMContentLoaded end", d["dcl_ms"]),
                    ms_row("load event end", d["load_ms"])]
            out.append(f"  {kind} ({d['ok']}/{d['runs']} runs ok"
                       + (", seen at: " + "/".join(d["seen_at"]) if d["seen_at"] else "") + ")")
            out.append("    " + table(rows, ["ms", "median", "min", "max", "spread"]).replace("\n", "\n    "))
            req = d["requests"]
            html = d["html_bytes"] if d["html_bytes"] is not None else data["html_file_bytes"]
            out.append(f"    HTML {html:,} bytes; requests per load {req['median']:.0f} "
                       f"(min {req['min']}, max {req['max']}), {d['request_bytes'] or 0:,} bytes in all"
                       if req else f"    HTML {html:,} bytes")
            out.append(f"    heading finally at top={d['final_top_px']} px, in view: {d['final_in_view']}, "
                       f"scrollY {d['scroll_y']} of {d['doc_height']} px, {d['dom_nodes']} DOM elements")
            out.append(f"    external requests: {len(d['external'])}" +
                       (": " + ", ".join(d["external"][:5]) if d["external"] else ""))
            total_external += len(d["external"])
            if d["failed"]:
                out.append(f"    failed requests: {len(d['failed'])}: {', '.join(d['failed'][:5])}")
            if d["console_errors"]:
                out.append(f"    console errors: {len(d['console_errors'])}: {' | '.join(d['console_errors'][:3])}")
            for e in d["errors"][:3]:
                out.append(f"    RUN FAILED: {e}")
        if res["blocked"]:
            out.append(f"  blocked (non-local) URLs: {', '.join(res['blocked'][:5])}")
            total_external += len(res["blocked"])
        out.append("")
    out.append("no request left file:// / 127.0.0.1" if total_external == 0
               else f"FAIL: {total_external} request(s) would have left the machine (all aborted)")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time opening a deep link to an operation in headless Chromium.",
        epilog="Example: python3 bench/deeplink_bench.py --runs 7 --http")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, metavar="FILE",
                        help=f"spec to build the site from (default {DEFAULT_SPEC})")
    parser.add_argument("--site", type=Path, metavar="DIR", help="an already built site (skips the build)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build into DIR and keep it (default: a temporary dir, removed afterwards)")
    parser.add_argument("--operation", default=DEFAULT_OPERATION, metavar='"METHOD /path"',
                        help=f"operation to open (default {DEFAULT_OPERATION!r})")
    parser.add_argument("--runs", type=int, default=7, help="counted runs per mode (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted cold runs first (default 1)")
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="skip the warm-cache runs")
    parser.add_argument("--http", action="store_true",
                        help="also run over http://127.0.0.1 (a python -m http.server started here)")
    parser.add_argument("--width", type=int, default=1280, help="viewport width (default 1280)")
    parser.add_argument("--height", type=int, default=800, help="viewport height (default 800)")
    parser.add_argument("--timeout", type=int, default=60_000, help="per-run timeout in ms (default 60000)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all numbers (every run) as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-run progress lines on stderr")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    if args.site and args.keep:
        parser.error("--site and --keep exclude each other")

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("deeplink_bench: Playwright is not installed (pip install playwright; no browser download needed)")
    chromium = find_chromium()
    if chromium is None:
        sys.exit("deeplink_bench: Chromium not found (apt-get install chromium)")

    log = (lambda msg: None) if args.quiet else (lambda msg: print(f"  {msg}", file=sys.stderr, flush=True))
    data: dict = {"operation": args.operation, "runs": args.runs, "warmup": args.warmup,
                  "viewport": f"{args.width}x{args.height}", "chromium": chromium,
                  "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
                  "python": platform.python_version(), "load_before": [round(x, 2) for x in os.getloadavg()],
                  "modes": {}}

    tmp = None
    server = None
    try:
        if args.site:
            site = args.site.resolve()
            if not (site / "operations.json").is_file():
                parser.error(f"--site {site}: no operations.json (not a built site?)")
            data.update(spec=None, build_seconds=None)
        else:
            spec = args.spec.resolve()
            if not spec.is_file():
                parser.error(f"--spec {spec}: no such file")
            if args.keep:
                site = args.keep.resolve()
            else:
                tmp = tempfile.mkdtemp(prefix="emqx-apidocs-deeplink-")
                site = Path(tmp) / "site"
            log(f"building {spec.name} into {site} ...")
            data.update(spec=str(spec), build_seconds=build_site(spec, site))
        data["site"] = str(site)

        op = find_operation(site, args.operation)
        page_path, _, fragment = op["url"].partition("#")
        html_file = site / page_path
        data.update(op_url=op["url"], html_file=str(html_file), html_file_bytes=html_file.stat().st_size)
        if not fragment:
            sys.exit(f"deeplink_bench: {op['url']} has no #fragment")

        targets = {"file://": html_file.as_uri() + "#" + fragment}
        if args.http:
            server = HttpServer(site)
            targets["http://127.0.0.1"] = server.base + op["url"]

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            data["browser"] = f"Chromium {browser.version}"
            try:
                for mode, url in targets.items():
                    log(f"{mode}: {url}")
                    data["modes"][mode] = run_mode(browser, url, fragment, site, args, log)
            finally:
                browser.close()
    finally:
        if server is not None:
            server.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    data["load_after"] = [round(x, 2) for x in os.getloadavg()]

    print(report(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n")
        print(f"\nJSON written to {args.json}")
    bad = False
    for res in data["modes"].values():
        bad |= bool(res["blocked"])
        for d in (res["cold"], res["warm"]):
            if d is not None:
                bad |= bool(d["external"]) or d["ok"] < d["runs"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
