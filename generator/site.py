"""Staging folder, MkDocs build, operations.json, and the one-step swap into --site."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .model import Api
from .csp import externalize_scripts
from .render import put_back
from .problems import InputError

MARKER = ".emqx-apidocs-site"
GENERATED_DIRS = ("reference", "guides")


@dataclass(frozen=True)
class SiteResult:
    site: Path
    pages: int
    mkdocs_warnings: tuple[str, ...]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def check_site_target(site: Path, project: Path) -> None:
    """Refuse a --site that would replace something that is not a site of ours."""
    resolved = site.resolve()
    for guarded in (project, project / "docs", project / "templates", project / "generator", Path.home(), Path("/")):
        if resolved == guarded.resolve() or guarded.resolve().is_relative_to(resolved):
            raise InputError(f"{site}: refusing to replace this folder with a site; choose another --site")
    if resolved.exists() and not resolved.is_dir():
        raise InputError(f"{site}: exists and is not a folder")
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / MARKER).exists():
        raise InputError(f"{site}: exists, is not empty and was not built by emqx-apidocs; remove it or choose another --site")


@contextlib.contextmanager
def site_lock(site: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One build at a time per --site: a second one waits for the first."""
    site.parent.mkdir(parents=True, exist_ok=True)
    lock_path = site.parent / f".{site.name}.lock"
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def staging(site: Path) -> Iterator[Path]:
    """A private folder beside --site (same file system, so the final rename is atomic).

    Called with the site's lock held, so staging and old-site folders of the same site
    left by a killed build are stale and are removed first.
    """
    for stale in site.parent.glob(f".{site.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in sorted(site.parent.glob(f".{site.name}.old-*")):
        if not site.exists() and (stale / "site").is_dir():
            os.rename(stale / "site", site)  # killed between the two renames of swap_in
        shutil.rmtree(stale, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{site.name}.staging-", dir=site.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_docs(stage: Path, docs_src: Path, pages: dict[str, str]) -> Path:
    """Copy hand-written docs, then write the generated pages beside them."""
    docs = stage / "docs"
    if docs_src.is_dir():
        shutil.copytree(docs_src, docs, ignore=shutil.ignore_patterns(*GENERATED_DIRS))
    else:
        docs.mkdir()
    for rel, text in pages.items():
        target = (docs / rel).resolve()
        if not target.is_relative_to(docs.resolve()):
            raise InputError(f"generated page {rel!r} would land outside the docs folder")
        if rel == "index.md" and target.exists():
            continue  # a hand-written home page wins over the generated overview
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return docs


def mkdocs_build(
    config_file: Path,
    docs: Path,
    out: Path,
    *,
    site_name: str,
    nav: list,
    slots: dict[str, dict[str, str]],
    progress: Callable[[], None] | None,
) -> tuple[int, tuple[str, ...]]:
    """Run MkDocs in-process; returns (pages built, warnings)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.plugins import BasePlugin

    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")  # reproducible sitemap dates
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        config = load_config(
            config_file=str(config_file), docs_dir=str(docs), site_dir=str(out), site_name=site_name, nav=nav
        )
        counter = {"pages": 0}

        class _Generated(BasePlugin):
            """Counts pages as they are built, and puts the set-aside blocks back."""

            def on_page_markdown(self, markdown, **kwargs):  # noqa: ANN001, ANN003
                counter["pages"] += 1
                if progress:
                    progress()
                return markdown

            def on_post_page(self, output, *, page, config):  # noqa: ANN001
                blocks = slots.get(page.file.src_uri)
                output = put_back(output, blocks) if blocks else output
                return externalize_scripts(output, page.url or "index.html", Path(config.site_dir))

            def on_post_template(self, output_content, *, template_name, config):  # noqa: ANN001
                return externalize_scripts(output_content, None, Path(config.site_dir))

        config.plugins["emqx-apidocs"] = _Generated()
        build(config)
    finally:
        logger.removeHandler(collect)
        logger.setLevel(previous)
    return counter["pages"], tuple(collect.messages)


def write_operations_json(out: Path, api: Api) -> None:
    data = {
        "title": api.title,
        "version": api.version,
        "base_path": api.base_path,
        "operations": [
            {
                "method": op.method,
                "path": op.path,
                "full_path": op.full_path,
                "tag": op.tag,
                "url": op.url,
                "summary": op.summary,
                "auth": list(op.auth),
                "deprecated": op.deprecated,
                "roles": list(op.roles),
                "pagination": op.pagination,
                "errors": {status: list(codes) for status, codes in op.errors},
            }
            for op in api.operations
        ],
    }
    (out / "operations.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def swap_in(built: Path, site: Path) -> None:
    """Replace --site with `built`: the old site stays whole until the new one is in place."""
    (built / MARKER).write_text("built by emqx-apidocs; this folder is replaced on every build\n")
    if not site.exists():
        os.rename(built, site)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{site.name}.old-", dir=site.parent))
    os.rename(site, old / "site")
    try:
        os.rename(built, site)
    except OSError:
        os.rename(old / "site", site)
        raise
    shutil.rmtree(old, ignore_errors=True)
