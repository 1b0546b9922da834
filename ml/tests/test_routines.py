"""Routine builder and ingredient-compatibility checks through their endpoints, with the
interaction pairs the data migration seeds."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from ml.models import IngredientFamily, IngredientInteraction
from ml.tests.test_etl import order
from shop.accounts.tests.factories import UserFactory
from shop.catalog.models import ProductType
from shop.catalog.tests.factories import BrandFactory, CategoryFactory, IngredientFactory, ProductFactory

ROUTINE = "/api/v1/recommendations/routine"
COMPAT = "/api/v1/ingredients/compatibility"


@pytest.fixture(autouse=True)
def _relational(relational_store):
    cache.clear()
    return relational_store


@pytest.fixture
def catalog():
    brand = BrandFactory()
    names = {}

    def ingredient(name, inci):
        return IngredientFactory(name=name, slug=name.lower().replace(" ", "-"), inci_name=inci)

    glycolic = ingredient("Glycolic acid", "Glycolic Acid")
    vitamin_c = ingredient("Vitamin C", "Ascorbic Acid")
    retinol = ingredient("Retinol", "Retinol")
    benzoyl = ingredient("Benzoyl peroxide", "Benzoyl Peroxide")
    glycerin = ingredient("Glycerin", "Glycerin")

    def product(key, name, kind, usage, price, concerns=(), ingredients=(glycerin,)):
        names[key] = ProductFactory(
            name=name, brand=brand, category=CategoryFactory(), product_type=kind, usage_time=usage,
            price=Decimal(price), skin_types=["oily"], concerns=list(concerns), ingredients=list(ingredients),
        )  # fmt: skip

    product("c1", "Cheap Gel Cleanser", ProductType.CLEANSER, "am_pm", "8.00")
    product("c2", "Fancy Gel Cleanser", ProductType.CLEANSER, "am_pm", "15.00")
    product("vc", "Vitamin C Serum", ProductType.SERUM, "am", "20.00", ["dark_spots"], [vitamin_c])
    product("t", "Glycolic Toner", ProductType.TONER, "am_pm", "12.00", ["texture"], [glycolic])
    product("ret", "Retinol Night Serum", ProductType.TREATMENT, "pm", "30.00", ["aging"], [retinol])
    product("bp", "Benzoyl Spot Gel", ProductType.TREATMENT, "am_pm", "9.00", ["acne"], [benzoyl])
    product("m", "Gel Cream", ProductType.MOISTURIZER, "am_pm", "14.00")
    product("s", "Daily Sunscreen", ProductType.SUNSCREEN, "am", "16.00")
    ProductFactory(name="Dry Skin Cream", product_type=ProductType.MOISTURIZER, price=Decimal("1.00"),
                   skin_types=["dry"], usage_time="am_pm")  # fmt: skip
    ProductFactory(name="Sold Out Cleanser", product_type=ProductType.CLEANSER, price=Decimal("1.00"),
                   skin_types=["oily"], usage_time="am_pm", stock_quantity=0)  # fmt: skip
    return names


def steps(routine):
    return [(step["step"], step["product"]["name"]) for step in routine]


def test_the_migration_seeds_the_documented_pairs(db):
    pairs = {(i.family_a.slug, i.family_b.slug, i.severity) for i in IngredientInteraction.objects.all()}
    assert pairs == {
        ("retinoids", "aha", "caution"),
        ("retinoids", "bha", "caution"),
        ("retinoids", "benzoyl-peroxide", "avoid"),
        ("vitamin-c", "benzoyl-peroxide", "avoid"),
        ("aha", "bha", "caution"),
        ("aha", "aha", "caution"),
        ("bha", "bha", "caution"),
    }
    assert IngredientFamily.objects.get(slug="retinoids").keywords[:2] == ["retinol", "retinal"]


def test_routine_one_product_per_step_no_clash_within_a_routine(catalog):
    response = APIClient().get(ROUTINE, {"skin_type": "oily", "concerns": ["acne", "aging", "dark_spots"]})
    assert response.status_code == 200
    body = response.json()["data"]
    assert steps(body["morning"]) == [
        ("cleanser", "Cheap Gel Cleanser"),
        ("toner_serum", "Vitamin C Serum"),
        ("moisturiser", "Gel Cream"),
        ("sunscreen", "Daily Sunscreen"),
    ]
    # evening first: the spot gel wins the treatment step (same score as retinol, cheaper); in the
    # morning it would clash with the vitamin C serum, and retinol is for the evening only
    assert steps(body["evening"]) == [
        ("cleanser", "Cheap Gel Cleanser"),
        ("toner_serum", "Glycolic Toner"),
        ("treatment", "Benzoyl Spot Gel"),
        ("moisturiser", "Gel Cream"),
    ]
    assert body["missing_steps"] == [{"routine": "morning", "step": "treatment"}]
    assert (body["total"], body["currency"], body["budget"]) == ("79.00", "USD", None)
    assert body["conflicts"] == []  # vitamin C (morning) and benzoyl peroxide (evening) are already apart
    assert body["morning"][1]["score"] == 0.1667
    assert body["morning"][1]["reason"] == "For dark spots, suits oily skin"
    assert body["evening"][1]["label"] == "Toner or serum"


def test_routine_within_a_budget_and_too_small_a_budget(catalog):
    client = APIClient()
    body = client.get(ROUTINE, {"skin_type": "oily", "concerns": ["acne", "aging", "dark_spots"], "budget": "60"})
    data = body.json()["data"]
    # the cheapest loss of score per dollar: the toner replaces the vitamin C serum in the morning
    assert steps(data["morning"])[1] == ("toner_serum", "Glycolic Toner")
    assert (data["total"], data["budget"]) == ("59.00", "60.00")
    too_small = client.get(ROUTINE, {"skin_type": "oily", "budget": "20"})
    assert too_small.status_code == 400
    assert too_small.json()["code"] == "ROUTINE_OVER_BUDGET"
    assert too_small.json()["errors"] == {"budget": ["The cheapest routine found costs 38.00."]}


def test_routine_warns_about_recent_orders(catalog):
    shopper = UserFactory(skin_type="oily", skin_concerns=["acne", "aging", "dark_spots"])
    order(shopper, timezone.now().strftime("%Y-%m-%dT%H:%M"), [(catalog["ret"], 1, "30.00")], status="delivered")
    client = APIClient()
    client.force_authenticate(shopper)
    conflicts = client.get(ROUTINE).json()["data"]["conflicts"]  # skin type and concerns from the profile
    assert [
        (c["severity"], c["first"]["name"], c["first"]["ingredients"], c["second"]["name"], c["second"]["source"])
        for c in conflicts
    ] == [
        ("caution", "Glycolic Toner", ["Glycolic acid"], "Retinol Night Serum", "recent_order"),
        ("avoid", "Benzoyl Spot Gel", ["Benzoyl peroxide"], "Retinol Night Serum", "recent_order"),
    ]
    assert conflicts[1]["advice"].startswith("Use benzoyl peroxide in the morning and the retinoid in the evening")
    assert conflicts[0]["first"]["family"] == "Alpha hydroxy acids (AHA)"


@pytest.mark.parametrize(
    "params, field",
    [({}, "skin_type"), ({"skin_type": "scaly"}, "skin_type"), ({"skin_type": "oily", "budget": "0"}, "budget"),
     ({"skin_type": "oily", "concerns": ["wrinkly"]}, "concerns"), ({"skin_type": "oily", "budget": "x"}, "budget")],
)  # fmt: skip
def test_routine_bad_input(catalog, params, field):
    response = APIClient().get(ROUTINE, params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_routine_runs_a_constant_number_of_queries(catalog, django_assert_num_queries):
    # skin list, products, images, families, ingredients, rules; then the check of the chosen ones:
    # their names, families, ingredients, rules
    with django_assert_num_queries(10):
        APIClient().get(ROUTINE, {"skin_type": "oily"})
    for n in range(5):
        ProductFactory(name=f"Serum {n}", product_type=ProductType.SERUM, usage_time="am_pm", skin_types=["oily"])
    with django_assert_num_queries(10):
        APIClient().get(ROUTINE, {"skin_type": "oily"})


def test_compatibility_names_products_ingredients_and_what_to_do(catalog):
    client = APIClient()
    response = client.post(
        COMPAT, {"product_ids": [catalog["vc"].pk, catalog["bp"].pk, catalog["m"].pk]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()["data"]
    assert body["compatible"] is False
    assert [p["name"] for p in body["checked"]] == ["Vitamin C Serum", "Benzoyl Spot Gel", "Gel Cream"]
    [conflict] = body["conflicts"]
    assert conflict["severity"] == "avoid"
    assert (conflict["first"]["name"], conflict["first"]["ingredients"]) == ("Vitamin C Serum", ["Vitamin C"])
    assert (conflict["second"]["name"], conflict["second"]["ingredients"]) == ("Benzoyl Spot Gel", ["Benzoyl peroxide"])
    assert (
        conflict["explanation"]
        == "Benzoyl peroxide oxidises vitamin C (ascorbic acid), so the vitamin C stops working."
    )
    ok = client.post(COMPAT, {"product_ids": [catalog["c1"].pk, catalog["m"].pk]}, format="json")
    assert ok.json()["data"] == {
        "compatible": True,
        "checked": [
            {"id": catalog["c1"].pk, "name": "Cheap Gel Cleanser", "slug": catalog["c1"].slug, "source": "request"},
            {"id": catalog["m"].pk, "name": "Gel Cream", "slug": catalog["m"].slug, "source": "request"},
        ],
        "conflicts": [],
    }


def test_compatibility_against_the_cart_and_recent_orders(catalog):
    shopper = UserFactory()
    order(shopper, timezone.now().strftime("%Y-%m-%dT%H:%M"), [(catalog["t"], 1, "12.00")], status="confirmed")
    client = APIClient()
    client.force_authenticate(shopper)
    assert (
        client.post("/api/v1/cart/items", {"product_id": catalog["bp"].pk, "quantity": 1}, format="json").status_code
        == 201
    )
    body = client.post(
        COMPAT,
        {"product_ids": [catalog["ret"].pk], "include_cart": True, "include_recent_orders": True},
        format="json",
    ).json()["data"]
    assert [(p["name"], p["source"]) for p in body["checked"]] == [
        ("Retinol Night Serum", "request"),
        ("Benzoyl Spot Gel", "cart"),
        ("Glycolic Toner", "recent_order"),
    ]
    assert [(c["first"]["family"], c["second"]["family"], c["second"]["source"]) for c in body["conflicts"]] == [
        ("Retinoids", "Benzoyl peroxide", "cart"),
        ("Retinoids", "Alpha hydroxy acids (AHA)", "recent_order"),
    ]
    # without the flags only the products asked about
    assert client.post(COMPAT, {"product_ids": [catalog["ret"].pk]}, format="json").json()["data"]["compatible"]


def test_an_edited_rule_applies_at_once(catalog):
    IngredientInteraction.objects.filter(family_a__slug="vitamin-c").update(is_active=False)
    body = APIClient().post(COMPAT, {"product_ids": [catalog["vc"].pk, catalog["bp"].pk]}, format="json").json()
    assert body["data"]["conflicts"] == []


@pytest.mark.parametrize(
    "body, field",
    [({"product_ids": []}, "product_ids"), ({"product_ids": [999999]}, "product_ids"), ({}, "product_ids"),
     ({"product_ids": ["x"]}, "product_ids"), ({"product_ids": list(range(1, 52))}, "product_ids")],
)  # fmt: skip
def test_compatibility_bad_input(catalog, body, field):
    response = APIClient().post(COMPAT, body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]


def test_compatibility_runs_a_constant_number_of_queries(catalog, django_assert_num_queries):
    few = [catalog["vc"].pk, catalog["bp"].pk]
    many = [p.pk for p in catalog.values()]
    for ids in (few, many):
        with django_assert_num_queries(5):  # active check, products, families, ingredients, rules
            APIClient().post(COMPAT, {"product_ids": ids}, format="json")


def test_staff_add_a_pair_in_the_admin_and_it_is_checked_at_once(catalog, admin_client):
    family = admin_client.post(
        "/admin/ml/ingredientfamily/add/",
        {"name": "Glycerin-like", "slug": "glycerin-like", "keywords": '["glycerin"]'},
    )
    assert family.status_code == 302
    glycerin = IngredientFamily.objects.get(slug="glycerin-like")
    added = admin_client.post(
        "/admin/ml/ingredientinteraction/add/",
        {"family_a": glycerin.pk, "family_b": glycerin.pk, "severity": "caution", "explanation": "Too sticky.",
         "advice": "Use one.", "is_active": "on"},
    )  # fmt: skip
    assert added.status_code == 302
    body = APIClient().post(COMPAT, {"product_ids": [catalog["c1"].pk, catalog["m"].pk]}, format="json").json()
    assert [(c["first"]["name"], c["second"]["name"], c["advice"]) for c in body["data"]["conflicts"]] == [
        ("Cheap Gel Cleanser", "Gel Cream", "Use one.")
    ]
