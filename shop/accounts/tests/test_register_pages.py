"""The register and verify-code pages: the API's services behind a session form."""

import re

import pytest
from django.core import mail
from django.test import Client

from shop.accounts.models import EmailVerificationCode, User
from shop.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/accounts/register/"
VERIFY_CODE = "/accounts/verify/code/"
EMAIL = "dara@example.com"
PASSWORD = "Centella-Asiatica-77"


@pytest.fixture(autouse=True)
def _run_on_commit(run_on_commit):
    """E-mails are queued on commit: send them at once."""


def _register(client, **overrides):
    return client.post(REGISTER, {"first_name": "Dara", "email": EMAIL, "password": PASSWORD, **overrides})


def _code_from_mail():
    return re.search(r"^(\d{6})$", mail.outbox[-1].body, re.MULTILINE).group(1)


def _wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_header_links_to_the_register_page(client):
    assert b'href="/accounts/register/"' in client.get("/").content
    assert b'href="/accounts/register/"' in client.get("/accounts/login/").content


def test_the_register_page_shows_the_form_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the header's category menu
        response = client.get(REGISTER)

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("first_name", "email", "password", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in html


def test_registering_signs_in_sends_the_code_and_asks_for_it(client):
    response = _register(client, email=" Dara@Example.com ")

    assert (response.status_code, response["Location"]) == (302, VERIFY_CODE)
    user = User.objects.get()
    assert (user.email, user.first_name, user.email_verified) == (EMAIL, "Dara", False)
    assert user.check_password(PASSWORD)
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(VERIFY_CODE)
    assert page.status_code == 200
    assert page.context["form"].initial == {"email": EMAIL}


def test_the_code_from_the_email_verifies_the_address(client):
    _register(client)

    response = client.post(VERIFY_CODE, {"email": EMAIL, "code": _code_from_mail()})

    assert response.status_code == 200
    assert "E-mail confirmed" in response.content.decode()
    assert User.objects.get().email_verified is True
    assert EmailVerificationCode.objects.count() == 0


def test_a_wrong_code_is_refused_next_to_the_field(client):
    _register(client)
    code = _code_from_mail()

    response = client.post(VERIFY_CODE, {"email": EMAIL, "code": _wrong(code)})

    assert response.status_code == 400
    assert response.context["form"].errors == {"code": ["This code is not valid."]}
    assert User.objects.get().email_verified is False


def test_a_code_that_is_not_six_digits_never_reaches_the_service(client):
    _register(client)

    response = client.post(VERIFY_CODE, {"email": EMAIL, "code": "12ab"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"code": ["Enter the 6 digits from the e-mail."]}
    assert EmailVerificationCode.objects.get().failed_attempts == 0


def test_too_many_wrong_codes_lock_the_code_with_429(client, settings):
    settings.EMAIL_VERIFICATION_CODE_ATTEMPTS = 2
    _register(client)
    code = _code_from_mail()

    statuses = [client.post(VERIFY_CODE, {"email": EMAIL, "code": _wrong(code)}).status_code for _ in range(2)]
    right = client.post(VERIFY_CODE, {"email": EMAIL, "code": code})

    assert statuses == [400, 429]
    assert right.status_code == 429
    assert right.context["form"].non_field_errors() == ["Too many wrong codes. Ask for a new code."]
    assert User.objects.get().email_verified is False


def test_a_taken_email_is_refused_next_to_the_email_field(client):
    UserFactory(email=EMAIL)

    response = _register(client)

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["An account with this e-mail already exists."]}
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_a_weak_password_is_refused_next_to_the_password_field(client):
    response = _register(client, password="12345678")

    assert response.status_code == 400
    assert response.context["form"].errors["password"] == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert User.objects.count() == 0


def test_a_missing_email_is_a_field_error(client):
    response = _register(client, email="")

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["This field is required."]}
    assert User.objects.count() == 0


def test_register_needs_the_csrf_token():
    response = _register(Client(enforce_csrf_checks=True))

    assert response.status_code == 403
    assert User.objects.count() == 0


def test_register_and_code_pages_share_the_apis_auth_rate(client, api_client, throttle_rates):
    throttle_rates(auth="2/min")
    api_client.post("/api/v1/auth/register", {"email": "sokha@example.com", "password": PASSWORD}, format="json")

    statuses = [_register(client).status_code, client.post(VERIFY_CODE, {"email": EMAIL, "code": "000000"}).status_code]

    assert statuses == [302, 429]
    assert User.objects.filter(email=EMAIL).exists()


def test_the_register_page_speaks_khmer(client):
    client.cookies["django_language"] = "km"

    html = client.get(REGISTER).content.decode()

    assert "<h1>បង្កើតគណនី</h1>" in html
    assert '<label for="id_email">អ៊ីមែល</label>' in html
    assert '<label for="id_password">ពាក្យសម្ងាត់</label>' in html
