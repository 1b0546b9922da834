import pytest


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """Run on_commit callbacks (notification delivery, signals) right away, as a real commit would."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def product(db):
    from shop.catalog.tests.factories import ProductFactory

    return ProductFactory()
