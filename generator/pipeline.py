"""The whole pipeline: project -> load -> validate -> model -> render -> engine -> swap.

`build` reads as the whole build; `generate` is the same up to the pages, which it
writes into a team's docs folder instead of building a site; `compared` loads and
models two specs and compares them (`diff`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import guides, language as languages
from .builder import attach_problems, build_model
from .diff import Comparison, compare
from .enrich import enrich
from .knowledge import Knowledge, load_knowledge
from .load import DEFAULT_MAX_BYTES, LoadedSpec, load_spec, node_error_codes
from .model import Api
from .problems import Problem, errors
from .render import environment, load_labels, render_pages
from .sanitize import theme_text
from .engines import engine_limits, run_engine
from .postbuild import finish_site
from .project import (
    Language, Project, assets_for, dump_config, load_project, nav_with_reference, needed_settings, site_config,
)
from .render import Rendered
from .resources import bundled_docs
from .segment import quiet_jieba, search_dictionary
from .site import (
    SECTION_MARKER, SiteResult, check_section_target, check_site_target, site_lock, staging, swap_in, write_docs,
    write_operations_json, write_section,
)
from .validate import validate
from .words import counted


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
    """What the command line says; anything left None comes from the project's settings."""

    spec: str | None = None
    site: Path | None = None
    base_url: str | None = None
    user: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    knowledge: Path | None = None
    config: Path | None = None  # the team's mkdocs.yml; None: the bundled project
    engine: str = "mkdocs"
    lang: tuple[str, ...] = ()  # --lang, as given (one language for now); () to read it from the spec
    reporter: Reporter = field(default_factory=Reporter)


@dataclass(frozen=True)
class Built:
    project: Project
    spec: LoadedSpec
    api: Api
    site: SiteResult | None  # None when --strict refused to build: the spec has errors


def build(options: Options, strict: bool = False) -> Built:
    """The whole build: project, spec, its language, validation beside the model, the
    node's error codes, enrichment, then the pages and the site. With `strict`, nothing
    is built when the spec has errors (the same rule as `validate`)."""
    project = load_project(options.config)
    options = with_project(options, project)
    spec = load(options)
    language = site_language(options, spec)
    api = checked_model(options, spec, language)
    if strict and errors(api.problems):
        return Built(project, spec, api, None)
    return Built(project, spec, api, build_site(options, project, api, language))


def site_language(options: Options, spec: LoadedSpec) -> str:
    """The language asked for (--lang, else the project's setting), else the spec's own."""
    asked = languages.requested(options.lang, "--lang")
    if asked:
        return asked
    started = time.perf_counter()
    found = languages.detect(spec.document)
    options.reporter.step("language", f"{found}, read from the spec's text (--lang to choose)", time.perf_counter() - started)
    return found


def checked_model(options: Options, spec: LoadedSpec, language: str = languages.DEFAULT) -> Api:
    """The enriched model with every problem linked in: the validator's (found in a forked
    child meanwhile) and the model's own."""
    knowledge = load_knowledge(options.knowledge, language)
    with validating(options, spec) as validator_problems:
        api = model(options, spec, knowledge)
        api = enrich(api, knowledge, node_codes(options, spec, api))
        return attach_problems(api, validator_problems())


def compared(options: Options, old: str, new: str) -> Comparison:
    """What changed from the spec `old` to the spec `new` (files or URLs): both enriched
    models, compared. A diff needs no validation; each spec is loaded and modelled once."""
    knowledge = load_knowledge(options.knowledge)
    apis = [enrich(model(options, load(replace(options, spec=source)), knowledge), knowledge) for source in (old, new)]
    return compare(*apis)


def with_project(options: Options, project: Project) -> Options:
    """`options` with what the command line left open taken from the project's settings;
    the languages asked for are checked here, before anything is loaded."""
    asked = languages.requested(options.lang, "--lang") or languages.requested(
        project.lang, f"{project.config_file}: extra.emqx_apidocs.lang")
    return replace(
        options,
        spec=options.spec or project.spec,
        base_url=options.base_url or project.base_url,
        site=options.site or project.site_dir,
        lang=(asked,) if asked else (),
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
        found = counted(len(problems), "problem", "problems")
        options.reporter.step("validate", f"{found} (alongside the model)", time.perf_counter() - started)
        return problems

    try:
        yield result
    finally:
        pool.shutdown(wait=future.done(), cancel_futures=True)


def build_site(options: Options, project: Project, api: Api, language: str = languages.DEFAULT) -> SiteResult:
    rep = options.reporter
    site = (options.site or project.site_dir).absolute()
    if project.ours and project.docs_dir.resolve() == bundled_docs("en").resolve():
        project = replace(project, docs_dir=bundled_docs(language))  # the bundled pages, in the language
    check_site_target(site, project)
    rendered = render(options, api, language)
    labels = load_labels(language=language)
    with site_lock(site, on_wait=lambda: rep.note(f"waiting for another build into {site} to finish")):
        with staging(site) as stage:
            docs = write_docs(stage / "docs", project, rendered.pages)
            dictionary = search_words(options, docs, stage)
            config, notes = site_config(
                project, docs=docs.name, out="site", nav=site_nav(project, api, docs, labels),
                site_name=theme_text(api.title) if project.bundled else None, engine=options.engine,
                language=Language(language, labels["palette"], str(dictionary) if dictionary else None),
            )
            for note in notes:
                rep.note(note)
            limits = engine_limits(options.engine, config)
            (stage / "mkdocs.yml").write_text(dump_config(config), encoding="utf-8")
            started = time.perf_counter()
            tick = rep.progress(options.engine, sum(1 for _ in docs.rglob("*.md")))
            try:
                with quiet_jieba(stage) if dictionary else contextlib.nullcontext():
                    warnings = run_engine(options.engine, stage / "mkdocs.yml", tick)
            finally:
                rep.done_progress()
            prefix = project.section
            slots = {prefix + rel: blocks for rel, blocks in rendered.slots.items()}
            pages, dropped = finish_site(stage / "site", slots, assets_for(prefix).head_script, labels["not_found"])
            rep.step(options.engine, counted(pages, "page", "pages"), time.perf_counter() - started)
            write_operations_json(stage / "site" / project.section, api)  # beside the overview
            swap_in(stage / "site", site)
    return SiteResult(site=site, pages=pages, mkdocs_warnings=tuple(limits + warnings + dropped))


def search_words(options: Options, docs: Path, stage: Path) -> Path | None:
    """The jieba dictionary of the pages' Chinese words for Material's search (MkDocs only;
    None when the pages have none)."""
    if options.engine != "mkdocs":
        return None
    started = time.perf_counter()
    dictionary = search_dictionary(docs, stage / "jieba-dict.txt")
    if dictionary is not None:
        words = counted(dictionary.read_bytes().count(b"\n") - 1, "word", "words")
        options.reporter.step("words", f"a jieba dictionary of the pages' {words} for the search", time.perf_counter() - started)
    return dictionary


def render(options: Options, api: Api, language: str = languages.DEFAULT) -> Rendered:
    started = time.perf_counter()
    rendered = render_pages(api, environment(language=language), load_knowledge(options.knowledge, language))
    options.reporter.step("render", counted(len(rendered.pages), "page", "pages"), time.perf_counter() - started)
    return rendered


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
    language = site_language(options, spec)
    api = checked_model(options, spec, language)
    rendered = render(options, api, language)
    with site_lock(target, on_wait=lambda: options.reporter.note(f"waiting for another run into {target} to finish")):
        with staging(target) as stage:
            write_section(stage / "section", rendered.whole())
            write_operations_json(stage / "section", api)
            swap_in(stage / "section", target, SECTION_MARKER)
    nav = _reference_nav(project.section, api, load_labels(language=language))
    return api, Generated(target, len(rendered.pages), needed_settings(project, nav, language))


def site_nav(project: Project, api: Api, docs: Path, labels: dict) -> list | None:
    """The site's navigation: the team's, with the reference where it names the section.

    The bundled project (or a team's without a nav, whose reference is the site root)
    gets the reference's own nav, followed by the hand-written pages at the root.
    """
    reference, title = _reference_nav(project.section, api, labels), theme_text(api.title)
    nav, found = nav_with_reference(project.raw.get("nav"), project.section, reference, title)
    if nav is not None:
        return nav if found else [*nav, {title: reference}]
    if project.section:
        return None  # the engine's own nav from the folders, ours included
    return reference + [page.name for page in sorted(docs.glob("*.md")) if page.name != "index.md"]


def _reference_nav(section: str, api: Api, labels: dict) -> list:
    return [
        {labels["overview"]: f"{section}index.md"},
        {labels["guides"]: [{labels["guide_titles"][name]: f"{section}guides/{name}.md"} for name in guides.GUIDES]},
        {labels["reference"]: [{theme_text(tag.label): f"{section}{tag.page}"} for tag in api.tags]},
        {labels["spec_health"]: f"{section}reference/spec-health.md"},
    ]
