"""The whole pipeline: project -> load -> validate -> model -> render -> engine -> swap.

`build` reads as the whole build; `generate` is the same up to the pages, which it
writes into a team's docs folder instead of building a site; `compared` loads and
models two specs and compares them (`diff`).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import guides, twins
from .builder import attach_problems, build_model
from .diff import Comparison, compare
from .enrich import enrich
from .knowledge import Knowledge, load_knowledge
from .load import DEFAULT_MAX_BYTES, LoadedSpec, load_spec, node_error_codes
from .model import Api
from .problems import Problem, errors
from .render import Draft, TagPage, draft_pages, environment, load_labels, rendering_weight, tag_pages
from .sanitize import theme_text
from .engines import engine_limits, run_engine
from .forks import ChildFailed, Forked
from .postbuild import finish_site
from .project import (
    Project, assets_for, dump_config, load_project, nav_with_reference, needed_settings, site_config,
)
from .render import Rendered
from .resources import TEMPLATES
from .site import (
    SECTION_MARKER, SiteResult, check_section_target, check_site_target, site_lock, staging, swap_in, write_docs,
    write_markdown, write_operations_json, write_section,
)
from .validate import PARTS, validate
from .words import counted


class Reporter:
    """Where the pipeline says what it is doing; the CLI decides how it is shown."""

    def step(self, name: str, detail: str, seconds: float) -> None: ...
    def note(self, text: str) -> None: ...
    def progress(self, name: str, total: int) -> Callable[[], None]:
        return lambda: None
    def done_progress(self) -> None: ...
    def wait(self, name: str, ready: Callable[[float | None], bool]) -> None:
        """Block until `ready(timeout)` says the work is done (a console shows that time
        passes); `ready` waits up to `timeout` seconds."""
        ready(None)


@dataclass
class Options:
    """What the command line says; anything left None comes from the project's settings."""

    spec: str | None = None
    site: Path | None = None
    base_url: str | None = None
    user: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    knowledge: Path | None = None
    config: Path | None = None  # the team's mkdocs.yml; None: the bundled project
    engine: str = "mkdocs"
    reporter: Reporter = field(default_factory=Reporter)


@dataclass(frozen=True)
class Built:
    project: Project
    spec: LoadedSpec
    api: Api
    site: SiteResult | None  # None when --strict refused to build: the spec has errors


def build(options: Options, strict: bool = False) -> Built:
    """The whole build: project, spec, validation beside the model and the pages, the
    node's error codes, enrichment, then the site. With `strict`, nothing is built when
    the spec has errors (the same rule as `validate`)."""
    project = load_project(options.config)
    options = with_project(options, project)
    spec = load(options)
    api, rendered = checked_pages(options, spec)
    if strict and errors(api.problems):
        return Built(project, spec, api, None)
    return Built(project, spec, api, build_site(options, project, api, rendered))


def checked_model(options: Options, spec: LoadedSpec) -> Api:
    """The enriched model with every problem linked in: the validator's (found in forked
    children meanwhile) and the model's own."""
    with validating(options, spec) as validator_problems:
        api = enriched_model(options, spec)
        return attach_problems(api, validator_problems())


def checked_pages(options: Options, spec: LoadedSpec) -> tuple[Api, Rendered]:
    """`checked_model`, and its pages: most of them are made while the validator runs."""
    with validating(options, spec) as validator_problems:
        api = enriched_model(options, spec)
        draft = render(options, api)
        api = attach_problems(api, validator_problems())
    return api, draft.finished(api)


def enriched_model(options: Options, spec: LoadedSpec) -> Api:
    knowledge = load_knowledge(options.knowledge)
    api = model(options, spec, knowledge)
    return enrich(api, knowledge, node_codes(options, spec, api))


def compared(options: Options, old: str, new: str) -> Comparison:
    """What changed from the spec `old` to the spec `new` (files or URLs): both enriched
    models, compared. A diff needs no validation; each spec is loaded and modelled once."""
    knowledge = load_knowledge(options.knowledge)
    apis = [enrich(model(options, load(replace(options, spec=source)), knowledge), knowledge) for source in (old, new)]
    return compare(*apis)


def with_project(options: Options, project: Project) -> Options:
    """`options` with what the command line left open taken from the project's settings."""
    return replace(
        options,
        spec=options.spec or project.spec,
        base_url=options.base_url or project.base_url,
        site=options.site or project.site_dir,
    )


def load(options: Options) -> LoadedSpec:
    started = time.perf_counter()
    spec = load_spec(options.spec, user=options.user, max_bytes=options.max_bytes)
    options.reporter.step("load", f"{spec.label} ({spec.size / 1024:.0f} KiB)", time.perf_counter() - started)
    return spec


def check(options: Options, spec: LoadedSpec) -> list[Problem]:
    """The validator's problems (the one validation gate)."""
    started = time.perf_counter()
    problems = validate(spec.document)
    options.reporter.step("validate", counted(len(problems), "problem", "problems"), time.perf_counter() - started)
    return problems


def model(options: Options, spec: LoadedSpec, knowledge: Knowledge) -> Api:
    started = time.perf_counter()
    api = build_model(spec.document, knowledge=knowledge, base_url=options.base_url, source=spec.label)
    options.reporter.step(
        "model", ", ".join((
            counted(len(api.operations), "operation", "operations"), counted(len(api.tags), "tag", "tags"),
            counted(len(api.components), "schema", "schemas"),
        )), time.perf_counter() - started,
    )
    return api


def node_codes(options: Options, spec: LoadedSpec, api: Api) -> dict[str, str]:
    """A live node's own error-code descriptions (its public GET /error_codes), when the
    spec came from a node; the only network call after loading."""
    if not spec.url:
        return {}
    started = time.perf_counter()
    codes = node_error_codes(spec.url, api.base_path)
    described = counted(len(codes), "error-code description", "error-code descriptions")
    options.reporter.step("codes", f"{described} from the node", time.perf_counter() - started)
    return codes


@contextlib.contextmanager
def validating(options: Options, spec: LoadedSpec) -> Iterator[Callable[[], list[Problem]]]:
    """Validate in forked children, one per pass of the validator, while the caller
    builds the model and its pages."""
    started = time.perf_counter()
    children = [Forked(functools.partial(validate, spec.document, (part,))) for part in PARTS]

    def result() -> list[Problem]:
        options.reporter.wait("validate", lambda timeout: all(child.ready(timeout) for child in children))
        try:
            problems = sorted({p for child in children for p in child.result()})
        except ChildFailed:
            return check(options, spec)
        found = counted(len(problems), "problem", "problems")
        options.reporter.step("validate", f"{found} (alongside the model and its pages)", time.perf_counter() - started)
        return problems

    try:
        yield result
    finally:
        for child in children:
            child.close()


def build_site(options: Options, project: Project, api: Api, rendered: Rendered) -> SiteResult:
    rep = options.reporter
    site = (options.site or project.site_dir).absolute()
    check_site_target(site, project)
    with site_lock(site, on_wait=lambda: rep.note(f"waiting for another build into {site} to finish")):
        with staging(site) as stage:
            docs = write_docs(stage / "docs", project, rendered.pages)
            config, notes = site_config(
                project, docs=docs.name, out="site", nav=site_nav(project, api, docs),
                site_name=theme_text(api.title) if project.bundled else None, engine=options.engine,
            )
            for note in notes:
                rep.note(note)
            limits = engine_limits(options.engine, config)
            (stage / "mkdocs.yml").write_text(dump_config(config), encoding="utf-8")
            started = time.perf_counter()
            tick = rep.progress(options.engine, sum(1 for _ in docs.rglob("*.md")))
            try:
                warnings = run_engine(options.engine, stage / "mkdocs.yml", tick)
            finally:
                rep.done_progress()
            prefix = project.section
            slots = {prefix + rel: blocks for rel, blocks in rendered.slots.items()}
            assets = assets_for(prefix)
            pages, dropped = finish_site(stage / "site", slots, (assets.head_script, *assets.polyfills))
            rep.step(options.engine, counted(pages, "page", "pages"), time.perf_counter() - started)
            write_operations_json(stage / "site" / project.section, api)  # beside the overview
            write_markdown(stage / "site" / project.section, markdown_files(options, project, api, rendered))
            swap_in(stage / "site", site)
    return SiteResult(site=site, pages=pages, mkdocs_warnings=tuple(limits + warnings + dropped))


def markdown_files(options: Options, project: Project, api: Api, rendered: Rendered) -> dict[str, str]:
    """The pages' Markdown twins, llms.txt and llms-full.txt, by path in the reference's folder."""
    started = time.perf_counter()
    hand_written_index = not project.section and (project.docs_dir / "index.md").is_file()
    env = twins.markdown_environment(TEMPLATES, load_labels())
    files = twins.site_files(env, api, rendered.twins, rendered.schemas, overview=not hand_written_index)
    full = len(files[twins.LLMS_FULL].encode())
    detail = f"{counted(len(files) - 2, 'twin', 'twins')}, {twins.LLMS} and {twins.LLMS_FULL} ({full / 1024:.0f} KiB)"
    options.reporter.step("markdown", detail, time.perf_counter() - started)
    return files


def render(options: Options, api: Api) -> Draft:
    """The draft pages; a forked child makes the later half of the tag pages meanwhile."""
    started = time.perf_counter()
    env, knowledge = environment(), load_knowledge(options.knowledge)
    share = _LaterTags(api, env, knowledge)
    try:
        draft = draft_pages(api, env, knowledge, share)
    finally:
        share.close()
    options.reporter.step("render", counted(len(draft.pages), "page", "pages"), time.perf_counter() - started)
    return draft


class _LaterTags:
    """The tag pages at the end of the list, about half of the work, made by a forked child."""

    def __init__(self, api: Api, env: jinja2.Environment, knowledge: Knowledge) -> None:
        weights = [rendering_weight(tag) for tag in api.tags]
        half, split = sum(weights) / 2, len(api.tags)
        while split > 0 and sum(weights[split - 1:]) <= half:
            split -= 1
        self.make = functools.partial(tag_pages, api, api.tags[split:], env, knowledge)
        self.pages = frozenset(tag.page for tag in api.tags[split:])
        self.child = Forked(self.make) if self.pages else None

    def result(self) -> dict[str, TagPage]:
        if self.child is None:
            return {}
        try:
            return self.child.result()
        except ChildFailed:
            return self.make()

    def close(self) -> None:
        if self.child is not None:
            self.child.close()


@dataclass(frozen=True)
class Generated:
    folder: Path
    pages: int
    needed: str  # the lines the team's mkdocs.yml still needs, as YAML; "" when none


def generate(options: Options) -> tuple[Api, Generated]:
    """The reference's pages and assets into the team's docs_dir/section, for an engine the
    team runs itself (mkdocs build or serve, zensical build)."""
    project = load_project(options.config)
    options = with_project(options, project)
    target = check_section_target(project)
    spec = load(options)
    api, rendered = checked_pages(options, spec)
    with site_lock(target, on_wait=lambda: options.reporter.note(f"waiting for another run into {target} to finish")):
        with staging(target) as stage:
            write_section(stage / "section", rendered.whole())
            write_operations_json(stage / "section", api)
            swap_in(stage / "section", target, SECTION_MARKER)
    nav = _reference_nav(project.section, api)
    return api, Generated(target, len(rendered.pages), needed_settings(project, nav))


def site_nav(project: Project, api: Api, docs: Path) -> list | None:
    """The site's navigation: the team's, with the reference where it names the section.

    The bundled project (or a team's without a nav, whose reference is the site root)
    gets the reference's own nav, followed by the hand-written pages at the root.
    """
    reference, title = _reference_nav(project.section, api), theme_text(api.title)
    nav, found = nav_with_reference(project.raw.get("nav"), project.section, reference, title)
    if nav is not None:
        return nav if found else [*nav, {title: reference}]
    if project.section:
        return None  # the engine's own nav from the folders, ours included
    return reference + [page.name for page in sorted(docs.glob("*.md")) if page.name != "index.md"]


def _reference_nav(section: str, api: Api) -> list:
    labels = load_labels()
    return [
        {labels["overview"]: f"{section}index.md"},
        {labels["guides"]: [{guides.TITLES[name]: f"{section}guides/{name}.md"} for name in guides.GUIDES]},
        {labels["reference"]: [{theme_text(tag.name): f"{section}{tag.page}"} for tag in api.tags]},
        {labels["spec_health"]: f"{section}reference/spec-health.md"},
    ]
