import pytest

from feedback.models import ProductFeedbackResponse

pytestmark = pytest.mark.django_db


def test_submit_and_list(auth_client, product, staff_client, api_client):
    url = f"/api/v1/products/{product.pk}/feedback"
    payload = {"responses": {"texture": "light", "would_buy_again": True, "scores": [4, 5]}, "overall_rating": 4}
    response = auth_client.post(url, payload, format="json")
    assert response.status_code == 201, response.json()
    assert auth_client.get("/api/v1/user/feedback/forms").json()["meta"]["total"] == 1
    assert staff_client.get(f"/api/v1/staff/products/{product.pk}/feedback").json()["meta"]["total"] == 1
    assert auth_client.get(f"/api/v1/staff/products/{product.pk}/feedback").status_code == 403
    assert api_client.post(url, payload, format="json").status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"responses": {}},
        {"responses": "great"},
        {"responses": {"q": {"nested": 1}}},
        {"responses": {"q": "x" * 2001}},
        {"responses": {"q": "ok"}, "overall_rating": 6},
        {"responses": {"q": "ok"}, "preferred_contact_method": "pigeon"},
        {"responses": {"q": "ok"}, "order_item_id": 999999},
    ],
)
def test_bad_forms_are_400(auth_client, product, payload):
    response = auth_client.post(f"/api/v1/products/{product.pk}/feedback", payload, format="json")
    assert response.status_code == 400, response.json()
    assert ProductFeedbackResponse.objects.count() == 0


def test_unknown_product_is_404(auth_client):
    response = auth_client.post("/api/v1/products/999999/feedback", {"responses": {"q": "ok"}}, format="json")
    assert response.status_code == 404


def test_staff_product_feedback_for_an_out_of_range_product_id_is_an_empty_page(staff_client):
    # Fuzzing: /staff/products/<id past the integer range>/feedback overflowed the query (500 on SQLite).
    response = staff_client.get(f"/api/v1/staff/products/{2**80}/feedback")
    assert response.status_code == 200
    assert response.json()["data"] == [] and response.json()["meta"]["total"] == 0
