"""npm packages: resolving `extends: "@scope/name[/file]"` as Node does, and the fallback install
of Spectral's function and format packages for JavaScript functions whose ruleset lacks them.

Resolution needs no Node.js: a package published as YAML (`@baloise/spectral-rules/zalando.yml`)
loads without it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from typing import Any, Callable

from apigov_ls.engine.js import runtime

#: the packages a Spectral function may import; installed into the fallback folder on demand
FALLBACK_PACKAGES = {"@stoplight/spectral-functions": "1.11.1", "@stoplight/spectral-formats": "1.9.0"}
#: conditions of package.json `exports`, in the order Spectral's CommonJS loading takes them
CONDITIONS = ("require", "node", "default", "import")
_NAME = re.compile(r"^(@[^/\s]+/[^/\s]+|[^@/\s][^/\s]*)(?:/(.+))?$")


class PackageNotFound(LookupError):
    pass


def looks_like_package(ref: str) -> bool:
    return not ref.startswith((".", "/", "~")) and "://" not in ref and bool(_NAME.match(ref))


def resolve_package(spec: str, from_dir: str) -> str:
    """The file `spec` names, looked up in node_modules folders from `from_dir` upwards."""
    m = _NAME.match(spec)
    if not m:
        raise PackageNotFound(f'"{spec}" is not a package name')
    name, subpath = m.group(1), m.group(2)
    folder = os.path.abspath(from_dir)
    searched = []
    while True:
        pkg_dir = os.path.join(folder, "node_modules", name)
        searched.append(os.path.join(folder, "node_modules"))
        if os.path.isdir(pkg_dir):
            return _entry(pkg_dir, subpath, spec)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    raise PackageNotFound(
        f'npm package "{name}" is not installed in any node_modules folder above {from_dir} '
        f'(run `npm install {name}` next to the ruleset)'
    )


def _entry(pkg_dir: str, subpath: str | None, spec: str) -> str:
    try:
        with open(os.path.join(pkg_dir, "package.json"), encoding="utf-8") as fh:
            pkg = json.load(fh)
    except (OSError, ValueError):
        pkg = {}
    exports = pkg.get("exports")
    if exports is not None:
        target = _match_exports(exports, "./" + subpath if subpath else ".")
        if target is not None:
            return os.path.normpath(os.path.join(pkg_dir, target))
        raise PackageNotFound(f'"{spec}": the package does not export {"./" + subpath if subpath else "its entry"}')
    if subpath:
        found = _as_file_or_dir(os.path.join(pkg_dir, subpath))
    else:
        main = pkg.get("main") or "index.js"
        found = _as_file_or_dir(os.path.join(pkg_dir, main)) or _as_file_or_dir(os.path.join(pkg_dir, "index.js"))
    if found is None:
        raise PackageNotFound(f'"{spec}": no such file in {pkg_dir}')
    return found


def _as_file_or_dir(path: str) -> str | None:
    for candidate in (path, path + ".js", path + ".json", os.path.join(path, "index.js")):
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
    return None


def _match_exports(exports: Any, subpath: str) -> str | None:
    if isinstance(exports, (str, list)) or (isinstance(exports, dict) and not any(k.startswith(".") for k in exports)):
        return _condition(exports) if subpath == "." else None
    if not isinstance(exports, dict):
        return None
    if subpath in exports:
        return _condition(exports[subpath])
    for key, value in exports.items():  # "./rules/*": "./dist/rules/*.js"
        if "*" in key:
            head, tail = key.split("*", 1)
            if subpath.startswith(head) and subpath.endswith(tail) and len(subpath) >= len(head) + len(tail):
                star = subpath[len(head): len(subpath) - len(tail)]
                target = _condition(value)
                return target.replace("*", star) if target else None
    return None


def _condition(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((t for t in map(_condition, value) if t), None)
    if isinstance(value, dict):
        for cond in CONDITIONS:
            if cond in value:
                found = _condition(value[cond])
                if found:
                    return found
    return None


# -- the fallback install -----------------------------------------------------------------------
_install_lock = threading.Lock()
_MISSING = re.compile(r"Cannot find (?:module|package) '(@stoplight/spectral-(?:functions|formats))")


def fallback_installed() -> bool:
    base = os.path.join(runtime.fallback_dir(), "node_modules")
    return all(os.path.isfile(os.path.join(base, p, "package.json")) for p in FALLBACK_PACKAGES)


def install_fallback() -> str:
    """npm-install the pinned Spectral packages into the fallback folder (once); returns the folder."""
    folder = runtime.fallback_dir()
    with _install_lock:
        if fallback_installed():
            return folder
        npm = shutil.which("npm")
        if npm is None:
            raise runtime.JSRuntimeMissing(
                "a JavaScript function imports @stoplight/spectral-functions or -formats, which its ruleset does not "
                f"install, and npm is not available to install them into {folder}: run `npm install "
                + " ".join(f"{p}@{v}" for p, v in FALLBACK_PACKAGES.items()) + "` next to the ruleset"
            )
        os.makedirs(folder, exist_ok=True)
        manifest = os.path.join(folder, "package.json")
        if not os.path.exists(manifest):
            with open(manifest, "w", encoding="utf-8") as fh:  # keeps npm from walking up
                json.dump({"name": "apigov-ls-js-fallback", "private": True}, fh)
        cmd = [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact",
               *(f"{p}@{v}" for p, v in FALLBACK_PACKAGES.items())]
        done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not fallback_installed():
            raise runtime.JSError(f"npm could not install the fallback packages into {folder}: {done.stderr.strip()[-500:]}")
        return folder


def with_fallback(action: Callable[[], Any]) -> Any:
    """Run `action`; when it fails on a missing Spectral package, install the fallback and retry once."""
    try:
        return action()
    except runtime.JSError as err:
        if not _MISSING.search(str(err)) or fallback_installed():
            raise
    install_fallback()
    return action()
