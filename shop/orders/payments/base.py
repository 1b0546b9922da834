from abc import ABC, abstractmethod
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


class PaymentProvider(ABC):
    """A way to take and return money; concrete providers implement ``charge`` and ``refund``."""

    name = ""
    method = ""

    def is_configured(self):
        return True

    @abstractmethod
    def charge(self, *, payment, data) -> ChargeResult: ...

    @abstractmethod
    def refund(self, *, payment, amount: Decimal) -> RefundResult: ...


def to_minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())
