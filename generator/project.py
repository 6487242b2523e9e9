"""A docs project: the team's `mkdocs.yml` (or the bundled one) and what it asks of us.

The team's file is the configuration. What the generator reads from it sits under
`extra.emqx_apidocs` (MkDocs and Zensical pass `extra` through untouched); the rest is
the team's MkDocs settings, which `site_config` keeps, adding only what the reference
needs and saying in one line each where it has to contradict the team's file.

The file is read with its tags kept as they are (`!ENV`, `!relative`,
`!!python/name:...`): nothing in it is run here, and the engine that builds the site
reads the same tags from the staged copy.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from .problems import InputError
from .resources import BASE_CONFIG, DOCS
from .versions import VersionSource, check_label, ordered_sources

SETTINGS_KEY = "emqx_apidocs"
DEFAULT_SECTION = "api/"
SEARCH_SEPARATOR = r"[\s\-\.\/\{\}_]+"  # paths and snake_case names split into words
# Chinese: also the zero-width space Material's search puts between the words jieba finds,
# the ideographic space and Chinese punctuation (the zh search pipeline trims nothing)
SEARCH_SEPARATOR_ZH = r"[\s\u200b\u3000\-\.\/\{\}\[\]_,;:()<>=\"'、。，．？！；：（）“”‘’「」《》]+"
SEPARATORS = {"en": SEARCH_SEPARATOR, "zh": SEARCH_SEPARATOR_ZH}
ASSET_FOLDER = "assets/emqx-apidocs"  # inside the section
NEEDED_EXTENSIONS = ("attr_list", "tables", "toc")  # heading anchors, parameter tables, permalinks
KNOWN_SETTINGS = {"spec", "versions", "base_url", "section", "lang"}
VERSION_SCRIPTS = ("versions-data.js", "version-select.js")  # in the asset folder of a site of several versions


class Tagged:
    """A YAML value with a tag we do not interpret (`!ENV`, `!!python/name:`...)."""

    def __init__(self, tag: str, value: object) -> None:
        self.tag, self.value = tag, value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self) -> str:
        return f"Tagged({self.tag!r}, {self.value!r})"


class _Loader(yaml.SafeLoader):
    pass


def _keep_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node, *, prefix: str) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        value: object = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tagged(prefix + suffix, value)


_Loader.add_multi_constructor("!", lambda lo, suffix, node: _keep_tag(lo, suffix, node, prefix="!"))
_Loader.add_multi_constructor(
    "tag:yaml.org,2002:python/", lambda lo, suffix, node: _keep_tag(lo, suffix, node, prefix="tag:yaml.org,2002:python/")
)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Dumper.add_representer(Tagged, _represent_tagged)


def dump_config(config: dict) -> str:
    return yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def resolve_env(value: object) -> object:
    """The value an `!ENV` tag stands for, by MkDocs' rule: the first variable that is
    set, read as a plain YAML scalar; else the list's last item, the default."""
    if not (isinstance(value, Tagged) and value.tag == "!ENV"):
        return value
    names = value.value if isinstance(value.value, list) else [value.value]
    default = names[-1] if len(names) > 1 else None
    for name in names[:-1] if len(names) > 1 else names:
        if str(name) in os.environ:
            text = os.environ[str(name)]
            loader = _Loader("")
            node = yaml.ScalarNode(loader.resolve(yaml.ScalarNode, text, (True, False)), text)
            return loader.construct_object(node)
    return default


@dataclass(frozen=True)
class Project:
    """A docs project to build: where its file is and what it says."""

    config_file: Path  # absolute
    raw: dict  # the file as read, INHERIT merged in, tags kept
    docs_dir: Path  # absolute; the hand-written pages
    site_dir: Path  # absolute; where `build` puts the site
    section: str  # "" (the site root) or a folder such as "api/", inside docs_dir
    spec: str | None  # a path (absolute) or URL; None for the bundled sample
    versions: tuple[VersionSource, ...]  # extra.emqx_apidocs.versions, oldest first; () when absent
    base_url: str | None
    bundled: bool  # the project that ships with the tool
    lang: tuple[str, ...] = ()  # extra.emqx_apidocs.lang: the site's language(s); () to read it from the spec

    @property
    def root(self) -> Path:
        return self.config_file.parent

    @property
    def ours(self) -> bool:
        """Whether its settings are the bundled project's (bundled, or read from a checkout)."""
        return self.bundled or self.config_file.resolve() == BASE_CONFIG.resolve()


def find_config(explicit: Path | None) -> Path | None:
    """--config, else ./mkdocs.yml when present, else None (the bundled project)."""
    if explicit is not None:
        return explicit
    here = Path("mkdocs.yml")
    return here if here.is_file() else None


def load_project(config: Path | None) -> Project:
    """The project of `config` (a team's mkdocs.yml), or the bundled one when None."""
    bundled = config is None
    path = (BASE_CONFIG if bundled else config).absolute()
    raw = _read(path, set())
    settings = resolve_env(_mapping(raw.get("extra"), path, "extra").get(SETTINGS_KEY))
    settings = _mapping(settings, path, f"extra.{SETTINGS_KEY}")
    unknown = sorted(set(settings) - KNOWN_SETTINGS)
    if unknown:
        raise InputError(f"{path}: extra.{SETTINGS_KEY}.{unknown[0]}: unknown setting (known: {', '.join(sorted(KNOWN_SETTINGS))})")
    section = _section(settings.get("section", "" if bundled else DEFAULT_SECTION), path)
    spec = _source(_text(settings.get("spec"), path, "spec"), path)
    versions = _versions(resolve_env(settings.get("versions")), path)
    if spec and versions:
        raise InputError(f"{path}: extra.{SETTINGS_KEY}: give either spec (one version) or versions (several), not both")
    docs_dir = DOCS if bundled else path.parent / (_text(raw.get("docs_dir"), path, "docs_dir") or "docs")
    site_dir = path.parent / (_text(raw.get("site_dir"), path, "site_dir") or "site")
    return Project(
        config_file=path, raw=raw, docs_dir=docs_dir.absolute(), site_dir=(Path("site") if bundled else site_dir),
        section=section, spec=spec, versions=versions, base_url=_text(settings.get("base_url"), path, "base_url"),
        bundled=bundled, lang=_languages(resolve_env(settings.get("lang")), path),
    )


def _source(spec: str | None, path: Path) -> str | None:
    """A spec's place as the settings give it: a URL as it is, a file relative to mkdocs.yml."""
    if spec and not spec.startswith(("http://", "https://")) and "://" not in spec:
        return str(path.parent / spec)
    return spec


def _versions(value: object, path: Path) -> tuple[VersionSource, ...]:
    """`versions: {5.8.0: specs/a.json, 5.8.1: specs/b.json}`, oldest first."""
    where = f"{path}: extra.{SETTINGS_KEY}.versions"
    if value is None:
        return ()
    if not isinstance(value, dict) or not value:
        raise InputError(f"{where} must map each version label to its spec, such as 5.8.1: specs/emqx-5.8.1.json")
    sources = []
    for label, spec in value.items():
        if not isinstance(label, str):
            raise InputError(f"{where}: label {label!r} is read as a {type(label).__name__}; write it in quotes")
        text = _text(spec, path, f"extra.{SETTINGS_KEY}.versions.{label}")
        sources.append(VersionSource(check_label(label, where), _source(text, path) or ""))
    return ordered_sources(sources, where)


def _languages(value: object, path: Path) -> tuple[str, ...]:
    """extra.emqx_apidocs.lang: one language (`zh`), a list of them, or a mapping of each
    language to its own spec (`{en: specs/en.json, zh: specs/zh.json}`), as `--lang`
    takes them (`zh=SPEC`, the spec's file relative to mkdocs.yml); checked by language.py."""
    if value is None or value == "":
        return ()
    if isinstance(value, dict) and value:
        where = f"extra.{SETTINGS_KEY}.lang"
        specs = {str(code): _source(_text(spec, path, f"{where}.{code}"), path) for code, spec in value.items()}
        return tuple(f"{code}={spec}" if spec else code for code, spec in specs.items())
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise InputError(f"{path}: extra.{SETTINGS_KEY}.lang must be a language such as zh, a list of them, "
                         "or a mapping of each language to its spec")
    return tuple(items)


def _read(path: Path, seen: set[Path]) -> dict:
    if path in seen:
        raise InputError(f"{path}: INHERIT loops back to this file")
    seen.add(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: is not a file")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where else ""
        raise InputError(f"{path}: not valid YAML{line}: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected MkDocs settings (a mapping), found {type(data).__name__}")
    parent = data.pop("INHERIT", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError(f"{path}: INHERIT must be a file name")
    return _merge(_read((path.parent / parent).absolute(), seen), data)


def _merge(base: dict, over: dict) -> dict:
    """MkDocs' INHERIT rule: mappings merge key by key, everything else is replaced."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _mapping(value: object, path: Path, key: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{path}: {key} must be a mapping")
    return value


def _text(value: object, path: Path, key: str) -> str | None:
    value = resolve_env(value)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{path}: {key} must be a string, found {type(value).__name__}")
    return value


def _section(value: object, path: Path) -> str:
    """"" for the site root, else a relative folder ending in "/"."""
    text = _text(value, path, f"extra.{SETTINGS_KEY}.section") or ""
    text = text.strip().strip("/")
    if not text or text == ".":
        return ""
    parts = text.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts) or "\\" in text:
        raise InputError(f"{path}: extra.{SETTINGS_KEY}.section {text!r}: must be a plain folder inside docs_dir, such as api/")
    return text + "/"


# ---------------------------------------------------------------------------- the site's settings


@dataclass(frozen=True)
class Assets:
    """What the generated pages load, as paths inside docs_dir."""

    css: tuple[str, ...]
    scripts: tuple[str, ...]  # at the end of <body>, in this order
    head_script: str  # the deep-link script, as early as possible
    polyfills: tuple[str, ...]


def assets_for(section: str, versions: bool = False) -> Assets:
    """The reference's assets; with `versions`, those of one version of a site of several."""
    folder = f"{section}{ASSET_FOLDER}"
    extra = tuple(f"{folder}/{name}" for name in VERSION_SCRIPTS) if versions else ()
    return Assets(
        css=(f"{folder}/apidocs.css",),
        scripts=(f"{folder}/role-matrix.js", f"{folder}/code-tabs.js", f"{folder}/code-samples.js",
                 f"{folder}/explorer-data.js", f"{folder}/explorer.js", *extra),
        head_script=f"{folder}/deep-link.js",
        polyfills=(f"{folder}/iframe-worker-shim.js",),
    )


@dataclass(frozen=True)
class Language:
    """What the site's language asks of its settings."""

    code: str = "en"
    palette: dict[str, str] | None = None  # the bundled palette switch's names: {dark, light}
    jieba_dict: str | None = None  # a dictionary for the search's Chinese words (see segment.py)


def site_config(
    project: Project, *, docs: str, out: str, nav: list | None, site_name: str | None, engine: str = "mkdocs",
    versions: bool = False,
    language: Language = Language(),
) -> tuple[dict, list[str]]:
    """The engine's settings: the team's, plus what the reference needs; and one note per
    setting of theirs that had to change. `docs` and `out` are relative to where the
    settings file is written (Zensical wants both inside that folder)."""
    config = copy.deepcopy(project.raw)
    notes: list[str] = []
    name = project.config_file.name

    def changed(key: str, why: str) -> None:
        notes.append(f"{name}: {key} {why}")

    config = _absolute_relatives(config, project.root)
    config["docs_dir"] = docs
    config["site_dir"] = out
    if site_name is not None:
        config["site_name"] = site_name
    elif not config.get("site_name"):
        config["site_name"] = "EMQX REST API"
    if config.get("use_directory_urls", False) not in (False, "false"):
        changed("use_directory_urls: true is set to false", "(pages are linked by file name so that the site opens from file://)")
    config["use_directory_urls"] = False

    theme = config.get("theme") or {"name": "material"}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    if theme.get("name") != "material":
        raise InputError(f"{project.config_file}: theme.name {theme.get('name')!r}: the reference needs the material theme")
    if theme.get("font", True) is not False:
        if "font" in theme:
            changed("theme.font is set to false", "(web fonts come from another host; the site must work offline)")
        theme["font"] = False
    if engine == "zensical":
        theme.setdefault("variant", "classic")  # Material's look; Zensical's default is its "modern" one
    if language.code != "en":
        _theme_language(theme, project, language, changed)
    if isinstance(theme.get("custom_dir"), str):
        theme["custom_dir"] = str((project.root / theme["custom_dir"]).absolute())
    features = theme.get("features")
    if versions and isinstance(features, list) and any(str(f).startswith("navigation.instant") for f in features):
        changed("theme.features navigation.instant is removed",
                "(the version or language selector's links are written for each page; a page loaded in place would keep another's)")
        theme["features"] = [f for f in features if not str(f).startswith("navigation.instant")]
    config["theme"] = theme
    if isinstance(config.get("hooks"), list):
        config["hooks"] = [str((project.root / h).absolute()) if isinstance(h, str) else h for h in config["hooks"]]

    config["plugins"] = _plugins(config.get("plugins"), changed, language)
    config["markdown_extensions"] = _extensions(config.get("markdown_extensions"))

    assets = assets_for(project.section, versions)
    config["extra_css"] = _append(config.get("extra_css"), assets.css)
    config["extra_javascript"] = _append(config.get("extra_javascript"), assets.scripts)
    extra = dict(config.get("extra") or {})
    extra["polyfills"] = _append(extra.get("polyfills"), assets.polyfills)
    extra.setdefault("generator", False)
    config["extra"] = extra
    if nav is not None:
        config["nav"] = nav
    return config, notes


def _absolute_relatives(value: object, root: Path) -> object:
    """`!relative $config_dir/...` pinned to the team's folder: the staged copy lives elsewhere."""
    if isinstance(value, Tagged) and value.tag == "!relative" and isinstance(value.value, str):
        prefix, _, rest = value.value.partition("/")
        if prefix == "$config_dir":
            return str(root / rest) if rest else str(root)
    if isinstance(value, dict):
        return {k: _absolute_relatives(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_absolute_relatives(v, root) for v in value]
    return value


def _append(existing: object, ours: tuple[str, ...]) -> list:
    items = list(existing) if isinstance(existing, list) else []
    return items + [item for item in ours if item not in items]


def _entries(value: object, default: list) -> list:
    """A plugins or markdown_extensions setting as a list of entries (MkDocs takes a list,
    or a mapping of name to options); `default` when it is absent."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return [{k: v} for k, v in value.items()]
    return list(default)


def _theme_language(theme: dict, project: Project, language: Language, changed) -> None:  # noqa: ANN001
    """The theme speaks the reference's language (a variant of it the team chose stays,
    such as zh-Hant for zh); the bundled palette switch is named in it too."""
    chosen = str(theme.get("language") or "")
    if chosen.split("-")[0] != language.code:
        if chosen and not project.ours:
            changed(f"theme.language {chosen!r} is set to {language.code!r}",
                    f"(the reference is in {language.code}; --lang or extra.emqx_apidocs.lang chooses it)")
        theme["language"] = language.code
    if project.ours and language.palette and isinstance(theme.get("palette"), list):
        names = [language.palette["dark"], language.palette["light"]]
        theme["palette"] = [
            {**entry, "toggle": {**entry["toggle"], "name": names[i % 2]}} if isinstance(entry.get("toggle"), dict) else entry
            for i, entry in enumerate(theme["palette"])
        ]


def _plugins(value: object, changed, language: Language) -> list:  # noqa: ANN001
    """The team's plugins with search (our separator, the site's language) and offline
    ensured; order kept."""
    items = _entries(value, ["search"])
    names = [_entry_name(item) for item in items]
    separator = SEPARATORS.get(language.code, SEARCH_SEPARATOR)
    out = []
    for item, plugin in zip(items, names):
        if plugin in ("search", "material/search"):
            options = dict(item[plugin] or {}) if isinstance(item, dict) else {}
            if options.get("separator") not in (None, separator):
                changed("plugins.search.separator is replaced", "(paths such as /clients/{clientid} must be found by /clients)")
            options["separator"] = separator
            item = {plugin: _search_language(options, language)}
        out.append(item)
    if not {"search", "material/search"} & set(names):
        out.insert(0, {"search": _search_language({"separator": separator}, language)})
    if not {"offline", "material/offline"} & set(names):
        out.append("offline")
    return out


def _search_language(options: dict, language: Language) -> dict:
    """Search options that index and query the site's language: Material's search reads
    Chinese only with `lang: zh` (its default for a zh theme is English, whose pipeline
    trims Chinese words away), and segments it with jieba, with our dictionary when given."""
    if language.code != "en":
        langs = options.get("lang") or []
        langs = [langs] if isinstance(langs, str) else list(langs)
        options["lang"] = langs + [language.code] if language.code not in langs else langs
    if language.jieba_dict and not options.get("jieba_dict"):
        options["jieba_dict"] = language.jieba_dict
    return options


def _entry_name(item: object) -> str:
    if isinstance(item, dict) and len(item) == 1:
        return str(next(iter(item)))
    return str(item)


def _extensions(value: object) -> list:
    items = _entries(value, [])
    names = {_entry_name(item) for item in items}
    for needed in NEEDED_EXTENSIONS:
        if needed not in names and f"markdown.extensions.{needed}" not in names:
            items.append({"toc": {"permalink": True}} if needed == "toc" else needed)
    return items


def nav_with_reference(nav: object, section: str, reference: list, title: str) -> tuple[list | None, bool]:
    """The team's nav with the entry that names `section` replaced by the reference.

    An entry names the section when its value is the folder (`api/`, `api`) or its
    overview (`api/index.md`). Returns (nav, found); nav is None when the team has none.
    """
    if not isinstance(nav, list):
        return None, False
    targets = {section, section.rstrip("/"), f"{section}index.md"} if section else {"index.md", "./", "."}
    found = False

    def walk(items: list) -> list:
        nonlocal found
        out = []
        for item in items:
            if isinstance(item, dict) and len(item) == 1:
                (key, value), = item.items()
                if isinstance(value, str) and value in targets and not found:
                    found = True
                    out.append({key: reference})
                elif isinstance(value, list):
                    out.append({key: walk(value)})
                else:
                    out.append(item)
            elif isinstance(item, str) and item in targets and not found:
                found = True
                out.append({title: reference})
            else:
                out.append(item)
        return out

    result = walk(nav)
    return result, found



# ---------------------------------------------------------------------------- for `generate`


def needed_settings(project: Project, reference_nav: list, language: str = "en") -> str:
    """The settings the team's mkdocs.yml lacks for the generated section, as YAML to paste
    ("" when it has them all). Their own engine reads the file, so we can only tell."""
    raw, assets = project.raw, assets_for(project.section)
    parts: list[tuple[str, dict]] = []
    theme = raw.get("theme")
    theme_name = theme if isinstance(theme, str) else (theme or {}).get("name") if isinstance(theme, dict) else None
    if theme_name != "material":
        parts.append(("the reference is styled for Material for MkDocs", {"theme": {"name": "material"}}))
    if raw.get("use_directory_urls", True) is not False:
        parts.append(("the reference links its pages by file name", {"use_directory_urls": False}))
    names = {_entry_name(item) for item in _entries(raw.get("markdown_extensions"), [])}
    missing = [n for n in NEEDED_EXTENSIONS if n not in names]
    if missing:
        parts.append(("heading anchors, tables, permalinks (add to your list)", {"markdown_extensions": missing}))
    scripts = (assets.head_script, *assets.scripts)
    for key, wanted, why in (
        ("extra_css", assets.css, "the reference's styles"),
        ("extra_javascript", scripts, "Try it, the roles filter and deep links (in this order)"),
    ):
        have = raw.get(key) or []
        lacking = [item for item in wanted if item not in have]
        if lacking:
            parts.append((f"{why} (add to your list)", {key: lacking}))
    plugins = raw.get("plugins")
    plugin_items = _entries(plugins, [])
    search = next((item for item in plugin_items if _entry_name(item) in ("search", "material/search")), None)
    search_options = search.get(_entry_name(search)) if isinstance(search, dict) else None
    separator = SEPARATORS.get(language, SEARCH_SEPARATOR)
    langs = search_options.get("lang") if isinstance(search_options, dict) else None
    langs = [langs] if isinstance(langs, str) else list(langs or [])
    if language != "en" and language not in langs:
        why = f"search finds /clients in /clients/{{clientid}}, and {language} words (with jieba installed)"
        parts.append((why, {"plugins": [{"search": {"lang": [*langs, language], "separator": separator}}]}))
    elif not (isinstance(search_options, dict) and search_options.get("separator") == separator):
        parts.append(("search finds /clients in /clients/{clientid}", {"plugins": [{"search": {"separator": separator}}]}))
    if any(_entry_name(item) in ("offline", "material/offline") for item in plugin_items):
        polyfills = (raw.get("extra") or {}).get("polyfills") or []
        if not any(item in polyfills for item in assets.polyfills):
            parts.append(("offline search from file:// without a CDN script", {"extra": {"polyfills": list(assets.polyfills)}}))
    nav = raw.get("nav")
    if isinstance(nav, list) and not _mentions(nav, project.section):
        replaced, found = nav_with_reference(nav, project.section, reference_nav, "EMQX API")
        if found:
            why = f"your nav with the reference in place of its {project.section} entry (MkDocs does not read folders in a nav)"
            parts.append((why, {"nav": replaced}))
        else:
            parts.append(("the reference in your navigation (add to your nav)", {"nav": [{"EMQX API": reference_nav}]}))
    return "".join(f"# {why}\n{dump_config(value)}" for why, value in parts)


def _mentions(nav: object, section: str) -> bool:
    """Whether a nav lists any page of the section (a folder entry does not count: MkDocs
    does not read folders in a nav)."""
    if isinstance(nav, list):
        return any(_mentions(item, section) for item in nav)
    if isinstance(nav, dict):
        return any(_mentions(value, section) for value in nav.values())
    return isinstance(nav, str) and nav.startswith(section) and nav.endswith(".md")
