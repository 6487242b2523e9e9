"""Local `$ref` resolution over the raw spec document, never mutating it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Problem, unescape_pointer

MAX_REF_HOPS = 32


@dataclass
class Resolver:
    """Follows `#/...` references; remembers every reference it could not follow."""

    document: dict
    allow_external: bool = False
    problems: dict[str, Problem] = field(default_factory=dict)

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

    def _report(self, where: str, message: str) -> str:
        key = f"{where}/$ref"
        self.problems.setdefault(key, Problem(key, "Unresolved references", message, source="model"))
        return message


def component_name(ref: str) -> str:
    """`#/components/schemas/emqx.client` -> `emqx.client`."""
    return unescape_pointer(ref[1:])[-1] if ref.startswith("#") and len(ref) > 1 else ref
