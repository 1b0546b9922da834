import pytest

from shop.cart.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/wishlist"


def test_add_list_remove_clear(auth_client, django_assert_max_num_queries):
    products = [ProductFactory() for _ in range(4)]
    for product in products:
        assert auth_client.post(URL, {"product_id": product.pk}, format="json").status_code == 201
    assert auth_client.post(URL, {"product_id": products[0].pk}, format="json").status_code == 200
    with django_assert_max_num_queries(4):
        body = auth_client.get(URL).json()
    assert body["meta"]["total"] == 4
    assert auth_client.delete(f"{URL}/{products[0].pk}").status_code == 204
    assert auth_client.delete(f"{URL}/{products[0].pk}").status_code == 404
    assert auth_client.get(URL).json()["meta"]["total"] == 3
    assert auth_client.delete(URL).status_code == 204
    assert auth_client.get(URL).json()["meta"]["total"] == 0


def test_bad_input(auth_client, api_client):
    assert auth_client.post(URL, {"product_id": -1}, format="json").status_code == 400
    unknown = auth_client.post(URL, {"product_id": 999999}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "VALIDATION_ERROR")
    assert unknown.json()["errors"] == {"product_id": ["Product not found."]}
    assert api_client.get(URL).status_code == 401


def test_feedback(auth_client):
    product = ProductFactory()
    assert auth_client.put(f"{URL}/{product.pk}/feedback", {}, format="json").status_code == 404
    auth_client.post(URL, {"product_id": product.pk}, format="json")
    payload = {"hesitation_reason": "price", "purchase_triggers": ["price_drop"], "notify_on_reviews": False}
    body = auth_client.put(f"{URL}/{product.pk}/feedback", payload, format="json").json()["data"]
    assert (body["purchase_triggers"], body["notify_on_sale"], body["notify_on_reviews"]) == (
        ["price_drop"],
        True,
        False,
    )
    bad = auth_client.put(f"{URL}/{product.pk}/feedback", {"purchase_triggers": ["free_money"]}, format="json")
    assert bad.status_code == 400
    item = auth_client.get(URL).json()["data"][0]
    assert item["feedback"]["hesitation_reason"] == "price"


def test_out_of_range_product_id_in_the_url_is_404(auth_client):
    # Fuzzing: DELETE /wishlist/189362024062092306284544 overflowed the query (500 on SQLite).
    product = ProductFactory()
    assert auth_client.post(URL, {"product_id": product.pk}, format="json").status_code == 201
    huge = 2**80
    for response in (auth_client.delete(f"{URL}/{huge}"), auth_client.put(f"{URL}/{huge}/feedback", {}, format="json")):
        assert response.status_code == 404
        assert response.json()["code"] == "WISHLIST_ITEM_NOT_FOUND"
    assert auth_client.get(URL).json()["meta"]["total"] == 1
