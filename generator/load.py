"""Read a spec from a file or a URL into a dict; every failure is one InputError line."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import yaml

from .problems import InputError

DEFAULT_SPEC = Path(__file__).parent / "data" / "default-spec.yaml"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_NESTING = 200  # levels of objects and arrays, the top one included; real specs use about 30
PARSER_FRAMES = 8  # the JSON parser's own recursion, allowed for beyond MAX_NESTING
MAX_YAML_INDENT = 400  # columns of leading spaces (block-style nesting)
MAX_EXPANDED_NODES = 2_000_000  # what YAML aliases may expand to
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]|\\U0000[dD][89abAB]")
URL_TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class LoadedSpec:
    document: dict
    label: str  # where it came from, safe to print (no credentials)
    size: int
    url: str | None = None  # the spec's URL when it came from a node
    digest: str = ""  # sha256 of the bytes read: two specs with one digest are one spec


def load_spec(
    source: str | None,
    *,
    user: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> LoadedSpec:
    """Load `source` (None for the bundled default, a path, or an http(s) URL)."""
    if source is None:
        return _parse(DEFAULT_SPEC.read_bytes(), "the bundled default spec")
    if source.startswith(("http://", "https://")):
        data, label = _fetch(source, user=user, max_bytes=max_bytes)
        return replace(_parse(data, label), url=label)
    if "://" in source:
        raise InputError(f"{source}: only http:// and https:// URLs or file paths are supported")
    return _parse(_read_file(Path(source), max_bytes), source)


def _read_file(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a spec file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{path}: {size} bytes is over the {max_bytes}-byte limit (raise it with --max-size)"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def credentials(user: str | None) -> tuple[str, str] | None:
    """API key and secret from --user KEY:SECRET, else EMQX_API_KEY / EMQX_SECRET_KEY."""
    if user:
        key, sep, secret = user.partition(":")
        if not sep:
            raise InputError("--user must be KEY:SECRET")
        return key, secret
    key, secret = os.environ.get("EMQX_API_KEY"), os.environ.get("EMQX_SECRET_KEY")
    if key and secret:
        return key, secret
    return None


def _safe_label(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without user:password, and those credentials (decoded) if it had them."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise InputError(f"{url.split('@')[-1]}: not a valid URL ({exc})") from None
    userinfo, at, host = parts.netloc.rpartition("@")
    label = urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
        if not parts.hostname:
            raise ValueError("no host")
    except ValueError as exc:
        raise InputError(f"{label}: not a valid URL ({exc})") from None
    auth = None
    if at:
        user, _, password = userinfo.partition(":")
        auth = (unquote(user), unquote(password))
    return label, auth


def _fetch(url: str, *, user: str | None, max_bytes: int) -> tuple[bytes, str]:
    label, url_auth = _safe_label(url)
    auth = url_auth or credentials(user)
    try:
        with httpx.Client(
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=URL_TIMEOUT_SECONDS,
            auth=auth,
            trust_env=False,
        ) as client:
            with client.stream("GET", label, headers={"Accept": "application/json, application/yaml"}) as resp:
                if resp.status_code == 401:
                    hint = "" if auth else "; give --user KEY:SECRET or set EMQX_API_KEY and EMQX_SECRET_KEY"
                    raise InputError(f"{label}: HTTP 401 Unauthorized{hint}")
                if resp.status_code >= 400:
                    raise InputError(f"{label}: HTTP {resp.status_code} {resp.reason_phrase}")
                ctype = resp.headers.get("content-type", "")
                if "html" in ctype:
                    raise InputError(f"{label}: returned an HTML page, not a JSON or YAML spec")
                chunks, total = [], 0
                for chunk in resp.iter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise InputError(
                            f"{label}: response is over the {max_bytes}-byte limit (raise it with --max-size)"
                        )
                    chunks.append(chunk)
                return b"".join(chunks), label
    except httpx.TooManyRedirects:
        raise InputError(f"{label}: too many redirects (more than {MAX_REDIRECTS})") from None
    except httpx.TimeoutException:
        raise InputError(f"{label}: timed out after {URL_TIMEOUT_SECONDS:g} s") from None
    except httpx.ConnectError as exc:
        raise InputError(f"{label}: cannot connect ({_first_line(exc)})") from None
    except httpx.InvalidURL as exc:
        raise InputError(f"{label}: not a valid URL ({_first_line(exc)})") from None
    except httpx.HTTPError as exc:
        raise InputError(f"{label}: {type(exc).__name__}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _parse(data: bytes, label: str) -> LoadedSpec:
    if not data.strip():
        raise InputError(f"{label}: is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{label}: not a text file (not UTF-8), expected JSON or YAML") from None
    if "\x00" in text:
        raise InputError(f"{label}: not a text file (contains NUL bytes), expected JSON or YAML")
    document = _decode(text, label)
    _check_openapi(document, label)
    return LoadedSpec(document=document, label=label, size=len(data), digest=hashlib.sha256(data).hexdigest())


def _decode(text: str, label: str) -> object:
    if text.lstrip()[:1] == "<":
        raise InputError(f"{label}: looks like HTML or XML, expected a JSON or YAML spec")
    too_deep = InputError(f"{label}: nested more than {MAX_NESTING} levels deep; not a usable spec")
    if text.lstrip()[:1] in ("{", "["):
        try:
            try:  # within this budget only documents shallower than MAX_NESTING parse
                with _recursion_budget(MAX_NESTING - PARSER_FRAMES):
                    document = json.loads(text)
            except RecursionError:  # nearly as deep or deeper: parse with room to spare, then measure
                with _recursion_budget(MAX_NESTING + PARSER_FRAMES):
                    document = json.loads(text)
                _check_shape(document, label, max_nodes=None)
        except json.JSONDecodeError as exc:
            raise InputError(f"{label}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise too_deep from None
        except ValueError as exc:  # e.g. an integer of thousands of digits
            raise InputError(f"{label}: invalid JSON: {_first_line(exc)}") from None
    else:
        _check_yaml_nesting(text, label)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            document = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise InputError(f"{label}: invalid YAML{where}: {exc.problem}") from None
        except yaml.YAMLError as exc:
            raise InputError(f"{label}: invalid YAML: {_first_line(exc)}") from None
        except RecursionError:
            raise too_deep from None
        except ValueError as exc:
            raise InputError(f"{label}: invalid YAML: {_first_line(exc)}") from None
        _check_shape(document, label, max_nodes=MAX_EXPANDED_NODES)
    if SURROGATE_ESCAPE.search(text):
        document = _without_surrogates(document)
    return document


@contextlib.contextmanager
def _recursion_budget(levels: int) -> Iterator[None]:
    """Let the parser recurse `levels` deep from here, and no deeper."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + levels)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _check_yaml_nesting(text: str, label: str) -> None:
    """Refuse YAML nested deeper than any spec before the C parser sees it (it would
    overflow its stack, not raise): flow brackets outside quotes, and indentation."""
    indent = max((len(m.group(0)) for m in re.finditer(r"^ +", text, re.M)), default=0)
    depth = deepest = 0
    for token in re.finditer(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[\[\]{}]", text):
        char = token.group(0)
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    if deepest > MAX_NESTING:
        raise InputError(f"{label}: nested more than {MAX_NESTING} levels deep; not a usable spec")
    if indent > MAX_YAML_INDENT:
        raise InputError(f"{label}: indented more than {MAX_YAML_INDENT} columns; not a usable spec")


def _check_shape(document: object, label: str, max_nodes: int | None) -> None:
    """Refuse a document nested deeper than MAX_NESTING levels (the top one counts) and,
    given `max_nodes`, YAML whose aliases expand beyond it (a "billion laughs" document).
    A node that aliases share is measured once; an alias cycle counts once."""
    sizes: dict[int, int] = {}
    heights: dict[int, int] = {}
    stack: list[tuple[object, bool]] = [(document, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, (dict, list)) or (id(node) in sizes and not done):
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            heights[id(node)] = 1 + max((heights.get(id(c), 0) for c in children), default=0)
            if max_nodes is not None and sizes[id(node)] > max_nodes:
                raise InputError(f"{label}: its YAML aliases expand to more than {max_nodes} nodes")
            if heights[id(node)] > MAX_NESTING:
                raise InputError(f"{label}: nested more than {MAX_NESTING} levels deep; not a usable spec")
        else:
            sizes[id(node)] = heights[id(node)] = 0  # in progress
            stack.append((node, True))
            stack.extend((c, False) for c in children)


def _without_surrogates(node: object) -> object:
    """Lone surrogates (escapes JSON and YAML allow) become U+FFFD: pages are UTF-8."""
    if isinstance(node, str):
        return node.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(node, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_without_surrogates(v) for v in node]
    return node


def _check_openapi(document: object, label: str) -> None:
    if not isinstance(document, dict):
        kind = "an array" if isinstance(document, list) else f"a {type(document).__name__} value"
        raise InputError(f"{label}: the top level is {kind}, expected an OpenAPI object")
    if "swagger" in document:
        raise InputError(
            f"{label}: this is a Swagger {document.get('swagger')} spec; convert it to OpenAPI 3 first "
            "(for example: npx swagger2openapi spec.json -o openapi.json)"
        )
    version = document.get("openapi")
    if version is None:
        raise InputError(f"{label}: no 'openapi' field; not an OpenAPI 3.x document")
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        raise InputError(f"{label}: openapi version {version!r} is not supported (3.0.x and 3.1.x are)")


NODE_CODES_TIMEOUT_SECONDS = 5.0


def node_error_codes(spec_url: str, base_path: str) -> dict[str, str]:
    """The node's own error-code descriptions (its public GET <base>/error_codes).

    Best effort: a node that does not answer, or answers with something else, gives {}.
    """
    parts = urlsplit(spec_url)
    url = urlunsplit((parts.scheme, parts.netloc, base_path.rstrip("/") + "/error_codes", "", ""))
    try:
        response = httpx.get(url, timeout=NODE_CODES_TIMEOUT_SECONDS, headers={"Accept": "application/json"}, trust_env=False)
        items = response.json() if response.status_code == 200 else []
    except (httpx.HTTPError, ValueError):
        return {}
    if not isinstance(items, list):
        return {}
    return {
        item["code"]: " ".join(item["description"].split())
        for item in items
        if isinstance(item, dict) and isinstance(item.get("code"), str) and isinstance(item.get("description"), str)
    }
