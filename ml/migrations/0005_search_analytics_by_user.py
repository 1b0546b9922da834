import django.db.models.fields.json
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL, where the analytics table may be big and keeps taking
    writes during the deploy (docs/operations.md, "Migrations without downtime"); a plain ``AddIndex``
    elsewhere (SQLite, the embedded default)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("ml", "0004_seed_ingredient_interactions"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="analyticsdocument",
            index=models.Index(
                django.db.models.fields.json.KeyTransform("user_id", "doc"),
                django.db.models.fields.json.KeyTransform("timestamp", "doc"),
                condition=models.Q(("collection", "search_analytics")),
                name="ml_doc_search_user",
            ),
        ),
    ]
