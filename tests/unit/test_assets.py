"""Compression, versioned static URLs with a long cache, and the favicon (plaza.web.assets)."""

import gzip
import hashlib
import io

import brotli
import pytest
from flask import send_file, url_for

from plaza.web.responses import attachment

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def get(client, path, encoding=None, **headers):
    if encoding:
        headers["Accept-Encoding"] = encoding
    return client.get(path, headers=headers)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize("path", ["/", "/static/plaza.css"])
def test_pages_and_stylesheet_come_compressed_when_the_browser_asks(client, path, encoding):
    plain = get(client, path)
    packed = get(client, path, f"{encoding}, identity;q=0.5")
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == encoding
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    assert DECODE[encoding](packed.data) == plain.data
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    assert packed.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/static/plaza.css"])
def test_without_accept_encoding_the_response_is_sent_as_it_is(client, path):
    for response in (get(client, path), get(client, path, "identity"), get(client, path, "compress")):
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert int(response.headers["Content-Length"]) == len(response.data)


def test_a_page_with_a_csrf_token_answering_a_query_string_is_not_compressed(client):
    """Against BREACH: the token must not be compressed together with text taken from the URL."""
    searched = get(client, "/processes/?q=" + "guess" * 200, "br, gzip")
    assert searched.status_code == 200 and 'name="csrf_token"' in searched.get_data(as_text=True)
    assert "Content-Encoding" not in searched.headers
    assert get(client, "/processes/", "br, gzip").headers["Content-Encoding"] == "br"
    assert get(client, "/static/plaza.css?v=1", "br").headers["Content-Encoding"] == "br"


def test_brotli_is_preferred_when_the_browser_accepts_both(client):
    assert get(client, "/", "gzip, deflate, br").headers["Content-Encoding"] == "br"
    assert get(client, "/", "gzip;q=1.0, br;q=0.5").headers["Content-Encoding"] == "gzip"


def test_compressed_stylesheet_keeps_a_strong_etag_that_revalidates(client):
    first = get(client, "/static/plaza.css", "br")
    etag = first.headers["ETag"]
    assert etag.endswith(':br"') and not etag.startswith("W/")
    again = get(client, "/static/plaza.css", "br", **{"If-None-Match": etag})
    assert again.status_code == 304
    assert get(client, "/static/plaza.css", "gzip", **{"If-None-Match": etag}).status_code == 200


def test_downloads_and_streamed_files_are_not_compressed(app, client):
    table = "district,votes\n" + "Old Town,12\n" * 500

    def export():
        return attachment(table, "text/csv; charset=utf-8", "result.csv")

    def streamed():
        return send_file(io.BytesIO(("<p>page</p>" * 500).encode()), mimetype="text/html")

    app.add_url_rule("/test-export", "test_export", export)
    app.add_url_rule("/test-streamed", "test_streamed", streamed)
    for path in ("/test-export", "/test-streamed"):
        response = get(client, path, "gzip, br")
        assert "Content-Encoding" not in response.headers, path
        assert int(response.headers["Content-Length"]) == len(response.data) >= 5000
    assert get(client, "/test-export", "gzip").headers["Cache-Control"] == "no-store"


def test_favicon_ico_is_answered_with_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data.startswith(b"\x00\x00\x01\x00")  # an ICO header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


@pytest.fixture
def static_folder(app, tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "site.css").write_text("body { color: black; }")
    app.static_folder = str(folder)
    return folder


def static_url(app, filename="site.css"):
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_static_urls_carry_a_hash_of_the_file(app, static_folder):
    digest = hashlib.sha256(b"body { color: black; }").hexdigest()[:12]
    assert static_url(app) == f"/static/site.css?v={digest}"
    assert static_url(app, "missing.css") == "/static/missing.css"


def test_in_development_the_static_url_changes_when_the_file_changes(app, static_folder):
    app.extensions["plaza_static_versions"].recheck = True
    before = static_url(app)
    (static_folder / "site.css").write_text("body { color: navy; }")
    after = static_url(app)
    assert before != after
    assert after.endswith(hashlib.sha256(b"body { color: navy; }").hexdigest()[:12])


def test_in_production_the_hash_is_computed_once(app, static_folder):
    app.extensions["plaza_static_versions"].recheck = False
    before = static_url(app)
    (static_folder / "site.css").write_text("body { color: navy; }")
    assert static_url(app) == before


def test_static_files_with_their_current_hash_are_cached_for_a_year(app, client, static_folder):
    versioned = client.get(static_url(app))
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for other in ("/static/site.css", "/static/site.css?v=0123456789ab"):
        response = client.get(other)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", ""), other


def test_pages_link_the_versioned_stylesheet(client):
    page = client.get("/").get_data(as_text=True)
    digest = hashlib.sha256(client.get("/static/plaza.css").data).hexdigest()[:12]
    assert f"/static/plaza.css?v={digest}" in page
