"""The site's language: read from the spec or asked for, the Chinese labels, knowledge and
settings, validate's kinds, and the jieba dictionary the build gives the search."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from fragments import spec as fragment
from support import PROJECT_ROOT, shared_spec

from generator.knowledge import load_knowledge
from generator.language import detect
from generator.project import SEARCH_SEPARATOR, SEARCH_SEPARATOR_ZH, Language, load_project, needed_settings, site_config

LABELS = PROJECT_ROOT / "templates" / "labels"
SAMPLE = PROJECT_ROOT / "generator" / "data" / "default-spec.yaml"
HAN = re.compile(r"[\u4e00-\u9fff]")


def cli(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def one_line(result: subprocess.CompletedProcess[str], *says: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert all(text in result.stderr for text in says), result.stderr


# --------------------------------------------------------------------------- which language


def test_the_language_is_read_from_the_operations_text():
    """Chinese summaries and descriptions make zh; English ones, or none, make en."""
    chinese = fragment("""
    paths:
      /clients: {get: {summary: 获取客户端列表, description: 按条件分页查询在线的 MQTT 客户端, responses: {'200': {description: 成功}}}}
    """)
    english = fragment("""
    paths:
      /clients: {get: {summary: List clients, description: 按条件 is not enough here, responses: {'200': {description: ok}}}}
    """)
    assert detect(chinese) == "zh"
    assert detect(english) == "en"
    assert detect(fragment("paths: {/x: {get: {responses: {'200': {description: 成功}}}}}")) == "en"
    assert detect({"openapi": "3.0.0"}) == "en" and detect([]) == "en"
    assert detect(yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))) == "en"


@pytest.mark.shared
@pytest.mark.parametrize("name, language", [
    ("emqx-ce-5.8.1-zh.json", "zh"), ("emqx-ce-5.8.1-en.json", "en"), ("emqx-ee-5.8.1-en.json", "en"),
    ("emqx-ce-5.0.24-en.json", "en"),
])
def test_the_language_of_each_real_spec(name: str, language: str):
    """Read from the text, not the file name: the zh spec is Chinese, the others English."""
    assert detect(json.loads(shared_spec(name).read_text(encoding="utf-8"))) == language


def test_two_languages_are_refused_in_one_line(tmp_path: Path):
    """`--lang en --lang zh` (and the same list in the settings) is one line and exit 2, for
    now; an unknown language too. The same language twice is one language."""
    one_line(cli("build", "--lang", "en", "--lang", "zh", "--site", str(tmp_path / "s")), "--lang", "not supported yet")
    one_line(cli("validate", "--lang", "zh", "--lang", "en"), "zh and en", "not supported yet")
    one_line(cli("build", "--lang", "fr", "--site", str(tmp_path / "s")), "'fr'", "en, zh")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nextra: {emqx_apidocs: {lang: [en, zh]}}\n", encoding="utf-8")
    one_line(cli("build", "--config", str(config)), "extra.emqx_apidocs.lang", "not supported yet")
    config.write_text("site_name: x\nextra: {emqx_apidocs: {lang: {zh: 1}}}\n", encoding="utf-8")
    one_line(cli("build", "--config", str(config)), "extra.emqx_apidocs.lang")
    assert not (tmp_path / "s").exists()
    assert cli("validate", "--lang", "zh", "--lang", "zh").returncode == 0


def test_help_names_lang():
    for command in ("build", "generate", "serve", "validate"):
        result = cli(command, "--help")
        assert result.returncode == 0 and "--lang en|zh" in result.stdout, (command, result.stdout)


# --------------------------------------------------------------------------- the words


def _keys(value: object, path: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            out.update(_keys(item, f"{path}.{key}"))
        return out
    return {path: value}


def test_zh_labels_have_every_english_key_and_its_places():
    """labels/zh.yaml has exactly en.yaml's keys (problem kinds aside: English shows them as
    they are), the same `{name}` places in each text, and two forms of each counted word."""
    en = yaml.safe_load((LABELS / "en.yaml").read_text(encoding="utf-8"))
    zh = yaml.safe_load((LABELS / "zh.yaml").read_text(encoding="utf-8"))
    en_keys = {k: v for k, v in _keys(en).items() if not k.startswith(".problem_kinds")}
    zh_keys = {k: v for k, v in _keys(zh).items() if not k.startswith(".problem_kinds")}
    assert sorted(en_keys) == sorted(zh_keys)
    for key, text in en_keys.items():
        places = sorted(re.findall(r"\{\w*\}", str(text)))
        if isinstance(text, list):
            assert isinstance(zh_keys[key], list) and len(zh_keys[key]) == len(text) == 2, key
            places = sorted(re.findall(r"\{\w*\}", text[0]))
            assert all(sorted(re.findall(r"\{\w*\}", form)) == places for form in zh_keys[key]), key
        else:
            assert sorted(re.findall(r"\{\w*\}", str(zh_keys[key]))) == places, key


def test_every_kind_of_problem_has_a_chinese_name():
    """Each kind the validator and the model can report (the constants, and every literal
    kind a Problem is made with) is in zh.yaml's problem_kinds."""
    from generator.validate import DEFAULT_KIND, KIND_BY_KEYWORD, STOPPED_KIND, VALUE_KIND

    kinds = {*KIND_BY_KEYWORD.values(), DEFAULT_KIND, STOPPED_KIND, VALUE_KIND}
    for source in (PROJECT_ROOT / "generator").glob("*.py"):
        kinds |= set(re.findall(r'Problem\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*"([^"]+)"', source.read_text(encoding="utf-8")))
    assert {"Structure", "Unresolved references", "Schemas no value can satisfy"} <= kinds
    zh = yaml.safe_load((LABELS / "zh.yaml").read_text(encoding="utf-8"))["problem_kinds"]
    assert sorted(kinds - set(zh)) == []
    assert all(HAN.search(name) for name in zh.values())


def test_knowledge_in_chinese_has_the_same_rules():
    """Every role, pagination kind, status and error code of emqx.yaml has Chinese words;
    the rules (who may call what, which pagination) are the English file's."""
    en, zh = load_knowledge(), load_knowledge(language="zh")
    assert zh.language == "zh" and en.tag_titles == {}
    assert set(zh.error_codes) == set(en.error_codes) and all(HAN.search(t) for t in zh.error_codes.values())
    assert set(zh.status_codes) == set(en.status_codes) and all(HAN.search(t) for t in zh.status_codes.values())
    for en_role, zh_role in zip(en.roles, zh.roles):
        assert (en_role.id, en_role.rules, en_role.default) == (zh_role.id, zh_role.rules, zh_role.default)
        assert HAN.search(zh_role.title) and HAN.search(zh_role.summary)
    for en_kind, zh_kind in zip(en.pagination, zh.pagination):
        assert (en_kind.kind, en_kind.query_all, en_kind.request, en_kind.meta) == \
            (zh_kind.kind, zh_kind.query_all, zh_kind.request, zh_kind.meta)
        assert HAN.search(zh_kind.title) and HAN.search(zh_kind.summary)
    assert zh.tag_titles["Clients"] == "客户端" and HAN.search(zh.dashboard_menu)
    for method, path in (("GET", "/clients"), ("POST", "/publish"), ("DELETE", "/clients/x")):
        assert en.roles_for(method, path, ("basic",)) == zh.roles_for(method, path, ("basic",))


def test_an_edited_knowledge_file_takes_its_chinese_from_beside_it(tmp_path: Path):
    """--knowledge FILE reads FILE's stem.zh.yaml when there is one, else the bundled words;
    what neither says stays English."""
    bundled = PROJECT_ROOT / "generator" / "knowledge" / "emqx.yaml"
    mine = tmp_path / "mine.yaml"
    mine.write_text(bundled.read_text(encoding="utf-8").replace(
        "  CLIENT_NOT_RESPONSE:", "  OUR_OWN_CODE: Ours.\n  CLIENT_NOT_RESPONSE:"), encoding="utf-8")
    knowledge = load_knowledge(mine, "zh")
    assert knowledge.error_codes["OUR_OWN_CODE"] == "Ours." and HAN.search(knowledge.error_codes["BAD_RPC"])
    (tmp_path / "mine.zh.yaml").write_text("error_codes: {OUR_OWN_CODE: 我们自己的。}\ntags: {Clients: 终端}\n",
                                           encoding="utf-8")
    load_knowledge.cache_clear()  # read once per process: this test changes the files
    knowledge = load_knowledge(mine, "zh")
    assert knowledge.error_codes["OUR_OWN_CODE"] == "我们自己的。" and knowledge.tag_titles == {"Clients": "终端"}
    assert knowledge.error_codes["BAD_RPC"] == load_knowledge().error_codes["BAD_RPC"]


@pytest.mark.shared
def test_every_tag_of_the_real_specs_has_a_chinese_title():
    titles = load_knowledge(language="zh").tag_titles
    for spec in sorted(shared_spec("emqx-ce-5.8.1-zh.json").parent.glob("*.json")):
        document = json.loads(spec.read_text(encoding="utf-8"))
        tags = {t for item in document["paths"].values() for op in item.values() if isinstance(op, dict)
                for t in op.get("tags", [])}
        assert sorted(tags - set(titles)) == [], spec.name


@pytest.mark.shared
def test_validate_names_the_kinds_in_the_specs_language():
    """The zh spec's text output names its kinds in Chinese (read from the spec, or asked
    for on an English one); --format json keeps the English names."""
    zh_spec, en_spec = shared_spec("emqx-ce-5.8.1-zh.json"), shared_spec("emqx-ce-5.8.1-en.json")
    for args in (("--spec", str(zh_spec)), ("--spec", str(en_spec), "--lang", "zh")):
        result = cli("validate", *args)
        assert result.returncode == 1, result.stderr
        headers = [line for line in result.stdout.splitlines()[:-1] if not line.startswith("  ")]
        assert headers and all(HAN.search(h) and re.search(r" \(\d+\)$", h) for h in headers), headers
    english = cli("validate", "--spec", str(zh_spec), "--lang", "en")
    headers = [line for line in english.stdout.splitlines()[:-1] if not line.startswith("  ")]
    assert headers and not any(HAN.search(h) for h in headers), headers
    report = json.loads(cli("validate", "--spec", str(zh_spec), "--format", "json").stdout)
    assert {p["kind"] for p in report["problems"]} == {h.rsplit(" (", 1)[0] for h in headers}


# --------------------------------------------------------------------------- settings


def test_a_zh_reference_sets_the_theme_and_search_language_and_says_so():
    """A team's `theme.language: en` becomes zh with one line saying why; search gets
    lang zh and the Chinese separator; the team's own search languages are kept."""
    project = load_project(None)
    team = replace(project, bundled=False, config_file=Path("/t/mkdocs.yml"), raw={
        "theme": {"name": "material", "language": "en"}, "plugins": [{"search": {"lang": ["en"]}}]})
    config, notes = site_config(team, docs="d", out="s", nav=None, site_name=None,
                                language=Language("zh", None, "/t/dict.txt"))
    assert config["theme"]["language"] == "zh"
    assert [n for n in notes if "theme.language" in n] == ["mkdocs.yml: theme.language 'en' is set to 'zh' "
                                                           "(the reference is in zh; --lang or extra.emqx_apidocs.lang chooses it)"]
    search = config["plugins"][0]["search"]
    assert search == {"lang": ["en", "zh"], "separator": SEARCH_SEPARATOR_ZH, "jieba_dict": "/t/dict.txt"}
    assert re.split(SEARCH_SEPARATOR_ZH, "客户端\u200b列表，/clients/{clientid}") == ["客户端", "列表", "clients", "clientid", ""]
    variant = replace(team, raw={"theme": {"name": "material", "language": "zh-Hant"}})
    config, notes = site_config(variant, docs="d", out="s", nav=None, site_name=None, language=Language("zh"))
    assert config["theme"]["language"] == "zh-Hant" and notes == []
    english, notes = site_config(project, docs="d", out="s", nav=None, site_name="x")
    assert english["theme"]["language"] == "en" and english["plugins"][0] == {"search": {"separator": SEARCH_SEPARATOR}}
    assert english["theme"]["palette"][0]["toggle"]["name"] == "Dark mode"
    needed = needed_settings(team, [], "zh")
    assert "lang:\n    - en\n    - zh" in needed and "\\u200b" in needed


# --------------------------------------------------------------------------- search words


@pytest.mark.shared
def test_the_search_dictionary_cuts_the_site_as_jieba_does(tmp_path: Path):
    """jieba with the build's small dictionary cuts every Chinese run of the CE zh pages
    exactly as with its full dictionary."""
    jieba = pytest.importorskip("jieba")
    from generator.pipeline import Options, checked_model, load, render
    from generator.segment import search_dictionary

    options = Options(spec=str(shared_spec("emqx-ce-5.8.1-zh.json")))
    rendered = render(options, checked_model(options, load(options), "zh"), "zh")
    docs = tmp_path / "docs"
    for name, text in rendered.pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    dictionary = search_dictionary(docs, tmp_path / "dict.txt")
    full_size = (Path(jieba.__file__).parent / "dict.txt").stat().st_size
    assert dictionary is not None and dictionary.stat().st_size < full_size / 50
    small, full = jieba.Tokenizer(str(dictionary)), jieba.Tokenizer()
    small.tmp_dir = full.tmp_dir = str(tmp_path)
    runs = {run for page in docs.rglob("*.md") for run in re.findall(r"[\u3400-\u9fff]+", page.read_text(encoding="utf-8"))}
    assert len(runs) > 500
    differ = [run for run in sorted(runs) if list(small.cut(run)) != list(full.cut(run))]
    assert differ == []
    assert search_dictionary(tmp_path / "nothing", tmp_path / "none.txt") is None
    latin = tmp_path / "latin"
    latin.mkdir()
    (latin / "page.md").write_text("Pages \u2014 with dashes, \u2264 and \u00e9, but no Han character\n", encoding="utf-8")
    assert search_dictionary(latin, tmp_path / "latin.txt") is None  # no jieba work for an English site
    assert not (tmp_path / "latin.txt").exists()


def test_a_chinese_build_is_quiet_and_leaves_no_jieba_cache(tmp_path: Path):
    """jieba's progress lines never reach the console, and its cache of our dictionary goes
    away with the staging folder."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin", "TMPDIR": str(temp)}
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--lang", "zh", "--site", str(tmp_path / "site")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert not re.search(r"prefix dict|Loading model|Dumping model", result.stderr), result.stderr
    assert [p.name for p in temp.iterdir() if "jieba" in p.name] == []
    index = json.loads((tmp_path / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["zh"] and "\u200b" in "".join(d["text"] for d in index["docs"])
    assert "<html lang=\"zh\"" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_a_team_project_asks_for_chinese_in_its_settings(tmp_path: Path):
    """`extra.emqx_apidocs.lang: zh` in a project `init` wrote (its commented line) builds
    the reference in Chinese inside the team's site; the team's own page stays as written."""
    assert cli("init", "team", cwd=tmp_path).returncode == 0
    config = tmp_path / "team" / "mkdocs.yml"
    assert "    # lang: zh\n" in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace("    # lang: zh\n", "    lang: zh\n"), encoding="utf-8")
    result = cli("build", "-q", cwd=tmp_path / "team")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "team" / "site"
    errors = (site / "api" / "guides" / "errors.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in errors and '<h1 id="error-codes">错误码' in errors
    assert "Our platform docs" in (site / "index.html").read_text(encoding="utf-8")
