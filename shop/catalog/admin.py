"""Catalog admin: filters, search, inline gallery with previews and variants, low-stock
filter, bulk actions and CSV import/export of products."""

import csv
import io
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from shop.accounts.models import SkinConcern
from shop.catalog import lock_objects, services
from shop.catalog.media import media_url
from shop.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductIngredient,
    ProductMedia,
    ProductSkinType,
    ProductStatus,
    ProductVariant,
    StockAdjustment,
    StockAdjustmentReason,
)
from shop.catalog.selectors import category_outline, stock_adjustment_list, stock_low, stock_ok, stock_out
from skincare.errors import ApplicationError

CSV_FIELDS = [
    "sku", "name", "name_km", "slug", "brand", "category", "product_type", "price", "compare_at_price",
    "cost_price", "stock_quantity", "status", "is_featured", "skin_types", "concerns", "ingredients",
    "short_description", "description",
]  # fmt: skip
CSV_MAX_BYTES = 5 * 1024 * 1024


def _thumbnail(file, size=60):
    url = media_url(file, size="thumbnail") if file else None
    if not url:
        return "—"
    return format_html('<img src="{}" style="height:{}px;border-radius:4px" alt="">', url, size)


class LowStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("low", "Low stock"), ("out", "Out of stock"), ("ok", "In stock")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return stock_low(queryset)
        if self.value() == "out":
            return stock_out(queryset)
        if self.value() == "ok":
            return stock_ok(queryset)
        return queryset


class ProductMediaInline(admin.TabularInline):
    model = ProductMedia
    extra = 0
    fields = ["preview", "file", "alt_text", "alt_text_km", "sort_order", "is_primary"]
    readonly_fields = ["preview"]
    raw_id_fields = ["file"]
    ordering = ["-is_primary", "sort_order"]

    @admin.display(description="preview")
    def preview(self, obj):
        return _thumbnail(obj.file) if obj.pk else "—"


class ProductVariantForm(forms.ModelForm):
    """A saved variant's stock is shown, not edited: it changes through "Adjust stock" (recorded).
    A new variant's opening stock is recorded as stock received when the product is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["stock_quantity"].disabled = True
            self.fields["stock_quantity"].help_text = "Change it with “Adjust stock” (a reason is recorded)."


class ProductVariantFormSet(forms.BaseInlineFormSet):
    user = None  # set by ProductVariantInline.get_formset: who records the opening stock

    def clean(self):
        """A new variant's opening stock: negative only for a product taking backorders (the
        variant's stock constraint), and within what one adjustment may move."""
        super().clean()
        for form in self.forms:
            if form.instance.pk is not None:
                continue
            stock = getattr(form, "cleaned_data", {}).get("stock_quantity")
            if stock is None or form.cleaned_data.get("DELETE"):
                continue
            if abs(stock) > services.MAX_STOCK_DELTA:
                form.add_error("stock_quantity", f"At most {services.MAX_STOCK_DELTA:,}.")
            elif stock < 0 and not self.instance.allow_backorders:
                form.add_error("stock_quantity", "Stock cannot be negative unless the product takes backorders.")

    def save_new(self, form, commit=True):
        """The variant is created empty, then its opening stock goes through ``stock_adjust``."""
        form.instance.allow_backorders = self.instance.allow_backorders
        opening = form.instance.stock_quantity or 0
        form.instance.stock_quantity = 0
        variant = super().save_new(form, commit=commit)
        if commit and opening:
            services.stock_adjust(
                product=self.instance, variant=variant, delta=opening, reason=StockAdjustmentReason.RECEIVED,
                note="Opening stock of a new variant", by=self.user,
            )  # fmt: skip
            variant.refresh_from_db(fields=["stock_quantity"])
        return variant

    def save_existing(self, form, obj, commit=True):
        obj.allow_backorders = self.instance.allow_backorders
        return super().save_existing(form, obj, commit=commit)


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    form = ProductVariantForm
    formset = ProductVariantFormSet
    extra = 0
    fields = [
        "kind", "name", "sku", "price", "compare_at_price", "stock_quantity", "adjust_stock", "sort_order", "is_active",
    ]  # fmt: skip
    readonly_fields = ["adjust_stock"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    @admin.display(description="Stock change")
    def adjust_stock(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:catalog_product_adjust_stock", args=[obj.product_id]) + f"?variant={obj.pk}"
        return format_html('<a href="{}">Adjust stock of {}</a>', url, obj.name)


class ProductIngredientInline(admin.TabularInline):
    model = ProductIngredient
    extra = 1
    autocomplete_fields = ["ingredient"]
    fields = ["ingredient", "concentration", "sort_order"]


class TagListField(forms.CharField):
    """A JSON list of short phrases typed as "one, two, three" (duplicates and blanks dropped)."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        items = [part.strip() for part in text.replace("\n", ",").split(",")]
        return list(dict.fromkeys(item for item in items if item))


def _checkboxes(choices, label, help_text=""):
    return forms.MultipleChoiceField(
        choices=choices, required=False, widget=forms.CheckboxSelectMultiple, label=label, help_text=help_text
    )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class PhotoUploadForm(forms.Form):
    files = MultipleImageField(label="Photos", help_text="Up to 10 images (JPEG, PNG or WebP).")
    alt_text = forms.CharField(max_length=200, required=False, label="Alt text (English)")
    alt_text_km = forms.CharField(max_length=200, required=False, label="Alt text (Khmer)")

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > 10:
            raise forms.ValidationError("At most 10 photos at a time.")
        return files


class ProductAdminForm(forms.ModelForm):
    """Skin types, concerns and key benefits as checkboxes and tags instead of raw JSON."""

    skin_types = _checkboxes(ProductSkinType.choices, "Skin types", '"All skin types" suits everyone.')
    concerns = _checkboxes(SkinConcern.choices, "Concerns")
    key_benefits = TagListField(required=False, label="Key benefits", help_text="Separate with commas.")

    class Meta:
        model = Product
        fields = ["skin_types", "concerns", "key_benefits"]  # the admin's fieldsets list the rest


class IngredientAdminForm(forms.ModelForm):
    concerns = _checkboxes(SkinConcern.choices, "Concerns it targets")
    benefits = TagListField(required=False, help_text="Separate with commas, e.g. brightening, oil control.")

    class Meta:
        model = Ingredient
        fields = ["name", "name_km", "slug", "inci_name", "description", "benefits", "concerns"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = [
        "thumbnail", "name", "sku", "brand", "category", "price", "stock_quantity", "status", "is_featured",
        "rating_avg", "sales_count",
    ]  # fmt: skip
    list_display_links = ["thumbnail", "name"]
    list_editable = ["price", "is_featured"]  # stock changes go through "Adjust stock" (recorded)
    list_filter = [
        "status", "is_featured", LowStockFilter, "product_type", "brand", "category",
        "suitable_for_sensitive_skin", "cruelty_free", "dermatologist_tested",
    ]  # fmt: skip
    list_select_related = ["brand", "category"]
    list_per_page = 50
    search_fields = ["name", "name_km", "sku", "barcode", "brand__name", "search_document"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["brand", "category"]
    date_hierarchy = "published_at"
    readonly_fields = ["rating_avg", "review_count", "sales_count", "view_count", "created_at", "updated_at"]
    inlines = [ProductMediaInline, ProductVariantInline, ProductIngredientInline]
    actions = ["make_active", "make_draft", "archive", "feature", "unfeature", "export_csv"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "name_km"), "slug", "brand", "category", "product_type", ("size_amount", "size_unit"),
                    "status", "is_featured",
                ]  # fmt: skip
            },
        ),
        ("Copy (English | Khmer)", {"fields": [
            "short_description", ("description", "description_km"), "key_benefits",
        ]}),
        ("Usage", {"fields": [("how_to_use", "how_to_use_km"), "usage_time", "attributes"]}),
        ("Suitability", {"fields": [
            "skin_types", "concerns", "full_ingredients", "suitable_for_sensitive_skin", "dermatologist_tested",
            "cruelty_free",
        ]}),
        ("Price", {"fields": ["price", "compare_at_price", "cost_price"]}),
        ("Inventory", {"fields": [
            "sku", "barcode", "stock_quantity", "low_stock_threshold", "track_inventory", "allow_backorders",
            "weight_grams", "length_mm", "width_mm", "height_mm",
        ]}),
        ("SEO and publishing", {"fields": ["meta_title", "meta_description", "published_at"]}),
        ("Counters", {"classes": ["collapse"], "fields": [
            "rating_avg", "review_count", "sales_count", "view_count", "created_at", "updated_at",
        ]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("media__file")

    def get_readonly_fields(self, request, obj=None):
        """A product's stock is set when it is created, then changed only by recorded adjustments."""
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "stock_quantity"] if obj is not None else fields

    @admin.display(description="")
    def thumbnail(self, obj):
        primary = next((m for m in obj.media.all() if m.is_primary), None)
        return _thumbnail(primary.file if primary else None, size=40)

    def save_model(self, request, obj, form, change):
        services.product_save(product=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.product_variants_saved(product=form.instance)
        services.product_refresh_search_documents(product_ids=[form.instance.pk])

    def _bulk(self, request, queryset, message, **changes):
        products = services.products_bulk_update(product_ids=list(queryset.values_list("pk", flat=True)), **changes)
        self.message_user(request, f"{len(products)} product(s) {message}.", messages.SUCCESS)

    @admin.action(description="Publish (status active)", permissions=["change"])
    def make_active(self, request, queryset):
        self._bulk(request, queryset, "published", status=ProductStatus.ACTIVE)

    @admin.action(description="Move to draft", permissions=["change"])
    def make_draft(self, request, queryset):
        self._bulk(request, queryset, "moved to draft", status=ProductStatus.DRAFT)

    @admin.action(description="Archive", permissions=["change"])
    def archive(self, request, queryset):
        self._bulk(request, queryset, "archived", status=ProductStatus.ARCHIVED)

    @admin.action(description="Feature", permissions=["change"])
    def feature(self, request, queryset):
        self._bulk(request, queryset, "featured", is_featured=True)

    @admin.action(description="Stop featuring", permissions=["change"])
    def unfeature(self, request, queryset):
        self._bulk(request, queryset, "no longer featured", is_featured=False)

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return products_csv_response(queryset)

    def get_urls(self):
        return [
            path("import-csv/", self.admin_site.admin_view(self.import_csv), name="catalog_product_import_csv"),
            path("export-csv/", self.admin_site.admin_view(self.export_all_csv), name="catalog_product_export_csv"),
            path(
                "<path:object_id>/stock/",
                self.admin_site.admin_view(self.adjust_stock),
                name="catalog_product_adjust_stock",
            ),
            path(
                "<path:object_id>/photos/",
                self.admin_site.admin_view(self.upload_photos),
                name="catalog_product_upload_photos",
            ),
            *super().get_urls(),
        ]

    def upload_photos(self, request, object_id):
        """Photos through the uploaded-files registry (validated, re-encoded, thumbnails), then
        added to the gallery by the catalog service; order and primary are set in the gallery inline."""
        product = get_object_or_404(Product, pk=object_id) if str(object_id).isdigit() else None
        if product is None:
            raise Http404
        if not self.has_change_permission(request, product):
            raise PermissionDenied
        form = PhotoUploadForm(request.POST or None, request.FILES or None)
        change_url = reverse("admin:catalog_product_change", args=[product.pk])
        if request.method == "POST" and form.is_valid():
            try:
                created = services.product_media_upload(
                    product=product,
                    uploads=form.cleaned_data["files"],
                    owner=request.user,
                    alt_text=form.cleaned_data["alt_text"],
                    alt_text_km=form.cleaned_data["alt_text_km"],
                )
            except ApplicationError as exc:
                form.add_error("files", exc.message)
            else:
                skipped = len(form.cleaned_data["files"]) - len(created)
                if created:
                    self.message_user(request, f"{len(created)} photo(s) added to {product.name}.", messages.SUCCESS)
                if skipped:
                    self.message_user(
                        request, f"{skipped} photo(s) already in the gallery, not added again.", messages.WARNING
                    )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": f"Add photos: {product.name}",
            "opts": self.model._meta,
            "original": product,
            "change_url": change_url,
        }
        return render(request, "admin/catalog/product/upload_photos.html", context)

    def adjust_stock(self, request, object_id):
        """Add or remove stock with a reason, through ``services.stock_adjust`` (locked, recorded);
        the product's last adjustments are listed under the form."""
        product = get_object_or_404(Product, pk=object_id) if str(object_id).isdigit() else None
        if product is None:
            raise Http404
        if not request.user.has_perm("catalog.add_stockadjustment"):
            raise PermissionDenied
        initial = {"variant": request.GET["variant"]} if request.GET.get("variant", "").isdigit() else None
        form = StockAdjustmentForm(request.POST or None, product=product, initial=initial)
        change_url = reverse("admin:catalog_product_change", args=[product.pk])
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                adjustment = services.stock_adjust(
                    product=product, variant=data["variant"], delta=data["delta"], reason=data["reason"],
                    note=data["note"], by=request.user,
                )  # fmt: skip
            except ApplicationError as exc:
                for field, errors in (exc.errors or {}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                target = f"{product.name} – {adjustment.variant.name}" if adjustment.variant else product.name
                self.message_user(
                    request,
                    f"Stock of {target}: {adjustment.quantity_before} → {adjustment.quantity_after} "
                    f"({adjustment.delta:+d}, {adjustment.get_reason_display()}).",
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": f"Adjust stock: {product.name}",
            "opts": self.model._meta,
            "original": product,
            "change_url": change_url,
            "variants": list(product.variants.order_by("sort_order", "pk")),
            "history": list(stock_adjustment_list(product_id=product.pk)[:20]),
            "history_url": reverse("admin:catalog_stockadjustment_changelist") + f"?product__id__exact={product.pk}",
        }
        return render(request, "admin/catalog/product/adjust_stock.html", context)

    def export_all_csv(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return products_csv_response(self.get_queryset(request))

    def import_csv(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = CsvImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                created, updated, adjusted = products_import_csv(form.cleaned_data["file"], by=request.user)
            except ValidationError as exc:
                for error in exc.messages[:20]:
                    messages.error(request, error)
            else:
                messages.success(
                    request,
                    f"Imported: {created} created, {updated} updated; stock changed for {adjusted} product(s), "
                    "each recorded as a stock adjustment (reason: import).",
                )
                return redirect(reverse("admin:catalog_product_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": "Import products from CSV"}
        context["opts"] = self.model._meta
        context["fields"] = CSV_FIELDS
        return render(request, "admin/catalog/product/import_csv.html", context)


class StockAdjustmentForm(forms.Form):
    variant = forms.ModelChoiceField(
        queryset=ProductVariant.objects.none(),
        required=False,
        empty_label="The product itself",
        help_text="Leave on the product itself for a product without variants.",
    )
    delta = forms.IntegerField(
        label="Change",
        min_value=-services.MAX_STOCK_DELTA,
        max_value=services.MAX_STOCK_DELTA,
        help_text="Units to add (for example 24) or remove (for example -3).",
    )
    reason = forms.ChoiceField(  # "import" is the CSV import's own reason
        choices=[c for c in StockAdjustmentReason.choices if c[0] != StockAdjustmentReason.IMPORT]
    )
    note = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text='Required for "Other".'
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = ProductVariant.objects.filter(product=product).order_by("sort_order", "pk")
        if not product.variants.exists():
            del self.fields["variant"]

    def clean(self):
        data = super().clean()
        data.setdefault("variant", None)
        return data


class CsvImportForm(forms.Form):
    file = forms.FileField(help_text=f"UTF-8 CSV with the columns {', '.join(CSV_FIELDS)}; rows match on SKU.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError("The file is larger than 5 MB.")
        return upload


def _list_cell(values):
    return "|".join(values)


def products_csv_response(queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="products.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_FIELDS)
    queryset = queryset.select_related("brand", "category").prefetch_related("product_ingredients__ingredient")
    for p in queryset.order_by("pk").iterator(chunk_size=1000):
        ingredients = [pi.ingredient.slug for pi in p.product_ingredients.all()]
        writer.writerow(
            [
                p.sku, p.name, p.name_km, p.slug, p.brand.slug, p.category.slug, p.product_type, p.price,
                p.compare_at_price or "", p.cost_price or "", p.stock_quantity, p.status, int(p.is_featured),
                _list_cell(p.skin_types), _list_cell(p.concerns), _list_cell(ingredients),
                p.short_description, p.description,
            ]
        )  # fmt: skip
    return response


def _decimal(value, field, row_no, *, required=False):
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError(f"Row {row_no}: {field} is required.")
        return None
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValidationError(f"Row {row_no}: {field} {value!r} is not a number.") from exc


@transaction.atomic
def products_import_csv(upload, *, by):
    """Create or update products by SKU. All rows or none; errors name the row. Stock is never
    written with the product: a changed ``stock_quantity`` is one ``stock_set`` (a recorded
    adjustment, reason "import"), none when unchanged. Returns (created, updated, stock changed)."""
    text = io.TextIOWrapper(upload.file if hasattr(upload, "file") else upload, encoding="utf-8-sig")
    reader = csv.DictReader(text)
    missing = {"sku", "name", "brand", "category", "product_type", "price"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(f"Missing column(s): {', '.join(sorted(missing))}.")
    brands = {b.slug: b for b in Brand.objects.all()}
    categories = {c.slug: c for c in Category.objects.all()}
    ingredients = {i.slug: i for i in Ingredient.objects.all()}
    created = updated = adjusted = 0
    errors = []
    for row_no, row in enumerate(reader, start=2):
        try:
            sku = row["sku"].strip()
            brand = brands.get((row.get("brand") or "").strip())
            category = categories.get((row.get("category") or "").strip())
            if brand is None or category is None:
                raise ValidationError(f"Row {row_no}: unknown brand or category.")
            unknown = [s for s in (row.get("ingredients") or "").split("|") if s and s not in ingredients]
            if unknown:
                raise ValidationError(f"Row {row_no}: unknown ingredient(s) {', '.join(unknown)}.")
            data = {
                "name": row["name"].strip(),
                "brand": brand,
                "category": category,
                "product_type": row["product_type"].strip(),
                "price": _decimal(row.get("price"), "price", row_no, required=True),
                "compare_at_price": _decimal(row.get("compare_at_price"), "compare_at_price", row_no),
                "cost_price": _decimal(row.get("cost_price"), "cost_price", row_no),
                "skin_types": [s for s in (row.get("skin_types") or "").split("|") if s],
                "concerns": [s for s in (row.get("concerns") or "").split("|") if s],
            }
            for field in ("name_km", "short_description", "description", "slug"):
                if row.get(field):
                    data[field] = row[field].strip()
            stock = int(row["stock_quantity"]) if (row.get("stock_quantity") or "").strip() else None
            if row.get("status"):
                data["status"] = row["status"].strip()
            if row.get("is_featured") not in (None, ""):
                data["is_featured"] = row["is_featured"].strip().lower() in ("1", "true", "yes")
            product_ingredients = [ingredients[s] for s in (row.get("ingredients") or "").split("|") if s]
            with transaction.atomic():
                product = lock_objects.product_lock_by_sku(sku=sku)
                if product is None:
                    product = services.product_create(sku=sku, ingredients=product_ingredients, **data)
                    created += 1
                else:
                    services.product_update(product=product, data=data, ingredients=product_ingredients)
                    updated += 1
                if stock is not None:
                    adjustment = services.stock_set(
                        product=product, quantity=stock, reason=StockAdjustmentReason.IMPORT,
                        note=f"CSV import, row {row_no}", by=by,
                    )  # fmt: skip
                    adjusted += adjustment is not None
        except ValidationError as exc:
            errors += [m if m.startswith("Row ") else f"Row {row_no}: {m}" for m in _messages(exc)]
        except ApplicationError as exc:
            details = [m for items in (exc.errors or {}).values() for m in items]
            errors.append(f"Row {row_no}: {exc.message} {' '.join(details)}".strip())
        except (ValueError, KeyError) as exc:
            errors.append(f"Row {row_no}: {exc}")
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    return created, updated, adjusted


def _messages(exc):
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" for field, items in exc.message_dict.items() for m in items]
    return exc.messages


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "name", "name_km", "slug", "parent", "description", "image", "banner", "sort_order", "is_active",
            "meta_title", "meta_description",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "parent" in self.changed_data:
            try:
                services.category_parent_check(category=self.instance, parent=cleaned.get("parent"))
            except ApplicationError as exc:
                self.add_error("parent", exc.message)
        return cleaned


class CategoryTreeChangeList(ChangeList):
    """Depth-first tree order unless a column header asks for another."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params or "tree_position" not in queryset.query.annotations:
            return super().get_ordering(request, queryset)
        return ["tree_position", "pk"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The changelist reads as the tree: depth-first, each name indented under its parent."""

    form = CategoryAdminForm
    list_display = ["tree_name", "parent", "slug", "sort_order", "is_active", "product_count"]
    list_display_links = ["tree_name"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name", "name_km", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["image", "banner"]
    ordering = ["parent__sort_order", "parent_id", "sort_order", "name"]

    def get_queryset(self, request):
        from django.db.models import Count

        match = request.resolver_match
        if match is None or match.url_name != "catalog_category_changelist":
            return super().get_queryset(request).select_related("parent").annotate(n_products=Count("products"))
        # The changelist orders by the annotation below (get_ordering), so it is built here unordered.
        queryset = self.model._default_manager.select_related("parent").annotate(n_products=Count("products"))
        outline = category_outline()
        if not outline:
            return queryset
        position = Case(*(When(pk=pk, then=Value(n)) for n, (pk, _) in enumerate(outline)), default=Value(0))
        depth = Case(*(When(pk=pk, then=Value(d)) for pk, d in outline), default=Value(0))
        return queryset.annotate(tree_position=position, tree_depth=depth)

    def get_changelist(self, request, **kwargs):
        return CategoryTreeChangeList

    @admin.display(description="name", ordering="tree_position")
    def tree_name(self, obj):
        depth = getattr(obj, "tree_depth", 0)
        return format_html(
            '<span class="tree-depth-{}" style="padding-left:{}em">{}{}</span>',
            depth,
            depth * 1.5,
            "└ " if depth else "",
            obj.name,
        )

    @admin.display(description="products", ordering="n_products")
    def product_count(self, obj):
        return obj.n_products

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Through the service: the same locked cycle check as the staff API, and the caches follow.
        fields = [name for name in form.changed_data if name in services.CATEGORY_FIELDS]
        services.category_update(category=obj, data={name: form.cleaned_data[name] for name in fields})


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["logo"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            services.product_refresh_search_documents(product_ids=obj.products.values_list("pk", flat=True))


@admin.register(Ingredient)
class IngredientAdmin(admin.ModelAdmin):
    form = IngredientAdminForm
    list_display = ["name", "inci_name", "name_km"]
    search_fields = ["name", "inci_name", "name_km"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(admin.ModelAdmin):
    """The stock history: read-only here, adjustments are made from the product ("Adjust stock")."""

    list_display = [
        "created_at", "product", "variant", "delta", "quantity_before", "quantity_after", "reason", "note",
        "created_by",
    ]  # fmt: skip
    list_filter = ["reason", "created_at"]
    list_select_related = ["product", "variant__product", "created_by"]
    search_fields = ["product__name", "product__sku", "note"]
    date_hierarchy = "created_at"
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
