"""Markdown twins of the generated pages, llms.txt and llms-full.txt, made from the model.

A twin is the Markdown beside a page (`reference/clients.md` next to
`reference/clients.html`), for people and assistants. It is not converted from the
HTML: the same `Api`/`Operation` objects and the knowledge file go through the
templates in `templates/markdown/`, whose environment writes every value through
`sanitize.md_inline` unless it is already `Md` (made by the other `md_*` functions), so
spec text can bring no HTML, no heading and no broken table row.

Each operation's Markdown reads on its own, with no "see above": a small component is
written out where the operation first meets it and named ("same as `x`") after that; a
bigger one below the top of a schema is named ("schema `x`") and defined once in the
Schemas at the end of the tag's twin and of llms-full.txt, and "Copy as Markdown" copies
the operation followed by the definitions it needs. That text is not in the HTML page:
each tag page has a script beside it (`reference/clients.copy.js`) with its operations'
Markdown and the definitions they name, which the button loads on its first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from . import guides
from .knowledge import Knowledge
from .model import Api, ErrorCode, Media, Operation, Parameter, Tag
from .sanitize import Md, md_block, md_cell, md_code, md_fence, md_inline, md_literal, script_json
from .refs import component_name
from .schema import SchemaNode
from .slugs import SlugSet
from .views import PagePlanner
from .words import counted

FOLDER = "markdown"  # inside templates/
LLMS = "llms.txt"
LLMS_FULL = "llms-full.txt"
OVERVIEW = "index.md"
PLACE = re.compile(r"\{(\w+)\}")
BR = re.compile(r"<br\s*/?>", re.I)
SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]")
# nodes (views.PagePlanner.size); a bigger component met below the top of a schema is
# named, and written out once in the Schemas of the page (and once in llms-full.txt)
INLINE_COMPONENT = 10
COMBINATOR_LABEL = {"oneOf": "one_of", "anyOf": "any_of", "allOf": "all_of"}


def _finalize(value: object) -> object:
    return value if isinstance(value, Md) else md_inline(value)


def markdown_environment(templates: Path, labels: dict, language: str = "en") -> jinja2.Environment:
    """Jinja for Markdown: no HTML escaping, but every value made safe Markdown. The
    templates of `language` (templates/<language>/markdown/: the guides and the overview
    written in it whole) come before the shared ones, as for the pages."""
    own = templates / language / FOLDER
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(own), str(templates / FOLDER)] if own.is_dir() else str(templates / FOLDER)),
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        inline=md_inline, block=md_block, cell=md_cell, code=md_code, literal=md_literal, fence=md_fence,
        codes=lambda values, sep=", ", prefix="": Md(sep.join(md_code(prefix + str(v)) for v in values)),
        counted=lambda n, word: counted(n, *labels["count"][word]),
        fill=fill, first_sentence=first_sentence,
    )
    env.globals["L"] = labels
    # punctuation of the language, written as it is (md_inline would trim its spaces)
    env.globals["P"] = {key: Md(labels[key]) for key in ("colon", "list_separator", "sentence_end")}
    return env


def fill(text: str, **values: object) -> Md:
    """A label with `{name}` places, filled with values (code spans when not Md already)."""
    return Md(PLACE.sub(lambda m: _as_md(values[m.group(1)]) if m.group(1) in values else m.group(0), md_inline(text)))


def _as_md(value: object) -> str:
    return value if isinstance(value, Md) else md_code(value)


def first_sentence(text: str, limit: int = 160) -> Md:
    """The first sentence of spec text, on one line, cut at a word when it is long."""
    flat = " ".join(BR.sub(" ", str(text)).split())
    end = SENTENCE_END.search(flat)
    if end is not None and end.end() <= limit:
        return md_inline(flat[: end.end()].rstrip())
    if len(flat) <= limit:
        return md_inline(flat)
    return md_inline(flat[:limit].rsplit(" ", 1)[0] + " …")


# --------------------------------------------------------------------------- operations


class SchemaLister:
    """Schemas as nested Markdown lists, for one operation or one schema definition.

    A small component is written out where it is used, once per text (then named: "same
    as `x`"); a big one (more than INLINE_COMPONENT nodes) below the top is only named,
    and its definition goes once into the page's Schemas (`named` collects them).
    """

    def __init__(self, components: dict[str, SchemaNode], labels: dict, big: Callable[[str], bool]) -> None:
        self.components = components
        self.L = labels
        self.big = big
        self.written: set[str] = set()
        self.named: dict[str, None] = {}  # in the order they were met

    def media(self, media: Media) -> Md:
        """A media type and its schema: a line, then the list of its fields."""
        if media.schema is None:
            return md_code(media.media_type)
        lines: list[str] = []
        head = self._entry(Md(md_code(media.media_type) + ":"), media.schema, False, -1, lines, top=True)
        return Md(head + ("\n\n" + "\n".join(lines) if lines else ""))

    def definition(self, ref: str) -> Md:
        """A component as one list item of a page's Schemas, its fields nested under it."""
        lines: list[str] = []
        head = self._entry(md_code(component_name(ref)), SchemaNode(ref=ref), False, 0, lines, top=True, named_here=True)
        return Md("\n".join(["- " + head, *lines]) + "\n")

    def type_words(self, node: SchemaNode) -> Md:
        """A parameter's type in words (the alternatives of a union named even when they
        have words of their own, which its description says)."""
        target, _, words = self._shape(node)
        return Md(self._choices(target, loose=True) or words)

    def _resolve(self, node: SchemaNode) -> tuple[SchemaNode, str]:
        if node.ref and node.ref in self.components:
            return self.components[node.ref], node.ref
        return node, ""

    def _shape(self, node: SchemaNode) -> tuple[SchemaNode, str, Md]:
        """The schema whose fields are listed (through $refs and array items), the
        component it is ("" for none) and its type in words: `array of object`."""
        target, ref = self._resolve(node)
        arrays = 0
        while target.items is not None and not target.properties and not target.variants and arrays < 8:
            item, item_ref = self._resolve(target.items)
            target, ref, arrays = item, item_ref or ref, arrays + 1
        choices = self._choices(target)
        if choices:  # alternatives that are plain values, on one line
            return replace(target, variants=()), ref, _array_of(self.L, Md(choices), arrays)
        return target, ref, _array_of(self.L, md_inline(_label(target, self.L)), arrays)

    def _choices(self, node: SchemaNode, loose: bool = False) -> str:
        """`"infinity"` or string: a union of scalars without words of their own, in words
        (`loose`: with them)."""
        if not node.variants or node.properties or node.additional is not None:
            return ""
        words = []
        for variant in node.variants:
            leaf, _ = self._resolve(variant)
            if leaf.properties or leaf.items is not None or leaf.variants or leaf.additional is not None or (leaf.description and not loose):
                return ""
            words.append(", ".join(md_code(v) for v in leaf.enum) if leaf.enum else md_inline(_label(leaf, self.L)))
        return f" {self.L['or']} ".join(words)

    def _entry(
        self, name: str, node: SchemaNode, required: bool, depth: int, lines: list[str],
        top: bool = False, named_here: bool = False,
    ) -> str:
        """One field's line (returned), its own fields and alternatives added to `lines`.
        `top`: the schema is written out even if big; `named_here`: `name` is its name."""
        outer, _ = self._resolve(node)
        target, ref, words = self._shape(node)
        again = bool(ref) and ref in self.written
        named = bool(ref) and not again and not top and self.big(ref)
        parts = [name, words]
        if named:
            self.named.setdefault(ref, None)
            parts.append(f"({self.L['schema'].lower()} {md_code(component_name(ref))})")
        elif ref and not named_here:
            parts.append(f"({self.L['same_schema_as']} {md_code(component_name(ref))})" if again else f"({md_code(component_name(ref))})")
        if node.unresolved:
            parts.append(f"({self.L['unresolved']}{self.L['colon']}{md_inline(node.unresolved)})")
        if required:
            parts.append(self.L["required"])
        parts += [md_inline(self.L["flags"].get(flag, flag)) for flag in dict.fromkeys(outer.flags + target.flags)]
        description = outer.description or target.description
        line = " ".join(p for p in parts if p) + self._facts(target, description, outer.constraints)
        if not again and not named:
            if ref:
                self.written.add(ref)
            self._fields(target, depth + 1, lines)
        return line

    def _fields(self, node: SchemaNode, depth: int, lines: list[str]) -> None:
        pad = "  " * depth
        for child in node.properties:
            at = len(lines)
            lines.insert(at, pad + "- " + self._entry(md_code(child.name), child, child.required, depth, lines))
        if node.additional is not None:
            at = len(lines)
            lines.insert(at, pad + "- " + self._entry(md_inline(self.L["any_key"]), node.additional, False, depth, lines))
        label = self.L[COMBINATOR_LABEL.get(node.combinator, "one_of")]
        for i, variant in enumerate(node.variants, 1):
            at = len(lines)
            name = md_inline(f"{label}, {self.L['option'].lower()} {i}:")
            lines.insert(at, pad + "- " + self._entry(name, variant, False, depth, lines))

    def _facts(self, node: SchemaNode, description: str, constraints: tuple[tuple[str, str], ...] = ()) -> str:
        parts = [_sentence(md_inline(description))] if description.strip() else []
        if node.enum:
            parts.append(self.L['allowed'] + self.L['colon'] + ", ".join(md_code(v) for v in node.enum) + _stop(self.L))
        if node.default is not None:
            parts.append(f"{self.L['default']}{self.L['colon']}{md_code(node.default)}{_stop(self.L)}")
        facts = constraint_words(self.L, tuple(dict.fromkeys(constraints + node.constraints)))
        if facts:
            parts.append(md_inline(facts) + _stop(self.L))
        return (self.L["colon"] + " ".join(parts)) if parts else ""


def _label(node: SchemaNode, labels: dict) -> str:
    words = labels["types"]
    return (words.get(node.type, node.type) if node.type else words["any"]) + (f" ({node.format})" if node.format else "")


def _stop(labels: dict) -> str:
    """What ends a sentence of ours: `.` or `。`."""
    return labels["sentence_end"].strip()


def _array_of(labels: dict, words: str, arrays: int) -> Md:
    """`array of array of x`, in the site's words (labels' types.array_of)."""
    if not arrays:
        return Md(words)
    before, _, after = (_spaced(part) for part in labels["types"]["array_of"].partition("{}"))
    for _ in range(arrays):
        words = before + words + after
    return Md(words)


def _spaced(text: str) -> str:
    """md_inline, keeping the spaces around the text."""
    core = text.strip()
    return text[: len(text) - len(text.lstrip())] + md_inline(core) + text[len(text.rstrip()):] if core else text


def constraint_words(labels: dict, constraints: tuple[tuple[str, str], ...]) -> str:
    """A schema's constraints in the site's words: `≥ 1, max length 64`."""
    return labels["list_separator"].join(labels["constraints"][key].replace("{}", value) for key, value in constraints)


def _sentence(text: str) -> str:
    """Text that ends as a sentence does (a Chinese one with 。)."""
    if not text or text[-1] in ".!?:;。！？：；":
        return text
    return text + ("。" if "\u4e00" <= text[-1] <= "\u9fff" else ".")


@dataclass(frozen=True)
class OperationFacts:
    """What an operation's Markdown says besides the spec's own text."""

    auth: str
    roles: tuple[str, ...]  # role titles
    pagination: tuple[str, str, tuple[str, ...], tuple[str, ...]] | None  # title, summary, request, meta
    errors: dict[str, tuple[tuple[str, str], ...]]  # status -> (code, meaning)


@dataclass(frozen=True)
class OperationMarkdown:
    text: Md  # the operation, ending in a newline
    schemas: tuple[str, ...]  # the big components it names, and those they name, in order


class OperationWriter:
    """Each operation's Markdown, and the definitions of the big components the
    operations name, with the site's knowledge and labels at hand."""

    def __init__(self, api: Api, knowledge: Knowledge, env: jinja2.Environment) -> None:
        self.api, self.knowledge, self.env = api, knowledge, env
        self.L = env.globals["L"]
        self.template = env.get_template("operation.md.j2")
        self.codes = {c.code: c for c in api.error_codes}
        self.roles = {r.id: r.title for r in knowledge.roles}
        self.kinds = {k.kind: k for k in knowledge.pagination}
        sizes = PagePlanner(api.components, SlugSet(), self.L)
        self.big = lambda ref: sizes.size(ref) > INLINE_COMPONENT
        self.definitions: dict[str, tuple[Md, tuple[str, ...]]] = {}

    def __call__(self, op: Operation) -> OperationMarkdown:
        lister = self._lister()
        text = self.template.render(op=op, facts=self.facts(op), parameter=self.parameter, type_of=self.type_of, media=lister.media)
        return OperationMarkdown(Md(text.strip("\n") + "\n"), self.closure(lister.named))

    def _lister(self) -> SchemaLister:
        return SchemaLister(self.api.components, self.L, self.big)

    def definition(self, ref: str) -> Md:
        return self._defined(ref)[0]

    def _defined(self, ref: str) -> tuple[Md, tuple[str, ...]]:
        if ref not in self.definitions:
            lister = self._lister()
            self.definitions[ref] = (lister.definition(ref), tuple(lister.named))
        return self.definitions[ref]

    def closure(self, refs: Iterable[str]) -> tuple[str, ...]:
        """`refs` and the big components their definitions name, in the order met."""
        seen: dict[str, None] = {}
        queue = list(refs)
        while queue:
            ref = queue.pop(0)
            if ref not in seen:
                seen[ref] = None
                queue += self._defined(ref)[1]
        return tuple(seen)

    def copied(self, made: OperationMarkdown) -> str:
        """What "Copy as Markdown" copies: the operation and the definitions it needs
        (explorer.js joins the same pieces from the page's data)."""
        if not made.schemas:
            return made.text
        return made.text + schemas_heading(self.L, 3) + "".join(self.definition(ref) for ref in made.schemas)

    def facts(self, op: Operation) -> OperationFacts:
        auth = {"basic": "auth_basic", "bearer": "auth_bearer", "public": "auth_public"}.get(op.auth_mode)
        pagination = None
        kind = self.kinds.get(op.pagination or "")
        if kind is not None:
            query = {p.name for p in op.parameters if p.location == "query"}
            pagination = (kind.title, kind.summary, tuple(n for n in kind.request if n in query), kind.meta)
        return OperationFacts(
            auth=self.L[auth] if auth else f"{self.L['auth_other']} ({', '.join(op.auth)})",
            roles=tuple(self.roles.get(r, r) for r in op.roles),
            pagination=pagination,
            errors={status: tuple((code, self.meaning(code)) for code in codes) for status, codes in op.errors},
        )

    def meaning(self, code: str) -> str:
        known: ErrorCode | None = self.codes.get(code)
        if known is None:
            return self.L["error_code_undescribed"]
        return known.description or known.node_description or "; ".join(known.spec_messages) or self.L["error_code_undescribed"]

    def parameter(self, p: Parameter) -> Md:
        """A parameter's description cell: its words, allowed values, default, example."""
        node = self.api.components.get(p.schema.ref, p.schema) if p.schema.ref else p.schema
        parts = [_sentence(md_cell(p.description))] if p.description.strip() else []
        if node.enum:
            parts.append(self.L['allowed'] + self.L['colon'] + ", ".join(md_code(v) for v in node.enum) + _stop(self.L))
        if node.default is not None:
            parts.append(f"{self.L['default']}{self.L['colon']}{md_code(node.default)}{_stop(self.L)}")
        if node.constraints:
            parts.append(md_cell(constraint_words(self.L, node.constraints)) + _stop(self.L))
        if p.example is not None:
            parts.append(f"{self.L['example']}{self.L['colon']}{md_code(p.example)}{_stop(self.L)}")
        return Md(" ".join(parts))

    def type_of(self, p: Parameter) -> Md:
        return self._lister().type_words(p.schema)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class TagMarkdown:
    operations: str  # the tag's title, description and operations
    schemas: dict[str, str]  # the components they name: definitions by $ref, in the order met
    made: dict[str, OperationMarkdown]  # each operation's Markdown, by its anchor


def tag_markdown(writer: OperationWriter, tag: Tag, operations: list[OperationMarkdown]) -> TagMarkdown:
    """A tag's page as Markdown: its operations (in the tag's order), and the components they name."""
    refs = writer.closure(ref for made in operations for ref in made.schemas)
    text = writer.env.get_template("tag.md.j2").render(tag=tag, operations=[made.text for made in operations])
    by_anchor = {op.anchor: made for op, made in zip(tag.operations, operations)}
    return TagMarkdown(text.rstrip("\n") + "\n", {ref: writer.definition(ref) for ref in refs}, by_anchor)


COPY_SUFFIX = ".copy.js"


def copy_script_name(page: str) -> str:
    """The file name of a tag page's "Copy as Markdown" script, beside the page:
    reference/clients.md -> clients.copy.js."""
    return Path(page).stem + COPY_SUFFIX


def copy_script_path(page: str) -> str:
    """Its path inside the reference's folder: reference/clients.copy.js."""
    return str(Path(page).with_name(copy_script_name(page)))


def copy_script(labels: dict, tag: Tag, twin: TagMarkdown) -> str:
    """A tag page's "Copy as Markdown" script: each operation's Markdown (the same text
    as in the twin) with the components it names, the definitions of those once, and the
    heading between. It files them under its own URL in window.EAD_MARKDOWN, where
    explorer.js looks once it has loaded the script; the copy is joined there
    (OperationWriter.copied says what it comes to)."""
    data = {
        "heading": schemas_heading(labels, 3),
        "schemas": twin.schemas,
        "operations": {anchor: {"markdown": made.text, "schemas": made.schemas} for anchor, made in twin.made.items()},
    }
    return ("(window.EAD_MARKDOWN = window.EAD_MARKDOWN || {})[document.currentScript.src] = "
            f"{script_json(data)};\n")


def schemas_heading(labels: dict, level: int) -> str:
    """What comes between an operation (level 3) or a page (2, 1) and its Schemas."""
    return f"\n{'#' * level} {md_inline(labels['md_schemas'])}\n\n"


def guide_twins(env: jinja2.Environment, api: Api, knowledge: Knowledge) -> dict[str, str]:
    """The guides' twins by path (guides/<name>.md): the same contexts as their pages."""
    common = {"api": api, "k": knowledge, "roles": {r.id: r for r in knowledge.roles}}
    return {
        f"guides/{name}.md": env.get_template(f"guides/{name}.md.j2").render(**common, **context)
        for name, context in guides.contexts(api, knowledge, env.globals["L"]).items()
    }


def overview_twin(env: jinja2.Environment, api: Api, knowledge: Knowledge) -> str:
    return env.get_template("index.md.j2").render(
        api=api, overview=guides.overview(api, knowledge), **_links(api, env.globals["L"]))


def health_twin(env: jinja2.Environment, api: Api, groups: list, example_counts: object) -> str:
    return env.get_template("spec-health.md.j2").render(api=api, groups=groups, example_counts=example_counts)


def _links(api: Api, labels: dict) -> dict:
    return {
        "guide_links": [(labels["guide_titles"][name], f"guides/{name}.md", name) for name in guides.GUIDES],
        "tag_links": [(tag, tag.page) for tag in api.tags],
    }


def site_files(
    env: jinja2.Environment, api: Api, twins: dict[str, str], schemas: dict[str, dict[str, str]], *, overview: bool = True,
) -> dict[str, str]:
    """Every Markdown file of a site's reference folder, by path inside it: the twins
    (a tag's with its Schemas), llms.txt (a list of them) and llms-full.txt (the
    overview, the guides, every operation, then every component they name, once).
    `overview` is False when a hand-written index page took the overview's place."""
    labels = env.globals["L"]
    files = {rel: text for rel, text in twins.items() if overview or rel != OVERVIEW}
    for page, definitions in schemas.items():
        if definitions and page in files:
            files[page] += schemas_heading(labels, 2) + "".join(definitions.values())
    links = _links(api, labels)
    files[LLMS] = env.get_template("llms.txt.j2").render(api=api, overview=overview, **links)
    parts = [twins[OVERVIEW]] if overview and OVERVIEW in twins else []
    parts += [twins[path] for _, path, _ in links["guide_links"] if path in twins]
    parts += [twins[tag.page] for tag in api.tags if tag.page in twins]
    everything = {ref: text for tag in api.tags for ref, text in schemas.get(tag.page, {}).items()}
    full = "\n".join(text.rstrip("\n") + "\n" for text in parts)
    files[LLMS_FULL] = full + (schemas_heading(labels, 1) + "".join(everything.values()) if everything else "")
    return files
