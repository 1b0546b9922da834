"""Every row lock the catalog app takes, in one place: only catalog rows (``of=("self",)``), in pk order.
``select_for_update`` is a no-op on SQLite, where writes are serialised anyway."""

from shop.catalog.models import Category, Product, ProductVariant


def categories_lock(*, category_ids) -> dict:
    """{pk: Category} locked in pk order (a category and its new parent, before the cycle check)."""
    ids = [pk for pk in category_ids if pk is not None]
    if not ids:
        return {}
    return {c.pk: c for c in Category.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")}


def category_children_lock(*, parent) -> dict:
    """{pk: Category} of ``parent``'s children (None: the top level), locked in pk order."""
    rows = Category.objects.select_for_update(of=("self",)).filter(parent=parent).order_by("pk")
    return {c.pk: c for c in rows}


def products_lock(*, product_ids) -> list[Product]:
    return list(Product.objects.select_for_update(of=("self",)).filter(pk__in=product_ids).order_by("pk"))


def product_lock(*, product_id) -> Product | None:
    return Product.objects.select_for_update(of=("self",)).filter(pk=product_id).order_by("pk").first()


def product_lock_by_sku(*, sku) -> Product | None:
    """The product with this SKU (unique), locked: an import updates it from a fresh row."""
    return Product.objects.select_for_update(of=("self",)).filter(sku=sku).order_by("pk").first()


def variant_lock(*, variant_id) -> ProductVariant | None:
    """Take it after its product's lock (products before variants, as checkout does)."""
    return ProductVariant.objects.select_for_update(of=("self",)).filter(pk=variant_id).order_by("pk").first()
