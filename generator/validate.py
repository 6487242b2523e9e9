"""One validation gate: openapi-spec-validator's findings as Problems with JSON pointers."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from openapi_spec_validator.schemas import schema_v30, schema_v31
from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator, OpenAPIV31SchemaValidator

from .problems import Problem, pointer, unescape_pointer
from .refs import containers, rust_panic

if TYPE_CHECKING:
    from .sharedfindings import SharedFindings

KIND_BY_KEYWORD = {
    "additionalProperties": "Keys that OpenAPI does not allow (extensions need an x- prefix)",
    "required": "Required keys missing",
    "type": "Values of the wrong type",
    "enum": "Values outside their allowed set",
    "oneOf": "Objects that match no allowed form",
    "anyOf": "Objects that match no allowed form",
    "format": "Values of the wrong format",
}
DEFAULT_KIND = "Other schema violations"
STOPPED_KIND = "Validation stopped"
VALUE_KIND = "Defaults and enum values that break their own schema"
MAX_SHOWN = 160


def _refuse(uri: str) -> dict:
    """The validator's loader for other documents: nothing is ever read or fetched."""
    return {}


NO_RETRIEVAL = {"<all_urls>": _refuse, "http": _refuse, "https": _refuse, "file": _refuse}


class _SeenIds(set):
    """The schema checker's record of the schemas it has seen, as a set. The library
    keeps a list and searches it once per schema: quadratic, and a third of the checks'
    time on EMQX's 2,000 schemas. Same answers, found by hashing."""

    append = set.add


def _remembering_by_set(checker: type) -> type:
    class Checker(checker):
        def __init__(self, registry: object) -> None:
            super().__init__(registry)
            self.visited_schema_ids = _SeenIds()
            self.meta_checked_schema_ids = _SeenIds()

        def _validate_schema_meta(self, schema: object, schema_value: object) -> object:
            err = super()._validate_schema_meta(schema, schema_value)
            if err is not None:  # its path starts at this schema object: say which one
                err.checked_schema = schema_value
            return err

    return Checker


class _SchemaChecker30(_remembering_by_set(OpenAPIV30SchemaValidator)):
    def _validate_schema_meta(self, schema: object, schema_value: object) -> object:
        """Each schema against JSON Schema draft 4, the library's check, asked only when
        jsonschema-rs cannot vouch for the schema: over half of the checks' time."""
        if _surely_draft4(schema_value):
            return None
        return super()._validate_schema_meta(schema, schema_value)


def _surely_draft4(value: object) -> bool:
    """True only when the library's check of `value` against the draft 4 metaschema
    would find nothing: jsonschema-rs finds nothing, and every `pattern` in it compiles
    as a Python regular expression (the one format that metaschema asks for, checked
    the library's way). False means: ask the library."""
    try:
        if not _fast_draft4_checker().is_valid(value):
            return False
    except Exception:  # no jsonschema-rs, or a value it cannot take
        return False
    patterns = (node.get("pattern") for node in containers(value) if isinstance(node, dict))
    return all(_compiles(p) for p in patterns if isinstance(p, str))


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


@functools.cache
def _fast_draft4_checker():  # noqa: ANN202 (a jsonschema_rs validator)
    import jsonschema_rs

    return jsonschema_rs.Draft4Validator(OpenAPIV30SchemaValidator.schema_validator_cls.META_SCHEMA, validate_formats=False)


class _V30(OpenAPIV30SpecValidator):
    resolver_handlers = NO_RETRIEVAL
    keyword_validators = {**OpenAPIV30SpecValidator.keyword_validators, "schema": _SchemaChecker30}


class _V31(OpenAPIV31SpecValidator):
    resolver_handlers = NO_RETRIEVAL
    keyword_validators = {
        **OpenAPIV31SpecValidator.keyword_validators,
        "schema": _remembering_by_set(OpenAPIV31SchemaValidator),
    }


# The validator's two passes, independent of each other, so they can run at once:
# the whole document against OpenAPI's JSON Schema, then its checks of each object
# (references, schemas, defaults and enums against their own schema, parameters).
PARTS = ("document", "objects")


def validate(document: dict, parts: Iterable[str] = PARTS, shared: SharedFindings | None = None,
             keep: bool = True) -> list[Problem]:
    """Every problem the OpenAPI validator finds in `parts` (both by default), sorted by pointer.

    External references are never followed (the model reports them): the validator
    sees a copy in which they are empty objects, and cannot fetch anything.
    `shared`: what the object pass found in the specs validated before (see
    sharedfindings.py): what is the same here is not checked again, and, with `keep`,
    what this one finds is added for the next. The problems are the same without it.
    """
    version = str(document.get("openapi", ""))
    validator_cls = _V31 if version.startswith("3.1") else _V30
    locations, external, aliased = _locations(document)
    if external:
        document = _without_external_refs(document)
        locations, _, aliased = _locations(document)
    problems: set[Problem] = set()
    for part in parts:
        if part == "document":
            checked = _worth_checking(document) if validator_cls is _V30 else document
            found = locations if checked is document else _locations(checked)[0]
            problems |= _found(_document_checker(validator_cls).iter_errors(checked), found, Facts(checked))
        else:
            problems |= _objects(validator_cls, document, locations, shared if not aliased else None, keep)
    return sorted(problems)


def _objects(validator_cls: type, document: dict, locations: dict[int, str], shared: SharedFindings | None,
             keep: bool) -> set[Problem]:
    """The object pass's problems; with `shared` (OpenAPI 3.0 only), taking what it can
    from the specs before, or, when that walk cannot vouch for its result, walking plainly."""
    validator = validator_cls(document)
    if shared is None or validator_cls is not _V30:
        return _found(validator.root_validator(validator.schema_path), locations, Facts(document))
    walk = shared.walk(validator, document, locations, _to_problem, keep)
    found = _found(walk.run(), locations, Facts(document))
    return found if walk.sound else _objects(validator_cls, document, locations, None, keep)


class Facts:
    """What turning a finding into a Problem reads of the document, besides where each
    of its objects is: whether it has a key at the top, and whether the object at a
    pointer has a `default`."""

    def __init__(self, document: dict) -> None:
        self.document = document

    def has_key(self, key: object) -> bool:
        return key in self.document

    def has_default(self, where: str) -> bool:
        return _is_default(where, self.document)


@functools.cache
def _document_checker(validator_cls: type) -> Validator:
    """The Python jsonschema validator for OpenAPI's own JSON Schema. Chosen here, not
    left to openapi-spec-validator, which takes jsonschema-rs when it is installed and
    then words its findings differently."""
    schema = dict(schema_v31 if validator_cls is _V31 else schema_v30)  # the library's copy
    return validator_for(schema)(schema)


def _worth_checking(document: dict) -> dict:
    """`document` with each path item and component schema in which jsonschema-rs finds
    nothing replaced by `{}` (valid in both places), so the Python validator, whose
    findings are reported, walks only the parts with problems: the same findings, in a
    fiftieth of the time on EMQX's specs. Without jsonschema-rs, the whole document."""
    try:
        failing = [tuple(e.instance_path) for e in _fast_document_checker().iter_errors(document)]
    except Exception:  # no jsonschema-rs, or a document it cannot take: check all of it
        return document

    def clean(*where: str) -> bool:  # no finding inside it, at it, or above it
        return not any(path[: len(where)] == where or where[: len(path)] == path for path in failing)

    pruned = dict(document)
    if isinstance(paths := document.get("paths"), dict):
        pruned["paths"] = {k: {} if clean("paths", k) else v for k, v in paths.items()}
    components = document.get("components")
    if isinstance(components, dict) and isinstance(schemas := components.get("schemas"), dict):
        schemas = {k: {} if clean("components", "schemas", k) else v for k, v in schemas.items()}
        pruned["components"] = {**components, "schemas": schemas}
    return pruned


@functools.cache
def _fast_document_checker():  # noqa: ANN202 (a jsonschema_rs validator)
    import jsonschema_rs

    return jsonschema_rs.validator_for(_document_checker(_V30).schema)


def _found(errors: Iterator[ValidationError | Problem], locations: dict[int, str], facts: Facts) -> set[Problem]:
    """The Problems of `errors` (some may come as Problems already: see sharedfindings.py)."""
    problems: set[Problem] = set()
    while True:
        try:
            err = next(errors)
        except StopIteration:
            break
        except BaseException as exc:  # the validator gave up part-way: keep what it found
            if isinstance(exc, RecursionError) or rust_panic(exc):
                problems.add(Problem("", STOPPED_KIND, "validation stopped: the spec is nested too deeply"))
            elif isinstance(exc, Exception):
                problems.add(Problem(_stopped_at(exc), STOPPED_KIND, f"validation stopped early: {_stopped_reason(exc)}"))
            else:
                raise
            break
        problems.add(err if isinstance(err, Problem) else _to_problem(err, locations, facts))
    return problems


def _external(node: object) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#")


def _without_external_refs(document: dict) -> dict:
    """A copy of `document` with every non-local `$ref` object made empty."""

    def strip(node: object) -> object:
        if _external(node):
            return {}
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(document)  # type: ignore[return-value]


def _stopped_at(exc: Exception) -> str:
    ref = getattr(exc, "ref", None)
    return ref[1:] if isinstance(ref, str) and ref.startswith("#") else ""


def _stopped_reason(exc: Exception) -> str:
    ref = getattr(exc, "ref", None)
    if isinstance(ref, str):
        return f"a reference to {ref!r} cannot be followed; problems past it are not listed"
    return type(exc).__name__


def _to_problem(err: ValidationError, locations: dict[int, str], facts: Facts) -> Problem:
    if id(err.schema) not in locations:
        detail = _cause(err)
        kind = KIND_BY_KEYWORD.get(_keyword(detail), DEFAULT_KIND)
        path = list(detail.absolute_path)
        checked = getattr(err, "checked_schema", None)
        if checked is not None and id(checked) in locations:  # a metaschema check of one schema object
            where = locations[id(checked)] + pointer(*path)
        elif (not path or not facts.has_key(path[0])) and id(detail.instance) in locations:
            where = locations[id(detail.instance)]
        else:
            where = pointer(*path)
        return Problem(where, kind, _message(detail))
    # Keyword validators check defaults against their own schema; those errors carry
    # no document path, so the schema object is found by identity.
    root = _schema_root(err, locations)
    where = root + ("/default" if facts.has_default(root) else "")
    return Problem(where + pointer(*err.path), VALUE_KIND, _message(err))


def _cause(err: ValidationError) -> ValidationError:
    """The most specific reason behind a oneOf/anyOf failure.

    OpenAPI's meta-schema offers "a Reference or a Schema" everywhere; the Reference
    branch always fails with "'$ref' is a required property", which hides the cause.
    """
    while err.context:
        alternatives = [
            c for c in err.context if not (c.validator == "required" and "'$ref'" in c.message)
        ]
        if not alternatives:
            break
        err = best_match(alternatives)
    return err


def _schema_root(err: ValidationError, locations: dict[int, str]) -> str:
    where = locations.get(id(err.schema), "")
    navigation = list(err.relative_schema_path)[:-1]
    for part in reversed(navigation):
        suffix = pointer(part)
        if where.endswith(suffix):
            where = where[: -len(suffix)]
    return where


def _is_default(root: str, document: dict) -> bool:
    node: object = document
    for part in unescape_pointer(root):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return isinstance(node, dict) and "default" in node


def _locations(document: dict) -> tuple[dict[int, str], bool, bool]:
    """id(node) -> JSON pointer for every dict and list (iteratively), whether any
    `$ref` points outside the document, and whether a node is in two places (a YAML
    alias: the pointer it gets is then one of them)."""
    found: dict[int, str] = {}
    external = aliased = False
    stack: list[tuple[object, str]] = [(document, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            if id(node) in found:
                aliased = True
                continue
            found[id(node)] = where
            external = external or _external(node)
            stack.extend((v, f"{where}{pointer(k)}") for k, v in node.items())
        elif isinstance(node, list):
            if id(node) in found:
                aliased = True
                continue
            found[id(node)] = where
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))
    return found, external, aliased


def _message(err: ValidationError) -> str:
    keyword = _keyword(err)
    unknown = _unknown_keys(err) if keyword == "additionalProperties" else []
    if unknown:  # found from the instance: jsonschema's wording of this error changes between releases
        names = ", ".join(repr(name) for name in unknown)
        return f"{names} {'is not an OpenAPI key' if len(unknown) == 1 else 'are not OpenAPI keys'} here; " \
            "extension keys must start with 'x-'"
    if keyword == "oneOf" and isinstance(err.instance, dict):
        return "does not match exactly one of the allowed forms"
    return _short(err.message)


def _keyword(err: ValidationError) -> str:
    """The schema keyword that failed. openapi-spec-validator 0.9 wraps some errors in
    one of its own, whose `validator` is unset; the schema path still ends with it."""
    keyword = err.validator
    if isinstance(keyword, str):
        return keyword
    path = list(err.schema_path)
    return str(path[-1]) if path else ""


def _unknown_keys(err: ValidationError) -> list[str]:
    """The keys an object may not have where the schema allows extensions (`^x-`) besides
    its properties; [] when the schema has no such pattern."""
    schema, instance = err.schema, err.instance
    if not isinstance(err.validator, str):  # wrapped (see _keyword): both are the whole documents
        schema, instance = _walk(schema, list(err.schema_path)[:-1]), _walk(instance, list(err.path))
    if not (isinstance(schema, dict) and isinstance(instance, dict) and schema.get("patternProperties")):
        return []
    known, patterns = schema.get("properties") or {}, list(schema["patternProperties"])
    return [str(k) for k in instance if k not in known and not any(re.search(p, str(k)) for p in patterns)]


def _walk(node: object, path: list) -> object:
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def group(problems: Iterable[Problem]) -> Iterator[tuple[str, list[Problem]]]:
    """Problems grouped by kind, largest group first, then by name."""
    by_kind: dict[str, list[Problem]] = {}
    for problem in problems:
        by_kind.setdefault(problem.kind, []).append(problem)
    for kind in sorted(by_kind, key=lambda k: (-len(by_kind[k]), k)):
        yield kind, by_kind[kind]
