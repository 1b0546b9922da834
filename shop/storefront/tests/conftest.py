import pytest
from django.test import Client

from shop.accounts.tests.factories import UserFactory


@pytest.fixture
def shopper(db):
    return UserFactory(first_name="Dara", skin_type="oily")


@pytest.fixture
def shopper_client(shopper):
    client = Client()
    client.force_login(shopper)
    return client
