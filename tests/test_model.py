"""Model builder steps, each from a small inline spec fragment."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace

from fragments import api, operation

SECURED = "security: [{basicAuth: []}, {bearerAuth: []}]"


def test_auth_modes_come_from_each_operations_security():
    """Basic+bearer, bearer-only and public operations are told apart."""
    model = api(f"""
    paths:
      /a: {{get: {{{SECURED}, responses: {{'200': {{description: ok}}}}}}}}
      /b: {{get: {{security: [{{bearerAuth: []}}], responses: {{'200': {{description: ok}}}}}}}}
      /c: {{get: {{security: [], responses: {{'200': {{description: ok}}}}}}}}
    """)
    modes = {op.path: (op.auth, op.auth_mode) for op in model.operations}
    assert modes == {
        "/a": (("basic", "bearer"), "basic"),
        "/b": (("bearer",), "bearer"),
        "/c": ((), "public"),
    }


def test_undefined_security_scheme_is_a_problem_and_guessed_by_name():
    """5.0.24 names bearerAuth without defining it: reported, still shown as bearer."""
    model = api("""
    components: {securitySchemes: {basicAuth: {type: http, scheme: basic}}}
    paths:
      /x: {get: {security: [{bearerAuth: []}], responses: {'200': {description: ok}}}}
    """)
    op = model.operations[0]
    assert op.auth == ("bearer",)
    assert any(p.pointer == "/paths/~1x/get/security/0" and "bearerAuth" in p.message for p in model.problems)


def test_path_level_parameters_are_merged_and_the_operation_wins():
    """A parameter defined on the path item appears; the operation's own overrides it."""
    op = operation(f"""
    paths:
      /clients/{{clientid}}:
        parameters:
          - {{name: clientid, in: path, required: true, schema: {{type: string}}, description: shared}}
          - {{name: node, in: query, schema: {{type: string}}, description: shared node}}
        get:
          {SECURED}
          parameters:
            - {{name: node, in: query, schema: {{type: string}}, description: own node}}
          responses: {{'200': {{description: ok}}}}
    """, "GET", "/clients/{clientid}")
    by_name = {p.name: p for p in op.parameters}
    assert set(by_name) == {"clientid", "node"}
    assert by_name["clientid"].description == "shared" and by_name["clientid"].required
    assert by_name["node"].description == "own node"


def test_missing_ref_is_a_problem_and_an_unresolved_node():
    """A $ref to nowhere is reported with its pointer and shown, not dropped."""
    model = api(f"""
    paths:
      /x:
        get:
          {SECURED}
          responses:
            '200':
              description: ok
              content: {{application/json: {{schema: {{$ref: '#/components/schemas/Nope'}}}}}}
    """)
    schema = model.operations[0].responses[0].media[0].schema
    assert schema.unresolved and "Nope" in schema.unresolved
    assert any(
        p.pointer == "/paths/~1x/get/responses/200/content/application~1json/schema/$ref" and "points to nothing" in p.message
        for p in model.problems
    )
    assert model.operations[0].problems, "the operation links to its problem"


def test_recursive_schema_builds_a_finite_tree():
    """A node that refers to itself is a ref, not an endless copy."""
    model = api(f"""
    components:
      schemas:
        Node:
          type: object
          properties:
            name: {{type: string}}
            children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}
    paths:
      /tree:
        get:
          {SECURED}
          responses:
            '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Node'}}}}}}}}
    """)
    node = model.components["#/components/schemas/Node"]
    children = next(p for p in node.properties if p.name == "children")
    assert children.items is not None and children.items.ref == "#/components/schemas/Node"
    example = json.loads(model.operations[0].responses[0].media[0].example)
    assert isinstance(example["name"], str) and example["children"] == []


def test_one_of_is_kept_as_alternatives():
    """oneOf branches are variants of the node, in order."""
    op = operation(f"""
    paths:
      /auth:
        post:
          {SECURED}
          requestBody:
            content:
              application/json:
                schema:
                  oneOf:
                    - {{type: object, required: [mechanism], properties: {{mechanism: {{type: string, enum: [password_based]}}}}}}
                    - {{type: object, required: [mechanism], properties: {{mechanism: {{type: string, enum: [jwt]}}}}}}
          responses: {{'204': {{description: done}}}}
    """, "POST", "/auth")
    schema = op.body.media[0].schema
    assert schema.combinator == "oneOf"
    assert [v.properties[0].enum for v in schema.variants] == [('"password_based"',), ('"jwt"',)]


def test_spec_example_that_breaks_its_schema_is_replaced():
    """An example that does not validate is not shown as the example; a valid one is made."""
    op = operation(f"""
    paths:
      /p:
        post:
          {SECURED}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [qos]
                  properties: {{qos: {{type: integer, enum: [0, 1, 2]}}, topic: {{type: string}}}}
                example: {{qos: "high"}}
          responses: {{'200': {{description: ok}}}}
    """, "POST", "/p")
    media = op.body.media[0]
    assert media.example_origin == "synthesized"
    assert json.loads(media.example)["qos"] in (0, 1, 2)
    assert media.example_note == "mismatch"  # "The spec's own example does not match its schema." in the labels


def test_curl_uses_example_values_url_encoded_and_the_right_credentials():
    """Topic path values are URL-encoded; booleans are real; bearer-only uses the token."""
    model = api("""
    paths:
      /topics/{topic}:
        get:
          security: [{basicAuth: []}, {bearerAuth: []}]
          parameters: [{name: topic, in: path, required: true, schema: {type: string}, example: "t/1"}]
          responses: {'200': {description: ok}}
      /gateways/{name}/enable/{enable}:
        put:
          security: [{bearerAuth: []}]
          parameters:
            - {name: name, in: path, required: true, schema: {type: string, enum: [stomp, coap]}}
            - {name: enable, in: path, required: true, schema: {type: boolean}}
          responses: {'204': {description: done}}
      /status:
        get: {security: [], responses: {'200': {description: ok}}}
    """)
    curls = {op.path: op.curl for op in model.operations}
    topic = shlex.split(curls["/topics/{topic}"].replace("\\\n", " "))
    assert '"${EMQX_URL:-http://localhost:18083}/api/v5/topics/t%2F1"' in curls["/topics/{topic}"]
    assert topic[topic.index("-u") + 1] == "${EMQX_API_KEY}:${EMQX_SECRET_KEY}"
    assert "/api/v5/gateways/stomp/enable/true" in curls["/gateways/{name}/enable/{enable}"]
    assert 'Authorization: Bearer ${EMQX_TOKEN}' in curls["/gateways/{name}/enable/{enable}"]
    assert "-u" not in shlex.split(curls["/status"].replace("\\\n", " "))
    assert "Authorization" not in curls["/status"]
    assert all('-H "Accept: application/json"' in c for c in curls.values())


def test_a_download_asks_for_what_it_returns():
    """A curl asks for JSON unless no success answer is JSON; then for the answer's media type."""
    model = api("""
    paths:
      /trace/{name}/download:
        get:
          parameters: [{name: name, in: path, required: true, schema: {type: string, example: t1}}]
          responses:
            '200': {description: a zip, content: {application/octet-stream: {schema: {type: string, format: binary}}}}
            '404': {description: none, content: {application/json: {schema: {type: object}}}}
      /both:
        get:
          responses:
            '200': {description: ok, content: {text/plain: {schema: {type: string}}, application/json: {schema: {}}}}
    """)
    curls = {op.path: op.curl for op in model.operations}
    assert "-H 'Accept: application/octet-stream'" in curls["/trace/{name}/download"]
    assert "application/json" not in curls["/trace/{name}/download"]
    assert '-H "Accept: application/json"' in curls["/both"]


def test_base_url_is_baked_into_the_examples():
    """--base-url becomes the default of $EMQX_URL."""
    model = api("""
    paths: {/x: {get: {security: [], responses: {'200': {description: ok}}}}}
    """, base_url="https://emqx.example.internal:18083")
    assert '"${EMQX_URL:-https://emqx.example.internal:18083}/api/v5/x"' in model.operations[0].curl


def test_required_query_parameters_are_in_the_curl():
    """A required query parameter is filled with a value valid for its schema."""
    op = operation("""
    paths:
      /trace/{name}/log:
        get:
          security: []
          parameters:
            - {name: name, in: path, required: true, schema: {type: string}}
            - {name: bytes, in: query, required: true, schema: {type: integer, minimum: 10, maximum: 20}}
          responses: {'200': {description: ok}}
    """, "GET", "/trace/{name}/log")
    assert "?bytes=10" in op.curl


def test_anchors_are_stable_and_unique():
    """Anchors come from method + path; a clash gets a suffix."""
    model = api("""
    paths:
      /a-b: {get: {security: [], responses: {'200': {description: ok}}}}
      /a/b: {get: {security: [], responses: {'200': {description: ok}}}}
      /clients/{clientid}: {delete: {security: [], responses: {'204': {description: ok}}}}
    """)
    anchors = {(op.method, op.path): op.anchor for op in model.operations}
    assert anchors == {("GET", "/a-b"): "get-a-b", ("GET", "/a/b"): "get-a-b-2", ("DELETE", "/clients/{clientid}"): "delete-clients-clientid"}


def test_operations_of_a_tag_follow_the_path_tree_then_the_method():
    """Collection, then its item, then what hangs under the item, then literal siblings;
    GET, POST, PUT, PATCH, DELETE, others after; anchors stay those of the spec order."""
    ok = "{security: [], responses: {'200': {description: ok}}}"
    model = api(f"""
    paths:
      /clients/kickout/bulk: {{post: {ok}}}
      /clients/{{clientid}}/subscriptions: {{get: {ok}}}
      /clients/{{clientid}}: {{delete: {ok}, head: {ok}, get: {ok}, patch: {ok}, put: {ok}}}
      /clients/kickout: {{get: {ok}}}
      /sessions_count: {{get: {ok}}}
      /clients: {{post: {ok}, get: {ok}}}
      /clients/{{clientid}}/authorization/cache: {{delete: {ok}}}
      /clients/{{clientid}}/subscribe: {{post: {ok}}}
      /a-b: {{get: {ok}}}
      /a/b: {{get: {ok}}}
    """)
    assert [f"{op.method} {op.path}" for op in model.tags[0].operations] == [
        "GET /a/b", "GET /a-b",
        "GET /clients", "POST /clients",
        "GET /clients/{clientid}", "PUT /clients/{clientid}", "PATCH /clients/{clientid}",
        "DELETE /clients/{clientid}", "HEAD /clients/{clientid}",
        "DELETE /clients/{clientid}/authorization/cache",
        "POST /clients/{clientid}/subscribe",
        "GET /clients/{clientid}/subscriptions",
        "GET /clients/kickout", "POST /clients/kickout/bulk",
        "GET /sessions_count",
    ]
    assert model.operations == model.tags[0].operations
    by_path = {(op.method, op.path): op.anchor for op in model.operations}
    assert by_path[("POST", "/clients/kickout/bulk")] == "post-clients-kickout-bulk"
    assert by_path[("GET", "/a/b")] == "get-a-b-2"  # /a-b came first in the spec and kept get-a-b


def test_no_paths_is_a_problem_not_a_crash():
    """A spec without paths builds an empty model and says why."""
    model = api("")
    assert model.operations == ()
    assert any(p.pointer == "/paths" for p in model.problems)


def test_untagged_operations_go_under_other_and_tags_keep_declared_order():
    """Declared tags first, in their order; then the rest by name; untagged last as Other."""
    model = api("""
    tags: [{name: Zeta, description: last letter}, {name: Alpha}]
    paths:
      /a: {get: {tags: [Alpha], security: [], responses: {'200': {description: ok}}}}
      /z: {get: {tags: [Zeta], security: [], responses: {'200': {description: ok}}}}
      /m: {get: {tags: [Mid], security: [], responses: {'200': {description: ok}}}}
      /n: {get: {security: [], responses: {'200': {description: ok}}}}
    """)
    assert [t.name for t in model.tags] == ["Zeta", "Alpha", "Mid", "Other"]
    assert model.tags[0].description == "last letter"
    assert model.tags[0].operations[0].url == "reference/zeta.html#get-z"


def test_parameter_ref_to_nowhere_is_shown_unresolved():
    """A parameter whose $ref points to nothing stays in the list, marked unresolved."""
    op = operation("""
    paths:
      /x:
        get:
          security: []
          parameters: [{$ref: '#/components/parameters/public.page'}]
          responses: {'200': {description: ok}}
    """, "GET", "/x")
    assert [(p.name, p.location) for p in op.parameters] == [("public.page", "?")]
    assert "points to nothing" in op.parameters[0].schema.unresolved


def test_schema_nodes_parameters_and_media_know_where_they_are_in_the_spec():
    """Every node carries its JSON pointer: a ref node its `$ref`, a component its definition."""
    op = operation("""
    components:
      parameters:
        node: {name: node, in: query, schema: {type: string}}
      schemas:
        Tree: {type: object, properties: {kids: {type: array, items: {$ref: '#/components/schemas/Tree'}}}}
    paths:
      /t:
        post:
          security: []
          parameters: [{$ref: '#/components/parameters/node'}, {name: n, in: query, schema: {type: integer}}]
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Tree'}}}}
          responses: {'200': {description: ok}}
    """, "POST", "/t")
    assert [(p.name, p.pointer, p.schema.pointer) for p in op.parameters] == [
        ("node", "/components/parameters/node", "/components/parameters/node/schema"),
        ("n", "/paths/~1t/post/parameters/1", "/paths/~1t/post/parameters/1/schema"),
    ]
    media = op.body.media[0]
    assert media.pointer == "/paths/~1t/post/requestBody/content/application~1json"
    assert (media.schema.ref, media.schema.pointer) == ("#/components/schemas/Tree", media.pointer + "/schema")
    tree = api("""
    components:
      schemas:
        Tree: {type: object, properties: {kids: {type: array, items: {$ref: '#/components/schemas/Tree'}}}}
    paths:
      /t: {post: {security: [], requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Tree'}}}}, responses: {'200': {description: ok}}}}
    """).components["#/components/schemas/Tree"]
    kids = tree.properties[0]
    assert (tree.pointer, kids.pointer, kids.items.pointer) == (
        "/components/schemas/Tree", "/components/schemas/Tree/properties/kids", "/components/schemas/Tree/properties/kids/items",
    )
    assert tree == replace(tree, pointer="elsewhere"), "a pointer is where a node is, not what it is"
