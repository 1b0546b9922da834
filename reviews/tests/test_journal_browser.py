"""A progress journal in a real browser: start, two weekly entries (one with a photo), the chart."""

import pytest

from reviews.models import ProgressEntry, ProgressMedia
from shop.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.files.tests.factories import jpeg_bytes
from shop.storefront.tests.test_browser import CHROMIUM, assert_accessible, browser, expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


@pytest.fixture(autouse=True)
def _upload_configs():
    """Transactional tests start from a flushed database: put the seeded upload rules back
    (as ``shop/files/tests/test_concurrency.py`` does)."""
    from importlib import import_module

    from django.apps import apps

    for migration in ("0002_seed_upload_configs", "0004_upload_frame_limits"):
        import_module(f"shop.files.migrations.{migration}").seed(apps, None)


def test_journal_start_two_weeks_with_a_photo_and_the_chart(live_server, browser):  # noqa: F811
    product = ProductFactory(name="Calming Toner", slug="calming-toner")
    UserFactory(email="sokha@example.com", first_name="Sokha")
    page = browser.new_page()
    page.goto(f"{live_server.url}/journal/start/?product={product.pk}")
    page.get_by_label("E-mail").fill("sokha@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Start a journal for Calming Toner")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your goals").fill("Less redness")
    page.get_by_role("button", name="Start the journal").click()

    expect(page.get_by_role("heading", name="Journal: Calming Toner")).to_be_visible()
    expect(page.get_by_text("Your chart appears after your first weekly entry.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Overall satisfaction (1 poor, 5 excellent)").get_by_label("2").check()
    page.get_by_role("group", name="Skin improvement (1 none, 5 a lot)").get_by_label("1").check()
    page.get_by_label("How your skin looks and feels").fill("Still red")
    page.get_by_label("Photo (private: only you can see it)").set_input_files(
        files=[{"name": "week1.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(color=(180, 60, 60))}]
    )
    page.get_by_role("button", name="Save this week").click()
    expect(page.get_by_text("Week 1 is saved.")).to_be_visible()

    expect(page.get_by_label("Week (1-52)")).to_have_value("2")  # the next free week is offered
    page.get_by_role("group", name="Overall satisfaction (1 poor, 5 excellent)").get_by_label("4").check()
    page.get_by_role("group", name="Skin improvement (1 none, 5 a lot)").get_by_label("3").check()
    page.get_by_role("button", name="Save this week").click()
    expect(page.get_by_text("Week 2 is saved.")).to_be_visible()

    chart = page.get_by_role("img", name="Weekly satisfaction with Calming Toner")
    expect(chart).to_be_visible()
    assert chart.locator("circle").count() == 2
    table = page.get_by_role("table", name="Weekly satisfaction with Calming Toner")
    expect(table.get_by_role("row", name="Week 1 2")).to_be_visible()
    expect(table.get_by_role("row", name="Week 2 4")).to_be_visible()
    photo = page.get_by_role("img", name="Your photo from week 1")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.naturalWidth") > 0  # the private file view served it to the owner
    assert_accessible(page)
    assert list(ProgressEntry.objects.values_list("week_number", "overall_satisfaction")) == [(1, 2), (2, 4)]
    assert ProgressMedia.objects.count() == 1
