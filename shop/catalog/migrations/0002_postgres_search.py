"""PostgreSQL-only search support; a no-op on SQLite (and any other vendor).

* the ``pg_trgm`` extension (typo-tolerant search and type-ahead);
* ``catalog_product.search_vector``: a generated, stored tsvector weighting the names
  (A), brand/ingredients/type (B, from ``search_document``), concerns (C) and the
  descriptions (D), with a GIN index;
* GIN indexes for the JSON skin-type/concern filters (``?|``) and trigram indexes for
  type-ahead on product, brand and ingredient names.

The model does not declare these: ``shop.catalog.search`` reads ``search_vector`` with
raw SQL only when ``connection.vendor == "postgresql"``.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    ALTER TABLE catalog_product ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(name, '') || ' ' || coalesce(name_km, '')), 'A')
        || setweight(to_tsvector('english', coalesce(search_document, '')), 'B')
        || setweight(to_tsvector('english', coalesce(concerns, '[]'::jsonb)), 'C')
        || setweight(
            to_tsvector('english', coalesce(short_description, '') || ' ' || coalesce(description, '')
                || ' ' || coalesce(description_km, '')),
            'D'
        )
    ) STORED
    """,
    "CREATE INDEX catalog_prod_search_vector_gin ON catalog_product USING gin (search_vector)",
    "CREATE INDEX catalog_prod_skin_types_gin ON catalog_product USING gin (skin_types)",
    "CREATE INDEX catalog_prod_concerns_gin ON catalog_product USING gin (concerns)",
    "CREATE INDEX catalog_prod_name_trgm ON catalog_product USING gin (upper(name) gin_trgm_ops)",
    "CREATE INDEX catalog_brand_name_trgm ON catalog_brand USING gin (upper(name) gin_trgm_ops)",
    "CREATE INDEX catalog_ingredient_name_trgm ON catalog_ingredient USING gin (upper(name) gin_trgm_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS catalog_ingredient_name_trgm",
    "DROP INDEX IF EXISTS catalog_brand_name_trgm",
    "DROP INDEX IF EXISTS catalog_prod_name_trgm",
    "DROP INDEX IF EXISTS catalog_prod_concerns_gin",
    "DROP INDEX IF EXISTS catalog_prod_skin_types_gin",
    "DROP INDEX IF EXISTS catalog_prod_search_vector_gin",
    "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_vector",
    # pg_trgm is left installed: other apps may rely on it.
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD))]
