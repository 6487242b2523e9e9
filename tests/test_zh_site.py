"""The Chinese site, in real headless Chromium from file:// with no network.

Two sites: CE 5.8.1 zh, whose language is read from its text (no --lang), and the
bundled English sample built with --lang zh. On both, no text node of any page kind is
an English label (computed from labels/en.yaml, minus the words both languages share);
search finds Chinese words exactly in the operations whose zh text holds them (the set
computed from the raw spec), and still finds paths and error codes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from browser import PageLog, chromium_page
from support import PROJECT_ROOT, shared_spec

LABELS = PROJECT_ROOT / "templates" / "labels"
SAMPLE = PROJECT_ROOT / "generator" / "data" / "default-spec.yaml"
PAGE_KINDS = [
    "index.html", "reference/clients.html", "reference/spec-health.html", "guides/authentication.html",
    "guides/roles.html", "guides/pagination.html", "guides/status-codes.html", "guides/errors.html",
    "about.html", "404.html",
]
WORDS = ["客户端", "订阅", "主题"]
METHODS = ("get", "put", "post", "delete", "patch")


def build(spec: Path, site: Path, *more: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--spec", str(spec), "--site", str(site), *more],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    return run.stderr


@pytest.fixture(scope="module")
def ce_zh(tmp_path_factory) -> tuple[Path, Path]:
    spec = shared_spec("emqx-ce-5.8.1-zh.json")
    site = tmp_path_factory.mktemp("ce-zh") / "site"
    said = build(spec, site)
    assert "zh, read from the spec's text" in said, said
    return spec, site


@pytest.fixture(scope="module")
def sample_zh(tmp_path_factory) -> tuple[Path, Path]:
    site = tmp_path_factory.mktemp("sample-zh") / "site"
    build(SAMPLE, site, "-q", "--lang", "zh")
    return SAMPLE, site


@pytest.fixture(params=[pytest.param("ce_zh", marks=pytest.mark.shared), "sample_zh"])
def zh_site(request) -> tuple[Path, Path]:
    return request.getfixturevalue(request.param)


# --------------------------------------------------------------------------- English labels


def _leaves(value: object, path: tuple = ()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, str(value)


def _lookup(value: object, path: tuple) -> object:
    for key in path:
        value = value[key]
    return value


def english_labels() -> list[re.Pattern[str]]:
    """Every English label that Chinese says otherwise, as a pattern for a whole text node
    (its `{name}` places match anything; surrounding spaces and punctuation do not count)."""
    en = yaml.safe_load((LABELS / "en.yaml").read_text(encoding="utf-8"))
    zh = yaml.safe_load((LABELS / "zh.yaml").read_text(encoding="utf-8"))
    patterns = []
    for path, text in _leaves(en):
        if str(_lookup(zh, path)) == text or not re.search(r"[A-Za-z]{2}", text):
            continue  # the same in both ("Schema", "Cookie"), or no word at all ("≥ {}")
        pieces = [piece.strip(" :;.,()") for piece in re.split(r"\{\w*\}", text)]
        words = [rf"\s*(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])\s*" if piece else "" for piece in pieces]
        patterns.append(re.compile(".+".join(words)))
    return patterns


# Where the pages show the spec's own text (the sample spec is English), and code.
SPEC_TEXT = (
    "script, style, code, pre, kbd, .ead-summary, .ead-desc, .ead-d, .ead-tag-desc, .ead-problem-list td, "
    ".ead-problems li, .ead-error .ead-note, .ead-params td:last-child, .ead-resp > summary, .ead-oplist li"
)
TEXTS = """(skip) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent.closest(skip) && !parent.closest(".ead-f, .ead-req, .ead-flag, .ead-note:not(.ead-error .ead-note)")) continue;
    if (node.textContent.trim()) out.push(node.textContent);
  }
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label], [alt]")) {
    for (const name of ["title", "placeholder", "aria-label", "alt"]) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value);
    }
  }
  return out;
}"""


@pytest.mark.browser
def test_no_english_label_on_any_zh_page_kind(zh_site: tuple[Path, Path]) -> None:
    """Every text node and every title, placeholder and label of each page kind, the Try-it
    panels and the roles filter included, is checked against the English labels."""
    _, site = zh_site
    patterns = english_labels()
    assert len(patterns) > 150, "the English labels were not read"
    found: list[str] = []
    log = PageLog()
    with chromium_page(log) as page:
        for name in PAGE_KINDS:
            page.goto((site / name).as_uri())
            if page.locator("section.ead-try").count():
                page.locator("details.ead-try-box").first.wait_for(state="attached")
            assert page.evaluate("document.documentElement.lang") == "zh", name
            for text in page.evaluate(TEXTS, SPEC_TEXT):
                bare = " ".join(text.split()).strip(" :;.,()：；，。（）")
                hit = next((p.pattern for p in patterns if p.fullmatch(bare)), None)
                if hit:
                    found.append(f"{name}: {text.strip()!r} (English label {hit!r})")
    assert found == [], "\n".join(found[:40])
    # 404.html links its scripts from the site root (it is served at any path), which a
    # file:// URL cannot show; everything else loaded, from the site itself
    errors = [e for e in log.errors if "ERR_FILE_NOT_FOUND at file:///assets/" not in e]
    assert log.external_requests == [] and errors == [], (log.external_requests, errors)


# --------------------------------------------------------------------------- search


def _deref(doc: dict, node: object) -> object:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: object = doc
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node = target
    return node


def operation_texts(doc: dict, item: dict, op: dict) -> list[str]:
    """What an operation's section shows of the spec, and the search index keeps: its
    summary and description, its parameters', request body's and responses' descriptions
    (schema trees, examples and curls are left out of the index)."""
    texts = [op.get("summary"), op.get("description")]
    for param in [*item.get("parameters", []), *op.get("parameters", [])]:
        texts.append(_deref(doc, param).get("description"))
    texts.append(_deref(doc, op.get("requestBody") or {}).get("description"))
    for response in (op.get("responses") or {}).values():
        texts.append(_deref(doc, response).get("description"))
    return [t for t in texts if isinstance(t, str)]


def expected_operations(spec: Path, site: Path, word: str) -> set[str]:
    """The links of the operations whose zh text holds `word`, from the raw spec."""
    doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
    urls = {(o["method"], o["path"]): o["url"]
            for o in json.loads((site / "operations.json").read_text(encoding="utf-8"))["operations"]}
    return {
        urls[(method.upper(), path)]
        for path, item in doc["paths"].items() for method in METHODS
        if isinstance(item.get(method), dict) and any(word in t for t in operation_texts(doc, item, item[method]))
    }


def search(page, site: Path, words: str) -> set[str]:
    """Every result link for `words` typed into the search box, as site-relative
    page#anchor, once the list has settled (it renders as it is scrolled)."""
    page.goto((site / "index.html").as_uri())
    box = page.locator("input.md-search__input")
    box.click()
    items = page.locator(".md-search-result__list > li")
    for _ in range(30):  # the index loads in the worker meanwhile: type again until it answers
        box.fill(words)
        box.press("End")
        try:
            items.first.wait_for(state="attached", timeout=1_000)
            break
        except Exception:  # noqa: BLE001 (Playwright's timeout)
            continue
    last, steady, links = None, 0, []
    while steady < 5:
        page.eval_on_selector(".md-search__scrollwrap", "e => e.scrollTop = e.scrollHeight")
        time.sleep(0.2)
        links = page.eval_on_selector_all(".md-search-result__list a", "els => els.map(e => e.href)")
        now = (page.locator(".md-search-result__meta").inner_text(), len(links))
        steady, last = (steady + 1, last) if now == last else (0, now)
    root = site.resolve().as_uri() + "/"
    return {urlsplit(link).path.removeprefix(urlsplit(root).path) + "#" + urlsplit(link).fragment for link in links}


@pytest.mark.browser
def test_chinese_words_find_exactly_their_operations(zh_site: tuple[Path, Path]) -> None:
    """客户端, 订阅 and 主题 each find the operations whose zh text holds them, and no other."""
    spec, site = zh_site
    operations = {o["url"] for o in json.loads((site / "operations.json").read_text(encoding="utf-8"))["operations"]}
    log = PageLog()
    with chromium_page(log) as page:
        for word in WORDS:
            found = search(page, site, word) & operations
            expected = expected_operations(spec, site, word)
            assert found == expected, (word, sorted(expected - found)[:10], sorted(found - expected)[:10])
    if spec != SAMPLE:
        assert len(expected_operations(spec, site, "客户端")) >= 29  # what the issue counted in summaries alone
    assert log.external_requests == [] and log.errors == [], (log.external_requests, log.errors)
    assert all(u.startswith("file://") for u in log.requests)


@pytest.mark.browser
def test_paths_and_error_codes_are_still_found(zh_site: tuple[Path, Path]) -> None:
    """/clients finds GET /clients; CLIENTID_NOT_FOUND finds its entry on the error-code page."""
    _, site = zh_site
    log = PageLog()
    with chromium_page(log) as page:
        assert "reference/clients.html#get-clients" in search(page, site, "/clients")
        assert "guides/errors.html#CLIENTID_NOT_FOUND" in search(page, site, "CLIENTID_NOT_FOUND")
    assert log.external_requests == [] and log.errors == [], (log.external_requests, log.errors)
