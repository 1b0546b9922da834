import pytest

from shop.coupons.models import Coupon
from shop.coupons.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db
STAFF = "/api/v1/staff/coupons"
TAKEN = {
    "status": "error",
    "code": "COUPON_CODE_TAKEN",
    "message": "A coupon with this code already exists.",
    "errors": {"code": ["A coupon with this code already exists."]},
}


def test_creating_a_coupon_with_a_taken_code_is_refused_whatever_its_case(staff_client):
    CouponFactory(code="SPRING10")
    body = {"code": " spring10 ", "name": "Again", "type": "percentage", "value": "10"}

    response = staff_client.post(STAFF, body, format="json")

    assert (response.status_code, response.json()) == (409, TAKEN)
    assert Coupon.objects.count() == 1


def test_renaming_a_coupon_to_another_coupons_code_is_refused(staff_client):
    CouponFactory(code="SPRING10")
    other = CouponFactory(code="SUMMER10")

    response = staff_client.patch(f"{STAFF}/{other.pk}", {"code": "spring10"}, format="json")

    assert (response.status_code, response.json()) == (409, TAKEN)
    other.refresh_from_db()
    assert other.code == "SUMMER10"


def test_a_coupon_keeps_its_own_code_on_update(staff_client):
    coupon = CouponFactory(code="SPRING10")

    response = staff_client.patch(f"{STAFF}/{coupon.pk}", {"code": "SPRING10", "name": "Renamed"}, format="json")

    assert response.status_code == 200
    coupon.refresh_from_db()
    assert (coupon.code, coupon.name) == ("SPRING10", "Renamed")
