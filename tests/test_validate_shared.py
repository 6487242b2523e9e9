"""A spec validated after another takes the schema checks that are the same, and finds
exactly what a full validation of it finds (sharedfindings.py).

Each test validates one spec (keeping what its walk found), then another with what was
kept, and compares the second with a validation of it alone; the reuse must also have
happened, or the comparison would prove nothing.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.load import load_spec
from generator.parallel import Helper
from generator.sharedfindings import SharedFindings
from generator.validate import validate
from support import shared_spec

OK = {"200": {"description": "ok"}}


def spec(paths: dict, schemas: dict) -> dict:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas}}


def body(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def one_after_another(*documents: dict) -> tuple[list[list], SharedFindings]:
    """Each document's problems, validated in order, each taking from those before."""
    shared = SharedFindings()
    found = [validate(document, shared=shared, keep=i < len(documents) - 1) for i, document in enumerate(documents)]
    return found, shared


# A component whose `required` names a property no member defines: the library says so
# only when its first visit is a top-level one (a media type's schema, or the
# components pass), not when it is first reached inside another schema.
EXTRA = {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}], "required": ["a", "b"]}
HOLDER = {"type": "object", "properties": {"x": ref("Extra")}}


def test_the_same_spec_again_is_taken_whole() -> None:
    """The second time, every unit is taken, and the findings are the same."""
    document = spec({"/h": {"get": {"responses": {"200": {"description": "ok", **body(ref("Holder"))}}}}},
                    {"Extra": EXTRA, "Holder": HOLDER, "Bad": {"type": "integer", "default": "ten"}})
    shared = SharedFindings()
    first = validate(document, shared=shared)
    walked = shared.walked
    second = validate(copy.deepcopy(document), shared=shared)
    assert first == second == validate(document)
    assert len(second) == 1 and "ten" in second[0].message
    assert shared.taken > 0 and shared.walked == walked  # nothing walked the second time


def test_a_schema_first_met_in_another_context_is_walked_again() -> None:
    """The same component, unchanged, first visited inside another schema in one spec
    and as a response's own schema in the next: what it finds differs, and so does
    the answer to the question that decides it, so it is not taken."""
    nested = spec({"/h": {"get": {"responses": {"200": {"description": "ok", **body(ref("Holder"))}}}}},
                  {"Extra": EXTRA, "Holder": HOLDER})
    direct = spec({"/e": {"get": {"responses": {"200": {"description": "ok", **body(ref("Extra"))}}}}},
                  {"Extra": EXTRA, "Holder": HOLDER})
    assert not any("not defined properties" in p.message for p in validate(nested))
    assert any("not defined properties" in p.message for p in validate(direct))
    for documents in ((nested, direct), (direct, nested)):
        (_, second), _ = one_after_another(*documents)
        assert second == validate(documents[1])


def test_a_changed_component_is_walked_and_the_rest_taken() -> None:
    """A component changed in the second spec is checked again, with every unit that
    reaches it; the units that do not reach it are taken."""
    old = spec({"/a": {"get": {"responses": {"200": {"description": "ok", **body(ref("A"))}}}},
                "/b": {"get": {"responses": {"200": {"description": "ok", **body(ref("B"))}}}}},
               {"A": {"type": "object", "properties": {"c": ref("C")}}, "B": {"type": "string", "default": 3},
                "C": {"type": "integer", "default": 1}})
    new = copy.deepcopy(old)
    new["components"]["schemas"]["C"]["default"] = "one"
    (_, second), shared = one_after_another(old, new)
    assert second == validate(new)
    assert {p.pointer for p in second} == {"/components/schemas/B/default", "/components/schemas/C/default"}
    assert shared.taken >= 2  # B, as a response's schema and in the components pass


def test_key_order_counts() -> None:
    """Two specs whose schema differs only in the order of its properties are not the
    same for the checker (it visits them in order), so that schema is walked again."""
    first = {"type": "object", "properties": {"p": ref("Extra"), "q": {"type": "integer", "default": "x"}}}
    second = {"type": "object", "properties": {"q": first["properties"]["q"], "p": ref("Extra")}}
    old = spec({"/a": {"get": {"responses": {"200": {"description": "ok", **body(ref("S"))}}}}},
               {"S": first, "Extra": EXTRA})
    new = spec({"/a": {"get": {"responses": {"200": {"description": "ok", **body(ref("S"))}}}}},
               {"S": second, "Extra": EXTRA})
    (_, found), _ = one_after_another(old, new)
    assert found == validate(new)


def test_a_document_with_an_object_in_two_places_is_not_shared() -> None:
    """A YAML alias puts one object in two places: a Problem's pointer is then not
    told by the object alone, so nothing is kept or taken."""
    schema = {"type": "integer", "default": "x"}
    document = spec({"/a": {"get": {"responses": {"200": {"description": "ok", **body(schema)}}}}},
                    {"A": schema})
    (first, second), shared = one_after_another(document, copy.deepcopy(document))
    assert first == validate(document) and second == validate(document)
    assert shared.taken == 0 and shared.sources == []


def test_the_helper_validates_each_spec_with_what_the_ones_before_found() -> None:
    """The helper of a site of several versions validates the specs in order, taking
    from the ones before (forked, or in line where there is no fork)."""
    old = spec({"/h": {"get": {"responses": {"200": {"description": "ok", **body(ref("Holder"))}}}}},
               {"Extra": EXTRA, "Holder": HOLDER})
    new = spec({"/e": {"get": {"responses": {"200": {"description": "ok", **body(ref("Extra"))}}}}},
               {"Extra": EXTRA, "Holder": HOLDER})
    with Helper([old, new, old]) as helper:
        futures = [helper.validate(i) for i in range(3)]
        found = [Helper.result(future, validate, None) for future in futures]
    assert found == [validate(old), validate(new), validate(old)]


# Specs made of a few components that refer to one another, with right and wrong
# values and `required` lists, reached from paths in varying orders: a second spec
# shares some components with the first, unchanged or not. Properties may refer to
# any component (a schema may hold itself); `oneOf` and `allOf` members only to the
# ones after it: a loop of those would send the check of a default round it until
# the stack runs out, which the library reports the same way, only slowly.
NAMES = ["A", "B", "C", "D"]
leaf = st.sampled_from([
    {"type": "string"}, {"type": "integer", "default": "ten"}, {"type": "strin"}, {"type": "integer", "default": 3},
    EXTRA, EXTRA,  # found or not depending on where it is first visited
])


def component(index: int):  # noqa: ANN201 (a hypothesis strategy)
    anywhere = st.one_of(leaf, st.sampled_from(NAMES).map(ref))
    later = st.one_of(leaf, st.sampled_from(NAMES[index + 1:]).map(ref)) if index + 1 < len(NAMES) else leaf
    return st.one_of(
        leaf,
        st.dictionaries(st.sampled_from(["p", "q", "r"]), anywhere, max_size=3).map(
            lambda props: {"type": "object", "properties": props, "default": {}}),
        st.lists(later, min_size=1, max_size=3).map(lambda alternatives: {"oneOf": alternatives}),
        st.tuples(st.lists(later, min_size=1, max_size=2), st.lists(st.sampled_from(["p", "b"]), max_size=2)).map(
            lambda t: {"allOf": t[0], "required": t[1]}),
    )


components = st.fixed_dictionaries({name: component(i) for i, name in enumerate(NAMES)})
uses = st.lists(st.tuples(st.sampled_from(["/x", "/y", "/z"]), st.one_of(leaf, st.sampled_from(NAMES).map(ref))),
                min_size=1, max_size=4)


def documents(schemas: dict, used: list) -> dict:
    paths: dict = {}
    for path, schema in used:
        responses = paths.setdefault(path, {"get": {"responses": {}}})["get"]["responses"]
        responses[str(200 + len(responses))] = {"description": "ok", **body(schema)}
    return spec(paths, schemas)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=components, second=components, keep=st.lists(st.booleans(), min_size=4, max_size=4),
       first_uses=uses, second_uses=uses)
def test_any_pair_of_specs_gives_what_a_full_validation_gives(first: dict, second: dict, keep: list,
                                                              first_uses: list, second_uses: list) -> None:
    mixed = {name: first[name] if kept else second[name] for name, kept in zip(NAMES, keep)}
    old, new = documents(first, first_uses), documents(mixed, second_uses)
    (found_old, found_new), _ = one_after_another(copy.deepcopy(old), copy.deepcopy(new))
    assert found_old == validate(old)
    assert found_new == validate(new)


REAL_PAIRS = [
    ("emqx-ee-5.8.0-en.json", "emqx-ee-5.8.1-en.json"),
    ("emqx-ce-5.8.0-en.json", "emqx-ce-5.8.1-en.json"),
    ("emqx-ce-5.6.0-en.json", "emqx-ce-5.8.1-en.json"),
    ("emqx-ce-5.0.24-en.json", "emqx-ce-5.8.1-en.json"),
]


@pytest.mark.shared
@pytest.mark.parametrize(("old", "new"), REAL_PAIRS, ids=[f"{a[5:-8]}->{b[5:-8]}" for a, b in REAL_PAIRS])
def test_real_specs_validated_one_after_another_give_what_each_gives_alone(old: str, new: str) -> None:
    documents = [load_spec(str(shared_spec(name))).document for name in (old, new)]
    (found_old, found_new), shared = one_after_another(*documents)
    assert found_old == validate(documents[0])
    assert found_new == validate(documents[1])
    assert shared.taken > 0


@pytest.mark.shared
def test_real_ce_specs_one_after_another_each_taking_from_all_before() -> None:
    """Four CE versions in a row, each kept for the next: a unit taken in one spec may
    be taken again in the next, from whichever spec walked it."""
    names = ["emqx-ce-5.0.24-en.json", "emqx-ce-5.6.0-en.json", "emqx-ce-5.8.0-en.json", "emqx-ce-5.8.1-en.json"]
    documents = [load_spec(str(shared_spec(name))).document for name in names]
    found, shared = one_after_another(*documents)
    assert found == [validate(document) for document in documents]
    assert shared.taken > 0


def test_a_discriminator_may_reach_any_component_so_its_schema_is_walked_again() -> None:
    """Checking a default against a schema with a `discriminator` looks up the component
    its property names, which no `$ref` in the schema's closure leads to."""
    pet = {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "kind"}, "default": {"kind": "Fish"}}
    animals = {"Cat": {"type": "object"}, "Dog": {"type": "object"}}
    old = spec({"/p": {"get": {"responses": OK}}}, {"Pet": pet, **animals, "Fish": {"type": "object"}})
    new = spec({"/p": {"get": {"responses": OK}}}, {"Pet": pet, **animals, "Fish": {"type": "object", "required": ["fins"]}})
    assert validate(old) != validate(new)
    (_, found), _ = one_after_another(old, new)
    assert found == validate(new)
