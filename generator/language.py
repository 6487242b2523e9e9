"""The language of the site: asked for (`--lang`, `extra.emqx_apidocs.lang`), or read
from the spec's own text.

A site is in one language, or in several: `--lang en --lang zh` builds `SITE/en/` and
`SITE/zh/` with a language switch on every page (see languagesite.py). Each language
may name its own spec (`--lang zh=emqx-zh.json`): EMQX writes its spec in both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .problems import InputError

LANGUAGES = ("en", "zh")
NAMES = {"en": "English", "zh": "中文"}  # each language in its own words, for the language switch
DEFAULT = "en"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
# A Chinese character carries about as much as an English word of five letters, so a
# spec whose descriptions are a fifth Chinese characters (by count against Latin
# letters) reads as Chinese: EMQX's zh spec is at 0.41, the English ones at 0.
CHINESE_SHARE = 0.2
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def detect(document: object) -> str:
    """"zh" when the spec's summaries and descriptions are written in Chinese, else "en"."""
    han = latin = 0
    for text in _prose(document):
        han += len(HAN.findall(text))
        latin += len(LATIN.findall(text))
    return "zh" if han and han / (han + latin) >= CHINESE_SHARE else DEFAULT


def _prose(document: object) -> Iterator[str]:
    """The spec's own sentences: the API's, the tags' and the operations' summaries and
    descriptions (names, paths and schemas say nothing of the language)."""
    if not isinstance(document, dict):
        return
    info = document.get("info")
    if isinstance(info, dict):
        yield from _texts(info, ("description",))
    for tag in document.get("tags") or ():
        if isinstance(tag, dict):
            yield from _texts(tag, ("description",))
    paths = document.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        for method in METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict):
                yield from _texts(operation, ("summary", "description"))


def _texts(node: dict, keys: tuple[str, ...]) -> Iterator[str]:
    for key in keys:
        if isinstance(node.get(key), str):
            yield node[key]


@dataclass(frozen=True)
class LanguageSource:
    """One language of the site, and its own spec (None: the site's spec)."""

    code: str
    spec: str | None = None


def parse(values: Iterable[str] | None, where: str) -> tuple[LanguageSource, ...]:
    """The languages `values` ask for, in their order: each `LANG` or `LANG=SPEC`. A
    language we have no words for is refused, as is one language given two specs."""
    found: dict[str, LanguageSource] = {}
    for value in values or ():
        code, _, spec = str(value).partition("=")
        code = code.strip()
        if code not in LANGUAGES:
            raise InputError(f"{where}: {code!r} is not a language of the site (known: {', '.join(LANGUAGES)})")
        if "=" in str(value) and not spec.strip():
            raise InputError(f"{where}: {value!r}: no spec after '='; write {code}=PATH_OR_URL, or {code} alone")
        source = LanguageSource(code, spec.strip() or None)
        if code in found and found[code] != source:
            raise InputError(f"{where}: {code} is given twice, with different specs")
        found[code] = source
    return tuple(found.values())


def requested(values: Iterable[str] | None, where: str) -> str | None:
    """The one language `values` ask for (None when they ask for none), for what makes
    one language only (generate, validate, a site of several versions)."""
    asked = parse(values, where)
    if len(asked) > 1:
        raise InputError(
            f"{where}: {' and '.join(a.code for a in asked)} asked for, but this makes one language at a time; "
            "build --lang en --lang zh makes a site in both"
        )
    if asked and asked[0].spec:
        raise InputError(f"{where}: {asked[0].code}={asked[0].spec}: a spec per language is for a site in several "
                         f"languages; give the spec with --spec")
    return asked[0].code if asked else None
