from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class ChargeResult:
    status: str  # a PaymentRecordStatus value
    transaction_id: str = ""
    response: dict = field(default_factory=dict)
    failure_message: str = ""
    client_secret: str = ""  # Stripe: the app confirms the payment intent with it


@dataclass
class RefundResult:
    status: str  # a RefundStatus value
    provider_refund_id: str = ""
    response: dict = field(default_factory=dict)
    failure_message: str = ""


class PaymentProvider:
    name = ""
    method = ""

    def is_configured(self):
        return True

    def charge(self, *, payment, data) -> ChargeResult:
        raise NotImplementedError

    def refund(self, *, payment, amount: Decimal) -> RefundResult:
        raise NotImplementedError


def to_minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())
