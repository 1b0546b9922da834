"""Stripe via its REST API (no SDK): payment intents, refunds and webhook signatures.

The app receives ``client_secret`` and confirms the intent with Stripe's mobile SDK;
the ``payment_intent.succeeded`` / ``payment_intent.payment_failed`` webhooks settle the
payment. ``verify_signature`` follows Stripe's scheme (HMAC-SHA256 of ``"{t}.{body}"``
with the endpoint secret, 5-minute tolerance) and needs no network.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from shop.orders.models import PaymentRecordStatus, RefundStatus
from shop.orders.payments.base import ChargeResult, PaymentProvider, RefundResult, to_minor_units

API_BASE = "https://api.stripe.com/v1"
SIGNATURE_TOLERANCE_SECONDS = 300


class StripeError(Exception):
    pass


class SignatureError(Exception):
    pass


def verify_signature(*, payload: bytes, header: str, secret: str, now=None, tolerance=SIGNATURE_TOLERANCE_SECONDS):
    """Return the parsed event or raise ``SignatureError``."""
    if not secret:
        raise SignatureError("Webhook secret not configured.")
    try:
        parts = [item.split("=", 1) for item in (header or "").split(",")]
        timestamp = next(value for key, value in parts if key.strip() == "t")
        signatures = [value for key, value in parts if key.strip() == "v1"]
        timestamp_int = int(timestamp)
    except (ValueError, StopIteration) as exc:
        raise SignatureError("Malformed Stripe-Signature header.") from exc
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("No signature matches the payload.")
    now = time.time() if now is None else now
    if abs(now - timestamp_int) > tolerance:
        raise SignatureError("Timestamp outside the tolerance zone.")
    try:
        return json.loads(payload)
    except ValueError as exc:
        raise SignatureError("Payload is not JSON.") from exc


def sign_payload(*, payload: bytes, secret: str, timestamp=None):
    """Build a valid ``Stripe-Signature`` header (tests and local tools)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _post(path, params, *, idempotency_key):
    body = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(  # noqa: S310 - fixed https URL
        f"{API_BASE}/{path}",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}",
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("error", {})
        except ValueError:
            detail = {}
        raise StripeError(detail.get("message") or f"Stripe answered {exc.code}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise StripeError("Stripe could not be reached.") from exc


class StripeProvider(PaymentProvider):
    name = "stripe"
    method = "card"

    def is_configured(self):
        return bool(settings.STRIPE_SECRET_KEY)

    def charge(self, *, payment, data, idempotency_key):
        try:
            intent = _post(
                "payment_intents",
                {
                    "amount": to_minor_units(payment.amount),
                    "currency": payment.currency.lower(),
                    "automatic_payment_methods[enabled]": "true",
                    "metadata[order_number]": payment.order.order_number,
                    "metadata[payment_id]": str(payment.pk),
                },
                idempotency_key=idempotency_key,
            )
        except StripeError as exc:
            return ChargeResult(status=PaymentRecordStatus.FAILED, failure_message=str(exc))
        return ChargeResult(
            status=PaymentRecordStatus.PROCESSING,
            transaction_id=intent.get("id", ""),
            response={"id": intent.get("id"), "status": intent.get("status")},
            client_secret=intent.get("client_secret", ""),
        )

    def refund(self, *, payment, amount, idempotency_key):
        try:
            refund = _post(
                "refunds",
                {"payment_intent": payment.provider_transaction_id, "amount": to_minor_units(amount)},
                idempotency_key=idempotency_key,
            )
        except StripeError as exc:
            return RefundResult(status=RefundStatus.FAILED, failure_message=str(exc))
        status = RefundStatus.COMPLETED if refund.get("status") == "succeeded" else RefundStatus.PENDING
        return RefundResult(status=status, provider_refund_id=refund.get("id", ""), response=refund)
