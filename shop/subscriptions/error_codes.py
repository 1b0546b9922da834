"""Error codes of subscriptions and usage quotas."""

from skincare.errors import ErrorCode, export_members


class SubscriptionErrorCode(ErrorCode):
    # The plan's limit for this kind of work is used up until the period resets (or premium).
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED", 429


export_members(SubscriptionErrorCode, globals())
