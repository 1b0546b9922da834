"""Catalog factories with commerce defaults (plenty of stock) for the commerce tests."""

from decimal import Decimal

import factory

from shop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductVariantFactory  # noqa: F401 - re-exported
from shop.catalog.tests.factories import ProductFactory as CatalogProductFactory


class ProductFactory(CatalogProductFactory):
    name = factory.Sequence(lambda n: f"Serum {n}")
    stock_quantity = 100


class VariantFactory(ProductVariantFactory):
    name = factory.Sequence(lambda n: f"{n} ml")
    price = Decimal("12.00")
    stock_quantity = 50
