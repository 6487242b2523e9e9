"""The validation gate is fast without finding anything else than openapi-spec-validator.

validate() runs the validator's two passes separately (so the build can fork one child
for each), remembers checked schemas in a set instead of the library's list, and lets
jsonschema-rs tell which path items and component schemas need the slow Python walk of
the document pass. None of that may change a finding: these tests compare with the
library run as it comes, on fragments and on the real specs.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV30SpecValidator
from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator

import importlib
from generator.load import load_spec
from generator.validate import PARTS, validate
from support import PROJECT_ROOT, shared_spec

gate = importlib.import_module("generator.validate")  # the package exports a function of that name


def plainly(document: dict, monkeypatch: pytest.MonkeyPatch) -> list:
    """What validate() finds with none of its shortcuts: the library's draft-4 check of
    every schema object, and the whole document walked by Python jsonschema."""
    unhurried = gate._remembering_by_set(OpenAPIV30SchemaValidator)  # only says where a finding is
    with monkeypatch.context() as patch:
        patch.setattr(gate._V30, "keyword_validators", {**OpenAPIV30SpecValidator.keyword_validators, "schema": unhurried})
        patch.setattr(gate, "_worth_checking", lambda document: document)
        return validate(document)


def spec(paths: dict, schemas: dict | None = None, **top: object) -> dict:
    document = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": paths, **top}
    if schemas is not None:
        document["components"] = {"schemas": schemas}
    return document


GOOD_OP = {"get": {"responses": {"200": {"description": "ok"}}}}
FRAGMENTS = {
    "clean": spec({"/a": GOOD_OP}, {"A": {"type": "object", "properties": {"x": {"type": "string"}}}}),
    "bad path item": spec({"/a": GOOD_OP, "/b": {"get": {"responses": {"200": {"descripton": "typo"}}}}}),
    "bad component schema": spec({"/a": GOOD_OP}, {"A": {"type": "object"}, "B": {"type": "object", "required": "x"}}),
    "bad union member": spec({"/a": GOOD_OP}, {"U": {"oneOf": [{"type": "string"}, {"type": 7}]}}),
    "bad default": spec({"/a": GOOD_OP}, {"D": {"type": "integer", "default": "ten"}}),
    "error at the top": {"openapi": "3.0.0", "paths": {"/a": GOOD_OP, "/b": {"get": {"responses": {}}}}},
    "paths not an object": spec([], {"A": {"type": "object", "required": "x"}}),  # type: ignore[arg-type]
    "extension key": spec({"/a": {**GOOD_OP, "bogus": 1}}, {"A": {"type": "string"}}),
}


@pytest.mark.parametrize("name", FRAGMENTS)
def test_fragments_give_what_the_library_gives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    document = FRAGMENTS[name]
    found = validate(document)
    assert found == plainly(document, monkeypatch)
    if name != "clean":
        assert found, "each broken fragment has at least one finding"


def test_a_finding_of_the_metaschema_check_names_the_schema_it_is_in() -> None:
    """The library's check of one schema reports paths inside that schema; for a bad
    value (not an object) the place in the spec was lost, and '/pattern' was all it said."""
    document = spec({}, {"B": {"pattern": "(?<y>a)"}, "C": {"properties": {"x": {"pattern": "["}}}})
    assert [(p.pointer, p.message) for p in validate(document)] == [
        ("/components/schemas/B/pattern", "'(?<y>a)' is not a 'regex'"),
        ("/components/schemas/C/properties/x/pattern", "'[' is not a 'regex'"),
    ]


def test_each_pass_finds_its_own_and_together_they_find_all(monkeypatch: pytest.MonkeyPatch) -> None:
    document = spec({"/b": {"get": {"responses": {"200": {"descripton": "typo"}}}}}, {"D": {"type": "integer", "default": "ten"}})
    document_pass, objects_pass = (validate(document, (part,)) for part in PARTS)
    assert document_pass and objects_pass
    assert sorted({*document_pass, *objects_pass}) == validate(document) == plainly(document, monkeypatch)


def test_without_jsonschema_rs_the_whole_document_is_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    document = FRAGMENTS["bad component schema"]
    expected = validate(document)

    def unavailable():  # noqa: ANN202
        raise ImportError("No module named 'jsonschema_rs'")

    monkeypatch.setattr(gate, "_fast_document_checker", unavailable)
    assert gate._worth_checking(document) is document
    assert validate(document) == expected


def test_only_the_parts_with_findings_are_walked() -> None:
    document = FRAGMENTS["bad component schema"] | {"paths": {"/a": GOOD_OP, "/b": GOOD_OP}}
    pruned = gate._worth_checking(document)
    assert pruned["components"]["schemas"] == {"A": {}, "B": document["components"]["schemas"]["B"]}
    assert pruned["paths"] == {"/a": {}, "/b": {}}
    assert document["components"]["schemas"]["A"] == {"type": "object"}, "the spec itself is untouched"


@pytest.mark.shared
@pytest.mark.parametrize("name", ["emqx-ce-5.0.24-en.json", "emqx-ee-5.8.1-en.json"])
def test_real_specs_give_what_the_library_gives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    document = load_spec(str(shared_spec(name))).document
    found = validate(document)
    assert found == plainly(document, monkeypatch)
    assert len(found) == {"emqx-ce-5.0.24-en.json": 224, "emqx-ee-5.8.1-en.json": 89}[name]


def test_findings_do_not_depend_on_the_libraries_backend(tmp_path) -> None:
    """openapi-spec-validator switches its document check to jsonschema-rs when that is
    installed (or asked for), and then words its findings differently; ours never change."""
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(FRAGMENTS["bad path item"] | {"components": FRAGMENTS["bad union member"]["components"]}))
    outputs = []
    for backend in ("jsonschema", "jsonschema-rs"):
        env = {"OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND": backend, "PATH": "/usr/bin:/bin"}
        run = subprocess.run(
            [sys.executable, "-m", "generator", "validate", "--spec", str(broken), "--format", "json"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, env=env,
        )
        assert run.returncode == 1, run.stderr
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1]
    expected = {p.pointer for p in validate(json.loads(broken.read_text()))}
    assert expected and expected <= {p["pointer"] for p in outputs[0]["problems"]}
    assert "Other schema violations" not in {p["kind"] for p in outputs[0]["problems"]}


# Schemas made of JSON Schema's and OpenAPI's keywords with right and wrong values:
# wherever the fast checks (jsonschema-rs) and the library's Python checks could
# disagree, the findings would differ.
scalars = st.one_of(st.none(), st.booleans(), st.sampled_from([0, 3, -1, 1.0, 2.5, "", "a", "x-y"]))


def keyword_values(schema):  # noqa: ANN001, ANN201 (hypothesis strategies)
    return {
        "type": st.sampled_from(["string", "integer", "number", "object", "array", "strin", 3, ["string"]]),
        "format": st.sampled_from(["int32", "date-time", "byte", "nope", 7]),
        "pattern": st.sampled_from(["a+", "^x-[a-z]+$", "(?<y>a)", "[", "(?P<y>a)", "\\p{L}", 5]),
        "enum": st.one_of(st.lists(scalars, max_size=3), scalars),
        "required": st.one_of(st.lists(st.sampled_from(["a", "b"]), max_size=3), scalars),
        "maxLength": st.sampled_from([10, 10.0, -1, True, "3"]),
        "minimum": st.sampled_from([0, 1.5, True, "0"]),
        "exclusiveMinimum": st.sampled_from([True, 0, "no"]),
        "multipleOf": st.sampled_from([2, 0, -1, 0.5]),
        "nullable": st.sampled_from([True, False, "yes"]),
        "readOnly": st.sampled_from([True, 1]),
        "uniqueItems": st.sampled_from([True, 0]),
        "default": st.one_of(scalars, st.lists(scalars, max_size=2)),
        "example": scalars,
        "description": st.sampled_from(["text", 4]),
        "$ref": st.sampled_from(["#/components/schemas/A", "#/nowhere", 3]),
        "discriminator": st.sampled_from([{"propertyName": "t"}, {"mapping": {}}, "t"]),
        "properties": st.dictionaries(st.sampled_from(["a", "b", "t"]), schema, max_size=2),
        "items": st.one_of(schema, st.lists(schema, max_size=2)),
        "additionalProperties": st.one_of(st.booleans(), schema),
        "oneOf": st.lists(schema, max_size=2),
        "allOf": st.one_of(st.lists(schema, max_size=2), schema),
        "x-ext": scalars,
        "bogus": scalars,
    }


def schemas(depth: int = 2):  # noqa: ANN201 (a hypothesis strategy)
    inner = st.just({}) if depth == 0 else schemas(depth - 1)
    pairs = st.one_of([st.tuples(st.just(k), v) for k, v in keyword_values(inner).items()])
    return st.lists(pairs, max_size=4).map(dict)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(component=schemas(), inline=schemas())
def test_any_schema_gives_what_the_library_gives(component: dict, inline: dict) -> None:
    document = spec(
        {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": inline}],
                        "responses": {"200": {"description": "ok"}}}}},
        {"A": {"type": "string"}, "B": component},
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert validate(document) == plainly(document, monkeypatch)
