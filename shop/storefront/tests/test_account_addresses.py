"""The addresses pages: list, add, edit, delete and make default through the accounts services."""

import pytest
from django.core.cache import cache
from django.test import Client

from shop.accounts.models import Address
from shop.accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/account/addresses/"
ADD = "/account/addresses/new/"
NEW = {
    "type": "shipping",
    "first_name": "Dara",
    "last_name": "Sok",
    "address_line1": "12 Norodom Blvd",
    "city": "Phnom Penh",
    "postal_code": "12000",
    "country": "Cambodia",
}


def _rows(user):
    return list(Address.objects.filter(user=user).order_by("pk").values_list("address_line1", "city", "is_default"))


def test_the_pages_need_a_signed_in_shopper(client):
    address = AddressFactory()

    responses = [
        client.get(LIST),
        client.post(ADD, NEW),
        client.post(f"/account/addresses/{address.pk}/delete/"),
    ]

    assert [(r.status_code, r["Location"].split("?")[0]) for r in responses] == [(302, "/accounts/login/")] * 3
    assert Address.objects.count() == 1


def test_the_list_shows_every_address_in_a_constant_number_of_queries(
    shopper, shopper_client, django_assert_num_queries
):
    AddressFactory(user=shopper, address_line1="1 Sihanouk Blvd", is_default=True)
    AddressFactory(user=shopper, address_line1="2 Monivong Blvd")
    AddressFactory(address_line1="3 Someone Else St")
    shopper_client.get(LIST)  # warms the category menu cache
    cache.clear()

    with django_assert_num_queries(5):
        response = shopper_client.get(LIST)
    AddressFactory.create_batch(5, user=shopper)
    cache.clear()
    with django_assert_num_queries(5):
        more = shopper_client.get(LIST)

    html = response.content.decode()
    assert [a.address_line1 for a in response.context["addresses"]] == ["1 Sihanouk Blvd", "2 Monivong Blvd"]
    assert "3 Someone Else St" not in html
    assert "Make 2 Monivong Blvd my default" in html
    assert "Make 1 Sihanouk Blvd my default" not in html
    assert len(more.context["addresses"]) == 7


def test_adding_the_first_address_makes_it_the_default(shopper, shopper_client):
    response = shopper_client.post(ADD, NEW)

    assert (response.status_code, response["Location"]) == (302, LIST)
    assert _rows(shopper) == [("12 Norodom Blvd", "Phnom Penh", True)]


def test_adding_a_second_default_moves_the_default(shopper, shopper_client):
    AddressFactory(user=shopper, address_line1="1 Sihanouk Blvd", is_default=True)

    shopper_client.post(ADD, {**NEW, "is_default": "on"})

    assert _rows(shopper) == [("1 Sihanouk Blvd", "Phnom Penh", False), ("12 Norodom Blvd", "Phnom Penh", True)]


def test_missing_fields_are_shown_next_to_them_and_nothing_is_saved(shopper, shopper_client):
    response = shopper_client.post(ADD, {**NEW, "city": "", "postal_code": ""})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "city": ["This field is required."],
        "postal_code": ["This field is required."],
    }
    assert 'id="id_city-error"' in response.content.decode()
    assert Address.objects.count() == 0


def test_editing_saves_through_the_service(shopper, shopper_client):
    address = AddressFactory(user=shopper, is_default=True)

    page = shopper_client.get(f"/account/addresses/{address.pk}/")
    response = shopper_client.post(f"/account/addresses/{address.pk}/", {**NEW, "city": "Siem Reap"})

    assert page.context["form"].initial["address_line1"] == address.address_line1
    assert response.status_code == 302
    assert _rows(shopper) == [("12 Norodom Blvd", "Siem Reap", True)]  # unticked: still the default


def test_make_default_and_delete(shopper, shopper_client):
    first = AddressFactory(user=shopper, address_line1="1 Sihanouk Blvd", is_default=True)
    second = AddressFactory(user=shopper, address_line1="2 Monivong Blvd")

    shopper_client.post(f"/account/addresses/{second.pk}/default/")
    assert _rows(shopper) == [("1 Sihanouk Blvd", "Phnom Penh", False), ("2 Monivong Blvd", "Phnom Penh", True)]

    shopper_client.post(f"/account/addresses/{second.pk}/delete/")
    assert _rows(shopper) == [("1 Sihanouk Blvd", "Phnom Penh", True)]  # the one left becomes the default
    assert first.pk == Address.objects.get().pk


def test_another_shoppers_address_is_a_404_and_unchanged(shopper_client):
    other = AddressFactory(user=UserFactory(), is_default=True)

    statuses = [
        shopper_client.get(f"/account/addresses/{other.pk}/").status_code,
        shopper_client.post(f"/account/addresses/{other.pk}/", NEW).status_code,
        shopper_client.post(f"/account/addresses/{other.pk}/delete/").status_code,
        shopper_client.post(f"/account/addresses/{other.pk}/default/").status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert Address.objects.get().address_line1 == other.address_line1


def test_delete_needs_post_and_csrf(shopper):
    address = AddressFactory(user=shopper)
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)

    assert client.get(f"/account/addresses/{address.pk}/delete/").status_code == 405
    assert client.post(f"/account/addresses/{address.pk}/delete/").status_code == 403
    assert Address.objects.count() == 1


def test_address_posts_are_rate_limited_like_the_api(shopper, shopper_client, throttle_rates):
    throttle_rates(user="2/min")

    codes = [shopper_client.post(ADD, {**NEW, "address_line1": f"{n} Street"}).status_code for n in range(3)]

    assert codes == [302, 302, 429]
    assert Address.objects.filter(user=shopper).count() == 2


def test_the_addresses_pages_speak_khmer(shopper, shopper_client):
    AddressFactory(user=shopper, address_line1="1 Sihanouk Blvd", is_default=True)
    shopper_client.cookies["django_language"] = "km"

    listing = shopper_client.get(LIST).content.decode()
    form = shopper_client.get(ADD).content.decode()

    assert "<h1>អាសយដ្ឋាន</h1>" in listing
    assert "លុប 1 Sihanouk Blvd" in listing
    assert '<label for="id_is_default">ប្រើជាអាសយដ្ឋានលំនាំដើមរបស់ខ្ញុំ</label>' in form
