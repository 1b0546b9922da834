"""Minimal catalog factories for the commerce tests (the catalog app has none yet)."""

from decimal import Decimal

import factory
from django.utils import timezone

from shop.catalog.models import Brand, Category, Product, ProductStatus, ProductVariant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"commerce-category-{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"commerce-brand-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Serum {n}")
    slug = factory.Sequence(lambda n: f"commerce-serum-{n}")
    sku = factory.Sequence(lambda n: f"CM-SKU-{n:05d}")
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    product_type = "serum"
    price = Decimal("10.00")
    stock_quantity = 100
    status = ProductStatus.ACTIVE
    published_at = factory.LazyFunction(timezone.now)
    skin_types = ["all"]


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    name = factory.Sequence(lambda n: f"{n} ml")
    sku = factory.Sequence(lambda n: f"CM-VAR-{n:05d}")
    price = Decimal("12.00")
    stock_quantity = 50
