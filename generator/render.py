"""Model -> page sources (Markdown with HTML blocks) through Jinja templates."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup, escape

from . import explorer, guides
from .knowledge import Knowledge
from .model import Api, Media, Operation, Parameter, Tag
from .problems import Problem
from .model import HEALTH_SLUG, code_anchor
from .sanitize import breakable, inline_html, markdown_html, markdown_text, script_json, theme_text
from .schema import SchemaNode
from .slugs import SlugSet
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
    problem_links: list[tuple[Problem, str]]
    codes: dict[str, tuple[str, ...]]  # error codes by status
    try_data: dict  # what the Try-it panel needs
    pagination_params: list[str]  # the pagination kind's request parameters this operation has


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
    env.globals["problem_anchor"] = problem_anchor
    return env


@dataclass(frozen=True)
class Rendered:
    """Page sources by path inside docs_dir, and the blocks set aside from each."""

    pages: dict[str, str]
    slots: dict[str, dict[str, str]]

    def whole(self) -> dict[str, str]:
        """The pages with their set-aside blocks in place, for an engine run by the team."""
        return {rel: put_back(text, self.slots[rel]) if rel in self.slots else text for rel, text in self.pages.items()}


def render_pages(api: Api, env: jinja2.Environment, knowledge: Knowledge) -> Rendered:
    common = {"api": api, "k": knowledge, "roles": {r.id: r for r in knowledge.roles},
              "kinds": {p.kind: p for p in knowledge.pagination}}
    pages = {"index.md": env.get_template("index.md.j2").render(
        **common, health_url=HEALTH_URL, overview=guides.overview(api, knowledge))}
    slots: dict[str, dict[str, str]] = {}
    tag_template = env.get_template("tag.md.j2")
    for tag in api.tags:
        text = tag_template.render(**common, tag=tag, ops=_operation_views(api, tag, knowledge, env.globals["L"]))
        pages[tag.page], slots[tag.page] = set_aside(text)
    pages[HEALTH_PAGE] = env.get_template("spec-health.md.j2").render(
        **common, groups=_problem_groups(api.problems), example_counts=example_counts(api),
    )
    for name, context in guides.contexts(api, knowledge, env.globals["L"]).items():
        text = env.get_template(f"guides/{name}.md.j2").render(**common, **context)
        pages[f"guides/{name}.md"], slots[f"guides/{name}.md"] = set_aside(text)
    panel = explorer.site_data(api, knowledge, env.globals["L"])
    pages[EXPLORER_DATA] = f"window.EAD_EXPLORER = {script_json(panel)};\n"
    return Rendered(pages, slots)


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


def _operation_views(api: Api, tag: Tag, knowledge: Knowledge, labels: dict) -> list[OperationView]:
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
                problem_links=[(p, f"spec-health.html#{problem_anchor(p)}") for p in op.problems],
                codes=dict(op.errors),
                try_data=explorer.operation_data(op, knowledge),
                pagination_params=_pagination_params(op, knowledge),
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
