"""Static files and response size: compression, versioned static URLs with a year-long cache, the favicon.

- HTML, CSS, JavaScript, JSON and SVG are sent compressed (brotli or gzip, as the browser asks) by
  Flask-Compress. A page that carries a CSRF token and answers a query string (a search, a `next`) is
  sent uncompressed: compressing a secret next to text an attacker chooses would let the compressed size
  reveal the secret (BREACH). Static files are read whole before they are compressed, so that they keep their
  `Content-Length` and a strong ETag (with the encoding appended). Other streamed responses (uploaded
  files) and downloads (CSV, calendar files) are sent as they are.
- `url_for('static', filename=...)` adds `?v=<hash of the file's content>`; a static file asked for with
  the current hash may be cached for a year (`immutable`), since a changed file gets a new URL.
- `/favicon.ico`, which browsers ask for on their own, answers with Plaza's icon instead of a 404.
"""

import hashlib
from pathlib import Path

from flask import Flask, current_app, g, request, send_from_directory
from flask_compress import Compress

COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                    "application/json", "image/svg+xml"]
YEAR = 365 * 24 * 60 * 60
HASH_LENGTH = 12

compress = Compress()


class StaticVersions:
    """The content hash of each static file, computed once; with `recheck`, again whenever the file's
    modification time or size changes (development, where the stylesheet is being edited)."""

    def __init__(self, recheck: bool) -> None:
        self.recheck = recheck
        self._known: dict[Path, tuple[tuple[int, int] | None, str | None]] = {}

    def of(self, folder: str | None, filename: str) -> str | None:
        """The file's hash, or None when there is no such file (the URL is then left as it is)."""
        if not folder:
            return None
        path = (Path(folder) / filename).resolve()
        if not path.is_relative_to(Path(folder).resolve()):
            return None
        known = self._known.get(path)
        if known is not None and not self.recheck:
            return known[1]
        try:
            stat = path.stat()
        except OSError:
            self._known[path] = (None, None)
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
        except OSError:  # a folder, or unreadable
            digest = None
        self._known[path] = (stamp, digest)
        return digest


def install(app: Flask) -> None:
    """Register compression (as the last step of every response), static versions and the favicon."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_REGISTER", False)  # our own hook decides what may be compressed
    compress.init_app(app)
    versions = StaticVersions(recheck=app.config.get("PLAZA_STATIC_RECHECK", False))
    app.extensions["plaza_static_versions"] = versions

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = versions.of(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    # Registered before every other after_request hook of the app, so it runs after them (Flask runs them
    # in reverse order): the body is final when it is compressed.
    @app.after_request
    def compress_response(response):
        if request.endpoint == "static":
            response = _cache_versioned(response, versions)
        if response.status_code != 200 or (request.query_string and "csrf_token" in g):
            return response
        if response.is_streamed:
            if request.endpoint != "static" or response.mimetype not in compress.compress_mimetypes_set:
                return response
            response.direct_passthrough = False
            response.make_sequence()  # a static text file is small: read it, and keep its length
        return compress.after_request(response)

    app.add_url_rule("/favicon.ico", "favicon", favicon)


def _cache_versioned(response, versions: StaticVersions):
    """A static file asked for with its current hash never changes at that URL: let browsers keep it."""
    asked = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    if response.status_code in (200, 304) and asked and filename \
            and asked == versions.of(current_app.static_folder, filename):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def favicon():
    """Browsers ask for /favicon.ico whatever the page says: answer with the icon, cached for a day."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=24 * 60 * 60)
