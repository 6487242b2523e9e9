"""Model -> page sources (Markdown with HTML blocks) through Jinja templates."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

import jinja2
import markupsafe
import yaml
from markupsafe import Markup, escape

from . import explorer, guides, twins
from .knowledge import Knowledge
from .model import Api, Media, Operation, Parameter, Tag
from .problems import Problem
from .model import HEALTH_SLUG, code_anchor
from .sanitize import breakable, inline_html, markdown_html, markdown_text, script_json, theme_text
from .schema import SchemaNode
from .slugs import SlugSet
from .versions import CHANGES_PAGE, Badge, VersionPages
from .views import PagePlanner, SchemaView
from .words import counted
from .project import ASSET_FOLDER
from .resources import TEMPLATES

HEALTH_PAGE = f"reference/{HEALTH_SLUG}.md"
HEALTH_URL = f"reference/{HEALTH_SLUG}.html"
EXPLORER_DATA = f"{ASSET_FOLDER}/explorer-data.js"  # written by each build, from the spec


@dataclass
class MediaView:
    media: Media
    schema: SchemaView | None
    note: str = ""  # why the example is not the spec's own, in the site's language


@dataclass
class ParameterView:
    param: Parameter
    schema: SchemaView


@dataclass
class OperationView:
    op: Operation
    parameters: list[ParameterView]
    body: list[MediaView]
    responses: list[tuple[str, str, list[MediaView]]]  # status, description, media
    codes: dict[str, tuple[str, ...]]  # error codes by status
    try_data: dict  # what the Try-it panel needs
    pagination_params: list[str]  # the pagination kind's request parameters this operation has
    markdown: twins.OperationMarkdown  # the operation as Markdown, for its twin and "Copy as Markdown"
    badges: tuple[Badge, ...] = ()  # in a site of several versions: new, changed, removed


def problem_anchor(problem: Problem) -> str:
    digest = hashlib.sha1(f"{problem.pointer}\n{problem.message}".encode()).hexdigest()[:10]
    return f"p-{digest}"


@functools.lru_cache(maxsize=4)
def load_labels(templates: Path = TEMPLATES, language: str = "en") -> dict:
    """The words of the generated pages (labels/<language>.yaml), read once per process."""
    return yaml.safe_load((templates / "labels" / f"{language}.yaml").read_text(encoding="utf-8"))


def fill(text: str, **values: object) -> Markup:
    """A label with `{name}` places, escaped, with the values put in: escaped too, unless
    they are markup already (a counted word in <strong>, a link)."""
    result = str(escape(text))
    for name, value in values.items():
        result = result.replace("{" + name + "}", str(escape(value)))
    return Markup(result)


CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans(text: str) -> Markup:
    """Text (from the knowledge file) escaped, its `backquoted` parts as <code>."""
    return Markup(CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))


def environment(templates: Path = TEMPLATES, language: str = "en") -> jinja2.Environment:
    """Templates of `language` (templates/<language>/, for pages written in it whole: the
    overview and the guides) before the shared ones, and its labels as `L`."""
    own = templates / language
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(own), str(templates)] if own.is_dir() else str(templates)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        markdown=markdown_html, inline=inline_html, md_text=markdown_text, script_json=script_json,
        theme_text=theme_text, code_anchor=code_anchor, breakable=breakable, fill=fill,
        code_spans=code_spans,
    )
    labels = load_labels(templates, language)
    env.globals["L"] = labels
    env.filters["counted"] = lambda n, word: counted(n, *labels["count"][word])
    env.filters["say"] = say
    env.globals["problem_anchor"] = problem_anchor
    env.globals["problems_mark"] = lambda op: markupsafe.Markup(problems_mark(op))
    env.extend(markdown_env=twins.markdown_environment(templates, labels, language))  # the pages' Markdown twins
    return env


def say(text: str, **values: object) -> str:
    """A label with its `{name}` places filled: `"New in {version}" | say(version="5.8.1")`."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


@dataclass(frozen=True)
class Rendered:
    """Page sources by path inside docs_dir, the blocks set aside from each, the pages'
    Markdown twins (by the page's path: reference/clients.md; a tag's without its
    Schemas), the definitions of the components each tag's operations name, and each tag
    page's "Copy as Markdown" script (by the page's path too)."""

    pages: dict[str, str]
    slots: dict[str, dict[str, str]]
    twins: dict[str, str] = field(default_factory=dict)
    schemas: dict[str, dict[str, str]] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)

    def whole(self) -> dict[str, str]:
        """The pages with their set-aside blocks in place, for an engine run by the team."""
        return {rel: put_back(text, self.slots[rel]) if rel in self.slots else text for rel, text in self.pages.items()}

    def tag_page(self, page: str) -> TagPage:
        """A tag's page as tag_pages made it (for another version of the same spec)."""
        return TagPage(self.pages[page], self.slots[page], self.twins[page], self.schemas[page], self.copies[page])


def render_pages(api: Api, env: jinja2.Environment, knowledge: Knowledge, version: VersionPages | None = None,
                 same_spec: tuple[Rendered, VersionPages] | None = None) -> Rendered:
    """Every page for `api`, whose problems are all attached; with `version`, one version
    of a site of several: its badges on the operations and its What-changed page.
    `same_spec`: the pages of another version of the same spec, reused wherever this
    version's badges are the same."""
    return draft_pages(api, env, knowledge, version=version, same_spec=same_spec).finished(api)


class Share(Protocol):
    """Tag pages another process makes meanwhile (pipeline.render)."""

    pages: frozenset[str]

    def result(self) -> dict[str, TagPage]: ...


def draft_pages(api: Api, env: jinja2.Environment, knowledge: Knowledge, share: Share | None = None,
                version: VersionPages | None = None, same_spec: tuple[Rendered, VersionPages] | None = None) -> Draft:
    """The pages that need no answer from the validator, so they can be made while it
    runs: the tag pages (each operation with a mark where its problem note goes), the
    guides and the explorer's data. `Draft.finished` adds the rest. The tag pages
    named by `share` (made without badges) come from it; `version` and `same_spec` as
    for render_pages."""
    earlier, earlier_version = same_spec if same_spec else (None, None)
    reused = {tag.page for tag in api.tags
              if earlier is not None and _tag_badges(tag, version) == _tag_badges(tag, earlier_version)}
    own = [t for t in api.tags if t.page not in reused and (share is None or t.page not in share.pages)]
    made = tag_pages(api, own, env, knowledge, version.badges if version else {})
    made.update({page: earlier.tag_page(page) for page in reused})  # type: ignore[union-attr]
    twin_pages = {} if earlier is not None else twins.guide_twins(env.markdown_env, api, knowledge)
    guide_pages = {} if earlier is not None else {
        f"guides/{name}.md": set_aside(env.get_template(f"guides/{name}.md.j2").render(**_common(api, knowledge), **context))
        for name, context in guides.contexts(api, knowledge, env.globals["L"]).items()
    }
    if share is not None:
        made.update(share.result())
    pages = {"index.md": ""}  # made by Draft.finished, as is the spec-health page
    slots: dict[str, dict[str, str]] = {}
    schemas: dict[str, dict[str, str]] = {}
    copies: dict[str, str] = {}
    for tag in api.tags:
        pages[tag.page], slots[tag.page], twin_pages[tag.page], schemas[tag.page], copies[tag.page] = made[tag.page]
    if version is not None and version.changes is not None:
        pages[CHANGES_PAGE] = env.get_template("what-changed.md.j2").render(**_common(api, knowledge), page=version.changes)
    pages[HEALTH_PAGE] = ""
    if earlier is not None:  # the rest does not depend on the version
        for rel in earlier.pages:
            if rel not in pages and rel != CHANGES_PAGE:
                pages[rel] = earlier.pages[rel]
                if rel in earlier.slots:
                    slots[rel] = earlier.slots[rel]
        twin_pages.update({rel: text for rel, text in earlier.twins.items() if rel not in twin_pages})
        return Draft(pages, slots, env, knowledge, twin_pages, schemas, copies, earlier)
    for rel, (text, blocks) in guide_pages.items():
        pages[rel], slots[rel] = text, blocks
    panel = explorer.site_data(api, knowledge, env.globals["L"])
    pages[EXPLORER_DATA] = f"window.EAD_EXPLORER = {script_json(panel)};\n"
    return Draft(pages, slots, env, knowledge, twin_pages, schemas, copies)


class TagPage(NamedTuple):
    text: str  # the page source
    blocks: dict[str, str]  # set aside from it
    twin: str  # its Markdown twin, without the Schemas
    schemas: dict[str, str]  # the definitions of the components its operations name, by $ref
    copies: str  # its "Copy as Markdown" script (twins.copy_script)


def tag_pages(api: Api, tags: Iterable[Tag], env: jinja2.Environment, knowledge: Knowledge,
              badges: dict[tuple[str, str], tuple[Badge, ...]] | None = None) -> dict[str, TagPage]:
    """Each tag's page, with its set-aside blocks, its Markdown twin and its "Copy as
    Markdown" script, by the page's path. Each operation's Markdown is made once, for both."""
    common = _common(api, knowledge)
    template = env.get_template("tag.md.j2")
    writer = twins.OperationWriter(api, knowledge, env.markdown_env)
    made = {}
    for tag in tags:
        ops = _operation_views(api, tag, knowledge, env.globals["L"], badges or {}, writer)
        twin = twins.tag_markdown(writer, tag, [view.markdown for view in ops])
        page = template.render(**common, tag=tag, ops=ops, copy_src=twins.copy_script_name(tag.page))
        made[tag.page] = TagPage(*set_aside(page), twin.operations, twin.schemas, twins.copy_script(writer.L, tag, twin))
    return made


def rendering_weight(tag: Tag) -> int:
    """About how long a tag's page takes to make: its operations and the components they
    reach (the schema trees are most of the work)."""
    return len(tag.operations) + len({ref for op in tag.operations for ref in op.uses})


@dataclass(frozen=True)
class Draft:
    pages: dict[str, str]
    slots: dict[str, dict[str, str]]
    env: jinja2.Environment
    knowledge: Knowledge
    twins: dict[str, str]
    schemas: dict[str, dict[str, str]]
    copies: dict[str, str]
    earlier: Rendered | None = None  # another version's pages of the same spec: same problems

    def finished(self, api: Api) -> Rendered:
        """The pages once every problem is known: each operation's problem note in its
        mark's place, the overview and the spec-health page (both count problems)."""
        pages, made = dict(self.pages), dict(self.twins)
        if self.earlier is not None:
            for rel in ("index.md", HEALTH_PAGE):
                pages[rel], made[rel] = self.earlier.pages[rel], self.earlier.twins[rel]
        else:
            common = _common(api, self.knowledge)
            pages["index.md"] = self.env.get_template("index.md.j2").render(
                **common, health_url=HEALTH_URL, overview=guides.overview(api, self.knowledge))
            groups, counts = _problem_groups(api.problems), example_counts(api)
            pages[HEALTH_PAGE] = self.env.get_template("spec-health.md.j2").render(**common, groups=groups, example_counts=counts)
            made["index.md"] = twins.overview_twin(self.env.markdown_env, api, self.knowledge)
            made[HEALTH_PAGE] = twins.health_twin(self.env.markdown_env, api, groups, counts)
        note = self.env.get_template("partials/problems.html.j2")
        for tag in api.tags:
            notes = {
                problems_mark(op) + "\n": note.render(links=[(p, f"spec-health.html#{problem_anchor(p)}") for p in op.problems])
                for op in tag.operations
            }
            pages[tag.page] = MARK.sub(lambda m: notes.get(m.group(0), ""), pages[tag.page])
        return Rendered(pages, self.slots, made, self.schemas, self.copies)


def _common(api: Api, knowledge: Knowledge) -> dict:
    return {"api": api, "k": knowledge, "roles": {r.id: r for r in knowledge.roles},
            "kinds": {p.kind: p for p in knowledge.pagination}}


def problems_mark(op: Operation) -> str:
    """Where an operation's problem note goes (spec text cannot make it: it is sanitized)."""
    return f"<!--ead-problems:{op.anchor}-->"


MARK = re.compile(r"<!--ead-problems:[^>]*-->\n")


def _tag_badges(tag: Tag, version: VersionPages | None) -> tuple:
    return tuple(version.badges.get((op.method, op.path), ()) for op in tag.operations) if version else ()


# Schema trees, examples and curl blocks are most of a page's weight and are kept out
# of the search index anyway. They are set aside before MkDocs sees the page, so that
# neither Markdown nor the search indexer parses them, and put back into the finished
# HTML (site.py). Such blocks never nest (see macros.html.j2), and spec text cannot
# produce the tag: it is escaped or sanitized.
ASIDE = re.compile(r'<section class="ead-[a-z]+" data-search-exclude>.*?</section>', re.S)
SLOT = re.compile(r"<!--ead-slot:(\d+)-->")


def set_aside(text: str) -> tuple[str, dict[str, str]]:
    blocks: dict[str, str] = {}

    def keep(match: re.Match[str]) -> str:
        key = str(len(blocks))
        blocks[key] = match.group(0)
        return f"<!--ead-slot:{key}-->"

    return ASIDE.sub(keep, text), blocks


def put_back(html: str, blocks: dict[str, str]) -> str:
    return SLOT.sub(lambda m: blocks.get(m.group(1), ""), html)


def _operation_views(
    api: Api, tag: Tag, knowledge: Knowledge, labels: dict, badges: dict[tuple[str, str], tuple[Badge, ...]],
    writer: twins.OperationWriter,
) -> list[OperationView]:
    planner = PagePlanner(api.components, SlugSet({op.anchor for op in tag.operations}), labels)
    views = []
    for op in tag.operations:
        planner.next_operation()
        views.append(
            OperationView(
                op=op,
                parameters=[ParameterView(p, planner.view(p.schema)) for p in op.parameters],
                body=[_media_view(planner, m, labels) for m in op.body.media] if op.body else [],
                responses=[(r.status, r.description, [_media_view(planner, m, labels) for m in r.media])
                           for r in op.responses],
                codes=dict(op.errors),
                try_data=explorer.operation_data(op, knowledge),
                pagination_params=_pagination_params(op, knowledge),
                markdown=writer(op),
                badges=badges.get((op.method, op.path), ()),
            )
        )
    return views


def _pagination_params(op: Operation, knowledge: Knowledge) -> list[str]:
    kind = next((k for k in knowledge.pagination if k.kind == op.pagination), None)
    query = {p.name for p in op.parameters if p.location == "query"}
    return [name for name in kind.request if name in query] if kind else []


def _media_view(planner: PagePlanner, media: Media, labels: dict) -> MediaView:
    schema: SchemaNode | None = media.schema
    note = labels["example_notes"][media.example_note] if media.example_note else ""
    if media.example_members:
        members = labels["list_separator"].join(f"`{name}: null`" for name in media.example_members)
        note = note.replace("{members}", members)
    return MediaView(media, planner.view(schema) if schema is not None else None, note)


@dataclass(frozen=True)
class ExampleCounts:
    origins: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]  # (request|response, a count per origin)


def example_counts(api: Api) -> ExampleCounts:
    """How many examples are the spec's own, repaired or synthesized, for bodies and answers."""
    origins = ("spec", "repaired", "synthesized")
    counts = {kind: dict.fromkeys(origins, 0) for kind in ("request", "response")}
    for op in api.operations:
        for media in op.body.media if op.body else ():
            if media.example_origin in origins:
                counts["request"][media.example_origin] += 1
        for response in op.responses:
            for media in response.media:
                if media.example_origin in origins:
                    counts["response"][media.example_origin] += 1
    return ExampleCounts(origins, tuple((kind, tuple(c[o] for o in origins)) for kind, c in counts.items()))


def _problem_groups(problems: tuple[Problem, ...]) -> list[tuple[str, list[Problem]]]:
    from .validate import group

    return list(group(problems))
