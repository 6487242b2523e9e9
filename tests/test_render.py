"""Render steps: spec fragment in, page text out."""

from __future__ import annotations

import re

from fragments import api

from generator.knowledge import load_knowledge
from generator.render import environment, put_back, render_pages, set_aside
from generator.sanitize import markdown_html, markdown_text

ENV = environment()
KNOWLEDGE = load_knowledge()


def page(fragment: str, name: str) -> str:
    rendered = render_pages(api(fragment), ENV, KNOWLEDGE)
    return put_back(rendered.pages[name], rendered.slots.get(name, {}))


def test_emqx_html_in_descriptions_survives_and_scripts_do_not():
    """<br/> and <code> render; <script>, event handlers and javascript: links are gone."""
    html = str(markdown_html('Use <code>t/#</code><br/>then <script>alert(1)</script><a href="javascript:x()" onclick="y()">go</a>'))
    assert "<code>t/#</code>" in html and "<br>" in html
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html


def test_headings_escape_markdown_and_html():
    """Path braces, underscores and angle brackets are inert in a Markdown heading."""
    assert str(markdown_text("/api_key/{name}")) == r"/api\_key/\{name\}"
    assert str(markdown_text("<b>&x")) == r"\<b\>&amp;x"


def test_operation_section_has_heading_anchor_auth_and_curl():
    """Each operation is an h2 with its anchor, its auth badge and one curl block."""
    text = page("""
    tags: [{name: Clients}]
    paths:
      /clients/{clientid}:
        get:
          tags: [Clients]
          summary: Get a client
          security: [{basicAuth: []}, {bearerAuth: []}]
          parameters: [{name: clientid, in: path, required: true, schema: {type: string}}]
          responses: {'200': {description: ok}}
    """, "reference/clients.md")
    assert "## GET /clients<wbr>/\\{clientid\\} { #get-clients-clientid .ead-h .ead-h-get }" in text
    assert '<span class="ead-badge ead-auth-basic"' in text
    assert text.count('<code class="language-bash">curl ') == 1


def test_large_component_is_drawn_once_per_page_then_linked():
    """A component bigger than the redraw limit appears once; later uses link to it."""
    props = "\n".join(f"            p{i}: {{type: string}}" for i in range(60))
    text = page(f"""
    components:
      schemas:
        Big:
          type: object
          properties:
{props}
    paths:
      /a: {{get: {{tags: [T], security: [], responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Big'}}}}}}}}}}}}}}
      /b: {{get: {{tags: [T], security: [], responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Big'}}}}}}}}}}}}}}
    """, "reference/t.md")
    assert text.count('id="schema-big"') == 1
    assert text.count('<a href="#schema-big">Big</a>') == 1
    assert text.count('<code class="ead-n">p59</code>') == 1


def test_small_component_is_drawn_in_every_operation():
    """A small component used directly is drawn again, so a deep link needs no jump."""
    text = page("""
    components:
      schemas:
        Small: {type: object, properties: {topic: {type: string}}}
    paths:
      /a: {get: {tags: [T], security: [], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Small'}}}}}}}
      /b: {get: {tags: [T], security: [], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Small'}}}}}}}
    """, "reference/t.md")
    assert text.count('<code class="ead-n">topic</code>') == 2
    assert len(set(re.findall(r'id="(schema-small[^"]*)"', text))) == 2


def test_set_aside_blocks_come_back_unchanged():
    """Heavy blocks leave the Markdown source and return in the same place."""
    source = 'a<section class="ead-curl" data-search-exclude><pre>x</pre></section>b<section class="ead-schema" data-search-exclude>y</section>'
    light, blocks = set_aside(source)
    assert "section" not in light and len(blocks) == 2
    assert put_back(light, blocks) == source


def test_spec_health_lists_problems_and_operations_link_to_them():
    """Every problem has an anchor on the health page, and its operation links there."""
    model = api("""
    paths:
      /x:
        get:
          tags: [T]
          security: []
          log_meta: {}
          responses: {'200': {description: ok}}
    """)
    rendered = render_pages(model, ENV, KNOWLEDGE)
    health = rendered.pages["reference/spec-health.md"]
    problem = model.operations[0].problems[0]
    assert "log_meta" in problem.message
    anchor = re.search(r'<tr id="(p-[0-9a-f]+)"', health).group(1)
    tag_page = put_back(rendered.pages["reference/t.md"], rendered.slots["reference/t.md"])
    assert f'href="spec-health.html#{anchor}"' in tag_page


def test_counts_agree_with_their_nouns():
    """One of a thing is singular and two are plural, on every page that counts."""
    error = ("{description: failed, content: {application/json: {schema: {type: object, properties: "
             "{code: {type: string, enum: [CODES]}}}}}}")
    rendered = render_pages(api(f"""
    paths:
      /x:
        get:
          tags: [T]
          security: []
          log_meta: {{}}
          parameters: [{{name: page, in: query, schema: {{type: integer}}}}, {{name: limit, in: query, schema: {{type: integer}}}}]
          responses: {{'200': {{description: ok}}, '400': {error.replace("CODES", "ONE_USER, BOTH")}}}
      /y:
        get:
          tags: [T]
          security: []
          log_meta: {{}}
          responses: {{'200': {{description: ok}}, 'x': {{description: bad}}, '404': {error.replace("CODES", "BOTH")}}}
    """), ENV, KNOWLEDGE)
    text = {name: put_back(source, rendered.slots.get(name, {})) for name, source in rendered.pages.items()}
    tag = text["reference/t.md"]
    assert "<summary>1 problem in the spec affects this operation</summary>" in tag
    assert "<summary>2 problems in the spec affect this operation</summary>" in tag
    assert "<td>2 operations in 1 tag</td>" in text["index.md"]
    assert ">3 problems</a>" in text["index.md"]
    assert "<p><strong>3 problems</strong> in 1 kind.</p>" in text["reference/spec-health.md"]
    errors = text["guides/errors.md"]
    assert re.search(r"## ONE<wbr>\\_USER (?:(?!\n## ).)*returned by 1 operation:</p>", errors, re.S)
    assert re.search(r"## BOTH (?:(?!\n## ).)*returned by 2 operations:</p>", errors, re.S)
    assert "<p>1 operation:</p>" in text["guides/pagination.md"]
    assert not re.search(r"\b1 (operations|problems|tags|kinds)\b", "".join(text.values()))


def test_paths_and_codes_break_only_at_their_separators():
    """A <wbr> before each "/" of a path and "_" of an error code, and nowhere else; the
    pieces stay escaped; parameter names get none."""
    rendered = render_pages(api("""
    paths:
      /a_b/{id}/<i>x</i>:
        get:
          tags: [T]
          security: [{basicAuth: []}]
          parameters: [{name: id, in: path, required: true, schema: {type: string}}, {name: q_x, in: query, schema: {type: string}}]
          responses: {'200': {description: ok}, '404': {description: gone, content: {application/json: {schema: {properties: {code: {enum: [NOT_A_CODE]}}}}}}}
    """), ENV, KNOWLEDGE)
    text = {name: put_back(source, rendered.slots.get(name, {})) for name, source in rendered.pages.items()}
    tag = text["reference/t.md"]
    assert r"## GET /a\_b<wbr>/\{id\}<wbr>/\<i\>x\<<wbr>/i\> { #get-a-b-id-i-x-i" in tag
    assert '<code class="ead-path">/api<wbr>/v5<wbr>/a_b<wbr>/{id}<wbr>/&lt;i&gt;x&lt;<wbr>/i&gt;</code>' in tag
    assert '<code class="ead-n">q_x</code>' in tag and "<i>" not in tag
    assert r"## NOT<wbr>\_A<wbr>\_CODE { #NOT_A_CODE .ead-h-code }" in text["guides/errors.md"]
    assert "<code>GET /a_b<wbr>/{id}<wbr>/&lt;i&gt;x&lt;<wbr>/i&gt;</code>" in text["guides/errors.md"]
    assert "<code>GET /a_b<wbr>/{id}<wbr>/&lt;i&gt;x&lt;<wbr>/i&gt;</code>" in text["guides/roles.md"]
