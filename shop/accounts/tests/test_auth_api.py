import re
import time

import pytest
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient

from shop.accounts.models import User
from shop.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


@pytest.fixture(autouse=True)
def _run_on_commit(run_on_commit):
    """Callbacks queued with on_commit run immediately in these tests."""


def _register(client, **overrides):
    payload = {
        "email": "Dara.Sok@Example.com",
        "password": "Niacinamide-10-percent",
        "first_name": "Dara",
        "skin_type": "acne",
        "skin_concerns": ["acne", "scarring"],
        "language": "km",
        **overrides,
    }
    return client.post(REGISTER, payload, format="json")


def _token_from_mail(pattern):
    body = mail.outbox[-1].body
    return re.search(pattern, body).group(1)


def test_full_auth_flow_register_verify_login_refresh_logout(api_client):
    response = _register(api_client)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "success"
    assert body["data"]["user"]["email"] == "dara.sok@example.com"
    assert body["data"]["user"]["skin_type"] == "acne"
    assert body["data"]["user"]["language"] == "km"
    assert body["data"]["user"]["email_verified"] is False
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dara.sok@example.com"]

    token = _token_from_mail(r"/accounts/verify/\?token=(\S+)")
    response = api_client.post("/api/v1/auth/verify-email", {"token": token}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["email_verified"] is True
    assert User.objects.get().email_verified_at is not None

    # Login is case-insensitive on the e-mail.
    response = api_client.post(LOGIN, {"email": "DARA.SOK@example.com", "password": "Niacinamide-10-percent"})
    assert response.status_code == 200
    tokens = response.json()["data"]
    assert response.json()["data"]["user"]["email"] == "dara.sok@example.com"

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get(ME).json()["data"]["first_name"] == "Dara"

    refreshed = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    new_refresh = refreshed.json()["data"]["refresh"]
    assert new_refresh != tokens["refresh"]

    # Rotation: the old refresh token is blacklisted.
    reused = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["code"] == "TOKEN_INVALID"

    assert api_client.post(LOGOUT, {"refresh": new_refresh}, format="json").status_code == 200
    refused = api_client.post(REFRESH, {"refresh": new_refresh}, format="json")
    assert refused.status_code == 401
    assert refused.json()["status"] == "error"


def test_register_duplicate_email_is_case_insensitive(api_client):
    UserFactory(email="dara.sok@example.com")
    response = _register(api_client, email="DARA.SOK@EXAMPLE.COM")
    assert response.status_code == 400
    assert response.json()["code"] == "EMAIL_TAKEN"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "123"}, "password"),
        ({"password": "dara.sok@example.com"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"skin_type": "scaly"}, "skin_type"),
        ({"skin_concerns": ["wrinkles-everywhere"]}, "skin_concerns"),
        ({"language": "fr"}, "language"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
    ],
)
def test_register_rejects_bad_input(api_client, overrides, field):
    response = _register(api_client, **overrides)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "error"
    assert field in body["errors"]
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_register_cannot_choose_role_or_expertise(api_client):
    response = _register(api_client, role="admin", expertise_areas=["acne"], is_staff=True)
    assert response.status_code == 201
    user = User.objects.get()
    assert (user.role, user.is_staff, user.expertise_areas) == ("customer", False, [])


def test_login_wrong_password_then_lockout_after_five_failures(api_client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5  # the default; pinned so a shell's LOGIN_FAILURE_LIMIT cannot change it
    UserFactory(email="mony@example.com")
    for _ in range(5):
        response = api_client.post(LOGIN, {"email": "mony@example.com", "password": "wrong"})
        assert response.status_code == 401
        assert response.json()["code"] == "INVALID_CREDENTIALS"
    response = api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "TOO_MANY_LOGIN_ATTEMPTS"
    # Another e-mail from the same IP is not locked.
    UserFactory(email="nary@example.com")
    assert api_client.post(LOGIN, {"email": "nary@example.com", "password": DEFAULT_PASSWORD}).status_code == 200


def test_login_window_expires(api_client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW = 1
    UserFactory(email="mony@example.com")
    for _ in range(5):
        api_client.post(LOGIN, {"email": "mony@example.com", "password": "wrong"})
    assert api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD}).status_code == 429
    time.sleep(1.5)
    assert api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD}).status_code == 200


def test_successful_login_resets_failure_count(api_client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    UserFactory(email="mony@example.com")
    for _ in range(4):
        api_client.post(LOGIN, {"email": "mony@example.com", "password": "wrong"})
    assert api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD}).status_code == 200
    for _ in range(4):
        assert api_client.post(LOGIN, {"email": "mony@example.com", "password": "wrong"}).status_code == 401
    assert api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD}).status_code == 200


def test_suspended_user_cannot_login_use_access_or_refresh(api_client):
    from shop.accounts.services import user_suspend

    user = UserFactory(email="mony@example.com")
    tokens = api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD}).json()["data"]
    user_suspend(user=user)

    response = api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "ACCOUNT_DISABLED"

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401


@pytest.mark.parametrize("payload", [{}, {"refresh": "garbage"}, {"refresh": ""}])
def test_refresh_and_logout_reject_bad_tokens(api_client, payload):
    for url in (REFRESH, LOGOUT):
        response = api_client.post(url, payload, format="json")
        assert response.status_code in (400, 401)
        assert response.json()["status"] == "error"


def test_me_requires_authentication(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json() == {
        "status": "error",
        "code": "NOT_AUTHENTICATED",
        "message": "Authentication credentials were not provided.",
        "errors": {},
    }


def test_invalid_bearer_token_is_enveloped(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "TOKEN_INVALID"


def test_verify_email_rejects_tampered_and_expired_tokens(api_client):
    _register(api_client)
    token = _token_from_mail(r"/accounts/verify/\?token=(\S+)")
    assert api_client.post("/api/v1/auth/verify-email", {"token": token + "x"}).json()["code"] == "TOKEN_INVALID"
    with override_settings(EMAIL_VERIFICATION_TIMEOUT=-1):
        response = api_client.post("/api/v1/auth/verify-email", {"token": token})
    assert response.status_code == 400
    assert response.json()["code"] == "TOKEN_EXPIRED"
    assert User.objects.get().email_verified is False


def test_verify_email_token_dies_when_email_changes(api_client):
    _register(api_client)
    token = _token_from_mail(r"/accounts/verify/\?token=(\S+)")
    User.objects.update(email="other@example.com")
    assert api_client.post("/api/v1/auth/verify-email", {"token": token}).status_code == 400


def test_resend_verification_does_not_reveal_accounts(api_client):
    UserFactory(email="verified@example.com", email_verified=True)
    UserFactory(email="pending@example.com", email_verified=False)
    answers = {
        email: api_client.post("/api/v1/auth/resend-verification", {"email": email}).json()
        for email in ("verified@example.com", "pending@example.com", "nobody@example.com")
    }
    assert len({str(a) for a in answers.values()}) == 1
    assert [m.to for m in mail.outbox] == [["pending@example.com"]]


def test_forgot_and_reset_password_flow(api_client):
    UserFactory(email="mony@example.com")
    for email in ("mony@example.com", "nobody@example.com"):
        response = api_client.post("/api/v1/auth/forgot-password", {"email": email})
        assert response.status_code == 200
        assert response.json()["data"]["message"].startswith("If an account exists")
    assert len(mail.outbox) == 1
    uid = _token_from_mail(r"uid: (\S+)")
    token = _token_from_mail(r"token: (\S+)")

    weak = api_client.post("/api/v1/auth/reset-password", {"uid": uid, "token": token, "new_password": "abc"})
    assert weak.status_code == 400 and weak.json()["code"] == "WEAK_PASSWORD"

    ok = api_client.post(
        "/api/v1/auth/reset-password", {"uid": uid, "token": token, "new_password": "Retinol-at-night-99"}
    )
    assert ok.status_code == 200
    # The link is single use: the password hash changed, so the token no longer checks.
    again = api_client.post(
        "/api/v1/auth/reset-password", {"uid": uid, "token": token, "new_password": "Another-strong-pass-1"}
    )
    assert again.status_code == 400 and again.json()["code"] == "TOKEN_INVALID"
    assert api_client.post(LOGIN, {"email": "mony@example.com", "password": "Retinol-at-night-99"}).status_code == 200


@pytest.mark.parametrize("uid", ["!!!", "MTIzNDU2Nzg5", ""])
def test_reset_password_bad_uid(api_client, uid):
    response = api_client.post("/api/v1/auth/reset-password", {"uid": uid, "token": "x", "new_password": "abc"})
    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_change_password_revokes_old_refresh_tokens(api_client):
    UserFactory(email="mony@example.com")
    tokens = api_client.post(LOGIN, {"email": "mony@example.com", "password": DEFAULT_PASSWORD}).json()["data"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    wrong = client.post("/api/v1/auth/change-password", {"old_password": "nope", "new_password": "Vitamin-C-serum-5"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "WRONG_PASSWORD"

    ok = client.post(
        "/api/v1/auth/change-password", {"old_password": DEFAULT_PASSWORD, "new_password": "Vitamin-C-serum-5"}
    )
    assert ok.status_code == 200
    assert set(ok.json()["data"]) == {"access", "refresh"}
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert api_client.post(REFRESH, {"refresh": ok.json()["data"]["refresh"]}, format="json").status_code == 200


def test_profile_update(auth_client, user):
    response = auth_client.patch(
        "/api/v1/auth/profile",
        {
            "first_name": "Chenda",
            "skin_type": "sensitive",
            "skin_concerns": ["redness", "redness"],
            "phone": "call me maybe",
        },
        format="json",
    )
    assert response.status_code == 400 and "phone" in response.json()["errors"]
    response = auth_client.patch(
        "/api/v1/auth/profile",
        {"first_name": "Chenda", "skin_type": "sensitive", "skin_concerns": ["redness", "redness"]},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["first_name"], data["skin_type"], data["skin_concerns"]) == ("Chenda", "sensitive", ["redness"])
    user.refresh_from_db()
    assert user.skin_concerns == ["redness"]


def test_profile_cannot_escalate_role_or_change_email(auth_client, user):
    response = auth_client.put(
        "/api/v1/auth/profile", {"role": "admin", "email": "x@example.com", "is_staff": True}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.role, user.email.startswith("shopper"), user.is_staff) == ("customer", True, False)


def test_expertise_areas_only_for_experts(auth_client, user):
    response = auth_client.patch("/api/v1/auth/profile", {"expertise_areas": ["acne"]}, format="json")
    assert response.status_code == 400
    user.role = "expert"
    user.save()
    response = auth_client.patch("/api/v1/auth/profile", {"expertise_areas": ["acne", " acne "]}, format="json")
    assert response.json()["data"]["expertise_areas"] == ["acne"]


def test_session_login_works_for_api_and_admin(client, staff_user):
    assert client.login(email=staff_user.email.upper(), password=DEFAULT_PASSWORD)
    assert client.get(ME).json()["data"]["email"] == staff_user.email
    assert client.get("/admin/").status_code == 200


def test_password_validators_apply_on_register(api_client):
    response = _register(api_client, password="password")
    assert response.status_code == 400
    assert response.json()["code"] == "WEAK_PASSWORD"
