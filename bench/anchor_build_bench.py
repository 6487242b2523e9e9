"""`emqx-apidocs build` against neoteroi-mkdocs, side by side, as a ratio.

Per round, alternating which goes first (so both see the same load):

* **ours**: the whole ``emqx-apidocs build --spec SPEC --site TMP`` command
  (start-up, validation, model, rendering, the mkdocs build, the swap-in);
* **neoteroi**: ``mkdocs build`` of a minimal project with one ``[OAD(SPEC)]`` page
  and the ``neoteroi.mkdocsoad`` plugin (see bench/anchors.py), into a fresh TMP.

Both are wall-clock times of a subprocess, each into a fresh temporary site. Reported:
median / min / max / spread of each, the ratio ours / neoteroi per round with its
median and range, the same in CPU seconds (user + sys of the command and its
children, from getrusage: less sensitive to other work on the machine than the
wall clock), our build's own steps (median, from what it prints) and the load
average. The target from issue 9 (ours at most 0.3x neoteroi) is printed beside the
ratio for reading; it is not a pass/fail. Exit 1 only when a build fails.

    python3 bench/anchor_build_bench.py --runs 5                 # EE 5.8.1
    python3 bench/anchor_build_bench.py --spec ../shared/specs/emqx-ce-5.8.1-en.json --runs 3 --json out.json
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anchors
from build_bench import cli_command, loadavg, machine, parse_steps

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO.parent / "shared" / "specs" / "emqx-ee-5.8.1-en.json"
SIDES = ("ours", "neoteroi")
TARGET = 0.3  # issue 9: ours at most 0.3x neoteroi's time


def stats(values: list[float]) -> dict:
    if not values:
        return {}
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "spread": max(values) - min(values), "runs": values}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (user + sys of the command and its children), the finished process."""
    cpu, started = children_cpu(), time.perf_counter()
    run = subprocess.run(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - started, children_cpu() - cpu, run


def failure(side: str, run: subprocess.CompletedProcess, spec: Path) -> str:
    tail = run.stderr.strip().splitlines()[-5:]
    return f"{side} failed on {spec.name} (exit {run.returncode}): " + " | ".join(tail)


def one_round(spec: Path, config: Path, tmp: Path, order: tuple[str, ...]) -> dict:
    """Both builds once, in *order*; seconds per side, our steps, and failures."""
    out: dict = {"order": list(order), "seconds": {}, "cpu": {}, "steps": {}, "failures": []}
    for side in order:
        site = Path(tempfile.mkdtemp(dir=tmp)) / "site"
        if side == "ours":
            seconds, cpu, run = timed([*cli_command(), "build", "--spec", str(spec), "--site", str(site)])
            out["steps"] = parse_steps(run.stderr)[0]
        else:
            seconds, cpu, run = timed(anchors.neoteroi_build_command(config, site), anchors.neoteroi_env())
            if run.returncode == 0 and not (site / "index.html").is_file():
                run.returncode, run.stderr = -1, run.stderr + "\nno index.html was written"
        if run.returncode != 0:
            out["failures"].append(failure(side, run, spec))
        else:
            out["seconds"][side], out["cpu"][side] = seconds, cpu
        out.setdefault("site_bytes", {})[side] = sum(
            f.stat().st_size for f in site.rglob("*") if f.is_file()) if site.is_dir() else 0
        shutil.rmtree(site.parent, ignore_errors=True)
    return out


def report(data: dict) -> str:
    m = data["machine"]
    lines = [
        f"spec: {data['spec']}; {data['runs']} rounds (+{data['warmup']} warm-up not counted), "
        "the two builds alternate within each round",
        f"machine: nproc {m['nproc']}, {m['cpu_model']}; load average before {data['load_before']} "
        f"after {data['load_after']}",
        "anchors: " + ", ".join(f"{k} {v}" for k, v in data["anchors"].items()),
        "",
        f"{'seconds (whole command)':<28}{'median':>8}{'min':>8}{'max':>8}{'spread':>8}",
    ]
    for side in SIDES:
        s = data["seconds"][side]
        if s:
            lines.append(f"{side:<28}{s['median']:>8.2f}{s['min']:>8.2f}{s['max']:>8.2f}{s['spread']:>8.2f}")
    for side in SIDES:
        s = data["cpu"][side]
        if s:
            lines.append(f"{side + ', CPU (user+sys)':<28}{s['median']:>8.2f}{s['min']:>8.2f}{s['max']:>8.2f}"
                         f"{s['spread']:>8.2f}")
    for step, s in data["our_steps"].items():
        lines.append(f"{'  ours, step ' + step:<28}{s['median']:>8.2f}{s['min']:>8.2f}{s['max']:>8.2f}"
                     f"{s['spread']:>8.2f}")
    r = data["ratio"]
    if r:
        verdict = "within" if r["median"] <= TARGET else f"{r['median'] / TARGET:.2f}x over"
        lines += ["", f"ours / neoteroi per round: median {r['median']:.3f}x (range {r['min']:.3f}x to "
                      f"{r['max']:.3f}x); target <= {TARGET}x: median {verdict}",
                  "  rounds: " + ", ".join(f"{x:.3f}" for x in r["runs"])]
        c = data["cpu_ratio"]
        lines.append(f"  same ratio in CPU seconds: median {c['median']:.3f}x (range {c['min']:.3f}x to "
                     f"{c['max']:.3f}x); CPU time depends less on what else runs on the machine")
    sizes = data.get("site_bytes") or {}
    if sizes:
        lines.append("site size: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
    lines.append("  (our steps overlap: validate runs in two forked children alongside the model and its pages)")
    lines += [f"FAILED: {f}" for f in data["failures"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the spec (default: EE 5.8.1)")
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--json", type=Path, help="also write every number as JSON")
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        parser.error(f"{args.spec}: no such spec")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    installed = anchors.install(log=lambda msg: print(msg, file=sys.stderr))
    data: dict = {"spec": args.spec.name, "runs": args.runs, "warmup": args.warmup, "machine": machine(),
                  "anchors": {k: v for k, v in installed.items() if k != "@redocly/cli"},
                  "load_before": loadavg(), "rounds": [], "failures": []}
    with tempfile.TemporaryDirectory(prefix="anchor-build-bench-") as tmp:
        config = anchors.neoteroi_project(Path(tmp) / "neoteroi", args.spec)
        for i in range(args.warmup + args.runs):
            counted = i >= args.warmup
            r = one_round(args.spec, config, Path(tmp), SIDES if i % 2 == 0 else SIDES[::-1])
            label = f"round {i - args.warmup + 1}" if counted else "warm-up"
            print(f"{label}: " + ", ".join(f"{s} {r['seconds'][s]:.2f} s" for s in r["order"] if s in r["seconds"])
                  + f"  (load {loadavg()[0]})", file=sys.stderr, flush=True)
            data["failures"] += r["failures"]
            if counted:
                data["rounds"].append(r)
            data["site_bytes"] = r.get("site_bytes")
    data["load_after"] = loadavg()
    rounds = [r for r in data["rounds"] if len(r["seconds"]) == 2]
    data["seconds"] = {side: stats([r["seconds"][side] for r in data["rounds"] if side in r["seconds"]])
                       for side in SIDES}
    data["cpu"] = {side: stats([r["cpu"][side] for r in data["rounds"] if side in r["cpu"]]) for side in SIDES}
    data["ratio"] = stats([r["seconds"]["ours"] / r["seconds"]["neoteroi"] for r in rounds])
    data["cpu_ratio"] = stats([r["cpu"]["ours"] / r["cpu"]["neoteroi"] for r in rounds])
    step_names = [s for s in data["rounds"][0]["steps"]] if data["rounds"] else []
    data["our_steps"] = {s: stats([r["steps"][s] for r in rounds if s in r["steps"]]) for s in step_names}
    data["our_steps"] = {k: v for k, v in data["our_steps"].items() if v}
    print(report(data))
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 1 if data["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
