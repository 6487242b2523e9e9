"""Time `emqx-apidocs validate` and `emqx-apidocs build` on the real EMQX specs.

What it measures, per spec (CE 5.8.1 and EE 5.8.1 by default):

* wall-clock time of the whole ``emqx-apidocs validate --spec FILE`` command
  and of the whole ``emqx-apidocs build --spec FILE --site DIR`` command
  (validate + model + render + mkdocs build, interpreter start-up included),
  each run as a subprocess; every build goes into a fresh temporary --site.
  Reported as median, min, max and spread (max - min); the spread is the
  machine's noise, so differences smaller than it mean nothing;
* the build's own step timings, parsed from its stderr (lines like
  ``validate  89 problems  (2.54 s)``), median per step, and the wall-clock
  time minus the sum of the steps (start-up, imports, swap-in; negative when
  steps overlap, e.g. validate running in two forked children alongside the model and its pages);
* peak RSS of each command (``/usr/bin/time -f %M`` when available, else
  ``getrusage(RUSAGE_CHILDREN)`` read in a fresh Python child per run). Both
  give the peak of the largest single process, not the sum of processes that
  run at the same time;
* the built site: total bytes and number of files, the largest HTML page and
  how many HTML pages are over 1 MB, and the size of
  ``search/search_index.json``;
* the machine: nproc, CPU model, load average before and after.

One warm-up run of each command per spec (``--warmup``) is done first and not
counted (it fills the page cache and the .pyc caches).

Run from anywhere (paths default relative to the repo root)::

    python3 bench/build_bench.py --runs 5
    python3 bench/build_bench.py --runs 2 --only ee --json /tmp/build-bench.json
    python3 bench/build_bench.py --ce ../shared/specs/emqx-ce-5.8.1-en.json --ee ../shared/specs/emqx-ee-5.8.1-en.json

Exit status: 0 when every command succeeded (validate may exit 1: that only
means the spec has problems), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO.parent / "shared" / "specs"
DEFAULT_SPECS = {
    "ce": SPECS / "emqx-ce-5.8.1-en.json",
    "ee": SPECS / "emqx-ee-5.8.1-en.json",
}
BIG_PAGE = 1_000_000  # "over 1 MB": 10**6 bytes
TIME_BIN = "/usr/bin/time"

# "  validate  89 problems  (2.54 s)" as printed by ConsoleReporter.step
STEP_LINE = re.compile(r"^\s*(?P<name>[A-Za-z][\w-]*)\s{2}(?P<detail>.*?)\s*\((?P<seconds>\d+(?:\.\d+)?) s\)\s*$")

# Fallback peak-RSS probe: run the command in this fresh child and report the
# children's ru_maxrss (KiB on Linux), so every run starts from zero.
RUSAGE_PROBE = r"""
import json, resource, subprocess, sys
argv, out = json.loads(sys.argv[1]), sys.argv[2]
p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
open(out, "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.stderr.buffer.write(p.stderr)
sys.exit(p.returncode)
"""


# --------------------------------------------------------------------------- machine


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))  # what `nproc` prints
    except AttributeError:
        nproc = os.cpu_count() or 0
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return {
        "nproc": nproc,
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.processor() or "unknown",
        "mem_total_mib": round(mem_kib / 1024),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# --------------------------------------------------------------------------- running


def cli_command() -> list[str]:
    found = shutil.which("emqx-apidocs")
    if found:
        return [found]
    return [sys.executable, "-m", "generator"]


def run_timed(argv: list[str], ok_codes: tuple[int, ...], rss_method: str) -> dict:
    """Run *argv*; return wall seconds, peak RSS (KiB), stderr, exit code."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as fh:
        rss_file = fh.name
    try:
        if rss_method == "time":
            full = [TIME_BIN, "-f", "%M", "-o", rss_file, *argv]
        else:
            full = [sys.executable, "-c", RUSAGE_PROBE, json.dumps(argv), rss_file]
        started = time.perf_counter()
        proc = subprocess.run(full, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - started
        stderr = proc.stderr.decode("utf-8", "replace")
        rss = None
        try:
            text = Path(rss_file).read_text().strip()
            # /usr/bin/time writes "Command exited with non-zero status N" first
            rss = int(text.splitlines()[-1])
        except (OSError, ValueError, IndexError):
            pass
    finally:
        Path(rss_file).unlink(missing_ok=True)
    return {
        "seconds": wall,
        "rss_kib": rss,
        "stderr": stderr,
        "code": proc.returncode,
        "ok": proc.returncode in ok_codes,
    }


def parse_steps(stderr: str) -> tuple[dict[str, float], dict[str, str]]:
    """Step name -> seconds, and step name -> its detail text, from build stderr."""
    steps: dict[str, float] = {}
    details: dict[str, str] = {}
    for line in stderr.splitlines():
        m = STEP_LINE.match(line)
        if m:
            steps[m["name"]] = steps.get(m["name"], 0.0) + float(m["seconds"])
            details[m["name"]] = m["detail"].strip()
    return steps, details


def site_stats(site: Path) -> dict:
    total = blocks = files = big = 0
    largest = ("", 0)
    html_pages = 0
    for path in site.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        st = path.stat()
        files += 1
        total += st.st_size
        blocks += st.st_blocks * 512
        if path.suffix == ".html":
            html_pages += 1
            if st.st_size > largest[1]:
                largest = (path.relative_to(site).as_posix(), st.st_size)
            if st.st_size > BIG_PAGE:
                big += 1
    search = site / "search" / "search_index.json"
    search_js = site / "search" / "search_index.js"
    return {
        "bytes": total,
        "allocated_bytes": blocks,
        "files": files,
        "html_pages": html_pages,
        "largest_html": largest[0],
        "largest_html_bytes": largest[1],
        "html_over_1mb": big,
        "search_index_json_bytes": search.stat().st_size if search.is_file() else None,
        "search_index_js_bytes": search_js.stat().st_size if search_js.is_file() else None,
    }


def summary(values: list[float]) -> dict:
    if not values:
        return {}
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "spread": max(values) - min(values),
        "runs": values,
    }


def bench_spec(name: str, spec: Path, args: argparse.Namespace, cli: list[str], rss_method: str) -> dict:
    validate_argv = [*cli, "validate", "--spec", str(spec)]
    results: dict = {"spec": str(spec), "spec_bytes": spec.stat().st_size,
                     "validate": [], "build": [], "failures": []}
    stats = None
    total = args.warmup + args.runs
    for i in range(total):
        counted = i >= args.warmup
        label = f"run {i - args.warmup + 1}/{args.runs}" if counted else f"warm-up {i + 1}/{args.warmup}"

        v = run_timed(validate_argv, (0, 1), rss_method)
        with tempfile.TemporaryDirectory(prefix="emqx-apidocs-bench-", dir=args.tmpdir) as tmp:
            site = Path(tmp) / "site"
            b = run_timed([*cli, "build", "--spec", str(spec), "--site", str(site)], (0,), rss_method)
            if b["ok"] and counted:
                stats = site_stats(site)  # the same every run; keep the last
        b["steps"], b["step_details"] = parse_steps(b["stderr"])
        b["step_details"] = {k: d.replace(str(spec), spec.name) for k, d in b["step_details"].items()}

        for kind, r in (("validate", v), ("build", b)):
            if not r["ok"]:
                tail = r["stderr"].strip().splitlines()[-3:]
                results["failures"].append(f"{kind} {label}: exit {r['code']}: {' | '.join(tail)}")
        if not args.quiet:
            print(f"  {name} {label}: validate {v['seconds']:.2f} s (exit {v['code']}), "
                  f"build {b['seconds']:.2f} s (exit {b['code']})", file=sys.stderr, flush=True)
        if counted:
            results["validate"].append({k: v[k] for k in ("seconds", "rss_kib", "code")})
            results["build"].append({k: b[k] for k in ("seconds", "rss_kib", "code", "steps", "step_details")})

    ok_builds = [r for r in results["build"] if r["code"] == 0]
    ok_validates = [r for r in results["validate"] if r["code"] in (0, 1)]
    step_names: list[str] = []
    for r in ok_builds:
        step_names += [s for s in r["steps"] if s not in step_names]
    steps = {s: summary([r["steps"][s] for r in ok_builds if s in r["steps"]]) for s in step_names}
    unaccounted = [r["seconds"] - sum(r["steps"].values()) for r in ok_builds]
    results["summary"] = {
        "validate_seconds": summary([r["seconds"] for r in ok_validates]),
        "build_seconds": summary([r["seconds"] for r in ok_builds]),
        "validate_peak_rss_kib": summary([r["rss_kib"] for r in ok_validates if r["rss_kib"] is not None]),
        "build_peak_rss_kib": summary([r["rss_kib"] for r in ok_builds if r["rss_kib"] is not None]),
        "build_steps_seconds": steps,
        "build_step_details": ok_builds[-1]["step_details"] if ok_builds else {},
        "build_unaccounted_seconds": summary(unaccounted),
        "site": stats,
    }
    return results


# --------------------------------------------------------------------------- output


def fmt_s(d: dict) -> list[str]:
    if not d:
        return ["-", "-", "-", "-"]
    return [f"{d['median']:.2f}", f"{d['min']:.2f}", f"{d['max']:.2f}", f"{d['spread']:.2f}"]


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    if n >= 1024 * 1024:
        return f"{n:,} ({n / 1024 / 1024:.1f} MiB)"
    if n >= 1024:
        return f"{n:,} ({n / 1024:.0f} KiB)"
    return f"{n:,}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def report(data: dict) -> str:
    m = data["machine"]
    out = [
        "Machine",
        f"  nproc {m['nproc']} (cpu_count {m['cpu_count']}), {m['cpu_model']}, {m['mem_total_mib']} MiB RAM",
        f"  Python {m['python']}, {m['platform']}",
        f"  load average before {data['load_before']}  after {data['load_after']}",
        f"  command: {' '.join(data['cli'])}   peak RSS via: {data['rss_method']}",
        f"  runs per spec: {data['runs']} (+{data['warmup']} warm-up not counted), sites in {data['tmpdir']}",
        "",
    ]
    for name, r in data["specs"].items():
        s = r["summary"]
        out.append(f"{name.upper()}: {r['spec']} ({fmt_bytes(r['spec_bytes'])})")
        rows = [["validate (whole command)", *fmt_s(s["validate_seconds"])],
                ["build (whole command)", *fmt_s(s["build_seconds"])]]
        details = s.get("build_step_details", {})
        for step, d in s["build_steps_seconds"].items():
            detail = f"  [{details[step]}]" if details.get(step) else ""
            rows.append([f"  build step: {step}{detail}", *fmt_s(d)])
        rows.append(["  build: wall minus sum of steps", *fmt_s(s["build_unaccounted_seconds"])])
        out.append(table(rows, ["seconds", "median", "min", "max", "spread"]))
        if any("alongside" in d for d in details.values()) or (
                s["build_unaccounted_seconds"] and s["build_unaccounted_seconds"]["min"] < 0):
            out.append("  note: some steps overlap (run in parallel), so the steps do not add up to the "
                       "wall time and 'wall minus sum of steps' can be negative")
        rss_rows = []
        for label, key in (("validate", "validate_peak_rss_kib"), ("build", "build_peak_rss_kib")):
            d = s[key]
            if d:
                rss_rows.append([f"peak RSS {label}", f"{d['median'] / 1024:.0f}", f"{d['min'] / 1024:.0f}",
                                 f"{d['max'] / 1024:.0f}"])
        if rss_rows:
            out.append(table(rss_rows, ["MiB", "median", "min", "max"]))
            out.append("  (peak RSS of the largest single process; concurrent children are not summed)")
        site = s["site"]
        if site:
            out += [
                f"  site: {fmt_bytes(site['bytes'])} in {site['files']} files "
                f"(allocated on disk {fmt_bytes(site['allocated_bytes'])}), {site['html_pages']} HTML pages",
                f"  largest HTML page: {site['largest_html']} {fmt_bytes(site['largest_html_bytes'])}; "
                f"HTML pages over 1 MB (10^6 bytes): {site['html_over_1mb']}",
                f"  search/search_index.json: {fmt_bytes(site['search_index_json_bytes'])}"
                + (f"   (search_index.js: {fmt_bytes(site['search_index_js_bytes'])})"
                   if site["search_index_js_bytes"] is not None else ""),
            ]
        else:
            out.append("  site: no successful build to measure")
        for f in r["failures"]:
            out.append(f"  FAILED: {f}")
        out.append("")
    out.append("Spread (max - min) is this machine's noise: a difference between two "
               "medians smaller than the spread is not a real difference.")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time `emqx-apidocs validate` and `build` on the CE and EE specs.",
        epilog="Example: python3 bench/build_bench.py --runs 5 --json /tmp/build-bench.json")
    parser.add_argument("--ce", type=Path, default=DEFAULT_SPECS["ce"], metavar="FILE",
                        help=f"CE spec (default {DEFAULT_SPECS['ce']})")
    parser.add_argument("--ee", type=Path, default=DEFAULT_SPECS["ee"], metavar="FILE",
                        help=f"EE spec (default {DEFAULT_SPECS['ee']})")
    parser.add_argument("--only", choices=("ce", "ee"), help="benchmark only this spec")
    parser.add_argument("--runs", type=int, default=5, help="counted runs per spec (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted warm-up runs per spec (default 1)")
    parser.add_argument("--tmpdir", type=Path, help="where the temporary sites go (default: the system temp dir)")
    parser.add_argument("--rss", choices=("auto", "time", "rusage"), default="auto",
                        help="how peak RSS is measured (default: /usr/bin/time if present, else getrusage)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write all numbers (every run) as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-run progress lines on stderr")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")

    specs = {k: p.resolve() for k, p in (("ce", args.ce), ("ee", args.ee)) if args.only in (None, k)}
    for name, path in specs.items():
        if not path.is_file():
            parser.error(f"--{name} {path}: no such file")
    rss_method = args.rss
    if rss_method == "auto":
        rss_method = "time" if os.access(TIME_BIN, os.X_OK) else "rusage"

    cli = cli_command()
    data = {
        "machine": machine(),
        "load_before": loadavg(),
        "cli": cli,
        "rss_method": rss_method if rss_method == "rusage" else f"{TIME_BIN} -f %M",
        "runs": args.runs,
        "warmup": args.warmup,
        "tmpdir": str(args.tmpdir or tempfile.gettempdir()),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "specs": {},
    }
    for name, path in specs.items():
        data["specs"][name] = bench_spec(name, path, args, cli, rss_method)
    data["load_after"] = loadavg()

    print(report(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n")
        print(f"\nJSON written to {args.json}")
    return 1 if any(r["failures"] for r in data["specs"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
