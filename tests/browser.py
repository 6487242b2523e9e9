"""Drive Debian's Chromium through Playwright for browser tests (not a test module).

Usage::

    from browser import PageLog, chromium_page

    log = PageLog()
    with chromium_page(log) as page:
        page.goto(site.as_uri())
        ...
    assert not log.external_requests, log.external_requests

Only the system Chromium is used (``chromium`` on PATH or /usr/bin/chromium);
Playwright's own browser downloads are never used. If Chromium or Playwright
is missing the calling test is skipped, or fails when ``CI=true`` (see
``support.need``).

Every request the page makes is recorded. Requests to anything other than
file:, data:, blob:, about: URLs or 127.0.0.1/localhost/[::1] are recorded
and then aborted, and Chromium's host resolver is told to resolve nothing but
those loopback names, so a test can never send traffic off the machine, not
even a ``<link rel=preconnect>`` (which Playwright does not report as a
request).
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import urlsplit

try:
    from .support import need
except ImportError:  # tests/ is not a package: pytest puts it on sys.path
    from support import need

LOCAL_SCHEMES = {"file", "data", "blob", "about"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    # Defence in depth: no name but loopback resolves, so nothing can leave.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def is_local_url(url: str) -> bool:
    """True for URLs that stay on this machine (file:, data:, loopback, ...)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in LOCAL_SCHEMES:
        return True
    if scheme in {"http", "https", "ws", "wss"}:
        return (parts.hostname or "").lower() in LOCAL_HOSTS
    return False


def find_chromium() -> str | None:
    """Path of Debian's Chromium, or None if it is not installed."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return None


@dataclass
class PageLog:
    """What a page did: every request URL, blocked ones, console errors."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        """Requested URLs that would have left file:// and loopback."""
        seen = self.requests + [u for u in self.blocked if u not in self.requests]
        return [u for u in seen if not is_local_url(u)]

    @property
    def errors(self) -> list[str]:
        """Console errors and uncaught page exceptions."""
        return self.console_errors + self.page_errors

    def attach(self, page) -> None:
        """Start recording the events of a Playwright ``Page``."""
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("requestfailed", lambda req: self.failed.append(
            f"{req.url} ({req.failure})"))
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = f" at {loc.get('url')}:{loc.get('lineNumber')}" if loc.get("url") else ""
            self.console_errors.append(f"{msg.text}{where}")


def _import_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright is not installed (pip install playwright; "
                    "no `playwright install` needed, Debian's chromium is used)")
    return sync_playwright


@contextmanager
def chromium_page(log: PageLog | None = None) -> Iterator["object"]:
    """Launch headless Debian Chromium and yield a fresh Playwright page.

    The browser gets a throwaway profile (Playwright's temporary
    user-data-dir). Events are recorded into *log* if given. Requests to
    non-local hosts are aborted (and still appear in the log).
    """
    sync_playwright = _import_playwright()
    executable = find_chromium()
    need(executable is not None,
         "Chromium not found (apt-get install chromium; looked for `chromium` "
         "on PATH and /usr/bin/chromium)")
    log = log if log is not None else PageLog()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(service_workers="block")

            def block(route) -> None:
                log.blocked.append(route.request.url)
                route.abort("blockedbyclient")

            context.route(lambda url: not is_local_url(url), block)
            page = context.new_page()
            log.attach(page)
            yield page
        finally:
            browser.close()
