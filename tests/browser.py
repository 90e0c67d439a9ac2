"""Headless Chromium for tests: open a page from disk and record what it asks for and says.

Debian's ``chromium`` (installed by ``.ci/system-packages``) is driven by Playwright's
Python package with ``executable_path``; Playwright's own browser download is never used.
Every request other than the page itself is aborted and recorded, so a test sees at once
if a page would reach the network. Without Chromium the browser tests skip, unless
``BSCALIGN_REQUIRE_BROWSER=1`` (CI sets it), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("BSCALIGN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("BSCALIGN_REQUIRE_BROWSER") == "1"
#: Quiet flags: without them Chromium reaches for Google's services at every start.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where screenshots go, for a person to look at (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"


def require_browser() -> None:
    """Skip the calling test module when Chromium or Playwright is missing (fail in CI)."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip)")
    if not Path(CHROMIUM).exists():
        missing.append(f"chromium ({CHROMIUM})")
    if missing and REQUIRED:
        pytest.fail(f"browser tests need {', '.join(missing)}", pytrace=False)
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}", allow_module_level=True)


@dataclass
class PageLog:
    """What a page did while it loaded: requests (allowed and refused) and errors."""

    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def chromium() -> Iterator[Any]:
    """Start headless Chromium; yield the Playwright browser; close it at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser: Any, path: Path, *, width: int = 1600, height: int = 1000, drawn: bool = True
) -> tuple[Any, PageLog]:
    """Open ``path`` from disk, wait for the view's first frame; return page and log.

    With ``drawn=False`` it does not wait (the view is in a frame, or there are several).
    """
    url = path.resolve().as_uri()
    page = browser.new_page(viewport={"width": width, "height": height})
    log = PageLog()

    def route(request_route: Any) -> None:
        request = request_route.request
        log.requests.append(request.url)
        if request.url == url:
            request_route.continue_()
        else:
            log.refused.append(request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda request: log.failed.append(request.url))
    page.on(
        "console",
        lambda message: log.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    page.goto(url)
    if drawn:
        page.wait_for_function("document.body.dataset.drawn === 'true'", timeout=120_000)
    return page, log


def hover_node(page: Any, node: str) -> str:
    """Bring ``node`` to the middle of the view, hover it, return the tooltip's text."""
    point = page.evaluate(
        """(id) => {
            network.focus(id, {scale: 1.2, animation: false});
            const box = document.querySelector('.bsv-canvas canvas').getBoundingClientRect();
            const dom = network.canvasToDOM(network.getPosition(id));
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        node,
    )
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=4)
    page.wait_for_function(
        """() => {
            const tip = document.querySelector('div.vis-tooltip');
            return tip !== null && getComputedStyle(tip).visibility === 'visible';
        }"""
    )
    return page.evaluate("document.querySelector('div.vis-tooltip').innerText")


def screenshot(page: Any, name: str) -> Path:
    """Write a PNG of the page under ``out/screenshots``; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path))
    return path
