import pytest


@pytest.fixture
def default_achievements():
    """Transactional tests start from a flushed database: put the seeded achievements back."""
    from importlib import import_module

    from django.apps import apps

    import_module("ml.goals.migrations.0002_default_achievements").create(apps, None)
