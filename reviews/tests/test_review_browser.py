"""A review with a photo in a real browser: the shopper writes it, a moderator approves it in the
Django admin's moderation queue, and the product page shows it with the updated summary."""

import pytest

from reviews.models import ContentStatus, Review, ReviewMedia
from reviews.tests.test_journal_browser import _upload_configs  # noqa: F401 (the seeded upload rules)
from shop.accounts.tests.factories import DEFAULT_PASSWORD, ModeratorFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.files.tests.factories import jpeg_bytes
from shop.storefront.tests.test_browser import CHROMIUM, assert_accessible, browser, expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine (apt-get install chromium)"),
]


def sign_in(page, email, label="E-mail"):
    page.get_by_label(label).fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)


def test_review_with_a_photo_is_approved_in_the_admin_and_shows_on_the_product_page(live_server, browser, settings):  # noqa: F811
    settings.MODERATION_AUTO_APPROVE = False  # everything waits for a person, as the flow has it
    product = ProductFactory(name="Calming Toner", slug="calming-toner")
    UserFactory(email="sokha@example.com", first_name="Sokha", skin_type="sensitive")
    ModeratorFactory(email="mod@example.com")

    shopper = browser.new_page()
    shopper.goto(f"{live_server.url}/p/calming-toner/")
    expect(shopper.get_by_text("No reviews yet.")).to_be_visible()
    shopper.get_by_role("link", name="Write a review").click()
    sign_in(shopper, "sokha@example.com")
    shopper.get_by_role("button", name="Sign in").click()

    expect(shopper.get_by_role("heading", name="Review Calming Toner")).to_be_visible()
    expect(shopper.get_by_label("Your skin type")).to_have_value("sensitive")
    assert_accessible(shopper)
    shopper.get_by_role("group", name="Your rating (1 poor, 5 excellent) (required)").get_by_label("5").check()
    shopper.get_by_label("Title").fill("Redness gone in a month")
    shopper.get_by_label("Your review", exact=True).fill("My cheeks are calm again and it never stings.")
    shopper.get_by_role("group", name="Effectiveness").get_by_label("5").check()
    shopper.get_by_role("group", name="Texture").get_by_label("4").check()
    shopper.get_by_label("After photo", exact=True).set_input_files(
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(color=(220, 170, 150))}]
    )
    shopper.get_by_label("Days of use when the after photo was taken").fill("28")
    shopper.get_by_role("button", name="Send my review").click()

    expect(shopper.get_by_text("Thank you! Your review is waiting for moderation")).to_be_visible()
    expect(shopper.get_by_text("Pending moderation: others see it once a moderator approves it.")).to_be_visible()
    expect(shopper.get_by_text("Waiting for moderation · day 28 of use")).to_be_visible()
    assert_accessible(shopper)
    review = Review.objects.get()
    assert (review.rating, review.status, review.skin_type_at_review) == (5, ContentStatus.PENDING, "sensitive")
    for path, heading in (
        ("/account/reviews/", "My reviews"),
        ("/account/questions/", "My questions"),
        (f"/reviews/ask/{product.pk}/", "Ask about Calming Toner"),
        ("/account/picture/", "Profile picture"),
    ):
        shopper.goto(live_server.url + path)
        expect(shopper.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_accessible(shopper)

    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/p/calming-toner/")
    expect(visitor.get_by_text("No reviews yet.")).to_be_visible()  # nothing shows before a moderator decides

    moderator = browser.new_context().new_page()
    moderator.goto(f"{live_server.url}/admin/feedback/moderationitem/")
    sign_in(moderator, "mod@example.com", label="Email")
    moderator.get_by_role("button", name="Log in").click()
    expect(moderator.get_by_text("Redness gone in a month")).to_be_visible()
    moderator.locator("#action-toggle").check()  # the review and its photo
    moderator.get_by_role("combobox", name="Action").select_option(label="Approve selected content")
    moderator.get_by_role("button", name="Go").click()
    expect(moderator.get_by_text("2 item(s) approved")).to_be_visible()

    visitor.goto(f"{live_server.url}/p/calming-toner/")
    expect(visitor.get_by_text("5.0 out of 5 from 1 review.")).to_be_visible()
    expect(visitor.get_by_role("img", name="Rating histogram")).to_be_visible()
    expect(visitor.get_by_role("heading", name="Redness gone in a month")).to_be_visible()
    photo = visitor.get_by_role("img", name="Shopper photo 1")
    expect(photo).to_be_visible()
    photo.scroll_into_view_if_needed()  # it loads lazily
    visitor.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=photo.element_handle())
    expect(visitor.get_by_text("5 out of 5 · Sensitive")).to_be_visible()
    assert_accessible(visitor)
    product.refresh_from_db()
    assert (product.review_count, str(product.rating_avg)) == (1, "5.00")
    assert ReviewMedia.objects.get().status == ContentStatus.APPROVED
