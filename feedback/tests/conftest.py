import pytest


@pytest.fixture(autouse=True)
def _run_on_commit(run_on_commit):
    """Callbacks queued with on_commit run immediately in these tests."""


@pytest.fixture
def product(db):
    from shop.catalog.tests.factories import ProductFactory

    return ProductFactory()
