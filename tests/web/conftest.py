"""Fixtures of the web tests: settings with two users, the application served for real, a real browser.

``live_server`` runs uvicorn on a free loopback port in a thread against the ``database_url`` database.
``browser`` is Debian's /usr/bin/chromium driven by Playwright (never ``playwright install``); without it
the browser tests skip locally and FAIL in CI (``CI`` set). ``page`` records every request URL and, after
the test, asserts that none left 127.0.0.1.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.utils.services import make_settings, migrated
from worker.settings import Settings

CI = bool(os.environ.get("CI"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
PASSWORDS = {"zhang": "operator-口令-1", "li": "viewer-口令-2"}


def cheap_hash(password: str) -> str:
    """A password hash of our scheme (``scrypt$<n>$<r>$<p>$<salt>$<hash>``) at a low cost n=2**10.

    The scheme carries its cost, so the application verifies it for real (worker/web/auth.py): the test users'
    logins (a hundred in the suite) then take milliseconds instead of a production scrypt each. The production
    cost is exercised by ``nianbao web hash-password`` (tests/web/test_routes.py) and by unknown user names.
    """
    import base64
    import hashlib

    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**10, r=8, p=1, dklen=32)
    return "$".join(["scrypt", str(2**10), "8", "1", base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


@lru_cache(maxsize=1)
def _users() -> list[dict[str, str]]:
    return [
        {"name": "zhang", "password_hash": cheap_hash(PASSWORDS["zhang"]), "role": "operator"},
        {"name": "li", "password_hash": cheap_hash(PASSWORDS["li"]), "role": "viewer"},
    ]


def web_settings_for(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    """Migrated settings with the two test users (operator ``zhang``, viewer ``li``) unless overridden."""
    values: dict[str, Any] = {"web_users": _users(), "web_secret_key": "test-secret-key-0123456789"}
    values.update(overrides)
    return migrated(make_settings(tmp_path, database_url, **values))


@pytest.fixture
def web_settings(tmp_path: Path, database_url: str) -> Settings:
    return web_settings_for(tmp_path, database_url)


@pytest.fixture
def live_server(web_settings: Settings) -> Iterator[str]:
    """The application served by uvicorn on 127.0.0.1:<free port>; yields its base URL (no slash)."""
    from worker.web.server import server_for

    server = server_for(web_settings, address="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, name="test-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (run .ci/setup-system)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        reason = f"playwright is not installed: {exc}"
    if reason is not None:
        if CI:
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A browser page plus every request URL it made."""

    page: Any
    base: str
    requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def login(self, name: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", PASSWORDS[name])
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base + "/reports")

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture
def visit(browser: Any, live_server: str) -> Iterator[Visit]:
    """A fresh browser context at 1366x768 on the live server; no request may leave the loopback."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    visit = Visit(page=page, base=live_server)
    page.on("request", lambda request: visit.requests.append(request.url))
    yield visit
    context.close()
    assert visit.requests, "the page made no request at all"
    outside = [u for u in visit.requests if urlsplit(u).hostname != "127.0.0.1"]
    assert outside == [], f"requests left the loopback: {outside}"


def viewer_client(settings: Settings) -> Any:
    """A TestClient of the app logged in as the viewer ``li``."""
    from fastapi.testclient import TestClient

    from worker.web.app import create_app

    client = TestClient(create_app(settings), base_url="http://127.0.0.1")
    html = client.get("/login").text
    token = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"name": "li", "password": PASSWORDS["li"], "next": "/", "csrf_token": token})
    return client


def listed_ids(html: str) -> list[int]:
    """The report ids of a report-list page, in order."""
    import re

    return [int(i) for i in re.findall(r'<tr data-report="(\d+)">', html)]
