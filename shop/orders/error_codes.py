"""Error codes of checkout, orders and payments."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class OrderErrorCode(ErrorCode):
    CART_EMPTY = "CART_EMPTY", 400, _("Your cart is empty.")
    CART_UNAVAILABLE_ITEMS = "CART_UNAVAILABLE_ITEMS", 409, _("Some items are no longer available.")
    OUT_OF_STOCK = "OUT_OF_STOCK", 409, _("Some items are out of stock.")
    ADDRESS_NOT_FOUND = "ADDRESS_NOT_FOUND", 400, _("Address not found.")  # the body names an address that is not yours
    ADDRESS_REQUIRED = "ADDRESS_REQUIRED", 400, _("A shipping address is required.")
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND", 404, _("Order not found.")
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION", 409, _("The order cannot change to this status.")
    ORDER_NOT_CANCELLABLE = "ORDER_NOT_CANCELLABLE", 409, _("This order cannot be cancelled.")
    PAYMENT_NOT_ALLOWED = "PAYMENT_NOT_ALLOWED", 409, _("This order cannot be paid now.")
    PAYMENT_DECLINED = "PAYMENT_DECLINED", 402, _("The payment was declined.")
    PAYMENT_PROVIDER_ERROR = (
        "PAYMENT_PROVIDER_ERROR",
        502,
        _("The payment provider did not answer; please retry later."),
    )
    PAYMENT_METHOD_UNAVAILABLE = "PAYMENT_METHOD_UNAVAILABLE", 400, _("Card payments are not available right now.")
    REFUND_NOT_ALLOWED = "REFUND_NOT_ALLOWED", 409, _("This order cannot be refunded.")
    REFUND_EXCEEDS_PAID = "REFUND_EXCEEDS_PAID", 400, _("The refund is more than what is left to refund.")
    TRACKING_NUMBER_REQUIRED = "TRACKING_NUMBER_REQUIRED", 400, _("Ship the order with a tracking number.")
    WEBHOOK_SIGNATURE_INVALID = "WEBHOOK_SIGNATURE_INVALID", 400, _("The webhook signature is invalid.")
    IDEMPOTENCY_KEY_INVALID = (
        "IDEMPOTENCY_KEY_INVALID",
        400,
        _("Idempotency-Key must be 1-100 letters, digits or - _ : ."),
    )
    PAYMENT_IN_PROGRESS = "PAYMENT_IN_PROGRESS", 409, _("A payment for this order is already in progress.")
    # a guest checkout without an e-mail address
    EMAIL_REQUIRED = "EMAIL_REQUIRED", 400, _("An e-mail address is required.")
    SHIPPING_METHOD_UNAVAILABLE = "SHIPPING_METHOD_UNAVAILABLE", 400, _("This shipping method is not available.")
    # a line not in the order, or more than is left
    REFUND_LINES_INVALID = "REFUND_LINES_INVALID", 400, _("These lines cannot be refunded.")


export_members(OrderErrorCode, globals())
