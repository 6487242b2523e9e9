"""The language of the site: asked for (`--lang`, `extra.emqx_apidocs.lang`), or read
from the spec's own text.

A site is built in one language. `--lang` is a list on the command line and in the
settings, so that a site in several languages can come later; until then two
different languages are refused with one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .problems import InputError

LANGUAGES = ("en", "zh")
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


def requested(values: Iterable[str] | None, where: str) -> str | None:
    """The one language `values` ask for (None when they ask for none); several
    different ones are refused, as is a language we have no words for."""
    asked = list(dict.fromkeys(values or ()))
    for value in asked:
        if value not in LANGUAGES:
            raise InputError(f"{where}: {value!r} is not a language of the site (known: {', '.join(LANGUAGES)})")
    if len(asked) > 1:
        raise InputError(
            f"{where}: {' and '.join(asked)} asked for, but a site in several languages is not "
            "supported yet; build one site per language, each into its own --site"
        )
    return asked[0] if asked else None
