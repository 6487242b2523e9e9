"""The anchors `emqx-apidocs` is measured against, installed and prepared here.

Two anchors, each installed into ``bench/.anchors/`` (git-ignored), never globally:

* **neoteroi-mkdocs** 1.2.0 (PyPI) in its own virtualenv ``bench/.anchors/venv``,
  with mkdocs-material and mkdocs at the versions this project runs (so both sides
  use the same theme and engine). The anchor build is ``mkdocs build`` of a minimal
  project: one page holding ``[OAD(spec)]``, the ``neoteroi.mkdocsoad`` plugin with
  ``use_pymdownx: true`` and the three PyMdown extensions its templates need (as the
  README of ``openapidocs/mk/v3/views_mkdocs`` in essentials-openapi says), the
  Material theme and the search plugin, as our build has.
* **Redoc 3** built by **Redocly CLI** 2.77.0 (npm) in ``bench/.anchors/npm``:
  ``redocly build-docs SPEC --inlineBundle``, one HTML page with Redoc's script
  inside (without ``--inlineBundle`` the page loads it from cdn.redocly.com). The
  only other address the page uses is the "API docs by Redocly" badge image,
  ``https://cdn.redoc.ly/redoc/logo-mini*.svg``, shown after start-up; it is pointed
  at a local stand-in SVG written beside the page (the real image is not fetched),
  so the page makes no request off the machine. The CLI runs with
  ``REDOCLY_TELEMETRY=off`` and no update check.

Redoc's deep link for an operation without an operationId (the EMQX specs have
none) is ``#/<tag slug>/paths/<path as a JSON pointer token>/<method>``, e.g.
``#/clients/paths/~1clients~1{clientid}/get``; the Redoc 2 form
``#tag/Clients/paths/...`` is redirected to it. The element with that id (without
the ``#/``) is the whole operation; its heading is the first ``h1``-``h3`` in it.
`redoc_link` opens the Redoc 2 form and reads where Redoc 3 goes, so the link
is Redoc's own, not guessed.

    python3 bench/anchors.py install     # idempotent; prints the versions
    python3 bench/anchors.py redoc SPEC OUT.html
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
HOME = BENCH / ".anchors"
VENV = HOME / "venv"
NPM = HOME / "npm"
STAMP = HOME / "installed.json"

NEOTEROI = "neoteroi-mkdocs==1.2.0"
REDOCLY = "@redocly/cli@2.77.0"
REDOCLY_BIN = NPM / "node_modules" / ".bin" / "redocly"
QUIET_REDOCLY = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
                 "REDOCLY_SUPPRESS_NOTIFICATIONS": "true"}

# The badge image Redoc shows in its sidebar, from Redocly's CDN: replaced by this.
REDOC_LOGOS = ("https://cdn.redoc.ly/redoc/logo-mini-full.svg", "https://cdn.redoc.ly/redoc/logo-mini.svg")
LOGO_STAND_IN = ('<svg xmlns="http://www.w3.org/2000/svg" width="80" height="16">'
                 '<text x="0" y="12" font-size="11">Redocly</text></svg>\n')

NEOTEROI_MKDOCS_YML = """\
site_name: EMQX API (neoteroi-mkdocs)
theme:
  name: material
plugins:
  - search
  - neoteroi.mkdocsoad:
      use_pymdownx: true
markdown_extensions:
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
"""


# --------------------------------------------------------------------------- install


def python_requirements() -> list[str]:
    """neoteroi pinned; mkdocs and mkdocs-material at the versions this project runs."""
    reqs = [NEOTEROI]
    for name in ("mkdocs", "mkdocs-material"):
        try:
            reqs.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            reqs.append(name)
    return reqs


def versions() -> dict[str, str]:
    """What is installed in bench/.anchors (empty when nothing is)."""
    found: dict[str, str] = {}
    probe = ("import json; from importlib import metadata as m; print(json.dumps("
             "{n: m.version(n) for n in ('neoteroi-mkdocs', 'mkdocs', 'mkdocs-material', 'essentials-openapi')}))")
    if (VENV / "bin" / "python").is_file():
        run = subprocess.run([str(VENV / "bin" / "python"), "-c", probe], capture_output=True, text=True)
        if run.returncode == 0:
            found.update(json.loads(run.stdout))
    package = NPM / "node_modules" / "@redocly" / "cli" / "package.json"
    if package.is_file():
        found["@redocly/cli"] = json.loads(package.read_text())["version"]
    return found


def install(log=print) -> dict[str, str]:
    """Install both anchors unless the stamp says they are there already; return their versions."""
    wanted = {"python": python_requirements(), "npm": [REDOCLY]}
    if STAMP.is_file() and json.loads(STAMP.read_text()).get("wanted") == wanted:
        return json.loads(STAMP.read_text())["versions"]
    HOME.mkdir(parents=True, exist_ok=True)
    if not (VENV / "bin" / "python").is_file():
        log(f"creating {VENV.relative_to(BENCH.parent)}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    log(f"pip install {' '.join(wanted['python'])}")
    subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *wanted["python"]], check=True)
    NPM.mkdir(exist_ok=True)
    if not (NPM / "package.json").is_file():
        (NPM / "package.json").write_text('{"name": "emqx-apidocs-bench-anchors", "private": true}\n')
    log(f"npm install {REDOCLY}")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", REDOCLY],
                   cwd=NPM, check=True)
    found = versions()
    STAMP.write_text(json.dumps({"wanted": wanted, "versions": found}, indent=1) + "\n")
    return found


# --------------------------------------------------------------------------- neoteroi


def neoteroi_project(folder: Path, spec: Path) -> Path:
    """Write the minimal MkDocs project with one [OAD(spec)] page; return its mkdocs.yml."""
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "index.md").write_text(f"# EMQX API\n\n[OAD({spec.resolve()})]\n")
    config = folder / "mkdocs.yml"
    config.write_text(NEOTEROI_MKDOCS_YML)
    return config


def neoteroi_build_command(config: Path, site: Path) -> list[str]:
    return [str(VENV / "bin" / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(site)]


def neoteroi_env() -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


# --------------------------------------------------------------------------- redoc


def redoc_page(spec: Path, out: Path) -> Path:
    """Build the Redoc 3 page for *spec* into *out*, made to run with no network."""
    out.parent.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([str(REDOCLY_BIN), "build-docs", str(spec.resolve()), "--inlineBundle", "-o", str(out)],
                         capture_output=True, text=True, env={**os.environ, **QUIET_REDOCLY})
    if run.returncode != 0 or not out.is_file():
        tail = " | ".join((run.stdout + run.stderr).strip().splitlines()[-5:])
        raise SystemExit(f"redocly build-docs failed (exit {run.returncode}): {tail}")
    html = out.read_text(encoding="utf-8")
    for url in REDOC_LOGOS:
        local = "redoc-" + url.rsplit("/", 1)[1]
        (out.parent / local).write_text(LOGO_STAND_IN)
        html = html.replace(url, local)
    out.write_text(html, encoding="utf-8")
    return out


def redoc_link(page, url: str, tag: str, method: str, path: str, timeout_ms: int) -> str:
    """Redoc's own fragment for METHOD PATH: open its Redoc 2 style link and read where Redoc goes.

    Redoc renders operations and sidebar links lazily, so the fragment cannot be read
    from a freshly opened page; the Redoc 2 form ``#tag/<tag>/paths/<token>/<method>``
    is redirected by Redoc 3 to its own form, whose element must then exist.
    """
    token = path.replace("~", "~0").replace("/", "~1")
    legacy = f"#tag/{tag}/paths/{token}/{method.lower()}"
    page.goto(url + legacy, wait_until="load", timeout=timeout_ms)
    suffix = f"/paths/{token}/{method.lower()}"
    found = page.wait_for_function(
        """(suffix) => {
             const hash = decodeURIComponent(location.hash);
             return hash.startsWith("#/") && hash.endsWith(suffix)
                 && document.getElementById(hash.slice(2)) ? hash : null;
           }""", arg=suffix, timeout=timeout_ms, polling=100).json_value()
    return found


def redoc_target(fragment: str) -> tuple[str, str]:
    """(element id, selector inside it) of the operation heading for a Redoc fragment."""
    return fragment.lstrip("#").lstrip("/"), "h1, h2, h3"


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        for name, version in install().items():
            print(f"{name} {version}")
        return 0
    if argv[:1] == ["redoc"] and len(argv) == 3:
        install()
        print(redoc_page(Path(argv[1]), Path(argv[2])))
        return 0
    print(__doc__.rsplit("\n\n", 1)[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
