from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from rest_framework import serializers

from shop.subscriptions.models import GrantSource, QuotaKind, QuotaPeriod, Tier


class QuotaOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuotaKind.choices)
    period = serializers.ChoiceField(choices=QuotaPeriod.choices)
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    resets_at = serializers.DateTimeField()


class SubscriptionOutput(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    premium_until = serializers.DateTimeField(allow_null=True)
    quotas = QuotaOutput(many=True)


class PremiumGrantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    user_email = serializers.EmailField(source="user.email")
    source = serializers.ChoiceField(choices=GrantSource.choices)
    order_number = serializers.CharField(source="order.order_number", allow_null=True, default=None)
    days = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    granted_by_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class PremiumGrantInput(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1)
    days = serializers.IntegerField(min_value=1, max_value=3660)
    note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)

    def validate_user_id(self, value):
        user = get_user_model().objects.filter(pk=value).first()
        if user is None:
            raise serializers.ValidationError(gettext("User not found."))
        return user


class PremiumGrantFilter(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1, required=False)
