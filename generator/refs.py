"""Local `$ref` resolution over the raw spec document, never mutating it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .problems import Problem, unescape_pointer

MAX_REF_HOPS = 32


@dataclass
class Resolver:
    """Follows `#/...` references; remembers every reference it could not follow."""

    document: dict
    allow_external: bool = False
    problems: dict[str, Problem] = field(default_factory=dict)
    _looping: set[int] | None = None  # see endless()

    def lookup(self, ptr: str) -> object | None:
        node: object = self.document
        for part in unescape_pointer(ptr):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def follow(self, node: object, where: str) -> tuple[object, str | None, str | None]:
        """(target, ref, error): `node` with its `$ref` chain followed.

        `ref` is the last reference followed (None when `node` had none); `error`
        says why a reference could not be followed, and the target is then None.
        """
        ref: str | None = None
        for _ in range(MAX_REF_HOPS):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node, ref, None
            ref = node["$ref"]
            if not ref.startswith("#"):
                return None, ref, self._report(where, f"external reference {ref!r} is not followed")
            target = self.lookup(ref[1:])
            if target is None:
                return None, ref, self._report(where, f"reference {ref!r} points to nothing")
            node, where = target, ref[1:]
        return None, ref, self._report(where, "reference chain is too long or loops")

    def endless(self, where: str) -> bool:
        """Whether checking a value against the schema at `where` may never end: from it,
        by any keyword, a schema is reached that `$ref`, `allOf`, `anyOf`, `oneOf` or `not`
        lead back to, each applying to the same value as the one before. A JSON Schema
        validator goes round such a loop until Python's stack runs out."""
        if self._looping is None:
            self._looping = self._same_value_loops()
        if not self._looping:  # as in every real spec: nothing to look for
            return False
        stack, seen = [self.lookup(where)], set()
        while stack:
            node = stack.pop()
            if not isinstance(node, (dict, list)) or id(node) in seen:
                continue
            if id(node) in self._looping:
                return True
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
            if isinstance(node, dict) and isinstance(ref := node.get("$ref"), str) and ref.startswith("#"):
                stack.append(self.lookup(ref[1:]))
        return False

    def _same_value_loops(self) -> set[int]:
        """One schema object (by id) of each loop of same-value keywords in the document.
        A loop always passes a `$ref` (without one the document is a tree), so a
        depth-first search from each reference's target finds them all."""
        on_path, done, looping = set(), set(), set()
        for root in self._ref_targets():
            if id(root) in done:
                continue
            on_path.add(id(root))
            stack = [(root, iter(self._same_value(root)))]
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    on_path.discard(id(node))
                    done.add(id(node))
                    stack.pop()
                elif id(child) in on_path:
                    looping.add(id(child))
                elif id(child) not in done:
                    on_path.add(id(child))
                    stack.append((child, iter(self._same_value(child))))
        return looping

    def _ref_targets(self) -> list[dict]:
        refs = {ref for node in containers(self.document) if isinstance(node, dict)
                and isinstance(ref := node.get("$ref"), str) and ref.startswith("#")}
        return [t for t in (self.lookup(ref[1:]) for ref in sorted(refs)) if isinstance(t, dict)]

    def _same_value(self, node: dict) -> list[dict]:
        found = [node[k] for k in ("not", "if", "then", "else") if isinstance(node.get(k), dict)]
        for keyword in ("allOf", "anyOf", "oneOf"):
            if isinstance(node.get(keyword), list):
                found += [each for each in node[keyword] if isinstance(each, dict)]
        if isinstance(ref := node.get("$ref"), str) and ref.startswith("#"):
            target = self.lookup(ref[1:])
            if isinstance(target, dict):
                found.append(target)
        return found

    def _report(self, where: str, message: str) -> str:
        key = f"{where}/$ref"
        self.problems.setdefault(key, Problem(key, "Unresolved references", message, source="model"))
        return message


def containers(value: object) -> Iterator[dict | list]:
    """Every object and array in `value`, each once (a YAML alias is one node)."""
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(node.values() if isinstance(node, dict) else node)


def component_name(ref: str) -> str:
    """`#/components/schemas/emqx.client` -> `emqx.client`."""
    return unescape_pointer(ref[1:])[-1] if ref.startswith("#") and len(ref) > 1 else ref


def rust_panic(exc: BaseException) -> bool:
    """Whether `exc` is a panic of a Rust extension (pyo3's PanicException, which is not an
    Exception): `referencing` keeps its registry in rpds maps, and a RecursionError
    raised while rpds compares keys (a schema that refers to itself with no end) comes
    out as such a panic. Callers treat it as they treat the RecursionError."""
    return type(exc).__name__ == "PanicException"
