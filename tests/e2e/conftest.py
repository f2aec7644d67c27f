"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous, so Django's async-safety guard must stand aside for browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The flows' pictures for people to look at (ui-e2e-*.png, nav-*.png...): a full-page screenshot
# of a long page costs a second or two, so they are taken only when ATTEST_UI_SHOTS names a folder.
UI_SHOTS = os.environ.get("ATTEST_UI_SHOTS", "")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the session; skipped, saying why, where it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A fresh browser context (its own cookies) whose reader prefers reduced motion.

    Otherwise Bootstrap scrolls smoothly and animates what it opens, and Playwright waits for the
    scroll to settle before each click: close to a second for a button far along a long page
    (the obligations page). The tests read what pages say and do, not how they move."""
    return browser.new_context(reduced_motion="reduce", **options)


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) and page, with a desktop-sized viewport."""
    context = new_context(browser, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def photograph(page: Page, name: str, *, full_page: bool = False) -> None:
    """Save a picture of the page as `name` in the ATTEST_UI_SHOTS folder, when one is named."""
    if UI_SHOTS:
        Path(UI_SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(UI_SHOTS) / name), full_page=full_page)
