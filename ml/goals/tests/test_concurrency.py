"""Goals and achievements under parallel events on PostgreSQL (each thread its own connection)."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections

from feedback.models import Notification
from ml.goals import services
from ml.goals.models import Goal, GoalMilestone, UserAchievement
from ml.goals.tests.helpers import analysis_done
from shop.accounts.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("default_achievements"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _parallel(job, count=6):
    barrier = threading.Barrier(count)

    def run():
        try:
            barrier.wait()
            job()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_parallel_refreshes_record_and_announce_each_milestone_once():
    user = UserFactory()
    analysis_done(user, hydration=40)
    goal = services.goal_create(user=user, metric="hydration", target_value=60, deadline=date.today() + timedelta(9))
    analysis_done(user, hydration=55)  # 75 %
    _parallel(lambda: services.goal_progress_refresh(goal=Goal.objects.get(pk=goal.pk)))
    assert sorted(GoalMilestone.objects.filter(goal=goal).values_list("percent", flat=True)) == [25, 50, 75]
    assert Notification.objects.filter(user=user, type="goal").count() == 1


def test_parallel_events_unlock_an_achievement_once():
    user = UserFactory()
    analysis_done(user)
    UserAchievement.objects.all().delete()
    Notification.objects.all().delete()
    _parallel(lambda: services.achievements_evaluate(user=user, metrics=["skin_analyses"]))
    assert list(UserAchievement.objects.filter(user=user).values_list("achievement__key", flat=True)) == [
        "first-analysis"
    ]
    assert Notification.objects.filter(user=user, type="achievement").count() == 1
