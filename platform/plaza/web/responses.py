"""Response helpers every area shares."""

from flask import Response


def no_store(response: Response) -> Response:
    """Keep the page out of every cache (receipts, one-time codes, personal data, exports)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def attachment(body: str | bytes, content_type: str, filename: str) -> Response:
    """A file to download, never cached."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)
