import pytest
from django.core.management import call_command

from shop.catalog.models import Brand, Category, Ingredient, Product, ProductIngredient, ProductStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_catalog_is_believable_and_idempotent(capsys):
    call_command("seed_demo", "--scale", "0.2", "--only", "catalog-taxonomy", "catalog-products")
    assert Product.objects.count() == 60
    assert Brand.objects.count() == 12
    assert Category.objects.filter(parent=None).count() == 9
    assert Category.objects.get(slug="serums").parent is None
    assert Category.objects.get(slug="mineral-sunscreens").parent.slug == "sunscreens"
    assert Ingredient.objects.count() == 30
    assert ProductIngredient.objects.count() >= 60
    active = Product.objects.filter(status=ProductStatus.ACTIVE)
    assert active.count() >= 45
    for product in Product.objects.prefetch_related("product_ingredients__ingredient"):
        assert product.price > 0
        assert product.compare_at_price is None or product.compare_at_price >= product.price
        assert product.skin_types and product.concerns
        hero = product.product_ingredients.all()[0].ingredient
        assert hero.name in product.name
        assert set(hero.concerns) <= set(product.concerns)
        assert hero.name in product.search_document
        assert product.name_km
    out = capsys.readouterr().out
    assert "60 products created" in out

    call_command("seed_demo", "--scale", "0.2", "--only", "catalog-taxonomy", "catalog-products")
    assert Product.objects.count() == 60
    assert "0 products created" in capsys.readouterr().out

    call_command("seed_demo", "--scale", "0.3", "--only", "catalog-products")
    assert Product.objects.count() == 90
