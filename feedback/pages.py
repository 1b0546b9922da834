"""The shopper's notifications page: the inbox (paginated), mark read, and the channel preferences
per type, through ``feedback.services`` like the API (``/api/v1/notifications``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from feedback import selectors, services
from feedback.models import NotificationPreference, NotificationType
from shop.storefront.views import throttled
from skincare.errors import ApplicationError

PER_PAGE = 20

TYPE_LABELS = {
    NotificationType.REVIEW_APPROVED: gettext_lazy("Review approved"),
    NotificationType.REVIEW_REJECTED: gettext_lazy("Review rejected"),
    NotificationType.QUESTION_ANSWERED: gettext_lazy("Question answered"),
    NotificationType.ANSWER_HELPFUL: gettext_lazy("Answer marked helpful"),
    NotificationType.CONTENT_REJECTED: gettext_lazy("Question, answer or photo rejected"),
    NotificationType.WISHLIST_SALE: gettext_lazy("Wishlist item on sale"),
    NotificationType.WISHLIST_RESTOCK: gettext_lazy("Wishlist item back in stock"),
    NotificationType.WISHLIST_REVIEWS: gettext_lazy("New review on a wishlist item"),
    NotificationType.ORDER_UPDATE: gettext_lazy("Order update"),
    NotificationType.COMMUNITY: gettext_lazy("Community (expert status, reputation)"),
    NotificationType.ACHIEVEMENT: gettext_lazy("Achievement unlocked"),
    NotificationType.GOAL: gettext_lazy("Goal milestone"),
}


@login_required
@require_GET
def notifications(request):
    page = Paginator(selectors.notifications_for(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    preference = services.notification_preferences_get(user=request.user)
    # Per-type choices as stored, apart from the master switches (switching e-mail off and on keeps them).
    per_type = NotificationPreference(type_settings=preference.type_settings)
    types = [
        {"value": value, "label": label, **services.channels_for(per_type, value)}
        for value, label in TYPE_LABELS.items()
    ]
    context = {"page": page, "preference": preference, "types": types}
    return render(request, "storefront/notifications.html", context)


@login_required
@require_POST
@throttled
def notification_read(request, notification_id):
    try:
        services.notification_mark_read(user=request.user, notification_id=notification_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:notifications")


@login_required
@require_POST
@throttled
def notifications_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked read."))
    return redirect("feedback:notifications")


@login_required
@require_POST
@throttled
def notification_preferences(request):
    """Every checkbox of the form is sent when ticked, missing when not: all values are booleans."""
    types = {
        value: {channel: f"{value}.{channel}" in request.POST for channel in ("email", "push")} for value in TYPE_LABELS
    }
    services.notification_preferences_update(
        user=request.user,
        email_enabled="email_enabled" in request.POST,
        push_enabled="push_enabled" in request.POST,
        types=types,
    )
    messages.success(request, _("Your notification settings are saved."))
    return redirect("feedback:notifications")
