from shop.orders.models import PaymentRecordStatus, RefundStatus
from shop.orders.payments.base import ChargeResult, PaymentProvider, RefundResult


class CashOnDeliveryProvider(PaymentProvider):
    """Nothing to charge now: the payment stays pending until the courier collects it
    (delivery, or staff marking the order paid)."""

    name = "cash_on_delivery"
    method = "cash_on_delivery"

    def charge(self, *, payment, data, idempotency_key):
        return ChargeResult(status=PaymentRecordStatus.PENDING, transaction_id=f"cod_{idempotency_key}")

    def refund(self, *, payment, amount, idempotency_key):
        # Cash is handed back by staff; the refund is recorded as done.
        return RefundResult(status=RefundStatus.COMPLETED, provider_refund_id=f"cod_{idempotency_key}")
