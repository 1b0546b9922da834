"""Error codes of subscriptions and usage quotas."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class SubscriptionErrorCode(ErrorCode):
    # The plan's limit for this kind of work is used up until the period resets (or premium).
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED", 429, _("You have used up this part of your plan for now.")


export_members(SubscriptionErrorCode, globals())
