"""Filter fields shared by the API's filter sets."""

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC before it reaches a query.

    Python accepts any UTC offset below 24 hours; PostgreSQL refuses offsets beyond about 16 hours
    (``DataError: time zone displacement out of range`` for ``2026-01-01T00:00:00-17:05``, a 500).
    In UTC the instant is the same and PostgreSQL takes it. An instant that has no UTC date-time
    (``0001-01-01T00:00:00+05:00``) is invalid input.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


def with_sort_alias(query_params):
    """The ordering parameter is ``sort`` everywhere; ``ordering`` (its former name on two staff lists) is
    read as ``sort`` when ``sort`` is absent, and is left out of the schema."""
    if query_params is None or "ordering" not in query_params or "sort" in query_params:
        return query_params
    params = query_params.copy()
    params.setlist("sort", params.getlist("ordering"))
    del params["ordering"]
    return params
