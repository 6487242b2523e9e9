"""What each guide page shows, derived from the model and the EMQX knowledge."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from .curl import ExampleRequest, build_curl, credential_args, cursor_loop, login_token, one_line, page_loop
from .knowledge import Knowledge
from .model import Api, Operation, Tag
from .samples import javascript_cursor_loop, javascript_page_loop, python_cursor_loop, python_page_loop

GUIDES = ("authentication", "roles", "pagination", "status-codes", "errors")  # titled by the labels' guide_titles
LANGUAGES = ("bash", "python", "javascript")  # the code samples' tabs, in order
PREFERRED = {"page": "GET /clients", "cursor": "GET /clients/{clientid}/mqueue_messages"}


@dataclass(frozen=True)
class StatusRow:
    code: str
    meaning: str  # "" when EMQX's list does not have it
    operations: int  # how many operations declare it


def contexts(api: Api, knowledge: Knowledge, labels: dict) -> dict[str, dict]:
    """Template context of each guide page, by page name."""
    ops = api.operations
    return {
        "authentication": {
            "bearer_only": [op for op in ops if op.auth_mode == "bearer"],
            "public": [op for op in ops if op.auth_mode == "public"],
            "examples": _auth_examples(api, knowledge, labels["placeholders"]),
        },
        "roles": {"tags": [t for t in api.tags if t.operations], "matrix": _matrix(api.tags)},
        "pagination": _pagination(api, knowledge),
        "status-codes": {"rows": _statuses(api, knowledge)},
        "errors": {
            "codes": api.error_codes,
            "in_table": sum(1 for c in api.error_codes if c.in_table),
            "in_spec": sum(1 for c in api.error_codes if c.in_spec),
            "from_node": sum(1 for c in api.error_codes if c.node_description),
        },
    }


def _auth_examples(api: Api, knowledge: Knowledge, placeholders: dict[str, str]) -> dict[str, str]:
    """Shell examples of both ways to authenticate, with this spec's paths; what the
    reader replaces is named in the site's language (`placeholders`)."""
    sample = _find(api.operations, "GET /clients") or next(
        (op for op in api.operations if op.method == "GET" and op.auth_mode == "basic"), None
    )
    path = sample.full_path if sample and not sample.example.path_values else api.base_path + "/clients"
    basic = ExampleRequest("GET", path, "basic")
    bearer = ExampleRequest("GET", path, "bearer")
    login = login_request(api, knowledge, placeholders["password"])
    key, secret = shlex.quote(placeholders["api_key"]), shlex.quote(placeholders["secret_key"])
    return {
        "basic": "\n".join([
            f"export {knowledge.env_url}={shlex.quote(api.base_url)}",
            f"export {knowledge.env_key}={key} {knowledge.env_secret}={secret}",
            build_curl(basic, base_url=api.base_url, knowledge=knowledge),
        ]),
        "bearer": "\n".join([
            login_token(login, base_url=api.base_url, knowledge=knowledge),
            build_curl(bearer, base_url=api.base_url, knowledge=knowledge),
        ]),
    }


def login_request(api: Api, knowledge: Knowledge, password: str = "your-password") -> ExampleRequest:
    """POST <base>/login with a dashboard user's name and password (the knowledge file's route)."""
    method, path = knowledge.login.split(" ", 1)
    body = {"username": "admin", "password": password}
    return ExampleRequest(method, api.base_path + path, "public", media_type="application/json", body=body)


def overview(api: Api, knowledge: Knowledge) -> dict[str, str]:
    """The overview's authentication sentence, in words from curl.py and the knowledge file."""
    login = login_request(api, knowledge)
    return {
        "basic_curl": one_line(ExampleRequest("GET", api.base_path + "/...", "basic"), base_url=api.base_url, knowledge=knowledge),
        "bearer_header": credential_args("bearer", knowledge)[0],
        "login": f"{login.method} {login.full_path}",
    }


def _find(ops: tuple[Operation, ...], key: str) -> Operation | None:
    return next((op for op in ops if f"{op.method} {op.path}" == key), None)


def _matrix(tags: tuple[Tag, ...]) -> list[tuple[Tag, list[Operation]]]:
    return [(tag, list(tag.operations)) for tag in tags if tag.operations]


def _pagination(api: Api, knowledge: Knowledge) -> dict:
    by_kind = {kind.kind: [op for op in api.operations if op.pagination == kind.kind] for kind in knowledge.pagination}
    loops = {}
    for kind in knowledge.pagination:
        users = by_kind[kind.kind]
        if not users or kind.kind not in PREFERRED:
            continue
        op = _find(tuple(users), PREFERRED[kind.kind]) or users[0]
        limit = kind.limit_default or 100
        if kind.kind == "page":
            writers = (page_loop, python_page_loop, javascript_page_loop)
            options: dict = {}
        else:
            writers = (cursor_loop, python_cursor_loop, javascript_cursor_loop)
            options = {"name": op.page_param, "end_marker": kind.end_marker}
        loops[kind.kind] = (op, [(lang, write(op.example, limit=limit, base_url=api.base_url, knowledge=knowledge, **options))
                                 for lang, write in zip(LANGUAGES, writers)])
    return {"by_kind": by_kind, "loops": loops}


def _statuses(api: Api, knowledge: Knowledge) -> list[StatusRow]:
    counts: dict[str, int] = {}
    for op in api.operations:
        for response in op.responses:
            counts[response.status] = counts.get(response.status, 0) + 1
    codes = sorted(set(knowledge.status_codes) | set(counts))
    return [StatusRow(c, knowledge.status_codes.get(c, ""), counts.get(c, 0)) for c in codes]
