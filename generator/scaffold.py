"""`init`: a starter docs project a team makes its own (never overwriting a file)."""

from __future__ import annotations

from pathlib import Path

from .problems import InputError

MKDOCS_YML = """\
# Your docs project. `emqx-apidocs build` reads this file: your pages and navigation,
# plus the EMQX REST API reference generated from the spec named below.
# `emqx-apidocs generate` writes only the reference into docs/api/, for when you run
# `mkdocs build` or `zensical build` yourself.
site_name: Our platform docs
# site_url: https://docs.example.internal/

theme:
  name: material            # the reference needs Material for MkDocs (or Zensical)
  # logo: assets/logo.svg   # paths inside docs/
  # favicon: assets/favicon.png
  features:
    - content.code.copy
    - navigation.top
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: teal
      toggle: {icon: material/weather-night, name: Dark mode}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: teal
      toggle: {icon: material/weather-sunny, name: Light mode}

nav:
  - Home: index.md
  # - Runbooks: runbooks.md
  - EMQX API: api/          # the generated reference goes here (extra.emqx_apidocs.section)

extra:
  emqx_apidocs:
    # The spec: a file (relative to this one) or a node's URL. Without it, a small
    # sample spec is used. For a URL, credentials come from EMQX_API_KEY and
    # EMQX_SECRET_KEY in the environment, never from this file.
    # spec: http://localhost:18083/api-docs/swagger.json
    # The node address the curl examples and Try it default to.
    base_url: http://localhost:18083
    section: api/
    # The reference's language, en or zh; without it, the language the spec is written in.
    # lang: zh
"""

INDEX_MD = """\
# Our platform docs

Start here. Hand-written pages live in `docs/` beside this one; add them to `nav` in
`mkdocs.yml`.

The [EMQX REST API reference](api/index.md) is generated from the broker's OpenAPI
spec each time the site is built: every operation with its parameters, the API-key
roles that may call it, how to page through it, its error codes, a curl command and
a *Try it* panel.

Rebuild with `emqx-apidocs build`, then open `site/index.html`: it works from
`file://`, search included, with no network.
"""

FILES = {"mkdocs.yml": MKDOCS_YML, "docs/index.md": INDEX_MD}


def init_project(folder: Path) -> list[str]:
    """Write the starter files that do not exist yet into `folder`; one line each of what
    was written or kept."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    lines = []
    for rel, text in FILES.items():
        target = folder / rel
        if target.exists():
            lines.append(f"kept {target} (it exists; nothing was overwritten)")
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8") as handle:  # "x": never over a file made meanwhile
                handle.write(text)
        except OSError as exc:
            raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        lines.append(f"wrote {target}")
    return lines
