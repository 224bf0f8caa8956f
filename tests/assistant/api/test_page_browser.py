"""The chat page in a real browser: headless Chromium, driven by Playwright, against a real
server on the local tier (no LLM), serving a copy of the demo home so that products and
carts made here reach no other test.

Waits go through locators, never `wait_for_function`: the page's CSP forbids `eval`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import httpx
import pytest

from assistant.api.app import create_app
from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from assistant.shop import Shop
from tests.conftest import make_settings
from tests.serving import serving

# CI (.ci/run) installs Chromium and sets SHOPASSIST_REQUIRE_BROWSER, so there a missing
# browser fails the run instead of skipping these tests.
_REQUIRED = bool(os.environ.get("SHOPASSIST_REQUIRE_BROWSER"))


def _unavailable(reason: str) -> NoReturn:
    if _REQUIRED:
        raise RuntimeError(f"{reason}, and SHOPASSIST_REQUIRE_BROWSER is set")
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
except ImportError:
    _unavailable("playwright is not installed")


def _chromium() -> str | None:
    """A Chromium binary: $CHROMIUM, else one on the PATH (Debian's /usr/bin/chromium)."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).is_file()), None)


CHROMIUM = _chromium()
if CHROMIUM is None:
    _unavailable("no Chromium binary (set CHROMIUM to one)")

pytestmark = pytest.mark.model

_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_CONVERSATION = "shopassist.conversation"


@pytest.fixture(scope="module")
def shop(demo_home, embedder, tmp_path_factory) -> Iterator[Shop]:
    home = tmp_path_factory.mktemp("browser") / "home"
    shutil.copytree(demo_home, home)
    opened = Shop.open(make_settings(home), embedder=embedder)
    yield opened
    opened.close()


def _serve(shop: Shop, **settings: object):
    assistant = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    return serving(
        create_app(make_settings(shop.home.root, **settings), shop=shop, assistant=assistant)
    )


@pytest.fixture(scope="module")
def base_url(shop) -> Iterator[str]:
    with _serve(shop) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page in a fresh browser context, and the errors its console reported."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Forget the console errors matching `pattern` (a failed request a test causes)."""
        self.errors[:] = [e for e in self.errors if not re.search(pattern, e)]


@contextmanager
def _open(browser: Browser, url: str, width: int = 1280, height: int = 800) -> Iterator[Tab]:
    """The page at `url` in a fresh context (its own sessionStorage); on a clean exit, its
    console must not have reported an error."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        tab = Tab(context.new_page())
        tab.page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        tab.page.on("pageerror", lambda e: tab.errors.append(str(e)))
        tab.page.goto(url + "/")
        yield tab
        assert tab.errors == [], "the page reported errors"
    finally:
        context.close()


@pytest.fixture
def tab(browser, base_url) -> Iterator[Tab]:
    with _open(browser, base_url) as opened:
        yield opened


def send(page: Page, message: str) -> Locator:
    """Send `message` and answer its reply, once rendered (streaming is over)."""
    replies = page.locator(".msg.assistant.md")
    count = replies.count()
    page.fill("#message", message)
    page.press("#message", "Enter")
    reply = replies.nth(count)
    reply.wait_for()
    return reply


def session_id(page: Page) -> str:
    stored = json.loads(page.evaluate(f"() => sessionStorage.getItem('{_CONVERSATION}')"))
    return str(stored["sessionId"])


def test_a_message_gets_a_streamed_reply(tab):
    page = tab.page
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")
    with page.expect_response(re.compile(r"/v1/chat$")) as answered:
        reply = send(page, "hello")
    response = answered.value
    assert response.request.post_data_json["stream"] is True
    assert response.headers["content-type"].startswith("text/event-stream")
    expect(reply).to_contain_text("find products")
    assert page.locator(".msg.user").last.inner_text() == "hello"
    expect(page.locator("#message")).to_have_value("")


def test_products_show_as_cards_once(tab):
    page = tab.page
    reply = send(page, "show me jigsaw puzzles")
    cards = reply.locator(".card")
    expect(cards).to_have_count(5)
    first = cards.first
    expect(first).to_contain_text("$16.95")
    expect(first.locator(".badge")).to_have_text("In stock")
    expect(first.locator(".thumb svg")).to_have_count(1)  # the placeholder
    title = first.locator(".link-button").inner_text()
    assert reply.inner_text().count(title) == 1  # the card, not also a line of text
    expect(reply.locator("ol")).to_have_count(0)
    expect(reply).to_contain_text("Ask me about any of them")

    first.locator(".link-button").click()
    dialog = page.locator("#product-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#product-title")).to_have_text(title)
    expect(dialog).to_contain_text("Toys & Games > Puzzles")
    link = dialog.get_by_role("link")
    expect(link).to_have_attribute("href", re.compile(r"^https://"))
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # A follow-up chip narrows the same search.
    count = page.locator(".msg.assistant.md").count()
    page.locator("#chips").get_by_role("button", name="Cheaper").click()
    cheaper = page.locator(".msg.assistant.md").nth(count)
    expect(cheaper).to_contain_text("under $10.99")
    expect(cheaper.locator(".card")).to_have_count(1)


def test_policy_answers_are_rendered_markdown(tab):
    reply = send(tab.page, "what is your return policy?")
    expect(reply.locator("strong")).to_contain_text(["30 days of delivery"])
    assert "**" not in reply.inner_text()


def test_add_to_cart_reaches_the_server_cart(tab, base_url):
    page = tab.page
    reply = send(page, "show me jigsaw puzzles")
    first = reply.locator(".card").first
    first.get_by_role("button", name=re.compile("^Add .* to cart$")).click()
    expect(page.locator("#cart-count")).to_have_text("1")
    expect(page.locator("#cart-button")).to_have_attribute("aria-label", "Cart, 1 item")

    cart = httpx.get(f"{base_url}/v1/sessions/{session_id(page)}/cart").json()
    assert [(i["title"], i["quantity"]) for i in cart["items"]] == [
        (first.locator(".link-button").inner_text(), 1)
    ]

    page.locator("#cart-button").click()
    dialog = page.locator("#cart-dialog")
    expect(dialog.locator(".cart-items li")).to_have_count(1)
    expect(dialog).to_contain_text("Total: $16.95")
    dialog.get_by_role("button", name=re.compile("^Remove ")).click()
    expect(dialog).to_contain_text("Your cart is empty.")
    expect(page.locator("#cart-count")).to_have_text("0")
    assert httpx.get(f"{base_url}/v1/sessions/{session_id(page)}/cart").json()["items"] == []


def test_a_signed_in_shopper_sees_their_order(tab):
    page = tab.page
    expect(send(page, "where is my order SA-102133")).to_contain_text("sign in")

    page.locator("#account").click()
    page.fill("#customer-id", "u0096")
    page.locator("#signin-form").get_by_role("button", name="Sign in").click()
    expect(page.locator("#account")).to_have_accessible_name("Signed in as u0096")
    expect(page.locator(".msg.user")).to_have_count(0)  # a new conversation

    reply = send(page, "where is my order SA-102133")
    expect(reply).to_contain_text("Order SA-102133")
    expect(reply).to_contain_text("is processing")
    expect(reply.locator("li")).to_have_count(4)  # the order's items, as a list

    page.locator("#account").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#account")).to_have_accessible_name("Sign in")
    expect(page.locator(".msg.user")).to_have_count(0)


def test_a_reload_restores_the_conversation(tab):
    page = tab.page
    send(page, "show me jigsaw puzzles")
    before = session_id(page)
    page.reload()
    expect(page.locator(".msg.user")).to_have_text(["show me jigsaw puzzles"])
    expect(page.locator(".card")).to_have_count(5)
    expect(page.locator("#chips").get_by_role("button", name="Cheaper")).to_be_visible()
    send(page, "cheaper")
    assert session_id(page) == before  # the same conversation goes on

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    page.reload()
    expect(page.locator(".msg.user")).to_have_count(0)


def test_someone_elses_session_starts_a_new_one(tab, base_url):
    page = tab.page
    httpx.get(f"{base_url}/v1/sessions/theirs-1/cart", params={"user_id": "u0103"})
    state = {"sessionId": "theirs-1", "userId": None, "turns": []}
    page.evaluate(
        "([key, value]) => sessionStorage.setItem(key, value)", [_CONVERSATION, json.dumps(state)]
    )
    page.reload()
    tab.allow("404")
    reply = send(page, "hello")
    expect(page.locator(".msg.notice")).to_have_text("Started a new conversation.")
    expect(reply).to_contain_text("find products")
    assert session_id(page) != "theirs-1"
    tab.allow("404")


def test_catalog_text_is_never_markup(tab, base_url):
    page = tab.page
    product = {
        "id": "XSS-1",
        "title": '<img src=x onerror="window.__xss=1">Toy',
        "description": "A zorblax spinning top that glows in the dark.",
        "category": "Toys & Games > Spinning Tops",
        "price": 9.5,
        "stock": 4,
    }
    assert httpx.post(f"{base_url}/v1/products", json=product).status_code == 201
    try:
        reply = send(page, "show me zorblax spinning tops")
        title = reply.locator(".card .link-button").first
        expect(title).to_have_text(product["title"])
        title.click()
        expect(page.locator("#product-title")).to_have_text(product["title"])
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("img").count() == 0
    finally:
        assert httpx.delete(f"{base_url}/v1/products/XSS-1").status_code == 204


def test_a_phone_sized_screen(browser, base_url, tmp_path):
    with _open(browser, base_url, width=390, height=844) as tab:
        page = tab.page
        send(page, "show me jigsaw puzzles")
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
        assert page.locator("header").bounding_box()["height"] <= 64
        font = page.eval_on_selector("#message", "e => getComputedStyle(e).fontSize")
        assert float(font.removesuffix("px")) >= 16
        boxes = [card.bounding_box() for card in page.locator(".card").all()]
        assert len(boxes) == 5 and len({round(b["x"]) for b in boxes}) == 1  # one column
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes)
        send_button = page.locator("#send")
        expect(send_button).to_be_in_viewport()
        box = send_button.bounding_box()
        assert box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844
        page.screenshot(path=tmp_path / "phone.png")
        assert (tmp_path / "phone.png").stat().st_size > 0


def test_the_details_drawer_is_hidden_until_asked_for(tab):
    page = tab.page
    toggle = page.get_by_role("button", name="Settings and details")
    expect(page.locator("#debug")).to_be_hidden()
    expect(page.locator("#api-key")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    send(page, "show me jigsaw puzzles")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    row = page.locator("#turns tr").last
    expect(row).to_contain_text("product_search")
    expect(row).to_contain_text("local")
    toggle.click()
    expect(page.locator("#debug")).to_be_hidden()


def test_a_server_with_keys_asks_for_one(browser, shop):
    with _serve(shop, api_keys="k1") as url, _open(browser, url) as tab:
        page = tab.page
        page.fill("#message", "hello")
        page.press("#message", "Enter")
        expect(page.locator("#notice")).to_contain_text("needs an API key")
        expect(page.locator("#api-key")).to_be_focused()
        expect(page.locator("#message")).to_have_value("hello")  # kept
        expect(page.locator(".msg.user")).to_have_count(0)
        tab.allow("401")

        page.fill("#api-key", "k1")
        page.locator("#send").click()
        expect(page.locator(".msg.assistant.md")).to_contain_text("find products")
