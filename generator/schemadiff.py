"""Two schema trees compared by shape: what a client sends or reads that changed.

`$ref`s are followed (a component renamed with the same shape is no change), `allOf`
members are merged, `oneOf`/`anyOf` alternatives are paired by what tells them apart
(shapes.py). What two schemas differ by is worked out once per pair and replayed under
every path that reaches them; a walk visits each pair once, so recursion ends.

A reference to a component that is the same in both models, down to the last
component it reaches, is not walked, nor are two lists of alternatives that are the
same one for one: nothing below them can differ. (Equal nodes have equal shapes;
their properties pair by name, and their alternatives each with its equal, in order,
so every pair below is equal too and reports nothing. Skipping such a pair skips only
pairs that report nothing; the pairs a walk has seen, which it does not walk again,
are told by where they are defined, so an equal pair stays equal.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from .changes import code
from .schema import SchemaNode
from .shapes import MAX_DEPTH, UNION_LABELS, Shape, Shapes, describe, match_alternatives


PLAIN_NAME = re.compile(r"[A-Za-z0-9_$@-]+")


@dataclass(frozen=True)
class Mode:
    """What matters where a schema is used."""

    facets_only: bool = False  # type, format, enum and default, down through items (parameters)
    with_defaults: bool = True  # a default matters in what a client sends, not in what it reads
    error_codes_apart: bool = False  # a response's top-level `code` enum is EMQX's error codes, told apart


PARAMETER = Mode(facets_only=True)
REQUEST = Mode()
RESPONSE = Mode(with_defaults=False, error_codes_apart=True)


@dataclass(frozen=True)
class Found:
    """A change a walk found; the caller names it (request, response, parameter)."""

    kind: str  # type-changed, property-added, ...
    subject: str  # the property path from the root: `data[].ssl.enable`, "" for the root
    message: str
    old_pointer: str | None
    new_pointer: str | None
    before: str | None = None
    after: str | None = None


def join(path: str, segment: str) -> str:
    """A path and a segment: `.name` a property (`["a.b"]` when its name needs quotes),
    `[]` the items, `{}` any other key, `[label]` an alternative."""
    return segment[1:] if segment.startswith(".") and not path else path + segment


def property_segment(name: str) -> str:
    return f".{name}" if PLAIN_NAME.fullmatch(name) else f"[{json.dumps(name, ensure_ascii=False)}]"


@dataclass(frozen=True)
class _Local:
    """A change between two schemas, before it is placed: its message is
    `lead + place + tail`, the place being the label of the path (+ segment)."""

    kind: str
    segment: str
    lead: str
    tail: str
    of_parent: bool  # the place is the path itself, not the path + segment
    old: str
    new: str
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class _Edge:
    segment: str
    old: SchemaNode
    new: SchemaNode
    top: bool
    codes: bool


@dataclass(frozen=True)
class _Pair:
    changes: tuple[_Local, ...]
    edges: tuple[_Edge, ...]


class SchemaDiff:
    """Compares schemas of two models, any number of times (one instance per comparison)."""

    def __init__(self, old: Shapes, new: Shapes) -> None:
        self.old, self.new = old, new
        self._pairs: dict[tuple, _Pair] = {}
        self._unchanged: dict[str, bool] = {}  # component -> the same in both, with all it reaches
        self._equal: dict[str, bool] = {}  # component -> its node the same in both (references aside)

    def changes(self, old: SchemaNode, new: SchemaNode, mode: Mode, label: Callable[[str], str]) -> list[Found]:
        """Every change from `old` to `new`; `label(path)` names a place in a message."""
        found: list[Found] = []
        self._walk(old, new, mode, label, "", True, False, 0, set(), found)
        return found

    def _walk(self, old: SchemaNode, new: SchemaNode, mode: Mode, label: Callable[[str], str], path: str,
              top: bool, codes: bool, depth: int, seen: set[tuple], found: list[Found]) -> None:
        if old.ref and old.ref == new.ref and self.unchanged(old.ref):
            return
        a, b = self.old(old), self.new(new)
        key = (mode, a.pointer, b.pointer, top and mode.error_codes_apart, codes)
        if key in seen or depth > MAX_DEPTH:
            return
        seen.add(key)
        pair = self._pairs.get(key)
        if pair is None:
            pair = self._pairs[key] = self._pair(old, new, a, b, mode, key[3], codes)
        for c in pair.changes:
            subject = join(path, c.segment)
            message = c.lead + label(path if c.of_parent else subject) + c.tail
            found.append(Found(c.kind, subject, message, c.old or None, c.new or None, c.before, c.after))
        for edge in pair.edges:
            self._walk(edge.old, edge.new, mode, label, join(path, edge.segment), edge.top, edge.codes, depth + 1,
                       seen, found)

    def unchanged(self, ref: str) -> bool:
        """Whether the component `ref` and every component it reaches are equal nodes in
        both models (where each is defined aside)."""
        if ref not in self._unchanged:
            stack, seen = [ref], {ref}
            while stack:
                at = stack.pop()
                if self._unchanged.get(at) is False or not self._same_node(at):
                    self._unchanged[ref] = False
                    return False
                for inner in _references(self.old.components[at]):
                    if inner not in seen and not self._unchanged.get(inner):
                        seen.add(inner)
                        stack.append(inner)
            self._unchanged.update(dict.fromkeys(seen, True))  # each reaches only equal ones
        return self._unchanged[ref]

    def _same(self, old: SchemaNode, new: SchemaNode) -> bool:
        """Whether `old` and `new` are the same schema, down to the last component they reach."""
        if old.ref and old.ref == new.ref:
            return self.unchanged(old.ref)
        return old == new and all(self.unchanged(ref) for ref in _references(old))

    def _same_node(self, ref: str) -> bool:
        if ref not in self._equal:
            old, new = self.old.components.get(ref), self.new.components.get(ref)
            self._equal[ref] = old is not None and old == new
        return self._equal[ref]

    def _pair(self, old: SchemaNode, new: SchemaNode, a: Shape, b: Shape, mode: Mode, top: bool, codes: bool) -> _Pair:
        """What `a` and `b` (the shapes of `old` and `new`) differ by themselves, and the
        pairs of children to compare. A union on one side only is compared with the other
        side taken as a union of one: `integer` → `oneOf: [integer, string]` adds `string`."""
        changes: list[_Local] = []
        edges: list[_Edge] = []

        def facet(kind: str, tail: str, before: str | None, after: str | None) -> None:
            changes.append(_Local(kind, "", "", tail, False, a.pointer, b.pointer, before, after))

        unions = a.type in UNION_LABELS.values(), b.type in UNION_LABELS.values()
        if a.type != b.type and unions[0] != unions[1] and not mode.facets_only:
            olds, news = a.alternatives if unions[0] else (old,), b.alternatives if unions[1] else (new,)
            self._alternatives(olds, news, a, b, top, changes, edges)
            return _Pair(tuple(changes), tuple(edges))
        if a.type != b.type:
            facet("type-changed", f": type {code(describe(a, self.old))} → {code(describe(b, self.new))}", a.type, b.type)
            return _Pair(tuple(changes), ())
        if a.format != b.format:
            facet("format-changed", f": format {_text(a.format)} → {_text(b.format)}", a.format or None, b.format or None)
        if a.enum and b.enum and not codes:
            for value in sorted(set(b.enum) - set(a.enum)):
                facet("enum-value-added", f": value {code(value)} added", None, value)
            for value in sorted(set(a.enum) - set(b.enum)):
                facet("enum-value-removed", f": value {code(value)} removed", value, None)
        if mode.with_defaults and a.default != b.default:
            facet("default-changed", f": default {_text(a.default)} → {_text(b.default)}", a.default, b.default)
        if a.items is not None and b.items is not None:
            edges.append(_Edge("[]", a.items, b.items, False, False))
        if not mode.facets_only:
            if a.additional is not None and b.additional is not None:
                edges.append(_Edge("{}", a.additional, b.additional, False, False))
            self._properties(a, b, top and mode.error_codes_apart, changes, edges)
            self._alternatives(a.alternatives, b.alternatives, a, b, top, changes, edges)
        return _Pair(tuple(changes), tuple(edges))

    def _properties(self, a: Shape, b: Shape, codes_below: bool, changes: list[_Local], edges: list[_Edge]) -> None:
        for name in sorted(a.properties.keys() | b.properties.keys()):
            segment = property_segment(name)
            old, new = a.properties.get(name), b.properties.get(name)
            if old is None:
                kind, lead = ("required-property-added", "required ") if new.required else ("property-added", "")
                changes.append(_Local(kind, segment, lead, " added", False, a.pointer, new.pointer))
                continue
            if new is None:
                changes.append(_Local("property-removed", segment, "", " removed", False, old.pointer, b.pointer))
                continue
            if old.required != new.required:
                became = "required" if new.required else "optional"
                changes.append(_Local(f"property-became-{became}", segment, "", f" became {became}", False,
                                      old.pointer, new.pointer))
            if self.new(new).deprecated and not self.old(old).deprecated:
                changes.append(_Local("property-deprecated", segment, "", " deprecated", False,
                                      old.pointer, new.pointer))
            edges.append(_Edge(segment, old, new, False, codes_below and name == "code"))

    def _alternatives(self, olds: tuple[SchemaNode, ...], news: tuple[SchemaNode, ...], a: Shape, b: Shape, top: bool,
                      changes: list[_Local], edges: list[_Edge]) -> None:
        if len(olds) == len(news) and all(map(self._same, olds, news)):
            return  # each pairs with its equal, in order: no change here or below
        paired, gone, came = match_alternatives(
            [(alt, self.old.key(alt)) for alt in olds], [(alt, self.new.key(alt)) for alt in news],
            (self.old.fingerprint, self.new.fingerprint),
        )
        for old, new, label in paired:
            edges.append(_Edge(f"[{label}]", old, new, top, False))
        for old, label in gone:
            changes.append(_Local("alternative-removed", f"[{label}]", "", f": alternative {code(label)} removed", True,
                                  self.old(old).pointer, b.pointer, label, None))
        for new, label in came:
            changes.append(_Local("alternative-added", f"[{label}]", "", f": alternative {code(label)} added", True,
                                  a.pointer, self.new(new).pointer, None, label))


def _text(value: str | None) -> str:
    return code(value) if value else "none"


def _references(node: SchemaNode) -> set[str]:
    """The components that `node` and the nodes inside it refer to."""
    found, stack = set(), [node]
    while stack:
        each = stack.pop()
        if each.ref:
            found.add(each.ref)
        stack.extend(each.properties)
        stack.extend(each.variants)
        stack.extend(child for child in (each.items, each.additional) if child is not None)
    return found
