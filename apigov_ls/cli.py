"""`apigov`: lint OpenAPI descriptions from the command line (CI, pre-commit, scripts).

Exit codes: 0 no result at or above --fail-severity; 1 there are; 2 usage error, unreadable
file, invalid ruleset, or a file that is not an API description (unless --ignore-unknown-format).
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from typing import Sequence

from apigov_ls import __version__
from apigov_ls.engine.types import LintResult, RulesetError, Severity

DESCRIPTION_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = {".git", "node_modules", "__pycache__", ".venv", "venv", ".tox"}
DEFAULT_CACHE_DIR = ".apigov_cache"


class UsageError(Exception):
    """One line for stderr; exit code 2."""


def _severity_arg(value: str) -> Severity:
    try:
        sev = Severity.parse(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if sev is None:
        raise argparse.ArgumentTypeError("fail severity cannot be 'off'")
    return sev


def _size_arg(value: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024}
    text = value.strip().lower().removesuffix("b")
    scale = units.get(text[-1:], 1)
    try:
        size = int(float(text[:-1] if scale > 1 else text) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (use bytes, or e.g. 512K, 20M)") from None
    if size <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return size


def _jobs_arg(value: str) -> int:
    """A number of processes; 0 and 'auto' mean one per CPU."""
    text = value.strip().lower()
    if text == "auto":
        return 0
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of jobs: {value!r} (use N >= 1, or 0 / auto for one per CPU)") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError("the number of jobs cannot be negative")
    return jobs


def resolve_jobs(requested: int | None) -> int:
    """--jobs, else $APIGOV_JOBS, else one per CPU (as ruff: batch linting in CI is the common case)."""
    if requested is None:
        env = os.environ.get("APIGOV_JOBS", "").strip()
        try:
            requested = _jobs_arg(env) if env else 0
        except argparse.ArgumentTypeError as e:
            raise UsageError(f"APIGOV_JOBS: {e}") from None
    from apigov_ls.parallel import cpu_count

    return requested or cpu_count()


def ref_roots(paths: Sequence[str], extra: Sequence[str]) -> list[str]:
    """Folders $refs may read from: the current folder, each linted file's folder (and below), --allow-ref-root.

    A description from an untrusted repository must not pull ~/.ssh/id_rsa into a report through
    `$ref: ../../../../home/me/.ssh/id_rsa`; refs elsewhere get a diagnostic instead."""
    roots = [os.getcwd(), *(os.path.abspath(d) for d in extra)]
    roots += [os.path.dirname(os.path.abspath(p)) for p in paths if not p.startswith("<")]
    return list(dict.fromkeys(roots))


def build_parser() -> argparse.ArgumentParser:
    from apigov_ls.reporters import FORMATS

    parser = argparse.ArgumentParser(prog="apigov", description="API governance and security linter for OpenAPI descriptions")
    parser.add_argument("--version", action="version", version=f"apigov {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    lint = sub.add_parser(
        "lint", help="lint API descriptions (files, folders, globs)",
        epilog="Results cache: results of files whose content, $ref'd files, ruleset files and apigov version "
               "are unchanged are reused from the cache folder (.apigov_cache, with a .gitignore and a CACHEDIR.TAG); "
               "--baseline, -F, -D and the format apply afterwards. Standard input is never cached.",
    )
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files, folders or glob patterns ('-' or none with --stdin-filepath: standard input)")
    lint.add_argument("-r", "--ruleset", help="ruleset file or built-in name (default: nearest .spectral.yaml/.yml/.json, else apigov:recommended)")
    lint.add_argument("-f", "--format", default="stylish", choices=FORMATS, help="output format (default: stylish)")
    lint.add_argument("-o", "--output", help="write the report to this file instead of standard output")
    lint.add_argument("-F", "--fail-severity", type=_severity_arg, default=Severity.ERROR, metavar="SEVERITY",
                      help="exit 1 when a result is at or above this severity: error, warn, info, hint (default: error)")
    lint.add_argument("-D", "--display-only-failures", action="store_true", help="show only results at or above --fail-severity")
    lint.add_argument("-q", "--quiet", action="store_true", help="print nothing but the results")
    lint.add_argument("--stdin-filepath", metavar="NAME", help="lint standard input, reported under this file name")
    lint.add_argument("--ignore-unknown-format", action="store_true", help="do not fail on files that are not API descriptions")
    lint.add_argument("--no-color", action="store_true", help="no colours in stylish output")
    lint.add_argument("--max-file-size", type=_size_arg, default=None, metavar="SIZE",
                      help="files larger than this are not parsed (bytes, or with a K/M suffix; default 20M)")
    lint.add_argument("--allow-ref-root", action="append", default=[], metavar="DIR",
                      help="$refs may also read files under DIR (by default only the current folder and the linted files' folders)")
    lint.add_argument("-j", "--jobs", type=_jobs_arg, default=None, metavar="N",
                      help="lint files in N processes; 0 or 'auto': one per CPU (default: auto, or $APIGOV_JOBS); "
                           "the report is the same as with -j 1")
    lint.add_argument("--no-cache", action="store_true",
                      help="neither read nor write the results cache (by default results of unchanged files, "
                           "with an unchanged ruleset, are reused)")
    lint.add_argument("--cache-dir", metavar="DIR",
                      help=f"where the results cache lives (default: $APIGOV_CACHE_DIR, else {DEFAULT_CACHE_DIR} in the current folder)")
    lint.add_argument("-v", "--verbose", action="store_true", help="print how many files came from the cache, jobs and time on standard error")
    from apigov_ls import cli_rules  # rules, explain, score; lint's --score-weights/--min-score

    cli_rules.add_score_options(lint)
    cli_rules.register(sub)
    from apigov_ls.fixes import cli as fix_cli  # lint --fix/--unsafe-fixes/--diff/--baseline; baseline

    fix_cli.add_lint_options(lint)
    fix_cli.register(sub)
    return parser


def expand_paths(patterns: Sequence[str]) -> list[str]:
    """Files named, files under folders (those that look like API descriptions), and glob matches."""
    out: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        ap = os.path.abspath(path)
        if ap not in seen:
            seen.add(ap)
            out.append(ap)

    for pattern in patterns:
        if os.path.isdir(pattern):
            for folder, dirs, files in os.walk(pattern):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    full = os.path.join(folder, name)
                    if name.lower().endswith(DESCRIPTION_SUFFIXES) and sniff_api_description(full):
                        add(full)
        elif os.path.exists(pattern) or not glob.has_magic(pattern):
            add(pattern)
        else:
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                raise UsageError(f"{pattern}: no files match")
            for m in matches:
                if os.path.isfile(m):
                    add(m)
    return out


def sniff_api_description(path: str) -> bool:
    """Cheap check of the first bytes for a root `openapi`/`swagger` key (folder scans skip fragments)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    import re

    return bool(re.search(r'(^|\n)\s*["\']?(openapi|swagger)["\']?\s*:', head))


def _load_ruleset(explicit: str | None, target: str, cache: dict):
    from apigov_ls.engine.ruleset import discover_ruleset, load_ruleset

    where = discover_ruleset(target, explicit)
    if where not in cache:
        cache[where] = load_ruleset(where)
    return where, cache[where]


def cmd_lint(args: argparse.Namespace, out, err) -> int:
    from apigov_ls.document.model import STDIN, FileLoader
    from apigov_ls.reporters import render

    stdin_text = None
    paths: list[str]
    if args.stdin_filepath or args.paths in ([], ["-"]):
        if not args.stdin_filepath and not args.paths:
            raise UsageError("no files given (pass PATH..., or '-' / --stdin-filepath NAME to read standard input)")
        stdin_text = sys.stdin.read()
        paths = [os.path.abspath(args.stdin_filepath) if args.stdin_filepath else STDIN]
    else:
        paths = expand_paths(args.paths)
        if not paths:
            raise UsageError("no API descriptions found in " + ", ".join(args.paths))

    cache: dict = {}
    from apigov_ls.fixes import cli as fix_cli

    def ruleset_for(path: str):
        return _load_ruleset(args.ruleset, path if path != STDIN else os.path.join(os.getcwd(), "stdin"), cache)[1]

    done = fix_cli.before_lint(args, paths, stdin_text, ruleset_for, out, err)
    if done is not None:
        return done
    from apigov_ls.document.parse import DEFAULT_MAX_SIZE

    max_size = args.max_file_size or DEFAULT_MAX_SIZE
    allowed = ref_roots(paths, args.allow_ref_root)
    loader = FileLoader(allowed_roots=allowed, max_size=max_size)
    from apigov_ls.engine.ruleset import discover_ruleset

    wheres = [discover_ruleset(p if p != STDIN else os.path.join(os.getcwd(), "stdin"), args.ruleset) for p in paths]
    rulesets_used = set(wheres)
    results_cache = None
    if not args.no_cache and stdin_text is None:
        from apigov_ls.cache import ResultsCache, cache_dir

        results_cache = ResultsCache(cache_dir(args.cache_dir), max_size=max_size,
                                     load_ruleset=lambda where: _load_ruleset(where, where, cache)[1])
    started = time.perf_counter()
    outcomes, stats = _lint_outcomes(args, paths, wheres, cache, results_cache, loader, stdin_text, allowed, max_size)
    results: list[LintResult] = []
    unknown: list[str] = []
    for outcome in outcomes:
        if outcome.unknown:
            unknown.append(outcome.path)
        results.extend(outcome.results)
    if args.verbose:
        err.write(f"apigov: {len(paths)} file(s): {stats}; {time.perf_counter() - started:.2f}s\n")

    results = fix_cli.after_lint(args, results)
    if not args.quiet:
        for where in sorted(rulesets_used):
            names = cache[where].custom_functions if where in cache else results_cache.ruleset_info(where)[1]
            if names:
                err.write(f"apigov: {where}: loaded custom functions: {', '.join(names)}\n")

    shown = [r for r in results if r.severity <= args.fail_severity] if args.display_only_failures else results
    color = args.format == "stylish" and not args.no_color and not args.output and out.isatty() and "NO_COLOR" not in os.environ
    from apigov_ls.cli_rules import scores_summary
    from apigov_ls.score import score_results

    scores = [score_results(o.results, operations=o.operations, weights=args.score_weights, source=o.path) for o in outcomes]
    summary, score_failures = scores_summary(args, scores)
    summary = summary if args.format == "stylish" and not args.quiet else None
    text = render(args.format, shown, files=paths, color=color, cwd=os.getcwd(), fail_severity=args.fail_severity, summary=summary)
    if not shown and args.format == "stylish" and not args.quiet:
        from apigov_ls.reporters import no_results_message

        text = no_results_message(args.fail_severity) + ("\n" + summary if summary else "")
    if args.output:
        from apigov_ls.fsutil import write_atomic

        write_atomic(args.output, text)
    elif text:
        out.write(text if text.endswith("\n") else text + "\n")

    if unknown and not args.ignore_unknown_format:
        for path in unknown:
            err.write(f"apigov: {os.path.relpath(path)}: not an OpenAPI 2.0/3.x description (use --ignore-unknown-format to skip it)\n")
        return 2
    for line in score_failures:
        err.write(f"apigov: {line}\n")
    failing = any(r.severity <= args.fail_severity for r in results) or bool(score_failures)
    return 1 if failing else 0


def _lint_outcomes(args, paths, wheres, rulesets: dict, results_cache, loader, stdin_text, allowed, max_size):
    """Every path's FileOutcome in order: from the cache when valid, else linted (in processes with
    --jobs > 1). Raises UsageError for the first file, in order, that cannot be read."""
    from apigov_ls.outcome import lint_outcome

    outcomes: list = [None] * len(paths)
    if results_cache is not None:
        for i, path in enumerate(paths):
            outcomes[i] = results_cache.lookup(path, wheres[i], loader)
    todo = [i for i, o in enumerate(outcomes) if o is None]
    for where in dict.fromkeys(wheres[i] for i in todo):
        _load_ruleset(where, where, rulesets)  # once here: forked workers inherit it
    jobs = min(resolve_jobs(args.jobs), len(todo))
    if jobs > 1:
        from apigov_ls.parallel import LintJob, WorkerDied, lint_parallel

        job = LintJob(args.ruleset, tuple(allowed), max_size, os.getcwd())
        try:
            for i, outcome in zip(todo, lint_parallel([paths[i] for i in todo], job, jobs)):
                outcomes[i] = outcome
        except WorkerDied as e:
            raise UsageError(str(e)) from None
    else:
        for i in todo:
            outcomes[i] = lint_outcome(paths[i], rulesets[wheres[i]], loader=loader, text=stdin_text)
            if outcomes[i].error is not None:
                raise UsageError(outcomes[i].error)
    for i in todo:
        if outcomes[i].error is not None:
            raise UsageError(outcomes[i].error)
        if results_cache is not None:
            results_cache.store(outcomes[i], wheres[i])
    if results_cache is None:
        stats = f"{len(todo)} linted (cache off)"
    else:
        stats = f"{results_cache.hits} from the cache, {len(todo)} linted, {results_cache.writes} cached in {results_cache.directory}"
    return outcomes, stats + f" with {max(jobs, 1)} job(s)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    if args.command is None:
        parser.print_help(err)
        return 2
    try:
        if args.command == "lint":
            return cmd_lint(args, out, err)
        if args.command == "baseline":
            from apigov_ls.fixes import cli as fix_cli

            return fix_cli.cmd_baseline(args, lambda p: _load_ruleset(args.ruleset, p, {})[1], out, err)
        from apigov_ls import cli_rules

        if args.command in cli_rules.COMMANDS:
            return cli_rules.run(args, out, err)
    except UsageError as e:
        err.write(f"apigov: {e}\n")
        return 2
    except RulesetError as e:
        err.write(f"apigov: invalid ruleset: {e}\n")
        return 2
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
