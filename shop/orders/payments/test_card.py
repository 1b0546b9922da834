"""Offline card provider for development and tests, with Stripe's test card numbers.

* ``4242424242424242`` (and any other Luhn-valid number) - accepted
* ``4000000000000002`` - declined (card_declined)
* ``4000000000009995`` - declined (insufficient_funds)
* ``4000000000000069`` - declined (expired_card)
* a number failing the Luhn check - declined (invalid_number)

Like Stripe it honours idempotency keys (the first answer for a key is kept for a day and
repeated; no second charge or refund), and it keeps a ledger of every charge and refund
it performed (``card_ledger``), so tests and ``benchmarks/checkout.py`` can compare
the money the provider moved with what the shop recorded. Both live in the Django cache:
shared by every process when ``REDIS_URL`` is set, per process on the embedded locmem cache.
"""

import logging
import uuid

from django.core.cache import cache
from redis.exceptions import RedisError

from shop.orders.models import PaymentRecordStatus, RefundStatus
from shop.orders.payments.base import ChargeResult, PaymentProvider, RefundResult

DECLINES = {
    "4000000000000002": ("card_declined", "Your card was declined."),
    "4000000000009995": ("insufficient_funds", "Your card has insufficient funds."),
    "4000000000000069": ("expired_card", "Your card has expired."),
}
ACCEPTED = "4242424242424242"
NOT_CHARGED = "The payment was not completed."
KEEP_SECONDS = 24 * 3600
LEDGER_COUNT = "test-card:ledger:count"

logger = logging.getLogger(__name__)


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


def _once(kind, idempotency_key, result, entry):
    """Keep the first result for the key and log it; repeat it afterwards. With Redis in one round trip
    (``_ONCE_LUA``), else through the cache (``cache.add`` is atomic)."""
    key = f"test-card:{kind}:{idempotency_key}"
    entry = {"kind": kind, "idempotency_key": idempotency_key, **entry}
    client = getattr(cache, "client", None)
    if hasattr(client, "get_client"):
        return _once_redis(client, key, result, entry)
    if cache.add(key, result, KEEP_SECONDS):
        try:
            index = cache.incr(LEDGER_COUNT)
        except ValueError:  # the ledger's first entry (or the count expired): one round trip less on the others
            cache.add(LEDGER_COUNT, 0, KEEP_SECONDS)
            index = cache.incr(LEDGER_COUNT)
        cache.set(f"test-card:ledger:{index}", entry, KEEP_SECONDS)
        return result
    return cache.get(key, result)


# KEYS: the answer's key, the ledger's count; ARGV: the answer, the ledger entry, the seconds kept, the entries'
# key prefix. The answer kept first, or nil when this one is (then counted and logged under the next number).
_ONCE_LUA = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then
    local index = redis.call('INCR', KEYS[2])
    if index == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
    redis.call('SET', ARGV[4] .. index, ARGV[2], 'EX', ARGV[3])
    return false
end
return redis.call('GET', KEYS[1])
"""
_once_script = []  # the ``Script`` (its SHA computed once per process)


def _once_redis(client, key, result, entry):
    """``_once`` as one script call; Redis unreachable: as the cache's own calls would (the answer is not
    kept, so it is the one returned) when the cache ignores its errors, else raised."""
    conn = client.get_client(write=True)
    if not _once_script:
        _once_script.append(conn.register_script(_ONCE_LUA))
    try:
        kept = _once_script[0](
            keys=[cache.make_key(key), cache.make_key(LEDGER_COUNT)],
            args=[client.encode(result), client.encode(entry), KEEP_SECONDS, cache.make_key("test-card:ledger:")],
            client=conn,
        )
    except (RedisError, OSError):
        if not cache._ignore_exceptions:
            raise
        logger.warning("Test card answer for %s not kept (cache unavailable)", key, exc_info=True)
        return result
    return result if kept is None else client.decode(kept)


def card_ledger():
    """Every charge and refund the test provider answered, oldest first (replays not repeated)."""
    count = cache.get(LEDGER_COUNT) or 0
    entries = cache.get_many([f"test-card:ledger:{index}" for index in range(1, count + 1)])
    return [entries[key] for key in sorted(entries, key=lambda k: int(k.rsplit(":", 1)[1]))]


def card_ledger_clear():
    count = cache.get(LEDGER_COUNT) or 0
    cache.delete_many([f"test-card:ledger:{index}" for index in range(1, count + 1)] + [LEDGER_COUNT])


def _payment_fields(payment):
    if payment is None:
        return {"payment_id": "", "order_number": "", "amount": None}
    return {"payment_id": str(payment.pk), "order_number": payment.order.order_number, "amount": payment.amount}


class TestCardProvider(PaymentProvider):
    __test__ = False  # not a pytest class
    name = "test"
    method = "card"

    def charge(self, *, payment, data, idempotency_key):
        number = "".join(ch for ch in str(data.get("card_number") or "") if ch.isdigit())
        last4 = number[-4:]
        if not (12 <= len(number) <= 19) or not luhn_ok(number):
            code, message = "invalid_number", "The card number is not valid."
        elif number in DECLINES:
            code, message = DECLINES[number]
        else:
            code, message = "", ""
        if code:
            result = ChargeResult(
                status=PaymentRecordStatus.FAILED,
                transaction_id=f"test_ch_{uuid.uuid4().hex[:20]}",
                response={"outcome": "declined", "decline_code": code, "last4": last4},
                failure_message=message,
            )
        else:
            result = ChargeResult(
                status=PaymentRecordStatus.COMPLETED,
                transaction_id=f"test_ch_{uuid.uuid4().hex[:20]}",
                response={"outcome": "approved", "last4": last4},
            )
        entry = {**_payment_fields(payment), "status": result.status, "transaction_id": result.transaction_id}
        return _once("charge", idempotency_key, result, entry)

    def charge_again(self, *, payment, idempotency_key):
        """The first answer for the key; a key never answered is answered "failed" from now on, so a
        late call of the request that lost it cannot charge either."""
        result = ChargeResult(
            status=PaymentRecordStatus.FAILED,
            transaction_id=f"test_ch_{uuid.uuid4().hex[:20]}",
            response={"outcome": "not_charged"},
            failure_message=NOT_CHARGED,
        )
        entry = {**_payment_fields(payment), "status": result.status, "transaction_id": result.transaction_id}
        return _once("charge", idempotency_key, result, entry)

    def refund(self, *, payment, amount, idempotency_key):
        result = RefundResult(
            status=RefundStatus.COMPLETED,
            provider_refund_id=f"test_re_{uuid.uuid4().hex[:20]}",
            response={"amount": str(amount)},
        )
        entry = {
            **_payment_fields(payment),
            "amount": amount,
            "status": result.status,
            "transaction_id": payment.provider_transaction_id if payment is not None else "",
        }
        return _once("refund", idempotency_key, result, entry)
