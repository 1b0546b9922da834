"""Error codes of the feedback app (moderation, notifications, feedback forms)."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class FeedbackErrorCode(ErrorCode):
    MODERATION_ITEM_NOT_FOUND = "MODERATION_ITEM_NOT_FOUND", 404, _("Moderation item not found.")
    MODERATION_ALREADY_DECIDED = "MODERATION_ALREADY_DECIDED", 409, _("This content has already been decided.")
    MODERATION_INVALID_ACTION = "MODERATION_INVALID_ACTION", 400, _("Invalid moderation action.")
    REPORT_OWN_CONTENT = "REPORT_OWN_CONTENT", 400, _("You cannot report your own content.")
    ALREADY_REPORTED = "ALREADY_REPORTED", 409, _("You have already reported this.")
    NOTIFICATION_NOT_FOUND = "NOTIFICATION_NOT_FOUND", 404, _("Notification not found.")
    INVALID_PREFERENCES = "INVALID_PREFERENCES", 400, _("Invalid notification preferences.")
    PUSH_DEVICE_NOT_FOUND = "PUSH_DEVICE_NOT_FOUND", 404, _("Device not registered.")
    # the body names an order line that is not yours
    ORDER_ITEM_NOT_FOUND = (
        "ORDER_ITEM_NOT_FOUND",
        400,
        _("That order line is not one of your purchases of this product."),
    )
    INVALID_FEEDBACK_RESPONSES = "INVALID_FEEDBACK_RESPONSES", 400, _("Invalid feedback answers.")


export_members(FeedbackErrorCode, globals())
