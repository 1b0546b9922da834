"""``/account/goals/`` and ``/account/achievements/``: the same services and selectors as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ml.goals import selectors, services
from ml.goals.metrics import GOAL_METRICS
from ml.goals.models import GoalSource
from ml.goals.serializers import GoalInput, localized
from shop.storefront.views import throttled
from skincare.api.exceptions import error_status
from skincare.errors import ApplicationError


def _goals_page(request, *, form=None, errors=None, status=200):
    goals = [{"goal": goal, "state": selectors.goal_state(goal)} for goal in selectors.goal_list(user=request.user)]
    context = {
        "goals": goals,
        "suggestions": services.goal_suggestions(user=request.user),
        "metrics": [(key, metric.label, metric.scale_max) for key, metric in GOAL_METRICS.items()],
        "form": form or {},
        "errors": errors or {},
        "labels": {key: metric.label for key, metric in GOAL_METRICS.items()},
    }
    return render(request, "goals/goals.html", context, status=status)


@login_required
@require_GET
def goals(request):
    return _goals_page(request)


@login_required
@require_POST
@throttled
def goal_create(request):
    data = GoalInput(data={key: request.POST.get(key, "") for key in ("metric", "target_value", "deadline", "title")})
    if not data.is_valid():
        return _goals_page(request, form=request.POST, errors=data.errors, status=400)
    values = dict(data.validated_data)
    values.pop("from_suggestion")
    source = GoalSource.SUGGESTION if request.POST.get("from_suggestion") else GoalSource.USER
    try:
        services.goal_create(user=request.user, source=source, **values)
    except ApplicationError as exc:
        errors = {**exc.errors, "form": [exc.message]}
        return _goals_page(request, form=request.POST, errors=errors, status=error_status(exc))
    messages.success(request, _("Goal set."))
    return redirect("goals:goals")


@login_required
@require_POST
@throttled
def goal_delete(request, goal_id):
    try:
        services.goal_delete(user=request.user, goal_id=goal_id)
        messages.success(request, _("Goal deleted."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("goals:goals")


@login_required
@require_GET
def achievements(request):
    statuses = selectors.achievement_list(user=request.user)
    rows = [
        {
            "status": status,
            "name": localized(status.achievement, "name", request),
            "description": localized(status.achievement, "description", request),
        }
        for status in statuses
    ]
    unlocked = sum(1 for row in rows if row["status"].unlocked_at is not None)
    return render(request, "goals/achievements.html", {"rows": rows, "unlocked": unlocked})
