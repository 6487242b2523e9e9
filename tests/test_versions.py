"""A site of several versions: labels and their order, what each version says about the
one before it, the command line, the built site and every link between its versions.

Small tests build models from inline spec fragments; the site tests build three versions
of the bundled sample (see versioned.py) once for the module; one test builds CE 5.8.0
and 5.8.1 and checks the What-changed page against `emqx-apidocs diff`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fragments import model
from sitecheck import raw_operations
from generator.load import load_spec
from generator.problems import InputError
from generator.render import environment, render_pages
from generator.knowledge import load_knowledge
from generator.versions import check_label, history, sources_from_arguments, version_key, version_pages
from support import PROJECT_ROOT, shared_spec
from versioned import MIDDLE, NEWEST, OLDEST, build, check_links, check_selector_data, sample_versions, selector_data

CLI = [sys.executable, "-m", "generator"]
ENV, KNOWLEDGE = environment(), load_knowledge()


def run(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("EMQX_API_KEY", "EMQX_SECRET_KEY", "EMQX_APIDOCS_DEBUG")}
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-3000:]}"


def one_line_error(result: subprocess.CompletedProcess[str], *mentions: str) -> str:
    assert result.returncode == 2, explain(result)
    assert "Traceback" not in result.stderr, explain(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, explain(result)
    for text in mentions:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    return lines[0]


def tree_hash(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- labels and order


@pytest.mark.parametrize("label", ["5.8.1", "v5.8.1", "5.9.0-rc.1", "ee_5.8.1", "5.8.1+build.7", "dev", "E"])
def test_a_plain_label_is_accepted(label: str) -> None:
    """A word of letters, digits and . _ + - names a folder and a link as it is."""
    assert check_label(label, "--spec") == label


@pytest.mark.parametrize("label, says", [
    ("a/b", "not usable"), ("..", "not usable"), ("5.8..1", "not usable"), ("5.8 1", "not usable"),
    ("", "not usable"), (".hidden", "not usable"), ("-x", "not usable"), ("a\\b", "not usable"),
    ("5.8.1\n", "not usable"), ("é", "not usable"), ("x" * 65, "not usable"),
    ("latest", "reserved"), ("Latest", "reserved"), ("index.html", "reserved"), ("versions.json", "reserved"),
])
def test_a_label_that_cannot_be_a_folder_is_refused(label: str, says: str) -> None:
    """/, .., spaces, control characters and the root's own names are refused, in one line."""
    with pytest.raises(InputError) as error:
        check_label(label, "--spec")
    assert says in str(error.value) and "\n" not in str(error.value)


def test_versions_are_ordered_by_their_numbers() -> None:
    """5.8.10 after 5.8.9, a pre-release before its release, unnumbered labels first."""
    labels = ["5.8.10", "v5.10.0", "5.9.0", "5.9.0-rc.10", "dev", "5.8.9", "5.9.0-rc.2", "5.8.9-copy"]
    assert sorted(labels, key=version_key) == [
        "dev", "5.8.9-copy", "5.8.9", "5.8.10", "5.9.0-rc.2", "5.9.0-rc.10", "5.9.0", "v5.10.0"]


def test_spec_arguments_with_and_without_labels(tmp_path: Path) -> None:
    """One plain --spec is today's single site; labelled ones are versions, oldest first;
    a URL or an existing file is never split at its '='."""
    assert sources_from_arguments(None) == (None, ())
    assert sources_from_arguments(["spec.json"]) == ("spec.json", ())
    assert sources_from_arguments(["http://node:18083/api-docs?x=1"]) == ("http://node:18083/api-docs?x=1", ())
    odd = tmp_path / "a=b.json"
    odd.write_text("{}", encoding="utf-8")
    assert sources_from_arguments([str(odd)]) == (str(odd), ())
    single, versions = sources_from_arguments(["5.8.10=b.json", "5.8.9=a.json", "5.9=http://n/x?y=z"])
    assert single is None
    assert [(v.label, v.source) for v in versions] == [("5.8.9", "a.json"), ("5.8.10", "b.json"), ("5.9", "http://n/x?y=z")]


@pytest.mark.parametrize("values, says", [
    (["5.8.1=a.json", "5.8.1=b.json"], "given twice"),
    (["v1=a.json", "V1=b.json"], "given twice"),
    (["5.8.1=a.json", "b.json"], "give every spec a label"),
    (["a.json", "b.json"], "need a label each"),
    (["5.8.1="], "no spec after the label"),
    (["a/b=x.json"], "'a/b'"),
])
def test_spec_arguments_that_cannot_be_versions(values: list[str], says: str) -> None:
    with pytest.raises(InputError) as error:
        sources_from_arguments(values)
    assert says in str(error.value)


# --------------------------------------------------------------------------- what a version says

BEFORE = """
tags: [{name: Apples}, {name: Pears}]
paths:
  /apples:
    get:
      tags: [Apples]
      responses: {'200': {description: ok}}
  /apples/{id}:
    delete:
      tags: [Apples]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: gone}}
  /pears:
    get:
      tags: [Pears]
      responses: {'200': {description: ok}}
"""
AFTER = """
tags: [{name: Apples}, {name: Pears}]
paths:
  /apples:
    get:
      tags: [Apples]
      parameters:
        - {name: colour, in: query, required: true, schema: {type: string}}
        - {name: "<img src=x onerror=alert(1)>", in: query, schema: {type: string}}
      responses: {'200': {description: ok}}
  /pears:
    get:
      tags: [Pears]
      responses: {'200': {description: ok}}
  /pears/ripe:
    get:
      tags: [Pears]
      responses: {'200': {description: ok}}
"""


@pytest.fixture(scope="module")
def two():
    versions = history([("1.0", model(BEFORE), "one"), ("2.0", model(AFTER), "two")])
    return versions, version_pages(versions, 0, ""), version_pages(versions, 1, "")


def test_badges_say_new_changed_and_removed_with_their_links(two) -> None:
    """The newer version marks what is new and what changed (with the previous version's
    operation); the older one marks what the newer removed. Links go file to file."""
    _, old, new = two
    assert old.changes is None and set(old.badges) == {("DELETE", "/apples/{id}")}
    (removed,) = old.badges[("DELETE", "/apples/{id}")]
    assert (removed.kind, removed.version) == ("removed", "2.0")
    assert removed.link == "../../2.0/reference/what-changed.html#b-old-delete-apples-id"
    (added,) = new.badges[("GET", "/pears/ripe")]
    assert (added.kind, added.link) == ("new", "what-changed.html#c-get-pears-ripe")
    (changed,) = new.badges[("GET", "/apples")]
    assert (changed.kind, changed.breaking, changed.previous) == ("changed", 1, "1.0")
    assert [c.id for c in changed.changes] == ["required-parameter-added", "parameter-added"]
    assert changed.link == "what-changed.html#b-get-apples"  # its first entry: the breaking section
    assert changed.previous_link == "../../1.0/reference/apples.html#get-apples"


def test_what_changed_lists_breaking_changes_first_then_the_rest_by_tag(two) -> None:
    _, _, new = two
    page = new.changes
    assert (page.version, page.previous, page.summary) == ("2.0", "1.0", {"breaking": 2, "warning": 0, "info": 2})
    assert [(e.id, e.method, e.path, [c.id for c in e.changes]) for e in page.breaking] == [
        ("b-get-apples", "GET", "/apples", ["required-parameter-added"]),
        ("b-old-delete-apples-id", "DELETE", "/apples/{id}", ["operation-removed"]),
    ]
    assert [(tag, [e.id for e in entries]) for tag, entries in page.by_tag] == [
        ("Apples", ["c-get-apples"]), ("Pears", ["c-get-pears-ripe"])]
    gone = page.breaking[1]
    assert gone.link is None and gone.previous_link == "../../1.0/reference/apples.html#delete-apples-id"


def test_the_badges_as_rendered(two) -> None:
    """Words from the labels, the change list, both links; spec text stays text."""
    versions, old, new = two
    page = render_pages(versions[1].api, ENV, KNOWLEDGE, new).pages["reference/apples.md"]
    assert ('<summary><span class="ead-badge ead-v-changed">Changed in 2.0</span> 2 changes, '
            '<strong>1 breaking</strong></summary>') in page
    assert ('<li><span class="ead-level ead-level-breaking">breaking</span> required query parameter '
            '<code>colour</code> added</li>') in page
    assert "<code>&lt;img src=x onerror=alert(1)&gt;</code>" in page and "<img src=x" not in page
    assert ('<a href="../../1.0/reference/apples.html#get-apples">This operation in 1.0</a> · '
            '<a href="what-changed.html#b-get-apples">What changed in 2.0</a>') in page
    pears = render_pages(versions[1].api, ENV, KNOWLEDGE, new).pages["reference/pears.md"]
    assert '<a class="ead-badge ead-v-new" href="what-changed.html#c-get-pears-ripe">New in 2.0</a>' in pears
    earlier = render_pages(versions[0].api, ENV, KNOWLEDGE, old).pages["reference/apples.md"]
    assert ('<a class="ead-badge ead-v-removed" href="../../2.0/reference/what-changed.html#b-old-delete-apples-id">'
            'Removed in 2.0</a>') in earlier


def test_the_what_changed_page_as_rendered(two) -> None:
    versions, _, new = two
    text = render_pages(versions[1].api, ENV, KNOWLEDGE, new).pages["reference/what-changed.md"]
    assert text.startswith('---\ntitle: "What changed in 2.0"\n---\n# What changed in 2\\.0\n')
    assert "<p>Compared with 1.0: 2 breaking, 0 warnings, 2 info.</p>" in text
    headings = re.findall(r"^#+ .*$", text, re.M)
    assert headings == ["# What changed in 2\\.0", "## Breaking changes (2) { #breaking }",
                        "## Changes by tag { #by-tag }", "### Apples { #tag-1 }", "### Pears { #tag-2 }"]
    assert ('<div class="ead-centry" id="b-old-delete-apples-id"><p class="ead-centry-op"><code>DELETE '
            '/apples<wbr>/{id}</code> · <a href="../../1.0/reference/apples.html#delete-apples-id">'
            'This operation in 1.0</a></p>') in text


def test_a_single_version_renders_no_version_marks() -> None:
    rendered = render_pages(model(AFTER), ENV, KNOWLEDGE)
    assert "reference/what-changed.md" not in rendered.pages
    assert not any("ead-vnotes" in text or "ead-version" in text for text in rendered.pages.values())


def test_two_labels_of_one_spec_have_no_changes() -> None:
    """The same spec under two labels is compared by its digest, not walked again."""
    api = model(AFTER)
    versions = history([("2.0", api, "same"), ("2.0-again", api, "same")])
    assert versions[1].comparison is not None and versions[1].comparison.changes == ()
    page = version_pages(versions, 1, "api/")
    assert page.badges == {} and page.changes.summary == {"breaking": 0, "warning": 0, "info": 0}


def test_a_tag_may_not_take_the_what_changed_page() -> None:
    api = model("""
paths:
  /x: {get: {tags: [What changed], responses: {'200': {description: ok}}}}
""")
    assert [t.page for t in api.tags] == ["reference/what-changed-2.md"]


SHAPES = """
paths:
  /things:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Other'}}}}}
components:
  schemas:
    Thing: {type: object, required: [size], properties: {size: {$ref: '#/components/schemas/Size'}}}
    Size: {type: %s, example: %s}
    Other: {type: object, properties: {name: {type: string}, loop: {$ref: '#/components/schemas/Other'}}}
    Odd: {$ref: '#/components/schemas/Thing%%20x'}
"""


def test_example_checks_are_shared_only_where_a_schema_and_all_it_reaches_are_the_same() -> None:
    """A schema's digest covers every schema it reaches (cycles included), so a check
    is taken from another spec's model only when nothing it depends on changed; and a
    model built with shared checks is the model built alone."""
    from fragments import spec
    from generator.builder import build_model
    from generator.closures import Closures, SharedChecks
    from generator.refs import Resolver

    before, after = spec(SHAPES % ("integer", "3")), spec(SHAPES % ("string", '"big"'))
    old, new = Closures(Resolver(before)), Closures(Resolver(after))
    assert old.digest("/components/schemas/Thing") != new.digest("/components/schemas/Thing")  # Size changed
    assert old.digest("/components/schemas/Other") == new.digest("/components/schemas/Other") is not None
    assert old.digest("/components/schemas/Odd") is None  # a percent-encoded ref: nothing shared
    shared = SharedChecks()
    build_model(before, knowledge=KNOWLEDGE, shared=shared)
    assert shared.results
    assert build_model(after, knowledge=KNOWLEDGE, shared=shared) == build_model(after, knowledge=KNOWLEDGE)


UNION = """
paths:
  /things:
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses: {'200': {description: ok}}
components:
  schemas:
    Thing: {oneOf: [{$ref: '#/components/schemas/B'}, {$ref: '#/components/schemas/A'}]}
    A: {type: object, required: [kind], properties: {kind: {type: string, enum: [a]}}}
    B: {type: object, required: [kind, b], properties: {kind: {type: string, enum: [b]}, b: {$ref: '#/components/schemas/Size'}}%s}
    Size: {type: integer, example: 3%s}
"""


@pytest.mark.parametrize("change", ["an alternative", "a schema an alternative reaches", "nothing"])
def test_a_check_against_a_union_takes_what_its_unchanged_alternatives_answered(change: str) -> None:
    """A union with a changed alternative is checked again, and each of its alternatives
    that did not change, with all it reaches, answers as it did; the model is the model
    built alone. The same example value is checked before and after: only what the
    alternative is tells the answers apart."""
    from fragments import spec
    from generator.builder import build_model
    from generator.closures import SharedChecks

    before = spec(UNION % ("", ""))
    after = spec(UNION % {"an alternative": (", maxProperties: 1", ""), "nothing": ("", ""),
                          "a schema an alternative reaches": ("", ", maximum: 2")}[change])
    shared = SharedChecks()
    build_model(before, knowledge=KNOWLEDGE, shared=shared)
    assert any(fits for fits in shared.refs.values()) and not all(shared.refs.values())
    assert build_model(after, knowledge=KNOWLEDGE, shared=shared) == build_model(after, knowledge=KNOWLEDGE)
    assert (build_model(after, knowledge=KNOWLEDGE) == build_model(before, knowledge=KNOWLEDGE)) == (change == "nothing")


@pytest.mark.shared
@pytest.mark.parametrize("names", [
    ["emqx-ee-5.8.0-en.json", "emqx-ee-5.8.1-en.json"],
    ["emqx-ce-5.0.24-en.json", "emqx-ce-5.6.0-en.json", "emqx-ce-5.8.0-en.json", "emqx-ce-5.8.1-en.json"],
], ids=["ee", "ce"])
def test_real_models_built_with_shared_checks_are_the_models_built_alone(names: list[str]) -> None:
    """The models of a site of several versions share their example checks, whole and by
    `$ref` (closures.py, examples.py): each is the model of its spec built alone."""
    from generator.builder import build_model
    from generator.closures import SharedChecks

    shared = SharedChecks()
    for name in names:
        document = load_spec(str(shared_spec(name))).document
        assert build_model(document, knowledge=KNOWLEDGE, shared=shared) == build_model(document, knowledge=KNOWLEDGE)
    assert shared.refs


def test_a_schema_with_a_discriminator_is_never_shared() -> None:
    """A discriminator sends a value to the component it names, which no `$ref` leads
    to: what a check against it finds may change with any component, so no digest."""
    from generator.closures import Closures
    from generator.refs import Resolver

    document = {"components": {"schemas": {
        "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}], "discriminator": {"propertyName": "kind"}},
        "Cat": {"type": "object"}, "Owner": {"properties": {"pet": {"$ref": "#/components/schemas/Pet"}}}}}}
    closures = Closures(Resolver(document))
    assert closures.digest("/components/schemas/Cat") is not None
    assert closures.digest("/components/schemas/Pet") is None and closures.digest("/components/schemas/Owner") is None


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("argument, says", [
    ("a/b=x.json", "'a/b'"), ("..=x.json", "'..'"), ("5.8 1=x.json", "'5.8 1'"), ("latest=x.json", "reserved"),
])
def test_a_bad_label_is_one_line_and_exit_2(tmp_path: Path, argument: str, says: str) -> None:
    result = run("build", "--spec", "5.8.0=a.json", "--spec", argument, "--site", str(tmp_path / "site"))
    one_line_error(result, "--spec", says)
    assert not (tmp_path / "site").exists()


def test_a_label_given_twice_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("build", "--spec", "5.8.1=a.json", "--spec", "5.8.1=b.json", "--site", str(tmp_path / "site"))
    one_line_error(result, "5.8.1", "given twice")


def test_help_and_readme_show_the_versions_form() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("build", "serve"):
        helped = run(command, "--help")
        assert helped.returncode == 0 and "LABEL=" in helped.stdout and "--spec 5.8.0=" in helped.stdout, explain(helped)
        assert re.search(rf"emqx-apidocs {command} +\[--config PATH\] \[--spec \[LABEL=\]PATH_OR_URL\]\.\.\.", readme)
    assert "## A site of several versions" in readme and "extra.emqx_apidocs.versions" in readme


def test_a_missing_spec_of_one_version_names_it_and_keeps_the_old_site(tmp_path: Path) -> None:
    specs = sample_versions(tmp_path)
    site = tmp_path / "site"
    first = build(site, {OLDEST: specs[OLDEST], MIDDLE: specs[MIDDLE]})
    assert first.returncode == 0, explain(first)
    before = tree_hash(site)
    result = build(site, {OLDEST: specs[OLDEST], MIDDLE: tmp_path / "gone.json"})
    one_line_error(result, "gone.json", "no such file")
    assert tree_hash(site) == before


def test_strict_builds_nothing_when_a_version_has_errors(tmp_path: Path) -> None:
    specs = sample_versions(tmp_path)
    broken = json.loads(specs[MIDDLE].read_text(encoding="utf-8"))
    broken["paths"]["/clients"]["get"]["responses"] = "none"
    specs[MIDDLE].write_text(json.dumps(broken), encoding="utf-8")
    result = build(tmp_path / "site", {OLDEST: specs[OLDEST], MIDDLE: specs[MIDDLE]}, "--strict")
    assert result.returncode == 1 and "5.8.10:" in result.stderr and "--strict" in result.stderr, explain(result)
    assert not (tmp_path / "site").exists()


# --------------------------------------------------------------------------- the site of the sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("versions")
    specs = sample_versions(folder)
    result = build(folder / "site", specs)
    assert result.returncode == 0 and result.stderr == "", explain(result)
    return folder / "site", specs


def test_one_folder_per_version_versions_json_and_an_index_that_opens_the_newest(sample) -> None:
    site, specs = sample
    assert sorted(p.name for p in site.iterdir()) == sorted([".emqx-apidocs-site", "index.html", "versions.json", *specs])
    assert json.loads((site / "versions.json").read_text(encoding="utf-8")) == [
        {"version": NEWEST, "title": NEWEST, "aliases": ["latest"]},
        {"version": MIDDLE, "title": MIDDLE, "aliases": []},
        {"version": OLDEST, "title": OLDEST, "aliases": []},
    ]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert f'<meta http-equiv="refresh" content="0; url={NEWEST}/index.html">' in index
    assert f'<a href="{NEWEST}/index.html">Open {NEWEST}</a>' in index and "<script" not in index
    for label, spec in specs.items():
        operations = json.loads((site / label / "operations.json").read_text(encoding="utf-8"))
        assert sorted((o["method"], o["path"]) for o in operations["operations"]) == raw_operations(spec)
        assert (site / label / "search" / "search_index.json").is_file()


def test_what_changed_and_badges_in_the_built_pages(sample) -> None:
    site, _ = sample
    assert not (site / OLDEST / "reference" / "what-changed.html").exists()
    assert not any("ead-vnotes" in p.read_text(encoding="utf-8") for p in (site / OLDEST).rglob("*.html"))
    clients = (site / MIDDLE / "reference" / "clients.html").read_text(encoding="utf-8")
    assert f"Changed in {MIDDLE}</span> 2 changes, <strong>1 breaking</strong>" in clients
    assert f'href="what-changed.html#c-put-clients-clientid-keepalive">New in {MIDDLE}</a>' in clients
    assert 'href="what-changed.html#c-get-subscriptions">New in' not in clients  # moved, not new
    status = (site / MIDDLE / "reference" / "status.html").read_text(encoding="utf-8")
    assert f'href="../../{NEWEST}/reference/what-changed.html#b-old-get-status">Removed in {NEWEST}</a>' in status
    changed = (site / NEWEST / "reference" / "what-changed.html").read_text(encoding="utf-8")
    assert f"Compared with {MIDDLE}: 1 breaking, 0 warnings, 0 info." in changed
    nav = re.sub(r"\s+", " ", (site / MIDDLE / "index.html").read_text(encoding="utf-8"))
    assert nav.index("Overview") < nav.index("What changed") < nav.index("Guides")


def test_every_page_has_the_selector_with_a_link_per_version(sample) -> None:
    site, specs = sample
    for label in specs:
        for page in (site / label).rglob("*.html"):
            html = page.read_text(encoding="utf-8")
            assert html.count("<details class=\"ead-version\" data-ead-versions>") == 1, page
            links = re.findall(r'<a href="([^"]*)" data-ead-version="([^"]+)"( aria-current="page")?>', html)
            assert [v for _, v, _ in links] == [NEWEST, MIDDLE, OLDEST], page
            assert [v for _, v, current in links if current] == [label], page
            assert "version-select.js" in html and "versions-data.js" in html


def test_every_link_between_versions_and_every_selector_target_resolves(sample) -> None:
    """One stale link is worse than none: every link of every page (the selector's, the
    badges', the What-changed pages', the root's) names a file that exists, and an anchor
    that exists in it; so does every target the selector's script can choose."""
    site, _ = sample
    problems, checked, across = check_links(site)
    pages = sum(1 for _ in site.glob("*/**/*.html"))
    assert problems == [] and across > 2 * pages, (problems[:20], checked, across)  # two selector links each, and more
    problems, targets = check_selector_data(site)
    assert problems == [] and targets > 50, problems[:20]
    data = selector_data(site, OLDEST)
    assert data["operations"]["GET /subscriptions"] == {
        OLDEST: "reference/subscriptions.html#get-subscriptions", MIDDLE: "reference/clients.html#get-subscriptions",
        NEWEST: "reference/clients.html#get-subscriptions"}
    assert NEWEST not in data["operations"]["GET /status"]
    assert data["root"] == "../../" and data["current"] == OLDEST


def test_a_version_is_its_single_site_plus_the_selector(sample, tmp_path: Path) -> None:
    """The oldest version (no badge, no What-changed page) is, file for file, what a build
    of its spec alone gives, apart from the selector and its two scripts."""
    site, specs = sample
    single = tmp_path / "single"
    result = run("build", "-q", "--spec", str(specs[OLDEST]), "--site", str(single))
    assert result.returncode == 0, explain(result)
    version = site / OLDEST
    extra = {"assets/emqx-apidocs/versions-data.js", "assets/emqx-apidocs/version-select.js"}
    assert set(tree_hash(version)) == set(tree_hash(single)) - {".emqx-apidocs-site"} | extra
    # each script the theme lists comes on its own lines, after a blank one
    scripts = re.compile(r'\n[ ]*\n[ ]*<script defer src="[^"]*assets/emqx-apidocs/(versions-data|version-select)\.js"></script>')
    for rel in tree_hash(single):
        if rel == ".emqx-apidocs-site":
            continue
        ours, theirs = (version / rel).read_bytes(), (single / rel).read_bytes()
        if rel.endswith(".html"):
            text = scripts.sub("", re.sub(r'<details class="ead-version".*?</details>', "", ours.decode(), flags=re.S))
            if rel == "404.html":
                text = text.replace(f"/{OLDEST}/", "/")
            ours = text.encode()
        assert ours == theirs, rel


def test_the_teams_project_lists_its_versions(tmp_path: Path) -> None:
    """extra.emqx_apidocs.versions in a team's mkdocs.yml: the whole team site per version,
    the reference in its section, the selector on the team's own pages too."""
    specs = sample_versions(tmp_path)
    root = tmp_path / "acme"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# ACME home\n\nSee the [API](api/index.md).\n", encoding="utf-8")
    config = {"site_name": "ACME", "theme": {"name": "material", "features": ["navigation.instant", "content.code.copy"]},
              "nav": [{"Home": "index.md"}, {"EMQX API": "api/"}],
              "extra": {"emqx_apidocs": {"section": "api/", "versions": {
                  label: os.path.relpath(path, root) for label, path in specs.items()}}}}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = run("build", cwd=root)
    assert result.returncode == 0, explain(result)
    said = [line for line in result.stderr.splitlines() if "navigation.instant" in line]
    assert len(said) == 1 and "mkdocs.yml" in said[0], explain(result)  # said once, not once per version
    site = root / "site"
    assert "navigation.instant" not in (site / OLDEST / "index.html").read_text(encoding="utf-8")
    assert json.loads((site / "versions.json").read_text(encoding="utf-8"))[0]["version"] == NEWEST
    for label in specs:
        assert (site / label / "api" / "operations.json").is_file()
        home = (site / label / "index.html").read_text(encoding="utf-8")
        assert "ACME home" in home and 'data-ead-version="' + OLDEST in home
    assert (site / MIDDLE / "api" / "reference" / "what-changed.html").is_file()
    problems, _, across = check_links(site)
    assert problems == [] and across > 0, problems[:20]
    problems, _ = check_selector_data(site, "api/")
    assert problems == [], problems[:20]
    assert selector_data(site, MIDDLE, "api/")["root"] == "../../../"

    generate = run("generate", "-q", cwd=root)
    one_line_error(generate, "mkdocs.yml", "versions", "--spec")


@pytest.mark.parametrize("versions, says", [
    ({"a b": "x.json"}, "'a b'"),
    ({5.10: "x.json"}, "write it in quotes"),
    ({"5.8.1": None}, "no spec after the label"),
    ("5.8.1=x.json", "must map each version label"),
])
def test_a_bad_versions_setting_is_one_line(tmp_path: Path, versions: object, says: str) -> None:
    config = {"site_name": "x", "extra": {"emqx_apidocs": {"versions": versions}}}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    one_line_error(run("build", "-q", cwd=tmp_path), "mkdocs.yml", says)


def test_serve_builds_the_versions_and_serves_them(tmp_path: Path) -> None:
    """`serve --spec LABEL=PATH ...`: the site of several versions, the API prefix of the
    newest forwarded, and a missing page answered with its version's 404 page."""
    import urllib.error
    import urllib.request

    from servers import free_port, running

    specs = sample_versions(tmp_path)
    port = free_port()
    command = [*CLI, "serve", "-q", "--port", str(port), "--site", str(tmp_path / "site"),
               *(x for label, path in specs.items() for x in ("--spec", f"{label}={path}"))]
    with running(command, port, tmp_path / "serve.log", cwd=PROJECT_ROOT) as url:
        with urllib.request.urlopen(f"{url}/versions.json") as answer:
            assert json.loads(answer.read())[0]["version"] == NEWEST
        with urllib.request.urlopen(f"{url}/") as answer:
            assert f"url={NEWEST}/index.html" in answer.read().decode()
        with urllib.request.urlopen(f"{url}/{OLDEST}/reference/clients.html") as answer:
            assert 'id="get-clients"' in answer.read().decode()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{url}/{MIDDLE}/reference/nothing.html")
        page = missing.value.read().decode()
        assert missing.value.code == 404 and f'href="/{MIDDLE}/assets/' in page and 'href="/assets/' not in page
        with pytest.raises(urllib.error.HTTPError) as proxied:
            urllib.request.urlopen(f"{url}/api/v5/clients")
        assert json.loads(proxied.value.read())["code"] == "NO_UPSTREAM"


# --------------------------------------------------------------------------- real specs


@pytest.mark.shared
def test_ce_5_8_0_and_5_8_1_what_changed_is_what_diff_says(tmp_path: Path) -> None:
    """Two real versions: every change `diff` finds is on the What-changed page, each
    changed operation carries its badge, and every link between them resolves."""
    old, new = shared_spec("emqx-ce-5.8.0-en.json"), shared_spec("emqx-ce-5.8.1-en.json")
    site = tmp_path / "site"
    result = build(site, {"5.8.0": old, "5.8.1": new})
    assert result.returncode == 0 and result.stderr == "", explain(result)
    report = json.loads(run("diff", str(old), str(new), "--format", "json").stdout)
    page = (site / "5.8.1" / "reference" / "what-changed.html").read_text(encoding="utf-8")
    summary = report["summary"]
    assert (f"Compared with 5.8.0: {summary['breaking']} breaking, {summary['warning']} warnings, "
            f"{summary['info']} info.") in page
    listed = page.count('<li><span class="ead-level ')
    assert listed == len(report["changes"]), (listed, len(report["changes"]))
    operations = {(c["method"], c["path"]) for c in report["changes"] if c["method"]}
    badges = sum(p.read_text(encoding="utf-8").count('<div class="ead-vnotes">')
                 for p in (site / "5.8.1" / "reference").glob("*.html"))
    assert badges == len(operations)
    problems, _, across = check_links(site)
    pages = sum(1 for _ in site.glob("5.8.*/**/*.html"))
    assert problems == [] and across > pages, (problems[:20], across, pages)  # a selector link each, and more
    problems, targets = check_selector_data(site)
    assert problems == [] and targets > 1000, problems[:20]


def test_each_version_has_its_own_llms_files_twins_and_copy_scripts(sample) -> None:
    """Each version's folder has llms.txt (titled with that version) whose links are twins
    of that folder, llms-full.txt with each of that version's operations once, and a copy
    script beside each tag page."""
    site, specs = sample
    for label, spec in specs.items():
        folder = site / label
        llms = (folder / "llms.txt").read_text(encoding="utf-8")
        assert llms.startswith("# ") and llms.split("\n", 1)[0].endswith(f" {label}")
        links = re.findall(r"^- \[[^\]]+\]\(([^)]+)\)", llms, re.M)
        assert links and all((folder / link).is_file() for link in links), links
        full = (folder / "llms-full.txt").read_text(encoding="utf-8")
        headings = re.findall(r"^## `([A-Z]+) /api/v5([^`]*)`$", full, re.M)
        assert sorted(headings) == raw_operations(spec)
        for page in (folder / "reference").glob("*.html"):
            if page.stem not in ("spec-health", "what-changed"):
                assert page.with_suffix("").with_suffix(".copy.js").is_file(), page
