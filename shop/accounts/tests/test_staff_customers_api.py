"""Staff customers API: the admin's customer workflows over HTTP, through the account services."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shop.accounts.models import User
from shop.accounts.tests.factories import AddressFactory, ModeratorFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/customers"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def admin_api():
    return _client(StaffFactory())


def test_list_filters_and_searches(admin_api):
    alice = UserFactory(email="alice@example.com", first_name="Alice")
    bob = UserFactory(email="bob@example.com", is_active=False)
    old = UserFactory(email="old@example.com")
    User.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=90))

    def ids(**params):
        response = admin_api.get(URL, {"role": "customer", **params})
        assert response.status_code == 200 and response.json()["status"] == "success", response.json()
        return [row["id"] for row in response.json()["data"]]

    assert ids() == [bob.pk, alice.pk, old.pk]
    assert ids(q="ALICE") == [alice.pk]
    assert ids(is_active="false") == [bob.pk]
    assert ids(joined_from=(timezone.now() - timedelta(days=30)).isoformat().replace("+00:00", "Z")) == [
        bob.pk,
        alice.pk,
    ]
    assert admin_api.get(URL, {"role": "emperor"}).status_code == 400


def test_detail_shows_the_record_with_state(admin_api):
    customer = UserFactory(phone="+85512345678")

    data = admin_api.get(f"{URL}/{customer.pk}").json()["data"]

    assert (data["id"], data["email"], data["phone"], data["is_active"], data["total_spent"]) == (
        customer.pk,
        customer.email,
        "+85512345678",
        True,
        "0.00",
    )
    missing = admin_api.get(f"{URL}/987654")
    assert missing.status_code == 404 and missing.json()["code"] == "CUSTOMER_NOT_FOUND"


def test_update_profile_and_role_through_the_services(admin_api):
    customer = UserFactory()

    response = admin_api.patch(
        f"{URL}/{customer.pk}", {"first_name": "Dara", "role": "expert", "expertise_areas": ["acne"]}, format="json"
    )

    assert response.status_code == 200, response.json()
    stored = User.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.role, stored.is_staff, stored.expertise_areas) == (
        "Dara",
        "expert",
        True,
        ["acne"],
    )
    assert list(stored.groups.values_list("name", flat=True)) == ["expert"]


def test_update_refuses_bad_input_and_changes_nothing(admin_api):
    customer = UserFactory(first_name="Sok")

    response = admin_api.patch(f"{URL}/{customer.pk}", {"first_name": "X", "role": "king"}, format="json")

    assert response.status_code == 400 and response.json()["status"] == "error"
    assert set(response.json()["errors"]) == {"role"}
    assert (User.objects.get(pk=customer.pk).first_name, User.objects.get(pk=customer.pk).role) == ("Sok", "customer")


def test_suspend_and_activate(admin_api):
    customer = UserFactory()

    suspended = admin_api.post(f"{URL}/{customer.pk}/suspend")
    assert suspended.status_code == 200 and suspended.json()["data"]["is_active"] is False
    assert User.objects.get(pk=customer.pk).is_active is False

    activated = admin_api.post(f"{URL}/{customer.pk}/activate")
    assert activated.json()["data"]["is_active"] is True


def test_moderator_suspends_shoppers_but_not_staff_nor_reads_records():
    moderator_api = _client(ModeratorFactory())
    customer, admin_user = UserFactory(), StaffFactory()

    assert moderator_api.post(f"{URL}/{customer.pk}/suspend").status_code == 200
    refused = moderator_api.post(f"{URL}/{admin_user.pk}/suspend")

    assert refused.status_code == 403
    assert refused.json()["message"] == "Not allowed: only an admin changes staff accounts."
    assert User.objects.get(pk=admin_user.pk).is_active is True
    assert moderator_api.get(f"{URL}/{customer.pk}").status_code == 403


def test_nobody_suspends_themselves(admin_api):
    me = User.objects.get(pk=admin_api.handler._force_user.pk)

    response = admin_api.post(f"{URL}/{me.pk}/suspend")

    assert response.status_code == 403 and response.json()["message"] == "Not allowed: that is your own account."
    assert User.objects.get(pk=me.pk).is_active is True


def test_addresses_of_a_customer(admin_api):
    customer = UserFactory()
    AddressFactory(user=customer, address_line1="12 Street 240")
    AddressFactory(user=UserFactory(), address_line1="Someone else's")

    response = admin_api.get(f"{URL}/{customer.pk}/addresses")

    assert response.status_code == 200
    assert [row["address_line1"] for row in response.json()["data"]] == ["12 Street 240"]
