"""A poisoned, EMQX-shaped OpenAPI 3.0 spec for tests/test_hostile_spec.py (not a test module).

Every string the generator could show carries script payloads. Each payload calls
``alert('xssN')`` with its own marker N, and ``PLACES`` maps every marker to the place
in the spec it was put (and the kind of payload), so a dialog that fires names its
source.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

# Payload kinds; "{m}" is replaced by the marker. The onmouseover kinds never fire on
# their own: the DOM check (no on* attribute anywhere) catches them.
KINDS: dict[str, str] = {
    "script": "<script>alert('{m}')</script>",
    "img": "<img src=x onerror=alert('{m}')>",
    "svg": "<svg onload=alert('{m}')>",
    "break-out": "\"><script>alert('{m}')</script>",
    "single-attr": "' onmouseover='alert(\"{m}\")",
    "double-attr": "\" onmouseover=\"alert('{m}')",
    "md-link-js": "[x](javascript:alert('{m}'))",
    "md-image-js": "![x](javascript:alert('{m}'))",
    "md-link-data": "[x](data:text/html,<script>alert('{m}')</script>)",
    "md-image-data": "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-autolink": "<javascript:alert('{m}')>",
    "md-code-break": "`[x](javascript:alert('{m}'))`",
    "md-fence-break": "\n\n```\n\n[x](javascript:alert('{m}'))\n\n```\n",
    "raw-a": "<a href=\"javascript:alert('{m}')\">click</a>",
    "raw-a-entity": "<a href=\"jav&#x09;ascript:alert('{m}')\">tab</a>",
    "entity-script": "&lt;script&gt;alert('{m}')&lt;/script&gt;",
    "entity-img": "&#60;img src=x onerror=alert('{m}')&#62;",
    "iframe": "<iframe srcdoc=\"<script>parent.alert('{m}')</script>\"></iframe>",
    "style": "<style>body{{background:url(//evil.example/{m}.png)}}</style>",
    "link": "<link rel=stylesheet href=//evil.example/{m}.css>",
    "meta": "<meta http-equiv=refresh content=\"0;url=javascript:alert('{m}')\">",
    "close-script": "</script><script>alert('{m}')</script>\u2028<!--",
    "form": "<form action=\"javascript:alert('{m}')\"><button formaction=\"javascript:alert('{m}')\">go</button></form>",
    # out of a Python or JavaScript string literal (code samples), hidden by a bidi override
    # and cut by line separators: it must stay one string, every character of it shown
    "code-break": "\u202e\"); alert('{m}'); (\"\u2066 \\\" + alert('{m}') + \"\u2028\u2029`${{alert('{m}')}}`\r\n#",
}
JINJA = "jinja:{{ 7*7 }}"  # must be shown as written, never as jinja:49
MARKDOWN_SPECIAL = r"*stars* _under_ `tick` [br](acket) #hash | pipe ~tilde~ \back {brace} 1. <> & ! +"
EMQX_HTML = "Subscribe with <code>topic/#</code><br/>and wait for the retained message."

# Short payloads for names, keys and values that should stay short.
NAME_KINDS = ("img", "break-out", "double-attr")


@dataclass
class Payloads:
    """Hands out payload strings with distinct markers and remembers where each went."""

    places: dict[str, str] = field(default_factory=dict)
    _count: itertools.count = field(default_factory=lambda: itertools.count(1))

    def marker(self, place: str, kind: str) -> str:
        """A new marker, e.g. for a payload written out by hand."""
        marker = f"xss{next(self._count)}"
        self.places[marker] = f"{place} [{kind}]"
        return marker

    def one(self, place: str, kind: str) -> str:
        return KINDS[kind].format(m=self.marker(place, kind))

    def some(self, place: str, kinds: tuple[str, ...] = NAME_KINDS, sep: str = " ") -> str:
        return sep.join(self.one(place, kind) for kind in kinds)

    def text(self, place: str) -> str:
        """Every kind, plus the Jinja-like text and Markdown specials: for descriptions."""
        parts = [f"{place}:"] + [self.one(place, kind) for kind in KINDS] + [JINJA, MARKDOWN_SPECIAL]
        return "\n\n".join(parts)


def build() -> tuple[dict, dict[str, str], dict[str, str]]:
    """(spec, marker -> place, named strings the test looks for)."""
    p = Payloads()
    tag_clients = "Clients " + p.one("tag name", "img")
    tag_attr = "Attr " + p.one("tag name", "double-attr") + " " + p.one("tag name", "single-attr")
    tag_entity = p.one("tag name", "entity-script") + " " + p.one("tag name", "entity-img")
    tag_title = "</title>" + p.one("tag name", "script") + "<svg onload=alert('" + p.marker("tag name", "svg") + "')>"
    tag_publish = "Publish"

    hostile_path_segment = p.one("path string", "break-out")
    hostile_path = ("/clients/{clientid}/" + hostile_path_segment + p.one("path string", "img")
                    + p.one("path string", "md-code-break"))
    error_codes = [
        p.one("error-code enum (code property)", "img"),
        p.one("error-code enum (code property)", "double-attr"),
        "javascript:alert('" + p.marker("error-code enum (code property)", "javascript:") + "')",
        p.one("error-code enum (code property)", "entity-script"),
        "X} #evil .cls onclick=alert('" + p.marker("error-code enum (code property)", "attr_list") + "') {",
        "CLIENTID_NOT_FOUND",
    ]
    lone_code = p.one("error-code enum (single code)", "break-out")
    summary_jinja = "Get one client " + JINJA + " " + p.one("operation summary", "img")
    publish_example = {
        "topic": "t/" + p.one("requestBody example", "close-script"),
        "payload": "</script><script>alert('" + p.marker("requestBody example", "close-script raw") + "')</script>\u2028\u2029<!--",
        "qos": 0,
        p.one("requestBody example key", "img"): "key",
        p.one("requestBody example key", "code-break"): [p.one("requestBody example", "code-break"), None, True],
    }

    def error_schema(codes: list[str], message_place: str) -> dict:
        return {
            "type": "object",
            "properties": {
                "code": {"type": "string", "enum": codes},
                "message": {"type": "string", "description": p.some(message_place, ("img", "script", "entity-img"))},
            },
        }

    client_schema_name = "Client" + p.one("component schema name", "double-attr")
    evil_schema_name = "Evil" + p.one("component schema name", "svg")
    client_ref = "#/components/schemas/" + client_schema_name.replace("~", "~0").replace("/", "~1")
    evil_ref = "#/components/schemas/" + evil_schema_name.replace("~", "~0").replace("/", "~1")

    client_schema = {
        "type": "object",
        "title": p.some("schema title", ("script", "img")),
        "description": EMQX_HTML + "\n\n" + p.text("schema description"),
        "required": ["clientid"],
        "x-emqx-note": p.some("schema x- extension", ("script", "img")),
        "properties": {
            "clientid": {
                "type": "string",
                "description": p.text("property description"),
                "example": p.one("property example", "img"),
                "default": p.one("property default", "break-out"),
                "format": p.one("property format", "img"),
                "pattern": p.one("property pattern", "script"),
                "maxLength": 1024,
            },
            p.one("property name", "img"): {"type": "string", "title": p.one("property title", "svg")},
            p.one("property name", "double-attr"): {"type": "integer"},
            "state": {
                "type": "string",
                "enum": [p.one("property enum", kind) for kind in ("img", "break-out", "single-attr", "entity-script")],
            },
            "nested": {
                "type": "array",
                "items": {
                    "oneOf": [
                        {"$ref": evil_ref},
                        {"type": "object", "description": p.text("oneOf variant description"),
                         "properties": {p.one("nested property name", "svg"): {"type": "boolean"}}},
                    ]
                },
            },
            "extra": {
                "type": "object",
                "additionalProperties": {"type": "string", "description": p.some("additionalProperties description")},
            },
        },
    }
    spec = {
        "openapi": "3.0.3",
        "info": {
            "title": "EMQX " + p.one("info.title", "script") + " " + p.one("info.title", "img") + " "
            + p.one("info.title", "entity-script") + " " + JINJA,
            "description": EMQX_HTML + "\n\n" + p.text("info.description"),
            "version": "5.8.1 " + p.one("info.version", "img") + p.one("info.version", "break-out"),
            "termsOfService": "javascript:alert('" + p.marker("info.termsOfService", "javascript:") + "')",
            "contact": {"name": p.one("info.contact.name", "img"),
                        "url": "javascript:alert('" + p.marker("info.contact.url", "javascript:") + "')"},
            "license": {"name": p.one("info.license.name", "svg"),
                        "url": "data:text/html,<script>alert('" + p.marker("info.license.url", "data:") + "')</script>"},
            "x-logo": {"url": "javascript:alert('" + p.marker("info x-logo", "javascript:") + "')"},
        },
        "servers": [
            # the base path: EMQX's /api/v5, then payloads (a relative URL is taken as written)
            {"url": "/api/v5" + p.some("servers[0].url", ("md-code-break", "img", "md-fence-break"), sep=""),
             "description": p.some("servers description", ("script", "img"))},
            {"url": "http://127.0.0.1:18083/" + p.one("servers[1].url", "break-out"),
             "description": p.one("servers[1].description", "svg")},
        ],
        "x-emqx-extension": p.some("top-level x- extension", ("script", "img", "svg")),
        "security": [{"basicAuth": []}, {"bearerAuth": []}],
        "tags": [
            {"name": tag_clients, "description": EMQX_HTML + "\n\n" + p.text("tag description")},
            {"name": tag_attr, "description": p.some("tag description (attr tag)", ("script", "md-link-js"))},
            {"name": tag_entity, "description": p.one("tag description (entity tag)", "entity-img")},
            {"name": tag_title, "description": p.one("tag description (title tag)", "iframe")},
            {"name": tag_publish, "description": "Publish messages."},
        ],
        "paths": {
            "/clients": {
                "get": {
                    "tags": [tag_clients],
                    "summary": "List clients " + p.some("operation summary", ("img", "md-link-js", "entity-script")),
                    "description": EMQX_HTML + "\n\n" + p.text("operation description"),
                    "x-emqx-hidden": p.one("operation x- extension", "script"),
                    "parameters": [
                        {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 100}},
                        {
                            "name": p.one("parameter name (query)", "img"),
                            "in": "query",
                            "description": p.text("parameter description"),
                            "schema": {
                                "type": "string",
                                "enum": [p.one("parameter enum", kind) for kind in ("script", "break-out", "double-attr")],
                            },
                        },
                        {
                            "name": "conn_state",
                            "in": "query",
                            "required": True,
                            "description": p.some("parameter description (conn_state)", ("svg", "raw-a")),
                            "example": p.some("parameter example", ("img", "code-break")),
                            "schema": {"type": "string", "default": p.one("parameter default", "break-out"),
                                       "pattern": p.one("parameter pattern", "svg"),
                                       "format": p.one("parameter format", "script")},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": p.some("response description (200)", ("img", "md-link-js", "raw-a")),
                            "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": client_ref}}}},
                        },
                        "400": {
                            "description": p.some("response description (400)", ("svg", "entity-img")),
                            "content": {"application/json": {"schema": error_schema(error_codes, "message description (400)")}},
                        },
                        "x-" + p.one("response status key", "img"): {"description": "odd status"},
                    },
                },
            },
            hostile_path: {
                "parameters": [
                    {"name": "clientid", "in": "path", "required": True,
                     "description": p.some("path parameter description", ("img", "md-image-js")),
                     "example": p.some("path parameter example", ("break-out", "code-break")),
                     "schema": {"type": "string"}},
                ],
                "get": {
                    "tags": [tag_clients],
                    "summary": summary_jinja,
                    "description": p.text("operation description (hostile path)"),
                    "parameters": [  # cursor pagination: the pagination guide's loop example uses this path
                        {"name": "position", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "X-" + p.one("header parameter name", "img"), "in": "header",
                         "schema": {"type": "string", "example": p.some("header parameter example", ("script", "code-break"))}},
                    ],
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": client_ref}}}},
                        "404": {
                            "description": p.one("response description (404)", "img"),
                            "content": {"application/json": {"schema": error_schema([lone_code], "message description (404)")}},
                        },
                    },
                },
                "delete": {
                    "tags": [tag_attr],
                    "summary": p.some("operation summary (delete)", ("double-attr", "single-attr")),
                    "responses": {"204": {"description": p.one("response description (204)", "img")}},
                },
            },
            "/publish": {
                "post": {
                    "tags": [tag_publish],
                    "summary": "Publish a message",
                    "description": p.text("operation description (publish)"),
                    "requestBody": {
                        "required": True,
                        "description": p.text("requestBody description"),
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["topic"],
                                    "properties": {
                                        "topic": {"type": "string"},
                                        "payload": {"type": "string"},
                                        "qos": {"type": "integer", "enum": [0, 1, 2]},
                                    },
                                    "additionalProperties": True,
                                },
                                "example": publish_example,
                            },
                            "text/" + p.one("media type name", "img"): {
                                "schema": {"type": "string"},
                                "example": p.one("text example", "close-script"),
                            },
                        },
                    },
                    "responses": {
                        "200": {"description": "OK", "content": {
                            p.one("media type name (response)", "break-out"): {"schema": {"$ref": evil_ref}}}},
                        "400": {"description": "Bad", "content": {"application/json": {
                            "schema": error_schema(["BAD_TOPIC" + p.one("error-code enum (publish)", "svg")],
                                                   "message description (publish)")}}},
                    },
                },
            },
            "/login": {
                "post": {
                    "tags": [tag_entity],
                    "security": [],
                    "summary": "Log in " + p.some("operation summary (public)", ("img", "raw-a", "svg")),
                    "responses": {"200": {"description": p.one("response description (login)", "script")}},
                },
            },
            "/api_key": {
                "get": {
                    "tags": [tag_title],
                    "security": [{"bearerAuth": []}],
                    "summary": "Keys " + p.some("operation summary (bearer only)", ("img", "iframe", "meta")),
                    "responses": {"200": {"description": "OK"}},
                },
            },
        },
        "components": {
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic",
                              "description": p.text("securitySchemes.basicAuth description")},
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": p.one("bearerFormat", "img"),
                               "description": p.some("securitySchemes.bearerAuth description", ("script", "svg"))},
            },
            "schemas": {
                client_schema_name: client_schema,
                evil_schema_name: {
                    "type": "object",
                    "description": p.text("component description (Evil)"),
                    "properties": {
                        "kind": {"type": "string", "enum": [p.one("component enum", "svg"), p.one("component enum", "iframe")],
                                 "example": p.one("component example", "close-script")},
                        "value": {"type": "string", "default": p.one("component default", "script"),
                                  "format": p.one("component format", "double-attr")},
                    },
                },
            },
        },
    }
    named = {
        "summary_jinja": summary_jinja,
        "hostile_path": hostile_path,
        "tag_clients": tag_clients,
        "tag_title": tag_title,
        "publish_payload": publish_example["payload"],
        "error_code": error_codes[0],
    }
    return spec, p.places, named

