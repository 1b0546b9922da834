"""Every sign-in path is one path: the API, the session pages under /accounts/ and the admin share
one failed-login budget, one reset-request limit and one token revocation."""

import re
import threading

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from shop.accounts.models import User
from shop.accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
FORGOT = "/api/v1/auth/forgot-password"
NEW_PASSWORD = "Retinol-at-night-99"


@pytest.fixture(autouse=True)
def _limits(settings):
    # The defaults, pinned so a shell's environment cannot change what these tests assert.
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.PASSWORD_RESET_REQUEST_EMAIL_LIMIT = 3
    settings.PASSWORD_RESET_REQUEST_IP_LIMIT = 20


def _api_login(email, password):
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json")


def _web_login(email, password, url="/accounts/login/"):
    client = Client()
    response = client.post(url, {"username": email, "password": password})
    return client, response


def _signed_in(client):
    return "_auth_user_id" in client.session


def _refresh_works(refresh):
    return APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code == 200


# --- one failed-login budget ------------------------------------------------------


DOORS = {
    "api": lambda email, password: _api_login(email, password),
    "web": lambda email, password: _web_login(email, password)[1],
    "admin": lambda email, password: _web_login(email, password, "/admin/login/?next=/admin/")[1],
}


@pytest.mark.parametrize("failing_door", DOORS)
def test_five_failures_at_any_door_lock_every_door(failing_door):
    staff = StaffFactory(email="sokha@example.com")
    for _ in range(5):
        response = DOORS[failing_door]("sokha@example.com", "wrong-password")
        assert response.status_code in (200, 401)  # the pages re-render, the API answers 401

    api = _api_login("sokha@example.com", DEFAULT_PASSWORD)
    assert api.status_code == 429
    assert api.json()["code"] == "TOO_MANY_LOGIN_ATTEMPTS"
    assert 0 < int(api["Retry-After"]) <= 15 * 60

    web_client, web = _web_login("sokha@example.com", DEFAULT_PASSWORD)
    assert web.status_code == 429
    assert b"Too many failed logins. Try again later." in web.content
    assert not _signed_in(web_client)

    admin_client, admin = _web_login("sokha@example.com", DEFAULT_PASSWORD, "/admin/login/?next=/admin/")
    assert admin.status_code == 200
    assert b"Too many failed logins. Try again later." in admin.content
    assert not _signed_in(admin_client)
    assert admin_client.get("/admin/").status_code == 302

    # Any other code calling authenticate() with the request goes through the backend's limiter too.
    assert authenticate(RequestFactory().post("/"), email="sokha@example.com", password=DEFAULT_PASSWORD) is None
    staff.refresh_from_db()
    assert staff.last_login is None


def test_failures_spread_over_the_doors_add_up():
    StaffFactory(email="sokha@example.com")
    assert _api_login("sokha@example.com", "wrong").status_code == 401
    assert _api_login("sokha@example.com", "wrong").status_code == 401
    assert _web_login("sokha@example.com", "wrong")[1].status_code == 200
    assert _web_login("sokha@example.com", "wrong", "/admin/login/")[1].status_code == 200
    assert authenticate(RequestFactory().post("/"), email="sokha@example.com", password="wrong") is None
    assert _api_login("sokha@example.com", DEFAULT_PASSWORD).status_code == 429


def test_web_and_admin_login_work_and_clear_the_count():
    StaffFactory(email="sokha@example.com")
    for _ in range(4):
        _api_login("sokha@example.com", "wrong")
    client, response = _web_login("SOKHA@example.com", DEFAULT_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    for _ in range(4):
        _web_login("sokha@example.com", "wrong")
    admin_client, response = _web_login("sokha@example.com", DEFAULT_PASSWORD, "/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert admin_client.get("/admin/").status_code == 200
    # Both successes cleared the count: four more failures still leave the API open.
    for _ in range(4):
        _api_login("sokha@example.com", "wrong")
    assert _api_login("sokha@example.com", DEFAULT_PASSWORD).status_code == 200


def test_login_page_says_when_the_password_is_wrong_or_the_account_suspended():
    UserFactory(email="mony@example.com", is_active=False)
    UserFactory(email="nary@example.com")
    _, wrong = _web_login("nary@example.com", "wrong")
    assert b"E-mail or password is incorrect." in wrong.content
    _, suspended = _web_login("mony@example.com", DEFAULT_PASSWORD)
    assert b"This account is suspended." in suspended.content


def test_admin_login_refuses_a_customer_with_the_right_password():
    UserFactory(email="mony@example.com")
    client, response = _web_login("mony@example.com", DEFAULT_PASSWORD, "/admin/login/?next=/admin/")
    assert response.status_code == 200
    assert b"staff account" in response.content
    assert not _signed_in(client)


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_check_at_most_the_limit_of_passwords(monkeypatch):
    """A check made before any failure was counted would let every parallel guess through."""
    from django.db import connection

    from shop.accounts.services import user_authenticate
    from skincare.errors import ApplicationError

    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database (run with DATABASE_URL=postgres://...)")
    UserFactory(email="mony@example.com")
    checks, lock = [], threading.Lock()
    real_check = User.check_password

    def counting_check(user, raw_password):
        with lock:
            checks.append(raw_password)
        return real_check(user, raw_password)

    monkeypatch.setattr(User, "check_password", counting_check)
    barrier = threading.Barrier(12)
    answers = []

    def guess(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            user_authenticate(request=RequestFactory().post("/"), email="mony@example.com", password=f"wrong-{n}")
        except ApplicationError as exc:
            answers.append(exc.error_code)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(answers) == 12
    assert len(checks) == 5
    assert _api_login("mony@example.com", DEFAULT_PASSWORD).status_code == 429
    assert len(checks) == 5


# --- one token revocation -----------------------------------------------------------


def test_web_password_change_revokes_refresh_tokens():
    user = UserFactory(email="mony@example.com")
    # Two app sign-ins: checking a refresh token rotates it, so each check spends one.
    refresh_a, refresh_b = (_api_login("mony@example.com", DEFAULT_PASSWORD).json()["data"]["refresh"] for _ in "ab")
    client = Client()
    client.force_login(user)

    weak = client.post(
        "/accounts/password_change/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200 and _refresh_works(refresh_a)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/done/"
    assert not _refresh_works(refresh_b)
    assert client.get("/accounts/password_change/done/").status_code == 200  # this session stays signed in
    assert _api_login("mony@example.com", NEW_PASSWORD).status_code == 200


def test_admin_own_password_change_revokes_refresh_tokens():
    staff = StaffFactory(email="sokha@example.com")
    refresh = _api_login("sokha@example.com", DEFAULT_PASSWORD).json()["data"]["refresh"]
    client = Client()
    client.force_login(staff)
    response = client.post(
        "/admin/password_change/",
        {"old_password": DEFAULT_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/password_change/done/"
    assert not _refresh_works(refresh)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("usable", ["true", "false"])
def test_admin_setting_a_users_password_revokes_their_refresh_tokens(usable):
    admin = StaffFactory(is_superuser=True)
    target = UserFactory(email="mony@example.com")
    refresh = _api_login("mony@example.com", DEFAULT_PASSWORD).json()["data"]["refresh"]
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"usable_password": usable, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        | ({} if usable == "true" else {"unset-password": "1"}),
    )
    assert response.status_code == 302 and response["Location"] == f"/admin/accounts/user/{target.pk}/change/"
    assert not _refresh_works(refresh)
    target.refresh_from_db()
    assert target.has_usable_password() is (usable == "true")
    assert target.check_password(NEW_PASSWORD) is (usable == "true")


def test_web_reset_confirm_revokes_refresh_tokens_and_is_single_use(django_capture_on_commit_callbacks):
    UserFactory(email="mony@example.com", email_verified=False)
    refresh = _api_login("mony@example.com", DEFAULT_PASSWORD).json()["data"]["refresh"]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "Mony@Example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert [m.to for m in mail.outbox] == [["mony@example.com"]]
    link = re.search(r"On the website: http://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link)
    assert form_page.status_code == 302  # the token moves into the session
    set_url = form_page["Location"]
    assert set_url.endswith("/set-password/")
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/done/"

    assert not _refresh_works(refresh)
    user = User.objects.get(email="mony@example.com")
    assert user.check_password(NEW_PASSWORD) and user.email_verified is True
    # Single use: the password hash changed, so the same link now fails.
    again = Client().get(link)
    assert again.status_code == 200 and b"This reset link is invalid or has expired" in again.content


def test_web_reset_confirm_with_a_weak_password_changes_nothing(django_capture_on_commit_callbacks):
    UserFactory(email="mony@example.com")
    refresh = _api_login("mony@example.com", DEFAULT_PASSWORD).json()["data"]["refresh"]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password_reset/", {"email": "mony@example.com"})
    link = re.search(r"On the website: http://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link)["Location"]
    response = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert b"This password is too common." in response.content
    assert _refresh_works(refresh)
    assert User.objects.get(email="mony@example.com").check_password(DEFAULT_PASSWORD)


# --- one reset-request limit ----------------------------------------------------------


def test_web_reset_sends_at_most_the_limit_per_email(django_capture_on_commit_callbacks):
    UserFactory(email="mony@example.com")
    client = Client()
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(35):
            statuses.append(client.post("/accounts/password_reset/", {"email": "mony@example.com"}).status_code)
    assert statuses == [302] * 3 + [429] * 32
    assert len(mail.outbox) == 3
    page = client.post("/accounts/password_reset/", {"email": "mony@example.com"})
    assert b"Too many password-reset requests. Try again later." in page.content
    assert 0 < int(page["Retry-After"]) <= 3600


def test_api_and_web_reset_share_the_limit_and_it_does_not_reveal_accounts(django_capture_on_commit_callbacks):
    UserFactory(email="mony@example.com")
    answers = {}
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("mony@example.com", "nobody@example.com"):
            web, api = Client(), APIClient()
            answers[email] = [
                api.post(FORGOT, {"email": email}, format="json").status_code,
                web.post("/accounts/password_reset/", {"email": email}).status_code,
                # A spelling variant counts against the same address.
                api.post(FORGOT, {"email": email.upper()}, format="json").status_code,
                web.post("/accounts/password_reset/", {"email": email}).status_code,
                api.post(FORGOT, {"email": email}, format="json").status_code,
            ]
    assert answers == {email: [200, 302, 200, 429, 429] for email in answers}
    assert [m.to for m in mail.outbox] == [["mony@example.com"]] * 3


def test_reset_requests_are_limited_per_ip(settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_REQUEST_IP_LIMIT = 4
    client = APIClient()
    with django_capture_on_commit_callbacks(execute=True):
        codes = [client.post(FORGOT, {"email": f"user{n}@example.com"}).status_code for n in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]
    other_ip = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other_ip.post(FORGOT, {"email": "user9@example.com"}).status_code == 200


# --- forgot-password does the same work either way --------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda email: APIClient().post(FORGOT, {"email": email}, format="json"),
        lambda email: Client().post("/accounts/password_reset/", {"email": email}),
    ],
    ids=["api", "web"],
)
def test_forgot_password_request_does_the_same_queries_for_existing_and_missing(
    send, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    UserFactory(email="mony@example.com")
    runs = {}
    for email in ("mony@example.com", "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            with CaptureQueriesContext(connection) as queries:
                response = send(email)
        assert response.status_code in (200, 302)
        runs[email] = ([q["sql"] for q in queries.captured_queries], callbacks)
    # No account lookup on the request path: the same (empty) list of queries, one queued task each.
    assert runs["mony@example.com"][0] == runs["nobody@example.com"][0] == []
    assert [len(callbacks) for _sql, callbacks in runs.values()] == [1, 1]
    assert mail.outbox == []

    for _sql, callbacks in runs.values():
        callbacks[0]()  # the Celery task (eager in tests) looks the account up and mails it
    assert [m.to for m in mail.outbox] == [["mony@example.com"]]


# --- one spelling of an e-mail ------------------------------------------------------------

FOLDED = "kris@example.com"
VARIANTS = [
    "KRIS@EXAMPLE.COM",
    "\u212aris@example.com",  # KELVIN SIGN
    "kri\u017f@example.com",  # LATIN SMALL LETTER LONG S
    "\uff4b\uff52\uff49\uff53@example.com",  # fullwidth
    " Kris@Example.com ",
]
DOTLESS = "kr\u0131s@example.com"  # LATIN SMALL LETTER DOTLESS I: a different address, not a variant


@pytest.mark.parametrize("variant", VARIANTS)
def test_email_variants_find_the_same_account_at_every_door(variant):
    user = UserFactory(email=FOLDED)
    assert authenticate(None, email=variant, password=DEFAULT_PASSWORD) == user
    assert _api_login(variant, DEFAULT_PASSWORD).json()["data"]["user"]["id"] == user.pk
    client, response = _web_login(variant, DEFAULT_PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_email_variants_share_one_failure_budget():
    UserFactory(email=FOLDED)
    for variant in VARIANTS:  # five failures, each spelled differently
        assert _api_login(variant, "wrong").status_code == 401
    for variant in [FOLDED, *VARIANTS]:
        assert _api_login(variant, DEFAULT_PASSWORD).status_code == 429
        assert _web_login(variant, DEFAULT_PASSWORD)[1].status_code == 429


def test_dotless_i_is_not_a_spelling_of_the_address():
    UserFactory(email=FOLDED)
    assert authenticate(None, email=DOTLESS, password=DEFAULT_PASSWORD) is None
    response = _api_login(DOTLESS, DEFAULT_PASSWORD)
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_ERROR"
    assert _web_login(DOTLESS, DEFAULT_PASSWORD)[1].status_code == 200  # "incorrect", not signed in
    # Registering the look-alike is refused as an invalid address.
    response = APIClient().post(
        "/api/v1/auth/register", {"email": DOTLESS, "password": "Niacinamide-10-percent"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["email"]
    assert list(User.objects.values_list("email", flat=True)) == [FOLDED]


@pytest.mark.parametrize("variant", VARIANTS)
def test_registration_stores_the_folded_address_and_refuses_variants(variant, run_on_commit):
    client = APIClient()
    created = client.post(
        "/api/v1/auth/register", {"email": variant, "password": "Niacinamide-10-percent"}, format="json"
    )
    assert created.status_code == 201 and created.json()["data"]["user"]["email"] == FOLDED
    taken = client.post(
        "/api/v1/auth/register", {"email": FOLDED.upper(), "password": "Niacinamide-10-percent"}, format="json"
    )
    assert taken.status_code == 400 and taken.json()["code"] == "EMAIL_TAKEN"
    assert list(User.objects.values_list("email", flat=True)) == [FOLDED]


def test_manager_and_save_store_the_folded_address():
    assert User.objects.create_user("\uff2d\uff4f\uff4e\uff59@Example.com", "x").email == "mony@example.com"
    user = UserFactory()
    user.email = "Stra\u00dfe@Example.com"
    user.save()
    assert User.objects.filter(pk=user.pk, email="strasse@example.com").exists()


def test_admin_cannot_add_a_spelling_variant_of_an_existing_address():
    UserFactory(email=FOLDED)
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    form = {
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/accounts/user/add/", {**form, "email": "\uff4b\uff52\uff49\uff53@example.com"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == ["User with this Email already exists."]
    response = client.post("/admin/accounts/user/add/", {**form, "email": "\u017fam@Example.com"})
    assert response.status_code == 302
    assert User.objects.filter(email="sam@example.com").exists()


def test_email_migration_folds_rows_and_leaves_collisions_alone(capsys):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("shop.accounts.migrations.0005_email_normalized")
    plain = UserFactory(email="sam@example.com")
    long_s, fullwidth, lone = UserFactory(), UserFactory(), UserFactory()
    # Rows written before folding existed (update() skips save()).
    User.objects.filter(pk=long_s.pk).update(email="\u017fam@example.com")
    User.objects.filter(pk=fullwidth.pk).update(email="\uff4b\uff52\uff49\uff53@example.com")
    User.objects.filter(pk=lone.pk).update(email="\u212aim@example.com")

    class SchemaEditor:
        pass

    editor = SchemaEditor()
    editor.connection = connection
    migration.emails_normalize(apps, editor)

    emails = dict(User.objects.values_list("pk", "email"))
    assert emails == {
        plain.pk: "sam@example.com",
        long_s.pk: "\u017fam@example.com",  # would collide with the row already spelled sam@: left alone
        fullwidth.pk: "kris@example.com",
        lone.pk: "kim@example.com",
    }
    assert f"accounts.User {long_s.pk}: e-mail 'ſam@example.com' folds to 'sam@example.com'" in capsys.readouterr().out


def test_sign_in_pages_render():
    anonymous = Client()
    for url, text in [
        ("/accounts/login/", b"Forgot your password?"),
        ("/accounts/password_reset/", b"Send the link"),
        ("/accounts/password_reset/done/", b"Check your e-mail"),
        ("/accounts/reset/MQ/bad-token/", b"This reset link is invalid or has expired"),
        ("/accounts/reset/done/", b"Password set"),
        ("/admin/login/", b"Log in"),
    ]:
        response = anonymous.get(url)
        assert (url, response.status_code) == (url, 200)
        assert text in response.content
    assert anonymous.get("/accounts/password_change/")["Location"] == "/accounts/login/?next=/accounts/password_change/"

    staff = Client()
    staff.force_login(StaffFactory())
    for url, text in [
        ("/accounts/password_change/", b"Change password"),
        ("/accounts/password_change/done/", b"Password changed"),
        ("/admin/password_change/", b"Password change"),
    ]:
        response = staff.get(url)
        assert (url, response.status_code) == (url, 200)
        assert text in response.content
