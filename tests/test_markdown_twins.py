"""Markdown twins and llms.txt: spec fragment in, Markdown out (twins.py, sanitize's md_*)."""

from __future__ import annotations

import re

import markdown
from fragments import api
from markdowncheck import broken_rows, prose, raw_html, rendered_markup

from generator import twins
from generator.knowledge import load_knowledge
from generator.render import environment, render_pages
from generator.sanitize import md_block, md_cell, md_code, md_fence, md_inline

ENV = environment()
KNOWLEDGE = load_knowledge()
BIG_FIELDS = "\n".join(f"            f{i}: {{type: string, description: field {i}}}" for i in range(14))


def files(fragment: str) -> dict[str, str]:
    """Every Markdown file of the site the fragment makes, by path."""
    model = api(fragment)
    rendered = render_pages(model, ENV, KNOWLEDGE)
    return twins.site_files(ENV.markdown_env, model, rendered.twins, rendered.schemas)


def operation(fragment: str, method: str, path: str) -> str:
    """What "Copy as Markdown" copies for one operation of the fragment."""
    model = api(fragment)
    writer = twins.OperationWriter(model, KNOWLEDGE, ENV.markdown_env)
    op = next(o for o in model.operations if (o.method, o.path) == (method, path))
    return writer.copied(writer(op))


def html(text: str) -> str:
    """What a Markdown renderer (Python-Markdown, with tables and fences) makes of it."""
    return markdown.markdown(text, extensions=["tables", "fenced_code"])


# --------------------------------------------------------------------------- md_* functions


def test_inline_text_turns_emqx_html_into_markdown_and_escapes_the_rest():
    """<br/> and <code> become Markdown; any other tag, and `&`, become entities."""
    text = md_inline("Use <code>t/#</code><br/>then <script>alert(1)</script> & <name>")
    assert text == "Use `t/#` then &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;name&gt;"


def test_inline_text_cannot_start_a_block():
    """A heading, list, quote, table row or rule at the start is escaped; text stays on one line."""
    assert md_inline("# Title\nnext") == r"\# Title next"
    assert md_inline("- item") == r"\- item"
    assert md_inline("1. first") == r"1\. first"
    assert md_inline("| a |") == r"\| a |"
    assert md_inline("---") == r"\---"


def test_block_text_keeps_lists_but_no_heading_fence_or_rule():
    """A description keeps its paragraphs and lists; an unclosed fence or a heading cannot escape."""
    text = md_block("Intro\n\n- one\n- two\n\n## Fake heading\n```\nunclosed\ntitle\n---")
    assert text == "Intro\n\n- one\n- two\n\n\\## Fake heading\n\\```\nunclosed\ntitle\n\\---"
    assert "<h2>" not in html(text) and "<pre>" not in html(text) and "<hr" not in html(text)


def test_links_keep_only_web_and_mail_targets():
    """javascript:, data: and other schemes lose their link; http(s), mailto and relative links stay."""
    text = md_inline("[a](javascript:x()) [b](DATA:text/html,x) [c]( vbscript:x) [d](https://emqx.io) [e](mailto:a@b) [f](page.md)")
    rendered = html(text)
    assert re.findall(r'href="([^"]*)"', rendered) == ["https://emqx.io", "mailto:a@b", "page.md"]
    assert md_block("[id]: javascript:alert(1)\n[x][id]").startswith("\\[id]:")
    assert "<img" not in html(md_inline("![i](https://example.com/t.png)"))


def test_table_cells_escape_every_pipe():
    """A pipe in a cell is escaped, also after a backslash of the spec's own."""
    assert md_cell("a | b") == r"a \| b"
    assert md_cell("a \\| b") == r"a \| b"
    assert md_cell("a \\\\| b") == r"a \\\| b"
    assert md_cell("two\nlines") == "two lines"


def test_code_spans_fit_their_content():
    """Backticks inside get a longer fence; `<`, `&` or `|` make escaped text instead."""
    assert md_code("/clients/{clientid}") == "`/clients/{clientid}`"
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert md_code("<b>|x") == r"&lt;b&gt;\|x"


def test_fences_cannot_be_closed_by_their_content():
    """A fence is longer than any backtick run inside; HTML inside stays text."""
    text = md_fence("echo ```\n<script>alert(1)</script>", "bash")
    assert text.startswith("````bash\n") and text.endswith("\n````")
    assert "<script>" not in html(text) and "&lt;script&gt;" in html(text)


# --------------------------------------------------------------------------- operations

CLIENT = """
tags: [{name: Clients}]
paths:
  /clients/{clientid}:
    get:
      tags: [Clients]
      summary: Get a client
      security: [{basicAuth: []}, {bearerAuth: []}]
      parameters:
        - {name: clientid, in: path, required: true, description: The client's ID, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer, default: 1}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '200': {description: OK, content: {application/json: {schema: {type: object, properties: {node: {type: string, description: Its node}}}}}}
        '404':
          description: Not Found
          content: {application/json: {schema: {type: object, properties: {code: {type: string, enum: [CLIENTID_NOT_FOUND]}}}}}
"""


def test_operation_has_method_path_auth_roles_pagination_and_error_meanings():
    """The heading is the method and full path; then auth, roles, pagination; codes with their meaning."""
    text = operation(CLIENT, "GET", "/clients/{clientid}")
    assert text.startswith("## `GET /api/v5/clients/{clientid}`\n\nGet a client\n\n")
    assert "- Authentication: API key (Basic) or bearer token\n- API-key roles: Administrator, Viewer\n" in text
    assert "- Paginated: page number. Send `page` `limit`; read `meta.page` `meta.limit` `meta.count` `meta.hasnext`." in text
    assert "| `clientid` required | path | string | The client's ID. Example: `\"client1\"`. |" in text
    assert "#### 200: OK\n\n`application/json`: object\n\n- `node` string: Its node." in text
    assert "- `CLIENTID_NOT_FOUND`: There is no client with this client ID." in text
    assert "### Example request\n\n```bash\ncurl -sS -X GET \"${EMQX_URL:-http://localhost:18083}/api/v5/clients/client1\"" in text


def test_bearer_only_operation_names_no_role():
    """An operation no API key can call says so, with the reason."""
    text = operation("""
    paths:
      /logout: {post: {tags: [T], security: [{bearerAuth: []}], responses: {'204': {description: done}}}}
    """, "POST", "/logout")
    assert "- Authentication: Bearer token only\n- API-key roles: no API key (Only a bearer token" in text
    assert "#### 204: done\n\nNo content." in text


def test_component_met_twice_is_written_once_then_named():
    """A small component used twice in one operation: its fields once, then "same as" its name."""
    text = operation("""
    components:
      schemas:
        Small: {type: object, properties: {topic: {type: string}}}
    paths:
      /x:
        post:
          tags: [T]
          security: []
          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Small'}}}}
          responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Small'}}}}}
    """, "POST", "/x")
    assert text.count("- `topic` string") == 1
    assert "`application/json`: object (same as `Small`)" in text
    assert "above" not in text


def test_big_component_is_named_and_its_definition_copied_with_the_operation():
    """A big component below the top is named; the copy ends with its definition, once."""
    text = operation(f"""
    components:
      schemas:
        Big:
          type: object
          properties:
{BIG_FIELDS}
    paths:
      /x:
        get:
          tags: [T]
          security: []
          responses:
            '200':
              description: ok
              content: {{application/json: {{schema: {{type: object, properties: {{a: {{$ref: '#/components/schemas/Big'}}, b: {{$ref: '#/components/schemas/Big'}}}}}}}}}}
    """, "GET", "/x")
    body, schemas = text.split("\n### Schemas\n\n")
    assert "- `a` object (schema `Big`)\n- `b` object (schema `Big`)" in body
    assert schemas.startswith("- `Big` object\n  - `f0` string: field 0.\n") and schemas.count("`f13`") == 1
    assert "above" not in text


def test_recursive_component_ends():
    """A component that contains itself is written once and then named."""
    text = operation("""
    components:
      schemas:
        Node: {type: object, properties: {name: {type: string}, child: {$ref: '#/components/schemas/Node'}}}
    paths:
      /t: {get: {tags: [T], security: [], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}}}}
    """, "GET", "/t")
    assert "- `child` object (same as `Node`)" in text


# --------------------------------------------------------------------------- pages and llms.txt


def test_every_generated_page_has_a_twin():
    """The overview, each guide, each tag and the spec-health page have their Markdown."""
    made = files(CLIENT)
    expected = {"index.md", "reference/clients.md", "reference/spec-health.md", *(f"guides/{g}.md" for g in twins.guides.GUIDES)}
    assert expected <= set(made)
    assert made["reference/clients.md"].startswith("# Clients\n\n1 operation.\n\n## `GET /api/v5/clients/{clientid}`")


def test_tag_twin_ends_with_the_schemas_its_operations_name():
    """The definitions of the named components follow the operations, once per page."""
    made = files(f"""
    components:
      schemas:
        Big:
          type: object
          properties:
{BIG_FIELDS}
    paths:
      /a: {{get: {{tags: [T], security: [], responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: array, items: {{type: object, properties: {{x: {{$ref: '#/components/schemas/Big'}}}}}}}}}}}}}}}}}}}}
      /b: {{get: {{tags: [T], security: [], responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{y: {{$ref: '#/components/schemas/Big'}}}}}}}}}}}}}}}}}}
    """)
    page = made["reference/t.md"]
    assert page.count("\n## Schemas\n\n- `Big` object\n") == 1 and page.count("`f13`") == 1
    assert made["llms-full.txt"].count("\n# Schemas\n\n- `Big` object\n") == 1


def test_llms_txt_lists_the_guides_and_each_tags_twin():
    """An H1 with title and version, a one-line summary, then Guides and Reference link lists."""
    made = files(CLIENT)
    lines = made["llms.txt"].split("\n")
    assert lines[0] == "# Fragment 1"
    assert lines[2].startswith("> 1 operation in 1 tag under the base path `/api/v5`")
    links = re.findall(r"^- \[([^\]]+)\]\(([^)]+)\)(?:: (.+))?$", made["llms.txt"], re.M)
    assert ("Clients", "reference/clients.md", "1 operation") in links
    assert all(path in made for _, path, _ in links)
    assert made["llms.txt"].index("## Guides") < made["llms.txt"].index("## Reference")


def test_llms_full_holds_the_guides_and_each_operation_once():
    """The overview, the guides and every operation, each operation once."""
    made = files(CLIENT)
    full = made["llms-full.txt"]
    assert full.startswith("# Fragment 1\n")
    assert "\n# Authentication\n" in full and "\n# Error codes\n" in full
    assert full.count("## `GET /api/v5/clients/{clientid}`") == 1


HOSTILE = """
tags: [{name: "Tag | one\\n`two`<script>x</script>", description: "## `GET /api/v5/fake`\\n```\\nunclosed"}]
components:
  schemas:
    "Co|mp`<b>":
      type: object
      properties:
        "na|me\\n`x`": {type: string, enum: ["a|b", "c`d", "<i>e</i>"], description: "line one\\n## Fake heading\\n| a | b |\\n|---|---|"}
paths:
  "/p|a`th/{id}":
    get:
      tags: ["Tag | one\\n`two`<script>x</script>"]
      summary: "# summary | with `ticks`\\nand a newline"
      description: "---\\n## `DELETE /api/v5/fake`\\n```\\n<script>alert(1)</script>"
      security: []
      parameters:
        - {name: "id|\\n<x>", in: path, required: true, description: "a | b\\n\\nc", schema: {type: string, enum: ["x|y"], default: "q`|"}}
        - {name: "q", in: query, description: "```", schema: {$ref: "#/components/schemas/Co|mp`<b>"}}
      responses:
        "200": {description: "ok | fine\\n## no", content: {application/json: {schema: {$ref: "#/components/schemas/Co|mp`<b>"}}}}
"""


def test_hostile_names_and_descriptions_stay_text():
    """`|`, backticks, newlines, headings, fences and tags in names and descriptions
    neither make HTML nor break a table, a heading or the operation's section."""
    made = files(HOSTILE)
    for rel, text in made.items():
        assert not raw_html(text), (rel, raw_html(text))
        assert not rendered_markup(text), (rel, rendered_markup(text))
        assert not broken_rows(text)[1], (rel, broken_rows(text)[1])
    page = next(text for rel, text in made.items() if rel.startswith("reference/") and "spec-health" not in rel)
    headings = [line for line in prose(page).split("\n") if line.startswith("#")]
    assert headings[0] == "# Tag | one `two`&lt;script&gt;x&lt;/script&gt;"
    assert [h for h in headings if h.startswith("## ")] == ["## " + md_code("GET /api/v5/p|a`th/{id}")]
    assert broken_rows(page)[0] == 1


def test_no_overview_twin_where_a_hand_written_page_took_its_place():
    """Without the generated overview, llms.txt does not link one and no index.md is written."""
    model = api(CLIENT)
    rendered = render_pages(model, ENV, KNOWLEDGE)
    made = twins.site_files(ENV.markdown_env, model, rendered.twins, rendered.schemas, overview=False)
    assert "index.md" not in made and "(index.md)" not in made["llms.txt"]
    assert made["llms-full.txt"].startswith("# Authentication\n")


def test_inline_text_keeps_its_own_code_and_emphasis_at_the_start():
    """A leading code span or emphasis is the spec's Markdown, not a block: it stays."""
    assert md_inline("`GET` clients") == "`GET` clients"
    assert md_inline("*all* of them") == "*all* of them"
    assert md_inline("```fence") == r"\```fence"
