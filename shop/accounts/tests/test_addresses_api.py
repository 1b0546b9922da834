import pytest
from rest_framework.test import APIClient

from shop.accounts.models import Address
from shop.accounts.tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/user/addresses"
PAYLOAD = {
    "first_name": "Dara",
    "last_name": "Sok",
    "address_line1": "12 Street 240",
    "city": "Phnom Penh",
    "postal_code": "12207",
    "country": "KH",
}


def test_first_address_becomes_default_and_new_default_moves(auth_client, user):
    first = auth_client.post(URL, PAYLOAD, format="json")
    assert first.status_code == 201
    assert first.json()["data"]["is_default"] is True

    second = auth_client.post(URL, {**PAYLOAD, "address_line1": "5 Sihanouk Blvd"}, format="json")
    assert second.json()["data"]["is_default"] is False

    third = auth_client.post(URL, {**PAYLOAD, "address_line1": "9 Riverside", "is_default": True}, format="json")
    assert third.json()["data"]["is_default"] is True
    assert list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True)) == [
        third.json()["data"]["id"]
    ]

    response = auth_client.post(f"{URL}/{second.json()['data']['id']}/default")
    assert response.status_code == 200
    listing = auth_client.get(URL).json()
    assert listing["meta"]["total"] == 3
    assert listing["data"][0]["id"] == second.json()["data"]["id"]
    assert [a["is_default"] for a in listing["data"]] == [True, False, False]


def test_deleting_default_promotes_another(auth_client, user):
    a = AddressFactory(user=user, is_default=True)
    b = AddressFactory(user=user)
    assert auth_client.delete(f"{URL}/{a.pk}").status_code == 204
    b.refresh_from_db()
    assert b.is_default is True


def test_update_address(auth_client, user):
    a = AddressFactory(user=user, is_default=True)
    response = auth_client.patch(f"{URL}/{a.pk}", {"city": "Kampot"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["city"] == "Kampot"
    response = auth_client.put(f"{URL}/{a.pk}", {**PAYLOAD, "city": "Kep"}, format="json")
    assert response.json()["data"]["city"] == "Kep"


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_another_users_address_is_not_found(auth_client, other_user, method):
    theirs = AddressFactory(user=other_user, city="Battambang")
    response = getattr(auth_client, method)(f"{URL}/{theirs.pk}", {**PAYLOAD, "city": "Hacked"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    theirs.refresh_from_db()
    assert theirs.city == "Battambang"


def test_cannot_set_default_on_another_users_address(auth_client, other_user):
    theirs = AddressFactory(user=other_user, is_default=False)
    assert auth_client.post(f"{URL}/{theirs.pk}/default").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_default is False


def test_list_shows_only_own_addresses(auth_client, user, other_user):
    AddressFactory(user=user)
    AddressFactory(user=other_user)
    data = auth_client.get(URL).json()["data"]
    assert len(data) == 1


@pytest.mark.parametrize("bad", [{"address_line1": ""}, {"city": ""}, {"type": "holiday"}, {"postal_code": "x" * 21}])
def test_bad_address_input(auth_client, bad):
    response = auth_client.post(URL, {**PAYLOAD, **bad}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert Address.objects.count() == 0


def test_anonymous_cannot_use_addresses():
    response = APIClient().get(URL)
    assert response.status_code == 401


def test_address_list_query_count_is_constant(auth_client, user, django_assert_max_num_queries):
    AddressFactory.create_batch(30, user=user)
    with django_assert_max_num_queries(3):
        response = auth_client.get(f"{URL}?per_page=30")
    assert len(response.json()["data"]) == 30
