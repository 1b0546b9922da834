"""Achievements are unlocked once, by events, each with one notification."""

from datetime import date, timedelta

import pytest
from django.core import mail

from feedback import services as feedback_services
from feedback.models import Notification, PushDevice
from ml.goals import services
from ml.goals.models import Achievement, UserAchievement
from ml.goals.tests.helpers import analysis_done
from reviews import progress
from reviews.models import ContentStatus, Review
from reviews.services import review_vote
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ACHIEVEMENTS = "/api/v1/achievements"


def unlocked(user):
    return sorted(UserAchievement.objects.filter(user=user).values_list("achievement__key", flat=True))


def achievement_notifications(user):
    return list(Notification.objects.filter(user=user, type="achievement").values_list("related_key", flat=True))


def test_the_default_achievements_are_data():
    rows = list(Achievement.objects.values_list("key", "metric", "threshold"))
    assert rows == [
        ("first-analysis", "skin_analyses", 1),
        ("first-photo-review", "reviews_with_photos", 1),
        ("helpful-reviewer", "helpful_votes", 10),
        ("journal-streak-4", "journal_week_streak", 4),
        ("goal-reached", "goals_reached", 1),
        ("five-analyses", "skin_analyses", 5),
    ]
    assert all(Achievement.objects.values_list("name_km", flat=True))


def test_first_analysis_unlocks_once_with_one_notification_by_every_channel(
    user, django_capture_on_commit_callbacks, settings
):
    PushDevice.objects.create(user=user, token="phone")
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user)
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user)
    assert unlocked(user) == ["first-analysis"]
    assert achievement_notifications(user) == ["first-analysis"]
    notification = Notification.objects.get(user=user, type="achievement")
    assert notification.title == "Achievement unlocked: First skin analysis"
    assert (notification.email_wanted, notification.push_wanted, notification.email_sent) == (True, True, True)
    assert [m.subject for m in mail.outbox] == ["Achievement unlocked: First skin analysis"]
    assert mail.outbox[0].to == [user.email]


def test_a_pending_analysis_unlocks_nothing(user):
    from ml.skin_analysis.models import SkinAnalysis
    from skincare import events

    events.skin_analysis_done.send(sender=SkinAnalysis, analysis=SkinAnalysis.objects.create(user=user))
    assert unlocked(user) == []


def test_the_notification_is_in_the_users_language(django_capture_on_commit_callbacks):
    user = UserFactory(language="km")
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user)
    notification = Notification.objects.get(user=user, type="achievement")
    assert "ការវិភាគស្បែកលើកដំបូង" in notification.title
    assert notification.message == "អ្នកបានបញ្ចប់ការវិភាគស្បែកតាមរូបថតលើកដំបូងរបស់អ្នក។"


def test_first_review_with_photos_unlocks_when_moderation_approves_it(user, django_capture_on_commit_callbacks):
    plain = Review.objects.create(product=ProductFactory(), user=user, rating=4, has_photos=False)
    with_photos = Review.objects.create(product=ProductFactory(), user=user, rating=5, has_photos=True)
    other = Review.objects.create(product=ProductFactory(), user=user, rating=5, has_photos=True)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.moderation_submit(content_type="review", content_id=plain.pk, user=user, text="Nice cream")
    assert unlocked(user) == []
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.moderation_submit(
            content_type="review", content_id=with_photos.pk, user=user, text="Lovely texture"
        )
    with_photos.refresh_from_db()
    assert with_photos.status == ContentStatus.APPROVED
    assert unlocked(user) == ["first-photo-review"]
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.moderation_submit(content_type="review", content_id=other.pk, user=user, text="Soft skin")
    assert achievement_notifications(user) == ["first-photo-review"]


def test_helpful_reviewer_unlocks_at_the_tenth_helpful_vote(user, django_capture_on_commit_callbacks):
    review = Review.objects.create(product=ProductFactory(), user=user, rating=5, status=ContentStatus.APPROVED)
    voters = [UserFactory() for _ in range(11)]
    for voter in voters[:9]:
        with django_capture_on_commit_callbacks(execute=True):
            review_vote(user=voter, review_id=review.pk, vote_type="helpful")
    with django_capture_on_commit_callbacks(execute=True):
        review_vote(user=voters[9], review_id=review.pk, vote_type="unhelpful")
    assert unlocked(user) == []
    with django_capture_on_commit_callbacks(execute=True):
        review_vote(user=voters[10], review_id=review.pk, vote_type="helpful")
    assert unlocked(user) == ["helpful-reviewer"]


def test_four_journal_weeks_in_a_row_unlock_the_streak(user, django_capture_on_commit_callbacks):
    product = ProductFactory()
    journal = progress.progress_start(user=user, product_id=product.pk)
    start = date.today() - timedelta(weeks=6)
    for week in (1, 2, 4, 5, 6):
        with django_capture_on_commit_callbacks(execute=True):
            progress.progress_entry_add(
                user=user, journal_id=journal.pk, week_number=week, overall_satisfaction=3, skin_improvement=3,
                progress_date=start + timedelta(weeks=week - 1),
            )  # fmt: skip
    assert unlocked(user) == []  # 1-2 and 4-6: three weeks at most
    with django_capture_on_commit_callbacks(execute=True):
        progress.progress_entry_add(
            user=user, journal_id=journal.pk, week_number=3, overall_satisfaction=3, skin_improvement=3,
            progress_date=start + timedelta(weeks=2),
        )  # fmt: skip
    assert unlocked(user) == ["journal-streak-4"]


def test_evaluating_again_unlocks_nothing_twice(user):
    analysis_done(user)
    assert [u.achievement.key for u in services.achievements_evaluate(user=user)] == ["first-analysis"]
    assert services.achievements_evaluate(user=user) == []
    assert UserAchievement.objects.filter(user=user).count() == 1


def test_an_inactive_achievement_is_neither_listed_nor_unlocked(user):
    Achievement.objects.filter(key="first-analysis").update(is_active=False)
    analysis_done(user)
    assert services.achievements_evaluate(user=user) == []


def test_achievements_api_lists_unlocks_and_progress_in_constant_queries(auth_client, user, django_assert_num_queries):
    for _ in range(2):
        analysis_done(user)
    services.achievements_evaluate(user=user)
    with django_assert_num_queries(7):  # achievements, unlocks, one count per metric not yet done (5)
        response = auth_client.get(ACHIEVEMENTS)
    body = response.json()
    assert body["meta"]["total"] == 6
    rows = {row["key"]: row for row in body["data"]}
    assert (rows["first-analysis"]["unlocked"], rows["first-analysis"]["progress"]) == (True, 100)
    assert rows["first-analysis"]["unlocked_at"] is not None
    assert (rows["five-analyses"]["unlocked"], rows["five-analyses"]["value"], rows["five-analyses"]["progress"]) == (
        False, 2, 40,
    )  # fmt: skip
    assert rows["helpful-reviewer"]["value"] == 0

    for _ in range(3):
        analysis_done(user)
    with django_assert_num_queries(7):
        auth_client.get(ACHIEVEMENTS)


def test_achievements_follow_accept_language(auth_client):
    body = auth_client.get(ACHIEVEMENTS, HTTP_ACCEPT_LANGUAGE="km").json()
    first = body["data"][0]
    assert (first["name"], first["name_km"]) == ("ការវិភាគស្បែកលើកដំបូង", "ការវិភាគស្បែកលើកដំបូង")


def test_achievements_need_sign_in(api_client):
    assert api_client.get(ACHIEVEMENTS).status_code == 401
