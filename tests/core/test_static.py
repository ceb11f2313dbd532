"""Static files: fingerprinted URLs that change with the content, cached for a year."""

from __future__ import annotations

import os
import re
from pathlib import Path

from mobility.core.static import FINGERPRINTED_MAX_AGE


def _stylesheet_url(client) -> str:
    page = client.get("/connexion").get_data(as_text=True)
    return re.search(r'<link rel="stylesheet" href="([^"]+app\.css[^"]*)"', page).group(1)


def test_pages_link_the_stylesheet_by_a_fingerprinted_url_cached_for_a_year(client):
    url = _stylesheet_url(client)
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", url)
    response = client.get(url)
    assert response.status_code == 200
    assert f"max-age={FINGERPRINTED_MAX_AGE}" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]


def test_a_stale_or_missing_fingerprint_is_not_cached_for_long(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" not in response.headers.get("Cache-Control", "")


def test_the_url_changes_with_the_content_of_the_file(make_app, tmp_path):
    app = make_app(DEBUG=True)  # in debug the fingerprint follows the file; a release is a new process
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    stylesheet = folder / "css" / "app.css"
    stylesheet.write_text("body { color: black; }")
    app.static_folder = str(folder)
    client = app.test_client()
    before = _stylesheet_url(client)
    stylesheet.write_text("body { color: navy; }")
    stat = stylesheet.stat()
    os.utime(stylesheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = _stylesheet_url(client)
    assert before != after
    assert client.get(after).get_data(as_text=True) == Path(stylesheet).read_text()
    assert "immutable" in client.get(after).headers["Cache-Control"]
    assert "immutable" not in client.get(before).headers.get("Cache-Control", "")
