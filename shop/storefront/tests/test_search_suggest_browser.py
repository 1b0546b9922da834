"""Search suggestions as you type, in a real browser: the header's search box offers catalogue
names from the type-ahead endpoint; without JavaScript the box stays a plain search form."""

import pytest

from shop.catalog.tests.factories import BrandFactory, ProductFactory
from shop.storefront.tests.test_browser import CHROMIUM, assert_accessible, browser, expect, sync_api  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


def options(page):
    return page.locator("#search-suggestions option").evaluate_all("options => options.map(option => option.value)")


def test_typing_offers_names_and_enter_searches(live_server, browser):  # noqa: F811
    ProductFactory(name="Niacinamide Pore Serum", slug="niacinamide-pore-serum")
    ProductFactory(name="Rich Night Cream", slug="rich-night-cream", brand=BrandFactory(name="Nightly Lab"))
    page = browser.new_page()
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Search products")  # a box with suggestions

    box.press_sequentially("niac", delay=30)

    expect(page.locator("#search-suggestions option[value='Niacinamide Pore Serum']")).to_be_attached()
    assert "Rich Night Cream" not in options(page)
    assert_accessible(page)
    box.fill("Niacinamide Pore Serum")
    box.press("Enter")
    expect(page.get_by_role("link", name="Niacinamide Pore Serum").first).to_be_visible()
    assert "/search/?q=Niacinamide+Pore+Serum" in page.url


def test_without_javascript_the_box_is_a_plain_form(live_server, browser):  # noqa: F811
    ProductFactory(name="Niacinamide Pore Serum", slug="niacinamide-pore-serum")
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + "/")

    box = page.get_by_role("searchbox", name="Search products")
    assert box.get_attribute("list") is None and page.locator("#search-suggestions").count() == 0
    box.fill("niacinamide")
    box.press("Enter")
    expect(page.get_by_role("link", name="Niacinamide Pore Serum").first).to_be_visible()
