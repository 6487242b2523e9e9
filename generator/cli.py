"""Command line: arguments -> pipeline -> exit status. Nothing else lives here."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from . import __version__
from .load import DEFAULT_MAX_BYTES
from .engines import ENGINES
from .knowledge import load_knowledge
from .changes import LEVELS
from .diffreport import FORMATS
from .site import SiteResult
from .pipeline import (
    BuiltFolder, Options, Reporter, build, build_languages, build_versions, checked_model, compared, generate,
    languages_asked, load, site_language,
)
from .render import load_labels
from .project import find_config, load_project
from .scaffold import init_project
from .problems import InputError, errors, summary
from .validate import group
from .language import LANGUAGES, LanguageSource
from .versions import VersionSource, sources_from_arguments
from .words import counted

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class ConsoleReporter(Reporter):
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None

    def step(self, name: str, detail: str, seconds: float) -> None:
        if not self.quiet:
            print(f"{name:>9}  {detail}  ({seconds:.2f} s)", file=sys.stderr)

    def note(self, text: str) -> None:
        if not self.quiet:
            print(f"{'':>9}  {text}", file=sys.stderr)

    def progress(self, name: str, total: int) -> Callable[[], None]:
        if self.quiet or not sys.stderr.isatty():
            return lambda: None
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=f"{name:>9}", unit="page", leave=False, file=sys.stderr)
        return lambda: self.bar.update(1)

    def wait(self, name: str, ready: Callable[[float | None], bool]) -> None:
        if self.quiet or not sys.stderr.isatty() or ready(0):
            ready(None)
            return
        from tqdm import tqdm

        with tqdm(desc=f"{name:>9}", bar_format="{desc}  running… {elapsed}", leave=False, file=sys.stderr) as bar:
            while not ready(0.2):
                bar.refresh()

    def done_progress(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _parser() -> argparse.ArgumentParser:
    knowledge = load_knowledge()
    parser = argparse.ArgumentParser(prog="emqx-apidocs", description="Static, offline docs for the EMQX REST API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def spec_options(p: argparse.ArgumentParser, versions: bool = False) -> None:
        if versions:
            p.add_argument("--spec", action="append", metavar="[LABEL=]PATH_OR_URL",
                           help="spec file (JSON/YAML) or http(s) URL; default: the bundled sample. Repeat it with a "
                           "version label each for a site of several versions: --spec 5.8.0=A.json --spec 5.8.1=B.json")
        else:
            p.add_argument("--spec", metavar="PATH_OR_URL", help="spec file (JSON/YAML) or http(s) URL; default: the bundled sample")
        p.add_argument("--user", metavar="KEY:SECRET", help="credentials for a URL (default: $EMQX_API_KEY and $EMQX_SECRET_KEY)")
        p.add_argument("--max-size", type=int, default=DEFAULT_MAX_BYTES, metavar="BYTES", help="largest spec accepted (default 64 MiB)")
        p.add_argument("--knowledge", type=Path, metavar="FILE", help="an edited copy of the EMQX knowledge file")

    def lang_option(p: argparse.ArgumentParser, what: str, several: bool = False) -> None:
        if several:
            p.add_argument("--lang", action="append", metavar="en|zh[=PATH_OR_URL]",
                           help=f"{what} (default: the language the spec is written in, read from its text). Repeat "
                                "it for a site in several languages, SITE/en/ and SITE/zh/ with a language selector: "
                                "--lang en --lang zh; a language may name its own spec: --lang zh=emqx-zh.json")
        else:
            p.add_argument("--lang", action="append", metavar="en|zh",
                           help=f"{what} (default: the language the spec is written in, read from its text)")

    def project_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", type=Path, metavar="PATH",
                       help="your project's mkdocs.yml (default: ./mkdocs.yml when present, else the bundled project)")
        p.add_argument("--base-url", metavar="URL",
                       help=f"node address the examples default to (default {knowledge.default_base_url})")

    build = commands.add_parser("build", help="build the site (of one version, or of several)")
    spec_options(build, versions=True)
    project_options(build)
    build.add_argument("--site", type=Path, metavar="DIR", help="where the site goes (default: the project's site_dir, site/)")
    build.add_argument("--engine", choices=ENGINES, default="mkdocs",
                       help="what builds the HTML: mkdocs (default) or zensical (pip install 'emqx-apidocs[zensical]')")
    lang_option(build, "the site's language: its words, guides and search", several=True)
    build.add_argument("--strict", action="store_true", help="exit 1 without building when the spec has problems")
    build.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    generate_cmd = commands.add_parser(
        "generate", help="write only the reference's pages into your project's docs folder, for your own mkdocs/zensical build"
    )
    spec_options(generate_cmd)
    project_options(generate_cmd)
    lang_option(generate_cmd, "the reference's language")
    generate_cmd.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors and the settings to add")

    init = commands.add_parser("init", help="write a starter docs project (mkdocs.yml, docs/index.md) into DIR")
    init.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR", help="where (default: here)")

    serve = commands.add_parser("serve", help=f"build the site, serve it and forward {knowledge.base_path} to a node")
    spec_options(serve, versions=True)
    serve.add_argument("--upstream", metavar="URL", help="the node's dashboard listener, e.g. http://emqx-1:18083")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--site", type=Path, metavar="DIR", help="the site folder (default: the project's site_dir, site/)")
    serve.add_argument("--config", type=Path, metavar="PATH", help="your project's mkdocs.yml (as for build)")
    serve.add_argument("--engine", choices=ENGINES, default="mkdocs", help="as for build")
    lang_option(serve, "as for build", several=True)
    serve.add_argument("--reuse", action="store_true", help="serve the site already in --site instead of building it")
    serve.add_argument("--upstream-timeout", type=float, default=30.0, metavar="SECONDS",
                       help="how long to wait for the node's answer before a 504 (default 30)")
    serve.add_argument("--base-url", metavar="URL", help="node address the curl examples default to")
    serve.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors and the access log")

    validate = commands.add_parser("validate", help="list the spec's problems (exit 1 when there are any)")
    spec_options(validate)
    validate.add_argument("--format", choices=("text", "json"), default="text")
    lang_option(validate, "the language of the problem kinds in text output")

    diff = commands.add_parser(
        "diff", help="what changed from one spec to another: operations, credentials and roles, pagination, "
        "parameters, bodies, responses, EMQX error codes",
    )
    diff.add_argument("old", metavar="OLD", help="the older spec: a file (JSON/YAML) or an http(s) URL")
    diff.add_argument("new", metavar="NEW", help="the newer spec, the same way")
    diff.add_argument("--format", choices=tuple(FORMATS), default="text",
                      help="text (default), markdown (a release note) or json")
    diff.add_argument("--fail-on", choices=("breaking", "warning"), metavar="LEVEL",
                      help="exit 1 when there is a change of this level: breaking, or warning (a warning or a breaking one)")
    diff.add_argument("--user", metavar="KEY:SECRET", help="credentials for a URL (default: $EMQX_API_KEY and $EMQX_SECRET_KEY)")
    diff.add_argument("--max-size", type=int, default=DEFAULT_MAX_BYTES, metavar="BYTES", help="largest spec accepted (default 64 MiB)")
    diff.add_argument("--knowledge", type=Path, metavar="FILE", help="an edited copy of the EMQX knowledge file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "generate":
            return _generate(args)
        if args.command == "init":
            return _init(args)
        if args.command == "diff":
            return _diff(args)
        return _validate(args)
    except InputError as exc:
        print(f"emqx-apidocs: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("emqx-apidocs: interrupted; the previous site is unchanged", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: one line, unless asked for the traceback
        if os.environ.get("EMQX_APIDOCS_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"emqx-apidocs: internal error: {type(exc).__name__}: {first} "
            "(set EMQX_APIDOCS_DEBUG=1 for the traceback; the previous site is unchanged)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _options(args: argparse.Namespace, reporter: Reporter, spec: str | None = None) -> Options:
    """The pipeline's options; `spec` is the one spec of a repeatable --spec (build, serve)."""
    return Options(
        spec=spec if isinstance(args.spec, list) else args.spec, user=args.user, max_bytes=args.max_size,
        knowledge=args.knowledge, reporter=reporter,
        site=getattr(args, "site", None), base_url=getattr(args, "base_url", None),
        config=find_config(getattr(args, "config", None)), engine=getattr(args, "engine", "mkdocs"),
        lang=tuple(args.lang or ()),
    )


def _serve(args: argparse.Namespace) -> int:
    from .serve import ServeOptions, run

    _check_url("--upstream", args.upstream)
    project = load_project(find_config(args.config))
    site = args.site or project.site_dir
    if not (args.reuse and (site / "index.html").is_file()):
        status = _build(args)
        if status != EXIT_OK:
            return status
    operations = _operations_file(site, project.section)
    default = load_knowledge(args.knowledge).base_path
    base_path = json.loads(operations.read_text(encoding="utf-8")).get("base_path") or default
    try:
        run(ServeOptions(site=site, upstream=args.upstream, base_path=base_path,
                         host=args.host, port=args.port, timeout=args.upstream_timeout),
            print_line=lambda line: print(line, file=sys.stderr, flush=True))
    except OSError as exc:
        raise InputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK


def _operations_file(site: Path, section: str) -> Path:
    """The reference's operations.json: the site's own; in a site of several versions the
    newest version's; in a site of several languages the first language's."""
    listed = site / "versions.json"
    if listed.is_file():
        versions = json.loads(listed.read_text(encoding="utf-8"))
        newest = versions[0]["version"] if versions and isinstance(versions[0], dict) else ""
        return site / newest / section / "operations.json"
    candidates = [site / section / "operations.json"] + [site / code / section / "operations.json" for code in LANGUAGES]
    return next((path for path in candidates if path.is_file()), candidates[0])


def _check_url(flag: str, value: str | None) -> None:
    if value and not value.startswith(("http://", "https://")):
        raise InputError(f"{flag} {value!r}: must start with http:// or https://")


def _build(args: argparse.Namespace) -> int:
    _check_url("--base-url", args.base_url)
    reporter = ConsoleReporter(args.quiet)
    single, sources = sources_from_arguments(args.spec)
    options = _options(args, reporter, single)
    project = load_project(options.config)
    if single is None and not sources:
        sources = project.versions  # extra.emqx_apidocs.versions
    asked = languages_asked(options, project)
    if len(asked) > 1:
        if sources:
            raise InputError(f"{' and '.join(a.code for a in asked)} asked for with several versions: a site of "
                             "several versions is built in one language; build each language into its own --site")
        return _build_languages(args, options, asked)
    if asked and asked[0].spec:  # --lang zh=SPEC alone: that spec, in that language
        if options.spec and options.spec != asked[0].spec:
            raise InputError(f"--lang {asked[0].code}={asked[0].spec} and --spec {options.spec}: give one spec")
        options = replace(options, spec=asked[0].spec, lang=(asked[0].code,))
    if sources:
        return _build_versions(args, options, sources)
    built = build(options, strict=args.strict)
    if built.site is None:
        print(
            f"emqx-apidocs: {summary(built.api.problems)} in {built.spec.label} and --strict was given; "
            "nothing built (see `emqx-apidocs validate`)",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    return _built(args, options, built.site, counted(len(built.api.operations), "operation", "operations"))


def _build_versions(args: argparse.Namespace, options: Options, sources: tuple[VersionSource, ...]) -> int:
    built = build_versions(options, sources, strict=args.strict)
    if built.site is None:
        return _refused(built.versions)
    labels = ", ".join(v.label for v in built.versions)
    return _built(args, options, built.site, f"{counted(len(built.versions), 'version', 'versions')} ({labels})")


def _build_languages(args: argparse.Namespace, options: Options, asked: tuple[LanguageSource, ...]) -> int:
    built = build_languages(options, asked, strict=args.strict)
    if built.site is None:
        return _refused(built.languages)
    codes = ", ".join(language.label for language in built.languages)
    operations = counted(len(built.languages[0].api.operations), "operation", "operations")
    return _built(args, options, built.site, f"{operations} in {counted(len(built.languages), 'language', 'languages')} ({codes})")


def _refused(folders: tuple[BuiltFolder, ...]) -> int:
    """--strict refused a site of several folders: the first whose spec has errors."""
    failing = next(folder for folder in folders if errors(folder.api.problems))
    print(f"emqx-apidocs: {failing.label}: {summary(failing.api.problems)} in {failing.spec.label} and --strict was "
          "given; nothing built (see `emqx-apidocs validate`)", file=sys.stderr)
    return EXIT_PROBLEMS


def _built(args: argparse.Namespace, options: Options, site: SiteResult, what: str) -> int:
    """The engine's warnings, then (unless quiet) what was built and where to open it."""
    for warning in site.mkdocs_warnings:
        print(f"emqx-apidocs: {options.engine} warning: {warning}", file=sys.stderr)
    if not args.quiet:
        index = (site.site / "index.html").resolve()
        print(f"{'done':>9}  {what} in {site.site}/ — open {index.as_uri()}", file=sys.stderr)
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    _check_url("--base-url", args.base_url)
    options = _options(args, ConsoleReporter(args.quiet))
    api, generated = generate(options)
    if not args.quiet:
        print(f"{'done':>9}  {counted(len(api.operations), 'operation', 'operations')}, "
              f"{counted(generated.pages, 'file', 'files')} in {generated.folder}/",
              file=sys.stderr)
    if generated.needed:
        print("# emqx-apidocs: your mkdocs.yml still needs these settings for the reference:")
        print(generated.needed, end="")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    for line in init_project(args.dir):
        print(f"{'init':>9}  {line}", file=sys.stderr)
    print(f"{'next':>9}  cd {args.dir} && emqx-apidocs build", file=sys.stderr)
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    options = Options(user=args.user, max_bytes=args.max_size, knowledge=args.knowledge)
    comparison = compared(options, args.old, args.new)
    sys.stdout.write(FORMATS[args.format](comparison))
    if args.fail_on is None:
        return EXIT_OK
    failing = LEVELS[: LEVELS.index(args.fail_on) + 1]
    return EXIT_PROBLEMS if any(comparison.summary[level] for level in failing) else EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    options = _options(args, ConsoleReporter(quiet=True))
    spec = load(options)
    language = site_language(options, spec)
    problems = list(checked_model(options, spec, language).problems)
    if args.format == "json":
        json.dump(
            {
                "spec": spec.label,
                "count": len(problems),
                "errors": len(errors(problems)),
                "problems": [
                    {"pointer": p.pointer, "kind": p.kind, "message": p.message, "level": p.level, "source": p.source}
                    for p in problems
                ],
            },
            sys.stdout, ensure_ascii=False, indent=1,
        )
        print()
    else:
        kinds = load_labels(language=language)["problem_kinds"]
        for kind, items in group(problems):
            print(f"{kinds.get(kind, kind)} ({len(items)})")
            for p in items:
                print(f"  {p.pointer or '/'}: {p.message}{'' if p.level == 'error' else f' ({p.level})'}")
        print(f"{summary(problems)} in {spec.label}")
    return EXIT_PROBLEMS if errors(problems) else EXIT_OK
