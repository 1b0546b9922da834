"""``/account/goals/`` and ``/account/achievements/``."""

from django.urls import path

from ml.goals import pages

app_name = "goals"

urlpatterns = [
    path("goals/", pages.goals, name="goals"),
    path("goals/new/", pages.goal_create, name="goal-create"),
    path("goals/<int:goal_id>/delete/", pages.goal_delete, name="goal-delete"),
    path("achievements/", pages.achievements, name="achievements"),
]
