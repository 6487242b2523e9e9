"""The whole pipeline: load -> validate -> model -> render -> MkDocs -> swap."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import guides
from .builder import attach_problems, build_model
from .enrich import enrich
from .knowledge import load_knowledge
from .load import DEFAULT_MAX_BYTES, LoadedSpec, load_spec, node_error_codes
from .model import Api
from .problems import Problem
from .render import environment, render_pages
from .sanitize import theme_text
from .site import (
    SiteResult, check_site_target, mkdocs_build, site_lock, staging, swap_in, write_docs, write_operations_json,
)
from .validate import validate

PROJECT = Path(__file__).resolve().parent.parent


class Reporter:
    """Where the pipeline says what it is doing; the CLI decides how it is shown."""

    def step(self, name: str, detail: str, seconds: float) -> None: ...
    def note(self, text: str) -> None: ...
    def progress(self, name: str, total: int) -> Callable[[], None]:
        return lambda: None
    def done_progress(self) -> None: ...
    def wait(self, name: str, future: concurrent.futures.Future) -> None:
        """Block until `future` is done (a console shows that time passes)."""
        concurrent.futures.wait([future])


@dataclass
class Options:
    spec: str | None = None
    site: Path = Path("site")
    base_url: str | None = None
    user: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    knowledge: Path | None = None
    project: Path = PROJECT
    reporter: Reporter = field(default_factory=Reporter)


def load(options: Options) -> LoadedSpec:
    started = time.perf_counter()
    spec = load_spec(options.spec, user=options.user, max_bytes=options.max_bytes)
    options.reporter.step("load", f"{spec.label} ({spec.size / 1024:.0f} KiB)", time.perf_counter() - started)
    return spec


def check(options: Options, spec: LoadedSpec) -> list[Problem]:
    """The validator's problems (the one validation gate)."""
    started = time.perf_counter()
    problems = validate(spec.document)
    options.reporter.step("validate", f"{len(problems)} problems", time.perf_counter() - started)
    return problems


def model(options: Options, spec: LoadedSpec, problems: Callable[[], list[Problem]]) -> Api:
    """The model; `problems` is called once the model is built, to link them in."""
    started = time.perf_counter()
    knowledge = load_knowledge(options.knowledge)
    api = build_model(spec.document, knowledge=knowledge, base_url=options.base_url, source=spec.label)
    node_codes = node_error_codes(spec.url, api.base_path) if spec.url else {}
    if spec.url:
        options.reporter.note(f"{len(node_codes)} error-code descriptions from the node")
    api = enrich(api, knowledge, node_codes)
    options.reporter.step(
        "model", f"{len(api.operations)} operations, {len(api.tags)} tags, {len(api.components)} schemas, "
        f"{len(api.error_codes)} error codes", time.perf_counter() - started,
    )
    return attach_problems(api, problems())


_FORKED_DOCUMENT: dict | None = None


def _validate_forked() -> list[Problem]:
    return validate(_FORKED_DOCUMENT or {})


@contextlib.contextmanager
def validating(options: Options, spec: LoadedSpec) -> Iterator[Callable[[], list[Problem]]]:
    """Validate in a forked child while the caller builds the model on the other core."""
    try:
        pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    except (ValueError, OSError):  # no fork here: validate in line
        yield lambda: check(options, spec)
        return
    started = time.perf_counter()
    global _FORKED_DOCUMENT
    _FORKED_DOCUMENT = spec.document  # the child inherits it: nothing is pickled
    future = pool.submit(_validate_forked)

    def result() -> list[Problem]:
        options.reporter.wait("validate", future)
        try:
            problems = future.result()
        except concurrent.futures.process.BrokenProcessPool:
            return check(options, spec)
        options.reporter.step("validate", f"{len(problems)} problems (alongside the model)", time.perf_counter() - started)
        return problems

    try:
        yield result
    finally:
        pool.shutdown(wait=future.done(), cancel_futures=True)


def build_site(options: Options, api: Api) -> SiteResult:
    rep = options.reporter
    site = options.site.absolute()  # MkDocs resolves relative folders against its config file
    check_site_target(site, options.project)
    started = time.perf_counter()
    rendered = render_pages(api, environment(), load_knowledge(options.knowledge))
    rep.step("render", f"{len(rendered.pages)} pages", time.perf_counter() - started)
    with site_lock(site, on_wait=lambda: rep.note(f"waiting for another build into {site} to finish")):
        with staging(site) as stage:
            docs = write_docs(stage, options.project / "docs", rendered.pages)
            started = time.perf_counter()
            tick = rep.progress("mkdocs", sum(1 for _ in docs.rglob("*.md")))
            try:
                built, warnings = mkdocs_build(
                    options.project / "mkdocs.yml", docs, stage / "site",
                    site_name=theme_text(api.title), nav=_nav(api, docs), slots=rendered.slots, progress=tick,
                )
            finally:
                rep.done_progress()
            rep.step("mkdocs", f"{built} pages", time.perf_counter() - started)
            write_operations_json(stage / "site", api)
            swap_in(stage / "site", site)
    return SiteResult(site=site, pages=built, mkdocs_warnings=warnings)


def _nav(api: Api, docs: Path) -> list:
    reference = [{theme_text(tag.name): tag.page} for tag in api.tags]
    guide_pages = [{guides.TITLES[name]: f"guides/{name}.md"} for name in guides.GUIDES]
    nav: list = [
        {"Overview": "index.md"}, {"Guides": guide_pages}, {"Reference": reference},
        {"Spec health": "reference/spec-health.md"},
    ]
    generated = {"index.md", "reference", "guides"}
    for page in sorted(docs.glob("*.md")):
        if page.name not in generated:
            nav.append(page.name)
    return nav
