"""Cross-app signals.

Lower apps send these; higher apps connect receivers in their ``AppConfig.ready()``.
This keeps the dependency direction ``ml -> reviews -> feedback -> shop -> skincare``:
the sender never imports the receiver.
"""

from django.dispatch import Signal

# sender=User class; kwargs: user
user_registered = Signal()
# sender=User class; kwargs: user
user_email_verified = Signal()
# sender=UploadedFile class; kwargs: file
file_uploaded = Signal()
# Sent inside the deleting transaction, right after the file is marked deleted, so content showing the
# file (review, progress and Q&A photos) detaches it and refreshes its counters atomically.
# sender=UploadedFile class; kwargs: file
file_deleted = Signal()

# --- Orders (shop.orders) ---------------------------------------------------
# Sent after the transaction commits. sender=Order class; kwargs: order, and items (the order's
# OrderItem rows as created) when the sender has them (checkout does)
order_placed = Signal()
# sender=Order class; kwargs: order, payment
order_paid = Signal()
# sender=Order class; kwargs: order, old_status, new_status, by (user or None)
order_status_changed = Signal()
# sender=Order class; kwargs: order, refund (PaymentRefund), amount
order_refunded = Signal()
# After commit, once per delivered order line: the shopper is probably running low on it.
# sender=OrderItem class; kwargs: user_id, product, order_number, runs_out_on (a date)
replenishment_due = Signal()

# --- Catalog (shop.catalog) ---------------------------------------------------
# Sent after the transaction commits. sender=Product class; kwargs: product, old_price, new_price
product_price_dropped = Signal()
# sender=Product class; kwargs: product (stock went from <= 0 to > 0)
product_back_in_stock = Signal()
# Sent by the search API after it answers the first page of each search (not a 304, not a refused request).
# sender=Product class; kwargs: request, search_id (also the X-Search-Id response header), query, filters
# ({name: [values]}), results_count. Sent on every cached search: its receivers are cached per sender.
search_performed = Signal(use_caching=True)

# --- Moderation (feedback) ------------------------------------------------------
# Sent inside the deciding transaction so visibility changes atomically with the decision.
# sender=ModerationItem class; kwargs: item, content_type, content_id, decision ("approved" | "rejected"),
# by (staff user, or None for the automatic screen), notes
moderation_decided = Signal()

# --- Skin analysis (ml.skin_analysis) -------------------------------------------------------------
# Sent once an analysis is ``done`` (after its transaction commits); goals and achievements follow it.
# sender=SkinAnalysis class; kwargs: analysis
skin_analysis_done = Signal()
