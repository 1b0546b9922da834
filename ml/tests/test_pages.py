"""Recommendations and ingredient warnings on the shop's pages, the click redirect, "not
interested", and the routine builder page."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache

from ml import services
from ml.models import AnalyticsDocument, HiddenRecommendation
from ml.recommendations import recommendations_precompute
from ml.tests.test_etl import order
from ml.tests.test_recommendations import shop  # noqa: F401 - fixture
from ml.tests.test_routines import catalog  # noqa: F401 - fixture
from shop.accounts.tests.factories import UserFactory
from shop.cart.models import CartLine
from shop.catalog.tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def _relational(relational_store):
    cache.clear()
    return relational_store


@pytest.fixture
def served(shop):  # noqa: F811
    recommendations_precompute(progress=lambda done, total: None)
    return shop


def feedback_docs():
    services.events_flush()
    return sorted(
        (d.doc["action"], d.doc["recommendation_type"], d.doc["page_type"], d.doc["product_id"], d.doc["position"])
        for d in AnalyticsDocument.objects.filter(collection="recommendation_feedback")
    )


def section(html, heading):
    match = re.search(rf"<h2 id=\"rec-[a-z-]+\">{heading}</h2>(.*?)</section>", html, re.S)
    assert match, heading
    return match.group(1)


def test_home_shows_the_shoppers_list_with_reasons_and_records_what_it_showed(client, served):
    client.force_login(served["u1"])
    html = client.get("/").content.decode()
    block = section(html, "Recommended for you")
    assert re.findall(r'class="product-name">([^<]+)<', block) == ["Cica Cream", "Every Day Cream"]
    assert "Because you bought Alpha Serum" in block
    assert f'href="/recommendations/go/{served["c"].pk}/?list=for_you&amp;page=homepage&amp;pos=1"' in block
    assert feedback_docs() == [
        ("shown", "for_you", "homepage", served["c"].pk, None),
        ("shown", "for_you", "homepage", served["e"].pk, None),
    ]


def test_home_shows_popular_products_to_a_guest(client, served):
    block = section(client.get("/").content.decode(), "Popular right now")
    assert re.findall(r'class="product-name">([^<]+)<', block) == [
        "Alpha Serum", "Beta Serum", "Cica Cream", "Dry Rescue Cream",
    ]  # fmt: skip
    assert "Not interested" not in block  # only for signed-in shoppers


def test_home_in_khmer(client, served):
    served["u1"].language = "km"
    served["u1"].save(update_fields=["language"])
    client.force_login(served["u1"])
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "ណែនាំសម្រាប់អ្នក" in html and "ព្រោះអ្នកបានទិញ Alpha Serum" in html


def test_home_queries_do_not_grow_with_the_list(client, served, django_assert_num_queries):
    client.force_login(served["u1"])
    client.get("/")

    def count():
        cache.clear()
        # session, user, the shop's home lists, the ml widget: stored list (1), products and images (2)
        with django_assert_num_queries(13) as captured:
            client.get("/")
        return captured

    count()
    for n in range(6):
        extra = ProductFactory(name=f"Extra {n}", skin_types=["oily"])
        order(served["u2"], "2026-03-06T10:00", [(extra, 1, "10.00"), (served["e"], 1, "10.00")], status="delivered")
    recommendations_precompute(progress=lambda done, total: None)
    count()


def test_the_click_link_records_then_redirects(client, served):
    response = client.get(f"/recommendations/go/{served['c'].pk}/?list=similar&page=product_page&pos=3")
    assert response.status_code == 302 and response["Location"] == f"/p/{served['c'].slug}/"
    odd = client.get(f"/recommendations/go/{served['e'].pk}/?list=<script>&page=x&pos=9999")
    assert odd.status_code == 302
    assert feedback_docs() == [
        ("clicked", "", "", served["e"].pk, None),
        ("clicked", "similar", "product_page", served["c"].pk, 3),
    ]
    assert client.get("/recommendations/go/999999/")["Location"] == "/"


def test_not_interested_hides_the_product(client, served):
    assert client.post("/recommendations/hide/", {"product_id": served["c"].pk})["Location"].startswith(
        "/accounts/login/"
    )
    client.force_login(served["u1"])
    response = client.post(
        "/recommendations/hide/",
        {"product_id": served["c"].pk, "list": "for_you", "page": "homepage", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
    assert list(HiddenRecommendation.objects.values_list("user_id", "product_id")) == [
        (served["u1"].pk, served["c"].pk)
    ]
    block = section(client.get("/").content.decode(), "Recommended for you")
    assert "Cica Cream" not in block
    assert client.post("/recommendations/hide/", {"product_id": "abc", "next": "/cart/"})["Location"] == "/cart/"
    assert HiddenRecommendation.objects.count() == 1


def test_product_page_shows_similar_and_bought_together(client, served):
    html = client.get(f"/p/{served['a'].slug}/").content.decode()
    assert "Beta Serum" in section(html, "Similar products")
    together = section(html, "Often bought together")
    assert re.findall(r'class="product-name">([^<]+)<', together) == ["Beta Serum", "Cica Cream"]
    assert "Bought together with Alpha Serum by 1 shoppers" in together


def test_order_page_after_checkout_shows_bought_together(client, served):
    placed = order(served["u4"], "2026-03-08T10:00", [(served["a"], 1, "10.00")], status="confirmed")
    client.force_login(served["u4"])
    html = client.get(f"/account/orders/{placed.order_number}/?placed=1").content.decode()
    assert re.findall(r'class="product-name">([^<]+)<', section(html, "Often bought together")) == [
        "Beta Serum", "Cica Cream",
    ]  # fmt: skip
    assert "Often bought together" not in client.get(f"/account/orders/{placed.order_number}/").content.decode()


def test_cart_page_warns_about_clashing_ingredients(client, catalog):  # noqa: F811
    shopper = UserFactory()
    client.force_login(shopper)
    for key in ("vc", "bp", "m"):
        client.post("/cart/add/", {"product_id": catalog[key].pk, "quantity": 1})
    html = client.get("/cart/").content.decode()
    warning = re.search(r'<section class="message error conflicts".*?</section>', html, re.S).group(0)
    assert (
        "<strong>Vitamin C Serum</strong> (Vitamin C) and <strong>Benzoyl Spot Gel</strong> (Benzoyl peroxide)"
        in warning
    )
    assert "do not combine" in warning
    assert "Use vitamin C in the morning and benzoyl peroxide in the evening, or on alternate days." in warning
    client.post(f"/cart/lines/{CartLine.objects.get(product=catalog['bp']).pk}/", {"remove": "1"})
    assert "conflicts" not in client.get("/cart/").content.decode()


def test_routine_page_builds_and_adds_the_whole_routine_to_the_cart(client, catalog):  # noqa: F811
    html = client.get("/recommendations/routine/?skin_type=oily&concerns=acne&concerns=aging&concerns=dark_spots")
    assert html.status_code == 200
    page = html.content.decode()
    morning = re.search(r'id="routine-morning".*?</ol>', page, re.S).group(0)
    assert re.findall(r'pos=\d+">([^<]+)</a>', morning) == [
        "Cheap Gel Cleanser", "Vitamin C Serum", "Gel Cream", "Daily Sunscreen",
    ]  # fmt: skip
    assert "6 products, $79.00 in all" in page
    ids = re.findall(r'name="product_id" value="(\d+)"', page)
    assert len(ids) == 6
    response = client.post("/recommendations/routine/cart/", {"product_id": ids})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert sorted(str(pk) for pk in CartLine.objects.values_list("product_id", flat=True)) == sorted(ids)


def test_routine_add_to_cart_is_all_or_nothing(client, catalog):  # noqa: F811
    catalog["s"].stock_quantity = 0
    catalog["s"].save(update_fields=["stock_quantity"])
    response = client.post("/recommendations/routine/cart/", {"product_id": [catalog["c1"].pk, catalog["s"].pk]})
    assert response.status_code == 302 and response["Location"] == "/recommendations/routine/"
    assert not CartLine.objects.exists()
    assert client.post("/recommendations/routine/cart/", {"product_id": ["x"]}).status_code == 302
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(
    "query, message",
    [("skin_type=scaly", "Choose your skin type."),
     ("skin_type=oily&concerns=wrinkly", "Choose concerns from the list."),
     ("skin_type=oily&budget=abc", "Enter an amount of at least 1."),
     ("skin_type=oily&budget=5", "No routine fits a budget of 5.00; the cheapest one found costs 38.00.")],
)  # fmt: skip
def test_routine_page_bad_input(client, catalog, query, message):  # noqa: F811
    response = client.get(f"/recommendations/routine/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_routine_page_queries_are_constant(client, catalog, django_assert_num_queries):  # noqa: F811
    url = "/recommendations/routine/?skin_type=oily&concerns=acne"
    # category menu, skin list, products, images, families, ingredients, rules; the check of the
    # chosen ones: names, families, ingredients, rules
    cache.clear()
    with django_assert_num_queries(11):
        client.get(url)
    for n in range(5):
        ProductFactory(name=f"Serum {n}", product_type="serum", usage_time="am_pm", skin_types=["oily"],
                       price=Decimal("11.00"))  # fmt: skip
    cache.clear()
    with django_assert_num_queries(11):
        client.get(url)


def test_pages_leave_the_widget_out_when_the_store_is_down(client, served, monkeypatch):
    from ml import serving
    from ml.store import StoreError

    class Down:
        def get(self, collection, key):
            raise StoreError("connection refused")

    monkeypatch.setattr(serving, "get_store", lambda: Down())
    client.force_login(served["u1"])
    response = client.get("/")
    assert response.status_code == 200 and "Recommended for you" not in response.content.decode()


def test_routines_of_a_signed_in_shopper_leave_out_hidden_and_avoided_products(client, catalog):  # noqa: F811
    from ml.models import AvoidedIngredient

    shopper = UserFactory(skin_type="oily", skin_concerns=["dark_spots"])
    HiddenRecommendation.objects.create(user=shopper, product=catalog["c1"])
    AvoidedIngredient.objects.create(user=shopper, ingredient=catalog["vc"].ingredients.get())
    client.force_login(shopper)
    page = client.get("/recommendations/routine/").content.decode()
    assert "Fancy Gel Cleanser" in page and "Cheap Gel Cleanser" not in page
    assert "Vitamin C Serum" not in page
