"""Build a model from a small inline YAML spec fragment (not a test module)."""

from __future__ import annotations

import textwrap

import yaml

from generator.builder import build_api, build_model
from generator.changes import Change
from generator.diff import compare
from generator.enrich import enrich
from generator.knowledge import load_knowledge
from generator.model import Api, Operation
from generator.validate import validate

HEAD = """
openapi: 3.0.3
info: {title: Fragment, version: "1"}
servers: [{url: /api/v5}]
components:
  securitySchemes:
    basicAuth: {type: http, scheme: basic}
    bearerAuth: {type: http, scheme: bearer}
"""


def spec(fragment: str) -> dict:
    """HEAD merged with `fragment` (YAML); `components` are merged, not replaced."""
    base = yaml.safe_load(HEAD)
    extra = yaml.safe_load(textwrap.dedent(fragment)) or {}
    components = {**base["components"], **extra.pop("components", {})}
    return {**base, **extra, "components": components}


def api(fragment: str, **kwargs: object) -> Api:
    """The enriched model of HEAD + `fragment`, with the validator's problems linked."""
    document = spec(fragment)
    knowledge = load_knowledge()
    return enrich(build_api(document, knowledge=knowledge, problems=validate(document), **kwargs), knowledge)


def operation(fragment: str, method: str, path: str) -> Operation:
    for op in api(fragment).operations:
        if op.method == method and op.path == path:
            return op
    raise AssertionError(f"{method} {path} not in the model")


def model(fragment: str) -> Api:
    """The enriched model of HEAD + `fragment`, without validation (what `diff` compares)."""
    knowledge = load_knowledge()
    return enrich(build_model(spec(fragment), knowledge=knowledge), knowledge)


def changes(old: str, new: str) -> list[Change]:
    """What `diff` reports from HEAD + `old` to HEAD + `new`, in the report's order."""
    return list(compare(model(old), model(new)).changes)
