"""Example values synthesized from raw schemas, checked against the schema they serve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry, Specification
from referencing.jsonschema import DRAFT4, DRAFT202012

from .refs import Resolver

SPEC_URI = "urn:emqx-apidocs:spec"
FULL_DEPTH = 2  # below this depth every property is shown; deeper, only required ones
MAX_DEPTH = 8
MAX_BRANCHES = 12  # oneOf/anyOf branches tried when the first does not validate
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


@dataclass
class ExampleMaker:
    """Makes a value for a schema; `fits` tells whether a value validates against it."""

    resolver: Resolver
    hints: dict[str, object] = field(default_factory=dict)
    openapi_31: bool = False
    _validators: dict[str, Callable[[object], bool]] = field(default_factory=dict)
    _registry: Registry | None = None

    def fits(self, value: object, where: str) -> bool:
        """Whether `value` is valid against the schema at JSON pointer `where`."""
        try:
            check = self._validators.get(where)
            if check is None:
                check = self._validators[where] = self._compile(where)
            return check(value)
        except Exception:  # a broken schema, or one reaching outside the spec, vouches for nothing
            return False

    def _compile(self, where: str) -> Callable[[object], bool]:
        if self._registry is None:
            spec: Specification = DRAFT202012 if self.openapi_31 else DRAFT4
            self._registry = Registry().with_resource(SPEC_URI, spec.create_resource(self.resolver.document))
        fragment = quote(where, safe="/~!$&'()*+,;=:@")  # a pointer is URI-encoded in a fragment
        resolved = self._registry.resolver(base_uri=SPEC_URI).lookup(f"{SPEC_URI}#{fragment}")
        cls = OAS31Validator if self.openapi_31 else OAS30Validator
        validator = cls(resolved.contents, _resolver=resolved.resolver)
        return validator.is_valid

    def value(self, schema: object, where: str, *, name: str = "", purpose: str = "request") -> object:
        """A value for `schema` (found at `where`); see `checked_value`."""
        return self.checked_value(schema, where, name=name, purpose=purpose)[0]

    def checked_value(
        self, schema: object, where: str, *, name: str = "", purpose: str = "request"
    ) -> tuple[object, bool]:
        """(value, whether it validates) for `schema` found at JSON pointer `where`.

        The first candidate that validates wins: every property down to FULL_DEPTH,
        then required properties only, then other oneOf/anyOf branches. When none
        does (EMQX has unions whose branches overlap, so no value matches exactly
        one), the fullest candidate is returned with False.
        """
        candidates = [
            self._make(schema, where, name, purpose, 0, (), full_depth=FULL_DEPTH),
            self._make(schema, where, name, purpose, 0, (), full_depth=0),
        ]
        for branch in range(1, MAX_BRANCHES):
            candidates.append(self._make(schema, where, name, purpose, 0, (), full_depth=FULL_DEPTH, branch=branch))
            candidates.append(self._make(schema, where, name, purpose, 0, (), full_depth=0, branch=branch))
        seen: list[object] = []
        for candidate in candidates:
            if candidate is MISSING or candidate in seen:
                continue
            seen.append(candidate)
            if self.fits(candidate, where):
                return candidate, True
        return (seen[0], False) if seen else (MISSING, False)

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
        for key in ("example", "default"):
            if key in schema:
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
                pick = branch if branch < len(options) else 0
                return recurse(options[pick], f"{where}/{keyword}/{pick}", name)
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
        for key, sub in props.items():
            if key not in required and depth >= full_depth:
                continue
            if isinstance(sub, dict) and sub.get(skip) is True and key not in required:
                continue
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


def _esc(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")
