"""Browser tests: Playwright driving Debian's chromium against a real server on 127.0.0.1.

No browser can be downloaded here, so ``/usr/bin/chromium`` is launched through
``executable_path``. In CI (``CI=true``) a missing browser fails the run; elsewhere the
browser tests are skipped with the reason.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from werkzeug.serving import BaseWSGIServer, make_server

from console.auth.models import Staff
from console.permissions import Role
from tests.conftest import make_app
from tests.factories import PASSWORD, make_staff
from tests.trail import Trail

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


# When the browser drops a connection mid-response (a 304 it no longer needs, a page left
# while CSS loads), the development server's thread lets go of the static file without
# closing it; Python reports that later, at garbage collection, in whichever test runs.
# It is the test server's housekeeping, not the console's, so browser tests ignore it.
SERVER_THREAD_NOISE = (
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            for marker in SERVER_THREAD_NOISE:
                item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's chromium; required in CI, skipped with a reason elsewhere."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1280, "height": 900},
    }


@dataclass
class LiveServer:
    app: Flask
    url: str

    def path(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    """The console served from a real server thread on a free port, CSRF on."""
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["console.engine"].dispose()
    gc.collect()  # any file the server thread let go of is reported here, not in a later test


@pytest.fixture
def live_staff(live_server: LiveServer) -> Callable[..., Staff]:
    """Create staff in the live server's database: ``live_staff(role, login, name)``."""

    def factory(role: Role, login: str, name: str) -> Staff:
        return make_staff(live_server.app, role, login=login, name=name)

    return factory


@pytest.fixture
def trail(live_server: LiveServer) -> Trail:
    """The live server's audit trail (see tests/trail.py)."""
    return Trail(live_server.app)


def sign_in(page: Page, server: LiveServer, login: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(server.path("/auth/login"))
    page.get_by_label("ログインID").fill(login)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/e2e/screenshots/ (ignored by git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
