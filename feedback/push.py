"""Push channel. ``push_backend()`` gives the FCM HTTP v1 backend when a Firebase service account is
configured (``FCM_CREDENTIALS_FILE`` or ``FCM_CREDENTIALS_JSON``) and a no-op backend otherwise, so
development and tests never touch the network.

FCM HTTP v1 (the legacy ``fcm/send`` API with a server key was shut down by Google in 2024): the
backend signs a JWT with the service account's private key, exchanges it at the account's
``token_uri`` for an OAuth2 access token (scope ``firebase.messaging``, cached until shortly before
it expires), and posts one message per device to ``projects/{project_id}/messages:send``.

A backend implements ``send(*, tokens, title, body, data) -> PushResult``.
"""

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import jwt
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

FCM_API_URL = "https://fcm.googleapis.com"
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
# FCM v1 answers these for a token that will never work again: the device is deactivated.
INVALID_TOKEN_ERRORS = {"UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"}


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


class UrllibTransport:
    """``post(url, *, headers, body, timeout) -> (status, parsed JSON)``; tests pass a fake one."""

    def post(self, url, *, headers, body, timeout):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - https URLs from settings
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read().decode() or "{}")
            except ValueError:
                answer = {}
            return exc.code, answer


class FCMv1PushBackend(PushBackend):
    """Firebase Cloud Messaging HTTP v1 with a service account (OAuth2 JWT-bearer grant)."""

    name = "fcm"

    def __init__(self, *, credentials, project_id="", api_url=FCM_API_URL, transport=None, timeout=5):
        missing = [key for key in ("client_email", "private_key") if not credentials.get(key)]
        if missing:
            raise ImproperlyConfigured(f"FCM service account lacks {', '.join(missing)}")
        self.credentials = credentials
        self.project_id = project_id or credentials.get("project_id", "")
        if not self.project_id:
            raise ImproperlyConfigured("FCM needs a project id (FCM_PROJECT_ID or the service account's project_id)")
        self.token_uri = credentials.get("token_uri") or GOOGLE_TOKEN_URI
        self.send_url = f"{api_url.rstrip('/')}/v1/projects/{self.project_id}/messages:send"
        self.transport = transport or UrllibTransport()
        self.timeout = timeout

    @property
    def _cache_key(self):
        return f"fcm:access-token:{self.credentials['client_email']}"

    def _assertion(self):
        now = int(time.time())
        claims = {"iss": self.credentials["client_email"], "scope": FCM_SCOPE, "aud": self.token_uri,
                  "iat": now, "exp": now + 3600}  # fmt: skip
        headers = {"kid": self.credentials["private_key_id"]} if self.credentials.get("private_key_id") else None
        return jwt.encode(claims, self.credentials["private_key"], algorithm="RS256", headers=headers)

    def access_token(self, *, refresh=False):
        """The OAuth2 access token, from the cache unless ``refresh`` (a 401 said it is stale)."""
        token = None if refresh else cache.get(self._cache_key)
        if token:
            return token
        body = urllib.parse.urlencode(
            {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": self._assertion()}
        ).encode()
        status, answer = self.transport.post(
            self.token_uri,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=body,
            timeout=self.timeout,
        )
        if status != 200 or not answer.get("access_token"):
            raise OSError(f"FCM OAuth2 token refused ({status}): {answer.get('error', '')}")
        lifetime = int(answer.get("expires_in", 3600))
        cache.set(self._cache_key, answer["access_token"], timeout=max(lifetime - 60, 1))
        return answer["access_token"]

    def _message(self, token, title, body, data):
        return {
            "message": {
                "token": token,
                "notification": {"title": title, "body": body},
                "data": {key: str(value) for key, value in (data or {}).items()},
                "android": {"priority": "high"},
                "apns": {"headers": {"apns-priority": "10"}},
            }
        }

    def _post(self, message, access_token):
        return self.transport.post(
            self.send_url,
            headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
            body=json.dumps(message).encode(),
            timeout=self.timeout,
        )

    @staticmethod
    def _error_code(answer):
        error = answer.get("error") or {}
        for detail in error.get("details") or []:
            if detail.get("errorCode"):
                return detail["errorCode"]
        return error.get("status", "")

    def send(self, *, tokens, title, body, data=None) -> PushResult:
        tokens = list(tokens)
        result = PushResult()
        if not tokens:
            return result
        try:
            access_token = self.access_token()
        except (OSError, ValueError) as exc:
            logger.warning("FCM push failed: %s", exc)
            result.failed = len(tokens)
            return result
        for position, token in enumerate(tokens):
            message = self._message(token, title, body, data)
            try:
                status, answer = self._post(message, access_token)
                if status == 401:  # the cached token was revoked or expired early: one fresh try
                    access_token = self.access_token(refresh=True)
                    status, answer = self._post(message, access_token)
            except ValueError as exc:
                logger.warning("FCM push failed: %s", exc)
                result.failed += 1
                continue
            except OSError as exc:
                # Unreachable or not answering within the timeout: the rest would wait as long, each.
                logger.warning("FCM push failed, giving up on this batch: %s", exc)
                result.failed += len(tokens) - position
                return result
            if status == 200:
                result.delivered += 1
                continue
            result.failed += 1
            if status in (400, 403, 404) and self._error_code(answer) in INVALID_TOKEN_ERRORS:
                result.invalid_tokens.append(token)
        return result


def fcm_credentials():
    """The service account as a dict, from ``FCM_CREDENTIALS_JSON`` or ``FCM_CREDENTIALS_FILE``."""
    raw = getattr(settings, "FCM_CREDENTIALS_JSON", "")
    path = getattr(settings, "FCM_CREDENTIALS_FILE", "")
    if not raw and path:
        with open(path, encoding="utf-8") as handle:
            raw = handle.read()
    return json.loads(raw) if raw else None


def push_backend() -> PushBackend:
    credentials = fcm_credentials()
    if credentials:
        return FCMv1PushBackend(
            credentials=credentials,
            project_id=getattr(settings, "FCM_PROJECT_ID", ""),
            api_url=getattr(settings, "FCM_API_URL", "") or FCM_API_URL,
            timeout=getattr(settings, "PUSH_TIMEOUT", 5),
        )
    return NoOpPushBackend()
