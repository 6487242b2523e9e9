"""When two specs hold the same schema: digests of a schema with all it reaches.

Checking an example against a schema (examples.py) gives the same answer in any spec in
which the schema and every schema it reaches through `$ref` are the same. A site of
several versions models several specs, mostly alike; these digests tell which checks
one version's model may take from another's, so that the unchanged schemas are not
checked again.
"""

from __future__ import annotations

import hashlib
import json

from .refs import Resolver


class SharedChecks:
    """What example checks found, by (digest of the schema's closure, the value as JSON):
    (whether it fits, whether the schema was unusable). Shared by several models."""

    def __init__(self) -> None:
        self.results: dict[tuple[str, str], tuple[bool, bool]] = {}


class Closures:
    """Digests of the schemas of one document, each with everything it reaches."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._hashes: dict[str, str | None] = {}  # pointer -> digest of that node alone
        self._refs: dict[str, tuple[str, ...]] = {}  # pointer -> the local refs inside it
        self._digests: dict[str, str | None] = {}

    def digest(self, pointer: str) -> str | None:
        """The digest of the node at `pointer` and of every node it reaches; None when
        one cannot be read or named for certain (then nothing is shared)."""
        if pointer not in self._digests:
            self._digests[pointer] = self._closure_digest(pointer)
        return self._digests[pointer]

    def _closure_digest(self, pointer: str) -> str | None:
        seen, queue = {pointer}, [pointer]
        while queue:
            refs = self._local_refs(queue.pop())
            if refs is None:
                return None
            for ref in refs:
                if ref not in seen:
                    seen.add(ref)
                    queue.append(ref)
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
            try:
                text = json.dumps(node, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            except (TypeError, ValueError):  # YAML's dates, keys that are not strings...
                text = None
            self._hashes[pointer] = None if node is None or text is None else hashlib.sha256(text.encode()).hexdigest()
        return self._hashes[pointer]

    def _local_refs(self, pointer: str) -> tuple[str, ...] | None:
        """The pointers of the `#/...` refs inside the node at `pointer`; None when one is
        not a plain local pointer (another document, a percent-encoded one)."""
        if pointer not in self._refs:
            found: list[str] = []
            stack = [self.resolver.lookup(pointer)]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
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
