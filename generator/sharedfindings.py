"""The validator's schema checks, taken from the specs validated before where they
are the same.

A site of several versions validates several specs, mostly alike. Most of the object
pass of openapi-spec-validator (validate.py) is its schema checker: called on each
schema that a media type, a parameter or `components/schemas` holds, it checks that
object against the metaschema, then walks it and every schema it reaches
(`properties`, `items`, `allOf`...; a `$ref` is followed), checking defaults and
`required` lists on the way, and calls itself on each. A unit is such a call: a
top-level one, or one on a component schema inside another. It is named by the
pointer of the object it walks and its context (the `require_properties` and
`meta_checked` it is called with). The spec validated first is walked and logged; in
the next, a unit whose log says it would do exactly what it did is taken, not walked:
its Problems are added and its marks made. The rest of the pass (tags, path items,
operations, parameters) always runs.

Why the problems are those of a full validation, exactly
--------------------------------------------------------
A unit's walk is deterministic: what it does follows from what it reads, and it
reads three things. A unit is taken only when all three are the same.

1. The document: the object it walks and every node reached from it through `$ref`,
   transitively (its closure). Two closures are the same when every node of one is at
   the same pointer in the other with the same `repr` (key order, types and values
   count; closures.py); a reference that is not a plain local pointer to a node that
   exists makes them differ. That a walk looks at nothing outside its closure is
   checked as well: every object it asks about must lie inside it.
2. The checker's state, all that carries from one call to the next: the schema
   objects it has visited, and those it has checked against the metaschema. It
   visits each object once, so what it finds there depends on the context of that
   first visit (`require_properties`; a metaschema error that ends the visit). Each
   question the walk asks of these two stores, with its answer, and each mark it
   makes are logged in order, an object by its pointer. A unit is taken only when
   the same questions, asked here in the same order with its own marks counted as
   they come, all get the same answers. Then, by induction along the log, the walk
   here would take the same branches, make the same calls, find the same errors and
   make the same marks.
3. What turning an error into a Problem reads of the document besides the closure:
   whether it has a top-level key, and whether the node at a pointer has a `default`
   (validate.Facts). These are logged and asked again too.

A Problem's pointer is where its object is, the same pointer in both documents only
when no object is in two places: a document with a YAML alias is not shared
(validate.py), nor an OpenAPI 3.1 one (its checker reads `jsonSchemaDialect`).

A call's first question is about the object it walks, so a unit is recognised there,
without reading the object again, and taken there: an exception ends the library's
walk of the call, which has done nothing else yet, and its Problems are given
instead. A unit taken inside a call being logged is logged as if it had been walked.

The depth of the stack is the one thing outside the document that matters: a walk
that comes within a few frames of Python's recursion limit is stopped or not
depending on how deep it started and on what the resolver's and `re`'s caches hold,
so even a full validation's findings are not a function of the document there. The
hooks add a frame for each call, so a pass whose stack went past half the limit (it
is sampled at each question) is not trusted: the caller walks plainly instead, and
nothing of it is kept. A unit is taken only as deep in the stack as it was walked,
or less. A pass that raised (the library stops there) is not trusted either.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from jsonschema.exceptions import ValidationError
from jsonschema_path import SchemaPath

from .closures import Closures
from .problems import Problem
from .refs import Resolver
from .validate import Facts

WRITE = None  # a logged event's answer when the event is an addition
VISITED, CHECKED = "visited", "checked"
NOWHERE = -1  # no object's id
COMPONENT = "/components/schemas/"

Convert = Callable[[ValidationError, dict[int, str], Facts], Problem]
Context = tuple[bool, bool]  # the checker's require_properties and meta_checked
TOP: Context = (True, False)  # a media type's, a parameter's or a component's schema


@dataclass(frozen=True)
class KeptUnit:
    """One unit's walk: its events (store, pointer, answer or WRITE) in order, the
    document facts its Problems read (kind, argument, answer), its Problems, and how
    deep the stack was at its first question."""

    events: tuple[tuple[str, str, bool | None], ...]
    facts: tuple[tuple[str, object, bool], ...]
    problems: tuple[Problem, ...]
    depth: int


class SharedFindings:
    """The specs validated so far whose units may be taken: one object for the specs of
    one site, validated one after another in one process."""

    def __init__(self) -> None:
        self.sources: list[_Source] = []
        self.taken = self.walked = 0  # how many units were taken from before, and walked

    def walk(self, validator: object, document: dict, locations: dict[int, str], convert: Convert,
             keep: bool) -> Walk:
        """The object pass of `validator` (openapi-spec-validator's for OpenAPI 3.0, over
        `document`, whose objects are at `locations`), its units taken where they can be;
        `keep`: its own units kept for the specs validated next, once it is `sound`."""
        return Walk(self, validator, document, locations, convert, keep)


@dataclass
class _Call:
    """A call of the checker being walked: where its events, facts and Problems start
    in the source's lists (when this pass is kept); the object it walks and the stack's
    depth, both known at its first question; the unit taken instead of it, if any."""

    context: Context
    at: tuple[int, int, int] | None
    asked: bool = False
    where: str | None = None
    depth: int = 0
    taken: KeptUnit | None = None


class _Taken(Exception):
    """Raised at a call's first question when the call is taken: it ends the library's
    walk of the call before it has done anything (reading its object aside)."""


@dataclass(frozen=True)
class _Span:
    where: str
    context: Context
    start: tuple[int, int, int]  # in the source's events, facts and problems
    end: tuple[int, int, int]
    depth: int


@dataclass
class _Source:
    """One spec's pass as it was logged: every event, fact and Problem in order, and
    the units, as spans of them, by their object's pointer and their context. A span is
    made a KeptUnit (its objects by pointer) when a later spec first asks for it."""

    locations: dict[int, str]  # the ids stay the objects' own: `closures` keeps the document alive
    closures: Closures
    events: list[tuple[str, int, bool | None]] = field(default_factory=list)
    facts: list[tuple[str, object, bool]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    units: dict[tuple[str, Context], list[_Span]] = field(default_factory=dict)
    _kept: dict[_Span, KeptUnit | None] = field(default_factory=dict)
    _alike: tuple[Closures, set[str], set[str]] | None = None  # another document's closures, what is alike, what not

    def alike(self, closures: Closures, where: str) -> bool:
        """Whether the node at `where` and all it reaches are, pointer for pointer, the
        same in the document of `closures` as in this one (their `repr`s are)."""
        if self._alike is None or self._alike[0] is not closures:
            self._alike = (closures, set(), set())
        _, same, different = self._alike
        if where in same:
            return True
        stack, seen = [where], {where}
        while stack:
            at = stack.pop()
            refs = closures.refs(at)
            if at in different or refs is None or closures.own(at) is None or closures.own(at) != self.closures.own(at):
                different.update((where, at))
                return False
            for ref in refs:
                if ref not in seen and ref not in same:
                    seen.add(ref)
                    stack.append(ref)
        same.update(seen)  # each of them reaches only nodes that are the same
        return True

    def kept(self, span: _Span) -> KeptUnit | None:
        """`span` as a KeptUnit; None when a visited object is outside its closure."""
        if span not in self._kept:
            self._kept[span] = self._translated(span)
        return self._kept[span]

    def _translated(self, span: _Span) -> KeptUnit | None:
        members = self.closures.members(span.where) or frozenset()
        events = []
        for store, ident, answer in self.events[span.start[0]:span.end[0]]:
            where = self.locations.get(ident)
            if where is None or not _inside(where, members):
                return None
            events.append((store, where, answer))
        return KeptUnit(tuple(events), tuple(self.facts[span.start[1]:span.end[1]]),
                        tuple(self.problems[span.start[2]:span.end[2]]), span.depth)


class Walk:
    """One object pass: the hook put into the validator's schema checker, the log of
    this pass (when it is kept), and the taking of units of the specs before.

    `run()` is the pass. Its Problems are a full validation's when `sound` is true
    afterwards: it ran to its end, and its stack never went past half the recursion
    limit. Otherwise the caller walks plainly instead.
    """

    def __init__(self, shared: SharedFindings, validator: object, document: dict, locations: dict[int, str],
                 convert: Convert, keep: bool) -> None:
        self.shared, self.validator, self.locations, self.convert = shared, validator, locations, convert
        self.closures = Closures(Resolver(document), exact=True)
        self.source = _Source(locations, self.closures) if keep else None
        self.facts = Facts(document)
        self.logged_facts = _LoggedFacts(self, document)
        self.calls: list[_Call] = []
        self.half = sys.getrecursionlimit() // 2
        self.finished = self.steep = False
        self._ids: dict[str, int] | None = None  # pointer -> id, made when first needed
        registry = validator.keyword_validators_registry  # type: ignore[attr-defined]
        checker = _hooked(type(registry["schema"]))(registry)
        checker.walk = self
        checker.visited_schema_ids = _LoggedIds(self, VISITED)
        checker.meta_checked_schema_ids = _LoggedIds(self, CHECKED)
        registry["schema"] = checker
        self.stores = {VISITED: checker.visited_schema_ids, CHECKED: checker.meta_checked_schema_ids}

    @property
    def sound(self) -> bool:
        return self.finished and not self.steep

    def run(self) -> Iterator[ValidationError | Problem]:
        yield from self.validator.root_validator(self.validator.schema_path)  # type: ignore[attr-defined]
        self.finished = True
        if self.source is not None and not self.steep:
            self.shared.sources.append(self.source)

    def call(self, schema: SchemaPath, context: Context, walk: Iterator) -> Iterator[ValidationError | Problem]:
        """The checker's call on `schema` in `context`, whose walk is `walk` (not started)."""
        return walk if self.source is None and not self.shared.sources else self._called(context, walk)

    def _called(self, context: Context, walk: Iterator) -> Iterator[ValidationError | Problem]:
        """`walk`, taken at its first question if it can be (see `event`), else walked,
        with its events, facts and Problems logged when this pass is kept."""
        source = self.source
        call = _Call(context, None if source is None else (len(source.events), len(source.facts), len(source.problems)))
        self.calls.append(call)
        try:
            for found in walk:
                if source is not None and not isinstance(found, Problem):  # not yet made one inside
                    found = self.convert(found, self.locations, self.logged_facts)
                    source.problems.append(found)
                yield found
        except _Taken:
            self.shared.taken += 1
            yield from call.taken.problems  # type: ignore[union-attr]
        finally:
            self.calls.pop()
        if call.where is not None and _unit(call.where, context):
            if call.taken is None:
                self.shared.walked += 1
            if source is not None:
                end = (len(source.events), len(source.facts), len(source.problems))
                span = _Span(call.where, context, call.at, end, call.depth)  # type: ignore[arg-type]
                source.units.setdefault((call.where, context), []).append(span)

    def event(self, store: str, ident: int, answer: bool | None) -> None:
        """A question or an addition of the checker (at each schema it visits). A call's
        first question is about the object it walks: a unit may be taken there."""
        if not self.steep and _deeper_than(self.half):
            self.steep = True
        call = self.calls[-1] if self.calls else None
        if call is not None and not call.asked:
            call.asked = True
            call.where = self.locations.get(ident)
            if call.where is not None and _unit(call.where, call.context):
                call.depth = _depth()
                call.taken = self._takeable(call.where, call.context, call.depth)
                if call.taken is not None:
                    raise _Taken
        if self.source is not None:
            self.source.events.append((store, ident, answer))

    def _takeable(self, where: str, context: Context, depth: int) -> KeptUnit | None:
        """A unit of a spec before that may be taken here (see the module's docstring),
        its additions made; None when there is none."""
        for source in reversed(self.shared.sources):
            spans = source.units.get((where, context))
            if not spans or not source.alike(self.closures, where):
                continue
            for span in spans:
                kept = source.kept(span)
                if kept is not None and self._take(kept, depth):
                    return kept
        return None

    def _take(self, kept: KeptUnit, depth: int) -> bool:
        """Whether every question of `kept` gets the same answer here (its additions
        counted as they come), no deeper in the stack (`depth`) than it was; if so, its
        additions are made (and logged, when this pass is kept)."""
        if depth > kept.depth:
            return False
        added: dict[str, set[int]] = {store: set() for store in self.stores}
        events = []
        for store, where, answer in kept.events:
            target = self._object_id(where)
            if target == NOWHERE:
                return False
            if answer is WRITE:
                added[store].add(target)
            elif (target in added[store] or set.__contains__(self.stores[store], target)) != answer:
                return False
            events.append((store, target, answer))
        if any(self._fact(kind, argument) != answer for kind, argument, answer in kept.facts):
            return False
        for store, targets in added.items():
            set.update(self.stores[store], targets)  # not logged: the events are, below
        if self.source is not None:
            self.source.events += events
            self.source.facts += kept.facts
            self.source.problems += kept.problems
        return True

    def _object_id(self, where: str) -> int:
        if self._ids is None:
            self._ids = {pointer: ident for ident, pointer in self.locations.items()}
        return self._ids.get(where, NOWHERE)

    def _fact(self, kind: str, argument: object) -> bool:
        return self.facts.has_key(argument) if kind == "key" else self.facts.has_default(argument)  # type: ignore[arg-type]


def _unit(where: str, context: Context) -> bool:
    """Whether a call is a unit: a top-level one, or one on a component schema."""
    return context == TOP or where.startswith(COMPONENT) and "/" not in where[len(COMPONENT):]


def _inside(where: str, members: frozenset[str]) -> bool:
    """Whether the node at `where` is one of `members` or inside one (pointers are
    escaped: a `/` always starts a segment)."""
    if where in members:
        return True
    cut = where.rfind("/")
    while cut > 0:
        if where[:cut] in members:
            return True
        cut = where.rfind("/", 0, cut)
    return "" in members


def _deeper_than(frames: int) -> bool:
    """Whether the stack holds more than `frames` frames (found in C, without a walk in Python)."""
    try:
        sys._getframe(frames)
    except ValueError:
        return False
    return True


def _depth() -> int:
    """How many frames the stack holds (found by halving)."""
    low, high = 0, 64
    while _deeper_than(high):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _deeper_than(middle) else (low, middle)
    return high


def _hooked(base: type) -> type:
    """`base`, the schema checker, with each of its calls passed to the walk's hook."""

    class HookedChecker(base):  # type: ignore[misc, valid-type]
        walk: Walk

        def __call__(self, schema: SchemaPath, require_properties: bool = True,
                     meta_checked: bool = False) -> Iterator[ValidationError | Problem]:
            walk = super().__call__(schema, require_properties, meta_checked)
            return self.walk.call(schema, (require_properties, meta_checked), walk)

    return HookedChecker


class _LoggedIds(set):
    """The checker's visited (or metaschema-checked) schema ids, its questions and additions logged."""

    def __init__(self, walk: Walk, name: str) -> None:
        super().__init__()
        self.walk, self.name = walk, name

    def __contains__(self, key: object) -> bool:
        answer = set.__contains__(self, key)
        self.walk.event(self.name, key, answer)  # type: ignore[arg-type]
        return answer

    def append(self, key: int) -> None:
        set.add(self, key)
        self.walk.event(self.name, key, WRITE)


class _LoggedFacts(Facts):
    def __init__(self, walk: Walk, document: dict) -> None:
        super().__init__(document)
        self.walk = walk

    def has_key(self, key: object) -> bool:
        answer = super().has_key(key)
        if self.walk.source is not None:
            self.walk.source.facts.append(("key", key, answer))
        return answer

    def has_default(self, where: str) -> bool:
        answer = super().has_default(where)
        if self.walk.source is not None:
            self.walk.source.facts.append(("default", where, answer))
        return answer
