import pytest

from feedback import services
from feedback.models import ModerationItem, ModerationStatus
from skincare import events

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/staff/moderation/queue"


@pytest.fixture
def decisions():
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    events.moderation_decided.connect(receiver, dispatch_uid="test-decisions")
    yield seen
    events.moderation_decided.disconnect(dispatch_uid="test-decisions")


def submit(user, text, content_id=1, content_type="review", **kwargs):
    return services.moderation_submit(content_type=content_type, content_id=content_id, user=user, text=text, **kwargs)


def test_clean_content_is_auto_approved_and_announced(user, decisions):
    item = submit(user, "Lovely light moisturiser, no breakouts.")
    assert item.status == ModerationStatus.APPROVED and item.auto_approved
    assert decisions[-1]["decision"] == "approved" and decisions[-1]["by"] is None


def test_flagged_content_waits_with_reasons(user, decisions):
    item = submit(user, "This cures acne, better than any prescription")
    assert item.status == ModerationStatus.NEEDS_REVIEW
    assert item.flagged_reasons == ["medical_claims"] and item.medical_claims_detected
    assert item.priority_level == 2
    assert decisions == []


def test_borderline_content_is_pending(user):
    assert submit(user, "Honestly the seller is a scam").status == ModerationStatus.PENDING


def test_auto_approve_can_be_switched_off(user, settings):
    settings.MODERATION_AUTO_APPROVE = False
    assert submit(user, "Lovely light moisturiser").status == ModerationStatus.PENDING


def test_photos_wait_for_a_human_unless_configured(user, settings):
    item = submit(user, "", content_type="review_photo")
    assert item.status == ModerationStatus.PENDING and "photo" in item.flagged_reasons
    settings.MODERATION_AUTO_APPROVE_PHOTOS = True
    assert submit(user, "", content_id=2, content_type="review_photo").status == ModerationStatus.APPROVED


def test_resubmission_rescreens_the_same_item(user):
    first = submit(user, "This cures acne")
    second = submit(user, "Nice texture")
    assert first.pk == second.pk
    assert second.status == ModerationStatus.APPROVED and second.flagged_reasons == []


def test_decide_twice_is_refused(user, staff_user, decisions):
    item = submit(user, "This cures acne")
    services.moderation_reject(item=item, by=staff_user, notes="medical claim")
    assert decisions[-1]["decision"] == "rejected" and decisions[-1]["notes"] == "medical claim"
    with pytest.raises(Exception) as exc:
        services.moderation_reject(item=item, by=staff_user)
    assert exc.value.error_code == "MODERATION_ALREADY_DECIDED"


def test_reports_escalate_after_threshold(user, settings):
    from shop.accounts.tests.factories import UserFactory

    settings.MODERATION_REPORTS_TO_ESCALATE = 2
    item = submit(user, "Nice serum")
    reporters = UserFactory.create_batch(2)
    services.moderation_report(content_type="review", content_id=1, reporter=reporters[0], reason="spam", owner=user)
    item.refresh_from_db()
    assert item.status == ModerationStatus.NEEDS_REVIEW and item.user_reported and not item.escalated
    with pytest.raises(Exception) as exc:
        services.moderation_report(
            content_type="review", content_id=1, reporter=reporters[0], reason="spam", owner=user
        )
    assert exc.value.error_code == "ALREADY_REPORTED"
    services.moderation_report(content_type="review", content_id=1, reporter=reporters[1], reason="fake", owner=user)
    item.refresh_from_db()
    assert item.report_count == 2 and item.escalated and item.priority_level == 1


def test_cannot_report_own_content(user):
    submit(user, "Nice serum")
    with pytest.raises(Exception) as exc:
        services.moderation_report(content_type="review", content_id=1, reporter=user, reason="spam", owner=user)
    assert exc.value.error_code == "REPORT_OWN_CONTENT"


# --- API --------------------------------------------------------------------------------------------


def test_queue_requires_staff(api_client, auth_client):
    assert api_client.get(QUEUE).status_code == 401
    response = auth_client.get(QUEUE)
    assert response.status_code == 403 and response.json()["status"] == "error"


def test_queue_lists_open_items_by_priority(staff_client, user):
    submit(user, "Seller is a scam", content_id=1)
    submit(user, "This cures acne", content_id=2)
    submit(user, "Nice", content_id=3)  # auto-approved: not in the open queue
    response = staff_client.get(QUEUE)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [row["content_id"] for row in data] == [2, 1]
    assert data[0]["flagged_reasons"] == ["medical_claims"]
    assert staff_client.get(QUEUE, {"status": "approved"}).json()["meta"]["total"] == 1
    assert staff_client.get(QUEUE, {"status": "all"}).json()["meta"]["total"] == 3


@pytest.mark.parametrize(
    "params", [{"status": "nope"}, {"content_type": "blog"}, {"priority": 9}, {"per_page": 0}, {"ordering": "x"}]
)
def test_queue_bad_filters_are_400(staff_client, params):
    response = staff_client.get(QUEUE, params)
    assert response.status_code == 400 and response.json()["status"] == "error"


def test_approve_reject_escalate_endpoints(staff_client, user, decisions):
    item = submit(user, "This cures acne")
    url = f"/api/v1/staff/moderation/{item.pk}"
    assert staff_client.get(url).json()["data"]["content_text"] == "This cures acne"
    escalated = staff_client.post(f"{url}/escalate", {"notes": "ask a dermatologist"}, format="json")
    assert escalated.status_code == 200 and escalated.json()["data"]["escalated"] is True
    approved = staff_client.post(f"{url}/approve", {"notes": "ok in context"}, format="json")
    assert approved.status_code == 200 and approved.json()["data"]["status"] == "approved"
    assert approved.json()["data"]["reviewed_by"]["id"]
    again = staff_client.post(f"{url}/approve", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "MODERATION_ALREADY_DECIDED"
    assert staff_client.post(f"{url}/reject", {}, format="json").json()["data"]["status"] == "rejected"
    assert [d["decision"] for d in decisions] == ["approved", "rejected"]
    assert staff_client.post("/api/v1/staff/moderation/999999/approve", {}, format="json").status_code == 404
    too_long = staff_client.post(f"{url}/approve", {"notes": "x" * 3000}, format="json")
    assert too_long.status_code == 400


def test_bulk_action(staff_client, user):
    items = [submit(user, "This cures acne", content_id=n) for n in range(1, 4)]
    ids = [i.pk for i in items]
    response = staff_client.post(
        "/api/v1/staff/moderation/bulk-action", {"ids": [*ids, 99999], "action": "reject"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()["data"]
    assert body == {"done": ids, "skipped": [{"id": 99999, "code": "NOT_FOUND", "message": "Not found."}]}
    assert set(ModerationItem.objects.values_list("status", flat=True)) == {"rejected"}
    repeat = staff_client.post("/api/v1/staff/moderation/bulk-action", {"ids": ids, "action": "reject"}, format="json")
    assert repeat.json()["data"] == {
        "done": [],
        "skipped": [
            {"id": pk, "code": "MODERATION_ALREADY_DECIDED", "message": "This content is already rejected."}
            for pk in ids
        ],
    }
    for bad in ({"ids": [], "action": "approve"}, {"ids": ids, "action": "delete"}, {"ids": "1", "action": "x"}):
        assert staff_client.post("/api/v1/staff/moderation/bulk-action", bad, format="json").status_code == 400


def test_bulk_action_out_of_range_id_is_400_and_changes_nothing(staff_client, user):
    # Fuzzing: an id past the database's integer range reached the query (500 OverflowError on SQLite).
    item = submit(user, "This cures acne", content_id=1)
    response = staff_client.post(
        "/api/v1/staff/moderation/bulk-action", {"ids": [item.pk, 2**70], "action": "reject"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error" and body["code"] == "VALIDATION_ERROR"
    assert "ids" in body["errors"]
    item.refresh_from_db()
    assert item.status != "rejected"


def test_stats(staff_client, user, staff_user):
    submit(user, "Nice", content_id=1)
    pending = submit(user, "This cures acne", content_id=2)
    submit(user, "Seller is a scam", content_id=3)
    services.moderation_reject(item=pending, by=staff_user)
    response = staff_client.get("/api/v1/staff/moderation/stats")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["by_status"] == {"pending": 1, "needs_review": 0, "approved": 1, "rejected": 1}
    assert data["open"]["total"] == 1 and data["open"]["by_content_type"] == {"review": 1}
    assert data["decisions"] == {"automatic_approvals": 1, "manual_approved": 0, "manual_rejected": 1}
    assert data["time_to_decision"]["count"] == 1
    assert staff_client.get("/api/v1/staff/moderation/stats", {"days": 0}).status_code == 400
