"""Push through FCM HTTP v1 with a fake transport: the OAuth2 service-account exchange, the
``messages:send`` requests, invalid tokens, a stale access token and a network failure."""

import json
import urllib.parse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from feedback import services
from feedback.models import NotificationType, PushDevice
from feedback.push import FCM_SCOPE, FCMv1PushBackend, NoOpPushBackend, push_backend
from skincare.tests.servers import silent_tcp_server

pytestmark = pytest.mark.django_db

TOKEN_URI = "https://oauth2.example.test/token"


@pytest.fixture(scope="module")
def private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def service_account(private_key, settings):
    account = {
        "type": "service_account",
        "project_id": "skincare-test",
        "private_key_id": "key-1",
        "private_key": private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
        "client_email": "push@skincare-test.iam.gserviceaccount.com",
        "token_uri": TOKEN_URI,
    }
    settings.FCM_CREDENTIALS_JSON = json.dumps(account)
    settings.FCM_PROJECT_ID = ""
    settings.FCM_API_URL = "https://fcm.example.test"
    return account


class FakeTransport:
    """Answers like Google: the token endpoint, then ``messages:send`` per device token."""

    def __init__(self, *, unregistered=(), expired_once=False, down=False):
        self.requests = []
        self.unregistered = set(unregistered)
        self.expired_once = expired_once
        self.down = down
        self.tokens_issued = 0

    def post(self, url, *, headers, body, timeout):
        self.requests.append((url, headers, body))
        if self.down:
            raise OSError("network down")
        if url == TOKEN_URI:
            self.tokens_issued += 1
            return 200, {"access_token": f"access-{self.tokens_issued}", "expires_in": 3599, "token_type": "Bearer"}
        if self.expired_once:
            self.expired_once = False
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
        token = json.loads(body)["message"]["token"]
        if token in self.unregistered:
            return 404, {"error": {"code": 404, "status": "NOT_FOUND",
                                   "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                                "errorCode": "UNREGISTERED"}]}}  # fmt: skip
        return 200, {"name": f"projects/skincare-test/messages/{token}"}


@pytest.fixture
def transport(monkeypatch):
    fake = FakeTransport()
    monkeypatch.setattr("feedback.push.UrllibTransport", lambda: fake)
    return fake


def notify(user):
    return services.notification_create(
        user=user, type=NotificationType.REVIEW_APPROVED, title="Hello", message="Your review is live"
    )


def test_push_is_a_noop_without_a_service_account(settings):
    settings.FCM_CREDENTIALS_JSON = ""
    settings.FCM_CREDENTIALS_FILE = ""
    assert isinstance(push_backend(), NoOpPushBackend)
    assert push_backend().send(tokens=["a"], title="t", body="b").sent is False


def test_service_account_file_is_read(settings, service_account, tmp_path):
    path = tmp_path / "account.json"
    path.write_text(json.dumps(service_account))
    settings.FCM_CREDENTIALS_JSON = ""
    settings.FCM_CREDENTIALS_FILE = str(path)
    backend = push_backend()
    assert isinstance(backend, FCMv1PushBackend)
    assert backend.send_url == "https://fcm.example.test/v1/projects/skincare-test/messages:send"


def test_a_notification_is_pushed_through_fcm_v1_with_an_oauth2_token(
    service_account, transport, private_key, user, run_on_commit
):
    PushDevice.objects.create(user=user, token="good")
    PushDevice.objects.create(user=user, token="stale")
    transport.unregistered = {"stale"}
    notification = notify(user)
    notification.refresh_from_db()
    assert notification.push_sent is True

    (token_url, token_headers, token_body), *sends = transport.requests
    assert token_url == TOKEN_URI
    assert token_headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = urllib.parse.parse_qs(token_body.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims = jwt.decode(form["assertion"][0], private_key.public_key(), algorithms=["RS256"], audience=TOKEN_URI)
    assert (claims["iss"], claims["scope"], claims["exp"] - claims["iat"]) == (
        service_account["client_email"], FCM_SCOPE, 3600,
    )  # fmt: skip
    assert jwt.get_unverified_header(form["assertion"][0])["kid"] == "key-1"

    assert len(sends) == 2
    for url, headers, body in sends:
        assert url == "https://fcm.example.test/v1/projects/skincare-test/messages:send"
        assert headers["Authorization"] == "Bearer access-1"
        message = json.loads(body)["message"]
        assert message["notification"] == {"title": "Hello", "body": "Your review is live"}
        assert message["data"]["type"] == "review_approved"
        assert all(isinstance(value, str) for value in message["data"].values())
    assert sorted(json.loads(body)["message"]["token"] for _, _, body in sends) == ["good", "stale"]
    assert PushDevice.objects.get(token="stale").is_active is False
    assert PushDevice.objects.get(token="good").is_active is True


def test_the_access_token_is_cached_and_refreshed_once_on_401(service_account, transport):
    backend = push_backend()
    assert backend.send(tokens=["a"], title="t", body="b").delivered == 1
    assert backend.send(tokens=["b"], title="t", body="b").delivered == 1
    assert transport.tokens_issued == 1  # the second send reused the cached token

    transport.expired_once = True
    result = backend.send(tokens=["c"], title="t", body="b")
    assert (result.delivered, result.failed, transport.tokens_issued) == (1, 0, 2)
    assert transport.requests[-1][1]["Authorization"] == "Bearer access-2"


def test_a_network_failure_leaves_the_notification_unpushed(service_account, transport, user, run_on_commit):
    transport.down = True
    PushDevice.objects.create(user=user, token="good")
    notification = notify(user)
    notification.refresh_from_db()
    assert notification.push_sent is False
    assert PushDevice.objects.get(token="good").is_active is True


@pytest.fixture
def silent_server():
    """A push service that accepts connections and never answers."""
    with silent_tcp_server() as port:
        yield f"http://127.0.0.1:{port}"


def test_a_hung_token_endpoint_gives_up_within_the_push_timeout(service_account, settings, silent_server):
    import time

    settings.FCM_CREDENTIALS_JSON = json.dumps({**service_account, "token_uri": f"{silent_server}/token"})
    settings.PUSH_TIMEOUT = 0.5
    started = time.monotonic()
    result = push_backend().send(tokens=["a", "b", "c"], title="t", body="b")
    assert (result.delivered, result.failed) == (0, 3)
    assert time.monotonic() - started < 2


def test_a_hung_send_endpoint_stops_the_batch_at_the_first_timeout(service_account, settings, silent_server):
    import time

    from django.core.cache import cache

    settings.FCM_API_URL = silent_server
    settings.PUSH_TIMEOUT = 0.5
    backend = push_backend()
    cache.set(backend._cache_key, "cached-access-token", 600)
    started = time.monotonic()
    result = backend.send(tokens=[f"device-{n}" for n in range(10)], title="t", body="b")
    assert (result.delivered, result.failed) == (0, 10)
    assert time.monotonic() - started < 2  # one timeout, not ten
