"""Example values synthesized from raw schemas, checked against the schema they serve.

An example is what a reader pastes, so beyond validating it must not teach a trap:
request examples leave deprecated properties out, and a time that means "until" (an
expiry) is the schema's default or a time in the future, never the spec's past date.
A spec's own example that breaks only those rules is repaired rather than replaced.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from referencing import Registry, Specification
from referencing.jsonschema import DRAFT4, DRAFT202012

from .closures import Closures, SharedChecks
from .refs import Resolver, rust_panic

SPEC_URI = "urn:emqx-apidocs:spec"
FULL_DEPTH = 4  # above this depth every property is shown (within a budget); deeper, only required ones
PROPERTY_BUDGET = 60  # optional properties one example shows at most
PER_OBJECT = 12  # and one object of it, so that a long item leaves room for `meta`
MAX_DEPTH = 8
MAX_BRANCHES = 12  # oneOf/anyOf branches tried when the first does not validate
MAX_PRUNES = 12
CAREFUL_UNION = 6  # unions up to this many alternatives have each member's choice checked  # rounds of leaving out what the validator objects to
STRING_BY_FORMAT = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00",
    "email": "user@example.com",
    "uri": "http://127.0.0.1:8080/path",
    "url": "http://127.0.0.1:8080/path",
    "uuid": "3f8b3c1e-2a4d-4c6e-9f10-1a2b3c4d5e6f",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "localhost",
    "byte": "aGVsbG8=",
    "binary": "",
    "password": "secret",
}
MISSING = object()


def _remembering(maker: ExampleMaker) -> type:
    """OpenAPI 3.0's validator with `maker`'s remembering `$ref` keyword."""
    plain = OAS30Validator.VALIDATORS["$ref"]
    return extend(OAS30Validator, {"$ref": lambda *args: maker._remembered_ref(plain, *args)})


@dataclass
class ExampleMaker:
    """Makes a value for a schema; `fits` tells whether a value validates against it."""

    resolver: Resolver
    hints: dict[str, object] = field(default_factory=dict)
    openapi_31: bool = False
    until_names: frozenset[str] = frozenset()  # properties whose time means "until"
    until_value: str = "2035-01-01T00:00:00Z"
    _validators: dict[str, object] = field(default_factory=dict)
    _registry: Registry | None = None
    _budget: int = PROPERTY_BUDGET  # optional properties the example being made may still show
    _careful: bool = True  # check each union's choice and each spec value inside a union as it is made
    _fit_cache: dict[tuple[str, str], bool] = field(default_factory=dict)
    ruled_out: tuple[str, ...] = ()  # members the last value got only to rule out other alternatives
    unusable: set[str] = field(default_factory=set)  # pointers of schemas too broken to check a value against
    shared: SharedChecks | None = None  # checks shared with the models of other specs (a site of several versions)
    _closures: Closures | None = None
    _checkers: dict[str, object] = field(default_factory=dict)  # where -> the validator `fits` asks (see _checker)
    _remembering: type | None = None  # the class of those validators
    _texts: dict[int, tuple[object, str | None]] = field(default_factory=dict)  # during one check: id -> (value, JSON)

    def fits(self, value: object, where: str) -> bool:
        """Whether `value` is valid against the schema at JSON pointer `where`."""
        try:
            key = (where, json.dumps(value, sort_keys=True))
        except (TypeError, ValueError):
            key = None
        if key is not None and key in self._fit_cache:
            return self._fit_cache[key]
        shared_key = self._shared_key(where, key[1]) if key is not None else None
        if shared_key is not None and shared_key in self.shared.results:  # type: ignore[union-attr]
            fits, unusable = self.shared.results[shared_key]  # type: ignore[union-attr]
        else:
            try:
                fits, unusable = self._checker(where).is_valid(value), False
            except BaseException as exc:  # a broken schema, or one reaching outside the spec, vouches for nothing
                if not isinstance(exc, Exception) and not rust_panic(exc):
                    raise
                fits, unusable = False, True
            finally:
                self._texts.clear()
            if shared_key is not None:
                self.shared.results[shared_key] = (fits, unusable)  # type: ignore[union-attr]
        if unusable:
            self.unusable.add(where)
        if key is not None:
            self._fit_cache[key] = fits
        return fits

    def _shared_key(self, where: str, value: str) -> tuple[str, str] | None:
        """The key of this check among those shared with other specs' models, if any."""
        if self.shared is None:
            return None
        if self._closures is None:
            self._closures = Closures(self.resolver)
        digest = self._closures.digest(where)
        return (digest, value) if digest is not None else None

    def _validator(self, where: str):  # noqa: ANN202 (a jsonschema validator)
        found = self._validators.get(where)
        if found is None:
            found = self._validators[where] = self._compile(where)
        return found

    def _checker(self, where: str):  # noqa: ANN202 (a jsonschema validator)
        """The validator `fits` asks. With checks shared between models (OpenAPI 3.0), one
        whose `$ref`s remember, in the shared checks, whether a value fits what they point
        to (see `_remembered_ref`): a union's alternatives that did not change are not
        checked again when one that did makes the union's check new."""
        if self.shared is None or self.openapi_31:
            return self._validator(where)
        found = self._checkers.get(where)
        if found is None:
            if self._remembering is None:
                self._remembering = _remembering(self)
            found = self._checkers[where] = self._compile(where, self._remembering)
        return found

    def _remembered_ref(self, plain, validator, ref, instance, schema):  # noqa: ANN001, ANN202 (jsonschema's keyword)
        """jsonschema's `$ref` keyword, its answer remembered by the digest of what `ref`
        points to, with all it reaches, and the value as JSON. A value fits a schema or
        not whoever asks (draft 4 has no dynamic scope, and validity is all `fits` asks:
        when it did not fit, one error stands for all). A reference that is not a plain
        local pointer, or that a schema's `id` sends elsewhere (its lookup fails then),
        is never remembered."""
        key = self._ref_key(ref, instance)
        known = self.shared.refs.get(key) if key is not None else None  # type: ignore[union-attr]
        if known is False:
            yield ValidationError(f"does not fit {ref}")
            return
        if known:
            return
        errors = iter(plain(validator, ref, instance, schema))
        first = next(errors, None)
        if key is not None:
            self.shared.refs[key] = first is None  # type: ignore[union-attr]
        if first is not None:
            yield first
            yield from errors

    def _ref_key(self, ref: object, instance: object) -> tuple[str, str] | None:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return None
        if self._closures is None:
            self._closures = Closures(self.resolver)
        digest = self._closures.digest(ref[1:])
        if digest is None:
            return None
        kept = self._texts.get(id(instance))
        if kept is None or kept[0] is not instance:
            try:
                text = json.dumps(instance, sort_keys=True)
            except (TypeError, ValueError):
                text = None
            kept = self._texts[id(instance)] = (instance, text)
        return (digest, kept[1]) if kept[1] is not None else None

    def _compile(self, where: str, validator_class: type = OAS30Validator):  # noqa: ANN202
        if self.resolver.endless(where):
            raise ValueError(f"checking a value against {where} would never end")
        if self._registry is None:
            spec: Specification = DRAFT202012 if self.openapi_31 else DRAFT4
            self._registry = Registry().with_resource(SPEC_URI, spec.create_resource(self.resolver.document))
        fragment = quote(where, safe="/~!$&'()*+,;=:@")  # a pointer is URI-encoded in a fragment
        resolved = self._registry.resolver(base_uri=SPEC_URI).lookup(f"{SPEC_URI}#{fragment}")
        # formats are checked, as a validating server (Prism, EMQX) checks them: without
        # that, "infinity" matches both a date-time branch and an enum branch of a oneOf
        if self.openapi_31:
            return OAS31Validator(resolved.contents, _resolver=resolved.resolver, format_checker=oas31_format_checker)
        return validator_class(resolved.contents, _resolver=resolved.resolver, format_checker=oas30_format_checker)

    def value(self, schema: object, where: str, *, name: str = "", purpose: str = "request") -> object:
        """A value for `schema` (found at `where`); see `checked_value`."""
        return self.checked_value(schema, where, name=name, purpose=purpose)[0]

    def checked_value(
        self, schema: object, where: str, *, name: str = "", purpose: str = "request",
        hints: dict[str, object] | None = None,
    ) -> tuple[object, bool]:
        """(value, whether it validates) for `schema` found at JSON pointer `where`.

        The first candidate that validates wins: every property down to FULL_DEPTH, that
        one with the properties that break it left out, then required properties only,
        then other oneOf/anyOf branches. When none does (EMQX has unions whose branches
        overlap, so no value matches exactly one), the fullest candidate is returned
        with False. `hints` are example values by property name for this value only.
        """
        saved = self.hints
        self.ruled_out = ()
        if hints:
            self.hints = {**self.hints, **{k.lower(): v for k, v in hints.items()}}
        try:
            return self._first_fitting(schema, where, name, purpose)
        finally:
            self.hints = saved

    def _first_fitting(self, schema: object, where: str, name: str, purpose: str) -> tuple[object, bool]:
        def make(depth: int, branch: int, careful: bool = True) -> object:
            self._budget, self._careful = PROPERTY_BUDGET, careful
            try:
                return self._make(schema, where, name, purpose, 0, (), full_depth=depth, branch=branch)
            finally:
                self._careful = True

        seen: list[object] = []

        def candidates():  # noqa: ANN202
            quick = make(FULL_DEPTH, 0, careful=False)  # most schemas need no care: try that first
            yield quick
            full = make(FULL_DEPTH, 0)
            yield full
            yield self._pruned(full, where) if full is not MISSING else MISSING
            for branch in range(1, MAX_BRANCHES):
                yield make(FULL_DEPTH, branch)
            for branch in range(MAX_BRANCHES):
                yield make(0, branch)

        for candidate in candidates():
            if candidate is MISSING or candidate in seen:
                continue
            seen.append(candidate)
            if self.fits(candidate, where):
                return candidate, True
        for candidate in seen[:2]:
            ruled = self._ruling_out(candidate, schema, where)
            if ruled is not MISSING:
                return ruled, True
        return (seen[0], False) if seen else (MISSING, False)

    def _ruling_out(self, value: object, schema: object, where: str) -> object:
        """`value` plus `null` members that rule out the alternatives it also matches.

        EMQX has unions whose alternatives overlap (an update schema with no required
        property matches nearly any object), so no natural body matches exactly one, as
        a oneOf wants. A member that only another alternative defines, set to null
        (which that alternative rejects and this one ignores), rules it out. What was
        added is kept in `ruled_out` for the page to say. MISSING when that fails.
        """
        target, _, error = self.resolver.follow(schema, where) if isinstance(schema, dict) and "$ref" in schema \
            else (schema, None, None)
        options = target.get("oneOf") if isinstance(target, dict) else None
        if error is not None or not isinstance(value, dict) or not isinstance(options, list):
            return MISSING
        matching = [i for i in range(len(options)) if self.fits(value, f"{where}/oneOf/{i}")]
        for chosen in matching:
            mine = (options[chosen], f"{where}/oneOf/{chosen}")
            result, added = dict(value), []
            for other in (i for i in matching if i != chosen):
                if not self.fits(result, f"{where}/oneOf/{other}"):
                    continue  # an earlier null ruled it out too
                found = self._poison(result, mine, (options[other], f"{where}/oneOf/{other}"), mine, ())
                if found is None:
                    break
                result, added = found[0], [*added, found[1]]
            else:
                if added and self.fits(result, where):
                    self.ruled_out = tuple(added)
                    return result
        return MISSING

    def _poison(
        self, root: dict, mine: tuple[object, str], other: tuple[object, str], top: tuple[object, str],
        path: tuple[str, ...],
    ) -> tuple[dict, str] | None:
        """`root` with one member at `path` + key set to null, so that the alternative
        `other` rejects it while `top` (the chosen one) still accepts it; looked for
        among the keys only `other` defines at this level, then one level down."""
        own = self._properties(*mine)
        theirs = self._properties(*other)
        here = _at(root, path)
        if not isinstance(here, dict):
            return None
        for key in sorted(set(theirs) - set(own) - set(here)):
            trial = _with(root, (*path, key), None)
            if not self.fits(trial, other[1]) and self.fits(trial, top[1]):
                return trial, ".".join((*path, key))
        if len(path) >= 2:
            return None
        for key in sorted(set(theirs) & set(own) & set(here)):
            if isinstance(here[key], dict):
                found = self._poison(
                    root, (own[key], f"{mine[1]}/properties/{_esc(key)}"),
                    (theirs[key], f"{other[1]}/properties/{_esc(key)}"), top, (*path, key),
                )
                if found is not None and not self.fits(found[0], other[1]):
                    return found
        return None

    def _properties(self, schema: object, where: str, depth: int = 0) -> dict:
        """The properties an object schema defines, through $ref and allOf."""
        if isinstance(schema, dict) and "$ref" in schema:
            schema, ref, error = self.resolver.follow(schema, where)
            if error is not None or not isinstance(schema, dict):
                return {}
            where = ref[1:] if ref else where
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return {}
        found = dict(schema.get("properties") or {}) if isinstance(schema.get("properties"), dict) else {}
        for i, part in enumerate(schema.get("allOf") or []):
            found.update(self._properties(part, f"{where}/allOf/{i}", depth + 1))
        return found

    def _pruned(self, value: object, where: str) -> object:
        """`value` with the members the validator objects to left out (MISSING when that
        does not make it valid): a rich example minus its bad parts beats an empty one."""
        if not isinstance(value, (dict, list)):
            return MISSING
        value = copy.deepcopy(value)
        for _ in range(MAX_PRUNES):
            try:
                errors = list(self._validator(where).iter_errors(value))
            except Exception:
                return MISSING
            if not errors:
                return value
            paths = {tuple(e.absolute_path) for e in errors}
            if () in paths or not all(_drop(value, path) for path in sorted(paths, key=len, reverse=True)):
                return MISSING
        return MISSING

    def repaired(self, value: object, schema: object, where: str, purpose: str) -> object:
        """The spec's own `value` without what would mislead a reader who pastes it:
        deprecated properties in a request, "until" times in the past."""
        return self._repair(copy.deepcopy(value), schema, where, purpose, ())

    def _repair(self, value: object, schema: object, where: str, purpose: str, trail: tuple[str, ...]) -> object:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in trail:
                return value
            target, _, error = self.resolver.follow(schema, where)
            return value if error is not None else self._repair(value, target, ref[1:], purpose, (*trail, ref))
        if not isinstance(schema, dict):
            return value
        if isinstance(value, list) and isinstance(schema.get("items"), dict):
            return [self._repair(item, schema["items"], f"{where}/items", purpose, trail) for item in value]
        if not isinstance(value, dict):
            return value
        parts = [(schema, where)] + [
            (part, f"{where}/allOf/{i}") for i, part in enumerate(schema.get("allOf") or []) if isinstance(part, dict)
        ]
        for part, at in parts:
            target, _, error = self.resolver.follow(part, at) if "$ref" in part else (part, None, None)
            if error is not None or not isinstance(target, dict):
                continue
            props = target.get("properties") if isinstance(target.get("properties"), dict) else {}
            required = target.get("required") if isinstance(target.get("required"), list) else []
            for key in list(value):
                sub = props.get(key)
                if not isinstance(sub, dict):
                    continue
                sub_at = f"{at}/properties/{_esc(key)}"
                resolved, _, _ = self.resolver.follow(sub, sub_at) if "$ref" in sub else (sub, None, None)
                resolved = resolved if isinstance(resolved, dict) else {}
                if purpose == "request" and (sub.get("deprecated") is True or resolved.get("deprecated") is True) \
                        and key not in required:
                    del value[key]
                elif str(key).lower() in self.until_names and _in_past(value[key], self.until_value):
                    value[key] = resolved.get("default", self.until_value)
                else:
                    value[key] = self._repair(value[key], sub, sub_at, purpose, trail)
        return value

    def _make(
        self,
        schema: object,
        where: str,
        name: str,
        purpose: str,
        depth: int,
        trail: tuple[str, ...],
        *,
        full_depth: int,
        branch: int = 0,
    ) -> object:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in trail:
                return MISSING  # recursion: stop here
            target, _, error = self.resolver.follow(schema, where)
            if error is not None:
                return MISSING
            return self._make(target, ref[1:], name, purpose, depth, (*trail, ref), full_depth=full_depth, branch=branch)
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return MISSING
        if name.lower() in self.until_names:
            return schema.get("default", self.until_value)
        for key in ("example", "default"):
            # the spec's own value, unless a union makes it ambiguous or it does not fit
            if key in schema and (not self._careful or not _union(schema) or self.fits(schema[key], where)):
                return schema[key]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
        recurse = lambda sub, at, n="": self._make(  # noqa: E731
            sub, at, n, purpose, depth + 1, trail, full_depth=full_depth, branch=branch
        )
        if isinstance(schema.get("allOf"), list):
            merged: dict = {}
            for i, part in enumerate(schema["allOf"]):
                value = recurse(part, f"{where}/allOf/{i}", name)
                if isinstance(value, dict):
                    merged.update(value)
                elif value is not MISSING and not merged:
                    return value
            own = self._object(schema, where, purpose, depth, trail, full_depth, branch) if "properties" in schema else {}
            return {**merged, **own}
        for keyword in ("oneOf", "anyOf"):
            options = schema.get(keyword)
            if isinstance(options, list) and options:
                # the first alternative (from `branch` on) whose value the whole union
                # accepts: a oneOf wants a value that matches exactly one of them
                first = branch if branch < len(options) else 0
                fallback = MISSING
                budget = self._budget
                for pick in [*range(first, len(options)), *range(first)]:
                    self._budget = budget  # an alternative left aside costs nothing
                    value = recurse(options[pick], f"{where}/{keyword}/{pick}", name)
                    if value is MISSING:
                        continue
                    if fallback is MISSING:
                        fallback, spent = value, self._budget
                    # a big union (EMQX's bridges have 30 and more) costs too much to check
                    # member by member; its whole value is checked, and ruled out, above
                    if not self._careful or len(options) > CAREFUL_UNION or self.fits(value, where):
                        return value
                if fallback is not MISSING:
                    self._budget = spent
                return fallback
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or (kind is None and ("properties" in schema or "additionalProperties" in schema)):
            return self._object(schema, where, purpose, depth, trail, full_depth, branch)
        if kind == "array" or (kind is None and "items" in schema):
            item = recurse(schema.get("items", {}), f"{where}/items", name)
            if item is MISSING:
                return []
            count = max(1, int(schema.get("minItems") or 1)) if not schema.get("uniqueItems") else 1
            return [item] * count
        if kind == "string":
            return self._string(schema, name)
        if kind in ("integer", "number"):
            return self._number(schema, kind, name)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self._hint(name, MISSING) if name else MISSING

    def _object(self, schema: dict, where: str, purpose: str, depth: int, trail: tuple[str, ...], full_depth: int, branch: int) -> dict:
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        skip = "readOnly" if purpose == "request" else "writeOnly"
        result: dict = {}
        optional = 0
        for key, sub in props.items():
            if key not in required and (depth >= full_depth or self._budget <= 0 or optional >= PER_OBJECT):
                continue
            if isinstance(sub, dict) and sub.get(skip) is True and key not in required:
                continue
            if purpose == "request" and _deprecated(self.resolver, sub, where) and key not in required:
                continue
            if key not in required:
                self._budget -= 1
                optional += 1
            value = self._make(sub, f"{where}/properties/{_esc(key)}", key, purpose, depth + 1, trail, full_depth=full_depth, branch=branch)
            if value is not MISSING:
                result[key] = value
        extra = schema.get("additionalProperties")
        if not result and isinstance(extra, dict) and not props:
            value = self._make(extra, f"{where}/additionalProperties", "", purpose, depth + 1, trail, full_depth=full_depth, branch=branch)
            if value is not MISSING:
                result["key1"] = value
        return result

    def _string(self, schema: dict, name: str) -> str:
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in STRING_BY_FORMAT:
            text = STRING_BY_FORMAT[fmt]
        else:
            hinted = self._hint(name, None)
            text = hinted if isinstance(hinted, str) else (name or "string")
        low, high = schema.get("minLength"), schema.get("maxLength")
        if isinstance(low, int) and len(text) < low:
            text = text + "x" * (low - len(text))
        if isinstance(high, int) and high >= 0 and len(text) > high:
            text = text[:high]
        return text

    def _number(self, schema: dict, kind: str, name: str) -> int | float:
        hinted = self._hint(name, None)
        value: float = hinted if isinstance(hinted, (int, float)) and not isinstance(hinted, bool) else 1
        low, high = schema.get("minimum"), schema.get("maximum")
        if isinstance(low, (int, float)) and value < low:
            value = low + (1 if schema.get("exclusiveMinimum") is True else 0)
        if isinstance(high, (int, float)) and value > high:
            value = high - (1 if schema.get("exclusiveMaximum") is True else 0)
        return int(value) if kind == "integer" else float(value)

    def _hint(self, name: str, fallback: object) -> object:
        return self.hints.get(name.lower(), fallback) if name else fallback


def _at(value: object, path: tuple[str, ...]) -> object:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _with(value: dict, path: tuple[str, ...], leaf: object) -> dict:
    """A copy of `value` with the member at `path` set to `leaf`."""
    out = dict(value)
    if len(path) == 1:
        out[path[0]] = leaf
    else:
        out[path[0]] = _with(dict(out.get(path[0]) or {}), path[1:], leaf)
    return out


def _union(schema: dict) -> bool:
    return isinstance(schema.get("oneOf"), list) or isinstance(schema.get("anyOf"), list)


def _deprecated(resolver: Resolver, schema: object, where: str) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("deprecated") is True:
        return True
    if isinstance(schema.get("$ref"), str):
        target, _, error = resolver.follow(schema, where)
        return error is None and isinstance(target, dict) and target.get("deprecated") is True
    return False


def _drop(value: object, path: tuple) -> bool:
    """Remove the member at `path` (an instance path) from `value`; False when it cannot."""
    for i in range(len(path) - 1, -1, -1):  # the deepest object member on the path
        if isinstance(path[i], str):
            parent = value
            for step in path[:i]:
                try:
                    parent = parent[step]
                except (KeyError, IndexError, TypeError):
                    return True  # already gone with an outer member
            if isinstance(parent, dict):
                parent.pop(path[i], None)
                return True
    return False


def _in_past(value: object, horizon: str) -> bool:
    """Whether `value` is a date or date-time before `horizon` (ISO 8601 text)."""
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return False
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        limit = datetime.fromisoformat(horizon.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when < limit


def _esc(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
