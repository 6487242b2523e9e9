"""A schema as a client sees it (a Shape): `$ref`s followed, `allOf` merged, nested
unions flattened; and how the alternatives of two unions are paired.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .schema import SchemaNode

MAX_DEPTH = 64
UNION_LABELS = {"oneOf": "one of", "anyOf": "any of"}
VAGUE_TYPES = ("", "any", "all of")


@dataclass(frozen=True)
class Shape:
    """A schema as a client sees it: references followed, `allOf` merged."""

    type: str
    format: str
    enum: tuple[str, ...]
    default: str | None
    deprecated: bool
    properties: dict[str, SchemaNode]
    items: SchemaNode | None
    additional: SchemaNode | None
    alternatives: tuple[SchemaNode, ...]
    pointer: str  # where the schema is defined: a component's own pointer, not the `$ref`


def shape(node: SchemaNode, components: dict[str, SchemaNode], visiting: frozenset[str] = frozenset()) -> Shape:
    """`node` as a client sees it. `visiting`: the components being merged or flattened
    further up, which a member met again is not merged into itself (cycle-safe)."""
    refs: set[str] = set()
    while node.ref and node.ref not in refs and node.ref in components:
        refs.add(node.ref)
        node = components[node.ref]
    inside = visiting | refs
    merged = Shape(
        type=node.type, format=node.format, enum=node.enum, default=node.default,
        deprecated="deprecated" in node.flags, properties={p.name: p for p in node.properties},
        items=node.items, additional=node.additional,
        alternatives=_flat(node.variants, components, inside) if node.combinator in UNION_LABELS else (),
        pointer=node.pointer,
    )
    if node.combinator == "allOf" and len(inside) < MAX_DEPTH:
        for member in node.variants:
            if member.ref not in inside:
                merged = _merge(merged, shape(member, components, inside))
    if merged.type in VAGUE_TYPES or merged.type in UNION_LABELS.values():
        kind = "object" if merged.properties else "array" if merged.items else ""
        union = next((UNION_LABELS[c] for c in UNION_LABELS if merged.alternatives and node.combinator == c), "")
        merged = replace(merged, type=kind or union or merged.type)
    return merged


def _flat(variants: tuple[SchemaNode, ...], components: dict[str, SchemaNode], inside: frozenset[str]) -> tuple[SchemaNode, ...]:
    """Alternatives, with an inline one that is only a union itself replaced by its own:
    `oneOf: [{oneOf: [A, B]}, C]` offers A, B and C."""
    flat: list[SchemaNode] = []
    for variant in variants:
        inner = None if variant.ref else shape(variant, components, inside)
        if inner is not None and inner.type in UNION_LABELS.values() and not inner.properties:
            flat.extend(inner.alternatives)
        else:
            flat.append(variant)
    return tuple(flat)


def _merge(into: Shape, member: Shape) -> Shape:
    properties = dict(into.properties)
    for name, prop in member.properties.items():
        mine = properties.setdefault(name, prop)
        if prop.required and not mine.required:
            properties[name] = replace(mine, required=True)
    return replace(
        into,
        type=into.type if into.type not in VAGUE_TYPES else member.type,
        format=into.format or member.format,
        enum=into.enum or member.enum,
        default=into.default if into.default is not None else member.default,
        deprecated=into.deprecated or member.deprecated,
        properties=properties,
        items=into.items or member.items,
        additional=into.additional or member.additional,
        alternatives=into.alternatives or member.alternatives,
    )


class Shapes:
    """The shapes of one model's schemas, each worked out once."""

    def __init__(self, components: dict[str, SchemaNode]) -> None:
        self.components = components
        self._cache: dict[tuple[str, int], tuple[SchemaNode, object]] = {}

    def __call__(self, node: SchemaNode) -> Shape:
        return self._once("shape", node, lambda: shape(node, self.components))

    def key(self, alternative: SchemaNode) -> AltKey:
        return self._once("key", alternative, lambda: alt_key(alternative, self))

    def fingerprint(self, node: SchemaNode) -> tuple:
        """The shape two levels deep: alternatives with equal prints are the same one."""
        return self._once("print", node, lambda: _print(self(node), self, 2))

    def _once(self, what: str, node: SchemaNode, work: Callable[[], object]) -> Any:
        hit = self._cache.get((what, id(node)))
        if hit is None or hit[0] is not node:  # the node is kept, so its id is not reused
            hit = self._cache[(what, id(node))] = (node, work())
        return hit[1]


@dataclass(frozen=True)
class AltKey:
    pins: str  # the properties pinned to one value: `type=mqtt`
    ref: str  # the component's name
    label: str  # what the reader sees: the pins, else the component, else the type


def alt_key(alt: SchemaNode, shapes: Shapes) -> AltKey:
    s = shapes(alt)
    pins = []
    for name, prop in sorted(s.properties.items()):
        values = shapes(prop).enum
        if len(values) == 1:
            value = json.loads(values[0])
            pins.append(f"{name}={value if isinstance(value, str) else values[0]}")
    label = s.type + (f":{s.format}" if s.format else "") + (f" {'|'.join(s.enum)}" if 0 < len(s.enum) <= 3 else "")
    return AltKey(",".join(pins), alt.ref_name, ",".join(pins) or alt.ref_name or label)


def _print(s: Shape, shapes: Shapes, depth: int) -> tuple:
    if depth == 0:
        return (s.type,)
    inner = lambda node: _print(shapes(node), shapes, depth - 1)  # noqa: E731
    return (
        s.type, s.format, s.enum, s.default,
        tuple((name, prop.required, inner(prop)) for name, prop in sorted(s.properties.items())),
        inner(s.items) if s.items else None,
        tuple(inner(alt) for alt in s.alternatives),
    )


Alternative = tuple[SchemaNode, AltKey]


def match_alternatives(
    olds: list[Alternative], news: list[Alternative], prints: tuple[Callable[[SchemaNode], tuple], ...]
) -> tuple[list[tuple[SchemaNode, SchemaNode, str]], list[tuple[SchemaNode, str]], list[tuple[SchemaNode, str]]]:
    """Alternatives paired: by the values pinned or the component's name when only one
    has it on each side, then by the same shape (`prints`: old, new), then by a label
    only one has on each side, then by the same label in order, then the last one left
    on each side. The rest were removed or added. Each has a label for the reader."""
    left_old, left_new = list(range(len(olds))), list(range(len(news)))
    pairs: list[tuple[int, int]] = []

    def pair(i: int, k: int) -> None:
        pairs.append((i, k))
        left_old.remove(i)
        left_new.remove(k)

    def unique(attribute: str) -> None:
        for i in list(left_old):
            value = getattr(olds[i][1], attribute)
            same_old = [j for j in left_old if getattr(olds[j][1], attribute) == value]
            same_new = [k for k in left_new if getattr(news[k][1], attribute) == value]
            if value and len(same_old) == 1 and len(same_new) == 1:
                pair(i, same_new[0])

    unique("pins")
    unique("ref")
    for i in list(left_old):
        same = [k for k in left_new if prints[1](news[k][0]) == prints[0](olds[i][0])]
        if same:
            pair(i, same[0])
    unique("label")
    for i in list(left_old):
        same = [k for k in left_new if news[k][1].label == olds[i][1].label]
        if same:
            pair(i, same[0])
    if len(left_old) == 1 and len(left_new) == 1:
        pair(left_old[0], left_new[0])
    return (
        [(olds[i][0], news[k][0], _label(news, k)) for i, k in sorted(pairs)],
        [(olds[i][0], _label(olds, i)) for i in left_old],
        [(news[k][0], _label(news, k)) for k in left_new],
    )


def _label(alternatives: list[Alternative], index: int) -> str:
    label = alternatives[index][1].label
    if sum(1 for _, key in alternatives if key.label == label) > 1:
        label = f"{label}#{index + 1}"
    return label


def describe(s: Shape, shapes: Shapes) -> str:
    """The type for a message: `string`, or for a union its alternatives' types:
    `one of (string, integer)`."""
    if s.type in UNION_LABELS.values() and s.alternatives:
        return f"{s.type} ({', '.join(shapes(alt).type for alt in s.alternatives)})"
    return s.type
