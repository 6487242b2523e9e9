"""What `diff` reports: every kind of change with its level and meaning, in one table.

A level belongs to the kind, never to one occurrence: `breaking` when a client that
worked against the old API may fail against the new one (something it sends is refused,
something it relies on is gone or different), `warning` when it keeps working but
should look (a deprecation, a new value it may not handle), `info` for the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .model import HTTP_METHODS

Level = Literal["breaking", "warning", "info"]
LEVELS: tuple[Level, ...] = ("breaking", "warning", "info")

# id -> (level, one-line meaning). The README lists the same table (a test keeps them equal).
KINDS: dict[str, tuple[Level, str]] = {
    # operations
    "operation-added": ("info", "a new operation (method + path)"),
    "operation-removed": ("breaking", "the operation is gone; calling it gives 404"),
    "operation-deprecated": ("warning", "the operation is marked deprecated"),
    "operation-undeprecated": ("info", "the operation is no longer marked deprecated"),
    "auth-changed": ("breaking", "a credential the operation accepted is refused now (e.g. an API key gets 401)"),
    "auth-relaxed": ("info", "the operation accepts every credential it did, and more"),
    "pagination-changed": ("breaking", "the list is paginated another way (page number, cursor, byte offset)"),
    "pagination-added": ("warning", "the list is paginated now: one call returns the first page only"),
    "pagination-removed": ("warning", "the list is not paginated any more"),
    # parameters
    "parameter-added": ("info", "a new optional parameter"),
    "required-parameter-added": ("breaking", "a new required parameter"),
    "parameter-removed": ("warning", "a parameter is gone; a client still sending it is ignored or refused"),
    "parameter-moved": ("breaking", "a parameter is sent elsewhere (path, query, header)"),
    "parameter-became-required": ("breaking", "an optional parameter is required now"),
    "parameter-became-optional": ("info", "a required parameter is optional now"),
    "parameter-deprecated": ("warning", "a parameter is marked deprecated"),
    "parameter-type-changed": ("breaking", "a parameter's type changed"),
    "parameter-format-changed": ("warning", "a parameter's format changed"),
    "parameter-enum-value-added": ("info", "a parameter accepts one more listed value"),
    "parameter-enum-value-removed": ("breaking", "a parameter refuses a value it listed"),
    "parameter-default-changed": ("warning", "a parameter's default changed: leaving it out means something else"),
    # request body
    "request-body-added": ("info", "the operation takes an optional body"),
    "required-request-body-added": ("breaking", "the operation requires a body"),
    "request-body-removed": ("breaking", "the operation takes no body any more"),
    "request-body-became-required": ("breaking", "the body is required now"),
    "request-body-became-optional": ("info", "the body is optional now"),
    "request-media-type-added": ("info", "the body may be sent as one more media type"),
    "request-media-type-removed": ("breaking", "the body cannot be sent as this media type any more"),
    "request-property-added": ("info", "a new optional property in the body"),
    "required-request-property-added": ("breaking", "a new required property in the body"),
    "request-property-removed": ("breaking", "a property of the body is gone; EMQX may refuse it as unknown"),
    "request-property-became-required": ("breaking", "an optional property of the body is required now"),
    "request-property-became-optional": ("info", "a required property of the body is optional now"),
    "request-property-deprecated": ("warning", "a property of the body is marked deprecated"),
    "request-type-changed": ("breaking", "the type of the body or of one of its properties changed"),
    "request-format-changed": ("warning", "the format of the body or of one of its properties changed"),
    "request-enum-value-added": ("info", "the body accepts one more listed value somewhere"),
    "request-enum-value-removed": ("breaking", "the body refuses a value it listed somewhere"),
    "request-default-changed": ("warning", "a default in the body changed: leaving it out means something else"),
    "request-alternative-added": ("info", "a body of one more shape is accepted (oneOf/anyOf)"),
    "request-alternative-removed": ("breaking", "a body of one shape is refused now (oneOf/anyOf)"),
    # responses
    "response-status-added": ("info", "the operation documents one more status"),
    "response-status-removed": ("breaking", "a success (or redirect) status the operation answered with is gone"),
    "error-status-removed": ("info", "an error status (4xx, 5xx, default) is not documented any more"),
    "response-media-type-added": ("info", "a response comes in one more media type"),
    "response-media-type-removed": ("breaking", "a response does not come in this media type any more"),
    "response-property-added": ("info", "a new property in a response"),
    "response-property-removed": ("breaking", "a property a client may read from a response is gone"),
    "response-property-became-optional": ("breaking", "a property a response always had may be missing now"),
    "response-property-became-required": ("info", "a property a response might leave out is always there now"),
    "response-property-deprecated": ("warning", "a property of a response is marked deprecated"),
    "response-type-changed": ("breaking", "the type of a response or of one of its properties changed"),
    "response-format-changed": ("warning", "the format of a response or of one of its properties changed"),
    "response-enum-value-added": ("warning", "a response may carry a value it did not list before"),
    "response-enum-value-removed": ("info", "a response does not carry a listed value any more"),
    "response-alternative-added": ("warning", "a response may come in one more shape (oneOf/anyOf)"),
    "response-alternative-removed": ("info", "a response does not come in one of its shapes any more"),
    # EMQX error codes
    "error-code-added": ("warning", "an operation may answer a status with a new EMQX error code"),
    "error-code-removed": ("info", "an operation does not list an EMQX error code for a status any more"),
    "api-error-code-added": ("info", "an EMQX error code appears in the API for the first time"),
    "api-error-code-removed": ("info", "an EMQX error code does not appear anywhere in the API any more"),
}


@dataclass(frozen=True)
class Change:
    """One difference between two specs, said in EMQX's terms."""

    id: str
    method: str  # "" for a change of the whole API (an error code appearing anywhere)
    path: str
    message: str  # one line
    old_pointer: str | None = None  # where it is in the old spec (the enclosing object when it is new)
    new_pointer: str | None = None
    subject: str = ""  # what changed: a parameter, a property path, a status, an error code
    before: str | None = None
    after: str | None = None

    @property
    def level(self) -> Level:
        return KINDS[self.id][0]

    def key(self) -> tuple:
        """The report's order: level, then path, method, id, pointers, subject, message."""
        method = HTTP_METHODS.index(self.method.lower()) if self.method.lower() in HTTP_METHODS else -1
        return (LEVELS.index(self.level), self.path, method, self.id,
                self.old_pointer or "", self.new_pointer or "", self.subject, self.message)


def ordered(changes: object) -> tuple[Change, ...]:
    """Each change once, in the report's order."""
    return tuple(sorted(set(changes), key=Change.key))


def counts(changes: tuple[Change, ...]) -> dict[str, int]:
    return {level: sum(1 for c in changes if c.level == level) for level in LEVELS}


UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def code(value: object) -> str:
    """`value` as a Markdown code span on one line, safe whatever the spec put in it."""
    text = " ".join(UNPRINTABLE.sub(" ", str(value)).split()) or " "
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
