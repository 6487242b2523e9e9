"""The Chinese site against the English one, built from the same spec in one run.

Runs `emqx-apidocs build --lang en` and `--lang zh` on one spec (default: CE 5.8.1 zh
from ../shared/specs, whose language is Chinese, so the zh build is the one a reader
gets and the en one differs only in its words), alternating the two in every round so
that both see the same machine load, each into a fresh temporary site. Reports, per
language, the median, min, max and spread of the whole command (wall clock, and CPU
time with its children's), and of the steps the build prints (`render`, `mkdocs`), and
the ratios zh / en per round with their median and range. The zh build's extra work is jieba: Material's search cuts the Chinese text into
words, with the small dictionary the build makes from the site's pages (segment.py).
Numbers are printed, not judged. Nothing is sent anywhere.

    python3 bench/lang_bench.py --runs 7
    python3 bench/lang_bench.py --spec ../shared/specs/emqx-ce-5.8.1-en.json --json out.json
    python3 bench/lang_bench.py --en-spec ../shared/specs/emqx-ce-5.8.1-en.json   # each language its own spec
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO.parent / "shared" / "specs" / "emqx-ce-5.8.1-zh.json"
LANGUAGES = ("en", "zh")
STEP = re.compile(r"^\s*(render|mkdocs)\s{2}.*\((\d+(?:\.\d+)?) s\)\s*$", re.M)


def command() -> list[str]:
    """This checkout's generator (PYTHONPATH below), whatever `emqx-apidocs` is on PATH."""
    return [sys.executable, "-m", "generator"]


def one_build(language: str, spec: Path, tmp: Path) -> tuple[float, float, dict[str, float]]:
    """(wall seconds of the whole command, its CPU seconds with its children's, seconds of
    each step it printed). CPU time shows less of what other processes on a shared machine
    do to the wall clock."""
    site = Path(tempfile.mkdtemp(dir=tmp)) / "site"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run([*command(), "build", "--lang", language, "--spec", str(spec), "--site", str(site)],
                         capture_output=True, text=True, cwd=tmp, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if run.returncode != 0:
        raise SystemExit(f"{language} build failed: {run.stderr.strip().splitlines()[-1:]}")
    steps = {name: float(seconds) for name, seconds in STEP.findall(run.stderr)}
    shutil.rmtree(site.parent, ignore_errors=True)
    return wall, cpu, steps


def stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "spread": max(values) - min(values), "runs": values}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the spec (default: CE 5.8.1 zh)")
    parser.add_argument("--en-spec", type=Path,
                        help="build the en site from this spec instead (the zh one from --spec): CE en against CE zh")
    parser.add_argument("--runs", type=int, default=5, help="counted rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--json", type=Path, help="also write every number as JSON")
    args = parser.parse_args()
    specs = {"en": args.en_spec or args.spec, "zh": args.spec}
    for spec in specs.values():
        if not spec.is_file():
            raise SystemExit(f"{spec}: no such spec")
    walls: dict[str, list[float]] = {lang: [] for lang in LANGUAGES}
    cpus: dict[str, list[float]] = {lang: [] for lang in LANGUAGES}
    steps: dict[str, dict[str, list[float]]] = {lang: {"render": [], "mkdocs": []} for lang in LANGUAGES}
    load_before = list(os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="lang-bench-") as tmp:
        for round_ in range(args.warmup + args.runs):
            order = LANGUAGES if round_ % 2 == 0 else LANGUAGES[::-1]
            for language in order:
                wall, cpu, step = one_build(language, specs[language], Path(tmp))
                if round_ >= args.warmup:
                    walls[language].append(wall)
                    cpus[language].append(cpu)
                    for name in steps[language]:
                        steps[language][name].append(step.get(name, float("nan")))
            print(f"round {round_ + 1}: " + ", ".join(
                f"{lang} {walls[lang][-1]:.2f} s" for lang in LANGUAGES if walls[lang]), file=sys.stderr)
    ratio = [z / e for z, e in zip(walls["zh"], walls["en"])]
    ratio_cpu = [z / e for z, e in zip(cpus["zh"], cpus["en"])]
    data = {
        "spec": {lang: str(path) for lang, path in specs.items()}, "runs": args.runs, "nproc": os.cpu_count(),
        "loadavg_before": load_before, "loadavg_end": list(os.getloadavg()),
        "wall": {lang: stats(walls[lang]) for lang in LANGUAGES},
        "cpu": {lang: stats(cpus[lang]) for lang in LANGUAGES},
        "steps": {lang: {name: stats(values) for name, values in steps[lang].items()} for lang in LANGUAGES},
        "ratio_zh_en": stats(ratio),
        "ratio_cpu_zh_en": stats(ratio_cpu),
    }
    named = args.spec.name if specs["en"] == specs["zh"] else f"en {specs['en'].name}, zh {specs['zh'].name}"
    print(f"spec: {named}, {args.runs} rounds (languages alternate within each round)")
    print(f"load average before {load_before[0]:.2f}, after {data['loadavg_end'][0]:.2f}")
    print(f"{'':<22}{'median':>8}{'min':>8}{'max':>8}{'spread':>8}")
    for language in LANGUAGES:
        rows = [("whole build", data["wall"][language]), ("CPU time", data["cpu"][language])]
        rows += [(f"{name} step", data["steps"][language][name]) for name in ("render", "mkdocs")]
        for label, s in rows:
            print(f"{label + ' ' + language:<22}{s['median']:>8.2f}{s['min']:>8.2f}{s['max']:>8.2f}{s['spread']:>8.2f}")
    for label, key in (("zh/en, whole build", "ratio_zh_en"), ("zh/en, CPU time", "ratio_cpu_zh_en")):
        s = data[key]
        print(f"{label}: median {s['median']:.2f}x (range {s['min']:.2f}x to {s['max']:.2f}x)")
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
