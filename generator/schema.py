"""The schema tree: raw JSON Schema objects turned into frozen SchemaNodes.

A `$ref` to a component becomes a node that names the component instead of a copy of
it; components are built once, on first use, into a SchemaRegistry. That keeps the
tree finite for recursive schemas and lets a page render each component once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from .problems import pointer
from .refs import Resolver, component_name

MAX_DEPTH = 48
COMBINATORS = ("oneOf", "anyOf", "allOf")
# keywords shown as constraints, in this order; their words are in the labels
CONSTRAINTS = (
    "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minLength", "maxLength", "pattern",
    "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "multipleOf",
)


def to_json(value: object) -> str:
    """Compact, stable JSON text for a value shown to the reader."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(", ", ": "))


@dataclass(frozen=True)
class SchemaNode:
    """One schema: its own facts, its children, and where it came from."""

    type: str = ""
    name: str = ""  # the property name when this node is a property
    required: bool = False
    title: str = ""
    description: str = ""
    format: str = ""
    enum: tuple[str, ...] = ()
    default: str | None = None
    example: str | None = None
    constraints: tuple[tuple[str, str], ...] = ()  # (keyword, its value as text), e.g. ("maxLength", "64")
    flags: tuple[str, ...] = ()  # deprecated, read-only, write-only, nullable
    properties: tuple[SchemaNode, ...] = ()
    items: SchemaNode | None = None
    additional: SchemaNode | None = None
    combinator: str = ""  # oneOf / anyOf / allOf
    variants: tuple[SchemaNode, ...] = ()
    ref: str = ""  # a component this node stands for ("#/components/schemas/x")
    unresolved: str = ""  # why a reference could not be followed
    truncated: bool = False
    pointer: str = field(default="", compare=False)  # where it is in the spec: the `$ref` itself for a ref node

    @property
    def ref_name(self) -> str:
        return component_name(self.ref) if self.ref else ""

    def with_name(self, name: str, required: bool) -> SchemaNode:
        return replace(self, name=name, required=required)


@dataclass
class SchemaRegistry:
    """Component schemas, built once each, keyed by their `$ref`."""

    resolver: Resolver
    components: dict[str, SchemaNode] = field(default_factory=dict)
    _building: set[str] = field(default_factory=set)

    def node(self, raw: object, where: str, depth: int = 0) -> SchemaNode:
        """The SchemaNode for a raw schema found at JSON pointer `where`."""
        if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
            return self._ref_node(raw["$ref"], where, raw)
        if depth > MAX_DEPTH:
            return SchemaNode(type="…", truncated=True, pointer=where)
        if isinstance(raw, bool):
            return SchemaNode(type="any" if raw else "nothing", pointer=where)
        if not isinstance(raw, dict):
            return SchemaNode(type="?", unresolved=f"not a schema object at {where or '/'}", pointer=where)
        return self._build(raw, where, depth)

    def component(self, ref: str) -> SchemaNode | None:
        return self.components.get(ref)

    def _ref_node(self, ref: str, where: str, raw: dict) -> SchemaNode:
        target, last_ref, error = self.resolver.follow(raw, where)
        if error is not None or last_ref is None:
            return SchemaNode(type="?", ref="", unresolved=error or "unresolved", description=str(ref), pointer=where)
        if last_ref not in self.components and last_ref not in self._building:
            self._building.add(last_ref)
            try:
                self.components[last_ref] = self.node(target, last_ref[1:], 0)
            finally:
                self._building.discard(last_ref)
        label = _type_label(target) if isinstance(target, dict) else "?"
        return SchemaNode(type=label, ref=last_ref, pointer=where)

    def _build(self, raw: dict, where: str, depth: int) -> SchemaNode:
        required = raw.get("required") if isinstance(raw.get("required"), list) else []
        props = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
        properties = tuple(
            self.node(value, f"{where}{pointer('properties', key)}", depth + 1).with_name(
                str(key), key in required
            )
            for key, value in props.items()
        )
        items = None
        if "items" in raw and isinstance(raw["items"], (dict, bool)):
            items = self.node(raw["items"], f"{where}/items", depth + 1)
        additional = None
        if isinstance(raw.get("additionalProperties"), dict):
            additional = self.node(raw["additionalProperties"], f"{where}/additionalProperties", depth + 1)
        combinator, variants = "", ()
        for keyword in COMBINATORS:
            branches = raw.get(keyword)
            if isinstance(branches, list) and branches:
                combinator = keyword
                variants = tuple(
                    self.node(b, f"{where}/{keyword}/{i}", depth + 1) for i, b in enumerate(branches)
                )
                break
        return SchemaNode(
            type=_type_label(raw),
            title=_text(raw.get("title")),
            description=_text(raw.get("description")),
            format=_text(raw.get("format")),
            enum=tuple(to_json(v) for v in raw["enum"]) if isinstance(raw.get("enum"), list) else (),
            default=to_json(raw["default"]) if "default" in raw else None,
            example=to_json(raw["example"]) if "example" in raw else None,
            constraints=tuple(
                (key, to_json(raw[key]) if key == "pattern" else str(raw[key]))
                for key in CONSTRAINTS
                if key in raw and raw[key] is not False
            ),
            flags=tuple(
                label
                for key, label in (
                    ("deprecated", "deprecated"),
                    ("readOnly", "read-only"),
                    ("writeOnly", "write-only"),
                    ("nullable", "nullable"),
                )
                if raw.get(key) is True
            ),
            properties=properties,
            items=items,
            additional=additional,
            combinator=combinator,
            variants=variants,
            pointer=where,
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _type_label(raw: dict) -> str:
    """A short type for the reader: `string`, `integer`, `array`, `object`, `one of`..."""
    declared = raw.get("type")
    if isinstance(declared, list):
        label = " | ".join(str(t) for t in declared)
    elif isinstance(declared, str):
        label = declared
    elif "properties" in raw or "additionalProperties" in raw:
        label = "object"
    elif "items" in raw:
        label = "array"
    elif "enum" in raw and isinstance(raw["enum"], list) and raw["enum"]:
        label = type(raw["enum"][0]).__name__.replace("str", "string").replace("int", "integer").replace("bool", "boolean")
    else:
        label = ""
    for keyword in COMBINATORS:
        if isinstance(raw.get(keyword), list) and raw[keyword] and not label:
            label = {"oneOf": "one of", "anyOf": "any of", "allOf": "all of"}[keyword]
    return label or "any"
