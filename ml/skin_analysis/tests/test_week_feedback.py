"""Personal feedback on each progress-journal week: written after the entry is saved (templates, or the
LLM when a key is set, with the same fallback and screening as an analysis), shown to the owner in
the journal API and page."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from feedback.screening import screen_text
from ml.skin_analysis.models import METRICS, SkinAnalysis
from ml.skin_analysis.tests.conftest import chat
from reviews.models import ProgressEntry, ProgressJournal
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

START = "/api/v1/progress/start/{}"
UPDATE = "/api/v1/progress/update"


def _scan(user, *, when, overall, changes=None, concerns=()):
    metrics = dict.fromkeys(METRICS, 80) | (changes or {})
    analysis = SkinAnalysis.objects.create(
        user=user,
        status="done",
        overall_score=overall,
        **metrics,
        concerns=list(concerns),
        completed_at=when,
    )
    SkinAnalysis.objects.filter(pk=analysis.pk).update(created_at=when)
    return analysis


def _week(client, journal_id, number, **extra):
    payload = {"journal_id": journal_id, "week_number": number, "overall_satisfaction": 3, "skin_improvement": 2}
    response = client.post(UPDATE, {**payload, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return ProgressEntry.objects.get(pk=response.json()["data"]["id"])


@pytest.fixture
def journal(auth_client, user):
    """``user`` tracks "Calm Serum" (and "Night Cream" in another journal); a scan from before the
    journal began (overall 70, redness 50, moderate) and one from this week (overall 76, redness 62)."""
    serum, cream = ProductFactory(name="Calm Serum"), ProductFactory(name="Night Cream")
    now = timezone.now()
    _scan(
        user,
        when=now - timedelta(days=20),
        overall=70,
        changes={"redness": 50},
        concerns=[{"concern": "redness", "metric": "redness", "severity": "moderate", "areas": ["nose"]}],
    )
    journal_id = auth_client.post(START.format(serum.pk), {}, format="json").json()["data"]["id"]
    auth_client.post(START.format(cream.pk), {}, format="json")
    ProgressJournal.objects.filter(pk=journal_id).update(started_at=now - timedelta(days=15))
    ProgressJournal.objects.exclude(pk=journal_id).update(started_at=now - timedelta(days=3))
    _scan(
        user,
        when=now - timedelta(hours=1),
        overall=76,
        changes={"redness": 62},
        concerns=[{"concern": "redness", "metric": "redness", "severity": "mild", "areas": ["nose"]}],
    )
    return journal_id


def test_each_week_gets_feedback_from_the_entry_history_scans_and_products(auth_client, journal):
    today = timezone.localdate()
    first = _week(auth_client, journal, 1, progress_date=(today - timedelta(days=7)).isoformat())
    second = _week(
        auth_client,
        journal,
        2,
        overall_satisfaction=4,
        skin_improvement=4,
        redness_reduced=True,
        hydration_improved=True,
        side_effects_severity=1,
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.feedback_source == second.feedback_source == "template"
    scan_day = date_format(timezone.now() - timedelta(days=20), "DATE_FORMAT")
    latest_day = date_format(timezone.now() - timedelta(hours=1), "DATE_FORMAT")
    assert first.feedback == (
        "Week 1 with Calm Serum: satisfaction 3 of 5, skin improvement 2 of 5. "
        "Little change in the first weeks is usual: keep using it as directed and record each week. "
        f"Your latest skin scan ({scan_day}) scored 70 of 100. "
        "Worth watching: Redness (moderate). "
        "You are also tracking Night Cream: a change may come from any of them. "
        "This sums up what you recorded, for cosmetic care; it is not medical advice."
    )
    assert second.feedback == (
        "Week 2 with Calm Serum: satisfaction 4 of 5, skin improvement 4 of 5. "
        "Since week 1: satisfaction +1, skin improvement +2. "
        "You noticed better hydration and less redness. "
        "You rated side effects 1 of 5: keep an eye on them. "
        f"Your latest skin scan ({latest_day}) scored 76 of 100. "
        f"That is +6 points since your scan of {scan_day}, when you started. "
        "Redness moved the most (+12). "
        "Worth watching: Redness (mild). "
        "You are also tracking Night Cream: a change may come from any of them. "
        "This sums up what you recorded, for cosmetic care; it is not medical advice."
    )
    screen = screen_text(second.feedback)
    assert (screen.medical_claims, screen.reasons) == (False, [])


def test_strong_side_effects_suggest_pausing_and_an_edit_rewrites_the_feedback(auth_client, journal):
    entry = _week(auth_client, journal, 1)
    assert "consider pausing" not in entry.feedback

    response = auth_client.patch(f"/api/v1/progress/entries/{entry.pk}", {"side_effects_severity": 4}, format="json")

    assert response.status_code == 200
    entry.refresh_from_db()
    assert (
        "You rated side effects 4 of 5: consider pausing Calm Serum, and see a dermatologist if they last or get "
        "worse." in entry.feedback
    )


def test_the_owner_sees_the_feedback_in_the_journal_api_and_others_do_not(auth_client, other_user, journal):
    entry = _week(auth_client, journal, 1)
    ProgressJournal.objects.filter(pk=journal).update(is_public=True, notes_status="approved")

    mine = auth_client.get("/api/v1/progress").json()["data"]
    [own] = [e for j in mine if j["id"] == journal for e in j["entries"]]
    assert (own["feedback"], own["feedback_source"]) == (entry.feedback, "template")
    assert own["feedback"].startswith("Week 1 with Calm Serum")

    stranger = Client()
    stranger.force_login(other_user)
    product_id = ProgressJournal.objects.get(pk=journal).product_id
    public = stranger.get(f"/api/v1/progress/product/{product_id}").json()["data"]
    [shown] = [e for j in public for e in j["entries"]]
    assert "feedback" not in shown and "feedback_source" not in shown


def test_the_journal_page_shows_each_weeks_feedback_to_its_owner(auth_client, user, journal):
    entry = _week(auth_client, journal, 1)
    page = Client()
    page.force_login(user)

    html = page.get(f"/journal/{journal}/").content.decode()

    assert 'aria-label="Feedback on week 1"' in html
    assert "Week 1 with Calm Serum: satisfaction 3 of 5" in html
    assert entry.feedback.split(": ")[0] in html


def test_the_llm_writes_the_week_feedback_when_configured(auth_client, journal, llm):
    llm["answer"] = (200, chat("A steady first week with Calm Serum. Keep your routine gentle."), 0)

    entry = _week(auth_client, journal, 1)

    assert (entry.feedback, entry.feedback_source) == (
        "A steady first week with Calm Serum. Keep your routine gentle.",
        "llm",
    )
    [request] = llm["requests"]
    assert request["path"] == "/v1/chat/completions"
    assert "progress journal" in request["body"]["messages"][0]["content"]
    facts = json.loads(request["body"]["messages"][1]["content"])
    assert (facts["week"], facts["product"], facts["latest_scan"]["overall"], facts["first_scan_overall"]) == (
        1,
        "Calm Serum",
        76,
        70,
    )


@pytest.mark.parametrize(
    "answer",
    [
        (200, chat("This serum cures your rosacea within a week."), 0),
        (503, {"error": "busy"}, 0),
        (200, {"unexpected": True}, 0),
        (200, chat("ok"), 1.5),
    ],
    ids=["medical-claim", "http-error", "bad-shape", "timeout"],
)
def test_the_templates_take_over_when_the_llm_fails_or_makes_claims(auth_client, journal, llm, answer):
    llm["answer"] = answer

    entry = _week(auth_client, journal, 1)

    assert entry.feedback_source == "template"
    assert entry.feedback.startswith("Week 1 with Calm Serum: satisfaction 3 of 5")


def test_week_feedback_follows_the_owners_language(auth_client, user, journal):
    user.language = "km"
    user.save(update_fields=["language"])

    entry = _week(auth_client, journal, 1)

    assert entry.feedback_source == "template"
    assert not entry.feedback.startswith("Week 1")
    assert "Calm Serum" in entry.feedback


def test_scans_after_the_week_are_not_used(user):
    from ml.skin_analysis.week_feedback import week_facts
    from reviews import progress

    product = ProductFactory(name="Toner")
    journal = progress.progress_start(user=user, product_id=product.pk)
    entry = progress.progress_entry_add(
        user=user, journal_id=journal.pk, week_number=1, overall_satisfaction=3, skin_improvement=3,
        progress_date=datetime(2026, 1, 5, tzinfo=UTC).date(),
    )  # fmt: skip
    _scan(user, when=datetime(2026, 1, 9, tzinfo=UTC), overall=90)

    assert week_facts(entry).scan is None
