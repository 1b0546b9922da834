import uuid

from shop.orders.models import PaymentRecordStatus, RefundStatus
from shop.orders.payments.base import ChargeResult, PaymentProvider, RefundResult


class CashOnDeliveryProvider(PaymentProvider):
    """Nothing to charge now: the payment stays pending until the courier collects it
    (delivery, or staff marking the order paid)."""

    name = "cash_on_delivery"
    method = "cash_on_delivery"

    def charge(self, *, payment, data):
        return ChargeResult(status=PaymentRecordStatus.PENDING, transaction_id=f"cod_{uuid.uuid4().hex[:16]}")

    def refund(self, *, payment, amount):
        # Cash is handed back by staff; the refund is recorded as done.
        return RefundResult(status=RefundStatus.COMPLETED, provider_refund_id=f"cod_re_{uuid.uuid4().hex[:16]}")
