"""--site is replaced only by a whole new site, only if it is ours, and builds do not collide.

Every build runs ``python -m generator build`` in a subprocess with --site in
tmp_path; the repository's own site/ is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml

from generator.problems import InputError
from generator.project import load_project
from generator.site import check_site_target, site_lock

try:
    from .support import need
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from support import need

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = REPO / "generator" / "data" / "default-spec.yaml"
DEFAULT_TITLE = "EMQX API (emqx-apidocs sample)"
CLI_TIMEOUT = 120
SECRET_ENV = ("EMQX_API_KEY", "EMQX_SECRET_KEY", "EMQX_APIDOCS_DEBUG")


# --------------------------------------------------------------------------- helpers


def cli_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in SECRET_ENV}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), cwd=cwd, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=cli_env())


def start_cli(*args: str) -> subprocess.Popen[str]:
    """A build in the background, in its own process group (so any child can be cleaned up)."""
    return subprocess.Popen(
        command(*args), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=cli_env(), start_new_session=True,
    )


def finish(proc: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        out, err = proc.communicate(timeout=CLI_TIMEOUT)
    finally:
        reap_group(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def reap_group(proc: subprocess.Popen[str]) -> None:
    """Kill what is left of the process group we started (e.g. an orphaned worker)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-3000:]}"


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, explain(result)
    assert "Traceback" not in result.stderr, explain(result)
    return result


def tree_hash(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under `folder`, hidden ones included."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        [f"removed {p}" for p in before.keys() - after.keys()]
        + [f"added {p}" for p in after.keys() - before.keys()]
        + [f"changed {p}" for p in before.keys() & after.keys() if before[p] != after[p]]
    )


def html_title(site: Path) -> str:
    match = re.search(r"<title>(.*?)</title>", (site / "index.html").read_text(encoding="utf-8"), re.S)
    assert match, f"no <title> in {site / 'index.html'}"
    return match.group(1)


def check_consistent(site: Path) -> dict:
    """operations.json parses, every page it lists exists, and index.html has its title."""
    operations = json.loads((site / "operations.json").read_text(encoding="utf-8"))
    assert operations["operations"], "operations.json lists no operations"
    missing = sorted({op["url"].split("#")[0] for op in operations["operations"]
                      if not (site / op["url"].split("#")[0]).is_file()})
    assert not missing, f"pages listed in operations.json but absent: {missing}"
    assert operations["title"] in html_title(site), (operations["title"], html_title(site))
    assert (site / ".emqx-apidocs-site").is_file()
    return operations


def stray_folders(parent: Path, site_name: str = "site") -> list[str]:
    return sorted(p.name for p in parent.glob(f".{site_name}.*") if p.is_dir())


def shared_spec(shared_specs: Path, name: str) -> Path:
    path = shared_specs / name
    need(path.is_file(), f"{path} is absent (the real EMQX specs live in ../shared/specs)")
    return path


# --------------------------------------------------------------------------- (a) failed builds


def test_failed_builds_keep_the_old_site(tmp_path: Path) -> None:
    parent = tmp_path / "out"
    site = parent / "site"
    ok(run_cli("build", "--strict", "--site", str(site), "-q"))
    before = tree_hash(site)
    assert "index.html" in before and ".emqx-apidocs-site" in before

    missing = run_cli("build", "--spec", str(tmp_path / "missing.json"), "--site", str(site))
    assert missing.returncode == 2, explain(missing)
    assert differences(before, tree_hash(site)) == [], "a build that failed at input changed the site"

    problems = tmp_path / "nopaths.json"
    problems.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "No paths", "version": "1"}}))
    strict = run_cli("build", "--strict", "--spec", str(problems), "--site", str(site))
    assert strict.returncode == 1, explain(strict)
    assert differences(before, tree_hash(site)) == [], "build --strict with problems changed the site"

    assert stray_folders(parent) == []
    ok(run_cli("build", "--site", str(site), "-q"))
    check_consistent(site)


def _kill_build(spec: Path, site: Path, when) -> bool:  # noqa: ANN001 - when(proc) -> bool, polled
    """Start a build and SIGKILL it once `when(proc)` is true; False if it finished first."""
    proc = start_cli("build", "--spec", str(spec), "--site", str(site), "-q")
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and not when(proc) and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is not None:
            return False
        os.kill(proc.pid, signal.SIGKILL)  # the build itself, as a crash or the OOM killer would
        proc.wait(timeout=30)
        return proc.returncode == -signal.SIGKILL
    finally:
        reap_group(proc)
        proc.communicate(timeout=30)


@pytest.mark.shared
def test_killed_build_keeps_the_old_site(shared_specs: Path, tmp_path: Path) -> None:
    spec = shared_spec(shared_specs, "emqx-ce-5.8.1-en.json")
    parent = tmp_path / "out"
    site = parent / "site"

    def fresh_default() -> dict[str, str]:
        ok(run_cli("build", "--site", str(site), "-q"))
        return tree_hash(site)

    before = fresh_default()

    # 1) killed after a fixed delay (shorter ones if the build was already done)
    for delay in (1.0, 0.6, 0.3, 0.1):
        started = time.monotonic()
        if _kill_build(spec, site, lambda proc: time.monotonic() - started >= delay):
            break
        before = fresh_default()  # it finished and replaced the site: start again
    else:
        need(False, "the CE 5.8.1 build always finished within 0.1 s; cannot kill it mid-way")
    assert differences(before, tree_hash(site)) == [], "a killed build changed the old site"

    # 2) killed while MkDocs writes the staging folder beside --site
    for _ in range(3):
        if _kill_build(spec, site, lambda proc: bool(list(parent.glob(".site.staging-*/site/*")))):
            break
        before = fresh_default()
    else:
        need(False, "the CE 5.8.1 build always finished before its staging folder could be seen")
    assert differences(before, tree_hash(site)) == [], "a build killed during MkDocs changed the old site"

    # leftovers (a killed process cannot clean up) must not break the next build
    leftovers = stray_folders(parent)
    result = ok(run_cli("build", "--site", str(site)))
    check_consistent(site)
    assert html_title(site).startswith(DEFAULT_TITLE)
    assert "Traceback" not in result.stderr
    assert set(stray_folders(parent)) <= set(leftovers), "the next build left folders of its own"


# a build whose engine fails: the pipeline's real MkDocs step replaced by one that raises,
# as an internal error (a bug of ours) would; then the real command line runs as usual
ENGINE_FAILS = """
import sys
import generator.pipeline
from generator.cli import main

def broken_engine(*args, **kwargs):
    raise RuntimeError("the engine broke\\nand this second line must not be printed")

generator.pipeline.run_engine = broken_engine
sys.exit(main(sys.argv[1:]))
"""


def run_with_broken_engine(*args: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ENGINE_FAILS, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT, env=env or cli_env())


def test_internal_error_is_exit_3_in_one_line_and_keeps_the_old_site(tmp_path: Path) -> None:
    """An exception inside the build exits 3 with exactly one line naming it, and leaves the old site whole."""
    parent = tmp_path / "out"
    site = parent / "site"
    ok(run_cli("build", "--site", str(site), "-q"))
    before = tree_hash(site)

    result = run_with_broken_engine("build", "--site", str(site), "-q")
    assert result.returncode == 3, explain(result)
    assert len(result.stderr.splitlines()) == 1 and not result.stdout, f"expected exactly one line\n{explain(result)}"
    line = result.stderr.strip()
    assert line.startswith("emqx-apidocs: internal error: RuntimeError: the engine broke "), line
    assert "EMQX_APIDOCS_DEBUG" in line and "the previous site is unchanged" in line, line
    assert differences(before, tree_hash(site)) == [], "a build that failed inside changed the site"
    assert stray_folders(parent) == []

    chatty = run_with_broken_engine("build", "--site", str(site))  # the steps, then the same one line
    assert chatty.returncode == 3, explain(chatty)
    ours = [line for line in chatty.stderr.splitlines() if line.startswith("emqx-apidocs:")]
    assert ours == [line] and chatty.stderr.splitlines()[-1] == line, explain(chatty)
    assert "Traceback" not in chatty.stderr and "second line" not in chatty.stderr, explain(chatty)

    debug = run_with_broken_engine("build", "--site", str(site), "-q", env={**cli_env(), "EMQX_APIDOCS_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "RuntimeError: the engine broke" in debug.stderr
    assert differences(before, tree_hash(site)) == []


def cut_between_the_renames(site: Path) -> Path:
    """What a build killed inside swap_in leaves: the old site moved into .NAME.old-*/site, no NAME."""
    old = Path(tempfile.mkdtemp(prefix=f".{site.name}.old-", dir=site.parent))
    os.rename(site, old / "site")
    return old


def test_site_cut_between_the_two_renames_comes_back(tmp_path: Path) -> None:
    """After a kill between swap_in's renames, the next build puts the old site back if it
    fails, or replaces it if it succeeds; neither leaves a folder behind."""
    parent = tmp_path / "out"
    site = parent / "site"
    ok(run_cli("build", "--site", str(site), "-q"))
    before = tree_hash(site)

    old = cut_between_the_renames(site)
    assert not site.exists() and (old / "site" / "index.html").is_file()
    failed = run_with_broken_engine("build", "--site", str(site), "-q")
    assert failed.returncode == 3, explain(failed)
    assert differences(before, tree_hash(site)) == [], "the old site did not come back whole"
    assert stray_folders(parent) == []

    cut_between_the_renames(site)
    ok(run_cli("build", "--spec", str(second_spec(tmp_path)), "--site", str(site), "-q"))
    assert check_consistent(site)["title"] == "Second build"
    assert not (site / "reference" / "clients.html").exists(), "pages of the old site are mixed in"
    assert stray_folders(parent) == []


# --------------------------------------------------------------------------- (b) what --site may replace


def test_site_refuses_a_folder_it_did_not_build(tmp_path: Path) -> None:
    foreign = tmp_path / "my-notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("precious\n")
    before = tree_hash(foreign)
    result = run_cli("build", "--site", str(foreign))
    assert result.returncode == 2, explain(result)
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "my-notes" in last and "emqx-apidocs: error:" in last, last
    assert tree_hash(foreign) == before
    assert stray_folders(tmp_path, "my-notes") == []


def test_site_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.write_text("not a folder\n")
    result = run_cli("build", "--site", str(target))
    assert result.returncode == 2, explain(result)
    assert "Traceback" not in result.stderr
    assert target.read_text() == "not a folder\n"


def test_project_root_and_docs_are_guarded_in_process() -> None:
    """The real repository: only the guard is called, nothing is built."""
    for guarded in (REPO, REPO / "docs", REPO / "templates", REPO / "generator", REPO / "docs" / ".."):
        with pytest.raises(InputError, match="refusing"):
            check_site_target(guarded, load_project(None))


def _project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the project to aim --site . and --site docs at.

    Running these against the real checkout would, if the guard ever broke,
    rename the working tree away under everyone else's feet.
    """
    proj = tmp_path / "proj"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("generator", "templates", "docs"):
        shutil.copytree(REPO / name, proj / name, ignore=ignore)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy2(REPO / name, proj / name)
    where = subprocess.run(
        [sys.executable, "-c", "import generator.resources as r; print(r.BUNDLE)"],
        cwd=proj, capture_output=True, text=True, timeout=60, env=cli_env(),
    )
    assert Path(where.stdout.strip()) == proj, f"python -m generator in the copy does not run the copy: {where}"
    return proj


def test_site_refuses_project_root_and_docs(tmp_path: Path) -> None:
    proj = _project_copy(tmp_path)
    before = tree_hash(proj)
    for target in (".", "docs", "./docs/..", str(proj), str(proj / "docs")):
        result = run_cli("build", "--site", target, "-q", cwd=proj)
        assert result.returncode == 2, f"--site {target}: {explain(result)}"
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1, f"--site {target}: {explain(result)}"
        assert differences(before, tree_hash(proj)) == [], f"--site {target} changed the project"
        assert stray_folders(tmp_path, "proj") == [] and stray_folders(proj, "docs") == []


# --------------------------------------------------------------------------- (c, d) builds at the same time


def docs_hash() -> dict[str, str]:
    return tree_hash(REPO / "docs") if (REPO / "docs").is_dir() else {}


@pytest.mark.shared
def test_builds_into_different_sites_at_once(shared_specs: Path, tmp_path: Path) -> None:
    ce = shared_spec(shared_specs, "emqx-ce-5.8.1-en.json")
    docs_before = docs_hash()
    one, two = tmp_path / "one" / "site", tmp_path / "two" / "site"
    procs = [start_cli("build", "--site", str(one), "-q"), start_cli("build", "--spec", str(ce), "--site", str(two), "-q")]
    results = [finish(p) for p in procs]
    for result in results:
        ok(result)
    assert check_consistent(one)["title"] == DEFAULT_TITLE
    assert html_title(one).startswith(DEFAULT_TITLE)
    ce_title = json.loads(ce.read_text(encoding="utf-8"))["info"]["title"]
    assert check_consistent(two)["title"] == ce_title
    assert html_title(two).startswith(ce_title) and "emqx-apidocs sample" not in html_title(two)
    assert differences(docs_before, docs_hash()) == [], "a build changed the repository's docs/"


def second_spec(tmp_path: Path) -> Path:
    """The sample spec made visibly different: its own title and one tag for everything."""
    document = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))
    document["info"]["title"] = "Second build"
    document.pop("tags", None)
    for item in document["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                op["tags"] = ["Second only"]
    second = tmp_path / "second.json"
    second.write_text(json.dumps(document, default=str), encoding="utf-8")
    return second


class Watched:
    """A build in the background whose stderr is read line by line as it comes."""

    def __init__(self, *args: str) -> None:
        self.proc = start_cli(*args)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True)
        self.reader.start()

    def wait_for(self, text: str, seconds: float = CLI_TIMEOUT) -> None:
        deadline = time.monotonic() + seconds
        while not any(text in line for line in self.lines):
            assert self.proc.poll() is None or self.reader.is_alive(), f"exited {self.proc.returncode} first:\n{self.err}"
            assert time.monotonic() < deadline, f"no {text!r} after {seconds} s:\n{self.err}"
            time.sleep(0.05)

    def finish(self) -> subprocess.CompletedProcess[str]:
        try:
            out, _ = self.proc.communicate(timeout=CLI_TIMEOUT)
        finally:
            reap_group(self.proc)
        self.reader.join(timeout=10)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, self.err)

    @property
    def err(self) -> str:
        return "".join(self.lines)


def test_builds_into_the_same_site_at_once(tmp_path: Path) -> None:
    """While another build holds the site's lock, two builds into it both say they wait and
    do nothing; released, each finishes and the site is whole, one build's pages only."""
    parent = tmp_path / "out"
    site = parent / "site"
    with site_lock(site.absolute()):  # held here as a running build holds it
        builds = [Watched("build", "--site", str(site)),
                  Watched("build", "--spec", str(second_spec(tmp_path)), "--site", str(site))]
        try:
            for build in builds:
                build.wait_for(f"waiting for another build into {site.absolute()} to finish")
            time.sleep(1)
            assert [b.proc.poll() for b in builds] == [None, None], "a build went on while the lock was held"
            assert not site.exists() and stray_folders(parent) == [], "a waiting build touched the site"
        except BaseException:
            for build in builds:
                reap_group(build.proc)
            raise
    results = [build.finish() for build in builds]
    for result in results:
        ok(result)

    operations = check_consistent(site)
    pages = {op["url"].split("#")[0] for op in operations["operations"]}
    if operations["title"] == "Second build":
        assert pages == {"reference/second-only.html"}
        assert not (site / "reference" / "clients.html").exists(), "pages of the other build are mixed in"
    else:
        assert operations["title"] == DEFAULT_TITLE
        assert "reference/clients.html" in pages
        assert not (site / "reference" / "second-only.html").exists(), "pages of the other build are mixed in"
    assert stray_folders(parent) == [], "finished builds left staging or old folders behind"


# --------------------------------------------------------------------------- (e) determinism


def test_build_is_deterministic(tmp_path: Path) -> None:
    one, two = tmp_path / "one" / "site", tmp_path / "two" / "site"
    ok(run_cli("build", "--site", str(one), "-q"))
    ok(run_cli("build", "--site", str(two), "-q"))
    first, second = tree_hash(one), tree_hash(two)
    assert len(first) > 10
    assert differences(first, second) == [], "two builds of the same spec differ"


@pytest.mark.shared
@pytest.mark.parametrize("name", ["emqx-ce-5.8.1-en.json", "emqx-ee-5.8.1-en.json"])
def test_real_spec_builds_are_identical_under_two_hash_seeds(shared_specs: Path, tmp_path: Path, name: str) -> None:
    """Two builds of a real spec, with different PYTHONHASHSEED values, agree byte for byte in every file."""
    spec = shared_spec(shared_specs, name)
    sites = {seed: tmp_path / f"seed-{seed}" / "site" for seed in ("1", "2")}
    procs = [
        subprocess.Popen(command("build", "-q", "--spec", str(spec), "--site", str(site)), cwd=REPO, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                         env={**cli_env(), "PYTHONHASHSEED": seed})
        for seed, site in sites.items()
    ]
    for proc in procs:
        ok(finish(proc))
    first, second = (tree_hash(site) for site in sites.values())
    assert len(first) > 50
    assert differences(first, second) == [], "builds under two hash seeds differ"


def test_each_page_waits_for_one_script_before_its_first_paint(tmp_path: Path) -> None:
    """The CSP meta, then one script that holds the deep-link script, the search shim and
    the theme's inline <head> script, in that order; nothing else blocks in <head>."""
    from generator.pipeline import Options, build as build_site

    site = tmp_path / "site"
    build_site(Options(spec=str(DEFAULT_SPEC), site=site))
    deep_link = (REPO / "templates" / "assets" / "javascripts" / "deep-link.js").read_text(encoding="utf-8")
    shim = (REPO / "templates" / "assets" / "javascripts" / "iframe-worker-shim.js").read_text(encoding="utf-8")
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert re.search(r'<head[^>]*><meta http-equiv="Content-Security-Policy"', head), page
        scripts = re.findall(r"<script\b[^>]*>", head)
        assert len(scripts) == 1, (page, scripts)
        src = re.search(r'src="([^"]+)"', scripts[0]).group(1)
        assert "defer" not in scripts[0] and head.index(scripts[0]) < head.index("stylesheet")
        target = site / src.lstrip("/") if src.startswith("/") else (page.parent / src).resolve()
        code = target.read_text(encoding="utf-8")
        assert code.index(deep_link.strip()) < code.index(shim.strip()) < code.index("__md_scope=new URL("), page
