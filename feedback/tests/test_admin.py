import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from feedback import services
from feedback.models import ModerationItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_session(staff_user):
    staff_user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["feedback", "reviews"]))
    client = Client()
    client.force_login(staff_user)
    return client


def test_queue_page_and_bulk_actions(admin_session, user):
    items = [
        services.moderation_submit(content_type="review", content_id=n, user=user, text="This cures acne")
        for n in range(1, 4)
    ]
    page = admin_session.get("/admin/feedback/moderationitem/", {"queue": "open"})
    assert page.status_code == 200 and b"This cures acne" in page.content
    detail = admin_session.get(f"/admin/feedback/moderationitem/{items[0].pk}/change/")
    assert detail.status_code == 200
    response = admin_session.post(
        "/admin/feedback/moderationitem/",
        {"action": "reject", "_selected_action": [items[0].pk, items[1].pk]},
    )
    assert response.status_code == 302
    assert ModerationItem.objects.filter(status="rejected").count() == 2
    admin_session.post("/admin/feedback/moderationitem/", {"action": "escalate", "_selected_action": [items[2].pk]})
    assert ModerationItem.objects.get(pk=items[2].pk).escalated
