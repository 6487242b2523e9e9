"""Python and JavaScript scripts for an operation, beside the curl command (curl.py).

Each sample is written from one plain description of the request, `wire(request)`:
the path with its values encoded, the query and header values as the text that is
sent, the credentials' kind, and the body. The Try-it panel builds its code from the
same description of what the reader typed (code-samples.js, a copy of these two
writers that a test keeps equal to them on every operation of CE 5.8.1).

Everything in a description can come from the spec, so every value is written as a
string literal of the target language: JSON's escapes, plus `\\u` escapes for the
characters a reader would not see (controls, format characters such as bidi
overrides, line and paragraph separators, lone surrogates).
"""

from __future__ import annotations

import json
import math
import unicodedata
from typing import TypedDict

from .curl import ExampleRequest, ShellVar, encoded_path, form_fields, scalar
from .knowledge import Knowledge

UNSEEN = ("Cc", "Cf", "Cs", "Zl", "Zp")
JSON_MEDIA = "application/json"
COMPACT = 60  # the longest literal written on one line


class Env(str):
    """A query value the reader's environment gives, as the curl's `${NAME}` (the next
    page's cursor): written as an expression that reads it, empty when unset."""


class Wire(TypedDict):
    """A request as sent, in JSON-ready parts (the panel builds the same from its form)."""

    method: str
    path: str  # the full path, its values put in and encoded
    query: list[list[str]]  # [name, text]: a name repeated for each value of a list; text may be an Env
    headers: list[list[str]]
    auth: str  # basic, bearer, public, other
    accept: str
    media_type: str | None
    body: dict | None  # {"json": value} | {"text": str} | {"form": [[name, value or file, is file]]}


def wire(request: ExampleRequest) -> Wire:
    """The request as sent: what both writers here, and the Try-it panel's, start from."""
    query = [[name, Env(v.name) if isinstance(v, ShellVar) else scalar(v)] for name, value in request.query
             for v in (value if isinstance(value, list) else [value])]
    body: dict | None = None
    media = request.media_type
    if media and media.startswith("multipart/form-data"):
        body = {"form": [list(field) for field in form_fields(request.body)]}  # the curl's -F fields
    elif media and "json" in media:
        body = {"json": request.body}
    elif media:
        body = {"text": request.body if isinstance(request.body, str) else json.dumps(request.body, ensure_ascii=False)}
    return {
        "method": request.method,
        "path": encoded_path(request),
        "query": query,
        "headers": [[name, scalar(value)] for name, value in request.headers],
        "auth": request.auth_mode,
        "accept": request.accept,
        "media_type": media,
        "body": body,
    }


def names(knowledge: Knowledge) -> dict[str, str]:
    """The reader's environment variables, by role (also given to the Try-it panel)."""
    return {"url": knowledge.env_url, "key": knowledge.env_key, "secret": knowledge.env_secret, "token": knowledge.env_token}


def python_code(request: ExampleRequest, *, base_url: str, knowledge: Knowledge) -> str:
    return write_python(wire(request), node=base_url, env=names(knowledge))


def javascript_code(request: ExampleRequest, *, base_url: str, knowledge: Knowledge) -> str:
    return write_javascript(wire(request), node=base_url, env=names(knowledge))


# --------------------------------------------------------------------------- literals


def string_literal(text: str, *, python: bool) -> str:
    """`text` as a double-quoted literal of Python or JavaScript (the same text for both
    but for characters beyond U+FFFF that a reader would not see)."""
    out = []
    for ch in json.dumps(text, ensure_ascii=False):
        if unicodedata.category(ch) not in UNSEEN:
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        elif python:
            out.append(f"\\U{ord(ch):08x}")
        else:
            high, low = divmod(ord(ch) - 0x10000, 0x400)
            out.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
    return "".join(out)


def value_literal(value: object, *, python: bool, depth: int = 0) -> str:
    """A JSON value as a literal: on one line when that is short, else one member a
    line, indented by four (Python) or two (JavaScript), with a trailing comma."""
    unit = "    " if python else "  "
    if isinstance(value, Env):
        return f"os.environ.get({_py(value)}, \"\")" if python else f"process.env.{value} ?? \"\""
    if isinstance(value, dict) or isinstance(value, list):
        short = _one_line(value, python=python)
        if len(short) <= COMPACT:
            return short
        pad = unit * (depth + 1)
        if isinstance(value, dict):
            items = [f"{pad}{string_literal(str(k), python=python)}: {value_literal(v, python=python, depth=depth + 1)}"
                     for k, v in value.items()]
            ends = "{}"
        else:
            items = [pad + value_literal(v, python=python, depth=depth + 1) for v in value]
            ends = "[]"
        return ends[0] + "\n" + ",\n".join(items) + ",\n" + unit * depth + ends[1]
    if value is None:
        return "None" if python else "null"
    if isinstance(value, bool):
        return ("True" if value else "False") if python else ("true" if value else "false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))  # as JavaScript writes it (the panel's copy must agree)
        if math.isfinite(value):
            return json.dumps(value)
        return "None" if python else "null"  # what JSON itself would send
    return string_literal(value if isinstance(value, str) else str(value), python=python)


def _one_line(value: object, *, python: bool) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string_literal(str(k), python=python)}: {_one_line(v, python=python)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_one_line(v, python=python) for v in value) + "]"
    return value_literal(value, python=python)


def _pairs(pairs: list, *, python: bool, depth: int) -> str:
    """Names and text values as a dict (Python) or object (JavaScript) literal; a name
    given more than once keeps all its values, as a list (httpx sends each)."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return value_literal({k: v[0] if len(v) == 1 else v for k, v in grouped.items()}, python=python, depth=depth)


# --------------------------------------------------------------------------- Python


def write_python(request: Wire, *, node: str, env: dict[str, str]) -> str:
    """A complete script: reads the reader's variables, sends the request with httpx,
    stops on an error status, prints the answer (JSON, indented)."""
    json_answer = request["accept"] == JSON_MEDIA
    lines = _python_head(node, env, "json" if json_answer else "sys")
    lines += _python_request(request, env, params=None, indent="")
    lines.append("response.raise_for_status()")
    if json_answer:
        lines += ["if response.content:", "    print(json.dumps(response.json(), indent=2, ensure_ascii=False))"]
    else:
        lines.append("sys.stdout.buffer.write(response.content)")
    return "\n".join(lines)


def _python_head(node: str, env: dict[str, str], module: str) -> list[str]:
    return [*sorted([f"import {module}", "import os"]), "", "import httpx", "",
            f"base = os.environ.get({_py(env['url'])}) or {_py(node.rstrip('/'))}"]


def _py(text: str) -> str:
    return string_literal(text, python=True)


def _python_request(request: Wire, env: dict[str, str], *, params: str | None, indent: str) -> list[str]:
    """`response = httpx.request(...)`, one argument a line; `params` names a variable
    holding the query instead of writing it out."""
    body = request["body"] or {}
    headers = [(_py("Accept"), _py(request["accept"]))] + [(_py(n), _py(v)) for n, v in request["headers"]]
    if body and "form" not in body and (request["media_type"] != JSON_MEDIA or "json" not in body):
        headers.append((_py("Content-Type"), _py(request["media_type"])))  # httpx's json= says application/json
    if request["auth"] == "bearer":
        headers.append((_py("Authorization"), f'"Bearer " + os.environ[{_py(env["token"])}]'))
    args = [f"{_py(request['method'])},", f"base + {_py(request['path'])},"]
    if params:
        args.append(f"params={params},")
    elif request["query"]:
        args.append(f"params={_pairs(request['query'], python=True, depth=1)},")
    args += ["headers={", *[f"    {name}: {value}," for name, value in headers], "},"]
    if request["auth"] == "basic":
        args.append(f"auth=(os.environ[{_py(env['key'])}], os.environ[{_py(env['secret'])}]),")
    if "json" in body:
        args.append(f"json={value_literal(body['json'], python=True, depth=1)},")
    elif "text" in body:
        args.append(f"content={_py(body['text'])},")
    elif "form" in body:
        fields = [f[:2] for f in body["form"] if not f[2]]
        files = [f[:2] for f in body["form"] if f[2]]
        if fields:
            args.append(f"data={_pairs(fields, python=True, depth=1)},")
        if files:
            args += ["files={", *[f"    {_py(name)}: open({_py(file)}, \"rb\")," for name, file in files], "},"]
    # a multi-line literal's own lines are indented for one level already
    args = [line.replace("\n", "\n" + indent) for line in args]
    return [f"{indent}response = httpx.request(", *[f"{indent}    {a}" for a in args], f"{indent})"]


def _loop_request(request: ExampleRequest, limit: int, turned: str) -> Wire:
    """The loops' request: `limit` set, and without the query value the loop turns
    (`page`, or the cursor's name), which each round sets itself."""
    first = wire(request.with_query(limit=limit))
    first["query"] = [pair for pair in first["query"] if pair[0] != turned]
    return first


def python_page_loop(request: ExampleRequest, *, limit: int, base_url: str, knowledge: Knowledge) -> str:
    """Every item of a page-numbered list, one JSON a line (the shell loop's twin)."""
    first = _loop_request(request, limit, "page")
    return "\n".join([
        *_python_head(base_url, names(knowledge), "json"),
        f"params = {_pairs(first['query'], python=True, depth=0)}",
        "page = 1",
        "while True:",
        '    params["page"] = str(page)',
        *_python_request(first, names(knowledge), params="params", indent="    "),
        *_PYTHON_ITEMS,
        '    if body.get("meta", {}).get("hasnext") is not True:',
        "        break",
        "    page += 1",
    ])


def python_cursor_loop(request: ExampleRequest, *, name: str, limit: int, end_marker: str, base_url: str,
                       knowledge: Knowledge) -> str:
    """Every item of a list that hands out a cursor in `meta.<name>`, followed to the end."""
    first = _loop_request(request, limit, name)
    end = f" or after == {_py(end_marker)}" if end_marker else ""
    return "\n".join([
        *_python_head(base_url, names(knowledge), "json"),
        f"params = {_pairs(first['query'], python=True, depth=0)}",
        "while True:",
        *_python_request(first, names(knowledge), params="params", indent="    "),
        *_PYTHON_ITEMS,
        f'    after = body.get("meta", {{}}).get({_py(name)})',
        f"    if not after{end}:",
        "        break",
        f"    params[{_py(name)}] = after",
    ])


_PYTHON_ITEMS = [
    "    response.raise_for_status()",
    "    body = response.json()",
    '    for item in body["data"]:',
    "        print(json.dumps(item, ensure_ascii=False))",
]


# --------------------------------------------------------------------------- JavaScript


# A credential from the environment, or a clear stop: never "undefined" sent as a secret.
NEED_HELPER = [
    "// a credential from the environment: stop when it is not set",
    "function need(name) {",
    "  if (!process.env[name]) {",
    "    console.error(`${name} is not set`);",
    "    process.exit(1);",
    "  }",
    "  return process.env[name];",
    "}",
]
BASIC_HELPER = [
    "// Basic credentials: UTF-8 bytes, then base64 (btoa alone refuses non-ASCII)",
    "const basic = (key, secret) =>",
    "  btoa(String.fromCharCode(...new TextEncoder().encode(`${key}:${secret}`)));",
]


def _js(text: str) -> str:
    return string_literal(text, python=False)


def write_javascript(request: Wire, *, node: str, env: dict[str, str]) -> str:
    """An ES module for Node 18+ (fetch, no dependency): the same request, an Error on an
    error status, the answer printed (JSON, indented)."""
    body = request["body"] or {}
    lines = ['import { readFile } from "node:fs/promises";', ""] if "form" in body else []
    lines += _javascript_head(request, node, env)
    if "form" in body:
        lines.append("const form = new FormData();")
        for name, value, is_file in body["form"]:
            if is_file:
                lines.append(f"form.append({_js(name)}, new Blob([await readFile({_js(value)})]), {_js(value)});")
            else:
                lines.append(f"form.append({_js(name)}, {_js(value)});")
    lines += _javascript_fetch(request, env, indent="")
    if request["accept"] == JSON_MEDIA:
        lines += ["const text = await response.text();", "if (text) console.log(JSON.stringify(JSON.parse(text), null, 2));"]
    else:
        lines.append("process.stdout.write(new Uint8Array(await response.arrayBuffer()));")
    return "\n".join(lines)


def _javascript_head(request: Wire, node: str, env: dict[str, str]) -> list[str]:
    lines = NEED_HELPER + [""] if request["auth"] in ("basic", "bearer") else []
    lines += BASIC_HELPER + [""] if request["auth"] == "basic" else []
    lines += [
        f"const base = process.env.{env['url']} || {_js(node.rstrip('/'))};",
        f"const url = new URL(base + {_js(request['path'])});",
    ]
    if request["query"]:
        names_ = [name for name, _ in request["query"]]
        if len(set(names_)) == len(names_):
            lines.append(f"url.search = new URLSearchParams({_pairs(request['query'], python=False, depth=0)});")
        else:  # a name given more than once: pairs, each sent
            lines.append(f"url.search = new URLSearchParams({value_literal(request['query'], python=False)});")
    return lines


def _javascript_fetch(request: Wire, env: dict[str, str], *, indent: str) -> list[str]:
    """`const response = await fetch(...)` and the check of its status."""
    body = request["body"] or {}
    headers = [(_js("Accept"), _js(request["accept"]))] + [(_js(n), _js(v)) for n, v in request["headers"]]
    if body and "form" not in body:
        headers.append((_js("Content-Type"), _js(request["media_type"])))
    if request["auth"] == "basic":
        headers.append((_js("Authorization"), f'"Basic " + basic(need({_js(env["key"])}), need({_js(env["secret"])}))'))
    elif request["auth"] == "bearer":
        headers.append((_js("Authorization"), f'"Bearer " + need({_js(env["token"])})'))
    options = [f"  method: {_js(request['method'])},", "  headers: {",
               *[f"    {name}: {value}," for name, value in headers], "  },"]
    if "json" in body:
        options.append(f"  body: JSON.stringify({value_literal(body['json'], python=False, depth=1)}),")
    elif "text" in body:
        options.append(f"  body: {_js(body['text'])},")
    elif "form" in body:
        options.append("  body: form,")
    lines = [
        "const response = await fetch(url, {", *options, "});",
        "if (!response.ok) {",
        "  throw new Error(`${response.status} ${response.statusText}: ${await response.text()}`);",
        "}",
    ]
    return [indent + line.replace("\n", "\n" + indent) for line in lines]


def javascript_page_loop(request: ExampleRequest, *, limit: int, base_url: str, knowledge: Knowledge) -> str:
    """The page loop as an ES module: every item, one JSON a line."""
    first = _loop_request(request, limit, "page")
    return "\n".join([
        *_javascript_head(first, base_url, names(knowledge)),
        "for (let page = 1; ; page += 1) {",
        '  url.searchParams.set("page", String(page));',
        *_javascript_fetch(first, names(knowledge), indent="  "),
        *_JAVASCRIPT_ITEMS,
        "  if (body.meta?.hasnext !== true) break;",
        "}",
    ])


def javascript_cursor_loop(request: ExampleRequest, *, name: str, limit: int, end_marker: str, base_url: str,
                           knowledge: Knowledge) -> str:
    """The cursor loop as an ES module: `meta.<name>` followed to the end."""
    first = _loop_request(request, limit, name)
    end = f" || after === {_js(end_marker)}" if end_marker else ""
    return "\n".join([
        *_javascript_head(first, base_url, names(knowledge)),
        "for (;;) {",
        *_javascript_fetch(first, names(knowledge), indent="  "),
        *_JAVASCRIPT_ITEMS,
        f"  const after = body.meta?.[{_js(name)}];",
        f"  if (!after{end}) break;",
        f"  url.searchParams.set({_js(name)}, after);",
        "}",
    ])


_JAVASCRIPT_ITEMS = [
    "  const body = await response.json();",
    "  for (const item of body.data) console.log(JSON.stringify(item));",
]
