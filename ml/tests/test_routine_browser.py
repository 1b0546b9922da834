"""The routine builder and the cart's ingredient warning in a real browser, checked with axe."""

import pytest

from ml.tests.test_routines import catalog  # noqa: F401 - fixture
from shop.storefront.tests.test_browser import CHROMIUM, assert_accessible, browser, expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


@pytest.fixture(autouse=True)
def _seeded_pairs(relational_store):
    """Transactional tests start from a flushed database: put the seeded interaction pairs back."""
    from importlib import import_module

    from django.apps import apps

    import_module("ml.migrations.0004_seed_ingredient_interactions").seed(apps, None)


def test_build_a_routine_add_it_to_the_cart_and_see_the_warning(live_server, browser, catalog):  # noqa: F811
    page = browser.new_page()
    page.goto(f"{live_server.url}/recommendations/routine/")
    expect(page.get_by_role("heading", name="Build your skincare routine")).to_be_visible()
    page.get_by_label("Skin type").select_option("oily")
    page.get_by_label("Dark spots").check()
    page.get_by_role("button", name="Build my routine").click()

    morning = page.get_by_role("region", name="Morning")
    expect(morning.get_by_role("link", name="Vitamin C Serum")).to_be_visible()
    expect(page.get_by_role("region", name="Evening").get_by_role("link", name="Glycolic Toner")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add whole routine to cart").click()

    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(page.get_by_text("The whole routine is in your cart.")).to_be_visible()
    page.goto(f"{live_server.url}/p/{catalog['ret'].slug}/")
    page.get_by_role("button", name="Add to cart").click()
    warning = page.get_by_role("region", name="Ingredients that should not be used together")
    expect(warning).to_be_visible()
    expect(warning.get_by_text("Use benzoyl peroxide in the morning and the retinoid in the evening")).to_be_visible()
    assert_accessible(page)
