"""A deep link into our site against the same deep link into Redoc 3, as a ratio.

Both pages show one operation (default ``GET /clients/{clientid}``) of one spec
(default EE 5.8.1):

* **ours**: the site ``emqx-apidocs build`` makes (or ``--site DIR``), at the
  operation's ``url`` from ``operations.json``
  (``reference/clients.html#get-clients-clientid``); watched: the element with that id,
  the operation's heading;
* **redoc**: the page ``redocly build-docs --inlineBundle`` makes (bench/anchors.py), at
  the link Redoc's own navigation gives the operation
  (``#/clients/paths/~1clients~1{clientid}/get``, read from the page: see anchors.py);
  watched: the first ``h1``-``h3``
  inside the element with that id, the operation's heading.

The time is measured as in deeplink_bench.py, by the same injected script: from
navigation start until the heading is rendered, visible and entirely inside the
viewport, on the first animation frame where it is, and not before the first
contentful paint ("on screen"). Every run is in a fresh browser context (empty cache
and storage); the two sides alternate within a round, swapping which goes first every
other round; ``--warmup`` uncounted rounds come first. Both use the same transport:
file:// (default) or, with ``--transport http``, a ``python -m http.server`` on
127.0.0.1 for each side. Requests to anything but file:// and 127.0.0.1 are aborted
and counted; the exit status is 1 if there was any, or if a run failed.

Reported: median / min / max / spread per side (ms), the ratio ours / redoc per
round with its median and range, and beside it the target from issue 9 (ours at most
1/8 of Redoc's), for reading, not as a pass/fail.

    python3 bench/anchor_deeplink_bench.py --runs 5
    python3 bench/anchor_deeplink_bench.py --runs 5 --transport http --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

import anchors
from deeplink_bench import (CHROMIUM_ARGS, DEFAULT_OPERATION, DEFAULT_SPEC, HttpServer, build_site, digest,
                            find_chromium, find_operation, ms_row, new_context, one_run, table, target)

SIDES = ("ours", "redoc")
TARGET = 1 / 8  # issue 9: ours at most 1/8 of Redoc's time


def stats(values: list[float]) -> dict:
    if not values:
        return {}
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "spread": max(values) - min(values), "runs": values}


def painted(run: dict) -> float | None:
    """On screen: the frame the heading was in the viewport, not before first contentful paint."""
    if not run["ok"] or run["visible_ms"] is None:
        return None
    return max(run["visible_ms"], run["timing"].get("fcp") or 0)


def operation_tag(spec: Path, operation: str) -> str:
    """The first tag of METHOD PATH in the spec (Redoc files the operation under it)."""
    method, _, path = operation.strip().partition(" ")
    text = spec.read_text(encoding="utf-8")
    doc = json.loads(text) if spec.suffix == ".json" else yaml.safe_load(text)
    try:
        return doc["paths"][path.strip()][method.lower()]["tags"][0]
    except (KeyError, IndexError, TypeError):
        raise SystemExit(f"{spec.name}: {operation} has no tag") from None


def redoc_fragment(browser, url: str, spec: Path, operation: str, args: argparse.Namespace) -> str:
    """Redoc's own link to *operation*, read from the page (see anchors.redoc_link)."""
    method, _, path = operation.strip().partition(" ")
    ctx = new_context(browser, target("none"), args.width, args.height, [])
    try:
        return anchors.redoc_link(ctx.new_page(), url, operation_tag(spec, operation), method, path.strip(),
                                  args.timeout)
    finally:
        ctx.close()


def prepare(args: argparse.Namespace, tmp: Path, log) -> dict:
    """Both sides' folder, page file and fragment (Redoc's is filled in once the browser runs)."""
    if args.site:
        ours = args.site.resolve()
        if not (ours / "operations.json").is_file():
            raise SystemExit(f"--site {ours}: no operations.json (not a built site?)")
    else:
        ours = tmp / "ours"
        log(f"building our site from {args.spec.name} ...")
        build_site(args.spec.resolve(), ours)
    page, _, fragment = find_operation(ours, args.operation)["url"].partition("#")
    log(f"building the Redoc page from {args.spec.name} ...")
    redoc = anchors.redoc_page(args.spec, tmp / "redoc" / "index.html")
    return {"ours": {"dir": ours, "page": page, "fragment": fragment},
            "redoc": {"dir": redoc.parent, "page": redoc.name, "fragment": None}}


def report(data: dict) -> str:
    out = [
        f"spec: {data['spec']}; operation {data['operation']}; transport {data['transport']}; "
        f"{data['runs']} rounds (+{data['warmup']} warm-up not counted), fresh browser context each run, "
        "sides alternating",
        f"browser: {data['browser']}, viewport {data['viewport']}; nproc {data['nproc']}; "
        f"load average before {data['load_before']} after {data['load_after']}",
        "",
    ]
    for side in SIDES:
        d, s = data["sides"][side], data["sides"][side]["digest"]
        out.append(f"{side}: {d['url_shown']}")
        rows = [ms_row("heading on screen", s["painted_ms"]),
                ms_row("heading in viewport (a frame, maybe unpainted)", s["visible_ms"]),
                ms_row("first contentful paint", s["fcp_ms"]),
                ms_row("DOMContentLoaded end", s["dcl_ms"]),
                ms_row("load event end", s["load_ms"])]
        out.append("  " + table(rows, ["ms", "median", "min", "max", "spread"]).replace("\n", "\n  "))
        req = s["requests"]
        out.append(f"  {s['ok']}/{s['runs']} runs ok, seen at {'/'.join(s['seen_at']) or '-'}; page "
                   f"{d['html_bytes']:,} bytes; {req['median']:.0f} requests per load, "
                   f"{s['request_bytes'] or 0:,} bytes in all" if req else f"  {s['ok']}/{s['runs']} runs ok")
        out.append(f"  heading finally at top={s['final_top_px']} px (in view: {s['final_in_view']}), "
                   f"{s['dom_nodes']} DOM elements; external requests {len(s['external'])}"
                   + (": " + ", ".join(s["external"][:3]) if s["external"] else ""))
        for e in (s["console_errors"][:3] + s["errors"][:3]):
            out.append(f"  ! {e[:200]}")
        out.append("")
    r = data["ratio"]
    if r:
        verdict = "within" if r["median"] <= TARGET else f"{r['median'] / TARGET:.2f}x over"
        out.append(f"ours / redoc per round (heading on screen): median {r['median']:.3f} "
                   f"(range {r['min']:.3f} to {r['max']:.3f}); target <= 1/8 = {TARGET:.3f}: median {verdict}")
        out.append("  rounds: " + ", ".join(f"{x:.3f}" for x in r["runs"]))
    blocked = data["blocked"]
    out.append("no request left file:// / 127.0.0.1" if not blocked
               else f"FAIL: {len(blocked)} request(s) would have left the machine (aborted): {', '.join(blocked[:5])}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the spec (default: EE 5.8.1)")
    parser.add_argument("--site", type=Path, metavar="DIR", help="our site, already built from --spec")
    parser.add_argument("--operation", default=DEFAULT_OPERATION, metavar='"METHOD /path"')
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--transport", choices=("file", "http"), default="file",
                        help="file:// (default) or http://127.0.0.1, the same for both sides")
    parser.add_argument("--width", type=int, default=1280, help="viewport width (default 1280)")
    parser.add_argument("--height", type=int, default=800, help="viewport height (default 800)")
    parser.add_argument("--timeout", type=int, default=120_000, help="per-run timeout in ms (default 120000)")
    parser.add_argument("--json", type=Path, help="also write every run as JSON")
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        parser.error(f"{args.spec}: no such spec")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    from playwright.sync_api import sync_playwright

    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    anchors.install(log=log)
    data: dict = {"spec": args.spec.name, "operation": args.operation, "transport": args.transport,
                  "runs": args.runs, "warmup": args.warmup, "viewport": f"{args.width}x{args.height}",
                  "nproc": len(os.sched_getaffinity(0)), "load_before": [round(x, 2) for x in os.getloadavg()]}
    tmp = Path(tempfile.mkdtemp(prefix="anchor-deeplink-bench-"))
    servers: list[HttpServer] = []
    blocked: list[str] = []
    runs: dict[str, list[dict]] = {side: [] for side in SIDES}
    try:
        sides = prepare(args, tmp, log)
        for side in sides.values():
            if args.transport == "http":
                servers.append(HttpServer(side["dir"]))
                side["base"] = servers[-1].base
            else:
                side["base"] = side["dir"].as_uri() + "/"
            side["html_bytes"] = (side["dir"] / side["page"]).stat().st_size
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
            data["browser"] = f"Chromium {browser.version}"
            try:
                redoc = sides["redoc"]
                redoc["fragment"] = redoc_fragment(browser, redoc["base"] + redoc["page"], args.spec,
                                                   args.operation, args)
                sides["ours"]["watched"] = target(sides["ours"]["fragment"])
                redoc["watched"] = target(*anchors.redoc_target(redoc["fragment"]))
                for side in sides.values():
                    side["url"] = side["base"] + side["page"] + "#" + side["fragment"].lstrip("#")
                for i in range(args.warmup + args.runs):
                    counted = i >= args.warmup
                    line = []
                    for name in (SIDES if i % 2 == 0 else SIDES[::-1]):
                        side = sides[name]
                        ctx = new_context(browser, side["watched"], args.width, args.height, blocked)
                        try:
                            r = one_run(ctx, side["url"], side["watched"], side["dir"], args.timeout)
                        finally:
                            ctx.close()
                        line.append(f"{name} {painted(r):.0f} ms" if painted(r) is not None else f"{name} {r['error']}")
                        if counted:
                            runs[name].append(r)
                    log(f"{'round ' + str(i - args.warmup + 1) if counted else 'warm-up'}: {', '.join(line)}")
            finally:
                browser.close()
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    data["load_after"] = [round(x, 2) for x in os.getloadavg()]
    data["sides"] = {name: {"url_shown": side["page"] + "#" + side["fragment"].lstrip("#"),
                            "html_bytes": side["html_bytes"], "digest": digest(runs[name])}
                     for name, side in sides.items()}
    pairs = [(painted(o), painted(r)) for o, r in zip(runs["ours"], runs["redoc"])]
    data["ratio"] = stats([o / r for o, r in pairs if o is not None and r])
    data["blocked"] = sorted(set(blocked))
    print(report(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    failed = any(s["digest"]["ok"] < s["digest"]["runs"] or s["digest"]["external"] for s in data["sides"].values())
    return 1 if failed or blocked else 0


if __name__ == "__main__":
    sys.exit(main())
