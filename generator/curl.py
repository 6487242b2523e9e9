"""A curl command for an operation that runs as it is once the reader's variables are set."""

from __future__ import annotations

import json
import shlex
from urllib.parse import quote

from .knowledge import Knowledge

COMPACT_BODY = 72


def build_curl(
    *,
    method: str,
    full_path: str,
    auth_mode: str,
    path_values: dict[str, object],
    query_values: list[tuple[str, object]],
    header_values: list[tuple[str, object]],
    media_type: str | None,
    body: object,
    base_url: str,
    knowledge: Knowledge,
) -> str:
    """One curl command, continued over lines with backslashes, no pipes."""
    url = _fill_path(full_path, path_values)
    query = "&".join(
        f"{quote(name, safe='')}={quote(_scalar(v), safe='')}"
        for name, value in query_values
        for v in (value if isinstance(value, list) else [value])
    )
    if query:
        url += "?" + query
    target = f'"${{{knowledge.env_url}:-{_dq(base_url.rstrip("/"))}}}{_dq(url)}"'
    lines = [f"curl -sS -X {method} {target}"]
    if auth_mode == "basic":
        lines.append(f'-u "${{{knowledge.env_key}}}:${{{knowledge.env_secret}}}"')
    elif auth_mode == "bearer":
        lines.append(f'-H "Authorization: Bearer ${{{knowledge.env_token}}}"')
    lines.append('-H "Accept: application/json"')
    for name, value in header_values:
        lines.append("-H " + shlex.quote(f"{name}: {_scalar(value)}"))
    if media_type:
        lines.extend(_body_lines(media_type, body))
    return " \\\n  ".join(lines)


def _body_lines(media_type: str, body: object) -> list[str]:
    if media_type.startswith("multipart/form-data"):
        # a file field (format: binary, so an empty example) uploads ./<field name>
        fields = body if isinstance(body, dict) and body else {"file": ""}
        return [
            "-F " + shlex.quote(f"{name}=@./{name}" if value == "" else f"{name}={_scalar(value)}")
            for name, value in fields.items()
        ]
    if "json" in media_type:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if len(text) > COMPACT_BODY:
            text = json.dumps(body, ensure_ascii=False, indent=2)
        return [f'-H "Content-Type: {media_type}"', "-d " + shlex.quote(text)]
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return [f'-H "Content-Type: {media_type}"', "--data-binary " + shlex.quote(text)]


def _fill_path(path: str, values: dict[str, object]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(_scalar(value), safe=""))
    return path


def _scalar(value: object) -> str:
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
