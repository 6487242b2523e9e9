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
from openapi_spec_validator import OpenAPIV30SpecValidator

import importlib
from generator.load import load_spec
from generator.validate import PARTS, validate
from support import PROJECT_ROOT, shared_spec

gate = importlib.import_module("generator.validate")  # the package exports a function of that name


def plainly(document: dict, monkeypatch: pytest.MonkeyPatch) -> list:
    """What validate() finds with none of its shortcuts: the library's own schema
    checker and the whole document walked by Python jsonschema."""
    with monkeypatch.context() as patch:
        patch.setattr(gate._V30, "keyword_validators", OpenAPIV30SpecValidator.keyword_validators)
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
