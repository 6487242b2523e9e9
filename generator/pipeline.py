"""The whole pipeline: project -> load -> validate -> model -> render -> engine -> swap.

`build` reads as the whole build; `generate` is the same up to the pages, which it
writes into a team's docs folder instead of building a site; `compared` loads and
models two specs and compares them (`diff`).
"""

from __future__ import annotations

import contextlib
import concurrent.futures
import functools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import guides, language as languages, twins
from .builder import attach_problems, build_model
from .closures import SharedChecks
from .diff import Comparison, compare
from .parallel import Helper, build_html, done
from .enrich import enrich
from .knowledge import Knowledge, load_knowledge
from .load import DEFAULT_MAX_BYTES, LoadedSpec, load_spec, node_error_codes
from .model import Api
from .problems import InputError, Problem, errors
from .render import Draft, TagPage, draft_pages, environment, load_labels, render_pages, rendering_weight, tag_pages
from .sanitize import theme_text
from .engines import engine_limits, run_engine
from .forks import ChildFailed, Forked
from .postbuild import finish_site
from .project import (
    Language, Project, assets_for, dump_config, load_project, nav_with_reference, needed_settings, site_config,
)
from .render import Rendered
from .resources import TEMPLATES, bundled_docs
from .segment import quiet_jieba, search_dictionary
from .site import (
    SECTION_MARKER, SiteResult, check_section_target, check_site_target, site_lock, staging, swap_in, write_docs,
    write_markdown, write_operations_json, write_section,
)
from .validate import PARTS, validate
from .versions import CHANGES_PAGE, Version, VersionPages, VersionSource, history, version_pages
from .versionsite import SiteVersion, finish_versions, write_languages_root, write_root
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
    lang: tuple[str, ...] = ()  # --lang, as given (one language for now); () to read it from the spec
    reporter: Reporter = field(default_factory=Reporter)


@dataclass(frozen=True)
class Built:
    project: Project
    spec: LoadedSpec
    api: Api
    site: SiteResult | None  # None when --strict refused to build: the spec has errors


def build(options: Options, strict: bool = False) -> Built:
    """The whole build: project, spec, its language, validation beside the model and the
    pages, the node's error codes, enrichment, then the site. With `strict`, nothing is
    built when the spec has errors (the same rule as `validate`)."""
    project = load_project(options.config)
    options = with_project(options, project)
    spec = load(options)
    language = site_language(options, spec)
    api, rendered = checked_pages(options, spec, language)
    if strict and errors(api.problems):
        return Built(project, spec, api, None)
    return Built(project, spec, api, build_site(options, project, api, rendered, language))


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
    """The enriched model with every problem linked in: the validator's (found in forked
    children meanwhile) and the model's own."""
    with validating(options, spec) as validator_problems:
        return attach_problems(enriched(options, spec, load_knowledge(options.knowledge, language)), validator_problems())


def enriched(options: Options, spec: LoadedSpec, knowledge: Knowledge, shared: SharedChecks | None = None) -> Api:
    """The model with the EMQX knowledge (and a live node's error codes) added."""
    api = model(options, spec, knowledge, shared)
    return enrich(api, knowledge, node_codes(options, spec, api))


def checked_pages(options: Options, spec: LoadedSpec, language: str = languages.DEFAULT,
                  known: dict[str, list[Problem]] | None = None) -> tuple[Api, Rendered]:
    """`checked_model`, and its pages: most of them are made while the validator runs.
    `known`: the validator's problems by spec digest, read and filled in, so that a spec
    built in two languages is validated once."""
    if known is not None and spec.digest in known:
        api = enriched(options, spec, load_knowledge(options.knowledge, language))
        draft = render(options, api, language)
        api = attach_problems(api, known[spec.digest])
        return api, draft.finished(api)
    with validating(options, spec) as validator_problems:
        api = enriched(options, spec, load_knowledge(options.knowledge, language))
        draft = render(options, api, language)
        problems = validator_problems()
        if known is not None:
            known[spec.digest] = problems
        api = attach_problems(api, problems)
    return api, draft.finished(api)


def compared(options: Options, old: str, new: str) -> Comparison:
    """What changed from the spec `old` to the spec `new` (files or URLs): both enriched
    models, compared. A diff needs no validation; each spec is loaded and modelled once."""
    knowledge = load_knowledge(options.knowledge)
    apis = [enrich(model(options, load(replace(options, spec=source)), knowledge), knowledge) for source in (old, new)]
    return compare(*apis)


def with_project(options: Options, project: Project, several: bool = False) -> Options:
    """`options` with what the command line left open taken from the project's settings;
    the languages asked for are checked here, before anything is loaded (one language,
    unless `several`: a site in several languages)."""
    if several:
        asked = options.lang or project.lang
    else:
        one = languages.requested(options.lang, "--lang") or languages.requested(
            project.lang, f"{project.config_file}: extra.emqx_apidocs.lang")
        asked = (one,) if one else ()
    return replace(
        options,
        spec=options.spec or project.spec,
        base_url=options.base_url or project.base_url,
        site=options.site or project.site_dir,
        lang=tuple(asked),
    )


def languages_asked(options: Options, project: Project) -> tuple[languages.LanguageSource, ...]:
    """The languages `--lang` asks for, else the project's settings (checked, in order)."""
    if options.lang:
        return languages.parse(options.lang, "--lang")
    return languages.parse(project.lang, f"{project.config_file}: extra.emqx_apidocs.lang")


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


def model(options: Options, spec: LoadedSpec, knowledge: Knowledge, shared: SharedChecks | None = None) -> Api:
    started = time.perf_counter()
    api = build_model(spec.document, knowledge=knowledge, base_url=options.base_url, source=spec.label, shared=shared)
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


def build_site(options: Options, project: Project, api: Api, rendered: Rendered,
               language: str = languages.DEFAULT) -> SiteResult:
    rep = options.reporter
    site = (options.site or project.site_dir).absolute()
    project = in_language(project, language)
    check_site_target(site, project)
    with site_lock(site, on_wait=lambda: rep.note(f"waiting for another build into {site} to finish")):
        with staging(site) as stage:
            staged = stage_project(options, project, api, rendered, stage, language=language)
            pages, warnings = engine_site(options, staged, stage)
            write_operations_json(stage / "site" / project.section, api)  # beside the overview
            write_markdown(stage / "site" / project.section, markdown_files(options, project, api, rendered, language))
            swap_in(stage / "site", site)
    return SiteResult(site=site, pages=pages, mkdocs_warnings=tuple(warnings))


def in_language(project: Project, language: str) -> Project:
    """The project whose hand-written pages are in `language`: the bundled pages come in
    each language; a team's are theirs."""
    if project.ours and project.docs_dir.resolve() == bundled_docs("en").resolve():
        return replace(project, docs_dir=bundled_docs(language))
    return project


def engine_site(options: Options, staged: Staged, folder: Path, label: str = "") -> tuple[int, list[str]]:
    """The engine's run on a staged project (into folder/site), then every page finished
    (postbuild.py); returns the pages and the warnings (`label` begins the step's line)."""
    rep = options.reporter
    started = time.perf_counter()
    tick = rep.progress(options.engine, staged.sources)
    try:
        with quiet_jieba(folder) if staged.dictionary else contextlib.nullcontext():
            warnings = run_engine(options.engine, staged.config_file, tick)
    finally:
        rep.done_progress()
    pages, dropped = finish_site(folder / "site", staged.slots, staged.head_scripts, staged.not_found)
    rep.step(options.engine, label + counted(pages, "page", "pages"), time.perf_counter() - started)
    return pages, [*staged.limits, *warnings, *dropped]


def markdown_files(options: Options, project: Project, api: Api, rendered: Rendered, language: str,
                   label: str = "") -> dict[str, str]:
    """The pages' Markdown twins, llms.txt, llms-full.txt and the tag pages' "Copy as
    Markdown" scripts, by path in the reference's folder (`label`: of one version)."""
    started = time.perf_counter()
    hand_written_index = not project.section and (project.docs_dir / "index.md").is_file()
    env = twins.markdown_environment(TEMPLATES, load_labels(language=language), language)
    files = twins.site_files(env, api, rendered.twins, rendered.schemas, overview=not hand_written_index)
    full = len(files[twins.LLMS_FULL].encode())
    detail = f"{counted(len(files) - 2, 'twin', 'twins')}, {twins.LLMS} and {twins.LLMS_FULL} ({full / 1024:.0f} KiB)"
    options.reporter.step("markdown", f"{label}: {detail}" if label else detail, time.perf_counter() - started)
    return {**files, **copy_scripts(rendered)}


def copy_scripts(rendered: Rendered) -> dict[str, str]:
    """Each tag page's "Copy as Markdown" script, beside the page (reference/clients.copy.js)."""
    return {twins.copy_script_path(page): text for page, text in rendered.copies.items()}


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


def render(options: Options, api: Api, language: str = languages.DEFAULT) -> Draft:
    """The draft pages; a forked child makes the later half of the tag pages meanwhile."""
    started = time.perf_counter()
    env, knowledge = environment(language=language), load_knowledge(options.knowledge, language)
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
class Staged:
    """A project ready for the engine: its settings file, beside `docs/`; the site goes to `site/`."""

    config_file: Path
    slots: dict[str, dict[str, str]]  # the set-aside blocks by page source, inside docs_dir
    head_scripts: tuple[str, ...]  # ours for <head>: the deep-link script, then the polyfills
    limits: tuple[str, ...]  # what the engine will not do of these settings
    sources: int  # page sources, for the progress bar
    dictionary: Path | None = None  # the jieba dictionary of the pages' Chinese words, if any
    not_found: str = "404 - Not found"  # the 404 page's heading, in the site's language


def stage_project(options: Options, project: Project, api: Api, rendered: Rendered, folder: Path, *,
                  versions: bool = False, changes: bool = False, notes: bool = True,
                  language: str = languages.DEFAULT) -> Staged:
    """The docs folder and the settings an engine builds from, in `folder`; with
    `versions`, one version of a site of several (`changes`: it has a What-changed page)."""
    labels = load_labels(language=language)
    docs = write_docs(folder / "docs", project, rendered.pages, versions)
    dictionary = search_words(options, docs, folder)
    config, said = site_config(
        project, docs=docs.name, out="site", nav=site_nav(project, api, docs, labels, changes),
        site_name=theme_text(api.title) if project.bundled else None, engine=options.engine, versions=versions,
        language=Language(language, labels["palette"], str(dictionary) if dictionary else None),
    )
    for note in said if notes else ():
        options.reporter.note(note)
    (folder / "mkdocs.yml").write_text(dump_config(config), encoding="utf-8")
    prefix = project.section
    return Staged(
        config_file=folder / "mkdocs.yml", slots={prefix + rel: blocks for rel, blocks in rendered.slots.items()},
        head_scripts=(assets_for(prefix).head_script, *assets_for(prefix).polyfills),
        limits=tuple(engine_limits(options.engine, config)),
        sources=sum(1 for _ in docs.rglob("*.md")), dictionary=dictionary, not_found=labels["not_found"],
    )


def render_version(options: Options, api: Api, env: jinja2.Environment, version: VersionPages,
                   same_spec: tuple[Rendered, VersionPages] | None = None, language: str = languages.DEFAULT) -> Rendered:
    """One version's pages in a site of several (its problems are attached already)."""
    started = time.perf_counter()
    rendered = render_pages(api, env, load_knowledge(options.knowledge, language), version, same_spec)
    said = f"{version.label}: "
    options.reporter.step("render", said + counted(len(rendered.pages), "page", "pages"), time.perf_counter() - started)
    return rendered


# ------------------------------------------------------------------ a site of several versions


@dataclass(frozen=True)
class BuiltFolder:
    """One folder of a site of several versions (labelled 5.8.1) or languages (en, zh)."""

    label: str
    spec: LoadedSpec
    api: Api  # with its problems


@dataclass(frozen=True)
class BuiltVersions:
    project: Project
    versions: tuple[BuiltFolder, ...]  # oldest first
    site: SiteResult | None  # None when --strict refused to build: a spec has errors


def build_versions(options: Options, sources: tuple[VersionSource, ...], strict: bool = False) -> BuiltVersions:
    """Several versions in one site, a complete site in a folder each (see versionsite.py).

    Each spec is loaded, then validated in the helper process while the main one models
    it; a spec that several labels name is validated and modelled once. Each version is
    compared with the one before it, rendered with its badges and What-changed page, and
    its engine runs in the helper (once idle) while the main process renders the next.
    """
    project = load_project(options.config)
    options = with_project(options, project)
    rep, site = options.reporter, options.site.absolute()
    check_site_target(site, project)
    specs = [load(replace(options, spec=source.source)) for source in sources]
    firsts: dict[str, LoadedSpec] = {}  # one spec per digest, oldest first: validated in that order
    for spec in specs:
        firsts.setdefault(spec.digest, spec)
    language = site_language(options, specs[-1])  # the newest spec's, unless asked
    knowledge = load_knowledge(options.knowledge, language)
    with Helper([spec.document for spec in firsts.values()]) as helper:
        started = time.perf_counter()
        validations = {digest: helper.validate(i) for i, digest in enumerate(firsts)}
        checks = SharedChecks()  # an example checked against a schema all versions share is checked once
        apis = {digest: enriched(options, spec, knowledge, checks) for digest, spec in firsts.items()}
        versions = compared_versions(options, sources, specs, apis)
        found: dict[str, list[Problem]] = {}  # the validator's problems, by spec
        checked_apis: dict[int, Api] = {}

        def checked(index: int) -> Api:
            """Version `index`'s model with its spec's problems (waiting for them if need be)."""
            spec = specs[index]
            if spec.digest not in found:
                rep.wait("validate", lambda timeout, f=validations[spec.digest]: not concurrent.futures.wait([f], timeout).not_done)
                found[spec.digest] = Helper.result(validations[spec.digest], validate, spec.document)
                what = counted(len(found[spec.digest]), "problem", "problems")
                rep.step("validate", f"{sources[index].label}: {what}", time.perf_counter() - started)
            if index not in checked_apis:
                checked_apis[index] = attach_problems(versions[index].api, found[spec.digest])
            return checked_apis[index]

        if strict:
            every = tuple(BuiltFolder(source.label, spec, checked(i))
                          for i, (source, spec) in enumerate(zip(sources, specs)))
            if any(errors(version.api.problems) for version in every):
                return BuiltVersions(project, every, None)
        env = environment(language=language)
        with site_lock(site, on_wait=lambda: rep.note(f"waiting for another build into {site} to finish")):
            with staging(site) as stage:
                try:
                    built, pages, warnings = _build_version_folders(
                        options, project, versions, specs, checked, helper, env, stage, language)
                finally:
                    helper.close(wait=True)  # an engine in the helper writes into the staging folder
                swap_in(stage / "site", site)
    return BuiltVersions(project, built, SiteResult(site=site, pages=pages, mkdocs_warnings=warnings))


@dataclass
class _EngineRun:
    label: str
    staged: Staged
    work: tuple  # build_html's arguments
    future: concurrent.futures.Future
    started: float
    seconds: float | None = None  # how long it took here; None: in the helper, done when collected


def _build_version_folders(options: Options, project: Project, versions: tuple[Version, ...], specs: list[LoadedSpec],
                           checked: Callable[[int], Api], helper: Helper, env: jinja2.Environment,
                           stage: Path, language: str) -> tuple[tuple[BuiltFolder, ...], int, tuple[str, ...]]:
    """Each version's site into stage/site/LABEL, then what joins them."""
    built, runs, made = [], [], []
    by_spec: dict[str, tuple[Rendered, VersionPages]] = {}  # a spec's pages, for another label of it
    for index, version in enumerate(versions):
        api = checked(index)
        pages = version_pages(versions, index, project.section)
        rendered = render_version(options, api, env, pages, by_spec.get(specs[index].digest), language)
        by_spec[specs[index].digest] = (rendered, pages)
        made.append(rendered)
        staged = stage_project(options, project, api, rendered, stage / version.label, versions=True,
                               changes=pages.changes is not None, notes=index == 0, language=language)
        work = (options.engine, staged.config_file, staged.slots, staged.head_scripts, staged.not_found)
        started = time.perf_counter()
        # the helper takes an engine run once it has validated every spec; until then it runs here
        if helper.idle():
            runs.append(_EngineRun(version.label, staged, work, helper.submit(build_html, *work), started))
        else:
            result = done(build_html(*work))
            runs.append(_EngineRun(version.label, staged, work, result, started, time.perf_counter() - started))
        built.append(BuiltFolder(version.label, specs[index], api))
    out = stage / "site"
    out.mkdir()
    total, warnings = 0, []
    for run, version, rendered in zip(runs, built, made):
        pages, said = Helper.result(run.future, build_html, *run.work)
        where = "" if run.seconds is not None else " (in the helper)"
        seconds = run.seconds if run.seconds is not None else time.perf_counter() - run.started
        options.reporter.step(options.engine, f"{run.label}: {counted(pages, 'page', 'pages')}{where}", seconds)
        total += pages
        warnings += [f"{run.label}: {line}" for line in (*run.staged.limits, *said)]
        os.rename(run.staged.config_file.parent / "site", out / run.label)
        write_operations_json(out / run.label / project.section, version.api)
        write_markdown(out / run.label / project.section,
                       markdown_files(options, project, version.api, rendered, language, run.label))
    joined = [SiteVersion(b.label, b.api) for b in built]
    warnings += finish_versions(out, joined, project.section, env)
    theme = project.raw.get("theme")
    language = theme.get("language") if isinstance(theme, dict) else None
    write_root(out, joined, env, language if isinstance(language, str) and language else "en")
    return tuple(built), total, tuple(warnings)


def compared_versions(options: Options, sources: tuple[VersionSource, ...], specs: list[LoadedSpec],
                      apis: dict[str, Api]) -> tuple[Version, ...]:
    """Every version with its comparison to the one before (no comparison between two
    versions of one spec: they have no changes)."""
    started = time.perf_counter()
    versions = history([(source.label, apis[spec.digest], spec.digest) for source, spec in zip(sources, specs)])
    found = sum(len(v.comparison.changes) for v in versions if v.comparison)
    pairs = counted(len(versions) - 1, "pair", "pairs")
    options.reporter.step("compare", f"{pairs}, {counted(found, 'change', 'changes')}", time.perf_counter() - started)
    return versions


# ------------------------------------------------------------------ a site in several languages


@dataclass(frozen=True)
class BuiltLanguages:
    project: Project
    languages: tuple[BuiltFolder, ...]  # labelled by language, in the order asked for; the first is the root's
    site: SiteResult | None  # None when --strict refused to build: a spec has errors


def build_languages(options: Options, sources: tuple[languages.LanguageSource, ...],
                    strict: bool = False) -> BuiltLanguages:
    """One site per language in SITE/<code>/ (en, zh), joined by a language selector on
    every page that keeps the reader on the page and operation they are reading (anchors
    are the same in every language), and a root page that opens the first language.

    Each language is built from its own spec (`zh=SPEC`) or the site's; a spec several
    languages share is loaded and validated once. Each language has its own model and
    pages: the words of the knowledge (roles, codes, tag titles) are the language's.
    """
    project = load_project(options.config)
    options = with_project(options, project, several=True)
    rep, site = options.reporter, options.site.absolute()
    check_site_target(site, project)
    loaded: dict[str | None, LoadedSpec] = {}
    for source in sources:
        where = source.spec or options.spec
        if where not in loaded:
            loaded[where] = load(replace(options, spec=where))
    known: dict[str, list[Problem]] = {}  # the validator's problems by spec, found once
    built, pages_of = [], []
    for source in sources:
        spec = loaded[source.spec or options.spec]
        api, rendered = checked_pages(options, spec, source.code, known)
        built.append(BuiltFolder(source.code, spec, api))
        pages_of.append(rendered)
    if strict and any(errors(language.api.problems) for language in built):
        return BuiltLanguages(project, tuple(built), None)
    env = environment(language=built[0].label)
    with site_lock(site, on_wait=lambda: rep.note(f"waiting for another build into {site} to finish")):
        with staging(site) as stage:
            out = stage / "site"
            out.mkdir()
            total, warnings = 0, []
            for index, (language, rendered) in enumerate(zip(built, pages_of)):
                folder, its_project = stage / language.label, in_language(project, language.label)
                staged = stage_project(options, its_project, language.api, rendered, folder,
                                       versions=True, notes=index == 0, language=language.label)
                pages, said = engine_site(options, staged, folder, f"{language.label}: ")
                total += pages
                warnings += [f"{language.label}: {line}" for line in said]
                os.rename(folder / "site", out / language.label)
                reference = out / language.label / project.section
                write_operations_json(reference, language.api)
                write_markdown(reference, markdown_files(options, its_project, language.api, rendered, language.label,
                                                         language.label))
            joined = [SiteVersion(language.label, language.api) for language in built]
            warnings += finish_versions(out, joined, project.section, env,
                                        languages={b.label: environment(language=b.label) for b in built})
            write_languages_root(out, joined, env)
            swap_in(out, site)
    return BuiltLanguages(project, tuple(built), SiteResult(site=site, pages=total, mkdocs_warnings=tuple(warnings)))


@dataclass(frozen=True)
class Generated:
    folder: Path
    pages: int
    needed: str  # the lines the team's mkdocs.yml still needs, as YAML; "" when none


def generate(options: Options) -> tuple[Api, Generated]:
    """The reference's pages and assets into the team's docs_dir/section, for an engine the
    team runs itself (mkdocs build or serve, zensical build)."""
    project = load_project(options.config)
    if project.versions and not options.spec:
        raise InputError(f"{project.config_file}: generate writes the reference of one version, and "
                         f"extra.emqx_apidocs.versions lists several: choose one with --spec")
    options = with_project(options, project)
    target = check_section_target(project)
    spec = load(options)
    language = site_language(options, spec)
    api, rendered = checked_pages(options, spec, language)
    with site_lock(target, on_wait=lambda: options.reporter.note(f"waiting for another run into {target} to finish")):
        with staging(target) as stage:
            write_section(stage / "section", rendered.whole())
            write_operations_json(stage / "section", api)
            write_markdown(stage / "section", copy_scripts(rendered))  # static files for the team's engine
            swap_in(stage / "section", target, SECTION_MARKER)
    nav = _reference_nav(project.section, api, load_labels(language=language))
    return api, Generated(target, len(rendered.pages), needed_settings(project, nav, language))


def site_nav(project: Project, api: Api, docs: Path, labels: dict, changes: bool = False) -> list | None:
    """The site's navigation: the team's, with the reference where it names the section.

    The bundled project (or a team's without a nav, whose reference is the site root)
    gets the reference's own nav, followed by the hand-written pages at the root.
    `changes`: the reference has a What-changed page (one version of a site of several).
    """
    reference, title = _reference_nav(project.section, api, labels, changes), theme_text(api.title)
    nav, found = nav_with_reference(project.raw.get("nav"), project.section, reference, title)
    if nav is not None:
        return nav if found else [*nav, {title: reference}]
    if project.section:
        return None  # the engine's own nav from the folders, ours included
    return reference + [page.name for page in sorted(docs.glob("*.md")) if page.name != "index.md"]


def _reference_nav(section: str, api: Api, labels: dict, changes: bool = False) -> list:
    whats_new = [{labels["versions"]["what_changed"]: f"{section}{CHANGES_PAGE}"}] if changes else []
    return [
        {labels["overview"]: f"{section}index.md"},
        *whats_new,
        {labels["guides"]: [{labels["guide_titles"][name]: f"{section}guides/{name}.md"} for name in guides.GUIDES]},
        {labels["reference"]: [{theme_text(tag.label): f"{section}{tag.page}"} for tag in api.tags]},
        {labels["spec_health"]: f"{section}reference/spec-health.md"},
    ]
