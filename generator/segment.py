"""Chinese words for the search index: a small jieba dictionary made for each build.

Material's search plugin cuts every run of Chinese characters it indexes into words
with jieba (when jieba is installed) and puts a zero-width space between them. Loading
jieba's dictionary of 350,000 words takes longer than cutting a whole site, so the
build hands the plugin (its `jieba_dict` option) a dictionary of only the words that
occur in the site's pages, with their frequencies and jieba's total unchanged: jieba
then cuts this text exactly as with its full dictionary (every word it could choose
is there, at the same odds), in a fraction of the time.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

CJK_RUN = re.compile(r"[^\x00-\x7f]+")  # wider than Chinese: a surplus word never matches
# the Han script, which is all Material's search hands to jieba: pages with none of it
# (an English site's dashes and arrows) need no dictionary and no jieba at all
HAN = re.compile(
    "[\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f]"
)
FREQUENCY = re.compile(rb" (\d+)")
FILLER = "\ue000"  # a private-use character no text contains: carries the rest of the total


def jieba_module():  # noqa: ANN201
    """jieba, when it is installed (Material's search uses it whenever it is)."""
    try:
        import jieba
    except ImportError:
        return None
    return jieba


def search_dictionary(docs: Path, out: Path) -> Path | None:
    """A jieba dictionary for the Chinese text of the Markdown pages under `docs`, written
    to `out`; None when the pages have no such text or jieba is not installed."""
    runs: set[str] = set()
    for page in docs.rglob("*.md"):
        runs.update(CJK_RUN.findall(page.read_text(encoding="utf-8", errors="replace")))
    jieba = jieba_module() if any(HAN.search(run) for run in runs) else None
    if jieba is None:
        return None
    raw = Path(jieba.__file__).with_name("dict.txt").read_bytes()  # lines: word frequency tag
    lines = raw.split(b"\n")
    total = sum(map(int, FREQUENCY.findall(raw)))
    longest = max(map(len, lines))  # in bytes: at least the longest word's length in characters
    fragments = {fragment.encode("utf-8") for fragment in _fragments(runs, longest)}
    kept = [line for line in lines if line[: line.find(b" ")] in fragments]
    rest = total - sum(int(FREQUENCY.search(line).group(1)) for line in kept)
    out.write_bytes(b"\n".join([*kept, f"{FILLER} {rest} x".encode("utf-8")]) + b"\n")
    return out


def _fragments(runs: set[str], longest: int) -> set[str]:
    """Every piece of the runs, up to `longest` characters: the words jieba may look up."""
    found: set[str] = set()
    for run in runs:
        for start in range(len(run)):
            for end in range(start + 1, min(len(run), start + longest) + 1):
                found.add(run[start:end])
    return found


@contextlib.contextmanager
def quiet_jieba(cache_dir: Path) -> Iterator[None]:
    """jieba, for the length of a build, silent (it prints its progress to stderr) and
    keeping the cache of our dictionary in `cache_dir` (a staging folder, removed after)
    instead of leaving one per build in the temporary folder."""
    jieba = jieba_module()
    if jieba is None:
        yield
        return
    logger = logging.getLogger("jieba")
    level, tmp_dir = logger.level, jieba.dt.tmp_dir
    logger.setLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(cache_dir)
    try:
        yield
    finally:
        logger.setLevel(level)
        jieba.dt.tmp_dir = tmp_dir
