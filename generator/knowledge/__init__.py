"""EMQX knowledge the spec does not carry, read from a data file (emqx.yaml).

The rules (who may call what, which pagination an operation uses) are data in the
file; this module only evaluates them, so another EMQX version is an edit of the file.
Its texts are English; those of another language (role and pagination names and
summaries, status and error-code descriptions, the notes, titles for EMQX's tags) are
in a file beside it named after the language, emqx.zh.yaml, and take the English ones'
place where they say something.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..problems import InputError

DEFAULT_FILE = Path(__file__).parent / "emqx.yaml"


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    summary: str
    default: bool
    rules: tuple[dict, ...]

    def reaches(self, method: str, path: str) -> bool:
        """Whether one of this role's rules matches the operation."""
        for rule in self.rules:
            if rule.get("all") is True:
                return True
            if method in rule.get("methods", ()):
                return True
            if f"{method} {path}" in rule.get("operations", ()):
                return True
        return False


@dataclass(frozen=True)
class Pagination:
    kind: str  # page, cursor, offset
    title: str
    summary: str
    query_all: tuple[str, ...]
    query_any: tuple[str, ...]
    request: tuple[str, ...]
    meta: tuple[str, ...]
    end_marker: str = ""
    page_start: int = 1
    limit_default: int | None = None
    limit_max: int | None = None

    def matches(self, query: set[str]) -> bool:
        return set(self.query_all) <= query and (not self.query_any or bool(query & set(self.query_any)))


@dataclass(frozen=True)
class Bootstrap:
    setting: str
    example_path: str
    line_format: str
    example_lines: tuple[str, ...]


@dataclass(frozen=True)
class Knowledge:
    default_base_url: str
    base_path: str
    env_url: str
    env_key: str
    env_secret: str
    env_token: str
    example_values: dict[str, object]
    until_properties: frozenset[str]  # times that mean "until": never in the past in an example
    until_example: str
    api_key_scheme: str
    login: str
    logout: str
    dashboard_menu: str
    bootstrap: Bootstrap
    roles: tuple[Role, ...]
    roles_edition_note: str
    dashboard_roles_note: str
    pagination: tuple[Pagination, ...]
    status_codes: dict[str, str]
    error_codes: dict[str, str]
    language: str = "en"
    tag_titles: dict[str, str] = field(default_factory=dict)  # EMQX's tag names in `language`

    def roles_for(self, method: str, path: str, auth: tuple[str, ...]) -> tuple[str, ...]:
        """API-key roles that may call the operation: all for public ones, none when
        no API key is accepted (bearer-only)."""
        if not auth:
            return tuple(role.id for role in self.roles)
        if self.api_key_scheme not in auth:
            return ()
        return tuple(role.id for role in self.roles if role.reaches(method, path))

    def pagination_for(self, query: set[str]) -> Pagination | None:
        return next((kind for kind in self.pagination if kind.matches(query)), None)


@functools.lru_cache(maxsize=8)
def load_knowledge(path: Path | None = None, language: str = "en") -> Knowledge:
    """The knowledge in `path` (the bundled file when None) with its texts in `language`,
    read once per process. The texts of another language come from `<name>.<language>.yaml`
    beside `path`, else from the bundled one."""
    source = path or DEFAULT_FILE
    data = _read(source)
    words_file = None
    if language != "en":
        beside = source.with_name(f"{source.stem}.{language}.yaml")
        words_file = beside if beside.is_file() else DEFAULT_FILE.with_name(f"{DEFAULT_FILE.stem}.{language}.yaml")
    try:
        if words_file is not None:
            data = _in_language(data, _read(words_file))
        return _knowledge(data, language)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        blamed = f"{source} or {words_file}" if words_file else str(source)
        raise InputError(f"{blamed}: the knowledge file is incomplete or malformed ({type(exc).__name__}: {exc})") from None


def _read(source: Path) -> dict:
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{source}: cannot read the knowledge file: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InputError(f"{source}: invalid YAML{where}: {getattr(exc, 'problem', '') or exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: the knowledge file must be a mapping")
    return data


def _in_language(data: dict, words: dict) -> dict:
    """The knowledge with the texts `words` gives in place of the English ones; what it
    does not give stays English. Rules are never taken from `words`."""
    data = copy.deepcopy(data)
    if words.get("dashboard_menu"):
        data["auth"]["dashboard_menu"] = words["dashboard_menu"]
    for key in ("roles_edition_note", "dashboard_roles_note"):
        if words.get(key):
            data[key] = words[key]
    for key, by in (("roles", "id"), ("pagination", "kind")):
        texts = words.get(key) or {}
        for entry in data[key]:
            entry.update({k: v for k, v in (texts.get(entry[by]) or {}).items() if k in ("title", "summary")})
    for key in ("status_codes", "error_codes"):
        texts = {str(k): v for k, v in (words.get(key) or {}).items()}
        data[key] = {k: texts.get(str(k), v) for k, v in data[key].items()}
    data["tag_titles"] = words.get("tags") or {}
    return data


def _knowledge(data: dict, language: str = "en") -> Knowledge:
    env, auth = data["environment"], data["auth"]
    boot = auth["bootstrap"]
    return Knowledge(
        default_base_url=str(data["default_base_url"]),
        base_path=str(data["base_path"]),
        env_url=str(env["url"]),
        env_key=str(env["api_key"]),
        env_secret=str(env["secret_key"]),
        env_token=str(env["token"]),
        example_values={str(k).lower(): v for k, v in (data.get("example_values") or {}).items()},
        until_properties=frozenset(str(x).lower() for x in data.get("until_properties") or ()),
        until_example=str(data.get("until_example", "2035-01-01T00:00:00Z")),
        api_key_scheme=str(auth["api_key_scheme"]),
        login=str(auth["login"]),
        logout=str(auth["logout"]),
        dashboard_menu=str(auth["dashboard_menu"]),
        bootstrap=Bootstrap(
            setting=str(boot["setting"]),
            example_path=str(boot["example_path"]),
            line_format=str(boot["line_format"]),
            example_lines=tuple(str(x) for x in boot["example_lines"]),
        ),
        roles=tuple(
            Role(
                id=str(r["id"]), title=str(r["title"]), summary=str(r["summary"]),
                default=bool(r.get("default")), rules=tuple(dict(x) for x in r["rules"]),
            )
            for r in data["roles"]
        ),
        roles_edition_note=str(data.get("roles_edition_note", "")),
        dashboard_roles_note=str(data.get("dashboard_roles_note", "")),
        pagination=tuple(
            Pagination(
                kind=str(p["kind"]), title=str(p["title"]), summary=" ".join(str(p["summary"]).split()),
                query_all=tuple(p.get("query_all", ())), query_any=tuple(p.get("query_any", ())),
                request=tuple(p.get("request", ())), meta=tuple(p.get("meta", ())),
                end_marker=str(p.get("end_marker", "")), page_start=int(p.get("page_start", 1)),
                limit_default=p.get("limit_default"), limit_max=p.get("limit_max"),
            )
            for p in data["pagination"]
        ),
        status_codes={str(k): str(v) for k, v in data["status_codes"].items()},
        error_codes={str(k): str(v) for k, v in data["error_codes"].items()},
        language=language,
        tag_titles={str(k): str(v) for k, v in (data.get("tag_titles") or {}).items()},
    )
