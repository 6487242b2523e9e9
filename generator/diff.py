"""Two enriched models compared operation by operation, in EMQX's terms.

Operations are matched by method and path. For each pair: deprecation, the credentials
it accepts (and with them the API-key roles), its pagination kind, its parameters, its
request body, its responses and the EMQX error codes each status lists; then the error
codes of the whole API. Schemas are compared by shape (schemadiff.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .changes import Change, code, counts, ordered
from .model import Api, Media, Operation, Parameter
from .problems import pointer
from .schemadiff import PARAMETER, REQUEST, RESPONSE, Found, SchemaDiff
from .shapes import Shapes

CREDENTIALS = {"basic": "API key", "bearer": "bearer token"}


@dataclass(frozen=True)
class Comparison:
    old: Api
    new: Api
    changes: tuple[Change, ...]  # in the report's order (Change.key)

    @property
    def summary(self) -> dict[str, int]:
        return counts(self.changes)


def compare(old: Api, new: Api) -> Comparison:
    """Every change from `old` to `new`, each once, in the report's order."""
    before = {(op.method, op.path): op for op in old.operations}
    after = {(op.method, op.path): op for op in new.operations}
    changes: list[Change] = []
    for key in before.keys() - after.keys():
        op = before[key]
        changes.append(Change("operation-removed", op.method, op.path, "operation removed", op.pointer, None))
    for key in after.keys() - before.keys():
        op = after[key]
        changes.append(Change("operation-added", op.method, op.path, "operation added", None, op.pointer))
    schemas = SchemaDiff(Shapes(old.components), Shapes(new.components))
    for key in before.keys() & after.keys():
        changes += _OperationDiff(schemas, before[key], after[key]).changes()
    changes += _api_error_codes(old, new)
    return Comparison(old, new, ordered(changes))


def _api_error_codes(old: Api, new: Api) -> Iterator[Change]:
    was = {e.code for e in old.error_codes if e.in_spec}
    now = {e.code for e in new.error_codes if e.in_spec}
    for name in now - was:
        yield Change("api-error-code-added", "", "", f"error code {code(name)} appears in the API",
                     subject=name, after=name)
    for name in was - now:
        yield Change("api-error-code-removed", "", "", f"error code {code(name)} no longer appears anywhere in the API",
                     subject=name, before=name)


class _OperationDiff:
    def __init__(self, schemas: SchemaDiff, old: Operation, new: Operation) -> None:
        self.schemas, self.old, self.new = schemas, old, new
        self.found: list[Change] = []

    def changes(self) -> list[Change]:
        self._deprecation()
        self._auth()
        self._pagination()
        self._parameters()
        self._body()
        self._responses()
        self._error_codes()
        return self.found

    def add(self, kind: str, message: str, old_pointer: str | None, new_pointer: str | None,
            subject: str = "", before: str | None = None, after: str | None = None) -> None:
        self.found.append(Change(kind, self.new.method, self.new.path, message, old_pointer, new_pointer,
                                 subject, before, after))

    def add_found(self, prefix: str, found: Iterable[Found], subject: str = "") -> None:
        for f in found:
            self.add(_kind(prefix, f.kind), f.message, f.old_pointer, f.new_pointer, subject + f.subject,
                     f.before, f.after)

    def _deprecation(self) -> None:
        if self.old.deprecated != self.new.deprecated:
            kind, words = ("operation-deprecated", "operation deprecated") if self.new.deprecated else (
                "operation-undeprecated", "operation no longer deprecated")
            self.add(kind, words, self.old.pointer, self.new.pointer)

    def _auth(self) -> None:
        was, now = set(self.old.auth), set(self.new.auth)
        if was == now:
            return
        stricter = bool(now) and (not was or not was <= now)
        message = f"credentials: {_credentials(self.old.auth)} → {_credentials(self.new.auth)}"
        if not was:
            message += "; a call without credentials gets 401 now"
        elif self.old.roles and not self.new.roles:  # no API-key role reaches it any more
            message += "; an API key gets 401 now"
        if self.old.roles != self.new.roles:
            message += f"; API-key roles: {_roles(self.old.roles)} → {_roles(self.new.roles)}"
        self.add("auth-changed" if stricter else "auth-relaxed", message, self.old.pointer, self.new.pointer,
                 before=_auth_value(self.old.auth), after=_auth_value(self.new.auth))

    def _pagination(self) -> None:
        was, now = self.old.pagination, self.new.pagination
        if was == now:
            return
        kind = "pagination-added" if was is None else "pagination-removed" if now is None else "pagination-changed"
        self.add(kind, f"pagination: {code(was) if was else 'none'} → {code(now) if now else 'none'}",
                 self.old.pointer, self.new.pointer, before=was, after=now)

    def _parameters(self) -> None:
        olds = {(p.name, p.location): p for p in self.old.parameters}
        news = {(p.name, p.location): p for p in self.new.parameters}
        pairs = [(olds.pop(key), news.pop(key)) for key in sorted(olds.keys() & news.keys())]
        for name, location in sorted(olds):
            elsewhere = [key for key in news if key[0] == name]
            if len(elsewhere) == 1 and sum(1 for key in olds if key[0] == name) == 1:
                old, new = olds[(name, location)], news.pop(elsewhere[0])
                self.add("parameter-moved", f"parameter {code(name)}: {location} → {new.location}",
                         old.pointer, new.pointer, name, location, new.location)
                pairs.append((old, new))
            else:
                old = olds[(name, location)]
                self.add("parameter-removed", f"{location} parameter {code(name)} removed", old.pointer,
                         self.new.pointer, name)
        for new in news.values():
            kind = "required-parameter-added" if new.required else "parameter-added"
            self.add(kind, f"{'required ' if new.required else ''}{new.location} parameter {code(new.name)} added",
                     self.old.pointer, new.pointer, new.name)
        for old, new in pairs:
            self._parameter(old, new)

    def _parameter(self, old: Parameter, new: Parameter) -> None:
        place = f"{new.location} parameter {code(new.name)}"
        if old.required != new.required:
            became = "required" if new.required else "optional"
            self.add(f"parameter-became-{became}", f"{place} became {became}", old.pointer, new.pointer, new.name)
        if new.deprecated and not old.deprecated:
            self.add("parameter-deprecated", f"{place} deprecated", old.pointer, new.pointer, new.name)
        found = self.schemas.changes(old.schema, new.schema, PARAMETER,
                                     lambda path: f"{new.location} parameter {code(new.name + path)}")
        self.add_found("parameter", found, new.name)

    def _body(self) -> None:
        old, new = self.old.body, self.new.body
        old_at, new_at = f"{self.old.pointer}/requestBody", f"{self.new.pointer}/requestBody"
        if old is None and new is None:
            return
        if old is None:
            kind = "required-request-body-added" if new.required else "request-body-added"
            self.add(kind, f"{'required ' if new.required else ''}request body added", self.old.pointer, new_at)
            return
        if new is None:
            self.add("request-body-removed", "request body removed", old_at, self.new.pointer)
            return
        if old.required != new.required:
            became = "required" if new.required else "optional"
            self.add(f"request-body-became-{became}", f"request body became {became}", old_at, new_at)
        label = lambda path: _place("request body", "request property", path)  # noqa: E731
        self._media("request", "request body", old.media, new.media, old_at, new_at, label)

    def _responses(self) -> None:
        olds = {r.status: r for r in self.old.responses}
        news = {r.status: r for r in self.new.responses}
        old_at, new_at = f"{self.old.pointer}/responses", f"{self.new.pointer}/responses"
        for status in sorted(news.keys() - olds.keys()):
            self.add("response-status-added", f"response {code(status)} added", old_at,
                     new_at + pointer(status), status, None, status)
        for status in sorted(olds.keys() - news.keys()):
            kind = "error-status-removed" if _is_error(status) else "response-status-removed"
            self.add(kind, f"response {code(status)} removed", old_at + pointer(status), new_at, status, status, None)
        for status in sorted(olds.keys() & news.keys()):
            label = lambda path, s=status: _place(f"response {code(s)} body", f"response {code(s)} property", path)  # noqa: E731
            self._media("response", f"response {code(status)}", olds[status].media, news[status].media,
                        old_at + pointer(status), new_at + pointer(status), label)

    def _media(self, prefix: str, place: str, olds: tuple[Media, ...], news: tuple[Media, ...],
               old_at: str, new_at: str, label: Callable[[str], str]) -> None:
        before = {m.media_type: m for m in olds}
        after = {m.media_type: m for m in news}
        for name in sorted(after.keys() - before.keys()):
            self.add(f"{prefix}-media-type-added", f"{place}: media type {code(name)} added",
                     old_at, after[name].pointer, name, None, name)
        for name in sorted(before.keys() - after.keys()):
            self.add(f"{prefix}-media-type-removed", f"{place}: media type {code(name)} removed",
                     before[name].pointer, new_at, name, name, None)
        for name in sorted(before.keys() & after.keys()):
            old, new = before[name].schema, after[name].schema
            if old is not None and new is not None:
                self.add_found(prefix, self.schemas.changes(old, new, REQUEST if prefix == "request" else RESPONSE, label))

    def _error_codes(self) -> None:
        olds, news = dict(self.old.errors), dict(self.new.errors)
        old_statuses = {r.status for r in self.old.responses}
        new_statuses = {r.status for r in self.new.responses}
        for status in sorted(olds.keys() | news.keys()):
            was, now = set(olds.get(status, ())), set(news.get(status, ()))
            old_at = f"{self.old.pointer}/responses" + (pointer(status) if status in old_statuses else "")
            new_at = f"{self.new.pointer}/responses" + (pointer(status) if status in new_statuses else "")
            for name in sorted(now - was):
                self.add("error-code-added", f"error code {code(name)} added to {code(status)}", old_at, new_at,
                         status, None, name)
            for name in sorted(was - now):
                self.add("error-code-removed", f"error code {code(name)} removed from {code(status)}", old_at, new_at,
                         status, name, None)


def _kind(prefix: str, kind: str) -> str:
    """The change's id: a walk's `property-added` is `request-property-added`, and so on."""
    if kind == "required-property-added":
        return "required-request-property-added" if prefix == "request" else f"{prefix}-property-added"
    return f"{prefix}-{kind}"


def _place(body: str, property: str, path: str) -> str:
    """`request body`, `request property `ssl.enable``, `request body `[]`` (its items)."""
    if not path:
        return body
    quoted_name = path.startswith('["')
    return f"{body if path[0] in '[{' and not quoted_name else property} {code(path)}"


def _is_error(status: str) -> bool:
    return status[:1] in ("4", "5") or status == "default"


def _credentials(auth: tuple[str, ...]) -> str:
    if not auth:
        return "none (public)"
    return " or ".join(CREDENTIALS.get(kind, kind) for kind in auth)


def _auth_value(auth: tuple[str, ...]) -> str:
    return "+".join(sorted(auth)) or "public"


def _roles(roles: tuple[str, ...]) -> str:
    return ", ".join(roles) or "none"
