"""What the Markdown twins cost: time to make them, and the bytes they add.

For each spec (CE 5.8.1 and EE 5.8.1 by default), in this one process, after the model
is built and enriched once:

* the CPU time (time.process_time) and wall time of making every operation's Markdown
  (twins.OperationWriter), the tag twins with their Schemas, the guides', overview's
  and spec health's twins, llms.txt and llms-full.txt; the median of ``--runs`` runs.
  A build makes the same Markdown inside its render step, half of it in the forked
  child that renders the later tag pages, so its wall time grows by less than this;
* the CPU time of rendering the pages (render.render_pages, which includes the
  operations' Markdown, the tag twins and their copy scripts) for comparison;
* bytes: llms-full.txt, the largest twin, the largest "Copy as Markdown" text, and the
  tag pages' copy scripts (reference/*.copy.js, loaded by the button on first use; the
  HTML carries only the button).

Nothing is written to disk and nothing leaves the machine::

    python3 bench/twins_bench.py
    python3 bench/twins_bench.py --runs 5 --only ee
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import sanitize, twins  # noqa: E402
from generator.builder import build_api  # noqa: E402
from generator.enrich import enrich  # noqa: E402
from generator.knowledge import load_knowledge  # noqa: E402
from generator.load import load_spec  # noqa: E402
from generator.render import environment, example_counts, render_pages  # noqa: E402
from generator.validate import group  # noqa: E402

SPECS = REPO.parent / "shared" / "specs"
DEFAULT_SPECS = {"ce": SPECS / "emqx-ce-5.8.1-en.json", "ee": SPECS / "emqx-ee-5.8.1-en.json"}


def timed(work) -> tuple[float, float, object]:  # noqa: ANN001
    """CPU and wall time of `work()`, starting as a build does: with sanitize's caches empty."""
    sanitize._md_inline.cache_clear()
    sanitize._md_code.cache_clear()
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def markdown_only(api, knowledge) -> dict[str, str]:  # noqa: ANN001
    """Every Markdown file of the site, and the copy scripts, made without the HTML pages."""
    env = environment().markdown_env
    writer = twins.OperationWriter(api, knowledge, env)
    pages, schemas = twins.guide_twins(env, api, knowledge), {}
    for tag in api.tags:
        made = twins.tag_markdown(writer, tag, [writer(op) for op in tag.operations])
        pages[tag.page], schemas[tag.page] = made.operations, made.schemas
        twins.copy_script(writer.L, tag, made)  # written beside the page by a build
    pages["index.md"] = twins.overview_twin(env, api, knowledge)
    pages["reference/spec-health.md"] = twins.health_twin(env, api, list(group(api.problems)), example_counts(api))
    return twins.site_files(env, api, pages, schemas)


def bench(name: str, spec: Path, runs: int) -> None:
    knowledge = load_knowledge()
    api = enrich(build_api(load_spec(str(spec)).document, knowledge=knowledge), knowledge)
    markdown = [timed(lambda: markdown_only(api, knowledge)) for _ in range(runs)]
    pages = [timed(lambda: render_pages(api, environment(), knowledge)) for _ in range(runs)]
    files = markdown[-1][2]
    env = environment().markdown_env
    writer = twins.OperationWriter(api, knowledge, env)
    made = {id(op): writer(op) for op in api.operations}
    copies = sorted((len(writer.copied(made[id(op)]).encode()), f"{op.method} {op.path}") for op in api.operations)
    carried = 0
    for tag in api.tags:
        twin = twins.tag_markdown(writer, tag, [made[id(op)] for op in tag.operations])
        carried += len(twins.copy_script(writer.L, tag, twin).encode())
    biggest = max((len(text.encode()), rel) for rel, text in files.items() if rel.endswith(".md"))
    full = len(files[twins.LLMS_FULL].encode())

    def median(values: list[tuple], i: int) -> float:
        return statistics.median(v[i] for v in values)

    print(f"{name} ({spec.name}): {len(api.operations)} operations, {len(api.tags)} tags")
    print(f"  Markdown files alone   cpu {median(markdown, 0):6.2f} s   wall {median(markdown, 1):6.2f} s   ({runs} runs, median)")
    print(f"  pages with their twins cpu {median(pages, 0):6.2f} s   wall {median(pages, 1):6.2f} s   (render_pages, one process)")
    print(f"  llms-full.txt          {full:>12,} bytes")
    print(f"  largest twin           {biggest[0]:>12,} bytes  {biggest[1]}")
    print(f"  largest copy           {copies[-1][0]:>12,} bytes  {copies[-1][1]}")
    print(f"  copy scripts           {carried:>12,} bytes  (reference/*.copy.js, loaded on first use)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=sorted(DEFAULT_SPECS))
    parser.add_argument("--ce", type=Path, default=DEFAULT_SPECS["ce"])
    parser.add_argument("--ee", type=Path, default=DEFAULT_SPECS["ee"])
    args = parser.parse_args()
    specs = {"ce": args.ce, "ee": args.ee}
    for name in [args.only] if args.only else sorted(specs):
        bench(name, specs[name], args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
