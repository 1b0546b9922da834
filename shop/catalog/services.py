"""Catalog writes. Keyword-only; every write that changes what shoppers see invalidates
the cached payloads (``shop.catalog.cache``) after commit."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Max, Prefetch, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from shop.accounts.models import SkinConcern
from shop.catalog import cache as catalog_cache
from shop.catalog import error_codes, lock_objects
from shop.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductIngredient,
    ProductMedia,
    ProductSkinType,
    ProductStatus,
    ProductType,
    ProductVariant,
    StockAdjustment,
    StockAdjustmentReason,
)
from shop.catalog.views_counter import product_view_count
from skincare import events
from skincare.api.error_codes import ApiErrorCode
from skincare.errors import ApplicationError

PRODUCT_FIELDS = frozenset(
    {
        "name", "name_km", "slug", "sku", "barcode", "brand", "category", "product_type", "short_description",
        "description", "description_km", "key_benefits", "how_to_use", "how_to_use_km", "usage_time", "attributes",
        "price", "compare_at_price", "cost_price", "stock_quantity", "low_stock_threshold", "track_inventory",
        "allow_backorders", "weight_grams", "length_mm", "width_mm", "height_mm", "skin_types", "concerns",
        "full_ingredients", "suitable_for_sensitive_skin", "dermatologist_tested", "cruelty_free", "status",
        "is_featured", "published_at", "meta_title", "meta_description",
    }
)  # fmt: skip
CATEGORY_FIELDS = frozenset(
    {
        "name", "name_km", "slug", "parent", "description", "image", "banner", "sort_order", "is_active",
        "meta_title", "meta_description",
    }
)  # fmt: skip
CENT = Decimal("0.01")
MAX_BULK = 500


def unique_slug(model, text, *, exclude_pk=None, max_length=200):
    base = slugify(text)[: max_length - 8] or "item"
    slug, n = base, 2
    queryset = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while queryset.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- Search document ----------------------------------------------------------


def build_search_document(product, ingredients):
    """Brand, ingredient names (English, Khmer, INCI), type, skin types and concern labels."""
    concern_labels = dict(SkinConcern.choices)
    skin_labels = dict(ProductSkinType.choices)
    parts = [product.brand.name, ProductType(product.product_type).label if product.product_type else ""]
    for ingredient in ingredients:
        parts += [ingredient.name, ingredient.name_km, ingredient.inci_name]
    parts += [str(concern_labels.get(c, c)) for c in product.concerns or []]
    parts += [str(skin_labels.get(s, s)) for s in product.skin_types or []]
    return " ".join(part for part in parts if part)


def product_refresh_search_documents(*, product_ids):
    """Recompute ``search_document`` (the generated ``search_vector`` follows on PostgreSQL)."""
    products = list(
        Product.objects.filter(pk__in=list(product_ids))
        .select_related("brand")
        .prefetch_related(
            Prefetch("product_ingredients", queryset=ProductIngredient.objects.select_related("ingredient"))
        )
    )
    changed = []
    for product in products:
        document = build_search_document(product, [pi.ingredient for pi in product.product_ingredients.all()])
        if document != product.search_document:
            product.search_document = document
            changed.append(product)
    Product.objects.bulk_update(changed, ["search_document"], batch_size=500)
    return len(changed)


# --- Categories -------------------------------------------------------------


def category_parent_check(*, category, parent):
    """Refuse a parent that is the category itself or one of its descendants: the branch would leave
    the tree (a loop nobody can reach from the top). Reads the tree as stored, so it ends even on bad data."""
    if parent is None or category.pk is None:
        return
    parent_of = dict(Category.objects.values_list("pk", "parent_id"))
    current, seen = parent.pk, set()
    while current is not None and current not in seen:
        if current == category.pk:
            if parent.pk == category.pk:
                message = gettext(
                    "'%(name)s' cannot be moved under itself: that would make a loop in the category tree."
                )
            else:
                message = gettext(
                    "'%(name)s' cannot be moved under its own sub-category '%(parent)s': "
                    "that would make a loop in the category tree."
                )
            message = message % {"name": category.name, "parent": parent.name}
            raise ApplicationError(error_codes.CATEGORY_CYCLE, message, errors={"parent": [message]})
        seen.add(current)
        current = parent_of.get(current)


@transaction.atomic
def category_create(*, name, **data):
    unknown = set(data) - CATEGORY_FIELDS
    if unknown:
        raise TypeError(f"Unknown category fields: {sorted(unknown)}")
    category = Category(name=name, **data)
    if not category.slug:
        category.slug = unique_slug(Category, name, max_length=140)
    if "sort_order" not in data:
        siblings = Category.objects.filter(parent=category.parent)
        category.sort_order = (siblings.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    category.full_clean()
    category.save()
    catalog_cache.invalidate_category_tree()
    return category


@transaction.atomic
def category_update(*, category, data):
    unknown = set(data) - CATEGORY_FIELDS
    if unknown:
        raise TypeError(f"Unknown category fields: {sorted(unknown)}")
    if "parent" in data:
        parent = data["parent"]
        # Both rows locked: two moves that would close a loop together wait for each other.
        lock_objects.categories_lock(category_ids=[category.pk, parent.pk if parent else None])
        category_parent_check(category=category, parent=parent)
    for field, value in data.items():
        setattr(category, field, value)
    category.full_clean()
    category.save()
    catalog_cache.invalidate_category_tree()
    # Product details embed the category breadcrumbs.
    catalog_cache.invalidate_products(list(category.products.values_list("pk", flat=True)))
    return category


@transaction.atomic
def category_delete(*, category):
    if category.children.exists() or category.products.exists():
        raise ApplicationError(
            error_codes.CATEGORY_NOT_EMPTY,
            gettext("Move or delete its sub-categories and products first."),
        )
    category.delete()
    catalog_cache.invalidate_category_tree()


@transaction.atomic
def category_reorder(*, parent, ordered_ids):
    """Set ``sort_order`` of ``parent``'s children (None: top level) to the given order."""
    children = lock_objects.category_children_lock(parent=parent)
    if sorted(ordered_ids) != sorted(children) or len(set(ordered_ids)) != len(ordered_ids):
        raise ApplicationError(
            error_codes.REORDER_MISMATCH,
            gettext("Send every child of this parent exactly once."),
            errors={"ids": [gettext("Expected the ids %(ids)s.") % {"ids": sorted(children)}]},
        )
    for position, pk in enumerate(ordered_ids, start=1):
        children[pk].sort_order = position
    Category.objects.bulk_update(children.values(), ["sort_order"])
    catalog_cache.invalidate_category_tree()
    return [children[pk] for pk in ordered_ids]


# --- Brands and ingredients -------------------------------------------------


@transaction.atomic
def brand_create(*, name, **data):
    brand = Brand(name=name, **data)
    brand.slug = brand.slug or unique_slug(Brand, name, max_length=140)
    brand.full_clean()
    brand.save()
    catalog_cache.invalidate_brands()
    return brand


@transaction.atomic
def brand_update(*, brand, data):
    for field, value in data.items():
        setattr(brand, field, value)
    brand.full_clean()
    brand.save()
    catalog_cache.invalidate_brands()
    if "name" in data:
        product_ids = list(brand.products.values_list("pk", flat=True))
        product_refresh_search_documents(product_ids=product_ids)
        catalog_cache.invalidate_products(product_ids)
    return brand


# --- Products ---------------------------------------------------------------


def _prepare_product(product):
    if not product.slug:
        product.slug = unique_slug(Product, product.name, exclude_pk=product.pk, max_length=220)
    if product.status == ProductStatus.ACTIVE and product.published_at is None:
        product.published_at = timezone.now()
    if isinstance(product.skin_types, list) and isinstance(product.concerns, list):
        product.skin_types = sorted(set(product.skin_types))
        product.concerns = sorted(set(product.concerns))


def _save_product(product):
    _prepare_product(product)
    product.full_clean(exclude=["search_document"])
    if product.pk and not product.allow_backorders:
        oversold = ProductVariant.objects.filter(product_id=product.pk, stock_quantity__lt=0).exists()
        if oversold:
            raise ValidationError(
                {
                    "allow_backorders": [
                        gettext("A variant has negative stock: set its stock before turning backorders off.")
                    ]
                }
            )
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:  # a concurrent write won the unique slug/SKU race
        raise ApplicationError(
            ApiErrorCode.CONFLICT, gettext("A product with this slug, SKU or barcode already exists.")
        ) from exc
    _variants_sync_backorders(product)


def _variants_sync_backorders(product):
    """Variants carry a copy of the product's ``allow_backorders`` for their stock constraint."""
    ProductVariant.objects.filter(product_id=product.pk).exclude(allow_backorders=product.allow_backorders).update(
        allow_backorders=product.allow_backorders
    )


@transaction.atomic
def product_variants_saved(*, product):
    """After variants were edited (the admin's inline), keep their backorder flag equal to the
    product's. Their stock is not edited there: it changes only through ``stock_adjust``, which
    records it and announces a variant coming back in stock."""
    _variants_sync_backorders(product)
    catalog_cache.invalidate_products([product.pk])


def product_set_ingredients(*, product, ingredients):
    """Replace the key ingredients: ``[(Ingredient, "10%"), ...]`` or ``[Ingredient, ...]``."""
    ProductIngredient.objects.filter(product=product).delete()
    rows = []
    for position, item in enumerate(ingredients):
        ingredient, concentration = item if isinstance(item, tuple) else (item, "")
        rows.append(
            ProductIngredient(product=product, ingredient=ingredient, concentration=concentration, sort_order=position)
        )
    ProductIngredient.objects.bulk_create(rows)


@transaction.atomic
def product_create(*, ingredients=None, variants=None, by=None, **data):
    """A new product; its opening stock (and each variant's) is recorded as stock received, so every
    stock level has its ``StockAdjustment`` history from the start."""
    unknown = set(data) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    opening = data.pop("stock_quantity", 0) or 0
    product = Product(**data)
    _save_product(product)
    if opening:
        stock_adjust(product=product, delta=opening, reason=StockAdjustmentReason.RECEIVED, note="Opening stock", by=by)
    if ingredients:
        product_set_ingredients(product=product, ingredients=ingredients)
    for position, variant in enumerate(variants or []):
        product_variant_create(product=product, sort_order=position, by=by, **variant)
    product_refresh_search_documents(product_ids=[product.pk])
    product.refresh_from_db(fields=["search_document"])
    return product


@transaction.atomic
def product_update(*, product, data, ingredients=None, by=None):
    """A new ``stock_quantity`` is not written with the other fields: it becomes one recorded stock
    count correction (``stock_set``), like every other stock change."""
    unknown = set(data) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    data = dict(data)
    counted = data.pop("stock_quantity", None)
    old_slug = product.slug
    old_price, old_stock = product.price, product.stock_quantity
    for field, value in data.items():
        setattr(product, field, value)
    _save_product(product)
    if ingredients is not None:
        product_set_ingredients(product=product, ingredients=ingredients)
    product_refresh_search_documents(product_ids=[product.pk])
    catalog_cache.invalidate_products([product.pk], slugs={old_slug, product.slug})
    _announce_price_and_stock(product, old_price=old_price, old_stock=old_stock)
    if counted is not None:
        stock_set(
            product=product, quantity=counted, reason=StockAdjustmentReason.COUNT, note="Set by a product update", by=by
        )
        product.refresh_from_db(fields=["stock_quantity"])
    return product


@transaction.atomic
def product_save(*, product):
    """Save a product whose fields were set elsewhere (the Django admin form) with the same
    rules, cache invalidation and price/stock announcements as ``product_update``."""
    previous = Product.objects.filter(pk=product.pk).values("price", "stock_quantity", "slug").first()
    _save_product(product)
    slugs = {product.slug} | ({previous["slug"]} if previous else set())
    catalog_cache.invalidate_products([product.pk], slugs=slugs)
    if previous:
        _announce_price_and_stock(product, old_price=previous["price"], old_stock=previous["stock_quantity"])
    return product


def _announce_price_and_stock(product, *, old_price, old_stock):
    """After commit, tell higher apps (wishlist notices) about a price drop or a restock."""
    if product.status != ProductStatus.ACTIVE:
        return
    if old_price is not None and product.price < old_price:
        price = product.price
        transaction.on_commit(
            lambda: events.product_price_dropped.send(
                sender=Product, product=product, old_price=old_price, new_price=price
            )
        )
    if (old_stock or 0) <= 0 < (product.stock_quantity or 0):
        transaction.on_commit(lambda: events.product_back_in_stock.send(sender=Product, product=product))


@transaction.atomic
def product_variant_create(*, product, by=None, **data):
    opening = data.pop("stock_quantity", 0) or 0
    variant = ProductVariant(product=product, allow_backorders=product.allow_backorders, **data)
    variant.full_clean()
    variant.save()
    if opening:
        stock_adjust(
            product=product,
            variant=variant,
            delta=opening,
            reason=StockAdjustmentReason.RECEIVED,
            note="Opening stock of a new variant",
            by=by,
        )
    catalog_cache.invalidate_products([product.pk])
    return variant


def _percent_change(price, percent):
    new = (price * (Decimal(100) + percent) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(new, CENT)


@transaction.atomic
def products_bulk_update(*, product_ids, status=None, is_featured=None, price_change_percent=None):
    """Set status and/or featured, and/or change prices by a percentage (-90..+500).

    A price change moves compare-at prices by the same percentage so that
    ``compare_at_price >= price`` still holds. Returns the updated products.
    """
    products = _bulk_products(product_ids)
    now = timezone.now()
    fields = set()
    for product in products:
        if status is not None:
            product.status = status
            fields.add("status")
            if status == ProductStatus.ACTIVE and product.published_at is None:
                product.published_at = now
                fields.add("published_at")
        if is_featured is not None:
            product.is_featured = is_featured
            fields.add("is_featured")
        if price_change_percent is not None:
            percent = Decimal(price_change_percent)
            old_price = product.price
            product.price = _percent_change(product.price, percent)
            _announce_price_and_stock(product, old_price=old_price, old_stock=product.stock_quantity)
            if product.compare_at_price is not None:
                product.compare_at_price = max(_percent_change(product.compare_at_price, percent), product.price)
            fields |= {"price", "compare_at_price"}
    if fields:
        for product in products:
            product.updated_at = now
        Product.objects.bulk_update(products, sorted(fields | {"updated_at"}), batch_size=500)
        catalog_cache.invalidate_products([p.pk for p in products], slugs=[p.slug for p in products])
    return products


def product_ids_ordered_before(product_ids):
    """Hook deciding "archive, don't delete": products that were ordered before.

    A product counts as ordered when ``sales_count > 0`` or when a row of another app
    points at it through a ``PROTECT`` foreign key (the orders app's order items), found
    through ``Product._meta`` so the catalog never imports the apps that sell it.
    """
    ids = list(product_ids)
    ordered = set(Product.objects.filter(pk__in=ids, sales_count__gt=0).values_list("pk", flat=True))
    for relation in Product._meta.related_objects:
        if relation.on_delete is models.PROTECT and relation.related_model._meta.app_label != Product._meta.app_label:
            referenced = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
            ordered |= set(referenced.values_list(relation.field.attname, flat=True).distinct())
    return ordered


@transaction.atomic
def products_bulk_delete(*, product_ids):
    """Archive products that were ordered before; delete the others (with their media)."""
    products = _bulk_products(product_ids)
    ordered = product_ids_ordered_before(p.pk for p in products)
    archived = [p for p in products if p.pk in ordered]
    deleted = [p for p in products if p.pk not in ordered]
    if archived:
        Product.objects.filter(pk__in=[p.pk for p in archived]).update(
            status=ProductStatus.ARCHIVED, is_featured=False, updated_at=timezone.now()
        )
    if deleted:
        media = list(ProductMedia.objects.filter(product__in=deleted).select_related("file"))
        Product.objects.filter(pk__in=[p.pk for p in deleted]).delete()
        for item in media:
            _delete_file(item.file)
    catalog_cache.invalidate_products([p.pk for p in products], slugs=[p.slug for p in products])
    return {"archived": sorted(p.pk for p in archived), "deleted": sorted(p.pk for p in deleted)}


def product_delete(*, product):
    return products_bulk_delete(product_ids=[product.pk])


def _bulk_products(product_ids):
    ids = list(dict.fromkeys(product_ids))
    if len(ids) > MAX_BULK:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("At most %(max)d products at a time.") % {"max": MAX_BULK},
            errors={"ids": [gettext("Too many.")]},
        )
    products = lock_objects.products_lock(product_ids=ids)
    missing = sorted(set(ids) - {p.pk for p in products})
    if missing:
        raise ApplicationError(
            error_codes.UNKNOWN_PRODUCTS,
            gettext("Some products do not exist."),
            errors={"ids": [gettext("Unknown ids: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]},
        )
    return products


# --- Counters ---------------------------------------------------------------


def product_record_view(*, product_id):
    """Counted in the cache; ``catalog.flush_product_views`` writes the counts (no write per page view)."""
    product_view_count(product_id=product_id)


def product_record_sale(*, product_id, quantity=1):
    """For the orders app: count a sale and take the stock when inventory is tracked."""
    updated = Product.objects.filter(pk=product_id).update(
        sales_count=F("sales_count") + quantity,
        stock_quantity=Case(
            When(track_inventory=True, then=F("stock_quantity") - quantity), default=F("stock_quantity")
        ),
    )
    catalog_cache.invalidate_products([product_id])
    return bool(updated)


def product_set_rating(*, product_id, rating_avg, review_count):
    """For the reviews app: store the recomputed average and count."""
    rating = Decimal(str(rating_avg)).quantize(CENT, rounding=ROUND_HALF_UP)
    Product.objects.filter(pk=product_id).update(rating_avg=rating, review_count=review_count)
    catalog_cache.invalidate_products([product_id])


# --- Stock adjustments ------------------------------------------------------

MAX_STOCK_DELTA = 1_000_000


@transaction.atomic
def stock_adjust(*, product, delta, reason, by, note="", variant=None):
    """Change a product's (or one variant's) stock by ``delta`` for a recorded reason.

    The stock row is locked (product, then variant: the order checkout takes them in) so a parallel
    checkout or adjustment waits; the change is an ``F()`` update, and the ``StockAdjustment`` row
    records the exact quantities around it. Stock never goes below zero unless the product takes
    backorders; stock coming back from zero announces ``product_back_in_stock`` after commit."""
    errors = {}
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0 or abs(delta) > MAX_STOCK_DELTA:
        errors["delta"] = [f"A whole number other than 0, at most {MAX_STOCK_DELTA:,} either way."]
    if reason not in StockAdjustmentReason.values:
        errors["reason"] = [f"One of: {', '.join(StockAdjustmentReason.values)}."]
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    elif reason == StockAdjustmentReason.OTHER and not note:
        errors["note"] = [gettext('Say why when the reason is "other".')]
    if errors:
        raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, gettext("Invalid stock adjustment."), errors=errors)
    locked = lock_objects.product_lock(product_id=product.pk)
    if locked is None:
        raise ApplicationError(error_codes.PRODUCT_NOT_FOUND, gettext("Product not found."))
    row = locked
    if variant is not None:
        row = lock_objects.variant_lock(variant_id=variant.pk)
        if row is None or row.product_id != locked.pk:
            raise ApplicationError(
                error_codes.VARIANT_NOT_FOUND, gettext("This variant does not belong to the product.")
            )
    before = row.stock_quantity
    after = before + delta
    if after < 0 and not locked.allow_backorders:
        raise ApplicationError(
            error_codes.STOCK_WOULD_GO_NEGATIVE,
            gettext("Only %(stock)s in stock: cannot remove %(remove)s.") % {"stock": max(before, 0), "remove": -delta},
            errors={
                "delta": [
                    gettext("At most %(count)s can be removed.") % {"count": before}
                    if before > 0
                    else gettext("Nothing in stock to remove.")
                ]
            },
        )
    type(row).objects.filter(pk=row.pk).update(stock_quantity=F("stock_quantity") + delta)
    adjustment = StockAdjustment.objects.create(
        product=locked, variant=row if variant is not None else None, delta=delta, quantity_before=before,
        quantity_after=after, reason=reason, note=note, created_by=by,
    )  # fmt: skip
    sold_out_changed = (before <= 0) != (after <= 0)
    catalog_cache.invalidate_products([locked.pk], lists=sold_out_changed)
    if before <= 0 < after and locked.status == ProductStatus.ACTIVE:
        transaction.on_commit(lambda: events.product_back_in_stock.send(sender=Product, product=locked))
    return adjustment


@transaction.atomic
def stock_set(*, product, quantity, reason, by, note="", variant=None):
    """Bring a product's (or variant's) stock to ``quantity`` (an import, a count) as one recorded
    ``stock_adjust`` of the difference, read under the row's lock; ``None`` when it is already there."""
    locked = lock_objects.product_lock(product_id=product.pk)
    if locked is None:
        raise ApplicationError(error_codes.PRODUCT_NOT_FOUND, gettext("Product not found."))
    row = locked if variant is None else lock_objects.variant_lock(variant_id=variant.pk)
    if row is None:
        raise ApplicationError(error_codes.VARIANT_NOT_FOUND, gettext("This variant does not belong to the product."))
    delta = quantity - row.stock_quantity
    if delta == 0:
        return None
    return stock_adjust(product=locked, variant=variant, delta=delta, reason=reason, note=note, by=by)


# --- Media ------------------------------------------------------------------


def _files_services():
    from shop.catalog.media import _files_services as loader

    services = loader()
    if services is None:
        raise ApplicationError(error_codes.UPLOAD_FAILED, gettext("File uploads are not available yet."))
    return services


def _delete_file(file):
    from shop.catalog.media import _files_services as loader

    services = loader()
    if services is not None:
        services.file_delete(file=file)


@transaction.atomic
def product_media_upload(*, product, uploads, owner, alt_text="", alt_text_km=""):
    """Store images in the files registry (validated, re-encoded, thumbnails) and add them
    to the gallery; the first image of a product without one becomes primary."""
    services = _files_services()
    files = services.file_upload(owner=owner, context="product", uploads=uploads)
    has_primary = product.media.filter(is_primary=True).exists()
    next_order = (product.media.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    # The registry stores identical content once: an image already in the gallery (or sent twice)
    # is not added again.
    shown, new_files = set(product.media.values_list("file_id", flat=True)), []
    for file in files:
        if file.pk not in shown:
            shown.add(file.pk)
            new_files.append(file)
    files = new_files
    created = []
    for offset, file in enumerate(files):
        services.file_attach(file=file, entity_type="product", entity_id=product.pk)
        created.append(
            ProductMedia.objects.create(
                product=product,
                file=file,
                alt_text=alt_text or product.name,
                alt_text_km=alt_text_km,
                sort_order=next_order + offset,
                is_primary=not has_primary and offset == 0,
            )
        )
    catalog_cache.invalidate_products([product.pk])
    return created


@transaction.atomic
def product_media_update(*, media, data):
    if data.get("is_primary"):
        ProductMedia.objects.filter(product_id=media.product_id, is_primary=True).exclude(pk=media.pk).update(
            is_primary=False
        )
    for field in ("alt_text", "alt_text_km", "sort_order", "is_primary"):
        if field in data:
            setattr(media, field, data[field])
    media.save()
    catalog_cache.invalidate_products([media.product_id])
    return media


@transaction.atomic
def product_media_delete(*, media):
    """Remove from the gallery and the files registry; the next image becomes primary."""
    product_id, was_primary, file = media.product_id, media.is_primary, media.file
    media.delete()
    if was_primary:
        successor = ProductMedia.objects.filter(product_id=product_id).order_by("sort_order", "id").first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    _delete_file(file)
    catalog_cache.invalidate_products([product_id])


def ingredient_get_or_create(*, name, **data):
    ingredient = Ingredient.objects.filter(name__iexact=name).first()
    if ingredient is None:
        ingredient = Ingredient.objects.create(name=name, slug=unique_slug(Ingredient, name, max_length=140), **data)
    return ingredient
