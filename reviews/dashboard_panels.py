"""Reviews' dashboard panel: questions still waiting for an expert's answer (experts and admins).

Registered into the shop's admin dashboard from ``ReviewsConfig.ready()``."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from reviews.selectors import questions_awaiting_expert
from skincare.dashboard import register_panel

AWAITING_EXPERT = "awaiting_expert"


def questions_url(**params):
    return f"{reverse('admin:reviews_question_changelist')}?{urlencode(params)}"


def questions_panel():
    waiting = questions_awaiting_expert().order_by("created_at", "id").values("id", "created_at")
    count = waiting.count()
    items = [{"label": "Unanswered by an expert", "value": count, "url": questions_url(expert=AWAITING_EXPERT)}]
    oldest = waiting.first() if count else None
    if oldest:
        items.append(
            {
                "label": "Oldest question",
                "value": f"#{oldest['id']}, waiting {timesince(oldest['created_at'], timezone.now())}",
                "url": reverse("admin:reviews_question_change", args=[oldest["id"]]),
            }
        )
    return {"link": questions_url(expert=AWAITING_EXPERT), "items": items}


def register():
    register_panel(
        key="expert-questions",
        title="Questions for experts",
        permission="reviews.view_question",
        build=questions_panel,
        order=90,
    )
