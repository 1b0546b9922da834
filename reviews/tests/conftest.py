import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _run_on_commit(run_on_commit):
    """Callbacks queued with on_commit run immediately in these tests."""


@pytest.fixture
def product(db):
    from shop.catalog.tests.factories import ProductFactory

    return ProductFactory()


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
