"""What every page shares: the id converter for URLs, number fields and page numbers, and the guards and
error pages that apply to every request (see `install`)."""

from flask import Flask


def install(app: Flask) -> None:
    """Register the `id` URL converter (before any blueprint), the request guards and the error pages."""
    from plaza.web import assets, errors, guards, routing

    assets.install(app)  # first: its after_request hook compresses the final body, so it must run last
    app.url_map.converters["id"] = routing.IdConverter
    guards.install(app)
    errors.install(app)
