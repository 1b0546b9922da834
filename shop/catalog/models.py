"""Catalog: category tree, brands, ingredients, products, variants and product media.

Money is ``Decimal`` (2 places) in the shop currency (``settings.CURRENCY``). Counters
(rating, reviews, sales, views) are denormalised and only changed by the services in
``shop.catalog.services``. On PostgreSQL the migrations add a generated ``search_vector``
column, GIN and trigram indexes that the model does not declare (see ``search.py``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shop.accounts.models import SkinConcern, SkinType


def shop_currency():
    return getattr(settings, "CURRENCY", "USD")


class ProductSkinType(models.TextChoices):
    """The account skin types plus ``all`` for products that suit everyone."""

    ALL = "all", "All skin types"
    OILY = SkinType.OILY.value, SkinType.OILY.label
    DRY = SkinType.DRY.value, SkinType.DRY.label
    COMBINATION = SkinType.COMBINATION.value, SkinType.COMBINATION.label
    SENSITIVE = SkinType.SENSITIVE.value, SkinType.SENSITIVE.label
    NORMAL = SkinType.NORMAL.value, SkinType.NORMAL.label
    ACNE = SkinType.ACNE.value, SkinType.ACNE.label


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class ProductType(models.TextChoices):
    CLEANSER = "cleanser", "Cleanser"
    TONER = "toner", "Toner"
    ESSENCE = "essence", "Essence"
    SERUM = "serum", "Serum"
    MOISTURIZER = "moisturizer", "Moisturiser"
    SUNSCREEN = "sunscreen", "Sunscreen"
    EXFOLIANT = "exfoliant", "Exfoliant"
    TREATMENT = "treatment", "Spot treatment"
    MASK = "mask", "Mask"
    EYE_CARE = "eye_care", "Eye care"
    FACE_OIL = "face_oil", "Face oil"
    MIST = "mist", "Mist"
    LIP_CARE = "lip_care", "Lip care"
    SUBSCRIPTION = "subscription", "Premium subscription"  # buys premium when its order is paid


class UsageTime(models.TextChoices):
    AM = "am", "Morning"
    PM = "pm", "Evening"
    AM_PM = "am_pm", "Morning and evening"
    WEEKLY = "weekly", "Once or twice a week"


class VariantKind(models.TextChoices):
    SIZE = "size", "Size"
    SHADE = "shade", "Shade"


SKIN_TYPE_VALUES = frozenset(ProductSkinType.values)
CONCERN_VALUES = frozenset(SkinConcern.values)


class Category(models.Model):
    """A node of the category tree (``parent`` is null for top-level categories)."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=120)
    name_km = models.CharField("name (Khmer)", max_length=120, blank=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    image = models.ForeignKey("files.UploadedFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    banner = models.ForeignKey("files.UploadedFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sort_order = models.PositiveIntegerField(default=0, db_index=True)
    is_active = models.BooleanField(default=True)
    meta_title = models.CharField(max_length=160, blank=True)
    meta_description = models.CharField(max_length=320, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="catalog_category_not_own_parent"),
        ]
        indexes = [models.Index(fields=["parent", "sort_order"])]

    def __str__(self):
        return self.name


class Brand(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    country = models.CharField(max_length=60, blank=True)
    website = models.URLField(blank=True)
    logo = models.ForeignKey("files.UploadedFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ingredient(models.Model):
    """A skincare ingredient (``slug`` is what ``?ingredient=`` filters on)."""

    name = models.CharField(max_length=120, unique=True)
    name_km = models.CharField("name (Khmer)", max_length=120, blank=True)
    slug = models.SlugField(max_length=140, unique=True)
    inci_name = models.CharField("INCI name", max_length=255, blank=True)
    description = models.TextField(blank=True)
    benefits = models.JSONField(default=list, blank=True, help_text='["brightening", "oil control"]')
    concerns = models.JSONField(default=list, blank=True, help_text="Skin concerns this ingredient targets")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


SIZE_UNITS = [("ml", "ml"), ("g", "g")]


class Product(models.Model):
    # Identity
    name = models.CharField(max_length=200)
    name_km = models.CharField("name (Khmer)", max_length=200, blank=True)
    slug = models.SlugField(max_length=220, unique=True)
    sku = models.CharField("SKU", max_length=64, unique=True)
    barcode = models.CharField(max_length=64, blank=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    product_type = models.CharField(max_length=20, choices=ProductType.choices)
    # The amount in one unit, for replenishment reminders (how long it lasts; shop.orders.replenishment).
    size_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    size_unit = models.CharField(max_length=2, choices=SIZE_UNITS, blank=True)

    # Copy
    short_description = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    description_km = models.TextField("description (Khmer)", blank=True)
    key_benefits = models.JSONField(default=list, blank=True)
    how_to_use = models.TextField(blank=True)
    how_to_use_km = models.TextField("how to use (Khmer)", blank=True)
    usage_time = models.CharField("when to use", max_length=10, choices=UsageTime.choices, blank=True)
    attributes = models.JSONField(
        default=dict, blank=True, help_text='Free-form: {"texture": "gel", "volume": "30 ml"}'
    )

    # Price and stock
    price = models.DecimalField(max_digits=10, decimal_places=2)
    compare_at_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    cost_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    stock_quantity = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=5)
    track_inventory = models.BooleanField(default=True)
    allow_backorders = models.BooleanField(default=False)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)

    # Suitability
    skin_types = models.JSONField(default=list, blank=True, help_text='["oily", "acne"] or ["all"]')
    concerns = models.JSONField(default=list, blank=True, help_text='["acne", "pores"]')
    ingredients = models.ManyToManyField(Ingredient, through="ProductIngredient", related_name="products", blank=True)
    full_ingredients = models.TextField("full INCI list", blank=True)
    suitable_for_sensitive_skin = models.BooleanField(default=False)
    dermatologist_tested = models.BooleanField(default=False)
    cruelty_free = models.BooleanField(default=False)

    # Publishing
    status = models.CharField(max_length=10, choices=ProductStatus.choices, default=ProductStatus.DRAFT)
    is_featured = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    meta_title = models.CharField(max_length=160, blank=True)
    meta_description = models.CharField(max_length=320, blank=True)

    # Denormalised counters; see services.product_record_* / product_set_rating.
    rating_avg = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(5)],
    )
    review_count = models.PositiveIntegerField(default=0)
    sales_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)

    # Words the full-text search weighs with the names: brand, ingredients, INCI, type.
    # Kept by services.product_refresh_search_documents(); not edited by hand.
    search_document = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0),
                name="catalog_product_price_gt_0",
                violation_error_message="The price must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=models.F("price")),
                name="catalog_product_compare_at_gte_price",
                violation_error_message="The compare-at price must be at least the price.",
            ),
            models.CheckConstraint(
                condition=Q(cost_price__isnull=True) | Q(cost_price__gte=0), name="catalog_product_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(rating_avg__gte=0) & Q(rating_avg__lte=5), name="catalog_product_rating_0_5"
            ),
            models.CheckConstraint(
                condition=Q(stock_quantity__gte=0) | Q(allow_backorders=True),
                name="catalog_product_stock_gte_0_unless_backorders",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(published_at__isnull=False),
                name="catalog_product_active_has_published_at",
            ),
            models.UniqueConstraint(fields=["barcode"], condition=~Q(barcode=""), name="catalog_product_barcode_uniq"),
        ]
        # Partial indexes for the shopper list: only active products are ever listed. None holds ``stock_quantity``
        # or ``sales_count``: every checkout writes both, and an indexed column makes that UPDATE write an entry in
        # every index of the row (no HOT update); migration 0009 says why the list does not need them.
        indexes = [
            models.Index(
                fields=["-published_at", "-id"], condition=Q(status="active"), name="catalog_prod_active_newest"
            ),
            models.Index(fields=["price", "id"], condition=Q(status="active"), name="catalog_prod_active_price"),
            models.Index(
                fields=["-rating_avg", "-review_count"], condition=Q(status="active"), name="catalog_prod_active_rating"
            ),
            models.Index(
                fields=["category", "-published_at"], condition=Q(status="active"), name="catalog_prod_active_cat"
            ),
            models.Index(
                fields=["brand", "-published_at"], condition=Q(status="active"), name="catalog_prod_active_brand"
            ),
            models.Index(
                fields=["-published_at"], condition=Q(status="active", is_featured=True), name="catalog_prod_featured"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        bad_skin = set(self.skin_types or []) - SKIN_TYPE_VALUES
        bad_concerns = set(self.concerns or []) - CONCERN_VALUES
        if not isinstance(self.skin_types, list) or bad_skin:
            errors["skin_types"] = [f"Expected a list of: {', '.join(sorted(SKIN_TYPE_VALUES))}."]
        if not isinstance(self.concerns, list) or bad_concerns:
            errors["concerns"] = [f"Expected a list of: {', '.join(sorted(CONCERN_VALUES))}."]
        if self.status == ProductStatus.ACTIVE and self.published_at is None:
            self.published_at = timezone.now()
        if errors:
            raise ValidationError(errors)

    @property
    def currency(self):
        return shop_currency()

    @property
    def is_visible(self):
        return self.status == ProductStatus.ACTIVE

    @property
    def in_stock(self):
        return not self.track_inventory or self.allow_backorders or self.stock_quantity > 0

    @property
    def is_low_stock(self):
        return self.track_inventory and self.stock_quantity <= self.low_stock_threshold

    @property
    def discount_percent(self):
        if self.compare_at_price and self.compare_at_price > self.price:
            return int((1 - self.price / self.compare_at_price) * 100)
        return 0


class ProductIngredient(models.Model):
    """A key ingredient of a product, with an optional strength ("10%") and display order."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="product_ingredients")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="product_ingredients")
    concentration = models.CharField(max_length=30, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "ingredient"], name="catalog_product_ingredient_uniq"),
        ]
        indexes = [models.Index(fields=["ingredient", "product"])]

    def __str__(self):
        return f"{self.ingredient} {self.concentration}".strip()


class ProductVariant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    kind = models.CharField(max_length=10, choices=VariantKind.choices, default=VariantKind.SIZE)
    name = models.CharField(max_length=80, help_text='"30 ml" or "Light 01"')
    sku = models.CharField("SKU", max_length=64, unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    compare_at_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    stock_quantity = models.IntegerField(default=0)
    # A copy of the product's flag (a CHECK cannot read another table), kept equal by the catalog
    # services: the stock constraint below holds unless the product takes backorders.
    allow_backorders = models.BooleanField(default=False, editable=False)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="catalog_variant_price_gt_0"),
            models.CheckConstraint(
                condition=Q(stock_quantity__gte=0) | Q(allow_backorders=True),
                name="catalog_variant_stock_gte_0_unless_backorders",
                violation_error_message="Stock cannot be negative unless the product takes backorders.",
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=models.F("price")),
                name="catalog_variant_compare_at_gte_price",
            ),
        ]

    def __str__(self):
        return f"{self.product} – {self.name}"


class ProductMedia(models.Model):
    """A gallery entry: an uploaded file (context "product") attached to a product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="media")
    file = models.ForeignKey("files.UploadedFile", on_delete=models.PROTECT, related_name="+")
    alt_text = models.CharField(max_length=200, blank=True)
    alt_text_km = models.CharField("alt text (Khmer)", max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "sort_order", "id"]
        verbose_name_plural = "product media"
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_primary=True), name="catalog_media_one_primary_per_product"
            ),
            models.UniqueConstraint(fields=["product", "file"], name="catalog_media_file_once_per_product"),
        ]

    def __str__(self):
        return self.alt_text or f"media {self.pk}"


class StockAdjustmentReason(models.TextChoices):
    RECEIVED = "received", "Stock received"
    COUNT = "count", "Stock count correction"
    RETURNED = "returned", "Customer return put back"
    DAMAGED = "damaged", "Damaged"
    EXPIRED = "expired", "Expired"
    LOST = "lost", "Lost or stolen"
    IMPORT = "import", "Product import (CSV)"
    OTHER = "other", "Other (see note)"


class StockAdjustment(models.Model):
    """One manual stock change (not a sale or a restock by an order): who, when, how much and why.

    Written only by ``services.stock_adjust`` under the stock row's lock, so ``quantity_before`` /
    ``quantity_after`` are the row's exact values around this change."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_adjustments")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, null=True, blank=True, related_name="stock_adjustments"
    )
    delta = models.IntegerField()
    quantity_before = models.IntegerField()
    quantity_after = models.IntegerField()
    reason = models.CharField(max_length=20, choices=StockAdjustmentReason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="catalog_stockadj_product")]
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="catalog_stockadj_delta_not_0"),
            models.CheckConstraint(
                condition=Q(quantity_after=models.F("quantity_before") + models.F("delta")),
                name="catalog_stockadj_after_is_before_plus_delta",
            ),
        ]

    def __str__(self):
        return f"{self.delta:+d} {self.get_reason_display()}"
