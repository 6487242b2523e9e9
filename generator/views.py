"""Per-page views of schema trees: each component is expanded once per page, then linked.

The words a view shows (type names of our own, constraints, flags) come from the
labels of the site's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema import SchemaNode
from .slugs import SlugSet, slugify

COMBINATOR_LABEL = {"oneOf": "one_of", "anyOf": "any_of", "allOf": "all_of"}


@dataclass
class SchemaView:
    """What the schema macro draws for one node."""

    node: SchemaNode
    name: str = ""
    required: bool = False
    type_label: str = ""
    constraints: list[str] = field(default_factory=list)  # "≥ 1", "max length 64"
    flags: list[str] = field(default_factory=list)  # "read-only"...
    ref_name: str = ""
    anchor: str = ""  # this view is the page's first rendering of `ref_name`
    link: str = ""  # `ref_name` is drawn elsewhere on the page: "#anchor"
    children: list[SchemaView] = field(default_factory=list)
    variants: list[SchemaView] = field(default_factory=list)
    combinator: str = ""  # a label key: one_of, any_of, all_of
    unresolved: str = ""

    @property
    def has_body(self) -> bool:
        return bool(self.children or self.variants)


SMALL_COMPONENT = 40  # nodes; a component this small may be drawn again in each operation
OPERATION_BUDGET = 160  # nodes an operation may redraw before it links instead


class PagePlanner:
    """Decides where each component is drawn on a page.

    Every component is drawn in full the first time a page meets it and linked after
    that, which keeps pages with the EE bridge and connector unions small. A small
    component used directly by an operation (not through another component) is drawn
    again in each operation, within a budget, so a deep link shows the operation's
    request and response without a jump.
    """

    def __init__(self, components: dict[str, SchemaNode], anchors: SlugSet, labels: dict) -> None:
        self.components = components
        self.anchors = anchors
        self.labels = labels
        self.drawn: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._budget = OPERATION_BUDGET
        self._depth = 0  # components entered on the way to the current node

    def next_operation(self) -> None:
        self._budget = OPERATION_BUDGET

    def size(self, ref: str) -> int:
        """Nodes in a component's tree, nested components counted once each."""
        if ref not in self._sizes:
            self._sizes[ref] = SMALL_COMPONENT + 1  # provisional, for cycles
            seen: set[str] = {ref}
            stack = [self.components[ref]] if ref in self.components else []
            count = 0
            while stack and count <= SMALL_COMPONENT:
                node = stack.pop()
                count += 1
                if node.ref:
                    if node.ref not in seen and node.ref in self.components:
                        seen.add(node.ref)
                        stack.append(self.components[node.ref])
                    continue
                stack.extend(node.properties)
                stack.extend(node.variants)
                stack.extend(n for n in (node.items, node.additional) if n is not None)
            self._sizes[ref] = count
        return self._sizes[ref]

    def view(self, node: SchemaNode, name: str = "", required: bool = False) -> SchemaView:
        if node.ref:
            return self._ref_view(node, name or node.name, required or node.required)
        view = SchemaView(
            node=node,
            name=name or node.name,
            required=required or node.required,
            type_label=self._label(node),
            unresolved=node.unresolved,
        )
        self._facts(view, node)
        self._fill(view, node)
        return view

    def _ref_view(self, node: SchemaNode, name: str, required: bool) -> SchemaView:
        target = self.components.get(node.ref)
        if target is None:
            return SchemaView(node=node, name=name, required=required, type_label="?", unresolved=node.ref)
        drawn = self.drawn.get(node.ref)
        view = SchemaView(node=target, name=name, required=required, type_label=self._label(target),
                          ref_name=node.ref_name)
        self._facts(view, target)
        if drawn is not None and not self._redraw(node.ref):
            view.link = f"#{drawn}"
            return view
        view.anchor = self.anchors.claim("schema-" + slugify(node.ref_name, fallback="schema"))
        self.drawn.setdefault(node.ref, view.anchor)
        self._depth += 1
        try:
            self._fill(view, target)
        finally:
            self._depth -= 1
        return view

    def _redraw(self, ref: str) -> bool:
        if self._depth > 0 or self.size(ref) > SMALL_COMPONENT or self.size(ref) > self._budget:
            return False
        self._budget -= self.size(ref)
        return True

    def _facts(self, view: SchemaView, node: SchemaNode) -> None:
        words = self.labels
        view.constraints = [words["constraints"][key].replace("{}", value) for key, value in node.constraints]
        view.flags = [words["flags"].get(flag, flag) for flag in node.flags]

    def _fill(self, view: SchemaView, node: SchemaNode) -> None:
        view.children = [self.view(child) for child in node.properties]
        if node.additional is not None:
            view.children.append(self.view(node.additional, name="*"))
        if node.items is not None:
            item = self.view(node.items)
            view.type_label = self.labels["types"]["array_of"].replace("{}", item.type_label) if item.type_label else "array"
            if item.ref_name:
                view.ref_name, view.anchor, view.link = item.ref_name, item.anchor, item.link
            view.children += item.children
            view.variants += item.variants
            view.combinator = view.combinator or item.combinator
        if node.variants:
            view.combinator = COMBINATOR_LABEL.get(node.combinator, "one_of")
            view.variants = [self.view(v) for v in node.variants]

    def _label(self, node: SchemaNode) -> str:
        """The node's type as shown: the spec's own type names as they are, ours
        (`any`, `one of`...) in the site's language, then the format."""
        label = node.type or "any"
        label = self.labels["types"].get(label, label)
        if node.format:
            label += f" ({node.format})"
        return label
