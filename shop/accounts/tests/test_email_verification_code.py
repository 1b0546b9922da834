import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from shop.accounts.models import EmailVerificationCode, User

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
VERIFY = "/api/v1/auth/verify-email"
RESEND = "/api/v1/auth/resend-verification"
EMAIL = "sophea@example.com"


@pytest.fixture(autouse=True)
def _run_on_commit(run_on_commit):
    """E-mails are queued on commit: send them at once."""


def _register(client):
    response = client.post(REGISTER, {"email": EMAIL, "password": "Centella-Asiatica-77"}, format="json")
    assert response.status_code == 201
    return _code_from_mail()


def _code_from_mail():
    return re.search(r"^(\d{6})$", mail.outbox[-1].body, re.MULTILINE).group(1)


def _wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_code_from_the_sent_email_verifies(api_client):
    code = _register(api_client)
    stored = EmailVerificationCode.objects.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64  # hashed at rest

    response = api_client.post(VERIFY, {"email": "Sophea@Example.com", "code": code}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["email_verified"] is True
    assert User.objects.get().email_verified is True
    assert EmailVerificationCode.objects.count() == 0  # used up
    again = api_client.post(VERIFY, {"email": EMAIL, "code": code}, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "VERIFICATION_CODE_INVALID")


def test_five_wrong_codes_lock_until_a_new_code_is_sent(api_client):
    code = _register(api_client)
    answers = [api_client.post(VERIFY, {"email": EMAIL, "code": _wrong(code)}, format="json") for _ in range(5)]

    assert [(r.status_code, r.json()["code"]) for r in answers] == [(400, "VERIFICATION_CODE_INVALID")] * 4 + [
        (429, "VERIFICATION_CODE_LOCKED")
    ]
    right = api_client.post(VERIFY, {"email": EMAIL, "code": code}, format="json")
    assert (right.status_code, right.json()["code"]) == (429, "VERIFICATION_CODE_LOCKED")
    assert User.objects.get().email_verified is False

    assert api_client.post(RESEND, {"email": EMAIL}, format="json").status_code == 200
    new_code = _code_from_mail()
    response = api_client.post(VERIFY, {"email": EMAIL, "code": new_code}, format="json")
    assert response.status_code == 200
    assert User.objects.get().email_verified is True


def test_an_expired_code_is_refused(api_client):
    code = _register(api_client)
    EmailVerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_client.post(VERIFY, {"email": EMAIL, "code": code}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "VERIFICATION_CODE_EXPIRED")
    assert User.objects.get().email_verified is False


def test_unknown_email_answers_like_a_wrong_code_and_bad_input_is_a_validation_error(api_client):
    _register(api_client)
    unknown = api_client.post(VERIFY, {"email": "nobody@example.com", "code": "123456"}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "VERIFICATION_CODE_INVALID")

    short = api_client.post(VERIFY, {"email": EMAIL, "code": "12a"}, format="json")
    assert (short.status_code, short.json()["code"]) == (400, "VALIDATION_ERROR")
    assert list(short.json()["errors"]) == ["code"]
    empty = api_client.post(VERIFY, {}, format="json")
    assert sorted(empty.json()["errors"]) == ["code", "email"]
    assert EmailVerificationCode.objects.get().failed_attempts == 0


def test_the_emailed_link_opens_a_page_that_verifies(client):
    client.post(REGISTER, {"email": EMAIL, "password": "Centella-Asiatica-77"}, content_type="application/json")
    link = re.search(r"(http\S+/accounts/verify/\?token=\S+)", mail.outbox[-1].body).group(1)
    path = link.split("localhost:8000", 1)[1]

    response = client.get(path)

    assert response.status_code == 200
    assert b"E-mail confirmed" in response.content
    assert User.objects.get().email_verified is True
    broken = client.get(path + "x")
    assert broken.status_code == 400
    assert b"This link does not work" in broken.content


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_codes_are_all_counted_and_only_the_limit_gets_an_invalid_answer():
    """Guesses are checked one at a time on the locked user row: twelve parallel guesses cannot
    all be checked against a count read before any of them failed."""
    import threading

    from django.db import connection

    from shop.accounts.services import email_verification_send, user_verify_email_code
    from shop.accounts.tests.factories import UserFactory
    from skincare.errors import ApplicationError

    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database (run with DATABASE_URL=postgres://...)")
    user = UserFactory(email=EMAIL, email_verified=False)
    email_verification_send(user=user)  # outside a test transaction: the row is committed
    barrier, answers = threading.Barrier(12), []

    def guess(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            user_verify_email_code(email=EMAIL, code=f"not-{n}")  # never a 6-digit code, so never right
        except ApplicationError as exc:
            answers.append(exc.error_code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == ["VERIFICATION_CODE_INVALID"] * 4 + ["VERIFICATION_CODE_LOCKED"] * 8
    assert EmailVerificationCode.objects.get().failed_attempts == 5
