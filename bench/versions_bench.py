"""Time a build of three EE versions against a build of one, in the same run.

What is built:

* one version: ``emqx-apidocs build --spec EE-5.8.1 --site TMP`` (today's single site);
* three versions: ``emqx-apidocs build --spec 5.8.0=EE-5.8.0 --spec 5.8.1=EE-5.8.1
  --spec 5.8.1-again=EE-5.8.1 --site TMP``. EE 5.8.0 and 5.8.1 are the only Enterprise
  specs there are, so the third version is the 5.8.1 spec again under another label
  (``5.8.1-again`` sorts before ``5.8.1``, as a pre-release of it would). The build
  recognises a spec it was given twice (same bytes) and models and validates it once,
  so the third version costs its pages, its engine run and its share of the joining
  pass, but no second model or validation: with three distinct specs it would cost
  more. ``--spec LABEL=PATH`` (repeated) measures any other set, e.g. three CE specs.

Each round runs both commands as subprocesses, each into a fresh temporary site,
alternating which goes first (so both see the same load); ``--warmup`` rounds
(default 1) are not counted. The time is the wall clock of the whole command
(start-up, loading, validation, models, comparisons, pages, engine runs, the joining
pass and the swap-in), and its CPU time (user + sys of the command and its children).

Reported: per side the median, min, max and spread (max - min) in seconds; the ratio
three / one of each round, its median and range; and whether the median ratio is
within the 2.2x target (for reading, not a pass/fail). On a shared machine compare
ratios, not seconds, and look at the load average printed before and after.

    .venv/bin/python bench/versions_bench.py --runs 5
    .venv/bin/python bench/versions_bench.py --runs 3 --json /tmp/versions.json
    .venv/bin/python bench/versions_bench.py --single ../shared/specs/emqx-ce-5.8.1-en.json \\
        --spec 5.6.0=../shared/specs/emqx-ce-5.6.0-en.json --spec 5.8.0=../shared/specs/emqx-ce-5.8.0-en.json \\
        --spec 5.8.1=../shared/specs/emqx-ce-5.8.1-en.json

Run it with the Python that has emqx-apidocs' dependencies (a checkout's .venv/bin/python).
Exit status: 0 when every build succeeded, 1 at the first that failed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO.parent / "shared" / "specs"
EE_580, EE_581 = SPECS / "emqx-ee-5.8.0-en.json", SPECS / "emqx-ee-5.8.1-en.json"
DEFAULT_VERSIONS = [f"5.8.0={EE_580}", f"5.8.1={EE_581}", f"5.8.1-again={EE_581}"]
TARGET = 2.2


def cli() -> list[str]:
    """The command that runs emqx-apidocs from this checkout."""
    return [sys.executable, "-m", "generator"]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU seconds of `command` (its children's rusage, read around it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result


def stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "spread": max(values) - min(values)}


def line(name: str, s: dict[str, float], unit: str = "s") -> str:
    return (f"  {name:<26} median {s['median']:7.2f} {unit}   min {s['min']:7.2f}   max {s['max']:7.2f}"
            f"   spread {s['spread']:6.2f}")


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A build of several versions against a build of one.")
    parser.add_argument("--single", type=Path, default=EE_581, metavar="FILE",
                        help=f"the one-version build's spec (default {EE_581})")
    parser.add_argument("--spec", action="append", metavar="LABEL=FILE",
                        help="a version of the several-version build, repeated (default: EE 5.8.0, 5.8.1, "
                        "and 5.8.1 again as 5.8.1-again)")
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--tmpdir", type=Path, help="where the temporary sites go (default: the system's)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every round's numbers as JSON")
    args = parser.parse_args(argv)
    versions = args.spec or DEFAULT_VERSIONS
    for item in [str(args.single), *(v.split("=", 1)[-1] for v in versions)]:
        if not Path(item).is_file():
            parser.error(f"{item}: no such file")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")

    env = {k: v for k, v in os.environ.items() if k not in ("EMQX_API_KEY", "EMQX_SECRET_KEY")}
    env["PYTHONPATH"] = str(REPO)
    commands = {
        "one": lambda site: [*cli(), "build", "-q", "--spec", str(args.single), "--site", str(site)],
        "several": lambda site: [*cli(), "build", "-q", *(x for v in versions for x in ("--spec", v)),
                                 "--site", str(site)],
    }
    print(f"one version:      {args.single}")
    print(f"several versions: {', '.join(versions)}")
    print(f"machine: {os.cpu_count()} CPUs; load average before: {loadavg()}")
    rounds: list[dict] = []
    for number in range(args.warmup + args.runs):
        order = ["one", "several"] if number % 2 == 0 else ["several", "one"]
        measured: dict[str, dict] = {}
        for side in order:
            folder = Path(tempfile.mkdtemp(prefix="versions-bench-", dir=args.tmpdir))
            try:
                wall, cpu, result = timed(commands[side](folder / "site"), env)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            if result.returncode != 0:
                print(f"{side} failed (exit {result.returncode}): {result.stderr.strip()[-800:]}", file=sys.stderr)
                return 1
            measured[side] = {"wall": wall, "cpu": cpu}
        counted = number >= args.warmup
        ratio = measured["several"]["wall"] / measured["one"]["wall"]
        print(f"  round {number + 1}{'' if counted else ' (warm-up)'}: one {measured['one']['wall']:.2f} s, "
              f"several {measured['several']['wall']:.2f} s, ratio {ratio:.2f}", file=sys.stderr, flush=True)
        if counted:
            rounds.append({**measured, "ratio": ratio, "cpu_ratio": measured["several"]["cpu"] / measured["one"]["cpu"]})

    one, several = ([r[side]["wall"] for r in rounds] for side in ("one", "several"))
    ratios = [r["ratio"] for r in rounds]
    cpu_ratios = [r["cpu_ratio"] for r in rounds]
    summary = {
        "one": stats(one), "several": stats(several), "ratio": stats(ratios), "cpu_ratio": stats(cpu_ratios),
        "one_cpu": stats([r["one"]["cpu"] for r in rounds]), "several_cpu": stats([r["several"]["cpu"] for r in rounds]),
    }
    print(f"\n{args.runs} rounds (+{args.warmup} warm-up), wall clock of the whole command:")
    print(line("one version", summary["one"]))
    print(line(f"{len(versions)} versions", summary["several"]))
    print("CPU seconds (user+sys):")
    print(line("one version", summary["one_cpu"]))
    print(line(f"{len(versions)} versions", summary["several_cpu"]))
    print(f"ratio {len(versions)} versions / one, per round:")
    print(line("wall", summary["ratio"], "x"))
    print(line("CPU", summary["cpu_ratio"], "x"))
    median = summary["ratio"]["median"]
    verdict = "within" if median <= TARGET else f"over by {median - TARGET:.2f}x"
    print(f"median wall ratio {median:.2f}x: {verdict} the {TARGET}x target")
    print(f"load average after: {loadavg()}")
    if args.json:
        args.json.write_text(json.dumps({"versions": versions, "single": str(args.single), "rounds": rounds,
                                         "summary": summary}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
