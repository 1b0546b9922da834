"""``/account/subscription/``: the shopper's plan, limits and usage (the same selector as the API)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shop.subscriptions import selectors
from shop.subscriptions.models import QuotaKind

KIND_LABELS = {
    QuotaKind.SKIN_SCAN: gettext_lazy("Skin scans this month"),
    QuotaKind.QUESTION: gettext_lazy("Expert questions today"),
}


@login_required
@require_GET
def subscription(request):
    status = selectors.subscription_status(user=request.user)
    quotas = [{"label": KIND_LABELS[q.kind], "quota": q} for q in status.quotas]
    return render(request, "subscriptions/subscription.html", {"status": status, "quotas": quotas})
