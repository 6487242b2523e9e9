"""`diff`, one change kind at a time: two small inline specs and the exact change."""

from __future__ import annotations

import textwrap

import pytest

from fragments import changes
from generator.changes import KINDS, Change
from generator.schemadiff import SchemaDiff

SECURED = "security: [{basicAuth: []}, {bearerAuth: []}]"
GET, POST = "/paths/~1things/get", "/paths/~1things/post"
BODY = POST + "/requestBody/content/application~1json/schema"
ANSWER = GET + "/responses/200/content/application~1json/schema"


def op(method: str, text: str = "", path: str = "/things", components: str = "") -> str:
    """A fragment with one operation (secured unless `text` says otherwise)."""
    text = textwrap.dedent(text).strip("\n")
    lines = ["paths:", f"  {path}:", f"    {method}:"]
    lines += [f"      {line}" for line in ((text.splitlines() if text else []))]
    if "security:" not in text:
        lines.append(f"      {SECURED}")
    if "responses:" not in text:
        lines.append("      responses: {'200': {description: ok}}")
    return "\n".join(lines) + "\n" + textwrap.dedent(components)


def body(schema: str, required: bool = False, more: str = "") -> str:
    """POST /things taking `schema` as JSON (and `more` media types)."""
    return op("post", f"requestBody: {{required: {str(required).lower()}, content: {{application/json: {{schema: {schema}}}{more}}}}}")


def answer(schema: str, more: str = "") -> str:
    """GET /things answering 200 with `schema` as JSON (and `more` media types)."""
    return op("get", f"responses: {{'200': {{description: ok, content: {{application/json: {{schema: {schema}}}{more}}}}}}}")


def query(param: str) -> str:
    """GET /things with one parameter (YAML flow mapping)."""
    return op("get", f"parameters: [{param}]")


def error_codes(b: str, a: str = "[NOT_FOUND]") -> str:
    """GET /a and GET /b answering 404 with the EMQX error codes given."""
    def one(path: str, codes: str) -> str:
        schema = f"{{type: object, properties: {{code: {{type: string, enum: {codes}}}, message: {{type: string}}}}}}"
        return (f"  {path}: {{get: {{security: [], responses: {{'404': {{description: gone, "
                f"content: {{application/json: {{schema: {schema}}}}}}}}}}}}}\n")
    return "paths:\n" + one("/a", a) + one("/b", b)


def C(kind: str, method: str, message: str, old: str | None, new: str | None, subject: str = "",
      before: str | None = None, after: str | None = None, path: str = "/things") -> Change:
    return Change(kind, method, path, message, old, new, subject, before, after)


OBJ = "{type: object, properties: {a: {type: string}}}"
OBJ_REQ = "{type: object, required: [a], properties: {a: {type: string}}}"
TWO = "{type: object, properties: {a: {oneOf: [{type: string}, {type: integer}]}}}"
THREE = "{type: object, properties: {a: {oneOf: [{type: string}, {type: integer}, {type: boolean}]}}}"
TEXT = ", text/plain: {schema: {type: string}}"
PAGE = "{name: page, in: query, schema: {type: integer}}, {name: limit, in: query, schema: {type: integer}}"
CURSOR = "{name: position, in: query, schema: {type: string}}, {name: limit, in: query, schema: {type: integer}}"
LIMIT = "{name: limit, in: query, schema: {type: integer}}"
TWO_GETS = "paths:\n  /a: {get: {security: [], responses: {'200': {description: ok}}}}\n"
THREE_GETS = TWO_GETS + "  /b: {get: {security: [], responses: {'200': {description: ok}}}}\n"
A = BODY + "/properties/a"
R = ANSWER + "/properties/a"

CASES = [
    # operations
    ("operation-added", TWO_GETS, THREE_GETS,
     [C("operation-added", "GET", "operation added", None, "/paths/~1b/get", path="/b")]),
    ("operation-removed", THREE_GETS, TWO_GETS,
     [C("operation-removed", "GET", "operation removed", "/paths/~1b/get", None, path="/b")]),
    ("operation-deprecated", op("get"), op("get", "deprecated: true"),
     [C("operation-deprecated", "GET", "operation deprecated", GET, GET)]),
    ("operation-undeprecated", op("get", "deprecated: true"), op("get"),
     [C("operation-undeprecated", "GET", "operation no longer deprecated", GET, GET)]),
    ("auth-changed", op("get"), op("get", "security: [{bearerAuth: []}]"),
     [C("auth-changed", "GET", "credentials: API key or bearer token → bearer token; an API key gets 401 now; "
        "API-key roles: administrator, viewer → none", GET, GET, "", "basic+bearer", "bearer")]),
    ("auth-relaxed", op("get", "security: [{bearerAuth: []}]"), op("get"),
     [C("auth-relaxed", "GET", "credentials: bearer token → API key or bearer token; "
        "API-key roles: none → administrator, viewer", GET, GET, "", "bearer", "basic+bearer")]),
    ("pagination-changed", query(PAGE), query(CURSOR),
     [C("pagination-changed", "GET", "pagination: `page` → `cursor`", GET, GET, "", "page", "cursor"),
      C("parameter-removed", "GET", "query parameter `page` removed", GET + "/parameters/0", GET, "page"),
      C("parameter-added", "GET", "query parameter `position` added", GET, GET + "/parameters/0", "position")]),
    ("pagination-added", query(LIMIT), query(PAGE),
     [C("pagination-added", "GET", "pagination: none → `page`", GET, GET, "", None, "page"),
      C("parameter-added", "GET", "query parameter `page` added", GET, GET + "/parameters/0", "page")]),
    ("pagination-removed", query(PAGE), query(LIMIT),
     [C("pagination-removed", "GET", "pagination: `page` → none", GET, GET, "", "page", None),
      C("parameter-removed", "GET", "query parameter `page` removed", GET + "/parameters/0", GET, "page")]),
    # parameters
    ("parameter-added", op("get"), query("{name: n, in: query, schema: {type: integer}}"),
     [C("parameter-added", "GET", "query parameter `n` added", GET, GET + "/parameters/0", "n")]),
    ("required-parameter-added", op("get"), query("{name: n, in: query, required: true, schema: {type: integer}}"),
     [C("required-parameter-added", "GET", "required query parameter `n` added", GET, GET + "/parameters/0", "n")]),
    ("parameter-removed", query("{name: n, in: query, schema: {type: integer}}"), op("get"),
     [C("parameter-removed", "GET", "query parameter `n` removed", GET + "/parameters/0", GET, "n")]),
    ("parameter-moved", query("{name: n, in: query, schema: {type: integer}}"),
     query("{name: n, in: header, schema: {type: integer}}"),
     [C("parameter-moved", "GET", "parameter `n`: query → header", GET + "/parameters/0", GET + "/parameters/0",
        "n", "query", "header")]),
    ("parameter-became-required", query("{name: n, in: query, schema: {type: integer}}"),
     query("{name: n, in: query, required: true, schema: {type: integer}}"),
     [C("parameter-became-required", "GET", "query parameter `n` became required", GET + "/parameters/0",
        GET + "/parameters/0", "n")]),
    ("parameter-became-optional", query("{name: n, in: query, required: true, schema: {type: integer}}"),
     query("{name: n, in: query, schema: {type: integer}}"),
     [C("parameter-became-optional", "GET", "query parameter `n` became optional", GET + "/parameters/0",
        GET + "/parameters/0", "n")]),
    ("parameter-deprecated", query("{name: n, in: query, schema: {type: integer}}"),
     query("{name: n, in: query, deprecated: true, schema: {type: integer}}"),
     [C("parameter-deprecated", "GET", "query parameter `n` deprecated", GET + "/parameters/0",
        GET + "/parameters/0", "n")]),
    ("parameter-type-changed", query("{name: n, in: query, schema: {type: integer}}"),
     query("{name: n, in: query, schema: {type: string}}"),
     [C("parameter-type-changed", "GET", "query parameter `n`: type `integer` → `string`",
        GET + "/parameters/0/schema", GET + "/parameters/0/schema", "n", "integer", "string")]),
    ("parameter-format-changed", query("{name: n, in: query, schema: {type: string}}"),
     query("{name: n, in: query, schema: {type: string, format: date-time}}"),
     [C("parameter-format-changed", "GET", "query parameter `n`: format none → `date-time`",
        GET + "/parameters/0/schema", GET + "/parameters/0/schema", "n", None, "date-time")]),
    ("parameter-enum-value-added", query("{name: n, in: query, schema: {type: string, enum: [a]}}"),
     query("{name: n, in: query, schema: {type: string, enum: [a, b]}}"),
     [C("parameter-enum-value-added", "GET", 'query parameter `n`: value `"b"` added',
        GET + "/parameters/0/schema", GET + "/parameters/0/schema", "n", None, '"b"')]),
    ("parameter-enum-value-removed", query("{name: n, in: query, schema: {type: string, enum: [a, b]}}"),
     query("{name: n, in: query, schema: {type: string, enum: [a]}}"),
     [C("parameter-enum-value-removed", "GET", 'query parameter `n`: value `"b"` removed',
        GET + "/parameters/0/schema", GET + "/parameters/0/schema", "n", '"b"', None)]),
    ("parameter-default-changed", query("{name: n, in: query, schema: {type: integer, default: 1}}"),
     query("{name: n, in: query, schema: {type: integer, default: 2}}"),
     [C("parameter-default-changed", "GET", "query parameter `n`: default `1` → `2`",
        GET + "/parameters/0/schema", GET + "/parameters/0/schema", "n", "1", "2")]),
    # request body
    ("request-body-added", op("post"), body("{type: object}"),
     [C("request-body-added", "POST", "request body added", POST, POST + "/requestBody")]),
    ("required-request-body-added", op("post"), body("{type: object}", required=True),
     [C("required-request-body-added", "POST", "required request body added", POST, POST + "/requestBody")]),
    ("request-body-removed", body("{type: object}"), op("post"),
     [C("request-body-removed", "POST", "request body removed", POST + "/requestBody", POST)]),
    ("request-body-became-required", body("{type: object}"), body("{type: object}", required=True),
     [C("request-body-became-required", "POST", "request body became required", POST + "/requestBody",
        POST + "/requestBody")]),
    ("request-body-became-optional", body("{type: object}", required=True), body("{type: object}"),
     [C("request-body-became-optional", "POST", "request body became optional", POST + "/requestBody",
        POST + "/requestBody")]),
    ("request-media-type-added", body("{type: object}"), body("{type: object}", more=TEXT),
     [C("request-media-type-added", "POST", "request body: media type `text/plain` added", POST + "/requestBody",
        POST + "/requestBody/content/text~1plain", "text/plain", None, "text/plain")]),
    ("request-media-type-removed", body("{type: object}", more=TEXT), body("{type: object}"),
     [C("request-media-type-removed", "POST", "request body: media type `text/plain` removed",
        POST + "/requestBody/content/text~1plain", POST + "/requestBody", "text/plain", "text/plain", None)]),
    ("request-property-added", body("{type: object}"), body(OBJ),
     [C("request-property-added", "POST", "request property `a` added", BODY, A, "a")]),
    ("required-request-property-added", body("{type: object}"), body(OBJ_REQ),
     [C("required-request-property-added", "POST", "required request property `a` added", BODY, A, "a")]),
    ("request-property-removed", body(OBJ), body("{type: object}"),
     [C("request-property-removed", "POST", "request property `a` removed", A, BODY, "a")]),
    ("request-property-became-required", body(OBJ), body(OBJ_REQ),
     [C("request-property-became-required", "POST", "request property `a` became required", A, A, "a")]),
    ("request-property-became-optional", body(OBJ_REQ), body(OBJ),
     [C("request-property-became-optional", "POST", "request property `a` became optional", A, A, "a")]),
    ("request-property-deprecated", body(OBJ), body("{type: object, properties: {a: {type: string, deprecated: true}}}"),
     [C("request-property-deprecated", "POST", "request property `a` deprecated", A, A, "a")]),
    ("request-type-changed", body(OBJ), body("{type: object, properties: {a: {type: integer}}}"),
     [C("request-type-changed", "POST", "request property `a`: type `string` → `integer`", A, A, "a", "string", "integer")]),
    ("request-format-changed", body(OBJ), body("{type: object, properties: {a: {type: string, format: date-time}}}"),
     [C("request-format-changed", "POST", "request property `a`: format none → `date-time`", A, A, "a", None, "date-time")]),
    ("request-enum-value-added", body("{type: object, properties: {a: {type: string, enum: [x]}}}"),
     body("{type: object, properties: {a: {type: string, enum: [x, y]}}}"),
     [C("request-enum-value-added", "POST", 'request property `a`: value `"y"` added', A, A, "a", None, '"y"')]),
    ("request-enum-value-removed", body("{type: object, properties: {a: {type: string, enum: [x, y]}}}"),
     body("{type: object, properties: {a: {type: string, enum: [x]}}}"),
     [C("request-enum-value-removed", "POST", 'request property `a`: value `"y"` removed', A, A, "a", '"y"', None)]),
    ("request-default-changed", body("{type: object, properties: {a: {type: string, default: x}}}"),
     body("{type: object, properties: {a: {type: string, default: y}}}"),
     [C("request-default-changed", "POST", 'request property `a`: default `"x"` → `"y"`', A, A, "a", '"x"', '"y"')]),
    ("request-alternative-added", body(TWO), body(THREE),
     [C("request-alternative-added", "POST", "request property `a`: alternative `boolean` added", A, A + "/oneOf/2",
        "a[boolean]", None, "boolean")]),
    ("request-alternative-removed", body(THREE), body(TWO),
     [C("request-alternative-removed", "POST", "request property `a`: alternative `boolean` removed", A + "/oneOf/2", A,
        "a[boolean]", "boolean", None)]),
    # responses
    ("response-status-added", op("get"), op("get", "responses: {'200': {description: ok}, '404': {description: no}}"),
     [C("response-status-added", "GET", "response `404` added", GET + "/responses", GET + "/responses/404",
        "404", None, "404")]),
    ("response-status-removed", op("get", "responses: {'200': {description: ok}, '201': {description: made}}"), op("get"),
     [C("response-status-removed", "GET", "response `201` removed", GET + "/responses/201", GET + "/responses",
        "201", "201", None)]),
    ("error-status-removed", op("get", "responses: {'200': {description: ok}, '404': {description: no}}"), op("get"),
     [C("error-status-removed", "GET", "response `404` removed", GET + "/responses/404", GET + "/responses",
        "404", "404", None)]),
    ("response-media-type-added", answer("{type: object}"), answer("{type: object}", more=TEXT),
     [C("response-media-type-added", "GET", "response `200`: media type `text/plain` added", GET + "/responses/200",
        GET + "/responses/200/content/text~1plain", "text/plain", None, "text/plain")]),
    ("response-media-type-removed", answer("{type: object}", more=TEXT), answer("{type: object}"),
     [C("response-media-type-removed", "GET", "response `200`: media type `text/plain` removed",
        GET + "/responses/200/content/text~1plain", GET + "/responses/200", "text/plain", "text/plain", None)]),
    ("response-property-added", answer("{type: object}"), answer(OBJ),
     [C("response-property-added", "GET", "response `200` property `a` added", ANSWER, R, "a")]),
    ("response-property-removed", answer(OBJ), answer("{type: object}"),
     [C("response-property-removed", "GET", "response `200` property `a` removed", R, ANSWER, "a")]),
    ("response-property-became-optional", answer(OBJ_REQ), answer(OBJ),
     [C("response-property-became-optional", "GET", "response `200` property `a` became optional", R, R, "a")]),
    ("response-property-became-required", answer(OBJ), answer(OBJ_REQ),
     [C("response-property-became-required", "GET", "response `200` property `a` became required", R, R, "a")]),
    ("response-property-deprecated", answer(OBJ), answer("{type: object, properties: {a: {type: string, deprecated: true}}}"),
     [C("response-property-deprecated", "GET", "response `200` property `a` deprecated", R, R, "a")]),
    ("response-type-changed", answer(OBJ), answer("{type: object, properties: {a: {type: integer}}}"),
     [C("response-type-changed", "GET", "response `200` property `a`: type `string` → `integer`", R, R, "a",
        "string", "integer")]),
    ("response-format-changed", answer("{type: object, properties: {a: {type: string, format: date}}}"), answer(OBJ),
     [C("response-format-changed", "GET", "response `200` property `a`: format `date` → none", R, R, "a", "date", None)]),
    ("response-enum-value-added", answer("{type: object, properties: {a: {type: string, enum: [x]}}}"),
     answer("{type: object, properties: {a: {type: string, enum: [x, y]}}}"),
     [C("response-enum-value-added", "GET", 'response `200` property `a`: value `"y"` added', R, R, "a", None, '"y"')]),
    ("response-enum-value-removed", answer("{type: object, properties: {a: {type: string, enum: [x, y]}}}"),
     answer("{type: object, properties: {a: {type: string, enum: [x]}}}"),
     [C("response-enum-value-removed", "GET", 'response `200` property `a`: value `"y"` removed', R, R, "a", '"y"', None)]),
    ("response-alternative-added", answer(TWO), answer(THREE),
     [C("response-alternative-added", "GET", "response `200` property `a`: alternative `boolean` added", R,
        R + "/oneOf/2", "a[boolean]", None, "boolean")]),
    ("response-alternative-removed", answer(THREE), answer(TWO),
     [C("response-alternative-removed", "GET", "response `200` property `a`: alternative `boolean` removed",
        R + "/oneOf/2", R, "a[boolean]", "boolean", None)]),
    # EMQX error codes
    ("error-code-added", error_codes("[BAD_REQUEST]"), error_codes("[BAD_REQUEST, NOT_FOUND]"),
     [C("error-code-added", "GET", "error code `NOT_FOUND` added to `404`", "/paths/~1b/get/responses/404",
        "/paths/~1b/get/responses/404", "404", None, "NOT_FOUND", path="/b")]),
    ("error-code-removed", error_codes("[BAD_REQUEST, NOT_FOUND]"), error_codes("[BAD_REQUEST]"),
     [C("error-code-removed", "GET", "error code `NOT_FOUND` removed from `404`", "/paths/~1b/get/responses/404",
        "/paths/~1b/get/responses/404", "404", "NOT_FOUND", None, path="/b")]),
    ("api-error-code-added", error_codes("[BAD_REQUEST]"), error_codes("[BAD_REQUEST, GONE]"),
     [C("error-code-added", "GET", "error code `GONE` added to `404`", "/paths/~1b/get/responses/404",
        "/paths/~1b/get/responses/404", "404", None, "GONE", path="/b"),
      C("api-error-code-added", "", "error code `GONE` appears in the API", None, None, "GONE", None, "GONE", path="")]),
    ("api-error-code-removed", error_codes("[BAD_REQUEST, GONE]"), error_codes("[BAD_REQUEST]"),
     [C("api-error-code-removed", "", "error code `GONE` no longer appears anywhere in the API", None, None, "GONE",
        "GONE", None, path=""),
      C("error-code-removed", "GET", "error code `GONE` removed from `404`", "/paths/~1b/get/responses/404",
        "/paths/~1b/get/responses/404", "404", "GONE", None, path="/b")]),
]


def test_every_change_kind_has_a_case():
    """The table of kinds and the cases below name the same ids."""
    assert sorted(kind for kind, *_ in CASES) == sorted(KINDS)


@pytest.mark.parametrize(("kind", "old", "new", "expected"), CASES, ids=[case[0] for case in CASES])
def test_each_change_kind(kind: str, old: str, new: str, expected: list[Change]):
    """Two small specs give exactly the expected changes, the kind under test among them."""
    found = changes(old, new)
    assert found == expected
    assert kind in [c.id for c in found]
    assert changes(new, new) == [], "a spec against itself changes nothing"


TREE = """
components:
  schemas:
    {name}:
      type: object
      properties:
        label: {{type: {label}}}
        kids: {{type: array, items: {{$ref: '#/components/schemas/{name}'}}}}
        more: {{allOf: [{{$ref: '#/components/schemas/Extra'}}]}}
        pick: {{oneOf: [{{$ref: '#/components/schemas/{name}'}}, {{type: string}}]}}
    Extra: {{type: object, properties: {{size: {{type: integer}}}}}}
"""


def tree(name: str = "Tree", label: str = "string") -> str:
    return body(f"{{$ref: '#/components/schemas/{name}'}}") + TREE.format(name=name, label=label)


def test_a_recursive_schema_is_walked_once_and_its_change_reported_once():
    """`$ref`, items, `allOf` and `oneOf` back to itself: the walk ends, the change is
    reported once, at the component on both sides."""
    label = "/components/schemas/Tree/properties/label"
    assert changes(tree(), tree(label="integer")) == [
        C("request-type-changed", "POST", "request property `label`: type `string` → `integer`", label, label,
          "label", "string", "integer"),
    ]
    assert changes(tree(), tree()) == []


def test_a_renamed_component_with_the_same_shape_is_no_change():
    """Shapes are compared, not component names."""
    assert changes(tree("Tree"), tree("Forest")) == []


def test_all_of_members_are_merged_so_moving_a_property_into_one_is_no_change():
    """`allOf` is one object: where its properties are written does not matter."""
    inline = body("{type: object, required: [a], properties: {a: {type: string}, b: {type: integer}}}")
    split = body("{allOf: [{$ref: '#/components/schemas/A'}, {type: object, properties: {b: {type: integer}}}]}",
                 ) + "components: {schemas: {A: {type: object, required: [a], properties: {a: {type: string}}}}}\n"
    assert changes(inline, split) == []
    changed = split.replace("b: {type: integer}", "b: {type: string}")
    assert [(c.id, c.subject, c.new_pointer) for c in changes(inline, changed)] == [
        ("request-type-changed", "b", BODY + "/allOf/1/properties/b"),
    ]


def test_deep_change_through_ref_and_union_names_the_path_and_both_pointers():
    """A property inside one alternative of a union behind a `$ref`: the path names the
    alternative by its pinned value, the pointers are each side's own."""
    def spec(extra: str, name: str) -> str:
        return answer(f"{{type: array, items: {{$ref: '#/components/schemas/{name}'}}}}") + f"""
components:
  schemas:
    {name}:
      oneOf:
        - {{type: object, properties: {{type: {{type: string, enum: [mqtt]}}, ssl: {{$ref: '#/components/schemas/Ssl'}}}}}}
        - {{type: object, properties: {{type: {{type: string, enum: [http]}}, url: {{type: string}}}}}}
    Ssl: {{type: object, properties: {{enable: {{type: boolean}}{extra}}}}}
"""
    old = spec(", verify: {type: boolean}", "Bridge")
    new = spec("", "BridgeV2").replace("- {type: object, properties: {type: {type: string, enum: [http]}", "- {type: object, "
                                       "properties: {type: {type: string, enum: [http]}, pool: {type: integer}")
    assert changes(old, new) == [
        C("response-property-removed", "GET", "response `200` body `[][type=mqtt].ssl.verify` removed",
          "/components/schemas/Ssl/properties/verify", "/components/schemas/Ssl", "[][type=mqtt].ssl.verify"),
        C("response-property-added", "GET", "response `200` body `[][type=http].pool` added",
          "/components/schemas/Bridge/oneOf/1", "/components/schemas/BridgeV2/oneOf/1/properties/pool",
          "[][type=http].pool"),
    ]


def test_alternatives_are_paired_by_their_pinned_values_not_their_order():
    """Reordered union members with one changed: only the change inside the member."""
    def spec(members: list[str]) -> str:
        return body("{oneOf: [" + ", ".join(members) + "]}")
    a = "{type: object, properties: {type: {type: string, enum: [a]}, x: {type: string}}}"
    b = "{type: object, properties: {type: {type: string, enum: [b]}, y: {type: string}}}"
    b2 = "{type: object, properties: {type: {type: string, enum: [b]}, y: {type: string}, z: {type: string}}}"
    assert [(c.id, c.subject) for c in changes(spec([a, b]), spec([b2, a]))] == [("request-property-added", "[type=b].z")]
    assert [(c.id, c.subject) for c in changes(spec([a, b]), spec([b]))] == [("request-alternative-removed", "[type=a]")]


def test_a_union_on_one_side_only_is_compared_as_alternatives():
    """`integer` → `oneOf: [{oneOf: [integer, date-time]}, "infinity"]` (EMQX 5.8.1's
    `until`): the nested union is flattened, and only the new alternatives are changes."""
    old = body("{type: object, properties: {until: {type: integer}}}")
    new = body("{type: object, properties: {until: {oneOf: [{oneOf: [{type: integer}, {type: string, format: date-time}]},"
               " {type: string, enum: [infinity]}]}}}")
    until = BODY + "/properties/until"
    assert changes(old, new) == [
        C("request-alternative-added", "POST", "request property `until`: alternative `string:date-time` added",
          until, until + "/oneOf/0/oneOf/1", "until[string:date-time]", None, "string:date-time"),
        C("request-alternative-added", "POST", "request property `until`: alternative `string \"infinity\"` added",
          until, until + "/oneOf/1", 'until[string "infinity"]', None, 'string "infinity"'),
    ]


def test_error_codes_are_reported_as_error_codes_and_other_enums_as_enums():
    """A top-level `code` enum is EMQX's error codes (error-code-added); a `code` deeper
    in the body is an ordinary enum."""
    def spec(codes: str) -> str:
        return op("get", f"""
        responses:
          '400':
            description: bad
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    code: {{type: string, enum: {codes}}}
                    detail: {{type: object, properties: {{code: {{type: string, enum: {codes}}}}}}}
        """)
    assert [(c.id, c.subject, c.after) for c in changes(spec("[BAD]"), spec("[BAD, WORSE]"))] == [
        ("error-code-added", "400", "WORSE"),
        ("response-enum-value-added", "detail.code", '"WORSE"'),
        ("api-error-code-added", "WORSE", "WORSE"),
    ]


@pytest.mark.parametrize(("old", "new", "kind", "message"), [
    ("security: []", SECURED, "auth-changed", "credentials: none (public) → API key or bearer token; a call without "
     "credentials gets 401 now; API-key roles: administrator, viewer, publisher → administrator"),
    (SECURED, "security: [{basicAuth: []}]", "auth-changed", "credentials: API key or bearer token → API key"),
    (SECURED, "security: []", "auth-relaxed", "credentials: API key or bearer token → none (public); "
     "API-key roles: administrator → administrator, viewer, publisher"),
    ("security: [{basicAuth: []}]", SECURED, "auth-relaxed", "credentials: API key → API key or bearer token"),
])
def test_auth_is_breaking_exactly_when_a_credential_that_worked_is_refused(old: str, new: str, kind: str, message: str):
    """Public → credentials, or a scheme dropped, is breaking; accepting more is not."""
    assert [(c.id, c.message) for c in changes(op("post", old), op("post", new))] == [(kind, message)]


def test_changes_are_ordered_by_level_then_path_then_method():
    """Breaking first; within a level, by path, then GET before POST."""
    old = "paths:\n" + "".join(
        f"  {p}: {{get: {{security: [], responses: {{'200': {{description: ok}}}}}}, "
        f"post: {{security: [], responses: {{'200': {{description: ok}}}}}}}}\n" for p in ("/a", "/b"))
    new = old.replace("post: {security: []", "post: {deprecated: true, security: []").replace(
        "  /b: {get: {security: []", "  /b: {get: {security: [{basicAuth: []}]")
    new = new.replace("  /a: {get: {security: []", "  /a: {get: {deprecated: true, security: []")
    assert [(c.level, c.path, c.method, c.id) for c in changes(old, new)] == [
        ("breaking", "/b", "GET", "auth-changed"),
        ("warning", "/a", "GET", "operation-deprecated"),
        ("warning", "/a", "POST", "operation-deprecated"),
        ("warning", "/b", "POST", "operation-deprecated"),
    ]


def test_a_property_name_with_a_dot_is_quoted_in_the_path():
    """EMQX's metrics are named `actions.failure`: the path must not read as nesting."""
    old = answer("{type: object, properties: {metrics: {type: object, properties: {'actions.failure': {type: integer}}}}}")
    new = answer("{type: object, properties: {metrics: {type: object}}}")
    assert [(c.subject, c.message) for c in changes(old, new)] == [
        ('metrics["actions.failure"]', 'response `200` property `metrics["actions.failure"]` removed'),
    ]
    top = answer("{type: object, properties: {'a.b': {type: integer}}}")
    assert [c.message for c in changes(top, answer("{type: object}"))] == ['response `200` property `["a.b"]` removed']


UNION = """
components:
  schemas:
    U: {oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]}
    A: {type: object, properties: {kind: {type: string, enum: [a]}, x: {$ref: '#/components/schemas/C'}}}
    B: {type: object, properties: {kind: {type: string, enum: [b]}, y: {type: string}}}
    C: {type: object, properties: {n: {type: integer}}}
"""


def walked_whole(old: str, new: str, monkeypatch: pytest.MonkeyPatch) -> list[Change]:
    """`changes(old, new)` with every component walked, unchanged or not."""
    with monkeypatch.context() as patch:
        patch.setattr(SchemaDiff, "unchanged", lambda self, ref: False)
        patch.setattr(SchemaDiff, "_same", lambda self, old, new: False)
        return changes(old, new)


@pytest.mark.parametrize(("where", "edit"), [
    ("deep", ("n: {type: integer}", "n: {type: string}")),  # C, reached through A only
    ("alternative", ("y: {type: string}", "y: {type: integer}")),  # B itself
    ("none", ("", "")),
])
def test_a_change_below_an_unchanged_looking_union_is_found_as_by_the_whole_walk(where, edit, monkeypatch):
    """The union and its list of alternatives are the same text in both; what is
    skipped as unchanged must be so down to the last component it reaches."""
    old = answer("{$ref: '#/components/schemas/U'}") + UNION
    new = old.replace(*edit) if edit[0] else old
    found = changes(old, new)
    assert found == walked_whole(old, new, monkeypatch)
    assert [c.subject for c in found] == {"deep": ["[kind=a].x.n"], "alternative": ["[kind=b].y"], "none": []}[where]
