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
    """A way to take and return money; concrete providers implement ``charge`` and ``refund``.

    Both receive an ``idempotency_key`` derived from the payment: a provider that sees a key
    again answers with its first result and moves no money (Stripe's ``Idempotency-Key``).
    """

    name = ""
    method = ""

    def is_configured(self):
        return True

    @abstractmethod
    def charge(self, *, payment, data, idempotency_key) -> ChargeResult: ...

    @abstractmethod
    def refund(self, *, payment, amount: Decimal, idempotency_key) -> RefundResult: ...

    def charge_again(self, *, payment, idempotency_key) -> ChargeResult:
        """The answer to a charge whose caller lost it, asked with the same key and without the card
        details: a provider that saw the key repeats its first answer; for a key it never saw it must
        move no money (a Stripe payment intent is only created, the app never confirms it)."""
        return self.charge(payment=payment, data={}, idempotency_key=idempotency_key)


def to_minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def charge_idempotency_key(payment):
    """One key per payment row: the one charge attempt that row stands for."""
    return f"charge-{payment.pk}"


def refund_idempotency_key(payment, amount):
    """Derived from the payment's refund state: a retry of the same refund repeats the key,
    the next refund of the same payment (refunded_amount moved on) gets a new one."""
    return f"refund-{payment.pk}-{payment.refunded_amount}-{amount}"
