from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shop.cart.models import Cart, CartLine
from shop.cart.tests.factories import ProductFactory, VariantFactory
from shop.coupons.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart"
ITEMS = "/api/v1/cart/items"
COUPON = "/api/v1/cart/coupon"


def test_empty_cart_for_signed_in_user(auth_client, user):
    response = auth_client.get(CART)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["items"] == []
    assert data["total"] == "0.00"
    assert "token" not in data
    assert Cart.objects.get(user=user)


def test_add_line_prices_cart(auth_client):
    product = ProductFactory(price=Decimal("19.99"))
    response = auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["items"][0]["quantity"] == 2
    assert data["items"][0]["unit_price"] == "19.99"
    assert data["items"][0]["line_total"] == "39.98"
    assert data["items"][0]["available"] is True
    assert (data["subtotal"], data["shipping"], data["tax"], data["discount"], data["total"]) == (
        "39.98",
        "3.50",
        "4.00",
        "0.00",
        "47.48",
    )


def test_adding_same_product_twice_adds_quantity(auth_client):
    product = ProductFactory()
    auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    data = auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 3}, format="json").json()["data"]
    assert len(data["items"]) == 1
    assert data["items"][0]["quantity"] == 5


def test_variant_lines_are_separate(auth_client):
    variant = VariantFactory(price=Decimal("15.00"))
    auth_client.post(ITEMS, {"product_id": variant.product_id}, format="json")
    data = auth_client.post(ITEMS, {"product_id": variant.product_id, "variant_id": variant.pk}, format="json").json()
    items = data["data"]["items"]
    assert [(i["variant"] and i["variant"]["id"], i["unit_price"]) for i in items] == [
        (None, "10.00"),
        (variant.pk, "15.00"),
    ]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"product_id": 1, "quantity": 0}, "quantity"),
        ({"product_id": 1, "quantity": -3}, "quantity"),
        ({"product_id": 1, "quantity": 10**12}, "quantity"),
        ({"product_id": "abc"}, "product_id"),
        ({}, "product_id"),
        ({"product_id": 10**15}, "product_id"),
    ],
)
def test_add_rejects_bad_input(auth_client, payload, field):
    response = auth_client.post(ITEMS, payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["errors"]


def test_add_unknown_or_draft_product(auth_client):
    draft = ProductFactory(status="draft", published_at=None)
    for product_id in (999999, draft.pk):
        response = auth_client.post(ITEMS, {"product_id": product_id}, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "status": "error",
            "code": "VALIDATION_ERROR",
            "message": "Product not found.",
            "errors": {"product_id": ["Product not found."]},
        }


def test_add_variant_of_other_product(auth_client):
    variant = VariantFactory()
    other = ProductFactory()
    response = auth_client.post(ITEMS, {"product_id": other.pk, "variant_id": variant.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["errors"] == {"variant_id": ["Variant not found for this product."]}


def test_add_more_than_stock_or_line_limit(auth_client):
    product = ProductFactory(stock_quantity=3)
    response = auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 4}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "INSUFFICIENT_STOCK"
    assert response.json()["message"] == "Only 3 left in stock."
    big = ProductFactory(stock_quantity=1000)
    response = auth_client.post(ITEMS, {"product_id": big.pk, "quantity": 100}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "QUANTITY_TOO_LARGE"


def test_update_and_remove_line(auth_client):
    product = ProductFactory()
    line_id = auth_client.post(ITEMS, {"product_id": product.pk}, format="json").json()["data"]["items"][0]["id"]
    data = auth_client.patch(f"{ITEMS}/{line_id}", {"quantity": 4}, format="json").json()["data"]
    assert data["items"][0]["quantity"] == 4
    assert data["subtotal"] == "40.00"
    data = auth_client.patch(f"{ITEMS}/{line_id}", {"quantity": 0}, format="json").json()["data"]
    assert data["items"] == []
    assert auth_client.delete(f"{ITEMS}/{line_id}").status_code == 404


def test_update_rejects_negative_and_foreign_line(auth_client, other_user):
    product = ProductFactory()
    other_cart = Cart.objects.create(user=other_user)
    foreign = CartLine.objects.create(cart=other_cart, product=product, quantity=1)
    assert auth_client.patch(f"{ITEMS}/{foreign.pk}", {"quantity": -1}, format="json").status_code == 400
    response = auth_client.patch(f"{ITEMS}/{foreign.pk}", {"quantity": 2}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "CART_LINE_NOT_FOUND"
    assert auth_client.delete(f"{ITEMS}/{foreign.pk}").status_code == 404
    foreign.refresh_from_db()
    assert foreign.quantity == 1


def test_clear_cart(auth_client):
    auth_client.post(ITEMS, {"product_id": ProductFactory().pk}, format="json")
    response = auth_client.delete(CART)
    assert response.status_code == 200
    assert response.json()["data"]["items"] == []


def test_apply_and_remove_coupon(auth_client):
    auth_client.post(ITEMS, {"product_id": ProductFactory(price=Decimal("30.00")).pk}, format="json")
    CouponFactory(code="GLOW10", value=Decimal("10"))
    data = auth_client.post(COUPON, {"code": " glow10 "}, format="json").json()["data"]
    assert data["coupon"]["code"] == "GLOW10"
    assert data["discount"] == "3.00"
    assert data["total"] == "33.20"  # 30 - 3 + 2.70 tax + 3.50 shipping
    data = auth_client.delete(COUPON).json()["data"]
    assert data["coupon"] is None
    assert data["discount"] == "0.00"


def test_apply_unknown_expired_or_foreign_coupon(auth_client, other_user):
    auth_client.post(ITEMS, {"product_id": ProductFactory().pk}, format="json")
    CouponFactory(code="OLD", end_date=timezone.now() - timedelta(days=1))
    CouponFactory(code="MINE", customer=other_user)
    for code, error in (("NOPE", "COUPON_NOT_FOUND"), ("OLD", "COUPON_EXPIRED"), ("MINE", "COUPON_NOT_FOUND")):
        response = auth_client.post(COUPON, {"code": code}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == error


def test_coupon_that_stops_applying_shows_its_reason(auth_client):
    product = ProductFactory(price=Decimal("30.00"))
    auth_client.post(ITEMS, {"product_id": product.pk}, format="json")
    CouponFactory(code="MIN25", min_order_value=Decimal("25.00"))
    auth_client.post(COUPON, {"code": "MIN25"}, format="json")
    line_id = auth_client.get(CART).json()["data"]["items"][0]["id"]
    data = auth_client.patch(f"{ITEMS}/{line_id}", {"quantity": 1}, format="json").json()["data"]
    assert data["coupon"]["code"] == "MIN25"
    product.price = Decimal("20.00")
    product.save()
    data = auth_client.get(CART).json()["data"]
    assert data["coupon"] is None
    assert data["coupon_problem"]["code"] == "COUPON_MIN_ORDER_NOT_MET"
    assert data["discount"] == "0.00"


def test_price_change_is_reflected_despite_cache(auth_client):
    product = ProductFactory(price=Decimal("10.00"))
    auth_client.post(ITEMS, {"product_id": product.pk}, format="json")
    auth_client.get(CART)
    product.price = Decimal("12.50")
    product.save()
    assert auth_client.get(CART).json()["data"]["subtotal"] == "12.50"


def test_guest_cart_with_token_header_and_merge_on_login(user):
    guest = APIClient()
    product = ProductFactory()
    shared = ProductFactory()
    data = guest.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json").json()["data"]
    token = data["token"]
    guest.post(ITEMS, {"product_id": shared.pk}, format="json", HTTP_X_CART_TOKEN=token)
    assert guest.get(CART, HTTP_X_CART_TOKEN=token).json()["data"]["item_count"] == 3

    client = APIClient()
    client.force_authenticate(user)
    client.post(ITEMS, {"product_id": shared.pk, "quantity": 1}, format="json")
    merged = client.get(CART, HTTP_X_CART_TOKEN=token).json()["data"]
    assert sorted((i["product"]["id"], i["quantity"]) for i in merged["items"]) == [(product.pk, 2), (shared.pk, 2)]
    # The guest cart stays, empty: its token keeps working and a repeat merges nothing twice.
    assert Cart.objects.get(token=token).lines.count() == 0
    again = client.get(CART, HTTP_X_CART_TOKEN=token).json()["data"]
    assert sorted((i["product"]["id"], i["quantity"]) for i in again["items"]) == [(product.pk, 2), (shared.pk, 2)]
    assert guest.get(CART, HTTP_X_CART_TOKEN=token).json()["data"]["item_count"] == 0

    # A line the guest adds after the merge (another tab) joins on the next signed-in request.
    late = ProductFactory()
    assert guest.post(ITEMS, {"product_id": late.pk}, format="json", HTTP_X_CART_TOKEN=token).status_code == 201
    final = client.get(CART, HTTP_X_CART_TOKEN=token).json()["data"]
    assert sorted((i["product"]["id"], i["quantity"]) for i in final["items"]) == sorted(
        [(product.pk, 2), (shared.pk, 2), (late.pk, 1)]
    )


def test_guest_cart_in_session_merges_on_session_login(user):
    from shop.accounts.tests.factories import DEFAULT_PASSWORD

    client = APIClient()
    product = ProductFactory()
    client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    data = client.get(CART).json()["data"]
    assert [(i["product"]["id"], i["quantity"]) for i in data["items"]] == [(product.pk, 2)]


def test_guest_cannot_use_someone_elses_user_cart(user):
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, product=ProductFactory(), quantity=1)
    data = APIClient().get(CART, HTTP_X_CART_TOKEN=str(cart.token)).json()["data"]
    assert data["items"] == []
    assert data["token"] != str(cart.token)


def test_bad_token_gives_new_cart():
    response = APIClient().get(CART, HTTP_X_CART_TOKEN="not-a-uuid")
    assert response.status_code == 200
    assert response.json()["data"]["items"] == []


def test_cart_expires_after_ttl(auth_client, user, settings):
    product = ProductFactory()
    auth_client.post(ITEMS, {"product_id": product.pk}, format="json")
    Cart.objects.filter(user=user).update(updated_at=timezone.now() - timedelta(days=settings.CART_TTL_DAYS, hours=1))
    assert auth_client.get(CART).json()["data"]["items"] == []


def test_cleanup_task_deletes_idle_carts(user, settings):
    from shop.cart.tasks import cart_cleanup_expired

    old = Cart.objects.create()
    Cart.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=settings.CART_TTL_DAYS + 1))
    fresh = Cart.objects.create(user=user)
    assert cart_cleanup_expired() == 1
    assert list(Cart.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_unavailable_line_is_flagged(auth_client):
    product = ProductFactory(stock_quantity=5)
    auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    product.stock_quantity = 0
    product.save()
    item = auth_client.get(CART).json()["data"]["items"][0]
    assert (item["available"], item["problem"], item["available_quantity"]) == (False, "out_of_stock", 0)


def test_cart_read_query_count_is_constant(auth_client, django_assert_num_queries):
    for _ in range(10):
        auth_client.post(ITEMS, {"product_id": VariantFactory().product_id}, format="json")
    auth_client.get(CART)
    with django_assert_num_queries(1):  # the cart with its lines joined with products, variants and images
        response = auth_client.get(CART)
    assert len(response.json()["data"]["items"]) == 10


@pytest.mark.parametrize(
    "payload",
    [
        {"product_id": 7},
        {"product_id": 7, "quantity": 3, "variant_id": 9},
        {"product_id": 7, "variant_id": None, "quantity": 10_000, "note": "ignored"},
        {"product_id": 2**31 - 1},
        {"product_id": 2**31},
        {"product_id": 0},
        {"product_id": True},
        {"product_id": 7, "quantity": False},
        {"product_id": 7.0, "quantity": 2.0},
        {"product_id": "7", "quantity": "2", "variant_id": "3"},
        {"product_id": 7, "quantity": 10_001},
        {"product_id": 7, "quantity": 0},
        {"product_id": 7, "variant_id": 0},
        {"product_id": 7, "quantity": None},
        {"product_id": None},
        {},
        [],
        "7",
    ],
)
def test_add_input_is_what_the_serializer_validates(payload):
    """``cart_add_input`` takes plain integers without building the serializer: the same data, the same
    errors as ``CartAddInput``."""
    from rest_framework.exceptions import ValidationError

    from shop.cart.serializers import CartAddInput, cart_add_input

    serializer = CartAddInput(data=payload)
    if serializer.is_valid():
        # (a variant_id left out is None to ``cart_add_line``)
        assert {"variant_id": None, **cart_add_input(payload)} == {"variant_id": None, **serializer.validated_data}
    else:
        with pytest.raises(ValidationError) as refused:
            cart_add_input(payload)
        assert refused.value.detail == serializer.errors


def test_an_addition_to_an_expired_cart_starts_it_anew(auth_client, user, settings):
    """On PostgreSQL the addition finds the user's cart in its own statement (``user_cart_line_add_checked``):
    an expired cart is not added to there, but emptied first, as every other request does."""
    old, new = ProductFactory(), ProductFactory()
    auth_client.post(ITEMS, {"product_id": old.pk}, format="json")
    Cart.objects.filter(user=user).update(updated_at=timezone.now() - timedelta(days=settings.CART_TTL_DAYS, hours=1))
    data = auth_client.post(ITEMS, {"product_id": new.pk}, format="json").json()["data"]
    assert [(i["product"]["id"], i["quantity"]) for i in data["items"]] == [(new.pk, 1)]
    assert list(CartLine.objects.filter(cart__user=user).values_list("product_id", flat=True)) == [new.pk]


def test_a_signed_in_addition_with_a_guest_token_merges_the_guest_cart(user):
    guest = APIClient()
    kept = ProductFactory()
    token = guest.post(ITEMS, {"product_id": kept.pk, "quantity": 2}, format="json").json()["data"]["token"]
    client = APIClient()
    client.force_authenticate(user)
    client.get(CART)  # the user's cart exists: the addition could take it in one statement
    added = ProductFactory()
    data = client.post(ITEMS, {"product_id": added.pk}, format="json", HTTP_X_CART_TOKEN=token).json()["data"]
    assert sorted((i["product"]["id"], i["quantity"]) for i in data["items"]) == sorted([(kept.pk, 2), (added.pk, 1)])
    assert Cart.objects.get(token=token).lines.count() == 0


def test_an_addition_answers_what_the_cart_reads_after_it(auth_client, user):
    """The cart answered after an addition is the one the addition's statement locked: same columns."""
    auth_client.post(ITEMS, {"product_id": ProductFactory(price=Decimal("30.00")).pk}, format="json")
    CouponFactory(code="GLOW10", value=Decimal("10"))
    auth_client.post(COUPON, {"code": "GLOW10"}, format="json")
    added = auth_client.post(ITEMS, {"product_id": ProductFactory(price=Decimal("5.00")).pk}, format="json")
    assert added.status_code == 201
    assert added.json()["data"]["coupon"]["code"] == "GLOW10"
    assert added.json()["data"] == auth_client.get(CART).json()["data"]
    assert "token" not in added.json()["data"]  # a signed-in cart
