"""The CLI side of fixes and baselines: `apigov lint --fix/--unsafe-fixes/--diff/--baseline` and
`apigov baseline FILE... -o baseline.json`. apigov_ls/cli.py calls these few hooks."""

from __future__ import annotations

import argparse
import difflib
import os


def add_lint_options(lint: argparse.ArgumentParser) -> None:
    lint.add_argument("--fix", action="store_true", help="apply safe fixes to the files, then report what remains")
    lint.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: also apply unsafe fixes (they change the API's contract or add placeholders)")
    lint.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of writing them (exit 1 when there is one)")
    lint.add_argument("--baseline", metavar="FILE", help="report only results not recorded in this baseline file (see `apigov baseline`)")


def register(sub) -> None:
    p = sub.add_parser("baseline", help="record today's results so that `apigov lint --baseline` reports only new ones")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or glob patterns")
    p.add_argument("-o", "--output", default="baseline.json", help="baseline file to write (default: baseline.json)")
    p.add_argument("-r", "--ruleset", help="ruleset file or built-in name (default: as `apigov lint`)")


def before_lint(args, paths: list[str], stdin_text: str | None, load_ruleset, out, err) -> int | None:
    """Apply (or show) fixes before the report. Returns an exit code when nothing else must run."""
    from apigov_ls.cli import UsageError

    fix, diff = getattr(args, "fix", False), getattr(args, "diff", False)
    if not (fix or diff):
        if getattr(args, "unsafe_fixes", False):
            raise UsageError("--unsafe-fixes needs --fix or --diff")
        return None
    if stdin_text is not None and not diff:
        raise UsageError("--fix cannot write standard input: use --diff")
    from apigov_ls.fixes.fixall import fix_document, write_fixed

    from apigov_ls.cli import ref_roots

    roots = ref_roots(paths, getattr(args, "allow_ref_root", None) or [])
    any_diff = False
    total = 0
    for path in paths:
        ruleset = load_ruleset(path)
        outcome = fix_document(path, ruleset, unsafe=args.unsafe_fixes, text=stdin_text, allowed_roots=roots,
                               max_size=getattr(args, "max_file_size", None))
        changed = outcome.changed_files()
        if diff:
            for p in changed:
                name = os.path.relpath(p) if not p.startswith("<") else p
                lines = difflib.unified_diff(
                    outcome.original[p].splitlines(True), outcome.fixed[p].splitlines(True), f"a/{name}", f"b/{name}"
                )
                for line in lines:
                    out.write(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
                any_diff = True
            continue
        written = write_fixed(outcome)
        total += len(outcome.applied)
        if not args.quiet and outcome.applied:
            skipped = sorted(set(changed) - set(written))
            err.write(f"apigov: {os.path.relpath(path)}: applied {len(outcome.applied)} fix(es)"
                      + (f" in {len(written)} file(s)" if len(written) > 1 else "") + "\n")
            for p in skipped:
                err.write(f"apigov: {os.path.relpath(p)}: changed on disk while fixing; left untouched\n")
    if diff:
        return 1 if any_diff else 0
    return None


def after_lint(args, results: list) -> list:
    """Drop results recorded in the --baseline file."""
    if not getattr(args, "baseline", None):
        return results
    from apigov_ls.baseline import BaselineError, new_results
    from apigov_ls.cli import UsageError

    try:
        return new_results(results, args.baseline)
    except BaselineError as e:
        raise UsageError(str(e)) from None


def cmd_baseline(args, load_ruleset, out, err) -> int:
    from apigov_ls.baseline import write_baseline
    from apigov_ls.cli import UsageError, expand_paths
    from apigov_ls.document.model import FileError, FileLoader
    from apigov_ls.lint import lint_file

    from apigov_ls.cli import ref_roots

    paths = expand_paths(args.paths)
    if not paths:
        raise UsageError("no API descriptions found in " + ", ".join(args.paths))
    # the same $ref confinement as `apigov lint`
    loader = FileLoader(allowed_roots=ref_roots(paths, getattr(args, "allow_ref_root", None) or []))
    results = []
    for path in paths:
        try:
            results.extend(lint_file(path, load_ruleset(path), loader=loader).results)
        except FileError as e:
            raise UsageError(str(e)) from None
    count = write_baseline(results, args.output)
    err.write(f"apigov: wrote {count} result(s) of {len(paths)} file(s) to {args.output}\n")
    return 0

