"""Cache invalidation for edits that bypass the services (the Django admin, shell).

Services invalidate explicitly (they also do bulk ``update()``s, which send no signals);
deleting a cache key twice is harmless.
"""

from django.db.models.signals import post_delete, post_save

from shop.catalog import cache as catalog_cache
from shop.catalog.models import Brand, Category, Product, ProductIngredient, ProductMedia, ProductVariant


def _product_changed(sender, instance, **kwargs):
    catalog_cache.invalidate_products([instance.pk], slugs=[instance.slug])


def _child_changed(sender, instance, **kwargs):
    catalog_cache.invalidate_products([instance.product_id])


def _category_changed(sender, instance, **kwargs):
    catalog_cache.invalidate_category_tree()


def _brand_changed(sender, instance, **kwargs):
    catalog_cache.invalidate_brands()


def connect():
    for signal in (post_save, post_delete):
        signal.connect(_product_changed, sender=Product, dispatch_uid=f"catalog-product-{signal}")
        signal.connect(_category_changed, sender=Category, dispatch_uid=f"catalog-category-{signal}")
        signal.connect(_brand_changed, sender=Brand, dispatch_uid=f"catalog-brand-{signal}")
        for model in (ProductMedia, ProductVariant, ProductIngredient):
            signal.connect(_child_changed, sender=model, dispatch_uid=f"catalog-{model.__name__}-{signal}")
