"""A public journal's text (goals, completion notes, entries' notes) goes through the moderation queue
as ``progress_note`` and others read it only once approved."""

import pytest
from rest_framework.test import APIClient

from feedback.models import ModerationItem
from feedback.services import moderation_approve, moderation_reject
from reviews.models import ProgressJournal
from reviews.progress import progress_update_visibility

pytestmark = pytest.mark.django_db

CLAIM = "This cures acne and eczema, better than any prescription"


def start(client, product, **payload):
    response = client.post(f"/api/v1/progress/start/{product.pk}", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def week(client, journal_id, number, **extra):
    payload = {"journal_id": journal_id, "week_number": number, "overall_satisfaction": 3, "skin_improvement": 3}
    response = client.post("/api/v1/progress/update", {**payload, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def public_journal(product):
    [journal] = APIClient().get(f"/api/v1/progress/product/{product.pk}").json()["data"]
    return journal


def test_flagged_public_goals_wait_for_a_moderator(auth_client, product, staff_user):
    started = start(auth_client, product, goals=CLAIM, is_public=True)

    assert started["notes_status"] == "flagged" and started["goals"] == CLAIM
    item = ModerationItem.objects.get(content_type="progress_note")
    assert (item.content_id, item.status, item.content_text) == (started["id"], "needs_review", CLAIM)
    assert item.flagged_reasons == ["medical_claims"]
    shown = public_journal(product)
    assert shown["goals"] == "" and "notes_status" not in shown
    timeline = APIClient().get(f"/api/v1/progress/{started['id']}/timeline").json()["data"]
    assert timeline["goals"] == ""

    moderation_approve(item=item, by=staff_user)

    assert public_journal(product)["goals"] == CLAIM
    assert ProgressJournal.objects.get(pk=started["id"]).notes_status == "approved"


def test_clean_public_text_is_shown_at_once(auth_client, product):
    journal = start(auth_client, product, goals="Fewer breakouts", is_public=True)
    week(auth_client, journal["id"], 1, skin_condition_notes="Calmer cheeks.", application_notes="Every evening.")

    shown = public_journal(product)
    assert shown["goals"] == "Fewer breakouts"
    assert shown["entries"][0]["skin_condition_notes"] == "Calmer cheeks."
    assert shown["entries"][0]["application_notes"] == "Every evening."
    item = ModerationItem.objects.get(content_type="progress_note")
    assert item.status == "approved" and item.content_text == "Fewer breakouts\nCalmer cheeks.\nEvery evening."


def test_spam_in_an_entry_hides_the_journal_text_until_decided(auth_client, product, staff_user):
    journal = start(auth_client, product, goals="Fewer breakouts", is_public=True)
    spam = "BUY NOW!!! Cheap pills at www.cheap-skin.example call +1 555 123 4567 BUY NOW!!!"
    entry = week(auth_client, journal["id"], 1, lifestyle_factors=spam)

    assert entry["lifestyle_factors"] == spam  # the author sees their own text
    shown = public_journal(product)
    assert shown["goals"] == "" and shown["entries"][0]["lifestyle_factors"] == ""
    item = ModerationItem.objects.get(content_type="progress_note")
    assert item.status == "needs_review" and "spam" in item.flagged_reasons

    moderation_reject(item=item, by=staff_user, notes="spam")
    assert ProgressJournal.objects.get(pk=journal["id"]).notes_status == "rejected"
    assert public_journal(product)["entries"][0]["lifestyle_factors"] == ""

    auth_client.patch(f"/api/v1/progress/entries/{entry['id']}", {"lifestyle_factors": "Slept badly."}, format="json")
    shown = public_journal(product)
    assert shown["goals"] == "Fewer breakouts" and shown["entries"][0]["lifestyle_factors"] == "Slept badly."


def test_completion_notes_are_screened(auth_client, product):
    journal = start(auth_client, product, goals="Fewer breakouts", is_public=True)
    done = auth_client.post(f"/api/v1/progress/{journal['id']}/complete", {"completion_notes": CLAIM}, format="json")

    assert done.status_code == 200 and done.json()["data"]["notes_status"] == "flagged"
    shown = public_journal(product)
    assert (shown["goals"], shown["completion_notes"]) == ("", "")


def test_private_journals_stay_out_of_the_queue(auth_client, user, product):
    journal = start(auth_client, product, goals=CLAIM)
    week(auth_client, journal["id"], 1, skin_condition_notes=CLAIM)
    assert ModerationItem.objects.filter(content_type="progress_note").count() == 0

    progress_update_visibility(user=user, journal_id=journal["id"], is_public=True)
    item = ModerationItem.objects.get(content_type="progress_note")
    assert item.content_text == f"{CLAIM}\n{CLAIM}" and item.status == "needs_review"

    progress_update_visibility(user=user, journal_id=journal["id"], is_public=False)
    assert ModerationItem.objects.filter(content_type="progress_note").count() == 0
    assert ProgressJournal.objects.get(pk=journal["id"]).notes_status == "pending"
