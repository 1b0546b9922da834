"""Output serializers shared by several catalog endpoints (inputs live with their views)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.accounts.models import SkinConcern
from shop.catalog import selectors
from shop.catalog.media import media_absolute, media_url, media_urls_mapped, url_absolute
from shop.catalog.models import SIZE_UNITS, ProductSkinType, ProductType
from skincare.api.fields import CurrencyField
from skincare.api.output import OutputSerializer, output


class BrandRefSerializer(OutputSerializer):
    """A brand wherever a product carries one (lists, detail, cart, wishlist): the same object."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


def brand_ref(brand):
    return output(BrandRefSerializer, brand, None)


class CategoryRefSerializer(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_km = serializers.CharField()
    slug = serializers.CharField()


class MediaUrlField(serializers.CharField):
    """The URL of an uploaded file (``source`` names the file): absolute on the request's origin when the
    context has a request, relative otherwise (payloads cached for every origin)."""

    size = None

    def to_representation(self, file):
        return media_url(file, size=self.size, request=self.context.get("request"))


class ThumbnailUrlField(MediaUrlField):
    size = "small"


class ThumbnailUrlsField(serializers.DictField):
    def to_representation(self, file):
        request = self.context.get("request")
        return {name: media_url(file, size=name, request=request) for name in sorted(file.thumbnails or {})}


class ImageSerializer(OutputSerializer):
    # A product image: the original, every thumbnail by size name, and ``thumbnail`` (the small one).
    id = serializers.IntegerField()
    url = MediaUrlField(source="file", allow_null=True)
    thumbnail = ThumbnailUrlField(
        source="file", allow_null=True, help_text="The small thumbnail (the original if none)."
    )
    thumbnails = ThumbnailUrlsField(
        source="file", child=serializers.CharField(allow_null=True), help_text="Absolute URL by thumbnail size name."
    )
    width = serializers.IntegerField(source="file.width", allow_null=True)
    height = serializers.IntegerField(source="file.height", allow_null=True)
    alt_text = serializers.CharField()
    alt_text_km = serializers.CharField()
    sort_order = serializers.IntegerField()
    is_primary = serializers.BooleanField()


def media_payload(media, *, request=None):
    """A product image (``ProductMedia``) as ``ImageSerializer`` renders it. Cached payloads are built
    without a request; views pass them through ``media.media_absolute`` before answering."""
    return output(ImageSerializer, media, request)


class ProductSizeSerializer(OutputSerializer):
    # A product's size (read from the product itself).
    amount = serializers.DecimalField(
        source="size_amount", max_digits=8, decimal_places=2, help_text="In one unit (bottle, jar, tube)."
    )
    unit = serializers.ChoiceField(source="size_unit", choices=SIZE_UNITS)


class ProductListOutputSerializer(OutputSerializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    name_km = serializers.CharField()
    short_description = serializers.CharField()
    brand = BrandRefSerializer()
    category = CategoryRefSerializer()
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    compare_at_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    discount_percent = serializers.IntegerField()
    currency = CurrencyField()
    in_stock = serializers.BooleanField()
    rating_avg = serializers.DecimalField(max_digits=3, decimal_places=2)
    review_count = serializers.IntegerField()
    skin_types = serializers.ListField(child=serializers.ChoiceField(choices=ProductSkinType.choices))
    concerns = serializers.ListField(child=serializers.ChoiceField(choices=SkinConcern.choices))
    is_featured = serializers.BooleanField()
    suitable_for_sensitive_skin = serializers.BooleanField()
    size = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()

    def get_size(self, product) -> ProductSizeSerializer(allow_null=True):
        if not product.size_amount or not product.size_unit:
            return None
        return output(ProductSizeSerializer, product, None)

    def get_image(self, product) -> ImageSerializer(allow_null=True):
        primary = getattr(product, "primary_media", None)
        if primary is None:  # not prefetched: callers must use the selectors' querysets
            primary = [m for m in product.media.all() if m.is_primary]
        return media_payload(primary[0], request=self.context.get("request")) if primary else None


def product_list_item(product):
    """The public list item for ``product`` (loaded by ``selectors.product_list_queryset``), rendered by
    ``ProductListOutputSerializer`` without a request: image URLs stay relative where the storage gives
    them, so the item can be cached for every origin; ``product_list_item_absolute`` adds the origin."""
    return output(ProductListOutputSerializer, product, None)


def product_image(product, *, request=None):
    """The primary image of a product loaded with ``selectors.primary_media_prefetch`` (or None)."""
    primary = product.primary_media
    return media_payload(primary[0], request=request) if primary else None


def product_list_item_urls_mapped(item, convert):
    """A ``product_list_item`` with ``convert(url)`` in place of each of its (image) URLs."""
    return {**item, "image": media_urls_mapped(item["image"], convert)}


def product_list_item_absolute(item, request):
    """A cached ``product_list_item`` with its image URLs on the request's origin."""
    return product_list_item_urls_mapped(item, lambda url: url_absolute(url, request))


def product_detail_absolute(payload, request):
    """A cached public detail payload with its image URLs on the request's origin."""
    return {
        **payload,
        "image": media_absolute(payload["image"], request),
        "media": [media_absolute(item, request) for item in payload["media"]],
    }


def category_nodes_absolute(nodes, request):
    """Cached category nodes (and their ``children``) with absolute image and banner URLs."""
    return [
        {
            **node,
            "image": url_absolute(node["image"], request),
            "banner": url_absolute(node["banner"], request),
            **({"children": category_nodes_absolute(node["children"], request)} if "children" in node else {}),
        }
        for node in nodes
    ]


class IngredientOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="ingredient.id")
    name = serializers.CharField(source="ingredient.name")
    name_km = serializers.CharField(source="ingredient.name_km")
    slug = serializers.CharField(source="ingredient.slug")
    inci_name = serializers.CharField(source="ingredient.inci_name")
    concentration = serializers.CharField()


class VariantOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    sku = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    compare_at_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    in_stock = serializers.SerializerMethodField()

    def get_in_stock(self, variant) -> bool:
        product = variant.product
        return not product.track_inventory or product.allow_backorders or variant.stock_quantity > 0


class DimensionsSerializer(serializers.Serializer):
    length = serializers.IntegerField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


class ProductDetailOutputSerializer(ProductListOutputSerializer):
    sku = serializers.CharField()
    barcode = serializers.CharField()
    description = serializers.CharField()
    description_km = serializers.CharField()
    key_benefits = serializers.ListField(child=serializers.CharField())
    how_to_use = serializers.CharField()
    how_to_use_km = serializers.CharField()
    usage_time = serializers.CharField()
    attributes = serializers.DictField()
    ingredients = IngredientOutputSerializer(source="product_ingredients", many=True)
    full_ingredients = serializers.CharField()
    dermatologist_tested = serializers.BooleanField()
    cruelty_free = serializers.BooleanField()
    allow_backorders = serializers.BooleanField()
    weight_grams = serializers.IntegerField(allow_null=True)
    dimensions_mm = serializers.SerializerMethodField()
    variants = VariantOutputSerializer(many=True)
    media = serializers.SerializerMethodField()
    breadcrumbs = serializers.SerializerMethodField()
    meta_title = serializers.CharField()
    meta_description = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)

    def get_image(self, product) -> ImageSerializer(allow_null=True):
        media = list(product.media.all())
        return media_payload(media[0], request=self.context.get("request")) if media and media[0].is_primary else None

    def get_media(self, product) -> ImageSerializer(many=True):
        return [media_payload(item, request=self.context.get("request")) for item in product.media.all()]

    def get_dimensions_mm(self, product) -> DimensionsSerializer:
        return {"length": product.length_mm, "width": product.width_mm, "height": product.height_mm}

    def get_breadcrumbs(self, product) -> CategoryRefSerializer(many=True):
        return output(CategoryRefSerializer, selectors.category_breadcrumbs(product.category_id), None, many=True)


class StaffProductOutputSerializer(ProductDetailOutputSerializer):
    status = serializers.CharField()
    cost_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    stock_quantity = serializers.IntegerField()
    low_stock_threshold = serializers.IntegerField()
    track_inventory = serializers.BooleanField()
    sales_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class StaffProductListOutputSerializer(ProductListOutputSerializer):
    sku = serializers.CharField()
    status = serializers.CharField()
    stock_quantity = serializers.IntegerField()
    sales_count = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}})
class CategoryChildrenField(serializers.ListField):
    """Nested category nodes (documented as a recursive reference to ``CategoryNode``)."""


class CategoryNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    name_km = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    sort_order = serializers.IntegerField()
    image = serializers.CharField(allow_null=True)
    banner = serializers.CharField(allow_null=True)
    children = CategoryChildrenField(child=serializers.DictField())


class StaffCategoryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    name_km = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    sort_order = serializers.IntegerField()
    is_active = serializers.BooleanField()
    image = serializers.SerializerMethodField()

    def get_image(self, category) -> str | None:
        return media_url(category.image, request=self.context.get("request"))
