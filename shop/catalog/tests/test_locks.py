"""On PostgreSQL the catalog locks are ``FOR UPDATE OF`` their own table only."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from shop.catalog import lock_objects
from shop.catalog.tests.factories import CategoryFactory, ProductFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="FOR UPDATE OF is PostgreSQL SQL"),
]


def locked_tables(func):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        func()
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    return [re.search(r"FOR UPDATE OF (.+)$", sql).group(1) for sql in locks]


def test_catalog_locks_only_its_own_tables():
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    product = ProductFactory(category=child)

    assert locked_tables(lambda: lock_objects.categories_lock(category_ids=[child.pk, parent.pk])) == [
        '"catalog_category"'
    ]
    assert locked_tables(lambda: lock_objects.category_children_lock(parent=parent)) == ['"catalog_category"']
    assert locked_tables(lambda: lock_objects.products_lock(product_ids=[product.pk])) == ['"catalog_product"']
    assert locked_tables(lambda: lock_objects.product_lock(product_id=product.pk)) == ['"catalog_product"']
