"""A real headless browser for the pages the tool writes: Debian's Chromium driven by Playwright (which cannot
download its own browser here). The Makefile installs Chromium when it is missing and the machine can; where it
cannot, the browser tests are skipped with that reason."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: A4 landscape at 96 dpi: 297 x 210 mm.
A4_LANDSCAPE = {"width": 1123, "height": 794}


@contextmanager
def page_of(path: Path, viewport: dict[str, int] | None = None) -> Iterator[Any]:
    """The page at ``path`` open in headless Chromium, with the console errors it logged in ``page.errors``."""
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (make test installs Debian's package when it can: run as root "
                    "with apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is installed by make test")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport=viewport or A4_LANDSCAPE)
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: errors.append(f"network request: {request.url}")
                    if not request.url.startswith(("file:", "data:", "about:")) else None)
            page.goto(path.resolve().as_uri())
            page.errors = errors
            yield page
        finally:
            browser.close()
