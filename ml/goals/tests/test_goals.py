"""Goals: set from the latest reading, progress from new readings, milestones announced once."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from feedback.models import Notification
from ml.goals import services
from ml.goals.models import Goal, GoalMilestone
from ml.goals.tests.helpers import analysis_done
from reviews import progress
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

GOALS = "/api/v1/goals"


def in_weeks(weeks):
    return (timezone.localdate() + timedelta(weeks=weeks)).isoformat()


def goal_notifications(user):
    return list(Notification.objects.filter(user=user, type="goal").order_by("id").values_list("title", flat=True))


@pytest.mark.parametrize(("current", "percent"), [(40, 0), (35, 0), (44, 20), (45, 25), (59, 95), (60, 100), (90, 100)])
def test_progress_is_the_floored_share_of_the_way_from_start_to_target(current, percent):
    assert services.goal_progress_percent(start=40, target=60, current=current) == percent


def test_a_goal_starts_from_the_latest_analysis_and_moves_with_new_ones(
    auth_client, user, django_capture_on_commit_callbacks
):
    analysis_done(user, hydration=30)
    analysis_done(user, hydration=40)
    response = auth_client.post(
        GOALS, {"metric": "hydration", "target_value": 60, "deadline": in_weeks(8)}, format="json"
    )
    assert response.status_code == 201
    goal = response.json()["data"]
    assert (goal["start_value"], goal["current_value"], goal["progress"], goal["state"]) == (40, 40, 0, "active")
    assert (goal["title"], goal["metric_source"], goal["source"], goal["milestones"]) == (
        "Hydration to 60", "analysis", "user", [],
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user, hydration=51)  # 55 % of the way: 25 and 50 reached, announced once as 50
    goal = auth_client.get(f"{GOALS}/{goal['id']}").json()["data"]
    assert (goal["current_value"], goal["progress"]) == (51, 55)
    assert [m["percent"] for m in goal["milestones"]] == [25, 50]
    assert goal_notifications(user) == ["50% of your goal: Hydration to 60"]

    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user, hydration=48)  # a worse reading: progress follows it, milestones stay
    assert Goal.objects.get().progress == 40
    assert list(GoalMilestone.objects.values_list("percent", flat=True)) == [25, 50]

    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user, hydration=62)
    goal = auth_client.get(f"{GOALS}/{goal['id']}").json()["data"]
    assert (goal["progress"], goal["state"]) == (100, "reached")
    assert [m["percent"] for m in goal["milestones"]] == [25, 50, 75, 100]
    assert goal_notifications(user) == ["50% of your goal: Hydration to 60", "Goal reached: Hydration to 60"]
    assert Notification.objects.filter(user=user, type="achievement", related_key="goal-reached").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user, hydration=30)  # a reached goal stays reached
    assert Goal.objects.get().progress == 100


def test_journal_goals_move_with_journal_entries(auth_client, user, django_capture_on_commit_callbacks):
    journal = progress.progress_start(user=user, product_id=ProductFactory().pk)
    progress.progress_entry_add(
        user=user, journal_id=journal.pk, week_number=1, overall_satisfaction=3, skin_improvement=2
    )
    response = auth_client.post(
        GOALS, {"metric": "journal_skin_improvement", "target_value": 4, "deadline": in_weeks(6)}, format="json"
    )
    goal_id = response.json()["data"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        progress.progress_entry_add(
            user=user, journal_id=journal.pk, week_number=2, overall_satisfaction=4, skin_improvement=3
        )
    data = auth_client.get(f"{GOALS}/{goal_id}").json()["data"]
    assert (data["start_value"], data["current_value"], data["progress"]) == (2, 3, 50)


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"metric": "hydration", "target_value": 60}, "GOAL_METRIC_NO_DATA", None),
        ({"metric": "journal_satisfaction", "target_value": 4}, "GOAL_METRIC_NO_DATA", None),
        ({"metric": "bogus", "target_value": 60}, "VALIDATION_ERROR", "metric"),
        ({"metric": "hydration", "target_value": 101}, "VALIDATION_ERROR", "target_value"),
        ({"metric": "journal_satisfaction", "target_value": 6}, "VALIDATION_ERROR", "target_value"),
    ],
)
def test_bad_goals_are_refused_and_change_nothing(auth_client, payload, code, field):
    response = auth_client.post(GOALS, {**payload, "deadline": in_weeks(4)}, format="json")
    body = response.json()
    assert (response.status_code, body["code"]) == (400, code)
    if field:
        assert field in body["errors"]
    assert not Goal.objects.exists()


def test_a_target_not_above_the_start_or_a_past_deadline_is_refused(auth_client, user):
    analysis_done(user, hydration=70)
    same = auth_client.post(GOALS, {"metric": "hydration", "target_value": 70, "deadline": in_weeks(4)}, format="json")
    assert same.json()["code"] == "GOAL_TARGET_NOT_ABOVE_START"
    assert same.json()["errors"] == {"target_value": ["Must be above 70."]}
    past = auth_client.post(
        GOALS, {"metric": "hydration", "target_value": 80, "deadline": date.today().isoformat()}, format="json"
    )
    assert "deadline" in past.json()["errors"]
    assert not Goal.objects.exists()


def test_open_goals_are_limited(auth_client, user):
    analysis_done(user)
    for _ in range(services.MAX_OPEN_GOALS):
        services.goal_create(user=user, metric="texture", target_value=70, deadline=date.today() + timedelta(days=9))
    response = auth_client.post(GOALS, {"metric": "pores", "target_value": 70, "deadline": in_weeks(4)}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "GOAL_LIMIT_REACHED")


def test_suggestions_come_from_the_weakest_scores_of_the_latest_analysis(auth_client, user):
    analysis_done(user, hydration=30, redness=45, pores=60, texture=90, radiance=88)
    services.goal_create(user=user, metric="redness", target_value=70, deadline=date.today() + timedelta(days=30))
    body = auth_client.get(f"{GOALS}/suggestions").json()
    deadline = (date.today() + timedelta(weeks=8)).isoformat()
    assert [(s["metric"], s["start_value"], s["target_value"], s["deadline"]) for s in body["data"]] == [
        ("hydration", 30, 45, deadline),
        ("blemishes", 50, 65, deadline),
        ("eye_area", 50, 65, deadline),
    ]
    chosen = body["data"][0]
    created = auth_client.post(GOALS, {**{k: chosen[k] for k in ("metric", "target_value", "deadline")},
                                       "from_suggestion": True}, format="json")  # fmt: skip
    assert created.json()["data"]["source"] == "suggestion"


def test_without_an_analysis_the_journal_gives_the_suggestion(auth_client, user):
    assert auth_client.get(f"{GOALS}/suggestions").json()["data"] == []
    journal = progress.progress_start(user=user, product_id=ProductFactory().pk)
    progress.progress_entry_add(
        user=user, journal_id=journal.pk, week_number=1, overall_satisfaction=3, skin_improvement=3
    )
    data = auth_client.get(f"{GOALS}/suggestions").json()["data"]
    assert [(s["metric"], s["start_value"], s["target_value"]) for s in data] == [("journal_skin_improvement", 3, 4)]


def test_goals_are_private_and_listed_in_constant_queries(auth_client, user, django_assert_num_queries):
    other = UserFactory()
    analysis_done(other)
    theirs = services.goal_create(user=other, metric="pores", target_value=80, deadline=date.today() + timedelta(9))
    assert auth_client.get(f"{GOALS}/{theirs.pk}").json()["code"] == "GOAL_NOT_FOUND"
    assert auth_client.delete(f"{GOALS}/{theirs.pk}").status_code == 404
    assert Goal.objects.filter(pk=theirs.pk).exists()

    analysis_done(user)
    for metric in ("pores", "texture"):
        services.goal_create(user=user, metric=metric, target_value=80, deadline=date.today() + timedelta(9))
    with django_assert_num_queries(3):  # count, page, milestones
        assert auth_client.get(GOALS).json()["meta"]["total"] == 2
    for metric in ("radiance", "redness", "hydration"):
        services.goal_create(user=user, metric=metric, target_value=80, deadline=date.today() + timedelta(9))
    with django_assert_num_queries(3):
        assert auth_client.get(GOALS).json()["meta"]["total"] == 5
    assert auth_client.get(GOALS, {"state": "reached"}).json()["meta"]["total"] == 0
    assert auth_client.get(GOALS, {"state": "bogus"}).json()["code"] == "VALIDATION_ERROR"


def test_a_goal_past_its_deadline_is_missed_and_stops_moving(auth_client, user, django_capture_on_commit_callbacks):
    analysis_done(user, hydration=40)
    goal = services.goal_create(user=user, metric="hydration", target_value=60, deadline=date.today() + timedelta(1))
    Goal.objects.filter(pk=goal.pk).update(deadline=date.today() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        analysis_done(user, hydration=60)
    data = auth_client.get(f"{GOALS}/{goal.pk}").json()["data"]
    assert (data["state"], data["progress"]) == ("missed", 0)


def test_deleting_a_goal(auth_client, user):
    analysis_done(user)
    goal = services.goal_create(user=user, metric="pores", target_value=80, deadline=date.today() + timedelta(9))
    assert auth_client.delete(f"{GOALS}/{goal.pk}").status_code == 204
    assert not Goal.objects.exists()
