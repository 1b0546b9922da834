from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.cart.tests.factories import CategoryFactory, ProductFactory
from shop.coupons.models import Coupon
from shop.coupons.tests.factories import CouponFactory
from shop.orders.tests.helpers import checkout, fill_cart

pytestmark = pytest.mark.django_db
D = Decimal
VALIDATE = "/api/v1/coupons/validate"
AVAILABLE = "/api/v1/coupons/available"
STAFF = "/api/v1/staff/coupons"


@pytest.fixture(autouse=True)
def _run_on_commit(run_on_commit):
    """Callbacks queued with on_commit run immediately in these tests."""


def test_validate_reasons(auth_client, user, other_user):
    category = CategoryFactory()
    fill_cart(user, (ProductFactory(price=D("20.00")), 1))
    now = timezone.now()
    CouponFactory(code="OK", value=D("15"))
    CouponFactory(code="LATER", start_date=now + timedelta(days=1))
    CouponFactory(code="OLD", end_date=now - timedelta(seconds=1))
    CouponFactory(code="OFF", status="inactive")
    CouponFactory(code="FULL", usage_limit=3, used_count=3)
    CouponFactory(code="BIG", min_order_value=D("50.00"))
    CouponFactory(code="OTHERCAT").applicable_categories.set([category])
    CouponFactory(code="THEIRS", customer=other_user)
    expected = {
        "OK": None,
        "LATER": "COUPON_NOT_STARTED",
        "OLD": "COUPON_EXPIRED",
        "OFF": "COUPON_INACTIVE",
        "FULL": "COUPON_USAGE_LIMIT_REACHED",
        "BIG": "COUPON_MIN_ORDER_NOT_MET",
        "OTHERCAT": "COUPON_NOT_APPLICABLE",
        "THEIRS": "COUPON_NOT_FOUND",
        "MISSING": "COUPON_NOT_FOUND",
    }
    for code, reason in expected.items():
        body = auth_client.post(VALIDATE, {"code": code.lower()}, format="json").json()["data"]
        assert (body["valid"], body["code"]) == (reason is None, reason), code
    ok = auth_client.post(VALIDATE, {"code": "ok"}, format="json").json()["data"]
    assert ok["discount"] == "3.00"
    assert auth_client.post(VALIDATE, {}, format="json").status_code == 400


def test_available_lists_applicable_first_with_constant_queries(auth_client, user, django_assert_max_num_queries):
    fill_cart(user, (ProductFactory(price=D("20.00")), 1))
    for i in range(6):
        CouponFactory(code=f"A{i}", value=D("10"))
    CouponFactory(code="ZBIG", min_order_value=D("100"))
    CouponFactory(code="GONE", end_date=timezone.now() - timedelta(days=1))
    with django_assert_max_num_queries(12):
        rows = auth_client.get(AVAILABLE).json()["data"]
    assert [(r["code"], r["applicable"]) for r in rows] == [(f"A{i}", True) for i in range(6)] + [("ZBIG", False)]
    assert rows[-1]["reason_code"] == "COUPON_MIN_ORDER_NOT_MET"


def test_guest_can_validate(api_client):
    CouponFactory(code="HELLO", type="free_shipping", value=0)
    body = api_client.post(VALIDATE, {"code": "HELLO"}, format="json").json()["data"]
    assert (body["valid"], body["code"]) == (False, "COUPON_NOT_APPLICABLE")  # empty cart


def test_staff_crud_bulk_usage_stats(staff_client, auth_client, user):
    product = ProductFactory(price=D("40.00"))
    payload = {"code": "new10", "name": "New", "type": "percentage", "value": "10", "applicable_products": [product.pk]}
    created = staff_client.post(STAFF, payload, format="json")
    assert created.status_code == 201
    coupon_id = created.json()["data"]["id"]
    assert created.json()["data"]["code"] == "NEW10"
    assert staff_client.post(STAFF, payload, format="json").status_code == 409
    bad = [
        {**payload, "code": "X1", "value": "101"},
        {**payload, "code": "X2", "value": "-5"},
        {**payload, "code": "X3", "type": "bogus"},
        {**payload, "code": "X4", "applicable_products": [999999]},
        {**payload, "code": "X5", "start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {**payload, "code": "has space"},
    ]
    for body in bad:
        assert staff_client.post(STAFF, body, format="json").status_code == 400, body
    assert staff_client.patch(f"{STAFF}/{coupon_id}", {"value": "20"}, format="json").json()["data"]["value"] == "20.00"

    fill_cart(user, (product, 1), coupon=Coupon.objects.get(pk=coupon_id))
    order = checkout(auth_client, user).json()["data"]
    usages = staff_client.get(f"{STAFF}/{coupon_id}/usages").json()["data"]
    assert [(u["order_number"], u["discount_amount"]) for u in usages] == [(order["order_number"], "8.00")]
    stats = staff_client.get(f"{STAFF}/{coupon_id}/stats").json()["data"]
    assert (stats["uses"], stats["total_discount"], stats["remaining"]) == (1, "8.00", None)
    assert staff_client.get(f"{STAFF}/stats").json()["data"]["coupons_by_status"]["active"] == 1
    assert staff_client.delete(f"{STAFF}/{coupon_id}").status_code == 409

    response = staff_client.post(
        f"{STAFF}/bulk-status", {"ids": [coupon_id, 999999, coupon_id], "status": "inactive"}, format="json"
    )
    assert response.json()["data"] == {
        "done": [coupon_id],
        "skipped": [{"id": 999999, "code": "NOT_FOUND", "message": "Not found."}],
    }
    assert staff_client.get(STAFF, {"status": "inactive"}).json()["meta"]["total"] == 1
    unused = staff_client.post(STAFF, {**payload, "code": "TEMP"}, format="json").json()["data"]["id"]
    assert staff_client.delete(f"{STAFF}/{unused}").status_code == 204
    assert staff_client.get(f"{STAFF}/999999").status_code == 404


def test_staff_only(auth_client):
    assert auth_client.get(STAFF).status_code == 403
