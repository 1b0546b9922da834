"""The moderation queue and item page in the admin: full content, links, decision buttons, next item."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from feedback.models import ModerationItem
from reviews import services as review_services
from reviews.models import Review
from reviews.tests.helpers import review_payload
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/feedback/moderationitem/"
LONG_TEXT = "This cures acne for good. " + "My skin feels calmer every week. " * 10


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _messages(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def _flagged_review(product=None):
    """A review the screen holds for a person (medical claim), with its moderation item."""
    author = UserFactory()
    review = review_services.review_create(
        user=author, product_id=(product or ProductFactory()).pk, **review_payload(review_text=LONG_TEXT)
    )
    item = ModerationItem.objects.get(content_type="review", content_id=review.pk)
    assert item.status == "needs_review"
    return review, item


@pytest.fixture
def moderator_client():
    return _login(ModeratorFactory())


def test_item_page_shows_the_content_in_full_with_links_and_buttons(moderator_client):
    review, item = _flagged_review()
    _, second = _flagged_review()

    page = moderator_client.get(f"{QUEUE}{item.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "My skin feels calmer every week. " * 3 in html  # the whole text, not the excerpt
    assert f'<a href="/admin/accounts/user/{review.user_id}/change/">{review.user.email}</a>' in html
    assert f'<a href="/admin/catalog/product/{review.product_id}/change/">#{review.product_id}</a>' in html
    assert f'<a href="/admin/reviews/review/{review.pk}/change/">Review #{review.pk}</a>' in html
    for decision in ("approve", "reject", "escalate"):
        assert f'name="decision" value="{decision}"' in html
    assert f'<a href="{QUEUE}{second.pk}/change/" accesskey="n" rel="next"' in html


def test_approve_shows_the_review_and_moves_to_the_next_item(moderator_client):
    review, item = _flagged_review()
    _, second = _flagged_review()

    response = moderator_client.post(f"{QUEUE}{item.pk}/decide/", {"decision": "approve"})

    assert response.status_code == 302 and response["Location"] == f"{QUEUE}{second.pk}/change/"
    assert _messages(response) == [("success", f"Item #{item.pk} approved.")]
    assert ModerationItem.objects.get(pk=item.pk).status == "approved"
    assert Review.objects.get(pk=review.pk).status == "approved"


def test_reject_needs_a_reason_and_records_it(moderator_client):
    review, item = _flagged_review()

    refused = moderator_client.post(f"{QUEUE}{item.pk}/decide/", {"decision": "reject", "notes": " "}, follow=True)

    assert refused.redirect_chain == [(f"{QUEUE}{item.pk}/change/", 302)]
    assert _messages(refused) == [("error", "Say why the content is rejected (the author is told).")]
    assert ModerationItem.objects.get(pk=item.pk).status == "needs_review"

    done = moderator_client.post(f"{QUEUE}{item.pk}/decide/", {"decision": "reject", "notes": "Medical claim"})

    stored = ModerationItem.objects.get(pk=item.pk)
    assert (stored.status, stored.review_notes) == ("rejected", "Medical claim")
    assert Review.objects.get(pk=review.pk).status == "rejected"
    assert done["Location"] == f"{QUEUE}?queue=open"
    assert _messages(done) == [("success", f"Item #{item.pk} rejected."), ("info", "The queue is empty.")]


def test_escalate_keeps_the_item_on_screen(moderator_client):
    _, item = _flagged_review()

    response = moderator_client.post(f"{QUEUE}{item.pk}/decide/", {"decision": "escalate", "notes": "Ask a doctor"})

    assert response["Location"] == f"{QUEUE}{item.pk}/change/"
    stored = ModerationItem.objects.get(pk=item.pk)
    assert (stored.escalated, stored.priority_level, stored.escalated_by_id) == (True, 1, response.wsgi_request.user.pk)


def test_deciding_twice_says_it_is_already_decided(moderator_client):
    _, item = _flagged_review()
    moderator_client.post(f"{QUEUE}{item.pk}/decide/", {"decision": "approve"}, follow=True)

    again = moderator_client.post(f"{QUEUE}{item.pk}/decide/", {"decision": "approve"})

    assert _messages(again) == [("warning", f"Item #{item.pk}: This content is already approved.")]


def test_an_expert_cannot_open_or_decide_items():
    _, item = _flagged_review()
    client = _login(ExpertFactory())

    assert client.get(f"{QUEUE}{item.pk}/change/").status_code == 403
    assert client.post(f"{QUEUE}{item.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert ModerationItem.objects.get(pk=item.pk).status == "needs_review"


def test_moderator_reaches_the_oldest_item_from_the_dashboard_in_one_click(moderator_client):
    _, item = _flagged_review()

    panels = {p["key"]: p for p in moderator_client.get("/admin/").context["dashboard_panels"]}
    oldest = next(i for i in panels["moderation"]["items"] if i["label"] == "Oldest open item")

    assert oldest["url"] == f"{QUEUE}{item.pk}/change/"
    assert moderator_client.get(oldest["url"]).status_code == 200


def test_queue_is_readable_and_its_query_count_does_not_grow(moderator_client):
    product = ProductFactory()
    _, item = _flagged_review(product)
    moderator_client.get(QUEUE, {"queue": "open"})
    with CaptureQueriesContext(connection) as one:
        page = moderator_client.get(QUEUE, {"queue": "open"})
    html = page.content.decode()
    for column in ("text_preview", "author", "product_link", "scores", "age", "report_count"):
        assert f"column-{column}" in html, column
    assert item.content_text[:120] + "…" in html and item.content_text not in html
    assert f'<a href="/admin/catalog/product/{product.pk}/change/">#{product.pk}</a>' in html

    for _ in range(4):
        _flagged_review(product)
    with CaptureQueriesContext(connection) as five:
        assert moderator_client.get(QUEUE, {"queue": "open"}).context["cl"].result_count == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_bulk_approve_reports_done_and_skipped_items(moderator_client):
    _, first = _flagged_review()
    _, second = _flagged_review()
    moderator_client.post(f"{QUEUE}{first.pk}/decide/", {"decision": "approve"}, follow=True)

    response = moderator_client.post(
        QUEUE, {"action": "approve", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert _messages(response) == [
        ("success", f"1 item(s) approved: #{second.pk}."),
        ("warning", f"#{first.pk} not approved: already decided that way."),
    ]
