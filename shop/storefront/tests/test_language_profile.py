"""The header's language switch keeps a signed-in shopper's choice on the profile, and the profile's
language applies on a device without the language cookie."""

import pytest
from django.test import Client

from shop.accounts.models import User
from shop.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_switch_saves_the_signed_in_shoppers_language(shopper, shopper_client):
    response = shopper_client.post("/language/", {"language": "km", "next": "/cart/"})

    assert (response.status_code, response["Location"]) == (302, "/cart/")
    assert response.cookies["django_language"].value == "km"
    assert User.objects.get(pk=shopper.pk).language == "km"


def test_an_anonymous_switch_sets_only_the_cookie(client):
    shopper = UserFactory(language="en")

    response = client.post("/language/", {"language": "km", "next": "/"})

    assert response.cookies["django_language"].value == "km"
    assert User.objects.get(pk=shopper.pk).language == "en"


def test_an_unknown_language_changes_nothing(shopper, shopper_client):
    response = shopper_client.post("/language/", {"language": "fr", "next": "/"})

    assert response.status_code == 302
    assert User.objects.get(pk=shopper.pk).language == "en"


def test_the_profile_language_applies_on_a_new_device():
    client = Client(headers={"accept-language": "en"})
    client.force_login(UserFactory(language="km"))

    html = client.get("/").content.decode()

    assert '<html lang="km">' in html


def test_the_cookie_of_this_device_wins_over_the_profile():
    client = Client()
    client.force_login(UserFactory(language="km"))
    client.cookies["django_language"] = "en"

    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_api_keeps_its_own_language_choice(api_client):
    user = UserFactory(language="km")
    api_client.force_authenticate(user)

    response = api_client.get("/api/v1/auth/me", headers={"accept-language": "en"})

    assert response["Content-Language"] == "en"


def test_registering_keeps_the_language_the_page_was_read_in(client, run_on_commit):
    client.cookies["django_language"] = "km"

    client.post("/accounts/register/", {"email": "dara@example.com", "password": "Centella-Asiatica-77"})

    assert User.objects.get().language == "km"
