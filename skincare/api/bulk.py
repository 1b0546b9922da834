"""One answer for every bulk endpoint: ``{"done": [ids], "skipped": [{"id", "code", "message"}]}``.

``done`` lists the items changed, in the order asked; ``skipped`` the others, each with the error
code (and message) that stopped it (``NOT_FOUND`` for an unknown id). Orders are addressed by
their ``order_number``, so their ids are strings; everything else by integer id.
"""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from skincare.api.error_codes import ApiErrorCode

CODE_HELP = "Why this item was not changed: NOT_FOUND, or the error code a single change would answer."


@extend_schema_serializer(component_name="BulkSkipped")
class BulkSkippedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text=CODE_HELP)
    message = serializers.CharField()


@extend_schema_serializer(component_name="BulkResult")
class BulkResultOutput(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of the items changed.")
    skipped = BulkSkippedOutput(many=True)


@extend_schema_serializer(component_name="OrderBulkSkipped")
class OrderBulkSkippedOutput(serializers.Serializer):
    id = serializers.CharField(help_text="The order number.")
    code = serializers.CharField(help_text=CODE_HELP)
    message = serializers.CharField()


@extend_schema_serializer(component_name="OrderBulkResult")
class OrderBulkResultOutput(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField(), help_text="Order numbers of the orders changed.")
    skipped = OrderBulkSkippedOutput(many=True)


def skipped(item_id, code, message):
    return {"id": item_id, "code": str(code), "message": str(message)}


def not_found(item_id):
    return skipped(item_id, ApiErrorCode.NOT_FOUND, "Not found.")


def bulk_result(*, done, skipped=(), serializer=BulkResultOutput):
    """The answer body, built by the serializer that documents it."""
    return serializer({"done": list(done), "skipped": list(skipped)}).data
