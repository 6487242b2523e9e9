"""A poisoned spec cannot run script in the built site.

The spec (tests/hostile/spec.py) is EMQX-shaped and carries script payloads in every
string the generator could show: info, servers, tags, paths, parameters, schemas,
media types, responses, examples, security schemes, x- extensions and error codes.
Each payload calls ``alert('xssN')`` with its own marker; ``PLACES`` says where each
marker was put, so a failure names its source (``xss12<tag name [img]>``).

The site is built with the CLI, every HTML page is opened from file:// in Debian's
headless Chromium (404.html also over a loopback HTTP server, as its links are
root-absolute), every <details> is opened, every Try-it panel is opened and sent to
a closed port on 127.0.0.1, and then:

* no dialog fired;
* no element has an on* attribute, or a javascript:/data:/vbscript: URL, or srcdoc;
* every <script> is JSON data, or a file of the site that holds no payload;
* no <iframe> but the search shim's worker frame; no <style>/<link> reaching out;
  no <meta http-equiv>, <base>, <object> or <embed>;
* the Jinja-like text is shown as written; EMQX's <code>/<br/> still render.
"""

from __future__ import annotations

import ast
import functools
import http.server
import io
import json
import re
import subprocess
import sys
import tokenize
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

import pytest

from browser import PageLog, chromium_page
from hostile.spec import JINJA, build
from markdowncheck import broken_rows, prose, raw_html, rendered_markup
from servers import in_thread, loopback, url_of
from support import PROJECT_ROOT

from generator.sanitize import md_code

SPEC, PLACES, NAMED = build()
MARKER = re.compile(r"\bxss\d+\b")
JSON_BLOCK = re.compile(r'<script\b[^>]*\btype="application/json"[^>]*>(.*?)</script>', re.S)
DEAD_NODE = "http://127.0.0.1:9"  # nothing listens (and Chromium refuses the port): every Send fails

# Everything the page checks, run in the page after it was exercised. `root` is the
# site's root URL; URLs under it are the site's own.
DOM_CHECK = r"""
async (root) => {
  const found = [];
  const where = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 4; n = n.parentElement) {
      parts.unshift(n.tagName.toLowerCase() + (n.id ? "#" + n.id : "") +
                    (typeof n.className === "string" && n.className ? "." + n.className.split(/\s+/)[0] : ""));
    }
    return parts.join(" > ");
  };
  const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                             "srcset", "lowsrc", "dynsrc", "ping", "codebase", "cite", "manifest", "longdesc"]);
  const inside = (url) => { try { return new URL(url, document.baseURI).href.startsWith(root); } catch (e) { return false; } };
  const all = Array.from(document.querySelectorAll("*"));
  for (const el of all) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith("on")) found.push(`on* attribute ${name}="${value}" on ${where(el)}`);
      if (name === "srcdoc") found.push(`srcdoc="${value}" on ${where(el)}`);
      if (URL_ATTRS.has(name)) {
        const flat = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
        if (/^(javascript|data|vbscript):/.test(flat)) found.push(`${name}="${value}" on ${where(el)}`);
      }
    }
  }
  const scripts = [];
  for (const s of document.querySelectorAll("script")) {
    const type = (s.getAttribute("type") || "").trim().toLowerCase();
    if (type === "application/json") continue;
    if (!s.hasAttribute("src")) { found.push(`inline script ${JSON.stringify(s.textContent.slice(0, 120))} in ${where(s)}`); continue; }
    if (!inside(s.src)) { found.push(`script from outside the site: ${s.src}`); continue; }
    scripts.push(s.src);
  }
  for (const f of document.querySelectorAll("iframe, frame, object, embed, applet, portal")) {
    const shim = f.tagName === "IFRAME" && !f.hasAttribute("src") && !f.hasAttribute("srcdoc") &&
                 (f.getAttribute("title") || "").startsWith("worker: " + root);
    if (!shim) found.push(`<${f.tagName.toLowerCase()}> ${f.outerHTML.slice(0, 160)} in ${where(f.parentElement || f)}`);
  }
  for (const st of document.querySelectorAll("style")) {
    if (/url\s*\(|@import|expression\s*\(/i.test(st.textContent)) found.push(`<style> that loads: ${st.textContent.slice(0, 160)}`);
    if (st.closest("body")) found.push(`<style> in the body: ${st.textContent.slice(0, 160)} in ${where(st)}`);
  }
  for (const l of document.querySelectorAll("link")) {
    if (l.hasAttribute("href") && !inside(l.getAttribute("href"))) found.push(`<link> outside the site: ${l.outerHTML}`);
    if (l.closest("body")) found.push(`<link> in the body: ${l.outerHTML} in ${where(l)}`);
  }
  // the site's own policy is the one <meta http-equiv> allowed, first in <head>
  const metas = Array.from(document.querySelectorAll("meta[http-equiv], base"));
  metas.forEach((m, i) => {
    const own = i === 0 && m.tagName === "META" && m.parentElement === document.head &&
                m.httpEquiv.toLowerCase() === "content-security-policy";
    if (!own) found.push(`${m.outerHTML} in ${where(m.parentElement || m)}`);
  });
  for (const s of document.querySelectorAll('script[type="application/json"]')) {
    try { JSON.parse(s.textContent); } catch (e) { found.push(`JSON block does not parse (${e.message}): ${s.textContent.slice(0, 160)}`); }
    if (/<\/script|<!--/i.test(s.textContent)) found.push(`JSON block holds </script or <!--: ${s.textContent.slice(0, 160)}`);
  }
  const emqxHtml = Array.from(document.querySelectorAll("code"))
    .filter((c) => c.textContent === "topic/#" && c.parentElement && c.parentElement.querySelector("br"))
    .map((c) => where(c));
  // the Try-it data as the browser reads it (a string: Playwright returns it intact)
  const tryData = JSON.stringify(Array.from(document.querySelectorAll('section.ead-try > script[type="application/json"]'))
    .map((s) => { try { return JSON.parse(s.textContent); } catch (e) { return null; } }));
  return { found, scripts: Array.from(new Set(scripts)).join("\n"), text: document.body.innerText, emqxHtml, tryData,
           explorer: typeof window.EAD_EXPLORER === "object" && window.EAD_EXPLORER !== null,
           jsonCount: document.querySelectorAll('script[type="application/json"]').length };
}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    spec = folder / "hostile-spec.json"
    spec.write_text(json.dumps(SPEC, ensure_ascii=False, indent=1), encoding="utf-8")
    out = folder / "site"
    run = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--spec", str(spec), "--site", str(out), "-q"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    return out


def named(text: str) -> str:
    """`text` with every marker it holds followed by the place the marker was put."""
    return MARKER.sub(lambda m: f"{m.group(0)}<{PLACES.get(m.group(0), '?')}>", text)


# --------------------------------------------------------------------------- files


def test_operations_json_keeps_payloads_as_plain_strings(site: Path) -> None:
    """operations.json parses and holds the spec's path, summary, tag and codes unchanged."""
    data = json.loads((site / "operations.json").read_text(encoding="utf-8"))
    assert data["title"] == SPEC["info"]["title"]
    ops = {(op["method"], op["path"]): op for op in data["operations"]}
    hostile = ops[("GET", NAMED["hostile_path"])]
    assert hostile["summary"] == NAMED["summary_jinja"]
    assert hostile["tag"] == NAMED["tag_clients"]
    assert NAMED["error_code"] in ops[("GET", "/clients")]["errors"]["400"]
    assert ops[("GET", "/api_key")]["tag"] == NAMED["tag_title"]


def test_explorer_data_and_inline_files_are_inert(site: Path) -> None:
    """explorer-data.js is JSON with no raw markup; no script file of the site runs spec text."""
    text = (site / "assets" / "emqx-apidocs" / "explorer-data.js").read_text(encoding="utf-8")
    prefix, suffix = "window.EAD_EXPLORER = ", ";\n"
    assert text.startswith(prefix) and text.endswith(suffix), text[:200]
    body = text[len(prefix):-len(suffix)]
    assert not re.search(r"</script|<!--|[<>\u2028\u2029]", body, re.I), "explorer-data.js holds raw markup characters"
    data = json.loads(body)
    assert NAMED["error_code"] in data["errors"], sorted(data["errors"])
    # Scripts the build moved out of the theme's pages are named by their hash; none
    # may hold code that came from the spec (explorer-data.js holds it as JSON, above).
    for path in sorted((site / "assets").rglob("*.js")):
        if path.name == "explorer-data.js":
            continue
        code = path.read_text(encoding="utf-8")
        hits = sorted(set(MARKER.findall(code)) & PLACES.keys()) if "alert(" in code else []
        assert not hits, f"{path.relative_to(site)} runs spec text: " + "; ".join(f"{h}: {PLACES[h]}" for h in hits)


def test_json_blocks_in_the_html_files_cannot_close_their_script(site: Path) -> None:
    """Each <script type="application/json"> in the files holds no '<', '>', line separator or comment."""
    seen = 0
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for raw in JSON_BLOCK.findall(html):
            seen += 1
            assert "<!--" not in raw and not re.search(r"[<>\u2028\u2029]", raw), (page.name, raw[:200])
            json.loads(raw)
    assert seen >= len([op for item in SPEC["paths"].values() for op in item if op != "parameters"]), seen



# --------------------------------------------------------------------------- Markdown files

def markdown_files(site: Path) -> dict[str, str]:
    """The Markdown twins, llms.txt and llms-full.txt of the site, by path."""
    paths = sorted(site.rglob("*.md")) + [site / "llms.txt", site / "llms-full.txt"]
    return {path.relative_to(site).as_posix(): path.read_text(encoding="utf-8") for path in paths}


def test_markdown_files_exist_for_every_page(site: Path) -> None:
    """Every generated page has its twin; llms.txt names only files that exist."""
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        if rel not in ("404.html", "about.html"):  # the theme's and the project's own pages
            assert page.with_suffix(".md").is_file(), rel
    links = re.findall(r"^- \[.*\]\(([^)]+)\)", (site / "llms.txt").read_text(encoding="utf-8"), re.M)
    assert links and all((site / link).is_file() for link in links), links


def test_markdown_files_carry_no_html_outside_their_fences(site: Path) -> None:
    """Outside a fenced block (commands, where a renderer shows HTML as text) no `<` is
    left, and `>` only starts llms.txt's summary quote: spec text is entities or Markdown."""
    found = [f"{rel}: {line[:300]}" for rel, text in markdown_files(site).items() for line in raw_html(text)]
    assert not found, named("\n".join(found[:20]))


def test_markdown_files_render_only_our_tags_and_safe_links(site: Path) -> None:
    """Rendered as Markdown, the files give only the tags our Markdown makes, no attribute
    but href (web, mail or relative) and a code block's language."""
    found = [f"{rel}: {item}" for rel, text in markdown_files(site).items() for item in rendered_markup(text)]
    assert not found, named("\n".join(found[:20]))


def test_markdown_tables_keep_their_columns(site: Path) -> None:
    """Every row of every table has as many cells as its header: no `|` or newline of the
    spec splits a cell or a row."""
    tables, found = 0, []
    for rel, text in markdown_files(site).items():
        count, rows = broken_rows(text)
        tables, found = tables + count, found + [f"{rel}: {row}" for row in rows]
    assert tables >= 5 and not found, named("\n".join(found[:20]))


def test_each_operation_is_one_heading(site: Path) -> None:
    """No spec text adds or breaks a heading: the tag twins' second-level headings are the
    operations (and Schemas), and each operation's is in llms-full.txt once."""
    operations = json.loads((site / "operations.json").read_text(encoding="utf-8"))["operations"]
    expected = sorted("## " + md_code(f"{op['method']} {op['full_path']}") for op in operations)
    found = [
        line for page in sorted((site / "reference").glob("*.md")) if page.name != "spec-health.md"
        for line in prose(page.read_text(encoding="utf-8")).split("\n") if line.startswith("## ") and line != "## Schemas"
    ]
    assert sorted(found) == expected
    full = prose((site / "llms-full.txt").read_text(encoding="utf-8")).split("\n")
    assert all(full.count(heading) == 1 for heading in expected)


def test_code_samples_hold_spec_text_only_inside_their_string_literals(site: Path) -> None:
    """Every operation's Python and JavaScript (and its next page's), as a reader copies
    them: each parses (the Python makes one httpx call), no payload is outside a string
    literal, and nothing a reader cannot see (controls, bidi overrides, line separators)
    is in the code."""
    from test_curl_runs import page_blocks

    blocks = page_blocks(site)
    assert blocks and all(set(b.samples) == {"python", "javascript"} for b in blocks), [b.samples.keys() for b in blocks]
    assert any("code-break" in named(b.samples["python"]) for b in blocks), "no code-breaking payload reached a sample"
    pairs = [(f"{b.method} {b.path}{which}", samples) for b in blocks
             for which, samples in (("", b.samples), (" (next page)", b.next_samples)) if samples]
    assert any("next page" in where for where, _ in pairs), "no next-page samples"
    for where, samples in pairs:
        python, javascript = samples["python"], samples["javascript"]
        for code in (python, javascript):
            unseen = {f"U+{ord(ch):04X}" for ch in code if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")}
            assert not unseen, f"{named(where)}: {sorted(unseen)}"
        calls = [n for n in ast.walk(ast.parse(python)) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "request"]
        assert len(calls) == 1, named(where)
        outside = " ".join(tok.string for tok in tokenize.generate_tokens(io.StringIO(python).readline)
                           if tok.type != tokenize.STRING)
        assert not MARKER.search(outside), named(f"{where} (Python): {outside}")
        outside = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', javascript)
        assert not MARKER.search(outside), named(f"{where} (JavaScript): {outside}")
        check = subprocess.run(["/usr/bin/node", "--input-type=module", "--check"], input=javascript,
                               capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, named(f"{where}: {check.stderr}")


# --------------------------------------------------------------------------- browser


@contextmanager
def loopback_server(folder: Path) -> Iterator[str]:
    """The site over http://127.0.0.1 (for 404.html, whose links start at the root)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with in_thread(loopback(handler)) as server:
        yield url_of(server) + "/"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def exercise(page, url: str, root: str) -> dict:  # noqa: ANN001 - a Playwright page
    """Open `url`, open every panel and <details>, send every Try-it request; the DOM check."""
    page.goto(url, wait_until="load")
    # functions, not expressions: the pages' CSP forbids eval, which expressions need
    page.wait_for_function(
        "() => document.querySelectorAll('section.ead-try').length === "
        "document.querySelectorAll('section.ead-try[data-mounted] details.ead-try-box').length",
        timeout=10_000,
    )
    summaries = page.locator("section.ead-try summary")
    for i in range(summaries.count()):
        summaries.nth(i).click()
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    nodes = page.locator("section.ead-try input[type=url]")
    if nodes.count():
        nodes.first.fill(DEAD_NODE)
        sends = page.locator("section.ead-try button[type=submit]")
        for i in range(sends.count()):
            sends.nth(i).click()
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('section.ead-try form')).every((form) => {"
            "  const box = form.closest('details');"
            "  const text = box.querySelector('.ead-try-output').textContent;"
            "  return form.querySelector('.ead-try-messages').textContent || (text && !/Sending/.test(text));"
            "})",
            timeout=15_000,
        )
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    return page.evaluate(DOM_CHECK, root)


def search_everything(page) -> None:  # noqa: ANN001
    """Type into the search box so the theme renders results built from spec text."""
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("alert")
    page.locator(".md-search-result__meta").first.wait_for(timeout=15_000)
    page.wait_for_timeout(300)


@dataclass
class Inspection:
    problems: list[str]
    texts: dict[str, str]  # page -> its visible text
    try_data: list[dict]  # every operation's Try-it data, as the browser parsed it
    emqx_html: dict[str, list[str]]  # page -> where <code>topic/#</code> sits beside a <br>


def inspect_site(site: Path) -> Inspection:
    """Every page of `site` opened, exercised and checked; what was wrong, named."""
    pages = sorted(site.rglob("*.html"))
    root = site.as_uri() + "/"
    log = PageLog()
    dialogs: list[str] = []
    found: list[str] = []
    texts: dict[str, str] = {}
    emqx_html: dict[str, list[str]] = {}
    try_data: list[dict] = []
    current = {"page": ""}

    def on_dialog(dialog) -> None:  # noqa: ANN001
        dialogs.append(f"{current['page']}: {dialog.type} {named(dialog.message)!r}")
        dialog.dismiss()

    with chromium_page(log) as page:
        page.on("dialog", on_dialog)
        for path in pages:
            rel = path.relative_to(site).as_posix()
            current["page"] = rel
            # 404.html names its files from the root (/assets/...): on file:// they lie
            # outside the site; its check against the site's root is done over http below.
            result = exercise(page, path.as_uri(), "file:///" if rel == "404.html" else root)
            found += [f"{rel}: {named(item)}" for item in result["found"]]
            found += [f"{rel}: {item}" for item in _scripts_running_spec_text(result["scripts"].split("\n"))]
            texts[rel] = result["text"]
            emqx_html[rel] = result["emqxHtml"]
            try_data += [op for op in json.loads(result["tryData"]) if op is not None]
            written = len(JSON_BLOCK.findall(path.read_text(encoding="utf-8")))
            if result["jsonCount"] != written:
                found.append(f"{rel}: {written} JSON blocks in the file, {result['jsonCount']} in the DOM")
            if rel != "404.html" and not result["explorer"]:
                found.append(f"{rel}: explorer-data.js did not define window.EAD_EXPLORER")
        current["page"] = "index.html (search)"
        page.goto((site / "index.html").as_uri())
        search_everything(page)
        result = page.evaluate(DOM_CHECK, root)
        found += [f"index.html (search results): {named(item)}" for item in result["found"]]
        with loopback_server(site) as base:
            current["page"] = "404.html (http)"
            result = exercise(page, base + "404.html", base)
            found += [f"404.html (http): {named(item)}" for item in result["found"]]
        page.wait_for_timeout(200)  # late handlers (image errors) fire before the browser closes

    problems = []
    if dialogs:
        problems.append(f"{len(dialogs)} dialogs fired:\n  " + "\n  ".join(grouped(dialogs, every=len(pages))))
    if found:
        problems.append(f"{len(found)} unsafe things in the DOM:\n  " + "\n  ".join(grouped(found, every=len(pages))))
    if log.external_requests:
        problems.append("requests off the machine: " + ", ".join(sorted(set(log.external_requests))))
    if log.page_errors:
        problems.append("uncaught page errors:\n  " + "\n  ".join(sorted({named(e) for e in log.page_errors})))
    # Only network failures may be logged: the dead node, and 404.html's root-absolute
    # files on file://. Anything else (a CSP report of a blocked inline handler, a
    # missing file x) means something was injected, even if it did not run.
    odd_console = [named(e) for e in log.console_errors if not _expected_console_error(e)]
    if odd_console:
        problems.append(f"{len(odd_console)} console errors:\n  " + "\n  ".join(grouped(odd_console, at=" at ", every=len(pages))))
    stray = sorted({u for u in log.requests if u.startswith("file:") and not _exists(u) and not _root_absolute(u)})
    if stray:
        problems.append("requests for files the site does not have (injected elements?): " + ", ".join(stray))
    return Inspection(problems, texts, try_data, emqx_html)


@pytest.mark.browser
def test_no_payload_runs_in_any_page(site: Path) -> None:
    """Every page, exercised in Chromium: no dialog, no handler, no foreign script, frame or URL."""
    assert len(list(site.rglob("*.html"))) >= 10
    seen = inspect_site(site)
    problems = list(seen.problems)

    everything = "\n".join(seen.texts.values())
    if JINJA not in everything:
        problems.append(f"{JINJA!r} is not shown as written anywhere")
    if "jinja:49" in everything:
        problems.append("spec text was evaluated as a template (jinja:49 shown)")
    clients = next(rel for rel in seen.texts if rel.startswith("reference/clients-"))
    for rel, least in (("index.html", 1), (clients, 2)):  # info / tag+operation+schema descriptions
        if len(seen.emqx_html[rel]) < least:
            problems.append(f"{rel}: EMQX's <code>topic/#</code><br/> did not render as elements: {seen.emqx_html[rel]}")

    # the Try-it data reaches the panel intact: </script>, <!-- and U+2028 included
    publish = [op for op in seen.try_data if op["method"] == "POST" and op["path"].endswith("/publish")]
    if not publish or NAMED["publish_payload"] not in publish[0]["body"]["example"]:
        problems.append(f"the publish example did not reach the Try-it panel intact: {publish}")
    if not any(op["path"].endswith(NAMED["hostile_path"]) for op in seen.try_data):
        problems.append(f"the hostile path is not in the Try-it data: {[op['path'] for op in seen.try_data]}")
    assert not problems, "\n".join(problems)


def grouped(lines: list[str], at: str = ": ", every: int = 0) -> list[str]:
    """Findings that repeat on several pages, once each with the pages (`page: what` or `what at url`)."""
    where: dict[str, list[str]] = {}
    for line in lines:
        if at == ": ":
            page, _, what = line.partition(at)
        else:
            what, _, page = line.rpartition(at) if at in line else (line, "", "")
            page = page.rsplit("/", 1)[-1]
        what = what if len(what) <= 400 else what[:400] + "…"
        if page not in where.setdefault(what, []):
            where[what].append(page)
    return [f"{what}  [{'every page' if every and len(pages) >= every else ', '.join(pages)}]"
            for what, pages in where.items()]


def _scripts_running_spec_text(urls: list[str]) -> list[str]:
    """The site's script files a page loads that hold a payload's alert (moved there by the build)."""
    bad = []
    for url in urls:
        if not url.startswith("file:") or not _exists(url):
            continue
        code = _local_path(url).read_text(encoding="utf-8", errors="replace")
        if "explorer-data.js" in url or "alert(" not in code:
            continue
        hits = sorted(set(MARKER.findall(code)) & PLACES.keys())
        if hits:
            bad.append(f"<script src={url.rsplit('/site/', 1)[-1]}> runs spec text: "
                       + ", ".join(f"{h}<{PLACES[h]}>" for h in hits))
    return bad


def _expected_console_error(text: str) -> bool:
    if "Failed to load resource" in text and ("ERR_UNSAFE_PORT" in text or "ERR_CONNECTION_REFUSED" in text):
        return True
    if "127.0.0.1:9/" in text or "/__emqx_apidocs__/config.json" in text:
        return True  # the dead node; the explorer asking whether `serve` serves the page
    return "Failed to load resource: net::ERR_FILE_NOT_FOUND" in text and " at file:///assets/" in text


def _local_path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


def _exists(url: str) -> bool:
    return _local_path(url).exists()


def _root_absolute(url: str) -> bool:
    """404.html names its files from the root (/assets/...); on file:// they are not found."""
    return url.startswith("file:///assets/") or url.startswith("file:///search/")
