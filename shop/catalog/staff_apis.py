"""Staff catalog API (catalog model permissions): product/category CRUD, bulk actions, media, reorder."""

from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts.models import SkinConcern
from shop.catalog import error_codes, selectors, services
from shop.catalog.error_codes import CatalogErrorCode
from shop.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductMedia,
    ProductSkinType,
    ProductStatus,
    ProductType,
    ProductVariant,
    StockAdjustmentReason,
    UsageTime,
    VariantKind,
)
from shop.catalog.serializers import (
    ImageSerializer,
    StaffCategoryOutputSerializer,
    StaffProductListOutputSerializer,
    StaffProductOutputSerializer,
)
from shop.files.error_codes import UPLOAD_REFUSALS
from skincare.api import bulk
from skincare.api.bulk import BulkResultOutput, bulk_result
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises
from skincare.api.output import output
from skincare.api.pagination import PagePagination, paginated_response
from skincare.api.parsers import MultiPartParser
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

MONEY = {"max_digits": 10, "decimal_places": 2}
# Ids from the client: bounded so an out-of-range number is a 400, never a database overflow (500).
ID = {"min_value": 1, "max_value": 2**31 - 1}


class StaffApi(APIView):
    permission_classes = [HasStaffPermission]  # each subclass names its required_permissions
    localized_content = False  # editors see both languages as stored


def _staff_product(product_id):
    product = selectors.product_get(product_id, include_drafts=True)
    if product is None:
        raise ApplicationError(error_codes.PRODUCT_NOT_FOUND, gettext("Product not found."))
    return product


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "Ingredient id or slug."})
class IngredientRefField(serializers.Field):
    """An ingredient by id or slug."""

    def to_internal_value(self, data):
        lookup = str(data)
        ingredient = Ingredient.objects.filter(Q(slug=lookup) | Q(pk=int(lookup) if lookup.isdigit() else None)).first()
        if ingredient is None:
            raise serializers.ValidationError(gettext("Unknown ingredient %(name)r.") % {"name": lookup})
        return ingredient

    def to_representation(self, value):
        return value.slug


class ProductIngredientInputSerializer(serializers.Serializer):
    ingredient = IngredientRefField()
    concentration = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)


class VariantInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=VariantKind.choices, default=VariantKind.SIZE)
    name = serializers.CharField(max_length=80)
    sku = serializers.CharField(max_length=64)
    price = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    compare_at_price = serializers.DecimalField(required=False, allow_null=True, min_value=Decimal("0.01"), **MONEY)
    stock_quantity = serializers.IntegerField(default=0)


class ProductInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_km = serializers.CharField(max_length=200, required=False, allow_blank=True)
    slug = serializers.SlugField(max_length=220, required=False, allow_blank=True)
    sku = serializers.CharField(max_length=64)
    barcode = serializers.CharField(max_length=64, required=False, allow_blank=True)
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all())
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    short_description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    description_km = serializers.CharField(required=False, allow_blank=True)
    key_benefits = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=20)
    how_to_use = serializers.CharField(required=False, allow_blank=True)
    how_to_use_km = serializers.CharField(required=False, allow_blank=True)
    usage_time = serializers.ChoiceField(choices=UsageTime.choices, required=False, allow_blank=True)
    attributes = serializers.DictField(child=serializers.CharField(max_length=200), required=False)
    price = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    compare_at_price = serializers.DecimalField(required=False, allow_null=True, min_value=Decimal("0.01"), **MONEY)
    cost_price = serializers.DecimalField(required=False, allow_null=True, min_value=0, **MONEY)
    stock_quantity = serializers.IntegerField(required=False)
    low_stock_threshold = serializers.IntegerField(required=False, min_value=0)
    track_inventory = serializers.BooleanField(required=False)
    allow_backorders = serializers.BooleanField(required=False)
    weight_grams = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    length_mm = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    width_mm = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    height_mm = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    skin_types = serializers.ListField(child=serializers.ChoiceField(choices=ProductSkinType.choices), required=False)
    concerns = serializers.ListField(child=serializers.ChoiceField(choices=SkinConcern.choices), required=False)
    ingredients = ProductIngredientInputSerializer(many=True, required=False)
    full_ingredients = serializers.CharField(required=False, allow_blank=True)
    suitable_for_sensitive_skin = serializers.BooleanField(required=False)
    dermatologist_tested = serializers.BooleanField(required=False)
    cruelty_free = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=ProductStatus.choices, required=False)
    is_featured = serializers.BooleanField(required=False)
    meta_title = serializers.CharField(max_length=160, required=False, allow_blank=True)
    meta_description = serializers.CharField(max_length=320, required=False, allow_blank=True)

    def validate(self, attrs):
        price, compare_at = attrs.get("price"), attrs.get("compare_at_price")
        if price is not None and compare_at is not None and compare_at < price:
            raise serializers.ValidationError({"compare_at_price": [gettext("Must be at least the price.")]})
        return attrs


@extend_schema_serializer(component_name="ProductDeleteResult")
class ProductDeleteResultSerializer(serializers.Serializer):
    """Documentation only: what ``services.products_bulk_delete`` returns."""

    archived = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of products ordered before: archived, not deleted."
    )
    deleted = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of products deleted.")


def _split_ingredients(data):
    ingredients = data.pop("ingredients", None)
    if ingredients is None:
        return None
    return [(item["ingredient"], item.get("concentration", "")) for item in ingredients]


class StaffProductListCreateApi(StaffApi):
    required_permissions = {"GET": "catalog.view_product", "POST": "catalog.add_product"}
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ProductStatus.choices, required=False)
        q = serializers.CharField(required=False, max_length=100)
        low_stock = serializers.BooleanField(required=False, default=False)

    @extend_schema_serializer(component_name="StaffProductCreateInput")
    class CreateInputSerializer(ProductInputSerializer):
        variants = VariantInputSerializer(many=True, required=False)

    @raises()
    @extend_schema(parameters=[FilterSerializer], responses=StaffProductListOutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.staff_product_queryset().order_by("-updated_at", "-id")
        data = filters.validated_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("q"):
            queryset = queryset.filter(Q(name__icontains=data["q"]) | Q(sku__iexact=data["q"]))
        if data["low_stock"]:
            from django.db.models import F

            queryset = queryset.filter(track_inventory=True, stock_quantity__lte=F("low_stock_threshold"))
        paginator = PagePagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(
            StaffProductListOutputSerializer(page, many=True, context={"request": request}).data
        )

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND, CatalogErrorCode.STOCK_WOULD_GO_NEGATIVE)
    @extend_schema(request=CreateInputSerializer, responses={201: StaffProductOutputSerializer})
    def post(self, request):
        serializer = self.CreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ingredients = _split_ingredients(data)
        product = services.product_create(ingredients=ingredients, by=request.user, **data)
        return Response(
            StaffProductOutputSerializer(_staff_product(product.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class StaffProductDetailApi(StaffApi):
    required_permissions = {
        "GET": "catalog.view_product",
        "PATCH": "catalog.change_product",
        "DELETE": "catalog.delete_product",
    }

    @extend_schema_serializer(component_name="StaffProductUpdateInput")
    class UpdateInputSerializer(ProductInputSerializer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, partial=True, **kwargs)

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(responses=StaffProductOutputSerializer)
    def get(self, request, product_id):
        return Response(StaffProductOutputSerializer(_staff_product(product_id), context={"request": request}).data)

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND, CatalogErrorCode.STOCK_WOULD_GO_NEGATIVE)
    @extend_schema(request=UpdateInputSerializer, responses=StaffProductOutputSerializer)
    def patch(self, request, product_id):
        product = _staff_product(product_id)
        serializer = self.UpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        ingredients = _split_ingredients(data)
        services.product_update(product=product, data=data, ingredients=ingredients, by=request.user)
        return Response(StaffProductOutputSerializer(_staff_product(product.pk), context={"request": request}).data)

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND, CatalogErrorCode.UNKNOWN_PRODUCTS)
    @extend_schema(responses={200: ProductDeleteResultSerializer})
    def delete(self, request, product_id):
        product = _staff_product(product_id)
        return Response(services.product_delete(product=product))


class StaffProductBulkUpdateApi(StaffApi):
    required_permissions = {"POST": "catalog.change_product"}

    @extend_schema_serializer(component_name="StaffProductBulkUpdateInput")
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(**ID), min_length=1, max_length=500)
        status = serializers.ChoiceField(choices=ProductStatus.choices, required=False)
        is_featured = serializers.BooleanField(required=False)
        price_change_percent = serializers.DecimalField(
            max_digits=6, decimal_places=2, min_value=-90, max_value=500, required=False
        )

        def validate(self, attrs):
            if not {"status", "is_featured", "price_change_percent"} & set(attrs):
                raise serializers.ValidationError(gettext("Give status, is_featured or price_change_percent."))
            return attrs

    @raises(CatalogErrorCode.UNKNOWN_PRODUCTS)
    @extend_schema(
        request=InputSerializer,
        responses=BulkResultOutput,
        description=(
            "All or nothing: an unknown id refuses the whole request (UNKNOWN_PRODUCTS), so `skipped` is empty."
        ),
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        products = services.products_bulk_update(product_ids=data.pop("ids"), **data)
        return Response(bulk_result(done=[p.pk for p in products]))


class StaffProductBulkDeleteApi(StaffApi):
    required_permissions = {"POST": "catalog.delete_product"}

    @extend_schema_serializer(component_name="StaffProductBulkDeleteInput")
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(**ID), min_length=1, max_length=500)

    @raises(CatalogErrorCode.UNKNOWN_PRODUCTS)
    @extend_schema(
        request=InputSerializer,
        responses=BulkResultOutput,
        description=(
            "`done`: the products deleted. A product ordered before is archived instead of deleted and listed "
            "in `skipped` with the code PRODUCT_ORDERED. An unknown id refuses the whole request (UNKNOWN_PRODUCTS)."
        ),
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.products_bulk_delete(product_ids=serializer.validated_data["ids"])
        archived = [
            bulk.skipped(pk, CatalogErrorCode.PRODUCT_ORDERED, "Ordered before: archived, not deleted.")
            for pk in result["archived"]
        ]
        return Response(bulk_result(done=result["deleted"], skipped=archived))


class StaffProductMediaApi(StaffApi):
    required_permissions = {"POST": "catalog.change_product"}
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="StaffProductMediaUploadInput")
    class InputSerializer(serializers.Serializer):
        files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=10)
        alt_text = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
        alt_text_km = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    # file_upload refuses with any of the registry's upload codes (IMAGE_TOO_SMALL, ...).
    @raises(*UPLOAD_REFUSALS, CatalogErrorCode.PRODUCT_NOT_FOUND, CatalogErrorCode.UPLOAD_FAILED)
    @extend_schema(request=InputSerializer, responses={201: ImageSerializer(many=True)})
    def post(self, request, product_id):
        product = _staff_product(product_id)
        serializer = self.InputSerializer(data={**request.data.dict(), "files": request.FILES.getlist("files")})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = services.product_media_upload(
            product=product,
            uploads=data["files"],
            owner=request.user,
            alt_text=data["alt_text"],
            alt_text_km=data["alt_text_km"],
        )
        return Response(output(ImageSerializer, created, request, many=True), status=status.HTTP_201_CREATED)


def _staff_product_row(product_id):
    """The product row alone (any status), for operations that need no gallery or variants."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ApplicationError(error_codes.PRODUCT_NOT_FOUND, gettext("Product not found."))
    return product


class StockAdjustmentActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


class StockAdjustmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    variant_id = serializers.IntegerField(allow_null=True)
    variant_name = serializers.CharField(source="variant.name", allow_null=True, default=None)
    delta = serializers.IntegerField()
    quantity_before = serializers.IntegerField()
    quantity_after = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=StockAdjustmentReason.choices)
    note = serializers.CharField()
    created_by = StockAdjustmentActorSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class StaffProductStockAdjustmentsApi(StaffApi):
    """A product's stock adjustments: the history (newest first) and a new one with its reason."""

    required_permissions = {"GET": "catalog.view_stockadjustment", "POST": "catalog.add_stockadjustment"}
    pagination_class = PagePagination

    @extend_schema_serializer(component_name="StaffStockAdjustmentInput")
    class InputSerializer(serializers.Serializer):
        delta = serializers.IntegerField(
            min_value=-services.MAX_STOCK_DELTA,
            max_value=services.MAX_STOCK_DELTA,
            help_text="Units to add (positive) or remove (negative); not 0.",
        )
        reason = serializers.ChoiceField(choices=StockAdjustmentReason.choices)
        note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
        variant_id = serializers.IntegerField(**ID, required=False, allow_null=True, default=None)

        def validate_delta(self, value):
            if value == 0:
                raise serializers.ValidationError(gettext("Must not be 0."))
            return value

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(responses=StockAdjustmentOutputSerializer(many=True))
    def get(self, request, product_id):
        product = _staff_product_row(product_id)
        return paginated_response(
            self,
            request,
            selectors.stock_adjustment_list(product_id=product.pk),
            lambda page: StockAdjustmentOutputSerializer(page, many=True).data,
        )

    @raises(
        CatalogErrorCode.PRODUCT_NOT_FOUND, CatalogErrorCode.VARIANT_NOT_FOUND, CatalogErrorCode.STOCK_WOULD_GO_NEGATIVE
    )
    @extend_schema(
        request=InputSerializer,
        responses={201: StockAdjustmentOutputSerializer},
        description=(
            "Adds `delta` to the product's stock (or the variant's, with `variant_id`) under the row lock, recorded "
            'with the reason (a note is required for "other"). Stock never goes below 0 unless the product takes '
            "backorders (STOCK_WOULD_GO_NEGATIVE)."
        ),
    )
    def post(self, request, product_id):
        product = _staff_product_row(product_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        variant = None
        if data["variant_id"] is not None:
            variant = ProductVariant.objects.filter(pk=data["variant_id"], product_id=product.pk).first()
            if variant is None:
                raise ApplicationError(
                    error_codes.VARIANT_NOT_FOUND, gettext("This variant does not belong to the product.")
                )
        adjustment = services.stock_adjust(
            product=product, variant=variant, delta=data["delta"], reason=data["reason"], note=data["note"],
            by=request.user,
        )  # fmt: skip
        adjustment = selectors.stock_adjustment_list(product_id=product.pk).get(pk=adjustment.pk)
        return Response(StockAdjustmentOutputSerializer(adjustment).data, status=status.HTTP_201_CREATED)


class StaffProductMediaDetailApi(StaffApi):
    required_permissions = {"PATCH": "catalog.change_product", "DELETE": "catalog.change_product"}

    @extend_schema_serializer(component_name="StaffProductMediaUpdateInput")
    class InputSerializer(serializers.Serializer):
        alt_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
        alt_text_km = serializers.CharField(max_length=200, required=False, allow_blank=True)
        sort_order = serializers.IntegerField(min_value=0, max_value=32767, required=False)
        is_primary = serializers.BooleanField(required=False)

    def _media(self, product_id, media_id):
        media = ProductMedia.objects.select_related("file").filter(product_id=product_id, pk=media_id).first()
        if media is None:
            raise ApplicationError(error_codes.MEDIA_NOT_FOUND, gettext("Image not found."))
        return media

    @raises(CatalogErrorCode.MEDIA_NOT_FOUND)
    @extend_schema(request=InputSerializer, responses=ImageSerializer)
    def patch(self, request, product_id, media_id):
        media = self._media(product_id, media_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        media = services.product_media_update(media=media, data=serializer.validated_data)
        return Response(output(ImageSerializer, media, request))

    @raises(CatalogErrorCode.MEDIA_NOT_FOUND)
    @extend_schema(responses={204: None})
    def delete(self, request, product_id, media_id):
        services.product_media_delete(media=self._media(product_id, media_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    name_km = serializers.CharField(max_length=120, required=False, allow_blank=True)
    slug = serializers.SlugField(max_length=140, required=False, allow_blank=True)
    parent = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    sort_order = serializers.IntegerField(required=False, min_value=0)
    is_active = serializers.BooleanField(required=False)
    meta_title = serializers.CharField(max_length=160, required=False, allow_blank=True)
    meta_description = serializers.CharField(max_length=320, required=False, allow_blank=True)


class StaffCategoryListCreateApi(StaffApi):
    required_permissions = {"GET": "catalog.view_category", "POST": "catalog.add_category"}
    pagination_class = PagePagination

    @raises()
    @extend_schema(responses=StaffCategoryOutputSerializer(many=True))
    def get(self, request):
        categories = Category.objects.select_related("image").order_by("parent_id", "sort_order", "name", "id")
        return paginated_response(
            self,
            request,
            categories,
            lambda page: StaffCategoryOutputSerializer(page, many=True, context={"request": request}).data,
        )

    @raises()
    @extend_schema(request=CategoryInputSerializer, responses={201: StaffCategoryOutputSerializer})
    def post(self, request):
        serializer = CategoryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        category = services.category_create(**serializer.validated_data)
        return Response(
            StaffCategoryOutputSerializer(category, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class StaffCategoryDetailApi(StaffApi):
    required_permissions = {"PATCH": "catalog.change_category", "DELETE": "catalog.delete_category"}

    @raises(CatalogErrorCode.CATEGORY_CYCLE, ApiErrorCode.NOT_FOUND)
    @extend_schema(request=CategoryInputSerializer, responses=StaffCategoryOutputSerializer)
    def patch(self, request, category_id):
        category = get_object_or_404(Category, pk=category_id)
        serializer = CategoryInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        category = services.category_update(category=category, data=serializer.validated_data)
        return Response(StaffCategoryOutputSerializer(category, context={"request": request}).data)

    @raises(ApiErrorCode.NOT_FOUND, CatalogErrorCode.CATEGORY_NOT_EMPTY)
    @extend_schema(responses={204: None})
    def delete(self, request, category_id):
        services.category_delete(category=get_object_or_404(Category, pk=category_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffCategoryReorderApi(StaffApi):
    required_permissions = {"POST": "catalog.change_category"}

    @extend_schema_serializer(component_name="StaffCategoryReorderInput")
    class InputSerializer(serializers.Serializer):
        parent = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), allow_null=True, default=None)
        ids = serializers.ListField(child=serializers.IntegerField(**ID), min_length=1, max_length=500)

    @raises(CatalogErrorCode.REORDER_MISMATCH)
    @extend_schema(request=InputSerializer, responses=StaffCategoryOutputSerializer(many=True))
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        categories = services.category_reorder(parent=data["parent"], ordered_ids=data["ids"])
        return Response(StaffCategoryOutputSerializer(categories, many=True, context={"request": request}).data)
