"""Where the files a build needs are: inside the installed package, or in the checkout.

A wheel carries the top-level `mkdocs.yml`, `templates/` and `docs/` of the source
tree under `generator/_bundle/` (pyproject.toml maps them in). Run from a checkout or
an editable install, they are read where they are.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
BUNDLE = _PACKAGE / "_bundle" if (_PACKAGE / "_bundle" / "mkdocs.yml").is_file() else _PACKAGE.parent

BASE_CONFIG = BUNDLE / "mkdocs.yml"  # the base MkDocs settings, and the default project
TEMPLATES = BUNDLE / "templates"
ASSETS = TEMPLATES / "assets"  # stylesheets and scripts the generated pages use
DOCS = BUNDLE / "docs"  # the default project's hand-written pages


def bundled_docs(language: str) -> Path:
    """The default project's hand-written pages in `language`: docs/ in English, docs-<language>/."""
    other = BUNDLE / f"docs-{language}"
    return other if language != "en" and other.is_dir() else DOCS
