"""Enrich the model with EMQX knowledge: roles, pagination, error codes per operation."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from .curl import ExampleRequest, ShellVar, build_curl
from .knowledge import Knowledge, Pagination
from .model import Api, ErrorCode, Operation
from .samples import javascript_code, python_code
from .schema import SchemaNode

MAX_DEPTH = 6


@dataclass(frozen=True)
class _Found:
    codes: tuple[str, ...]
    message: str  # the `message` property's description, when the spec gives one


def enrich(api: Api, knowledge: Knowledge, node_codes: dict[str, str] | None = None) -> Api:
    """Roles, pagination and error codes on every operation; the error-code catalogue;
    the tags' titles in the knowledge's language.

    `node_codes` are a live node's own descriptions of its error codes, merged in.
    """
    found: list[tuple[Operation, str, _Found]] = []  # what each response said, for the catalogue
    tags = tuple(
        replace(tag, operations=tuple(_operation(op, api, knowledge, found) for op in tag.operations),
                title=knowledge.tag_titles.get(tag.name, ""))
        for tag in api.tags
    )
    return replace(api, tags=tags, error_codes=_catalogue(found, knowledge, node_codes or {}))


def _operation(op: Operation, api: Api, knowledge: Knowledge, found: list[tuple[Operation, str, _Found]]) -> Operation:
    query = {p.name for p in op.parameters if p.location == "query"}
    kind = knowledge.pagination_for(query)
    answers = [(response.status, _response_codes(response.media, api.components)) for response in op.responses]
    op = replace(
        op,
        roles=knowledge.roles_for(op.method, op.path, op.auth),
        errors=tuple((status, answer.codes) for status, answer in answers if answer.codes),
    )
    if kind is not None:
        param = page_param(kind, query)
        next_page = next_request(op.example, kind, param, query)
        written = {"base_url": api.base_url, "knowledge": knowledge}
        op = replace(op, pagination=kind.kind, page_param=param, next_curl=build_curl(next_page, **written),
                     next_python=python_code(next_page, **written), next_javascript=javascript_code(next_page, **written))
    found.extend((op, status, answer) for status, answer in answers if answer.codes)
    return op


def page_param(kind: Pagination, query: set[str]) -> str:
    """The query parameter that moves on: `page`, or the cursor's `position`/`cursor`."""
    if kind.kind == "page":
        return "page"
    return next((name for name in kind.query_any + kind.query_all if name in query and name != "limit"), "position")


def next_request(example: ExampleRequest, kind: Pagination, param: str, query: set[str]) -> ExampleRequest:
    """The request for the page after the first: page 2, or the position `meta` returned."""
    if kind.kind == "page":
        return example.with_query(page=kind.page_start + 1, limit=kind.limit_default or 100)
    values: dict[str, object] = {param: ShellVar(f"NEXT_{param.upper()}")}
    if kind.kind == "offset":
        values["bytes"] = 1000
    elif "limit" in query:
        values["limit"] = kind.limit_default or 100
    return example.with_query(**values)


def _response_codes(media: tuple, components: dict[str, SchemaNode]) -> _Found:
    codes: list[str] = []
    messages: list[str] = []
    for item in media:
        if item.schema is not None:
            _collect(item.schema, components, codes, messages, 0)
    unique = tuple(dict.fromkeys(codes))
    return _Found(unique, messages[0] if len(unique) == 1 and messages else "")


def _collect(node: SchemaNode, components: dict[str, SchemaNode], codes: list[str], messages: list[str], depth: int) -> None:
    """Error codes are the enum of a `code` property, also inside oneOf/anyOf/allOf."""
    if depth > MAX_DEPTH:
        return
    node = _deref(node, components)
    for prop in node.properties:
        target = _deref(prop, components)
        if prop.name == "code" and target.enum:
            for value in target.enum:
                text = json.loads(value)
                if isinstance(text, str) and text:
                    codes.append(text)
        elif prop.name == "message" and target.description:
            messages.append(target.description)
    for variant in node.variants:
        _collect(variant, components, codes, messages, depth + 1)


def _deref(node: SchemaNode, components: dict[str, SchemaNode]) -> SchemaNode:
    return components.get(node.ref, node) if node.ref else node


def _catalogue(
    found: list[tuple[Operation, str, _Found]], knowledge: Knowledge, node_codes: dict[str, str]
) -> tuple[ErrorCode, ...]:
    """Every code of EMQX's table, of the spec and of the node: description, statuses, operations."""
    statuses: dict[str, set[str]] = {}
    users: dict[str, list[Operation]] = {}
    spec_text: dict[str, set[str]] = {}
    for op, status, answer in found:
        for code in answer.codes:
            statuses.setdefault(code, set()).add(status)
            if op not in users.setdefault(code, []):
                users[code].append(op)
            if answer.message:
                spec_text.setdefault(code, set()).add(answer.message)
    names = sorted(set(knowledge.error_codes) | set(statuses) | set(node_codes))
    return tuple(
        ErrorCode(
            code=name,
            description=knowledge.error_codes.get(name, ""),
            node_description=node_codes.get(name, ""),
            spec_messages=tuple(sorted(spec_text.get(name, ()))),
            statuses=tuple(sorted(statuses.get(name, ()))),
            operations=tuple(users.get(name, ())),
        )
        for name in names
    )
