"""MkDocs against Zensical as the engine of `emqx-apidocs build`, side by side.

Runs `emqx-apidocs build --engine mkdocs` and `--engine zensical` on one spec
(default: EE 5.8.1 from ../shared/specs), alternating the two in every round so that
both see the same machine load, each into a fresh temporary site. Reports, per engine,
the median, min, max and spread of the whole command and of the engine's own step (as
the build prints it), and the ratio zensical / mkdocs per round with its median and
range. Numbers are printed, not judged. Nothing is sent anywhere.

    python3 bench/engine_bench.py --runs 7
    python3 bench/engine_bench.py --spec ../shared/specs/emqx-ce-5.8.1-en.json --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO.parent / "shared" / "specs" / "emqx-ee-5.8.1-en.json"
ENGINES = ("mkdocs", "zensical")
STEP = re.compile(r"^\s*(mkdocs|zensical)\s{2}.*\((\d+(?:\.\d+)?) s\)\s*$", re.M)


def command() -> list[str]:
    found = shutil.which("emqx-apidocs")
    return [found] if found else [sys.executable, "-m", "generator"]


def one_build(engine: str, spec: Path, tmp: Path) -> tuple[float, float]:
    """(wall seconds of the whole command, seconds of the engine step)."""
    site = Path(tempfile.mkdtemp(dir=tmp)) / "site"
    started = time.perf_counter()
    run = subprocess.run([*command(), "build", "--engine", engine, "--spec", str(spec), "--site", str(site)],
                         capture_output=True, text=True, cwd=tmp)
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"{engine} build failed: {run.stderr.strip().splitlines()[-1:]}")
    step = STEP.search(run.stderr)
    shutil.rmtree(site.parent, ignore_errors=True)
    return wall, float(step.group(2)) if step else float("nan")


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "spread": max(values) - min(values), "runs": values}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the spec (default: EE 5.8.1)")
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--json", type=Path, help="also write every number as JSON")
    args = parser.parse_args()
    if not args.spec.is_file():
        raise SystemExit(f"{args.spec}: no such spec")
    walls: dict[str, list[float]] = {e: [] for e in ENGINES}
    steps: dict[str, list[float]] = {e: [] for e in ENGINES}
    with tempfile.TemporaryDirectory(prefix="engine-bench-") as tmp:
        for round_ in range(args.warmup + args.runs):
            order = ENGINES if round_ % 2 == 0 else ENGINES[::-1]
            for engine in order:
                wall, step = one_build(engine, args.spec, Path(tmp))
                if round_ >= args.warmup:
                    walls[engine].append(wall)
                    steps[engine].append(step)
            print(f"round {round_ + 1}: " + ", ".join(
                f"{e} {walls[e][-1]:.2f} s (engine {steps[e][-1]:.2f} s)" for e in ENGINES if walls[e]),
                file=sys.stderr)
    ratio_wall = [z / m for z, m in zip(walls["zensical"], walls["mkdocs"])]
    ratio_step = [z / m for z, m in zip(steps["zensical"], steps["mkdocs"])]
    data = {
        "spec": str(args.spec), "runs": args.runs, "loadavg_end": list(os.getloadavg()),
        "wall": {e: stats(walls[e]) for e in ENGINES}, "engine_step": {e: stats(steps[e]) for e in ENGINES},
        "ratio_wall": stats(ratio_wall), "ratio_engine_step": stats(ratio_step),
    }
    print(f"spec: {args.spec.name}, {args.runs} rounds (engines alternate within each round)")
    print(f"{'':<22}{'median':>8}{'min':>8}{'max':>8}{'spread':>8}")
    for label, table in (("whole build", "wall"), ("engine step", "engine_step")):
        for engine in ENGINES:
            s = data[table][engine]
            print(f"{label + ' ' + engine:<22}{s['median']:>8.2f}{s['min']:>8.2f}{s['max']:>8.2f}{s['spread']:>8.2f}")
    for label, key in (("zensical/mkdocs, whole build", "ratio_wall"), ("zensical/mkdocs, engine step", "ratio_engine_step")):
        s = data[key]
        print(f"{label}: median {s['median']:.2f}x (range {s['min']:.2f}x to {s['max']:.2f}x)")
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
