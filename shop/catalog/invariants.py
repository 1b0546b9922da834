"""Catalog invariants (see ``skincare.invariants``): stock is never negative unless backorders are allowed."""

from django.db.models import Q

from shop.catalog.models import Product, ProductVariant
from skincare.invariants import register_invariant


def product_stock_violations():
    return Product.objects.filter(stock_quantity__lt=0, allow_backorders=False)


def variant_stock_violations():
    return ProductVariant.objects.filter(Q(stock_quantity__lt=0) & Q(product__allow_backorders=False))


def register():
    register_invariant("product_stock", "product stock >= 0 unless backorders", product_stock_violations)
    register_invariant(
        "variant_stock", "variant stock >= 0 unless its product allows backorders", variant_stock_violations
    )
