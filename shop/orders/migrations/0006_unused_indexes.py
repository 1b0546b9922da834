"""Drop indexes no statement uses, each of which every checkout pays for (its INSERTs and the card verdict's
UPDATEs maintain them): about 0.1–0.15 ms of PostgreSQL CPU per checkout (docs/performance.md, ord14's
"Indexes" and ix16).

- ``orders_order.user_id`` and ``orders_orderitem.product_id``: the composite indexes ``(user_id, created_at
  DESC)`` and ``(product_id, order_id)`` begin with the same column and serve every look-up by it;
- ``orders_payment.transaction_id``: shown, never looked up;
- the ``varchar_pattern_ops`` twins PostgreSQL gets for ``order_number`` (unique) and
  ``provider_transaction_id`` (indexed): they serve only ``LIKE 'prefix%'``, which nothing runs (the staff
  search is ``icontains``); the equality indexes stay.

Only ``DROP INDEX``: the ``AlterField`` operations below change the state alone, since on PostgreSQL Django's
own would drop and re-add each foreign key, validating every row under a lock (not a zero-downtime step).
``IF EXISTS``: SQLite has the same plain indexes but no pattern twins.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, index, column, PostgreSQL operator class or "")
DROPPED = [
    ("orders_order", "orders_order_user_id_e9b59eb1", "user_id", ""),
    ("orders_orderitem", "orders_orderitem_product_id_afe4254a", "product_id", ""),
    ("orders_payment", "orders_payment_transaction_id_cab9f919", "transaction_id", ""),
    ("orders_payment", "orders_payment_transaction_id_cab9f919_like", "transaction_id", "varchar_pattern_ops"),
    ("orders_order", "orders_order_order_number_4e985f70_like", "order_number", "varchar_pattern_ops"),
    (
        "orders_payment",
        "orders_payment_provider_transaction_id_df718e8a_like",
        "provider_transaction_id",
        "varchar_pattern_ops",
    ),
]


def drop(apps, schema_editor):
    quote = schema_editor.quote_name
    for _table, index, _column, _opclass in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index)}")


def create(apps, schema_editor):
    quote = schema_editor.quote_name
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table, index, column, opclass in DROPPED:
        if opclass and not postgresql:
            continue
        operator_class = f" {opclass}" if opclass else ""
        schema_editor.execute(f"CREATE INDEX {quote(index)} ON {quote(table)} ({quote(column)}{operator_class})")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_product_stock_writes_hot"),
        ("orders", "0005_product_usage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="orders",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="orderitem",
                    name="product",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="order_items",
                        to="catalog.product",
                    ),
                ),
                migrations.AlterField(
                    model_name="payment",
                    name="transaction_id",
                    field=models.CharField(blank=True, max_length=255),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create, elidable=False)],
        ),
    ]
