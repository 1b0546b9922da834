"""No index holds ``stock_quantity`` or ``sales_count`` any more, so checkout's stock UPDATE can be a HOT update
(no new entry in every index of the row). No list or search statement was slower without them: the popularity
sort counts every match anyway (docs/performance.md, "Issue 18, checkout's request (session 9)")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_stock_adjustment_reason_import"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="product",
            name="catalog_prod_active_popular",
        ),
        migrations.RemoveIndex(
            model_name="product",
            name="catalog_prod_status_stock",
        ),
    ]
