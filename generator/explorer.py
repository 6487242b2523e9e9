"""What the Try-it panel needs, as plain data: per operation, and once per site."""

from __future__ import annotations

import json

from .curl import panel_pieces
from .knowledge import Knowledge
from .model import Api, Media, Operation
from .samples import names
from .schema import SchemaNode


def operation_data(op: Operation, knowledge: Knowledge) -> dict:
    """The panel's description of one operation (JSON-ready)."""
    kinds = {kind.kind: kind for kind in knowledge.pagination}
    pagination = None
    if op.pagination:
        pagination = {"kind": op.pagination, "param": op.page_param, "end": kinds[op.pagination].end_marker}
    body = None
    if op.body and op.body.media:
        media = op.body.media[0]
        body = {
            "media_type": media.media_type,
            "example": media.example or "",
            "required": op.body.required,
            "fields": _required_fields(media.schema),
        }
        if media.media_type.startswith("multipart/form-data"):
            body["form"] = _form_fields(media)
    return {
        "id": op.anchor,
        "method": op.method,
        "accept": op.example.accept,
        "path": op.full_path,
        "auth": op.auth_mode,
        "params": [
            {
                "name": p.name,
                "in": p.location,
                "required": p.required,
                "type": p.schema.type,
                "enum": [json.loads(v) for v in p.schema.enum],
                "default": json.loads(p.schema.default) if p.schema.default is not None else None,
                "example": json.loads(p.example) if p.example is not None else None,
            }
            for p in op.parameters
            if p.location in ("path", "query", "header")
        ],
        "body": body,
        "pagination": pagination,
        "statuses": {r.status: r.description for r in op.responses},
    }


def _form_fields(media: Media) -> list[dict]:
    """Fields of a multipart body: a file input for binary ones (their example is "")."""
    try:
        example = json.loads(media.example or "{}")
    except ValueError:
        example = {}
    if not isinstance(example, dict) or not example:
        example = {p.name: "" for p in media.schema.properties} if media.schema else {"file": ""}
    return [{"name": name, "file": value == ""} for name, value in example.items()]


def _required_fields(schema: SchemaNode | None) -> list[str]:
    if schema is None:
        return []
    return [p.name for p in schema.properties if p.required]


def site_data(api: Api, knowledge: Knowledge, labels: dict) -> dict:
    """Shared by every page: defaults, status meanings, error-code descriptions, and the
    panel's words (the labels' `try`, the serve proxy's codes and the parameter places)."""
    errors = {
        c.code: {"text": c.description or c.node_description or (c.spec_messages[0] if c.spec_messages else ""),
                 "anchor": c.anchor}
        for c in api.error_codes
    }
    return {
        "base_path": api.base_path,
        "default_node": api.base_url,
        "curl": panel_pieces(knowledge),
        "env": names(knowledge),  # for code-samples.js
        "code_tabs": labels["code_tabs"],
        "code_langs": labels["code_langs"],
        "code_needs": labels["code_needs"],
        "login": knowledge.login.split(" ", 1)[1],
        "status": knowledge.status_codes,
        "errors": errors,
        "proxy_codes": labels["proxy_codes"],
        "errors_page": "guides/errors.html",
        "words": labels["try"],
        "locations": labels["locations"],
    }
