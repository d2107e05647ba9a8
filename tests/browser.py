"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

Never a downloaded browser (`make browser` installs Debian's package). Without Chromium or the
playwright package the tests skip and say why. The `page` and `sandbox` fixtures (a plugin of
tests/conftest.py) and the console helpers below are what every sandbox-console test uses.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from bot.sandbox_workspace import SandboxUrls

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
# Without the background-networking flags Chromium tries hosts this machine cannot reach.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_missing() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"{CHROMIUM} is absent (make browser installs Debian's chromium)"
    return None


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A launched browser (skips the test when none can run); screenshots go to ARTIFACTS."""
    missing = browser_missing()
    if missing:
        pytest.skip(f"browser test skipped: {missing}")
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def new_page(width: int = 1200, height: int = 800) -> AsyncIterator[Any]:
    """A fresh page of a launched Chromium with a `width` x `height` viewport (skips as
    `chromium` does)."""
    async with chromium() as browser:
        context = await browser.new_context(viewport={"width": width, "height": height})
        yield await context.new_page()


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    """A 1200 x 800 page in headless Chromium; the test skips when none can run."""
    async with new_page() as opened:
        yield opened


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxUrls]:
    """A fresh sandbox in-process, as `connectbot sandbox` starts it."""
    from bot.sandbox_mode import running_sandbox

    async with running_sandbox(fresh=True) as urls:
        yield urls


# --- the sandbox console, as a person uses it -------------------------------------------------

CONSOLE_WAIT = 30_000  # ms: the console polls every second; the relay posts within a fraction


async def be(page: Any, name: str) -> None:
    """Switch the console to the person whose switcher label starts with `name`."""
    option = page.locator("#who option", has_text=name)
    await page.select_option("#who", await option.get_attribute("value"))


async def open_conversation(page: Any, name: str) -> None:
    await page.locator(".conversation", has_text=name).click()


async def type_command(page: Any, text: str) -> None:
    await page.fill("#message-box", text)
    await page.press("#message-box", "Enter")


def message(page: Any, text: str) -> Any:
    """The last message in the open conversation whose text contains `text`."""
    return page.locator(".message", has_text=text).last


async def shot(page: Any, name: str) -> None:
    """A screenshot of `page` as test-artifacts/console-`name`.png."""
    await page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"))


async def vendor_invite(page: Any, name: str = "Vera") -> Any:
    """Otto sends the vendor `name` their Connect link from #ops; the invite as they then see
    it, by DM from the app (the console is left as them, in that DM)."""
    await be(page, "Otto")
    await open_conversation(page, "ops")
    await type_command(page, f"/connect-vendor @{name}")
    await message(page, "I sent").wait_for(timeout=CONSOLE_WAIT)
    await be(page, name)
    await open_conversation(page, "connectbot")
    invite = message(page, "Connect with Stripe")
    await invite.wait_for(timeout=CONSOLE_WAIT)
    return invite


async def click_to_open(page: Any, target: Any, button: str) -> Any:
    """Click the `button` in `target` (a locator on `page`); the page it opens in a new tab."""
    async with page.context.expect_page() as opened:
        await target.locator("button", has_text=button).click()
    return await opened.value


async def connect_vendor(page: Any, name: str) -> str:
    """`name` connects their Stripe account from Otto's invite, approving on Stripe's page;
    their account id (the console is left as them, in their DM with the app)."""
    invite = await vendor_invite(page, name)
    oauth = await click_to_open(page, invite, "Connect with Stripe")
    await oauth.locator("button", has_text="Approve").click()
    await oauth.wait_for_url(re.compile(r"/stripe/oauth/callback"), timeout=CONSOLE_WAIT)
    await oauth.close()
    connected = message(page, "is connected to the marketplace")
    await connected.wait_for(timeout=CONSOLE_WAIT)
    found = re.search(r"acct_\w+", await connected.inner_text())
    assert found, f"the welcome names {name}'s Stripe account"
    return found.group(0)
