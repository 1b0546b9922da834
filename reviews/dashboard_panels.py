"""Reviews' dashboard panel: questions still waiting for an expert's answer (experts and admins).

Registered into the shop's admin dashboard from ``ReviewsConfig.ready()``."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from reviews.selectors import questions_awaiting_expert, user_feedback_stats
from skincare.dashboard import register_customer_section, register_panel

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


def _by_user(url_name, user, **params):
    return f"{reverse(url_name)}?{urlencode({'user__id__exact': user.pk, **params})}"


def customer_reviews_section(user):
    stats = user_feedback_stats(user=user)
    reviews = "admin:reviews_review_changelist"
    return {
        "link": _by_user(reviews, user),
        "items": [
            {"label": "Reviews", "value": stats["reviews"]["total"], "url": _by_user(reviews, user)},
            {
                "label": "Reviews approved",
                "value": stats["reviews"]["approved"],
                "url": _by_user(reviews, user, status__exact="approved"),
            },
            {
                "label": "Reviews rejected",
                "value": stats["reviews"]["rejected"],
                "url": _by_user(reviews, user, status__exact="rejected"),
            },
            {
                "label": "Questions",
                "value": stats["questions"]["total"],
                "url": _by_user("admin:reviews_question_changelist", user),
            },
            {
                "label": "Answers",
                "value": stats["answers"]["total"],
                "url": _by_user("admin:reviews_answer_changelist", user),
            },
        ],
    }


def register():
    register_panel(
        key="expert-questions",
        title="Questions for experts",
        permission="reviews.view_question",
        build=questions_panel,
        order=90,
    )
    register_customer_section(
        key="reviews",
        title="Reviews and Q&A",
        permission="reviews.view_review",
        build=customer_reviews_section,
        order=20,
    )
