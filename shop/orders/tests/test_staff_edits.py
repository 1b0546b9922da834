"""A staff edit of an order is one transaction: a refused edit changes nothing."""

import pytest

from shop.orders.models import Order
from shop.orders.tests.helpers import DECLINED_CARD, place

pytestmark = pytest.mark.django_db
STAFF = "/api/v1/staff/orders"


def snapshot(number):
    order = Order.objects.get(order_number=number)
    fields = ("status", "payment_status", "fulfillment_status", "tracking_number", "notes", "admin_notes", "updated_at")
    return {name: getattr(order, name) for name in fields}, order.events.count()


def test_a_refused_status_change_keeps_the_tracking_number_and_notes_unchanged(staff_client, auth_client, user):
    data, _ = place(auth_client, user, card_number=DECLINED_CARD)  # pending
    before = snapshot(data["order_number"])
    body = {"tracking_number": "TRK-1", "notes": "leave at door", "admin_notes": "VIP", "status": "delivered"}
    response = staff_client.patch(f"{STAFF}/{data['order_number']}", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "INVALID_STATUS_TRANSITION")
    assert snapshot(data["order_number"]) == before


def test_a_refused_payment_status_keeps_the_status_change_from_happening(staff_client, auth_client, user):
    data, _ = place(auth_client, user)  # confirmed, paid, refund states only by refunds
    before = snapshot(data["order_number"])
    body = {"status": "processing", "payment_status": "refunded", "admin_notes": "x"}
    response = staff_client.patch(f"{STAFF}/{data['order_number']}", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "INVALID_STATUS_TRANSITION")
    assert snapshot(data["order_number"]) == before


def test_tracking_number_and_shipping_in_one_edit(staff_client, auth_client, user):
    data, _ = place(auth_client, user)
    number = data["order_number"]
    assert staff_client.patch(f"{STAFF}/{number}", {"status": "processing"}, format="json").status_code == 200
    no_tracking = staff_client.patch(f"{STAFF}/{number}", {"status": "shipped", "admin_notes": "x"}, format="json")
    assert (no_tracking.status_code, no_tracking.json()["code"]) == (400, "TRACKING_NUMBER_REQUIRED")
    assert Order.objects.get(order_number=number).admin_notes == ""
    body = {"status": "shipped", "tracking_number": "TRK-9", "admin_notes": "fragile"}
    response = staff_client.patch(f"{STAFF}/{number}", body, format="json")
    assert response.status_code == 200, response.json()
    shown = response.json()["data"]
    assert (shown["status"], shown["tracking_number"], shown["admin_notes"]) == ("shipped", "TRK-9", "fragile")


def test_admin_notes_are_staff_only(staff_client, auth_client, user):
    data, _ = place(auth_client, user)
    number = data["order_number"]
    staff_client.patch(f"{STAFF}/{number}", {"admin_notes": "called the customer"}, format="json")
    assert staff_client.get(f"{STAFF}/{number}").json()["data"]["admin_notes"] == "called the customer"
    mine = auth_client.get(f"/api/v1/orders/{number}").json()["data"]
    assert "admin_notes" not in mine
    assert all("admin_notes" not in row for row in auth_client.get("/api/v1/orders").json()["data"])
    assert "called the customer" not in auth_client.get(f"/account/orders/{number}/").content.decode()


def test_bulk_update_reports_a_refused_order_and_leaves_it_unchanged(staff_client, auth_client, user):
    paid, _ = place(auth_client, user)
    pending, _ = place(auth_client, user, card_number=DECLINED_CARD)
    before = snapshot(pending["order_number"])
    body = {"order_numbers": [paid["order_number"], pending["order_number"]], "status": "processing"}
    result = staff_client.post(f"{STAFF}/bulk-update", body, format="json").json()["data"]
    assert result["done"] == [paid["order_number"]]
    assert [(row["id"], row["code"]) for row in result["skipped"]] == [
        (pending["order_number"], "INVALID_STATUS_TRANSITION")
    ]
    assert snapshot(pending["order_number"]) == before
    assert Order.objects.get(order_number=paid["order_number"]).status == "processing"
