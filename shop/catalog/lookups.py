"""``json_array_field__contains_any=[...]``: the JSON array holds at least one of the values.

PostgreSQL uses the jsonb ``?|`` operator (served by the GIN index of migration 0002);
SQLite scans the array with ``json_each``. Django's own ``contains`` is not supported on
SQLite and ``has_any_keys`` checks object keys, not array items, there.
"""

from django.db.models import JSONField, Lookup


@JSONField.register_lookup
class ContainsAny(Lookup):
    lookup_name = "contains_any"
    prepare_rhs = False

    def get_prep_lookup(self):
        values = self.rhs
        if isinstance(values, str):
            values = [values]
        return [str(value) for value in values]

    def get_db_prep_lookup(self, value, connection):
        return "%s", value

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs} ?| %s::text[])", (*lhs_params, list(self.rhs))

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        placeholders = ", ".join(["%s"] * len(self.rhs))
        # Only the compiled column and "%s" placeholders are interpolated; values are parameters.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) AS item WHERE item.value IN ({placeholders}))"  # noqa: S608
        return sql, (*lhs_params, *self.rhs)
