"""Validation of client analytics events: a batch of 1..100, each event checked against the
fields its type needs and allows."""

import json
import re
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext
from rest_framework import serializers

MAX_BATCH = 100
MAX_METADATA_BYTES = 2000
CLOCK_SKEW = timedelta(minutes=5)
MAX_AGE = timedelta(days=7)
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

# event type -> (required fields, optional fields), besides the common ones.
TYPE_FIELDS = {
    "page_view": ({"page_url"}, {"duration_seconds"}),
    "product_view": ({"product_id"}, {"page_url", "search_id", "position", "duration_seconds"}),
    "search": ({"query"}, {"results_count", "filters"}),
    "cart_add": ({"product_id"}, {"quantity", "search_id"}),
    "wishlist_add": ({"product_id"}, set()),
    "purchase": ({"order_id", "product_ids"}, set()),
    "review_written": ({"product_id"}, {"review_id"}),
    "progress_update": ({"product_id"}, {"journal_id", "week_number"}),
    "question_asked": ({"product_id"}, {"question_id"}),
    "recommendation_shown": ({"product_ids"}, {"recommendation_type"}),
    "recommendation_clicked": ({"product_id"}, {"position", "recommendation_type"}),
    "recommendation_ignored": ({"product_id"}, {"position", "recommendation_type"}),
}
COMMON = {"type", "session_id", "occurred_at", "metadata"}


def _ids():
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=50, required=False
    )


class EventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=sorted(TYPE_FIELDS))
    session_id = serializers.RegexField(ID_PATTERN, max_length=64)
    occurred_at = serializers.DateTimeField(required=False)
    metadata = serializers.DictField(required=False)

    page_url = serializers.CharField(max_length=500, required=False)
    duration_seconds = serializers.IntegerField(min_value=0, max_value=86400, required=False)
    product_id = serializers.IntegerField(min_value=1, required=False)
    product_ids = _ids()
    search_id = serializers.RegexField(ID_PATTERN, max_length=64, required=False)
    position = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    query = serializers.CharField(max_length=200, required=False)
    results_count = serializers.IntegerField(min_value=0, required=False)
    filters = serializers.DictField(required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=100, required=False)
    order_id = serializers.IntegerField(min_value=1, required=False)
    review_id = serializers.IntegerField(min_value=1, required=False)
    journal_id = serializers.IntegerField(min_value=1, required=False)
    question_id = serializers.IntegerField(min_value=1, required=False)
    week_number = serializers.IntegerField(min_value=0, max_value=520, required=False)
    recommendation_type = serializers.CharField(max_length=40, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({name: [gettext("Unknown field.")] for name in sorted(unknown)})
        return super().to_internal_value(data)

    def validate_occurred_at(self, value):
        now = datetime.now(UTC)
        if value > now + CLOCK_SKEW:
            raise serializers.ValidationError(gettext("Must not be in the future."))
        if value < now - MAX_AGE:
            raise serializers.ValidationError(gettext("Must be within the last 7 days."))
        return value

    def validate_metadata(self, value):
        if len(json.dumps(value)) > MAX_METADATA_BYTES:
            raise serializers.ValidationError(gettext("At most %(max)d bytes of JSON.") % {"max": MAX_METADATA_BYTES})
        return value

    def validate(self, attrs):
        required, optional = TYPE_FIELDS[attrs["type"]]
        errors = {
            name: [gettext("This field is required for this event type.")] for name in sorted(required - set(attrs))
        }
        extra = set(attrs) - required - optional - COMMON
        errors.update({name: [gettext("Not allowed for this event type.")] for name in sorted(extra)})
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class EventBatchSerializer(serializers.Serializer):
    events = EventSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)
