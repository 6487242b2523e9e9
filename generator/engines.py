"""The engines that turn a staged docs folder and its settings into HTML.

`mkdocs` (the default) runs MkDocs in this process; `zensical` runs Zensical, the
successor of Material for MkDocs, which reads the same settings file. Neither gets a
plugin of ours: what the reference needs afterwards is done by postbuild.py on the
finished files, so both engines produce the same site.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .problems import InputError

ENGINES = ("mkdocs", "zensical")


class _Collect(logging.Handler):
    """Warnings for the report, and a tick per page read for the progress bar."""

    def __init__(self, tick: Callable[[], None] | None) -> None:
        super().__init__(logging.DEBUG)
        self.tick = tick
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.messages.append(record.getMessage())
        elif self.tick and record.name == "mkdocs.commands.build" and str(record.msg).startswith("Reading: "):
            self.tick()


def run_mkdocs(config_file: Path, progress: Callable[[], None] | None = None) -> list[str]:
    """Build with MkDocs in this process; returns its warnings."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")  # reproducible sitemap dates
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    collect = _Collect(progress)
    logger, pages_logger = logging.getLogger("mkdocs"), logging.getLogger("mkdocs.commands.build")
    levels = logger.level, pages_logger.level
    logger.addHandler(collect)
    logger.setLevel(logging.WARNING)
    if progress:
        pages_logger.setLevel(logging.DEBUG)
    try:
        try:
            config = load_config(config_file=str(config_file))
        except ConfigurationError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid settings"
            raise InputError(f"the MkDocs settings are not usable: {first}") from None
        build(config)
    finally:
        logger.removeHandler(collect)
        logger.setLevel(levels[0])
        pages_logger.setLevel(levels[1])
    return collect.messages


def zensical_command() -> list[str] | None:
    """How to run Zensical here, or None when it is not installed."""
    if importlib.util.find_spec("zensical") is not None:
        return [sys.executable, "-m", "zensical"]
    found = shutil.which("zensical")
    return [found] if found else None


def run_engine(engine: str, config_file: Path, progress: Callable[[], None] | None = None) -> list[str]:
    """Build the site `config_file` describes with `engine`; returns the engine's warnings."""
    if engine == "mkdocs":
        return run_mkdocs(config_file, progress)
    if engine == "zensical":
        return run_zensical(config_file)
    raise InputError(f"--engine {engine!r}: choose one of {', '.join(ENGINES)}")


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_zensical(config_file: Path) -> list[str]:
    """Build with Zensical in a child process; returns its warnings.

    Zensical empties site_dir and keeps a cache beside its settings file: both are in
    the staging folder, which is removed after the build.
    """
    command = zensical_command()
    if command is None:
        raise InputError("--engine zensical: Zensical is not installed here (pip install 'emqx-apidocs[zensical]'; with pipx: pipx inject emqx-apidocs zensical)")
    env = {**os.environ, "NO_COLOR": "1", "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    result = subprocess.run(
        [*command, "build", "--clean", "--config-file", str(config_file)],
        cwd=config_file.parent, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
    )
    lines = [ANSI.sub("", line).rstrip() for line in (result.stderr + result.stdout).splitlines()]
    if result.returncode != 0:
        said = [line.strip() for line in lines if line.strip() and not line.startswith((" ", "Traceback"))]
        raise InputError(f"zensical build failed: {said[-1] if said else f'exit status {result.returncode}'}")
    return [line.strip() for line in lines if line.strip().startswith("Warning:")]


def engine_limits(engine: str, config: dict) -> list[str]:
    """What in these settings the engine will not do, in one line (none for MkDocs)."""
    if engine != "zensical":
        return []
    ignored = []
    if config.get("hooks"):
        ignored.append("hooks")
    known = _zensical_plugins()
    plugins = config.get("plugins") or []
    for item in plugins:
        name = str(next(iter(item)) if isinstance(item, dict) else item).removeprefix("material/")
        options = item.get(next(iter(item))) if isinstance(item, dict) else None
        if name == "search" and isinstance(options, dict):
            ignored += [f"search option {key}" for key in sorted(options) if key not in ("separator", "enabled")]
        elif known is not None and name.split("/")[0] not in known and name not in ("search", "offline"):
            ignored.append(f"plugin {name}")
    if not ignored:
        return []
    return [f"Zensical ignores what these settings ask for: {', '.join(ignored)}; the site is built without them"]


def _zensical_plugins() -> set[str] | None:
    """The MkDocs plugins the installed Zensical understands (None when it does not say)."""
    try:
        from zensical import config as zensical_config
    except ImportError:
        return None
    table = getattr(zensical_config, "_PLUGIN_UNSUPPORTED_OPTIONS", None)
    return set(table) if isinstance(table, dict) else None
