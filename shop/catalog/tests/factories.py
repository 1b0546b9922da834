from decimal import Decimal

import factory
from django.utils import timezone

from shop.catalog.models import (
    Brand,
    Category,
    Ingredient,
    Product,
    ProductIngredient,
    ProductStatus,
    ProductType,
    ProductVariant,
)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    sort_order = factory.Sequence(lambda n: n)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class IngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ingredient
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Ingredient {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ProductFactory(factory.django.DjangoModelFactory):
    """An active product; search_document is filled like the services do."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    product_type = ProductType.SERUM
    price = Decimal("10.00")
    stock_quantity = 10
    skin_types = factory.LazyFunction(lambda: ["all"])
    concerns = factory.LazyFunction(list)
    status = ProductStatus.ACTIVE
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def ingredients(obj, create, extracted, **kwargs):
        from shop.catalog.services import product_refresh_search_documents

        if not create:
            return
        for position, ingredient in enumerate(extracted or []):
            ProductIngredient.objects.create(product=obj, ingredient=ingredient, sort_order=position)
        product_refresh_search_documents(product_ids=[obj.pk])
        obj.refresh_from_db(fields=["search_document"])


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    name = "30 ml"
    sku = factory.Sequence(lambda n: f"VAR-{n:05d}")
    price = Decimal("10.00")
    stock_quantity = 5
