from django.utils.translation import gettext
from rest_framework import serializers

from shop.catalog.models import Category, Product
from shop.coupons.models import Coupon, CouponStatus, CouponUsage


class ValidateInput(serializers.Serializer):
    code = serializers.CharField(max_length=50)


class CouponPublicOutput(serializers.ModelSerializer):
    class Meta:
        model = Coupon
        fields = [
            "code",
            "name",
            "description",
            "type",
            "value",
            "max_discount",
            "min_order_value",
            "is_first_time_only",
            "start_date",
            "end_date",
        ]


class CouponStaffSerializer(serializers.ModelSerializer):
    applicable_products = serializers.PrimaryKeyRelatedField(many=True, queryset=Product.objects.all(), required=False)
    applicable_categories = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Category.objects.all(), required=False
    )

    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "name",
            "description",
            "type",
            "value",
            "max_discount",
            "usage_limit",
            "used_count",
            "usage_limit_per_user",
            "min_order_value",
            "applicable_products",
            "applicable_categories",
            "customer",
            "status",
            "is_first_time_only",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "used_count", "created_at", "updated_at"]
        extra_kwargs = {
            "value": {"min_value": 0},
            "max_discount": {"min_value": 0},
            "min_order_value": {"min_value": 0},
            "usage_limit": {"max_value": 2**31 - 1},
            "usage_limit_per_user": {"max_value": 2**31 - 1},
        }

    def validate_code(self, value):
        value = value.strip().upper()
        if not value or any(ch.isspace() for ch in value):
            raise serializers.ValidationError(gettext("Use letters, digits and dashes without spaces."))
        return value

    def validate(self, attrs):
        merged = (
            {**{f: getattr(self.instance, f) for f in ("type", "value", "start_date", "end_date")}, **attrs}
            if (self.instance)
            else attrs
        )
        if merged.get("type") == "percentage" and merged.get("value") is not None and merged["value"] > 100:
            raise serializers.ValidationError({"value": [gettext("A percentage is at most 100.")]})
        if merged.get("type") in ("percentage", "fixed") and not merged.get("value"):
            raise serializers.ValidationError({"value": [gettext("Must be more than 0.")]})
        start, end = merged.get("start_date"), merged.get("end_date")
        if start and end and end <= start:
            raise serializers.ValidationError({"end_date": [gettext("Must be after start_date.")]})
        return attrs


class BulkStatusInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), min_length=1, max_length=500
    )
    status = serializers.ChoiceField(choices=CouponStatus.choices)


class CouponUsageOutput(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.order_number", default=None)
    user_email = serializers.CharField(source="user.email", default=None)

    class Meta:
        model = CouponUsage
        fields = ["id", "user_id", "user_email", "order_number", "discount_amount", "used_at", "released_at"]


# --- Documentation of the hand-built answers (the views return plain dicts) ---------------

MONEY = {"max_digits": 10, "decimal_places": 2}


class ValidateOutput(serializers.Serializer):
    valid = serializers.BooleanField()
    code = serializers.CharField(allow_null=True, help_text="Error code: why it does not apply (null if valid).")
    reason = serializers.CharField(allow_null=True, help_text="The same, for people; null if valid.")
    coupon = CouponPublicOutput(allow_null=True, help_text="Null unless valid.")
    discount = serializers.DecimalField(
        **MONEY, required=False, help_text="Only when valid: the estimated discount on the current cart."
    )


class CouponAvailableOutput(CouponPublicOutput):
    applicable = serializers.BooleanField(help_text="Whether it applies to the current cart now.")
    reason = serializers.CharField(allow_null=True)
    reason_code = serializers.CharField(allow_null=True)
    discount = serializers.DecimalField(**MONEY, allow_null=True, help_text="Estimated discount when applicable.")

    class Meta(CouponPublicOutput.Meta):
        fields = [*CouponPublicOutput.Meta.fields, "applicable", "reason", "reason_code", "discount"]


class CouponStatsOutput(serializers.Serializer):
    uses = serializers.IntegerField(help_text="Uses not released by a cancellation.")
    customers = serializers.IntegerField()
    total_discount = serializers.DecimalField(**MONEY)
    order_revenue = serializers.DecimalField(**MONEY)


class CouponStatsOneOutput(CouponStatsOutput):
    remaining = serializers.IntegerField(allow_null=True, help_text="Uses left; null without a usage limit.")


CouponsByStatusOutput = type(
    "CouponsByStatusOutput",
    (serializers.Serializer,),
    {value: serializers.IntegerField() for value in CouponStatus.values},
)


class CouponStatsAllOutput(CouponStatsOutput):
    coupons_by_status = CouponsByStatusOutput(help_text="How many coupons are in each status.")
