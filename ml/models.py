"""Relational side of the analytics app: the embedded analytics store's documents, the daily
roll-up tables of the seed (``order_analytics``, ``product_analytics``) and the ETL run log."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform

ZERO = Decimal("0.00")


class AnalyticsDocument(models.Model):
    """One document of ``RelationalAnalyticsStore`` (the default when MONGODB_URL is unset)."""

    collection = models.CharField(max_length=64)
    key = models.CharField(max_length=200, null=True, blank=True)
    doc = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # NULL keys are distinct on PostgreSQL and SQLite: unkeyed documents never clash.
            models.UniqueConstraint(fields=["collection", "key"], name="ml_doc_collection_key_uniq")
        ]
        indexes = [
            models.Index(fields=["collection", "created_at"], name="ml_doc_coll_created"),
            models.Index(fields=["expires_at"], condition=Q(expires_at__isnull=False), name="ml_doc_expires"),
            # A buyer's searches in the attribution window (``services._PurchaseSearches``, on every flush with a
            # purchase): without it each such flush reads every search of the retention window.
            models.Index(
                KeyTransform("user_id", "doc"),
                KeyTransform("timestamp", "doc"),
                condition=Q(collection="search_analytics"),
                name="ml_doc_search_user",
            ),
        ]

    def __str__(self):
        return f"{self.collection}:{self.key or self.pk}"


class OrderAnalytics(models.Model):
    """Seed 003 ``order_analytics``: one row per day (UTC), rebuilt by the daily roll-up."""

    date = models.DateField(unique=True)
    total_orders = models.PositiveIntegerField(default=0)
    total_revenue = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    average_order_value = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    new_customers = models.PositiveIntegerField(default=0)
    returning_customers = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        verbose_name_plural = "order analytics"

    def __str__(self):
        return f"orders {self.date}"


class ProductAnalytics(models.Model):
    """Seed 003 ``product_analytics``: one row per product and day with any view or order."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    views = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    conversion_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "product_id"]
        verbose_name_plural = "product analytics"
        constraints = [models.UniqueConstraint(fields=["product", "date"], name="ml_product_analytics_day_uniq")]
        indexes = [models.Index(fields=["date"], name="ml_product_analytics_date")]

    def __str__(self):
        return f"product {self.product_id} {self.date}"


class EtlRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class EtlRun(models.Model):
    """One run of an ETL job (task or management command), shown read-only in the admin."""

    job = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=EtlRunStatus.choices, default=EtlRunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"], name="ml_etlrun_job_started")]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class ModelKind(models.TextChoices):
    SENTIMENT = "sentiment", "Review sentiment (text → -1..1)"
    SATISFACTION = "satisfaction", "Predicted rating for a user and product"
    REPURCHASE = "repurchase", "Repurchase likelihood"


class TrainedModel(models.Model):
    """A fitted model, pickled by the code that trained it (only ever loaded from this table, which only
    the training services write). The newest row of a kind is the one served."""

    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    version = models.CharField(max_length=64)
    trained_at = models.DateTimeField()
    samples = models.PositiveIntegerField(help_text="Training rows")
    parameters = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True, help_text="Hold-out figures measured when trained")
    payload = models.BinaryField()

    class Meta:
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["kind", "-trained_at"], name="ml_trained_kind_newest")]

    def __str__(self):
        return f"{self.kind} {self.version}"


# --- Recommendations and routines ---------------------------------------------------------


class HiddenRecommendation(models.Model):
    """A product the shopper answered "not interested" to: never recommended to them again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="ml_hidden_rec_user_product_uniq")]

    def __str__(self):
        return f"user {self.user_id} hides product {self.product_id}"


class AvoidedIngredient(models.Model):
    """An ingredient on the shopper's profile they react to: products containing it are never
    recommended to them nor put in their routines."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ingredient = models.ForeignKey("catalog.Ingredient", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ingredient"], name="ml_avoided_ingredient_user_uniq")]

    def __str__(self):
        return f"user {self.user_id} avoids ingredient {self.ingredient_id}"


class IngredientFamily(models.Model):
    """A group of ingredients that act alike (retinoids, AHAs...). An ingredient belongs to the
    family when its name or INCI name contains one of the keywords (case-insensitive), so new
    products are covered without editing this table."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    keywords = models.JSONField(default=list, help_text='Lower-case parts of names: ["retinol", "retinal"]')

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "ingredient families"

    def __str__(self):
        return self.name


class InteractionSeverity(models.TextChoices):
    CAUTION = "caution", "Use with care"
    AVOID = "avoid", "Do not combine"


class IngredientInteraction(models.Model):
    """Two ingredient families that should not be layered in one routine. A family paired with
    itself means two different products of that family (e.g. two exfoliating acids)."""

    family_a = models.ForeignKey(IngredientFamily, on_delete=models.CASCADE, related_name="+")
    family_b = models.ForeignKey(IngredientFamily, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=10, choices=InteractionSeverity.choices, default=InteractionSeverity.CAUTION)
    explanation = models.TextField(help_text="What happens when they are combined.")
    advice = models.TextField(help_text="What to do instead (alternate mornings and evenings, drop one...).")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family_a__name", "family_b__name"]
        constraints = [
            models.UniqueConstraint(fields=["family_a", "family_b"], name="ml_ingredient_interaction_pair_uniq")
        ]

    def __str__(self):
        return f"{self.family_a} + {self.family_b}"
