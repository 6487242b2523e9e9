"""Golden files: whole operations of CE 5.8.1 as rendered, and as Markdown (what "Copy
as Markdown" copies), compared byte for byte.

Rewrite them after an intended change with: python3 -m pytest tests/test_golden.py --update-goldens
A missing golden fails; it is never written without the flag.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from support import shared_spec

from generator.builder import build_api
from generator.enrich import enrich
from generator.knowledge import load_knowledge
from generator.load import load_spec
from generator.render import environment, put_back, render_pages
from generator.twins import OperationWriter
from generator.validate import validate

pytestmark = pytest.mark.shared  # every test here reads ../shared/specs

GOLDEN = Path(__file__).parent / "golden" / "ce-5.8.1"
OPERATIONS = [
    ("GET", "/clients/{clientid}"),
    ("GET", "/clients"),
    ("POST", "/publish"),
    ("PUT", "/authentication/{id}/position/{position}"),
    ("POST", "/login"),
    ("GET", "/api_key"),
]


@pytest.fixture(scope="module")
def ce():
    path = shared_spec("emqx-ce-5.8.1-en.json")
    document = load_spec(str(path)).document
    model = enrich(build_api(document, knowledge=load_knowledge(), problems=validate(document)), load_knowledge())
    env = environment()
    return model, render_pages(model, env, load_knowledge()), OperationWriter(model, load_knowledge(), env.markdown_env)


def section(text: str, anchor: str) -> str:
    start = text.index(f"{{ #{anchor} ")
    start = text.rindex("\n## ", 0, start) + 1
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)].rstrip() + "\n"


def model_dump(op) -> str:
    """A readable text dump of the model of one operation, beside its rendering."""
    params = [{"name": p.name, "in": p.location, "required": p.required, "example": p.example} for p in op.parameters]
    return json.dumps(
        {
            "method": op.method, "path": op.path, "full_path": op.full_path, "tag": op.tag, "url": op.url,
            "auth": list(op.auth), "deprecated": op.deprecated, "parameters": params,
            "responses": [r.status for r in op.responses],
            "problems": [p.pointer for p in op.problems],
        },
        indent=1, ensure_ascii=False,
    ) + "\n"


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_matches_golden(ce, method: str, path: str, update_goldens: bool):
    """The rendered section, the operation's Markdown and the model dump equal their golden files."""
    model, rendered, writer = ce
    op = next(o for o in model.operations if (o.method, o.path) == (method, path))
    text = put_back(rendered.pages[op.page], rendered.slots[op.page])
    outputs = {
        f"{op.anchor}.md": section(text, op.anchor),
        f"{op.anchor}.copy.md": writer.copied(writer(op)),
        f"{op.anchor}.model.json": model_dump(op),
    }
    for name, actual in outputs.items():
        golden = GOLDEN / name
        if update_goldens:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8")
            continue
        assert golden.is_file(), f"golden {golden} is missing; create it with --update-goldens and review it"
        expected = golden.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), f"golden/{name}", "actual"
            ))
            pytest.fail(f"{name} differs from its golden file:\n{diff[:6000]}", pytrace=False)
