"""Two staff moves that would close a category loop together, against PostgreSQL row locks."""

import threading

import pytest
from django.db import connection

from shop.catalog import services
from shop.catalog.models import Category
from shop.catalog.tests.factories import CategoryFactory
from skincare.errors import ApplicationError

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks; run with DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]


def test_parallel_moves_cannot_make_a_loop(monkeypatch):
    cleansers, toners = CategoryFactory(name="Cleansers"), CategoryFactory(name="Toners")
    checked = threading.Barrier(2)
    real_check = services.category_parent_check

    def check_then_wait(**kwargs):
        real_check(**kwargs)
        try:  # both moves pass the check before either saves, unless the locks serialise them
            checked.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(services, "category_parent_check", check_then_wait)
    start = threading.Barrier(2)
    results = []

    def move(category_id, parent_id):
        try:
            start.wait(timeout=10)
            category = Category.objects.get(pk=category_id)
            services.category_update(category=category, data={"parent": Category.objects.get(pk=parent_id)})
            results.append("ok")
        except ApplicationError as exc:
            results.append(exc.error_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(cleansers.pk, toners.pk)),
        threading.Thread(target=move, args=(toners.pk, cleansers.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["CATEGORY_CYCLE", "ok"]
    parents = dict(Category.objects.filter(pk__in=[cleansers.pk, toners.pk]).values_list("pk", "parent_id"))
    assert list(parents.values()).count(None) == 1  # one moved under the other, no loop
