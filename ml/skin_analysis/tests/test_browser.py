"""Skin analysis in a real browser: upload a face photo, read the result and its chart."""

import pytest

from ml.skin_analysis.models import SkinAnalysis
from ml.skin_analysis.synthetic import Face, face_jpeg
from shop.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from shop.storefront.tests.test_browser import CHROMIUM, assert_accessible, browser, expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


@pytest.fixture(autouse=True)
def _upload_configs():
    """Transactional tests start from a flushed database: put the seeded upload rules back."""
    from importlib import import_module

    from django.apps import apps

    for migration in ("0002_seed_upload_configs", "0004_upload_frame_limits", "0005_skin_context"):
        import_module(f"shop.files.migrations.{migration}").seed(apps, None)


def test_upload_a_face_photo_and_read_the_ten_scores(live_server, browser):  # noqa: F811
    UserFactory(email="dara@example.com", first_name="Dara")
    page = browser.new_page()
    page.goto(f"{live_server.url}/skin/")
    page.get_by_label("E-mail").fill("dara@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Skin analysis", exact=True)).to_be_visible()
    expect(page.get_by_text("No analyses yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Face photo (private: only you and our staff can see it)").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": face_jpeg(Face(size=480, redness=1.0))}]
    )
    page.get_by_role("button", name="Analyse my skin").click()

    analysis = SkinAnalysis.objects.get()
    expect(page.get_by_role("heading", name="Your skin analysis")).to_be_visible()
    expect(page.get_by_text(f"Overall skin score: {analysis.overall_score} of 100")).to_be_visible()
    chart = page.get_by_role("img", name="Your ten skin scores")
    expect(chart).to_be_visible()
    assert chart.locator("rect").count() == 10
    table = page.get_by_role("table", name="Your ten skin scores")
    expect(table.get_by_role("row", name=f"Redness {analysis.redness}")).to_be_visible()
    assert analysis.redness < 70
    expect(page.get_by_role("heading", name="Personal feedback")).to_be_visible()
    photo = page.get_by_role("img", name="The photo you analysed")
    assert photo.evaluate("image => image.naturalWidth") > 0  # the private file served to its owner
    assert_accessible(page)

    page.get_by_role("link", name="All analyses").click()
    expect(page.get_by_role("cell", name="Done")).to_be_visible()
    assert_accessible(page)
