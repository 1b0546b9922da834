from rest_framework import serializers

from shop.catalog.serializers import BrandRefSerializer, ImageSerializer, brand_ref, product_image
from shop.wishlist.models import PurchaseTrigger, WishlistFeedback


class AddInput(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class FeedbackSerializer(serializers.ModelSerializer):
    purchase_triggers = serializers.ListField(
        child=serializers.ChoiceField(choices=PurchaseTrigger.choices), required=False, max_length=10
    )
    interest_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    hesitation_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    class Meta:
        model = WishlistFeedback
        fields = [
            "interest_reason",
            "hesitation_reason",
            "purchase_triggers",
            "notify_on_sale",
            "notify_on_reviews",
            "notify_on_restock",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class WishlistProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the request's language (Khmer when name_km is set).")
    name_km = serializers.CharField()
    slug = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    compare_at_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    in_stock = serializers.BooleanField()
    brand = BrandRefSerializer()
    image = ImageSerializer(allow_null=True, help_text="The primary image.")


class WishlistItemOutput(serializers.Serializer):
    """Documentation only: the item body is built by ``item_output``."""

    product = WishlistProductOutput()
    added_at = serializers.DateTimeField()
    feedback = FeedbackSerializer(allow_null=True)


def item_output(item, feedback, *, request=None):
    """``item.product`` must come with its brand and ``selectors.primary_media_prefetch``."""
    product = item.product
    return {
        "product": {
            "id": product.pk,
            "name": product.name,
            "name_km": product.name_km,
            "slug": product.slug,
            "price": str(product.price),
            "compare_at_price": str(product.compare_at_price) if product.compare_at_price else None,
            "in_stock": product.in_stock,
            "brand": brand_ref(product.brand),
            "image": product_image(product, request=request),
        },
        "added_at": item.created_at,
        "feedback": FeedbackSerializer(feedback).data if feedback else None,
    }
