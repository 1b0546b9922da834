import pytest

from shop.accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_home_page_links_to_docs_and_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"/api/docs/" in response.content
    assert b"Sign in" in response.content


def test_web_session_login_with_email_and_logout(client, user):
    response = client.post("/accounts/login/", {"username": user.email.upper(), "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    page = client.get("/")
    assert user.get_short_name().encode() in page.content
    assert b"Sign out" in page.content
    client.post("/accounts/logout/")
    assert b"Sign in" in client.get("/").content


def test_web_login_wrong_password_shows_error(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert b"E-mail or password is incorrect." in response.content
