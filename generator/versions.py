"""Several versions of the API in one site: their labels, their order, and what changed
from each version to the next, with every link between two versions computed here.

A version is a label the user gives (`5.8.1`) and a spec. Labels become folder names
and parts of links, so they are checked once, here: one plain word of letters, digits
and `._+-`. Versions are ordered by a version-aware key (5.8.10 after 5.8.9, 5.8.1-rc.1
before 5.8.1); the last is the newest, and each is compared with the one before it.

Links between versions are relative paths between files of the whole site, whose root
holds one folder per version: `5.8.0/reference/clients.html#get-clients` seen from
`5.8.1/reference/clients.html` is `../../5.8.0/reference/clients.html#get-clients`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from .builder import reading_order
from .changes import Change, counts
from .diff import Comparison, compare
from .model import CHANGES_SLUG, Api, Operation
from .problems import InputError

LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
LATEST = "latest"  # the alias of the newest version in versions.json
# names a version folder may not take: what the site's root holds besides the folders
RESERVED = {LATEST, "index.html", "versions.json", "404.html"}
CHANGES_PAGE = f"reference/{CHANGES_SLUG}.md"
CHANGES_URL = f"reference/{CHANGES_SLUG}.html"
NUMBERED = re.compile(r"v?(\d+(?:\.\d+)*)(.*)", re.S)


@dataclass(frozen=True)
class VersionSource:
    label: str
    source: str  # a file or an http(s) URL


def check_label(label: str, where: str) -> str:
    """`label` when it can name a folder and a link; else an InputError naming `where`."""
    if not LABEL.fullmatch(label) or ".." in label:
        shown = " ".join(label.split()) if label.isprintable() else repr(label)
        raise InputError(
            f"{where}: version label {shown!r} is not usable: one word of letters, digits and . _ + - "
            "(no /, no .., no spaces), such as 5.8.1"
        )
    if label.lower() in RESERVED:
        raise InputError(f"{where}: version label {label!r} is reserved (the site's root uses that name)")
    return label


def version_key(label: str) -> tuple:
    """The order of versions: numbered labels by their numbers, a pre-release (`-rc.1`)
    before its release; labels without a number before all numbered ones, by name."""
    numbered = NUMBERED.fullmatch(label)
    if not numbered:
        return (0, _natural(label))
    numbers = tuple(int(part) for part in numbered.group(1).split("."))
    suffix = numbered.group(2)
    return (1, numbers, 0 if suffix else 1, _natural(suffix))


def _natural(text: str) -> tuple:
    """Digits compare as numbers: `rc.10` after `rc.9`."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.findall(r"\d+|\D+", text))


def split_spec_argument(value: str) -> tuple[str | None, str]:
    """`--spec LABEL=PATH_OR_URL` as (label, source); (None, value) for a plain path or URL.

    A URL, or a file that exists under the whole name, is never split at its `=`."""
    if value.startswith(("http://", "https://")) or "=" not in value or Path(value).exists():
        return None, value
    label, source = value.split("=", 1)
    return label, source


def sources_from_arguments(values: list[str] | None) -> tuple[str | None, tuple[VersionSource, ...]]:
    """The repeated `--spec` option: (one spec, ()) for today's single-version site, or
    (None, the versions oldest first) when the specs carry labels."""
    if not values:
        return None, ()
    split = [split_spec_argument(value) for value in values]
    labelled = [(label, source) for label, source in split if label is not None]
    if not labelled:
        if len(values) > 1:
            raise InputError(f"--spec {values[1]}: several specs need a label each: --spec 5.8.0=PATH --spec 5.8.1=PATH")
        return values[0], ()
    if len(labelled) < len(values):
        plain = next(value for value, (label, _) in zip(values, split) if label is None)
        raise InputError(f"--spec {plain}: give every spec a label (LABEL=PATH_OR_URL) when there are several versions")
    return None, ordered_sources(
        [VersionSource(check_label(label, f"--spec {label}={source}"), source) for label, source in labelled], "--spec"
    )


def ordered_sources(sources: list[VersionSource], where: str) -> tuple[VersionSource, ...]:
    """`sources` oldest first; a label given twice (ignoring case) is an InputError."""
    seen: dict[str, str] = {}
    for item in sources:
        if not item.source:
            raise InputError(f"{where} {item.label}=: no spec after the label")
        if item.label.lower() in seen:
            raise InputError(f"{where} {item.label}: version {seen[item.label.lower()]!r} is given twice")
        seen[item.label.lower()] = item.label
    return tuple(sorted(sources, key=lambda item: version_key(item.label)))


# ------------------------------------------------------------------------- the history


@dataclass(frozen=True)
class Badge:
    """What an operation's page says about it beside the previous or the next version."""

    kind: str  # new, changed, removed
    version: str  # where it happened: this version (new, changed) or the next (removed)
    changes: tuple[Change, ...]  # the operation's changes, in the report's order (changed)
    breaking: int
    link: str  # its entry on the What-changed page of `version`, relative to the operation's page
    previous: str | None = None  # the version compared with (changed)
    previous_link: str | None = None  # the operation in that version, relative to the operation's page


@dataclass(frozen=True)
class Entry:
    """One operation's changes on a What-changed page."""

    id: str  # the element's id on the page
    method: str
    path: str
    changes: tuple[Change, ...]
    link: str | None  # the operation in this version, relative to the page; None when removed
    previous_link: str | None  # in the previous version; None when new


@dataclass(frozen=True)
class ChangesPage:
    version: str
    previous: str
    summary: dict[str, int]
    breaking: tuple[Entry, ...]  # every breaking change, by operation
    by_tag: tuple[tuple[str, tuple[Entry, ...]], ...]  # the warnings and info, by tag then operation
    whole_api: tuple[Change, ...]  # changes of no one operation (an error code anywhere)


@dataclass(frozen=True)
class VersionPages:
    """What one version's pages add to a single-version build of its spec."""

    label: str
    badges: dict[tuple[str, str], tuple[Badge, ...]]  # by (method, path)
    changes: ChangesPage | None  # None for the oldest version


@dataclass(frozen=True)
class Version:
    label: str
    api: Api
    comparison: Comparison | None  # from the version before; None for the oldest


def history(labelled: list[tuple[str, Api, str]]) -> tuple[Version, ...]:
    """Each version (oldest first, as (label, api, digest of the spec)) with its
    comparison to the one before. Two versions from the same spec have no changes."""
    versions: list[Version] = []
    for index, (label, api, digest) in enumerate(labelled):
        comparison = None
        if index:
            _, before, before_digest = labelled[index - 1]
            comparison = Comparison(before, api, ()) if before_digest == digest else compare(before, api)
        versions.append(Version(label, api, comparison))
    return tuple(versions)


def version_pages(versions: tuple[Version, ...], index: int, section: str) -> VersionPages:
    """The badges and the What-changed page of `versions[index]`, links included."""
    version = versions[index]
    here = _Here(version.label, section)
    badges: dict[tuple[str, str], list[Badge]] = {}
    page = None
    if version.comparison is not None:
        previous = versions[index - 1]
        page = _changes_page(version, previous, here)
        first_entry = {(e.method, e.path): e.id for e in page.breaking}
        for _, entries in page.by_tag:
            for e in entries:
                first_entry.setdefault((e.method, e.path), e.id)
        old_ops = _by_key(previous.api)
        by_operation: dict[tuple[str, str], list[Change]] = {}
        for change in version.comparison.changes:
            by_operation.setdefault((change.method, change.path), []).append(change)
        for op in version.api.operations:
            key = (op.method, op.path)
            mine = tuple(by_operation.get(key, ()))
            if not mine:
                continue
            from_page = here.page(op.page)
            link = here.link(from_page, version.label, f"{CHANGES_URL}#{first_entry[key]}")
            if any(c.id == "operation-added" for c in mine):
                badges.setdefault(key, []).append(Badge("new", version.label, mine, 0, link))
            else:
                old = old_ops[key]
                badges.setdefault(key, []).append(Badge(
                    "changed", version.label, mine, counts(mine)["breaking"], link, previous.label,
                    here.link(from_page, previous.label, old.url),
                ))
    if index + 1 < len(versions):
        following, ops = versions[index + 1], _by_key(version.api)
        for change in following.comparison.changes if following.comparison else ():
            if change.id != "operation-removed":
                continue
            key = (change.method, change.path)
            op = ops[key]
            link = here.link(here.page(op.page), following.label, f"{CHANGES_URL}#{_entry_id('b', None, op)}")
            badges.setdefault(key, []).append(Badge("removed", following.label, (change,), 1, link))
    return VersionPages(version.label, {key: tuple(items) for key, items in badges.items()}, page)


def _changes_page(version: Version, previous: Version, here: _Here) -> ChangesPage:
    comparison = version.comparison
    assert comparison is not None
    new_ops, old_ops = _by_key(version.api), _by_key(previous.api)
    from_page = here.page(CHANGES_PAGE)

    def entry(prefix: str, key: tuple[str, str], changes: tuple[Change, ...]) -> Entry:
        new, old = new_ops.get(key), old_ops.get(key)
        return Entry(
            id=_entry_id(prefix, new, old),
            method=key[0], path=key[1], changes=changes,
            link=here.link(from_page, version.label, new.url) if new else None,
            previous_link=here.link(from_page, previous.label, old.url) if old else None,
        )

    operations = [c for c in comparison.changes if c.method]
    keys = list(dict.fromkeys((c.method, c.path) for c in operations))
    breaking = tuple(
        entry("b", key, mine)
        for key in keys
        if (mine := tuple(c for c in operations if (c.method, c.path) == key and c.level == "breaking"))
    )
    tags = [tag.name for tag in version.api.tags] + [tag.name for tag in previous.api.tags]
    grouped: dict[str, list[Entry]] = {name: [] for name in dict.fromkeys(tags)}
    for key in sorted(keys, key=lambda k: reading_order(new_ops.get(k) or old_ops[k])):
        rest = tuple(c for c in operations if (c.method, c.path) == key and c.level != "breaking")
        if rest:
            op = new_ops.get(key) or old_ops[key]
            grouped[op.tag].append(entry("c", key, rest))
    return ChangesPage(
        version=version.label, previous=previous.label, summary=comparison.summary, breaking=breaking,
        by_tag=tuple((name, tuple(entries)) for name, entries in grouped.items() if entries),
        whole_api=tuple(c for c in comparison.changes if not c.method),
    )


def _entry_id(prefix: str, new: Operation | None, old: Operation | None) -> str:
    """`b-get-clients` (breaking) or `c-get-clients`; `b-old-...` for an operation that is
    gone: an anchor of the new version could name another operation than an old one."""
    if new is not None:
        return f"{prefix}-{new.anchor}"
    assert old is not None
    return f"{prefix}-old-{old.anchor}"


def _by_key(api: Api) -> dict[tuple[str, str], Operation]:
    return {(op.method, op.path): op for op in api.operations}


@dataclass(frozen=True)
class _Here:
    """Paths of one version's files inside the whole site."""

    label: str
    section: str

    def page(self, source: str) -> str:
        """The built page of a page source (`reference/clients.md`), from the site root."""
        return f"{self.label}/{self.section}{source.removesuffix('.md')}.html"

    def link(self, from_page: str, label: str, target: str) -> str:
        """`target` (a URL inside the section of version `label`) as seen from `from_page`."""
        return relative_link(from_page, f"{label}/{self.section}{target}")


def relative_link(from_page: str, target: str) -> str:
    """`target` (a path from the site root, maybe with a #fragment) seen from `from_page`."""
    path, hash_, fragment = target.partition("#")
    return posixpath.relpath(path, posixpath.dirname(from_page) or ".") + hash_ + fragment
