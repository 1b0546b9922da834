"""Offline card provider for development and tests, with Stripe's test card numbers.

* ``4242424242424242`` (and any other Luhn-valid number) - accepted
* ``4000000000000002`` - declined (card_declined)
* ``4000000000009995`` - declined (insufficient_funds)
* ``4000000000000069`` - declined (expired_card)
* a number failing the Luhn check - declined (invalid_number)
"""

import uuid

from shop.orders.models import PaymentRecordStatus, RefundStatus
from shop.orders.payments.base import ChargeResult, PaymentProvider, RefundResult

DECLINES = {
    "4000000000000002": ("card_declined", "Your card was declined."),
    "4000000000009995": ("insufficient_funds", "Your card has insufficient funds."),
    "4000000000000069": ("expired_card", "Your card has expired."),
}
ACCEPTED = "4242424242424242"


def luhn_ok(number):
    digits = [int(d) for d in number]
    checksum = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        checksum += digit
    return checksum % 10 == 0


class TestCardProvider(PaymentProvider):
    __test__ = False  # not a pytest class
    name = "test"
    method = "card"

    def charge(self, *, payment, data):
        number = "".join(ch for ch in str(data.get("card_number") or "") if ch.isdigit())
        last4 = number[-4:]
        if not (12 <= len(number) <= 19) or not luhn_ok(number):
            code, message = "invalid_number", "The card number is not valid."
        elif number in DECLINES:
            code, message = DECLINES[number]
        else:
            return ChargeResult(
                status=PaymentRecordStatus.COMPLETED,
                transaction_id=f"test_ch_{uuid.uuid4().hex[:20]}",
                response={"outcome": "approved", "last4": last4},
            )
        return ChargeResult(
            status=PaymentRecordStatus.FAILED,
            transaction_id=f"test_ch_{uuid.uuid4().hex[:20]}",
            response={"outcome": "declined", "decline_code": code, "last4": last4},
            failure_message=message,
        )

    def refund(self, *, payment, amount):
        return RefundResult(
            status=RefundStatus.COMPLETED,
            provider_refund_id=f"test_re_{uuid.uuid4().hex[:20]}",
            response={"amount": str(amount)},
        )
