"""Staging folders, the docs folder an engine builds from, operations.json, and the
one-step swap of a finished folder into place."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .model import Api
from .problems import InputError
from .project import ASSET_FOLDER, VERSION_SCRIPTS, Project
from .resources import ASSETS, BUNDLE

MARKER = ".emqx-apidocs-site"
SECTION_MARKER = ".emqx-apidocs-section"  # a section folder `generate` wrote
GENERATED_DIRS = ("reference", "guides")


@dataclass(frozen=True)
class SiteResult:
    site: Path
    pages: int
    mkdocs_warnings: tuple[str, ...]


def check_site_target(site: Path, project: Project) -> None:
    """Refuse a --site that would replace something that is not a site of ours."""
    resolved = site.resolve()
    guarded = (project.root, project.docs_dir, BUNDLE, BUNDLE / "templates", Path(__file__).parent, Path.home(), Path("/"))
    for folder in guarded:
        if resolved == folder.resolve() or folder.resolve().is_relative_to(resolved):
            raise InputError(f"{site}: refusing to replace this folder with a site; choose another --site")
    if resolved.is_relative_to(project.docs_dir.resolve()):
        raise InputError(f"{site}: is inside the docs folder {project.docs_dir}; choose another --site")
    _check_ours(resolved, site, MARKER, "--site")


def _check_ours(resolved: Path, shown: Path, marker: str, what: str) -> None:
    if resolved.exists() and not resolved.is_dir():
        raise InputError(f"{shown}: exists and is not a folder")
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / marker).exists():
        raise InputError(f"{shown}: exists, is not empty and was not made by emqx-apidocs; remove it or choose another {what}")


@contextlib.contextmanager
def site_lock(site: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One build at a time per folder: a second one waits for the first.

    The lock file lives in the temporary folder, named by the target's path, so that
    nothing is left beside a team's folders.
    """
    site.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(str(site.resolve()).encode()).hexdigest()[:20]
    lock_path = Path(tempfile.gettempdir()) / f"emqx-apidocs-{digest}.lock"
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


def write_docs(docs: Path, project: Project, pages: dict[str, str], versions: bool = False) -> Path:
    """The staged docs folder: the project's hand-written pages, then the generated ones
    and their assets in the project's section (with `versions`, those of one version of a
    site of several). The project's files are only read."""
    section = project.section
    if project.docs_dir.is_dir():
        skip = _generated_here(project)
        shutil.copytree(project.docs_dir, docs, ignore=lambda folder, names: [
            n for n in names if (Path(folder) / n).resolve() in skip
        ])
    else:
        docs.mkdir(parents=True)
    write_section(docs / section if section else docs, pages, keep_index=not section, versions=versions)
    return docs


def _generated_here(project: Project) -> set[Path]:
    """What in the team's docs folder the build writes anew (so it is not copied)."""
    docs = project.docs_dir.resolve()
    if not project.section:
        return {docs / name for name in GENERATED_DIRS} | {docs / ASSET_FOLDER}
    target = docs / project.section
    _check_ours(target, project.docs_dir / project.section, SECTION_MARKER, "section")
    return {target}


def write_section(folder: Path, pages: dict[str, str], *, keep_index: bool = False, versions: bool = False) -> None:
    """Generated pages and the reference's assets into `folder` (which may hold hand-written
    pages: a hand-written index.md wins over the overview when `keep_index`). The version
    selector's script only goes into one version of a site of several (`versions`)."""
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    for rel, text in pages.items():
        target = (folder / rel).resolve()
        if not target.is_relative_to(root):
            raise InputError(f"generated page {rel!r} would land outside the docs folder")
        if keep_index and rel == "index.md" and target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    assets = folder / ASSET_FOLDER
    assets.mkdir(parents=True, exist_ok=True)
    for source in sorted((ASSETS / "javascripts").glob("*.js")) + sorted((ASSETS / "stylesheets").glob("*.css")):
        if versions or source.name not in VERSION_SCRIPTS:
            shutil.copyfile(source, assets / source.name)


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


def write_markdown(out: Path, files: dict[str, str]) -> None:
    """The pages' Markdown twins, llms.txt and llms-full.txt (twins.site_files) and the tag
    pages' "Copy as Markdown" scripts into the built site (or a team's section), each beside
    the page it stands for; paths are relative to `out`."""
    root = out.resolve()
    for rel, text in files.items():
        target = (out / rel).resolve()
        if not target.is_relative_to(root):
            raise InputError(f"Markdown file {rel!r} would land outside the site")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def swap_in(built: Path, site: Path, marker: str = MARKER) -> None:
    """Replace `site` with `built`: the old one stays whole until the new one is in place."""
    (built / marker).write_text("made by emqx-apidocs; this folder is replaced on every build\n")
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


def check_section_target(project: Project) -> Path:
    """The folder `generate` writes: the project's section, which must be its own folder
    inside docs_dir and either absent or one that `generate` wrote before."""
    if not project.section:
        raise InputError(
            f"{project.config_file}: generate needs a section folder for the reference "
            "(extra.emqx_apidocs.section, such as api/); it never writes into the docs root"
        )
    if project.bundled:
        raise InputError("generate needs your project's mkdocs.yml: pass --config, or run it where mkdocs.yml is")
    target = project.docs_dir / project.section.rstrip("/")
    _check_ours(target.resolve(), target, SECTION_MARKER, "section")
    return target.absolute()
