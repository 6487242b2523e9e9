"""The documentation model: frozen dataclasses built once from the raw spec."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .curl import ExampleRequest
from .problems import Problem
from .schema import SchemaNode

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
HEALTH_SLUG = "spec-health"  # reference/spec-health.md: no tag page may take this name
CHANGES_SLUG = "what-changed"  # reference/what-changed.md, in a site of several versions: nor this one


SAFE_ANCHOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,80}")


def code_anchor(code: str) -> str:
    """The error code itself as its anchor (`errors.html#CLIENTID_NOT_FOUND`) when it is a
    plain name; otherwise a stable digest, so no code can inject markup or attributes."""
    if SAFE_ANCHOR.fullmatch(code):
        return code
    return "code-" + hashlib.sha1(code.encode()).hexdigest()[:10]


def auth_mode(auth: tuple[str, ...]) -> str:
    """basic (an API key, or a token), bearer (a token only), public, or other."""
    if not auth:
        return "public"
    if "basic" in auth:
        return "basic"
    return "bearer" if auth == ("bearer",) else "other"


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    description: str
    schema: SchemaNode
    example: str | None  # JSON text of the value used in the curl example
    deprecated: bool = False
    pointer: str = field(default="", compare=False)  # the parameter object in the spec


@dataclass(frozen=True)
class Media:
    """One media type of a request body or response, with its example."""

    media_type: str
    schema: SchemaNode | None
    example: str | None  # pretty JSON (or text) shown to the reader
    example_origin: str  # "spec", "repaired", "synthesized", or "" when there is none
    example_note: str = ""  # why the spec's own example was not used: a key of the labels' example_notes
    example_members: tuple[str, ...] = ()  # with the "overlap" note: the `null` members that pick the alternative
    pointer: str = field(default="", compare=False)  # the media type object in the spec


@dataclass(frozen=True)
class Body:
    required: bool
    description: str
    media: tuple[Media, ...]


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    media: tuple[Media, ...]


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # as in the spec: /clients/{clientid}
    full_path: str  # with the base path: /api/v5/clients/{clientid}
    pointer: str  # JSON pointer of the operation object
    tag: str
    page: str  # site-relative page of the tag, e.g. reference/clients.md
    anchor: str  # get-clients-clientid
    summary: str
    description: str
    deprecated: bool
    auth: tuple[str, ...]  # "basic", "bearer", ... ; () when public
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    example: ExampleRequest  # a concrete request, every value filled
    curl: str
    python: str  # the same request as a Python script (httpx)
    javascript: str  # and as an ES module (fetch)
    problems: tuple[Problem, ...]  # problems in the spec that touch this operation
    uses: tuple[str, ...] = ()  # component refs it reaches, directly or not
    # from the EMQX knowledge (enrich.py)
    roles: tuple[str, ...] = ()  # API-key roles that may call it
    pagination: str | None = None  # page, cursor, offset
    page_param: str = ""  # the query parameter that moves to the next page
    errors: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (status, error codes)
    next_curl: str = ""  # the request for the following page
    next_python: str = ""  # and as Python and JavaScript
    next_javascript: str = ""

    @property
    def auth_mode(self) -> str:
        return auth_mode(self.auth)

    @property
    def url(self) -> str:
        return f"{self.page.removesuffix('.md')}.html#{self.anchor}"


@dataclass(frozen=True)
class Tag:
    name: str  # as the spec names it; the page's file name comes from it
    slug: str
    description: str
    operations: tuple[Operation, ...]
    title: str = ""  # the knowledge file's title for it in the site's language (enrich.py)

    @property
    def label(self) -> str:
        """What navigation and headings call it."""
        return self.title or self.name

    @property
    def page(self) -> str:
        return f"reference/{self.slug}.md"

    @property
    def url(self) -> str:
        return f"reference/{self.slug}.html"


@dataclass(frozen=True)
class ErrorCode:
    """An EMQX error code: what EMQX's table says, and where the spec uses it."""

    code: str
    description: str  # from EMQX's table ("" when the table does not describe it)
    node_description: str  # from the node's GET /error_codes, when built from a node
    spec_messages: tuple[str, ...]  # the spec's own words for it, where it gives some
    statuses: tuple[str, ...]  # HTTP statuses it comes with in this spec
    operations: tuple[Operation, ...]  # operations that may return it

    @property
    def anchor(self) -> str:
        return code_anchor(self.code)

    @property
    def in_table(self) -> bool:
        return bool(self.description)

    @property
    def in_spec(self) -> bool:
        return bool(self.operations)


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    kind: str  # basic, bearer, apikey, oauth2, openid, other
    description: str


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    description: str
    openapi: str
    base_path: str
    base_url: str  # the node address examples default to
    source: str  # where the spec came from, printable
    tags: tuple[Tag, ...]
    security_schemes: tuple[SecurityScheme, ...]
    components: dict[str, SchemaNode]
    problems: tuple[Problem, ...]
    error_codes: tuple[ErrorCode, ...] = ()

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for tag in self.tags for op in tag.operations)
