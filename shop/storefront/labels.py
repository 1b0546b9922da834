"""Shopper-facing, translatable names of the shop's choice values (the models' labels are
English-only strings shared with the API)."""

from django.utils.translation import gettext_lazy as _

SKIN_TYPES = {
    "all": _("All skin types"),
    "oily": _("Oily"),
    "dry": _("Dry"),
    "combination": _("Combination"),
    "sensitive": _("Sensitive"),
    "normal": _("Normal"),
    "acne": _("Acne-prone"),
    "unknown": _("Not given"),
}

CONCERNS = {
    "acne": _("Acne"),
    "aging": _("Aging"),
    "dark_spots": _("Dark spots"),
    "dryness": _("Dryness"),
    "dullness": _("Dullness"),
    "fine_lines": _("Fine lines"),
    "hyperpigmentation": _("Hyperpigmentation"),
    "oiliness": _("Oiliness"),
    "pores": _("Large pores"),
    "redness": _("Redness"),
    "scarring": _("Scarring"),
    "sensitivity": _("Sensitivity"),
    "texture": _("Uneven texture"),
    "dark_circles": _("Dark circles"),
}

USAGE_TIMES = {
    "am": _("Morning"),
    "pm": _("Evening"),
    "am_pm": _("Morning and evening"),
    "weekly": _("Once or twice a week"),
}

ORDER_STATUSES = {
    "pending": _("Pending"),
    "confirmed": _("Confirmed"),
    "processing": _("Processing"),
    "shipped": _("Shipped"),
    "delivered": _("Delivered"),
    "cancelled": _("Cancelled"),
    "refunded": _("Refunded"),
}

ORDER_EVENTS = {
    "placed": _("Order placed"),
    "status_changed": _("Status changed"),
    "payment_status_changed": _("Payment status changed"),
    "fulfillment_status_changed": _("Fulfilment status changed"),
    "paid": _("Paid"),
    "payment_failed": _("Payment failed"),
    "shipped": _("Shipped"),
    "refunded": _("Refunded"),
    "note": _("Note"),
}

SORTS = {
    "newest": _("Newest"),
    "price": _("Price: low to high"),
    "-price": _("Price: high to low"),
    "rating": _("Best rated"),
    "popularity": _("Most popular"),
    "name": _("Name"),
    "relevance": _("Best match"),
}

SKIN_TYPES_FOR_FILTER = {key: value for key, value in SKIN_TYPES.items() if key != "unknown"}
