"""Push channel. ``push_backend()`` gives the FCM HTTP backend when ``FCM_SERVER_KEY`` is set and a
no-op backend otherwise, so development and tests never touch the network.

A backend implements ``send(*, tokens, title, body, data) -> PushResult``.
"""

import json
import logging
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.conf import settings

logger = logging.getLogger(__name__)

FCM_LEGACY_URL = "https://fcm.googleapis.com/fcm/send"


@dataclass
class PushResult:
    delivered: int = 0
    failed: int = 0
    invalid_tokens: list = field(default_factory=list)

    @property
    def sent(self):
        return self.delivered > 0


class PushBackend(ABC):
    name = "base"

    @abstractmethod
    def send(self, *, tokens, title, body, data=None) -> PushResult: ...


class NoOpPushBackend(PushBackend):
    """Used when no push provider is configured: nothing leaves the server."""

    name = "noop"

    def send(self, *, tokens, title, body, data=None) -> PushResult:
        return PushResult()


class FCMPushBackend(PushBackend):
    """Firebase Cloud Messaging over its HTTP API (``Authorization: key=<server key>``)."""

    name = "fcm"

    def __init__(self, *, server_key, url=FCM_LEGACY_URL, timeout=5):
        self.server_key = server_key
        self.url = url
        self.timeout = timeout

    def _post(self, payload):
        request = urllib.request.Request(  # noqa: S310 - fixed https URL from settings
            self.url,
            data=json.dumps(payload).encode(),
            headers={"Authorization": f"key={self.server_key}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return json.loads(response.read().decode() or "{}")

    def send(self, *, tokens, title, body, data=None) -> PushResult:
        tokens = list(tokens)
        result = PushResult()
        if not tokens:
            return result
        # The HTTP API takes at most 1000 registration ids per request.
        for start in range(0, len(tokens), 1000):
            chunk = tokens[start : start + 1000]
            payload = {
                "registration_ids": chunk,
                "notification": {"title": title, "body": body},
                "data": {key: str(value) for key, value in (data or {}).items()},
                "priority": "high",
            }
            try:
                answer = self._post(payload)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                logger.warning("FCM push failed: %s", exc)
                result.failed += len(chunk)
                continue
            result.delivered += int(answer.get("success", 0))
            result.failed += int(answer.get("failure", 0))
            for token, outcome in zip(chunk, answer.get("results", []), strict=False):
                if outcome.get("error") in ("NotRegistered", "InvalidRegistration"):
                    result.invalid_tokens.append(token)
        return result


def push_backend() -> PushBackend:
    key = getattr(settings, "FCM_SERVER_KEY", "")
    if key:
        return FCMPushBackend(server_key=key, url=getattr(settings, "FCM_URL", FCM_LEGACY_URL) or FCM_LEGACY_URL)
    return NoOpPushBackend()
