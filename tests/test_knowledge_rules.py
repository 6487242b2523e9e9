"""The knowledge file's rules, one small inline spec each: who may call an operation,
which pagination kind it is, and the request for its next page."""

from __future__ import annotations

import pytest
from fragments import operation

BASIC = "security: [{basicAuth: []}, {bearerAuth: []}]"
OK = "responses: {'200': {description: ok}}"


def op_with(method: str, path: str, security: str = BASIC, query: tuple[str, ...] = ()):
    params = ", ".join(f"{{name: {q}, in: query, schema: {{type: {'integer' if q in ('page', 'limit', 'bytes') else 'string'}}}}}"
                       for q in query)
    return operation(f"""
    paths:
      {path}:
        {method.lower()}: {{{security}, parameters: [{params}], {OK}}}
    """, method, path)


@pytest.mark.parametrize("method, path, roles", [
    ("GET", "/clients", ("administrator", "viewer")),
    ("DELETE", "/clients/{clientid}", ("administrator",)),
    ("POST", "/publish", ("administrator", "publisher")),
    ("POST", "/publish/bulk", ("administrator", "publisher")),
    ("PUT", "/publish", ("administrator",)),
])
def test_roles_follow_the_method_and_the_publish_operations(method, path, roles):
    assert op_with(method, path).roles == roles


def test_a_bearer_only_operation_is_reached_by_no_api_key():
    assert op_with("GET", "/api_key", security="security: [{bearerAuth: []}]").roles == ()


def test_a_public_operation_is_reached_by_every_role():
    assert op_with("GET", "/status", security="security: []").roles == ("administrator", "viewer", "publisher")


@pytest.mark.parametrize("query, kind", [
    (("page", "limit"), "page"),
    (("page",), "page"),
    (("position", "limit"), "cursor"),
    (("cursor", "limit"), "cursor"),
    (("position",), None),  # a cursor needs limit too
    (("position", "bytes"), "offset"),
    (("limit",), None),
    ((), None),
])
def test_the_pagination_kind_comes_from_the_query_parameters(query, kind):
    assert op_with("GET", "/things", query=query).pagination == kind


def test_path_parameters_never_make_an_operation_paginated():
    op = operation(f"""
    paths:
      /pages/{{page}}:
        get: {{{BASIC}, parameters: [{{name: page, in: path, required: true, schema: {{type: integer}}}}], {OK}}}
    """, "GET", "/pages/{page}")
    assert op.pagination is None


def test_the_next_page_of_a_page_list_is_page_two():
    op = op_with("GET", "/clients", query=("page", "limit"))
    assert op.page_param == "page"
    assert "page=2" in op.next_curl and "limit=100" in op.next_curl


def test_the_next_page_of_a_cursor_list_sends_what_meta_returned():
    op = op_with("GET", "/clients/{clientid}/mqueue_messages".replace("{clientid}", "c1"), query=("position", "limit"))
    assert op.page_param == "position"
    assert "position=${NEXT_POSITION}" in op.next_curl and "limit=100" in op.next_curl


def test_the_next_chunk_of_a_log_asks_for_bytes_from_the_returned_position():
    op = op_with("GET", "/trace/t1/log", query=("position", "bytes"))
    assert op.pagination == "offset"
    assert "position=${NEXT_POSITION}" in op.next_curl and "bytes=1000" in op.next_curl
