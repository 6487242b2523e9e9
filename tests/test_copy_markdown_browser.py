"""The "Copy as Markdown" button in headless Chromium, from file://: with the Clipboard
API, and through the textarea fallback where a browser has none; the Markdown is not in
the page but in a script beside it, loaded on the button's first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from browser import PageLog, chromium_page
from support import PROJECT_ROOT

from generator.builder import build_api
from generator.enrich import enrich
from generator.knowledge import load_knowledge
from generator.load import load_spec
from generator.render import environment
from generator.twins import OperationWriter

FIELDS = {f"f{i}": {"type": "string", "description": f"Field {i}, with `code` | a pipe"} for i in range(14)}
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Copy test", "version": "1"},
    "servers": [{"url": "/api/v5"}],
    "components": {
        "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}},
        "schemas": {"Big": {"type": "object", "properties": FIELDS}},
    },
    "paths": {
        "/things/{id}": {
            "get": {
                "tags": ["Things"],
                "summary": "Get a <b>thing</b>",
                "security": [{"basicAuth": []}],
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"big": {"$ref": "#/components/schemas/Big"}}}}}}},
            },
        },
        "/things": {
            "post": {
                "tags": ["Things"],
                "summary": "Add a thing",
                "security": [{"basicAuth": []}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
                "responses": {"204": {"description": "Done"}},
            },
        },
    },
}
# Chromium without the Clipboard API: the real one kept aside to read what was copied,
# and what the page put on the clipboard through a selection, seen from a copy event.
NO_CLIPBOARD = """
(() => {
  const real = Object.getOwnPropertyDescriptor(Navigator.prototype, "clipboard").get.call(navigator);
  window.__realClipboard = real;
  Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
  window.__copied = [];
  document.addEventListener("copy", () => {
    const el = document.activeElement;
    window.__copied.push(el && "value" in el ? el.value.slice(el.selectionStart, el.selectionEnd) : String(getSelection()));
  });
})();
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("copy")
    spec = folder / "spec.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    out = folder / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "-q", "--spec", str(spec), "--site", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def expected(site: Path) -> dict[str, str]:
    """What each operation's button should copy, by anchor, from the model."""
    knowledge = load_knowledge()
    model = enrich(build_api(load_spec(str(site.parent / "spec.json")).document, knowledge=knowledge), knowledge)
    writer = OperationWriter(model, knowledge, environment().markdown_env)
    return {op.anchor: writer.copied(writer(op)) for op in model.operations}


def operation(page, anchor: str):  # noqa: ANN001, ANN201 - Playwright objects
    return page.locator(f"h2#{anchor} + div.ead-op")


def button(page, anchor: str):  # noqa: ANN001, ANN201
    return operation(page, anchor).locator("button.ead-copy")


@pytest.mark.browser
def test_button_copies_the_operation_with_the_clipboard_api(site: Path, expected: dict[str, str]) -> None:
    """A click puts the operation's Markdown, and the definitions it names, on the clipboard."""
    log = PageLog()
    with chromium_page(log) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.goto((site / "reference" / "things.html").as_uri())
        buttons = page.locator("button.ead-copy")
        buttons.first.wait_for(state="visible")
        assert buttons.count() == len(expected) == 2
        assert page.evaluate("() => window.EAD_MARKDOWN") is None  # nothing loaded before it is wanted
        for anchor, text in expected.items():
            button(page, anchor).click()
            page.wait_for_function("(a) => document.querySelector(`h2#${a} + div.ead-op button.ead-copy`).textContent === 'Copied'", arg=anchor)
            assert page.evaluate("() => navigator.clipboard.readText()") == text
        assert "\n### Schemas\n\n- `Big` object\n" in expected["get-things-id"]
        assert page.evaluate("() => document.querySelectorAll('script[src$=\"things.copy.js\"]').length") == 1
    assert not log.errors and not log.external_requests, (log.errors, log.external_requests)


def test_the_page_carries_no_markdown_and_its_script_does(site: Path, expected: dict[str, str]) -> None:
    """The HTML names its script; the operations' Markdown is only in that script."""
    html = (site / "reference" / "things.html").read_text(encoding="utf-8")
    script = (site / "reference" / "things.copy.js").read_text(encoding="utf-8")
    assert 'data-src="things.copy.js"' in html
    assert "## `GET /api/v5/things/{id}`" not in html and "Field 3, with `code`" not in html
    assert script.count("## `GET /api/v5/things/{id}`") == 1
    assert script.count("Field 3, with") == 1  # the definition of Big, once for the page


@pytest.mark.browser
def test_a_click_with_nothing_loaded_waits_for_the_script(site: Path, expected: dict[str, str]) -> None:
    """A click that comes with no pointer or focus first (a script's, an assistive
    tool's) loads the page's script, then copies."""
    log = PageLog()
    with chromium_page(log) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.goto((site / "reference" / "things.html").as_uri())
        button(page, "post-things").wait_for(state="visible")
        page.evaluate("() => document.querySelector('h2#post-things + div.ead-op button.ead-copy').click()")
        page.wait_for_function("() => document.querySelector('h2#post-things + div.ead-op button.ead-copy').textContent === 'Copied'")
        assert page.evaluate("() => navigator.clipboard.readText()") == expected["post-things"]
    assert not log.errors and not log.external_requests, (log.errors, log.external_requests)


@pytest.mark.browser
def test_button_falls_back_to_a_selection_and_works_from_the_keyboard(site: Path, expected: dict[str, str]) -> None:
    """Without navigator.clipboard, Enter on the focused button copies through a selected
    textarea; the button says "Copied", then its own words again, and keeps the focus."""
    log = PageLog()
    with chromium_page(log) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.add_init_script(NO_CLIPBOARD)
        page.goto((site / "reference" / "things.html").as_uri())
        target = button(page, "get-things-id")
        target.wait_for(state="visible")
        assert page.evaluate("() => navigator.clipboard") is None
        target.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("() => window.__copied.length === 1")
        assert page.evaluate("() => window.__copied[0]") == expected["get-things-id"]
        assert page.evaluate("() => window.__realClipboard.readText()") == expected["get-things-id"]
        assert target.text_content() == "Copied"
        assert operation(page, "get-things-id").locator(".ead-copy-status").text_content() == "Copied"
        assert page.evaluate("() => document.activeElement.classList.contains('ead-copy')")
        assert page.locator("textarea.ead-copy-area").count() == 0
        page.wait_for_function("() => document.querySelector('h2#get-things-id + div.ead-op button.ead-copy').textContent === 'Copy as Markdown'", timeout=5000)
    assert not log.errors and not log.external_requests, (log.errors, log.external_requests)
