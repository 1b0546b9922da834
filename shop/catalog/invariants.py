"""Catalog invariants (see ``skincare.invariants``): stock is never negative unless backorders are allowed.

A product's own stock is guarded by ``catalog_product_stock_gte_0_unless_backorders`` and a
variant's by ``catalog_variant_stock_gte_0_unless_backorders`` on the variant's copy of the product's
``allow_backorders``; this check catches a copy that disagrees with its product (a negative stock
that the database let through because the copy still said "backorders")."""

from django.db.models import Q

from shop.catalog.models import ProductVariant
from skincare.invariants import register_invariant


def variant_stock_violations():
    return ProductVariant.objects.filter(Q(stock_quantity__lt=0) & Q(product__allow_backorders=False))


def register():
    register_invariant(
        "variant_stock", "variant stock >= 0 unless its product allows backorders", variant_stock_violations
    )
