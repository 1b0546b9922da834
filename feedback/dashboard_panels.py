"""Feedback's dashboard panels: the moderation backlog with its oldest item, and reported content.

Registered into the shop's admin dashboard from ``FeedbackConfig.ready()`` (the admin site in
``shop`` never imports this app)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from feedback.selectors import moderation_queue, moderation_stats, user_report_counts
from skincare.dashboard import cached, register_customer_section, register_panel

PERMISSION = "feedback.view_moderationitem"


def _queue_url(**params):
    return f"{reverse('admin:feedback_moderationitem_changelist')}?{urlencode(params)}"


def _stats():
    return cached("moderation-stats", moderation_stats)


def backlog_panel():
    stats = _stats()
    oldest = moderation_queue(ordering="oldest").values("id", "created_at").first()
    items = [
        {"label": "Open items", "value": stats["open"]["total"], "url": _queue_url(queue="open")},
        {
            "label": "Flagged by the screen",
            "value": stats["open"]["flagged"],
            "url": _queue_url(status__exact="needs_review"),
        },
        {"label": "Escalated", "value": stats["open"]["escalated"], "url": _queue_url(queue="escalated")},
    ]
    if oldest:
        items.append(
            {
                "label": "Oldest open item",
                "value": f"#{oldest['id']}, waiting {timesince(oldest['created_at'], timezone.now())}",
                "url": reverse("admin:feedback_moderationitem_change", args=[oldest["id"]]),
            }
        )
    return {"link": _queue_url(queue="open"), "items": items}


def reported_panel():
    stats = _stats()
    return {
        "link": _queue_url(queue="open", user_reported__exact=1),
        "items": [
            {
                "label": "Open reported items",
                "value": stats["open"]["reported"],
                "url": _queue_url(queue="open", user_reported__exact=1),
            }
        ],
    }


def customer_reports_section(user):
    counts = user_report_counts(user=user)
    about = _queue_url(user__id__exact=user.pk)
    return {
        "link": about,
        "items": [
            {
                "label": "Their content waiting for moderation",
                "value": counts["open"],
                "url": _queue_url(queue="open", user__id__exact=user.pk),
            },
            {
                "label": "Their content reported by others",
                "value": counts["reported"],
                "url": _queue_url(user_reported__exact=1, user__id__exact=user.pk),
            },
            {
                "label": "Their content rejected",
                "value": counts["rejected"],
                "url": _queue_url(status__exact="rejected", user__id__exact=user.pk),
            },
            {"label": "Reports they filed", "value": counts["filed"], "url": ""},
        ],
    }


def register():
    register_panel(key="moderation", title="Moderation backlog", permission=PERMISSION, build=backlog_panel, order=70)
    register_panel(key="reported", title="Reported content", permission=PERMISSION, build=reported_panel, order=80)
    register_customer_section(
        key="reports", title="Moderation and reports", permission=PERMISSION, build=customer_reports_section, order=30
    )
