"""Raw spec dict -> Api model. Never assumes the spec is valid; never mutates it."""

from __future__ import annotations

import http
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit

from .closures import SharedChecks
from .curl import ExampleRequest, build_curl
from .examples import MISSING, ExampleMaker
from .knowledge import Knowledge
from .model import CHANGES_SLUG, HEALTH_SLUG, HTTP_METHODS, auth_mode, Api, Body, Media, Operation, Parameter, Response, SecurityScheme, Tag
from .problems import Problem, pointer
from .refs import Resolver, component_name
from .samples import javascript_code, python_code
from .schema import SchemaNode, SchemaRegistry, to_json
from .slugs import SlugSet, operation_anchor, slugify

UNTAGGED = "Other"
SCHEME_KIND = {"basic": "basic", "bearer": "bearer"}


@dataclass
class _Context:
    document: dict
    knowledge: Knowledge
    resolver: Resolver
    registry: SchemaRegistry
    examples: ExampleMaker
    base_path: str
    base_url: str
    schemes: dict[str, SecurityScheme]
    problems: list[Problem]


def build_api(
    document: dict,
    *,
    knowledge: Knowledge,
    problems: Iterable[Problem] = (),
    base_url: str | None = None,
    source: str = "",
) -> Api:
    """The model of `document`; `problems` (from validation) are linked to operations."""
    return attach_problems(build_model(document, knowledge=knowledge, base_url=base_url, source=source), problems)


def attach_problems(api: Api, problems: Iterable[Problem]) -> Api:
    """`api` with validation problems added and linked from each affected operation."""
    all_problems = tuple(sorted({*api.problems, *problems}))
    tags = tuple(
        replace(tag, operations=tuple(replace(op, problems=_problems_of(op, all_problems)) for op in tag.operations))
        for tag in api.tags
    )
    return replace(api, tags=tags, problems=all_problems)


def _problems_of(op: Operation, problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    roots = (op.pointer + "/", *(ref[1:] + "/" for ref in op.uses))
    return tuple(p for p in problems if (p.pointer + "/").startswith(roots))


def build_model(document: dict, *, knowledge: Knowledge, base_url: str | None = None, source: str = "",
                shared: SharedChecks | None = None) -> Api:
    """The model with the problems found while building it (not the validator's).
    `shared`: example checks shared with the models of other specs (see closures.py)."""
    resolver = Resolver(document)
    ctx = _Context(
        document=document,
        knowledge=knowledge,
        resolver=resolver,
        registry=SchemaRegistry(resolver),
        examples=ExampleMaker(
            resolver, knowledge.example_values, str(document.get("openapi", "")).startswith("3.1"),
            until_names=knowledge.until_properties, until_value=knowledge.until_example, shared=shared,
        ),
        base_path=_base_path(document, knowledge),
        base_url=base_url or knowledge.default_base_url,
        schemes=_security_schemes(document),
        problems=[],
    )
    info = _dict(document.get("info"))
    paths = document.get("paths")
    if not isinstance(paths, dict):
        ctx.problems.append(Problem("/paths", "Structure", "the spec has no 'paths' object: no operations to show", source="model"))
        paths = {}
    operations = [replace(op, uses=tuple(sorted(_reachable(ctx, op)))) for op in _operations(ctx, paths)]
    return Api(
        title=_str(info.get("title")) or "API",
        version=_str(info.get("version")),
        description=_str(info.get("description")),
        openapi=_str(document.get("openapi")),
        base_path=ctx.base_path,
        base_url=ctx.base_url,
        source=source,
        tags=_group_by_tag(document, operations),
        security_schemes=tuple(ctx.schemes.values()),
        components=dict(ctx.registry.components),
        problems=tuple(sorted({*ctx.problems, *resolver.problems.values()})),
    )


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _base_path(document: dict, knowledge: Knowledge) -> str:
    servers = document.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = "".join(_str(servers[0].get("url")).split())
        path = urlsplit(url).path if "://" in url else url
        if path.startswith("/"):
            # only characters a path may hold; anything else is percent-encoded
            return quote(path, safe="/-._~%!$&'()*+,;=:@").rstrip("/")
    return knowledge.base_path.rstrip("/")


def _security_schemes(document: dict) -> dict[str, SecurityScheme]:
    raw = _dict(_dict(document.get("components")).get("securitySchemes"))
    schemes = {}
    for name, scheme in raw.items():
        scheme = _dict(scheme)
        kind = scheme.get("type")
        if kind == "http":
            kind = SCHEME_KIND.get(_str(scheme.get("scheme")).lower(), "other")
        elif kind == "apiKey":
            kind = "apikey"
        elif kind in ("oauth2", "openIdConnect"):
            kind = "oauth2"
        else:
            kind = "other"
        schemes[str(name)] = SecurityScheme(str(name), kind, _str(scheme.get("description")))
    return schemes


def _operations(ctx: _Context, paths: dict) -> Iterable[Operation]:
    anchors = SlugSet()
    for path, item in paths.items():
        item_ptr = pointer("paths", path)
        item, _, error = ctx.resolver.follow(item, item_ptr)
        if not isinstance(item, dict):
            if error is None:
                ctx.problems.append(Problem(item_ptr, "Structure", "path item is not an object", source="model"))
            continue
        shared = item.get("parameters") if isinstance(item.get("parameters"), list) else []
        for method in HTTP_METHODS:
            raw = item.get(method)
            if raw is None:
                continue
            op_ptr = f"{item_ptr}/{method}"
            if not isinstance(raw, dict):
                ctx.problems.append(Problem(op_ptr, "Structure", "operation is not an object", source="model"))
                continue
            yield _operation(ctx, str(path), method, raw, op_ptr, shared, item_ptr, anchors)


def _operation(
    ctx: _Context, path: str, method: str, raw: dict, op_ptr: str, shared: list, item_ptr: str, anchors: SlugSet
) -> Operation:
    tags = raw.get("tags")
    tag = _str(tags[0]) if isinstance(tags, list) and tags and _str(tags[0]).strip() else UNTAGGED
    params = _parameters(ctx, shared, f"{item_ptr}/parameters", raw.get("parameters"), f"{op_ptr}/parameters")
    auth = _auth(ctx, raw, op_ptr)
    body, body_value, body_media = _request_body(ctx, raw.get("requestBody"), f"{op_ptr}/requestBody")
    responses = _responses(ctx, raw.get("responses"), f"{op_ptr}/responses")
    full_path = ctx.base_path + path
    filled = lambda where, only_required: tuple(  # noqa: E731
        (p.name, json.loads(p.example))
        for p in params
        if p.location == where and p.example is not None and (p.required or not only_required)
    )
    example = ExampleRequest(
        method=method.upper(),
        full_path=full_path,
        auth_mode=auth_mode(auth),
        path_values=filled("path", False),
        query=filled("query", True),
        headers=filled("header", True),
        media_type=body_media,
        body=body_value,
        accept=_accept(responses),
    )
    return Operation(
        method=method.upper(),
        path=path,
        full_path=full_path,
        pointer=op_ptr,
        tag=tag,
        page="",
        anchor=anchors.claim(operation_anchor(method, path)),
        summary=_str(raw.get("summary")).strip(),
        description=_str(raw.get("description")).strip(),
        deprecated=raw.get("deprecated") is True,
        auth=auth,
        parameters=params,
        body=body,
        responses=responses,
        example=example,
        curl=build_curl(example, base_url=ctx.base_url, knowledge=ctx.knowledge),
        python=python_code(example, base_url=ctx.base_url, knowledge=ctx.knowledge),
        javascript=javascript_code(example, base_url=ctx.base_url, knowledge=ctx.knowledge),
        problems=(),
        uses=(),
    )


def _parameters(ctx: _Context, shared: list, shared_ptr: str, own: object, own_ptr: str) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], Parameter] = {}
    for raw_list, base in ((shared, shared_ptr), (own if isinstance(own, list) else [], own_ptr)):
        for i, raw in enumerate(raw_list):
            param = _parameter(ctx, raw, f"{base}/{i}")
            if param is not None:
                merged[(param.name, param.location)] = param  # the operation's own wins
    order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
    return tuple(sorted(merged.values(), key=lambda p: (order.get(p.location, 4), not p.required)))


def _parameter(ctx: _Context, raw: object, where: str) -> Parameter | None:
    target, ref, error = ctx.resolver.follow(raw, where)
    if error is not None:  # shown as unresolved rather than dropped
        return Parameter(
            name=component_name(ref or "?"), location="?", required=False, description="",
            schema=SchemaNode(type="?", unresolved=error), example=None, pointer=where,
        )
    if not isinstance(target, dict):
        ctx.problems.append(Problem(where, "Structure", "parameter is not an object", source="model"))
        return None
    at = ref[1:] if ref else where
    name, location = _str(target.get("name")), _str(target.get("in"))
    if not name or not location:
        ctx.problems.append(Problem(at, "Structure", "parameter lacks 'name' or 'in'", source="model"))
        return None
    raw_schema = target.get("schema", {})
    schema = ctx.registry.node(raw_schema, f"{at}/schema")
    value = _param_example(ctx, target, raw_schema, f"{at}/schema", name)
    return Parameter(
        name=name,
        location=location,
        required=target.get("required") is True or location == "path",
        description=_str(target.get("description")),
        schema=schema,
        example=None if value is MISSING else to_json(value),
        deprecated=target.get("deprecated") is True,
        pointer=at,
    )


def _param_example(ctx: _Context, raw: dict, schema: object, schema_ptr: str, name: str) -> object:
    """The spec's example when it fits (and is not empty in a path), else a synthesized one."""
    candidates = []
    if "example" in raw:
        candidates.append(raw["example"])
    examples = raw.get("examples")
    if isinstance(examples, dict):
        candidates += [e["value"] for e in examples.values() if isinstance(e, dict) and "value" in e]
    for value in candidates:
        if value in ("", None) and raw.get("in") == "path":
            continue
        if ctx.examples.fits(value, schema_ptr):
            return value
    value = ctx.examples.value(schema, schema_ptr, name=name)
    return value


def _auth(ctx: _Context, raw: dict, op_ptr: str) -> tuple[str, ...]:
    requirements = raw.get("security", ctx.document.get("security", []))
    if not isinstance(requirements, list):
        return ()
    kinds: list[str] = []
    for i, requirement in enumerate(requirements):
        if not isinstance(requirement, dict):
            continue
        if not requirement:
            return ()  # an empty requirement makes credentials optional
        for name in requirement:
            scheme = ctx.schemes.get(str(name))
            if scheme is None:
                ctx.problems.append(
                    Problem(f"{op_ptr}/security/{i}", "Undefined security schemes",
                            f"security scheme {name!r} is not defined in components.securitySchemes", "warning", "model")
                )
                kind = "bearer" if "bearer" in str(name).lower() else ("basic" if "basic" in str(name).lower() else "other")
            else:
                kind = scheme.kind
            if kind not in kinds:
                kinds.append(kind)
    return tuple(kinds)


def _request_body(ctx: _Context, raw: object, where: str) -> tuple[Body | None, object, str | None]:
    if raw is None:
        return None, None, None
    target, ref, error = ctx.resolver.follow(raw, where)
    if not isinstance(target, dict):
        return Body(False, error or "", ()), None, None
    at = ref[1:] if ref else where
    media = _media(ctx, target.get("content"), f"{at}/content", purpose="request")
    first = media[0] if media else None
    value: object = first.example if first else None
    if first and first.example is not None and first.example_origin:
        try:
            value = json.loads(first.example)
        except ValueError:
            pass  # a text example
    body = Body(target.get("required") is True, _str(target.get("description")), media)
    return body, value, first.media_type if first else None


def _responses(ctx: _Context, raw: object, where: str) -> tuple[Response, ...]:
    if not isinstance(raw, dict):
        return ()
    result = []
    for status, response in raw.items():
        at = f"{where}{pointer(status)}"
        target, ref, error = ctx.resolver.follow(response, at)
        if not isinstance(target, dict):
            result.append(Response(str(status), error or "", ()))
            continue
        inner = ref[1:] if ref else at
        description = _str(target.get("description")).strip() or _phrase(str(status))
        # an error's example says what the spec says of it, not "message"
        hints = {"message": description} if str(status)[:1] in ("4", "5") else None
        media = _media(ctx, target.get("content"), f"{inner}/content", purpose="response", hints=hints)
        result.append(Response(str(status), description, media))
    return tuple(sorted(result, key=lambda r: r.status))


def _accept(responses: tuple[Response, ...]) -> str:
    """The media type a request asks for: JSON, unless no success answer is JSON (a download)."""
    offered = [media.media_type for r in responses if r.status.startswith("2") for media in r.media]
    if not offered or any("json" in media_type for media_type in offered):
        return "application/json"
    return offered[0]


def _phrase(status: str) -> str:
    """The standard reason phrase, for responses the spec leaves undescribed."""
    try:
        return http.HTTPStatus(int(status)).phrase
    except ValueError:
        return ""


def _media(
    ctx: _Context, content: object, where: str, *, purpose: str, hints: dict[str, object] | None = None
) -> tuple[Media, ...]:
    if not isinstance(content, dict):
        return ()
    result = []
    for media_type, media in content.items():
        at = f"{where}{pointer(media_type)}"
        media = media if isinstance(media, dict) else {}
        raw_schema = media.get("schema")
        schema = ctx.registry.node(raw_schema, f"{at}/schema") if raw_schema is not None else None
        example, origin, note, members = _media_example(ctx, media, raw_schema, f"{at}/schema", purpose, hints)
        result.append(Media(str(media_type), schema, example, origin, note, members, pointer=at))
    return tuple(result)


def _media_example(
    ctx: _Context, media: dict, raw_schema: object, schema_ptr: str, purpose: str, hints: dict[str, object] | None
) -> tuple[str | None, str, str, tuple[str, ...]]:
    """(example text, origin, note, members): the spec's example when it fits ("spec"),
    the same without what would mislead a reader ("repaired"), else a synthesized one.
    The note says why, as a key of the labels' `example_notes`; with "overlap", the
    members are the `null` ones that rule the other alternatives out."""
    candidates = []
    if "example" in media:
        candidates.append(media["example"])
    examples = media.get("examples")
    if isinstance(examples, dict):
        for value in examples.values():
            # EMQX often gives bare values where Example Objects belong
            candidates.append(value["value"] if isinstance(value, dict) and "value" in value else value)
    if raw_schema is None:
        return (_pretty(candidates[0]), "spec", "", ()) if candidates else (None, "", "", ())
    made: list = []  # synthesized only when needed: (value, fits)

    def synthesized() -> tuple[object, bool]:
        if not made:
            made.append(ctx.examples.checked_value(raw_schema, schema_ptr, purpose=purpose, hints=hints))
        return made[0]

    for value in candidates:
        if value in ({}, []) and synthesized()[1] and synthesized()[0] not in (MISSING, {}, []):
            continue  # an empty example teaches nothing when the schema says more
        repaired = ctx.examples.repaired(value, raw_schema, schema_ptr, purpose)
        if repaired != value and ctx.examples.fits(repaired, schema_ptr):
            return _pretty(repaired), "repaired", "repaired", ()
        if repaired == value and ctx.examples.fits(value, schema_ptr):
            return _pretty(value), "spec", "", ()
    made_value, fits = synthesized()
    if made_value is MISSING:
        return None, "", "", ()
    note, members = ("mismatch" if candidates else ""), ()
    if fits and ctx.examples.ruled_out:
        note, members = "overlap", tuple(ctx.examples.ruled_out)
        ctx.problems.append(
            Problem(schema_ptr, "Schemas no value can satisfy", "no natural value matches exactly one of its oneOf "
                    "alternatives; they overlap", "warning", "model")
        )
    if not fits and schema_ptr in ctx.examples.unusable:
        note = "malformed"
    elif not fits:
        note = "no_exact"
        ctx.problems.append(
            Problem(schema_ptr, "Schemas no value can satisfy", "no value matches exactly one of its oneOf alternatives; "
                    "they overlap", "warning", "model")
        )
    return _pretty(made_value), "synthesized", note, members


def _pretty(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2)


def _reachable(ctx: _Context, op: Operation) -> set[str]:
    """Component refs an operation uses, directly or through other components."""
    found: set[str] = set()
    stack: list[SchemaNode] = [p.schema for p in op.parameters]
    for holder in ([op.body] if op.body else []) + list(op.responses):
        stack += [m.schema for m in holder.media if m.schema is not None]
    while stack:
        node = stack.pop()
        if node.ref:
            if node.ref in found:
                continue
            found.add(node.ref)
            target = ctx.registry.component(node.ref)
            if target is not None:
                stack.append(target)
            continue
        stack.extend(node.properties)
        stack.extend(node.variants)
        stack.extend(n for n in (node.items, node.additional) if n is not None)
    return found


METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


def reading_order(op: Operation) -> tuple:
    """Where an operation goes on its tag page: by path, segment by segment, so that a
    collection comes before its items and an item before what hangs under it
    (`/clients` < `/clients/{clientid}` < `/clients/{clientid}/subscriptions`); at one
    level a `{parameter}` segment, the item, comes before its literal siblings
    (`/clients/kickout`), which follow by name. Then by method: GET, POST, PUT, PATCH,
    DELETE, others after. Anchors are not affected: they were claimed in spec order."""
    segments = tuple(
        (0 if s.startswith("{") and s.endswith("}") else 1, s.lower(), s) for s in op.path.strip("/").split("/") if s
    )
    return segments, METHOD_ORDER.get(op.method, len(METHOD_ORDER)), op.method, op.path


def _group_by_tag(document: dict, operations: list[Operation]) -> tuple[Tag, ...]:
    declared = [t for t in document.get("tags", []) if isinstance(t, dict)] if isinstance(document.get("tags"), list) else []
    descriptions = {_str(t.get("name")): _str(t.get("description")) for t in declared}
    by_tag: dict[str, list[Operation]] = {}
    for op in operations:
        by_tag.setdefault(op.tag, []).append(op)
    order = [n for n in descriptions if n in by_tag] + sorted(n for n in by_tag if n not in descriptions)
    slugs = SlugSet({HEALTH_SLUG, CHANGES_SLUG})
    tags = []
    for name in order:
        slug = slugs.claim(slugify(name, fallback="tag"))
        page = f"reference/{slug}.md"
        ops = tuple(replace(op, page=page) for op in sorted(by_tag[name], key=reading_order))
        tags.append(Tag(name, slug, descriptions.get(name, ""), ops))
    return tuple(tags)
