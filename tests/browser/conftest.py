"""The portal in a real browser: a real server (``isupport serve`` on a free port, its own SQLite file,
instance and index folders, demo data loaded once per session) driven by Debian's Chromium through
Playwright. Every page a journey opens fails the test on a console error, an uncaught script error, a
failed request or an unexpected 4xx/5xx response. Screenshots go to ``screenshots/<journey>/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT
from tests.conftest import require

DEMO_PASSWORD = "isupport2026"  # app/accounts/demo.py
SCREENSHOT_ROOT = Path(os.environ.get("ISUPPORT_SCREENSHOT_DIR") or PROJECT_ROOT / "screenshots")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SERVER_START_SECONDS = 120
STEP_TIMEOUT_MS = 15_000
# Chromium asks every site for /favicon.ico on its own; the page frame declares no icon yet, so that
# request 404s. It is the browser's request, not the page's: the only error a journey tolerates.
FAVICON = "/favicon.ico"
SUBRESOURCES = ("fetch", "xhr", "script", "stylesheet", "image", "font")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _isupport() -> str:
    """The console script of the interpreter running the tests (the project's .venv under ``make test``)."""
    beside = Path(sys.executable).parent / "isupport"
    return str(beside) if beside.exists() else (shutil.which("isupport") or "isupport")


@dataclass
class Portal:
    """The running server and the environment it was started with."""

    base_url: str
    env: dict[str, str]
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """Runs ``isupport ARGS`` against the server's database (e.g. to look a value up for a journey)."""
        return subprocess.run([_isupport(), *args], env=self.env, capture_output=True, text=True, timeout=120,
                              check=True)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait_for_health(portal: Portal, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"isupport serve exited with {process.returncode}:\n{portal.log_tail()}")
        try:
            with urllib.request.urlopen(portal.url("/healthz"), timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"isupport serve did not answer /healthz within {SERVER_START_SECONDS}s:\n"
                f"{portal.log_tail()}")


def _demo_key() -> str:
    """Identifies the demo data a run would load: the code, the content, the dependencies and the day
    (demo dates are relative to today)."""
    digest = hashlib.sha256(datetime.now(UTC).date().isoformat().encode())
    for folder in ("app", "content"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix not in (".pyc", ".mo") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    digest.update((PROJECT_ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()[:20]


def _load_demo(target: Path, env: dict[str, str], cache_root: Path | None) -> None:
    """``isupport init`` and ``isupport demo`` into ``target``, or a copy of what they produced earlier
    for exactly the same code and day (kept in pytest's cache folder; ISUPPORT_BROWSER_CACHE=0 turns it
    off). The copy is the journeys' own: the cached original is never served."""
    key = _demo_key() if cache_root else ""
    cached = cache_root / key if cache_root else None
    if cached is not None and (cached / "complete").exists():
        shutil.copytree(cached, target, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("complete"))
        return
    for command in (["init"], ["demo"]):
        done = subprocess.run([_isupport(), *command], env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"isupport {' '.join(command)} failed ({done.returncode}):\n"
                        f"{done.stdout}\n{done.stderr}")
    if cached is not None:
        shutil.rmtree(cache_root, ignore_errors=True)  # one day's, one version's data is enough
        shutil.copytree(target, cached, symlinks=True)  # the index swaps a relative symlink
        (cached / "complete").touch()


@pytest.fixture(scope="session")
def portal(request, tmp_path_factory) -> Portal:
    """A real server on its own SQLite database with the demo data, for the whole session.

    The browser suite always uses its own SQLite file, also when ISUPPORT_TEST_DATABASE_URL points
    the rest of the suite at PostgreSQL: that database is wiped by every other test, so a server
    running against it could not keep its demo data for the journeys."""
    _require_browser()
    root = tmp_path_factory.mktemp("portal")
    running = os.environ.get("ISUPPORT_BROWSER_URL")
    if running:  # a developer's server with the demo loaded, to iterate on a journey without the set-up
        yield Portal(base_url=running.rstrip("/"), env=dict(os.environ), log_path=root / "no-log")
        return
    data = root / "data"
    env = {key: value for key, value in os.environ.items() if not key.startswith("ISUPPORT_")}
    env.update(
        ISUPPORT_DATABASE_URL=f"sqlite:///{data / 'portal.sqlite3'}",
        ISUPPORT_INSTANCE_DIR=str(data / "instance"),
        ISUPPORT_INDEX_DIR=str(data / "index"),
        ISUPPORT_CONTENT_DIR=str(PROJECT_ROOT / "content"),
        ISUPPORT_SECRET_KEY="browser-journeys",
        ISUPPORT_SECURE_COOKIES="0",  # plain http on 127.0.0.1
        ISUPPORT_LANGUAGE="zh_CN",
        PYTHONUNBUFFERED="1",
    )
    data.mkdir()
    # pytest's cache folder keeps the loaded demo between runs (none with -p no:cacheprovider).
    cache = getattr(request.config, "cache", None)
    wanted = os.environ.get("ISUPPORT_BROWSER_CACHE", "1") not in ("0", "false", "no")
    use_cache = cache is not None and wanted
    _load_demo(data, env, cache.mkdir("isupport-browser-demo") if use_cache else None)
    log_path = root / "server.log"
    port = _free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen([_isupport(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    portal = Portal(base_url=f"http://127.0.0.1:{port}", env=env, log_path=log_path)
    try:
        _wait_for_health(portal, process)
        yield portal
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _require_browser() -> None:
    require(importlib.util.find_spec("playwright") is not None,
            "the Python package playwright is not installed (pip install -e '.[test]')")
    require(shutil.which("chromium") is not None,
            "Debian's chromium is not installed (apt-get install -y chromium); browser journeys need it")


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- what the user reads --------------------------------------------------------------------------


class Texts:
    """The portal's own catalogues (all domains merged, as Flask-Babel merges them), so journeys assert
    the words a user reads in either language without copying translations into the tests."""

    def __init__(self) -> None:
        from babel.support import Translations

        from app import _translation_dirs

        self._catalogue = Translations()
        for folder in _translation_dirs():
            loaded = Translations.load(str(folder), ["zh_CN"], domain="messages")
            if isinstance(loaded, Translations):
                self._catalogue.merge(loaded)

    def zh(self, msgid: str, **values) -> str:
        """What a Chinese user reads for ``msgid`` (the English text if it is not translated)."""
        text = self._catalogue.gettext(msgid)
        return text % values if values else text

    def translated(self, msgid: str) -> bool:
        return self._catalogue.gettext(msgid) != msgid


@pytest.fixture(scope="session")
def texts() -> Texts:
    return Texts()


# --- journeys ------------------------------------------------------------------------------------


@dataclass
class _Allowance:
    status: int
    url_part: str
    seen: bool = False


@dataclass
class Journey:
    """One journey's browser contexts, its problem log and its screenshot folder."""

    name: str
    portal: Portal
    browser: object
    sessions: dict[str, dict]
    folder: Path
    problems: list[str] = field(default_factory=list)
    contexts: list = field(default_factory=list)
    allowances: list[_Allowance] = field(default_factory=list)
    shots: int = 0

    # pages and sign-in

    def new_page(self, as_user: str | None = None, *, password: str = DEMO_PASSWORD, fresh: bool = False):
        """A page in a new browser context; with ``as_user`` (an e-mail): signed in, on the home page.

        A user's sign-in is made through the sign-in form once per session and its cookies reused
        (the form is rate-limited per address); ``fresh=True`` signs in through the form again."""
        state = None if (as_user is None or fresh) else self.sessions.get(as_user)
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                           storage_state=state, base_url=self.portal.base_url)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        self.watch(page)
        if as_user is not None and state is None:
            self.sign_in(page, as_user, password)
            self.sessions[as_user] = context.storage_state()
        elif as_user is not None:
            page.goto("/")  # where signing in would have led
            assert not page.url.split("?")[0].endswith("/login"), f"{as_user}'s saved sign-in stopped working"
        return page

    def sign_in(self, page, email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/login")
        page.locator("input[name=email]").fill(email)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert not page.url.rstrip("/").endswith("/login"), (
            f"signing in as {email} failed: {page.locator('main').inner_text()[:300]}")

    def forget(self, email: str) -> None:
        """Drops a cached sign-in (after the user's sessions were ended on purpose)."""
        self.sessions.pop(email, None)

    # what the page may and may not do

    def watch(self, page) -> None:
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _allowed(self, status: int | None, url: str) -> bool:
        for allowance in self.allowances:
            if (status is None or allowance.status == status) and allowance.url_part in url:
                allowance.seen = True
                return True
        return False

    def _on_console(self, page, message) -> None:
        if message.type != "error":
            return
        location = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and (
                location == self.portal.url(FAVICON) or self._allowed(None, location)):
            return  # Chromium's echo of an expected error status
        self.problems.append(f"console error on {page.url}: {message.text} ({location})")

    def _on_request_failed(self, request) -> None:
        failure = request.failure or ""
        # A fetch or a script, style or image still loading when the user moves to another page is
        # cancelled by the browser (ERR_ABORTED); that is not a fault of the page (suggestions asked
        # for while typing, then a click; Bootstrap's script when a journey clicks on at once). A
        # missing file still fails: it comes as a 404 response; a refused connection is another error.
        if "ERR_ABORTED" in failure and request.resource_type in SUBRESOURCES:
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def _on_response(self, response) -> None:
        if response.url == self.portal.url(FAVICON):
            return
        if response.status >= 400 and not self._allowed(response.status, response.url):
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    @contextlib.contextmanager
    def expect_status(self, status: int, url_part: str):
        """In this block a ``status`` response for a URL with ``url_part`` is expected (and must come)."""
        allowance = _Allowance(status, url_part)
        self.allowances.append(allowance)
        try:
            yield
        finally:
            self.allowances.remove(allowance)
        assert allowance.seen, f"expected HTTP {status} for a URL with {url_part!r}, none came"

    def report(self) -> str:
        text = f"journey {self.name}: the browser saw problems:\n  " + "\n  ".join(self.problems)
        if any(" 50" in problem for problem in self.problems if problem.startswith("HTTP")):
            text += "\n--- server log (tail) ---\n" + self.portal.log_tail()
        return text

    def assert_clean(self) -> None:
        if self.problems:
            text = self.report()
            self.problems = []
            pytest.fail(text, pytrace=False)

    # evidence

    def shot(self, page, label: str) -> Path:
        """Saves a full-page screenshot as ``NN-label.png`` and checks the page has been clean so far."""
        page.wait_for_load_state("load")
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{re.sub(r'[^a-z0-9-]+', '-', label.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        self.assert_clean()
        return path

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()
        self.contexts.clear()


@pytest.fixture(scope="session")
def signed_in_sessions() -> dict[str, dict]:
    return {}


@pytest.fixture
def journey(request, portal, browser, signed_in_sessions) -> Journey:
    name = request.node.name.removeprefix("test_")
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    folder = SCREENSHOT_ROOT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    journey = Journey(name=name, portal=portal, browser=browser, sessions=signed_in_sessions, folder=folder)
    request.config.stash.setdefault(_JOURNEYS, []).append(journey)
    yield journey
    journey.close()


_JOURNEYS = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A journey whose pages logged errors fails, even if its last step came after its last screenshot;
    a journey failing for another reason also reports what the browser saw (often the real cause)."""
    journey = getattr(item, "funcargs", {}).get("journey")
    if not isinstance(journey, Journey):
        return (yield)
    try:
        result = yield
    except BaseException as error:
        if journey.problems:
            error.add_note(journey.report())
        raise
    journey.assert_clean()
    return result


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    journeys = config.stash.get(_JOURNEYS, [])
    if not journeys:
        return
    terminalreporter.section("browser journeys: screenshots")
    terminalreporter.write_line(f"folder: {SCREENSHOT_ROOT}")
    for journey in journeys:
        files = sorted(p.name for p in journey.folder.glob("*.png"))
        terminalreporter.write_line(f"  {journey.name}/ ({len(files)}): {', '.join(files) or '-'}")
