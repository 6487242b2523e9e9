"""When two specs hold the same schema: digests of a schema with all it reaches.

Checking an example against a schema (examples.py) gives the same answer in any spec in
which the schema and every schema it reaches through `$ref` are the same. A site of
several versions models several specs, mostly alike; these digests tell which checks
one version's model may take from another's, so that the unchanged schemas are not
checked again. The validator's schema checks are taken from one spec for another in
the same way (sharedfindings.py), with nodes told apart exactly.
"""

from __future__ import annotations

import hashlib
import json

from .refs import Resolver


class SharedChecks:
    """What example checks found, by (digest of the schema's closure, the value as JSON):
    (whether it fits, whether the schema was unusable); and, the same way, whether a
    value fits what a `$ref` met during a check points to. Shared by several models."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, str], tuple[bool, bool]] = {}
        self.refs: dict[tuple[str, str], bool] = {}


class Closures:
    """Digests of the schemas of one document, each with everything it reaches.

    By default a node is told by its canonical JSON (keys sorted; 1 and 1.0 alike), as
    an example's check sees it. `exact`: by its Python `repr`, in which the order of the
    keys and the type of every value and key count, as they do for the validator's walk.
    """

    def __init__(self, resolver: Resolver, exact: bool = False) -> None:
        self.resolver = resolver
        self.exact = exact
        self._hashes: dict[str, str | None] = {}  # pointer -> digest of that node alone
        self._refs: dict[str, tuple[str, ...]] = {}  # pointer -> the local refs inside it
        self._digests: dict[str, str | None] = {}
        self._members: dict[str, frozenset[str] | None] = {}

    def digest(self, pointer: str) -> str | None:
        """The digest of the node at `pointer` and of every node it reaches; None when
        one cannot be read or named for certain (then nothing is shared)."""
        if pointer not in self._digests:
            self._digests[pointer] = self._closure_digest(pointer)
        return self._digests[pointer]

    def members(self, pointer: str) -> frozenset[str] | None:
        """The pointers of the nodes the digest of `pointer` covers (each with all it
        holds): `pointer` and every reference target it reaches; None when a reference
        is not a plain local pointer to an existing node."""
        if pointer not in self._members:
            seen, queue = {pointer}, [pointer]
            while queue:
                refs = self._local_refs(queue.pop())
                if refs is None:
                    seen = None
                    break
                for ref in refs:
                    if ref not in seen:
                        seen.add(ref)
                        queue.append(ref)
            self._members[pointer] = None if seen is None else frozenset(seen)
        return self._members[pointer]

    def own(self, pointer: str) -> str | None:
        """The digest of the node at `pointer` alone (with all it holds, but no reference
        followed); None when there is none or it cannot be written."""
        return self._hash(pointer)

    def refs(self, pointer: str) -> tuple[str, ...] | None:
        """The pointers the local references inside the node at `pointer` point to; None
        when one is not a plain local pointer to an existing node, or when it holds a
        `discriminator` (see `_local_refs`)."""
        return self._local_refs(pointer)

    def _closure_digest(self, pointer: str) -> str | None:
        seen = self.members(pointer)
        if seen is None:
            return None
        total = hashlib.sha256()
        for each in sorted(seen):
            own = self._hash(each)
            if own is None:
                return None
            total.update(f"{each}\0{own}\0".encode())
        return total.hexdigest()

    def _hash(self, pointer: str) -> str | None:
        if pointer not in self._hashes:
            node = self.resolver.lookup(pointer)
            text = _exact_text(node) if self.exact else _json_text(node)
            self._hashes[pointer] = None if node is None or text is None else hashlib.sha256(text.encode()).hexdigest()
        return self._hashes[pointer]

    def _local_refs(self, pointer: str) -> tuple[str, ...] | None:
        """The pointers of the `#/...` refs inside the node at `pointer`; None when one is
        not a plain local pointer (another document, a percent-encoded one), or when
        there is a `discriminator`: checking a value against it looks up the component
        the value names (`#/components/schemas/<value>`), with no `$ref` leading there."""
        if pointer not in self._refs:
            found: list[str] = []
            stack = [self.resolver.lookup(pointer)]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    if "discriminator" in node:
                        self._refs[pointer] = None  # type: ignore[assignment]
                        return None
                    ref = node.get("$ref")
                    if isinstance(ref, str):
                        if not ref.startswith("#/") or "%" in ref or self.resolver.lookup(ref[1:]) is None:
                            self._refs[pointer] = None  # type: ignore[assignment]
                            return None
                        found.append(ref[1:])
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
            self._refs[pointer] = tuple(found)
        return self._refs[pointer]


def _json_text(node: object) -> str | None:
    try:
        return json.dumps(node, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):  # YAML's dates, keys that are not strings...
        return None


def _exact_text(node: object) -> str | None:
    try:
        return repr(node)
    except RecursionError:  # nested too deeply to be written: not told apart
        return None
