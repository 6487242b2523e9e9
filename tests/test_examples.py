"""Examples that a server accepts and that teach no trap, each from a small inline spec."""

from __future__ import annotations

import json

from fragments import api, operation

from generator.render import example_counts

OK = "responses: {'200': {description: ok}}"


def body_example(op) -> tuple[object, str, str]:
    media = op.body.media[0]
    return json.loads(media.example), media.example_origin, media.example_note


def test_request_examples_leave_deprecated_properties_out():
    """A deprecated optional property is not sent; a required one still is; answers keep theirs."""
    op = operation(f"""
    paths:
      /publish:
        post:
          {OK.replace("ok}", "ok, content: {application/json: {schema: {$ref: '#/components/schemas/Msg'}}}}")}
          requestBody:
            content:
              application/json:
                schema: {{$ref: '#/components/schemas/Msg'}}
    components:
      schemas:
        Msg:
          type: object
          required: [topic, legacy_required]
          properties:
            topic: {{type: string}}
            clientid: {{type: string, deprecated: true}}
            legacy_required: {{type: string, deprecated: true}}
            old: {{$ref: '#/components/schemas/Old'}}
        Old: {{type: integer, deprecated: true}}
    """, "POST", "/publish")
    value, origin, _ = body_example(op)
    assert origin == "synthesized"
    assert set(value) == {"topic", "legacy_required"}
    answer = json.loads(op.responses[0].media[0].example)
    assert {"clientid", "old"} <= set(answer)


def test_a_spec_example_with_deprecated_or_expired_members_is_repaired():
    """The spec's own body minus its deprecated property, its past expiry replaced by the default."""
    op = operation(f"""
    paths:
      /api_key:
        post:
          {OK}
          requestBody:
            content:
              application/json:
                example: {{name: ci, expired_at: "2021-12-05T02:01:34.186Z", direction: egress}}
                schema:
                  type: object
                  properties:
                    name: {{type: string}}
                    direction: {{type: string, deprecated: true}}
                    expired_at:
                      default: infinity
                      oneOf:
                        - {{type: string, format: date-time}}
                        - {{type: string, enum: [infinity]}}
    """, "POST", "/api_key")
    value, origin, note = body_example(op)
    assert value == {"name": "ci", "expired_at": "infinity"}
    assert origin == "repaired" and note == "repaired"  # "...without its deprecated properties..." in the labels


def test_an_until_time_without_default_is_in_the_future():
    """No default: the synthesized expiry is the knowledge file's future time, not the spec's past one."""
    op = operation(f"""
    paths:
      /keys:
        post:
          {OK}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [expired_at]
                  properties:
                    expired_at: {{type: string, format: date-time, example: "2021-12-05T02:01:34Z"}}
    """, "POST", "/keys")
    value, origin, _ = body_example(op)
    assert origin == "synthesized" and value == {"expired_at": "2035-01-01T00:00:00Z"}


def test_an_empty_spec_example_gives_way_to_one_that_shows_the_fields():
    """`{}` validates against a schema with no required fields, but teaches nothing."""
    op = operation("""
    paths:
      /status:
        get:
          responses:
            '200':
              description: ok
              content:
                application/json:
                  example: {}
                  schema:
                    type: object
                    properties:
                      data: {type: array, items: {type: object, properties: {node: {type: string}, uptime: {type: integer}}}}
                      meta: {type: object, properties: {page: {type: integer}, limit: {type: integer}, hasnext: {type: boolean}}}
    """, "GET", "/status")
    value = json.loads(op.responses[0].media[0].example)
    assert value == {"data": [{"node": "emqx@127.0.0.1", "uptime": 1}], "meta": {"page": 1, "limit": 1, "hasnext": True}}


def test_an_error_example_carries_the_spec_s_message():
    op = operation("""
    paths:
      /clients/{clientid}:
        get:
          parameters: [{name: clientid, in: path, required: true, schema: {type: string}}]
          responses:
            '404':
              description: Client ID not found
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      code: {type: string, enum: [CLIENTID_NOT_FOUND]}
                      message: {type: string}
    """, "GET", "/clients/{clientid}")
    assert json.loads(op.responses[0].media[0].example) == {"code": "CLIENTID_NOT_FOUND", "message": "Client ID not found"}


def test_a_union_member_takes_the_alternative_that_matches_exactly_one():
    """EMQX's cursor `position`: "none" matches both of its alternatives, so it cannot be the example."""
    op = operation("""
    paths:
      /messages:
        get:
          responses:
            '200':
              description: ok
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      meta:
                        type: object
                        properties:
                          position:
                            example: none
                            oneOf: [{type: string, enum: [none]}, {type: string}]
    """, "GET", "/messages")
    media = op.responses[0].media[0]
    value = json.loads(media.example)
    assert media.example_origin == "synthesized" and value["meta"]["position"] not in ("none", None)


def test_formats_count_when_telling_alternatives_apart():
    """With formats checked, "infinity" is not a date-time, so it matches exactly one alternative."""
    op = operation(f"""
    paths:
      /keys:
        put:
          {OK}
          requestBody:
            content:
              application/json:
                example: {{expired_at: infinity}}
                schema:
                  type: object
                  properties:
                    expired_at:
                      oneOf: [{{type: string, format: date-time}}, {{type: string, enum: [infinity]}}]
    """, "PUT", "/keys")
    value, origin, _ = body_example(op)
    assert (value, origin) == ({"expired_at": "infinity"}, "spec")


def test_example_counts_by_origin():
    model = api(f"""
    paths:
      /a:
        post:
          {OK}
          requestBody: {{content: {{application/json: {{example: {{x: 1}}, schema: {{type: object, properties: {{x: {{type: integer}}}}}}}}}}}}
      /b:
        post:
          responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{y: {{type: string}}}}}}}}}}}}}}
          requestBody: {{content: {{application/json: {{example: {{z: 1, d: 2}}, schema: {{type: object, properties: {{z: {{type: integer}}, d: {{type: integer, deprecated: true}}}}}}}}}}}}
    """)
    counts = example_counts(model)
    assert counts.origins == ("spec", "repaired", "synthesized")
    assert dict(counts.rows) == {"request": (1, 1, 0), "response": (0, 0, 1)}


def test_overlapping_alternatives_are_ruled_out_with_null_members():
    """Two update schemas with no required property: every object matches both, so the
    example gets a null member that only the other defines, and the page says so."""
    op = operation(f"""
    paths:
      /gateways/{{name}}:
        put:
          parameters: [{{name: name, in: path, required: true, schema: {{type: string}}}}]
          {OK}
          requestBody:
            content:
              application/json:
                schema:
                  oneOf:
                    - {{type: object, properties: {{frame: {{type: object, properties: {{max_headers: {{type: integer}}}}}}, enable: {{type: boolean}}}}}}
                    - {{type: object, properties: {{heartbeat: {{type: string}}, enable: {{type: boolean}}}}}}
    """, "PUT", "/gateways/{name}")
    value, origin, note = body_example(op)
    assert origin == "synthesized" and value["heartbeat"] is None and "frame" in value
    assert note == "overlap" and op.body.media[0].example_members == ("heartbeat",)
    from generator.examples import ExampleMaker
    from generator.refs import Resolver
    from fragments import spec as fragment_spec
    document = fragment_spec(f"""
    paths:
      /x:
        put:
          {OK}
          requestBody: {{content: {{application/json: {{schema: {{oneOf: [{{type: object, properties: {{a: {{type: string}}}}}}, {{type: object, properties: {{b: {{type: string}}}}}}]}}}}}}}}
    """)
    maker = ExampleMaker(Resolver(document))
    pointer = "/paths/~1x/put/requestBody/content/application~1json/schema"
    assert not maker.fits({"a": "x"}, pointer) and maker.fits({"a": "x", "b": None}, pointer)


def test_schemas_whose_check_would_never_end_are_known_before_any_check() -> None:
    """A loop of $ref/allOf/anyOf/oneOf/not applies to the same value for ever: such a
    schema, and any that reaches it, is never handed to a validator (its RecursionError
    can surface as a panic of a Rust extension, with a backtrace on stderr)."""
    from generator.refs import Resolver

    schemas = {
        "Loop1": {"$ref": "#/components/schemas/Loop2"},
        "Loop2": {"allOf": [{"$ref": "#/components/schemas/Loop1"}]},
        "Uses": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Loop1"}}},
        "Tree": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
        "Either": {"oneOf": [{"type": "string"}, {"not": {"$ref": "#/components/schemas/Either"}}]},
        "Plain": {"type": "string"},
    }
    resolver = Resolver({"components": {"schemas": schemas}})
    endless = {name for name in schemas if resolver.endless(f"/components/schemas/{name}")}
    assert endless == {"Loop1", "Loop2", "Uses", "Either"}
