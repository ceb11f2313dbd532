"""Static files with fingerprinted URLs, so that a browser fetches each version once.

`static_url("css/app.css")` gives /static/css/app.css?v=<first 12 hex digits of the file's
SHA-256>: a new content is a new URL. A request that carries the file's current fingerprint is
answered with a one-year, immutable cache lifetime; any other (no fingerprint, an old one) with
none, so that a stale URL never pins an old file in a cache. Fingerprints are computed once per
process (the files of a release do not change under it); in debug mode they follow the file's
modification time, so that an edited stylesheet shows at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app, request, url_for

FINGERPRINT_ARG = "v"
FINGERPRINTED_MAX_AGE = 365 * 24 * 3600

_fingerprints: dict[tuple[str, int | None], str] = {}


def fingerprint(filename: str) -> str | None:
    """The short content hash of a file of the static folder; None if there is no such file."""
    if not current_app.debug and (filename, None) in _fingerprints:
        # Every page asks for the same few files: no path resolution or stat once it is known.
        return _fingerprints[(filename, None)]
    folder = Path(current_app.static_folder).resolve()
    path = (folder / filename).resolve()
    if folder not in path.parents or not path.is_file():
        return None
    key = (filename, path.stat().st_mtime_ns if current_app.debug else None)
    found = _fingerprints.get(key)
    if found is None:
        found = _fingerprints[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return found


def static_url(filename: str) -> str:
    version = fingerprint(filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, **{FINGERPRINT_ARG: version})


def register(app) -> None:
    app.add_template_global(static_url, "static_url")
    app.get_send_file_max_age = _max_age_for

    @app.after_request
    def immutable_static(response):
        if request.endpoint == "static" and _fingerprinted(request.view_args.get("filename", "")):
            response.headers["Cache-Control"] = f"public, max-age={FINGERPRINTED_MAX_AGE}, immutable"
        return response


def _fingerprinted(filename: str) -> bool:
    asked = request.args.get(FINGERPRINT_ARG)
    return bool(asked) and asked == fingerprint(filename)


def _max_age_for(filename: str | None) -> int | None:
    """Flask's hook for send_file: long for the current fingerprint, none otherwise."""
    if filename and request and request.endpoint == "static" and _fingerprinted(filename):
        return FINGERPRINTED_MAX_AGE
    return None
