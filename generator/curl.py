"""Shell commands for an operation that run as they are once the reader's variables are set."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, replace
from urllib.parse import quote

from .knowledge import Knowledge

COMPACT_BODY = 72
ACCEPT = '-H "Accept: application/json"'
JOINER = " \\\n  "  # one option a line


@dataclass(frozen=True)
class ShellVar:
    """A query value left to the shell: `${NAME}` (the reader's, or a loop's, variable).

    An optional one is sent only when the variable is set: `${NAME:+&key=${NAME}}`.
    """

    name: str
    optional: bool = False


@dataclass(frozen=True)
class ExampleRequest:
    """One concrete request of an operation: every value filled and valid for its schema."""

    method: str
    full_path: str  # /api/v5/clients/{clientid}
    auth_mode: str  # basic, bearer, public, other
    path_values: tuple[tuple[str, object], ...] = ()
    query: tuple[tuple[str, object], ...] = ()
    headers: tuple[tuple[str, object], ...] = ()
    media_type: str | None = None
    body: object = None
    accept: str = "application/json"  # what the success answer is (a download is not JSON)

    def with_query(self, **values: object) -> ExampleRequest:
        """The same request with these query values set (replacing any of the same name)."""
        kept = tuple((k, v) for k, v in self.query if k not in values)
        return replace(self, query=kept + tuple(values.items()))


def build_curl(request: ExampleRequest, *, base_url: str, knowledge: Knowledge) -> str:
    """One curl command, continued over lines with backslashes, no pipes."""
    lines = [f"curl -sS -X {request.method} {url_word(request, base_url=base_url, knowledge=knowledge)}"]
    lines += credential_args(request.auth_mode, knowledge)
    lines.append(ACCEPT if request.accept == "application/json" else "-H " + shlex.quote(f"Accept: {request.accept}"))
    for name, value in request.headers:
        lines.append("-H " + shlex.quote(f"{name}: {scalar(value)}"))
    if request.media_type:
        lines.extend(_body_lines(request.media_type, request.body))
    return JOINER.join(lines)


def url_word(request: ExampleRequest, *, base_url: str, knowledge: Knowledge) -> str:
    """The request's URL as one double-quoted shell word, defaulting to `base_url`."""
    path = encoded_path(request)
    pairs = [
        (quote(name, safe=""), v)
        for name, value in request.query
        for v in (value if isinstance(value, list) else [value])
    ]
    query = "&".join(f"{name}={_query_value(v)}" for name, v in pairs if not _optional(v))
    for name, var in ((n, v) for n, v in pairs if _optional(v)):
        query += f"${{{var.name}:+{'&' if query else ''}{name}=${{{var.name}}}}}"
    url = _dq(path) + (f"?{query}" if query else "")
    return f'"${{{knowledge.env_url}:-{_dq(base_url.rstrip("/"))}}}{url}"'


def encoded_path(request: ExampleRequest) -> str:
    """The full path with each path value put in, percent-encoded (a "/" too)."""
    path = request.full_path
    for name, value in request.path_values:
        path = path.replace("{" + name + "}", quote(scalar(value), safe=""))
    return path


def form_fields(body: object) -> list[tuple[str, str, bool]]:
    """A multipart body's fields as (name, value, is a file). A file field (format:
    binary, so an empty example) uploads ./<field name>; no field at all, ./file."""
    fields = body if isinstance(body, dict) and body else {"file": ""}
    return [(name, name, True) if value == "" else (name, scalar(value), False) for name, value in fields.items()]


def one_line(request: ExampleRequest, *, base_url: str, knowledge: Knowledge) -> str:
    """The shortest form, for running text: `curl -sS <credentials> <url>`."""
    return " ".join(["curl -sS", *credential_args(request.auth_mode, knowledge), url_word(request, base_url=base_url, knowledge=knowledge)])


def login_token(login: ExampleRequest, *, base_url: str, knowledge: Knowledge) -> str:
    """The login request, with its token put into the reader's token variable."""
    command = build_curl(login, base_url=base_url, knowledge=knowledge).replace("\n  ", "\n    ")
    return f"export {knowledge.env_token}=$({command} \\\n  | jq -r .token)"


def panel_pieces(knowledge: Knowledge) -> dict[str, object]:
    """The fixed words of a curl command, for the Try-it panel, which fills in the live
    values: it assembles the same command as build_curl from these, never its own."""
    return {
        "start": "curl -sS -X",
        "url_var": knowledge.env_url,
        "credentials": {mode: credential_args(mode, knowledge) for mode in ("basic", "bearer")},
        "accept": ACCEPT,
        "joiner": JOINER,
    }


def credential_args(auth_mode: str, knowledge: Knowledge) -> list[str]:
    if auth_mode == "basic":
        return [f'-u "${{{knowledge.env_key}}}:${{{knowledge.env_secret}}}"']
    if auth_mode == "bearer":
        return [f'-H "Authorization: Bearer ${{{knowledge.env_token}}}"']
    return []


def _optional(value: object) -> bool:
    return isinstance(value, ShellVar) and value.optional


def page_loop(request: ExampleRequest, *, limit: int, base_url: str, knowledge: Knowledge) -> str:
    """A shell loop printing every item of a page-numbered list, one JSON per line."""
    first = request.with_query(page=ShellVar("page"), limit=limit)
    return "\n".join([
        "page=1",
        "while :; do",
        f"  body=$({_fetch(first, base_url, knowledge)}) || break",
        "  printf '%s\\n' \"$body\" | jq -c '.data[]'",
        "  [ \"$(printf '%s' \"$body\" | jq -r '.meta.hasnext')\" = true ] || break",
        "  page=$((page + 1))",
        "done",
    ])


def cursor_loop(request: ExampleRequest, *, name: str, limit: int, end_marker: str, base_url: str, knowledge: Knowledge) -> str:
    """A shell loop following `meta.<name>` to the end, printing every item once."""
    first = request.with_query(limit=limit, **{name: ShellVar("next", optional=True)})
    return "\n".join([
        'next=""',
        "while :; do",
        f"  body=$({_fetch(first, base_url, knowledge)}) || break",
        "  printf '%s\\n' \"$body\" | jq -c '.data[]'",
        f"  next=$(printf '%s' \"$body\" | jq -r '.meta.{name} // empty | @uri')",
        f"  [ -n \"$next\" ] && [ \"$next\" != {end_marker or 'null'} ] || break",
        "done",
    ])


def _fetch(request: ExampleRequest, base_url: str, knowledge: Knowledge) -> str:
    parts = ["curl -sS -f", *credential_args(request.auth_mode, knowledge), ACCEPT]
    return " ".join(parts) + " \\\n    " + url_word(request, base_url=base_url, knowledge=knowledge)


def _query_value(value: object) -> str:
    if isinstance(value, ShellVar):
        return f"${{{value.name}}}"
    return _dq(quote(scalar(value), safe=""))


def _body_lines(media_type: str, body: object) -> list[str]:
    if media_type.startswith("multipart/form-data"):
        return ["-F " + shlex.quote(f"{name}=@./{value}" if is_file else f"{name}={value}")
                for name, value, is_file in form_fields(body)]
    if "json" in media_type:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if len(text) > COMPACT_BODY:
            text = json.dumps(body, ensure_ascii=False, indent=2)
        return [f'-H "Content-Type: {media_type}"', "-d " + shlex.quote(text)]
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return [f'-H "Content-Type: {media_type}"', "--data-binary " + shlex.quote(text)]


def scalar(value: object) -> str:
    """A parameter or form value as the text that is sent."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _dq(text: str) -> str:
    """Text safe inside a double-quoted shell word."""
    return "".join("\\" + ch if ch in '"$`\\' else ch for ch in text)
