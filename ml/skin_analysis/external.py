"""Adapter for an external skin analysis API (for example a vendor such as ORBO), no Django here.

Contract: ``POST <url>`` with ``Authorization: Bearer <key>`` and JSON ``{"image": <base64>,
"image_type": <mime>}``; the answer is JSON ``{"metrics": {<each of the ten metrics>: 0-100},
"skin_type": <optional>, "skin_type_confidence": <optional 0-1>}`` on the same convention (higher
is healthier). Any other answer, an HTTP error or a timeout raises ``ExternalUnavailable`` and
the caller falls back to the built-in analyzer.
"""

import base64
import json
import urllib.error
import urllib.request

from ml.skin_analysis.analyzer import METRICS

SKIN_TYPES = ("oily", "dry", "combination", "sensitive", "normal", "acne")
MAX_ANSWER_BYTES = 1024 * 1024


class ExternalUnavailable(Exception):  # noqa: N818 - a state of the service, not a bug
    """The service did not give a usable answer; the message says why (for the logs and the record)."""


def _valid_score(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100


def parse_answer(payload) -> dict:
    """The metrics (ints 0-100) and skin type of a service answer, or ``ExternalUnavailable``."""
    if not isinstance(payload, dict) or not isinstance(payload.get("metrics"), dict):
        raise ExternalUnavailable("answer without a metrics object")
    raw = payload["metrics"]
    missing = [name for name in METRICS if not _valid_score(raw.get(name))]
    if missing:
        raise ExternalUnavailable(f"missing or out-of-range metrics: {', '.join(missing)}")
    result = {"metrics": {name: int(round(raw[name])) for name in METRICS}, "skin_type": "", "confidence": None}
    skin_type = payload.get("skin_type")
    confidence = payload.get("skin_type_confidence")
    if skin_type in SKIN_TYPES:
        result["skin_type"] = skin_type
        if isinstance(confidence, int | float) and not isinstance(confidence, bool) and 0 <= confidence <= 1:
            result["confidence"] = round(float(confidence), 2)
    return result


def analyze_external(image_bytes, *, url, key, timeout, mime_type="image/jpeg") -> dict:
    body = json.dumps({"image": base64.b64encode(image_bytes).decode(), "image_type": mime_type}).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, not from users
        url,
        data=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ExternalUnavailable(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise ExternalUnavailable(f"unreachable: {getattr(exc, 'reason', exc)}") from exc
    if len(raw) > MAX_ANSWER_BYTES:
        raise ExternalUnavailable("answer too large")
    try:
        payload = json.loads(raw.decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise ExternalUnavailable("answer is not JSON") from exc
    return parse_answer(payload)
