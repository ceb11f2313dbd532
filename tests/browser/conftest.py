"""Real-browser fixtures: the app served over HTTP, Debian's Chromium driven by Playwright, axe-core.

The app is the one of tests/conftest.py's `app` fixture, with CSRF enabled so that the browser
submits real forms. Each test gets its own database (the `database_url` fixture), its own server,
and a fresh browser context; the browser itself is started once per session.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask, send_file
from werkzeug.serving import make_server

from mobility import create_app
from mobility.extensions import db
from tests.browser.helpers import AXE_SCRIPT_FILE, AXE_SCRIPT_PATH, login
from tests.conftest import base_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium keeps calling home and floods the closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a loaded 2-core machine, short enough to fail fast when a selector is wrong.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(database_url, tmp_path):
    app = create_app({**base_config(tmp_path, database_url), "WTF_CSRF_ENABLED": True})
    app.add_url_rule(
        AXE_SCRIPT_PATH,
        "tests_axe_script",
        lambda: send_file(AXE_SCRIPT_FILE, mimetype="text/javascript", max_age=3600),
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown() waits for the loop to notice, 0.5 s by default.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def make_data(live_server):
    """Run a factory (or any callable) inside the live app, and return plain values from it."""

    def run(build):
        with live_server.app.app_context():
            return build()

    return run


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # The Content-Security-Policy forbids inline scripts and styles: a page that relies on one
    # is broken for real users, and Chromium says so on the console.
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(f"{message.type}: {message.text}")
        if "Content Security Policy" in message.text
        else None,
    )
    yield page
    context.close()
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


def _create_person(role: str) -> dict:
    """A person of the given role, with what their pages need; plain values only."""
    from tests.factories import BeneficiaryFactory, UserFactory

    if role == "beneficiary":
        user = UserFactory(beneficiary=True, full_name="Bénéficiaire Test")
        BeneficiaryFactory(user=user, first_name="Bénéficiaire", last_name="Test", licence_b=True)
    elif role == "referent":
        user = UserFactory(full_name="Référent Test")
    elif role == "fleet":
        user = UserFactory(fleet=True, full_name="Gestion Test")
    elif role == "admin":
        user = UserFactory(admin=True, full_name="Admin Test")
    else:
        raise ValueError(role)
    return {"id": user.id, "email": user.email, "full_name": user.full_name}


@pytest.fixture
def signed_in(page, make_data):
    """Create a person of a role and log them in through the login form; returns the person."""

    def sign_in(role: str) -> dict:
        person = make_data(lambda: _create_person(role))
        login(page, person["email"])
        return person

    return sign_in
