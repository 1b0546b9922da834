"""The buy journey in a real browser (headless Chromium from the system, never a downloaded one)
against the live server, with axe-core checking every page for serious or critical violations.

Skipped only when no Chromium is installed (``.ci/run`` installs Debian's ``chromium``).
"""

import os
import shutil
from decimal import Decimal

import pytest
from django.db import connections

from shop.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from shop.catalog.tests.factories import CategoryFactory, IngredientFactory, ProductFactory
from shop.coupons.tests.factories import CouponFactory
from shop.orders.models import Order, PaymentStatus

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]

BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are fine.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
        # A test's own ORM calls made while Playwright runs leave a connection open that nothing else closes:
        # the test database could then not be dropped at the end (tests/test_admin_browser.py showed it).
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def assert_accessible(page):
    results = axe_playwright.Axe().run(page)
    blocking = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], f"{page.url}: {blocking}"


@pytest.fixture
def shop_data():
    category = CategoryFactory(name="Serums", name_km="សេរ៉ូម", slug="serums")
    niacinamide = IngredientFactory(name="Niacinamide")
    ProductFactory(
        name="Niacinamide Pore Serum",
        name_km="សេរ៉ូមនីអាស៊ីណាមីត",
        slug="niacinamide-pore-serum",
        category=category,
        price=Decimal("25.00"),
        skin_types=["oily"],
        is_featured=True,
        ingredients=[niacinamide],
    )
    ProductFactory(name="Rich Night Cream", slug="rich-night-cream", category=category, skin_types=["dry"])
    CouponFactory(code="WELCOME10", value=Decimal("10.00"))
    return UserFactory(email="dara@example.com", first_name="Dara")


def test_buy_journey_from_search_to_my_order(live_server, browser, shop_data):
    from django.db import connection

    page = browser.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Skincare that knows your skin")).to_be_visible()
    assert_accessible(page)

    # Search with a typo (PostgreSQL corrects the spelling; SQLite only matches words as typed).
    query = "niacinamde serum" if connection.vendor == "postgresql" else "niacinamide"
    page.get_by_role("search").first.get_by_label("Search products").fill(query)  # a combobox once suggestions load
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 product")).to_be_visible()
    assert_accessible(page)

    # Filter by skin type: the oily serum stays, on the second filter the page keeps the query.
    page.get_by_role("radio", name="Oily").check()
    page.get_by_role("button", name="Show products").click()
    page.wait_for_url("**skin_type=oily**")
    page.get_by_role("link", name="Niacinamide Pore Serum").click()

    expect(page.get_by_role("heading", level=1, name="Niacinamide Pore Serum")).to_be_visible()
    expect(page.get_by_text("No reviews yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()

    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(page.get_by_role("link", name="Cart (2 items)")).to_be_visible()
    page.get_by_label("Coupon code").fill("welcome10")
    page.get_by_role("button", name="Apply coupon").click()
    expect(page.get_by_text("Coupon WELCOME10 is on this cart.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Check out").click()
    # A guest may check out with an e-mail address; signing in keeps the cart (merged into the shopper's).
    page.get_by_role("link", name="Sign in to use your saved addresses").click()
    page.get_by_label("E-mail").fill("dara@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Place order").click()  # nothing filled in yet
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    page.get_by_label("First name").fill("Dara")
    page.get_by_label("Last name").fill("Sok")
    page.get_by_label("Address", exact=False).first.fill("12 Norodom Blvd")
    page.get_by_label("City").fill("Phnom Penh")
    page.get_by_label("Postal code").fill("12000")
    page.get_by_label("Country").fill("Cambodia")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    # 2 x 25.00 = 50.00, -10% = 45.00 (under 50: shipping 3.50), tax 4.50 -> 53.00
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_role("heading", name="Thank you! Your order is placed.")).to_be_visible()
    order = Order.objects.get()
    assert order.total == Decimal("53.00")
    assert order.payment_status == PaymentStatus.PAID
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Order placed")
    expect(timeline).to_contain_text("Paid")
    expect(timeline).to_contain_text("Now Confirmed")
    assert_accessible(page)

    page.get_by_role("link", name="My orders").first.click()
    expect(page.get_by_role("link", name=order.order_number)).to_be_visible()
    assert_accessible(page)


def test_khmer_switch_translates_the_interface_and_names(live_server, browser, shop_data):
    page = browser.new_page()
    page.goto(live_server.url + "/c/serums/")

    page.get_by_label("Language").select_option("km")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.get_by_role("heading", level=1, name="សេរ៉ូម")).to_be_visible()
    expect(page.get_by_role("link", name="សេរ៉ូមនីអាស៊ីណាមីត")).to_be_visible()
    expect(page.get_by_role("link", name="Rich Night Cream")).to_be_visible()  # no Khmer name: English
    expect(page.get_by_role("button", name="ស្វែងរក").first).to_be_visible()
    assert_accessible(page)


def test_checkout_fits_a_390px_phone(live_server, browser, shop_data):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/?next=/p/niacinamide-pore-serum/")
    page.get_by_label("E-mail").fill("dara@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Add to cart").click()
    page.goto(live_server.url + "/checkout/")

    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("button", name="Place order")).to_be_visible()
    expect(page.get_by_text("order total $31.00")).to_be_visible()  # 25 + 2.50 tax + 3.50 standard shipping
    assert_accessible(page)
    context.close()


def test_register_verify_and_home_for_your_skin_type(live_server, browser, shop_data):
    import re

    from django.core import mail

    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create account").click()

    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("First name").fill("Sophea")
    page.get_by_label("E-mail").fill("sophea@example.com")
    page.get_by_label("Password").fill("Centella-Asiatica-77")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Confirm your e-mail")).to_be_visible()
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("sophea@example.com")
    assert_accessible(page)
    (message,) = mail.outbox  # the live server runs in this process: its sent mail is here
    assert message.to == ["sophea@example.com"]
    code = re.search(r"^(\d{6})$", message.body, re.MULTILINE).group(1)
    page.get_by_label("Code from the e-mail").fill(f"{(int(code) + 1) % 10**6:06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("This code is not valid.")).to_be_visible()
    page.get_by_label("Code from the e-mail").fill(code)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="E-mail confirmed")).to_be_visible()
    page.get_by_role("link", name="Set up your skin profile").click()
    expect(page.get_by_role("heading", level=1, name="Skin profile")).to_be_visible()
    page.get_by_role("radio", name="Oily").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your skin profile is saved.")).to_be_visible()

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="For your skin type: Oily")).to_be_visible()
    expect(
        page.locator("#home-skin").locator("xpath=..").get_by_role("link", name="Niacinamide Pore Serum")
    ).to_be_visible()
    assert_accessible(page)
