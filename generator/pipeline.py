"""The whole pipeline: load -> validate -> model -> render -> MkDocs -> swap."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .builder import build_api
from .knowledge import load_knowledge
from .load import DEFAULT_MAX_BYTES, LoadedSpec, load_spec
from .model import Api
from .problems import Problem
from .render import environment, render_pages
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


@dataclass(frozen=True)
class Checked:
    spec: LoadedSpec
    problems: list[Problem]
    raw_error_count: int


def check(options: Options) -> Checked:
    """Load and validate: the part `validate` and `build` share."""
    rep = options.reporter
    started = time.perf_counter()
    spec = load_spec(options.spec, user=options.user, max_bytes=options.max_bytes)
    rep.step("load", f"{spec.label} ({spec.size / 1024:.0f} KiB)", time.perf_counter() - started)
    started = time.perf_counter()
    problems = validate(spec.document)
    rep.step("validate", f"{len(problems)} problems", time.perf_counter() - started)
    return Checked(spec, problems, len(problems))


def model(options: Options, checked: Checked) -> Api:
    started = time.perf_counter()
    api = build_api(
        checked.spec.document,
        knowledge=load_knowledge(options.knowledge),
        problems=checked.problems,
        raw_error_count=checked.raw_error_count,
        base_url=options.base_url,
        source=checked.spec.label,
    )
    options.reporter.step(
        "model", f"{len(api.operations)} operations, {len(api.tags)} tags, {len(api.components)} schemas",
        time.perf_counter() - started,
    )
    return api


def build_site(options: Options, api: Api) -> SiteResult:
    rep = options.reporter
    site = options.site
    check_site_target(site, options.project)
    started = time.perf_counter()
    pages = render_pages(api, environment())
    rep.step("render", f"{len(pages)} pages", time.perf_counter() - started)
    with site_lock(site, on_wait=lambda: rep.note(f"waiting for another build into {site} to finish")):
        with staging(site) as stage:
            docs = write_docs(stage, options.project / "docs", pages)
            started = time.perf_counter()
            tick = rep.progress("mkdocs", sum(1 for _ in docs.rglob("*.md")))
            try:
                built, warnings = mkdocs_build(
                    options.project / "mkdocs.yml", docs, stage / "site",
                    site_name=api.title, nav=_nav(api, docs), progress=tick,
                )
            finally:
                rep.done_progress()
            rep.step("mkdocs", f"{built} pages", time.perf_counter() - started)
            write_operations_json(stage / "site", api)
            swap_in(stage / "site", site)
    return SiteResult(site=site, pages=built, mkdocs_warnings=warnings)


def _nav(api: Api, docs: Path) -> list:
    reference = [{tag.name: tag.page} for tag in api.tags]
    nav: list = [{"Overview": "index.md"}, {"Reference": reference}, {"Spec health": "reference/spec-health.md"}]
    generated = {"index.md", "reference"}
    for page in sorted(docs.glob("*.md")):
        if page.name not in generated:
            nav.append(page.name)
    return nav
