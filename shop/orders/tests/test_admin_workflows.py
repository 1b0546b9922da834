"""Orders taken through their life in the admin: each workflow through the services, per role."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, StaffFactory
from shop.orders.models import Order, OrderEvent, OrderStatus, PaymentRefund
from shop.orders.tests.helpers import place

pytestmark = pytest.mark.django_db

ORDERS = "/admin/orders/order/"


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def order(auth_client, user):
    """A confirmed, paid card order of 25.50 (20.00 + 3.50 shipping + 2.00 tax)."""
    place(auth_client, user)
    return Order.objects.get()


def _workflow(order, name):
    return f"{ORDERS}{order.pk}/workflow/{name}/"


def _messages(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_order_page_offers_the_workflows_its_state_allows(admin_client, order):
    page = admin_client.get(f"{ORDERS}{order.pk}/change/")

    assert page.status_code == 200
    assert [name for name, _, _ in page.context["workflows"]] == ["ship", "cancel", "refund", "refund_lines", "resend"]
    assert _workflow(order, "ship").encode() in page.content


def test_ship_with_a_tracking_number(admin_client, order, user):
    assert admin_client.get(_workflow(order, "ship")).status_code == 200

    response = admin_client.post(_workflow(order, "ship"), {"tracking_number": "KH-123"})

    assert response.status_code == 302 and response["Location"] == f"{ORDERS}{order.pk}/change/"
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "KH-123")
    assert _messages(response) == [("success", f"Order {order.order_number} shipped with tracking number KH-123.")]
    page = admin_client.get(f"{ORDERS}{order.pk}/change/")
    assert [name for name, _, _ in page.context["workflows"]] == ["deliver", "refund", "refund_lines", "resend"]


def test_ship_without_tracking_number_changes_nothing(admin_client, order):
    response = admin_client.post(_workflow(order, "ship"), {"tracking_number": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {"tracking_number": ["This field is required."]}
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.CONFIRMED, "")


def test_mark_delivered_after_shipping(admin_client, order):
    admin_client.post(_workflow(order, "ship"), {"tracking_number": "KH-9"}, follow=True)

    response = admin_client.post(_workflow(order, "deliver"))

    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert _messages(response) == [("success", f"Order {order.order_number} marked delivered.")]


def test_deliver_refused_for_an_unshipped_order_says_why(admin_client, order):
    response = admin_client.post(_workflow(order, "deliver"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["An order cannot go from confirmed to delivered."]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_refund_a_chosen_amount_shows_what_was_already_refunded(admin_client, order):
    page = admin_client.get(_workflow(order, "refund"))
    assert b"Paid 25.50 \xc2\xb7 already refunded 0.00 \xc2\xb7 refundable 25.50" in page.content

    response = admin_client.post(_workflow(order, "refund"), {"amount": "10.00", "reason": "Damaged box"})

    assert _messages(response) == [("success", f"Order {order.order_number}: 10.00 refunded.")]
    refund = PaymentRefund.objects.get()
    assert (refund.amount, refund.reason, refund.status) == (Decimal("10.00"), "Damaged box", "completed")
    order.refresh_from_db()
    assert order.payment_status == "partially_refunded"
    page = admin_client.get(_workflow(order, "refund"))
    assert b"Paid 25.50 \xc2\xb7 already refunded 10.00 \xc2\xb7 refundable 15.50" in page.content
    assert page.context["form"]["amount"].initial == Decimal("15.50")
    detail = admin_client.get(f"{ORDERS}{order.pk}/change/")
    assert b"Damaged box" in detail.content and b"-10.00" in detail.content


def test_refund_over_what_is_left_is_refused_and_changes_nothing(admin_client, order):
    response = admin_client.post(_workflow(order, "refund"), {"amount": "25.51", "reason": "Too much"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"amount": ["At most 25.50 can be refunded."]}
    assert PaymentRefund.objects.count() == 0


def test_cancel_with_a_reason_refunds_and_records_the_reason(admin_client, order):
    response = admin_client.post(_workflow(order, "cancel"), {"reason": "Customer called"})

    order.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.CANCELLED, "refunded")
    assert _messages(response) == [
        ("success", f"Order {order.order_number} cancelled: stock restored and any payment refunded.")
    ]
    event = order.events.filter(type="status_changed", data__new="cancelled").get()
    assert event.data["reason"] == "Customer called"


def test_resend_confirmation_emails_it_again_and_notes_it(admin_client, order, user):
    mail.outbox.clear()

    response = admin_client.post(_workflow(order, "resend"))

    assert _messages(response) == [("success", f"Order confirmation e-mailed again to {user.email}.")]
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert order.order_number in mail.outbox[0].subject + mail.outbox[0].body
    note = OrderEvent.objects.get(order=order, type="note")
    assert note.data == {"message": "Order confirmation e-mailed again."}


def test_order_page_shows_the_timeline_and_payments(admin_client, order):
    page = admin_client.get(f"{ORDERS}{order.pk}/change/")

    assert b'<ol class="order-timeline">' in page.content
    timeline = page.content.split(b'<ol class="order-timeline">')[1].split(b"</ol>")[0]
    assert [part.split(b"</strong>")[0] for part in timeline.split(b"<strong>")[1:]] == [
        b"Placed",
        b"Paid",
        b"Status changed",
    ]
    assert b"Paid 25.50 \xc2\xb7 already refunded 0.00 \xc2\xb7 refundable 25.50" in page.content


@pytest.mark.parametrize("factory", [ModeratorFactory, ExpertFactory])
def test_moderators_and_experts_cannot_run_order_workflows(factory, order):
    client = Client()
    client.force_login(factory())
    for name in ("ship", "deliver", "cancel", "refund", "resend"):
        assert (
            client.post(_workflow(order, name), {"tracking_number": "X", "reason": "x", "amount": "1"}).status_code
            == 403
        )
    order.refresh_from_db()
    assert (order.status, order.tracking_number, order.events.count()) == (OrderStatus.CONFIRMED, "", 3)


def test_bulk_action_reports_what_changed_and_what_was_refused(admin_client, auth_client, user, order):
    admin_client.post(_workflow(order, "ship"), {"tracking_number": "T-1"}, follow=True)
    place(auth_client, user)
    second = Order.objects.exclude(pk=order.pk).get()

    response = admin_client.post(
        ORDERS, {"action": "mark_processing", "_selected_action": [order.pk, second.pk]}, follow=True
    )

    assert _messages(response) == [
        ("success", f"1 order(s) set to processing: {second.order_number}."),
        (
            "warning",
            f"{order.order_number} was not set to processing: An order cannot go from shipped to processing.",
        ),
    ]


def test_bulk_action_that_changes_nothing_says_so_in_a_warning(admin_client, order):
    response = admin_client.post(ORDERS, {"action": "mark_confirmed", "_selected_action": [order.pk]}, follow=True)

    assert _messages(response) == [
        ("warning", f"{order.order_number} was not confirmed: An order cannot go from confirmed to confirmed."),
        ("warning", "No order was confirmed."),
    ]


def test_bulk_cancel_asks_the_reason_then_cancels(admin_client, order):
    ask = admin_client.post(ORDERS, {"action": "cancel_orders", "_selected_action": [order.pk]})
    assert ask.status_code == 200 and b"Reason" in ask.content
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED

    done = admin_client.post(
        ORDERS,
        {"action": "cancel_orders", "_selected_action": [order.pk], "apply": "1", "reason": "Fraud check"},
        follow=True,
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert _messages(done) == [("success", f"1 order(s) cancelled: {order.order_number}.")]


def test_csv_export_of_the_selected_orders(admin_client, order):
    Order.objects.filter(pk=order.pk).update(customer_name="=HYPERLINK(1)")

    response = admin_client.post(ORDERS, {"action": "export_csv", "_selected_action": [order.pk]})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == ["order_number", "created_at", "customer_name", "customer_email", "status", "payment_status"]
    assert rows[1][0] == order.order_number
    assert rows[1][2] == "'=HYPERLINK(1)"
    assert rows[1][4:6] == ["confirmed", "paid"] and rows[1][13] == "25.50"
    assert len(rows) == 2


def test_list_filters_by_date_range_status_and_payment(admin_client, order):
    day = order.created_at.date()

    def count(**params):
        page = admin_client.get(ORDERS, params)
        assert page.status_code == 200, params
        return page.context["cl"].result_count

    assert count(created_at_from=day.isoformat(), created_at_to=day.isoformat()) == 1
    assert count(created_at_from=(day.replace(year=day.year + 1)).isoformat()) == 0
    assert count(created_at_to=(day.replace(year=day.year - 1)).isoformat()) == 0
    assert count(created_at_from="not-a-date") == 1
    assert count(status__exact="confirmed", payment_status__exact="paid") == 1
    assert count(payment_status__exact="failed") == 0


def test_changelist_query_count_does_not_grow_with_orders(admin_client, auth_client, user, order):
    admin_client.get(ORDERS)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(ORDERS)
    for _ in range(4):
        place(auth_client, user)
    with CaptureQueriesContext(connection) as five:
        assert admin_client.get(ORDERS).context["cl"].result_count == 5
    assert len(five.captured_queries) == len(one.captured_queries) == CHANGELIST_QUERIES


# session, user, 2 permission reads, 2 counts, the page of orders with their users, the filter
# choices of the date hierarchy (2)
CHANGELIST_QUERIES = 9


def test_refund_chosen_lines_computes_the_amount_and_returns_stock(admin_client, order):
    item = order.items.get()
    page = admin_client.get(_workflow(order, "refund_lines"))
    assert f"item_{item.pk}" in page.context["form"].fields
    assert b"Bought 1 at 20.00, already refunded 0: at most 1." in page.content

    nothing = admin_client.post(_workflow(order, "refund_lines"), {f"item_{item.pk}": "0", "reason": "x"})
    assert nothing.context["form"].non_field_errors() == ["Choose how many units of at least one line to refund."]
    too_many = admin_client.post(_workflow(order, "refund_lines"), {f"item_{item.pk}": "2", "reason": "x"})
    assert too_many.context["form"].errors[f"item_{item.pk}"] == ["Ensure this value is less than or equal to 1."]
    assert PaymentRefund.objects.count() == 0

    body = {f"item_{item.pk}": "1", "include_shipping": "on", "reason": "Leaking bottle"}
    response = admin_client.post(_workflow(order, "refund_lines"), body)
    assert _messages(response) == [
        ("success", f"Order {order.order_number}: 25.50 refunded for 1 unit(s) (back in stock).")
    ]
    refund = PaymentRefund.objects.get()
    assert [(line.order_item_id, line.quantity, line.restocked) for line in refund.lines.all()] == [(item.pk, 1, True)]
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    item.product.refresh_from_db()
    assert (item.product.stock_quantity, item.product.sales_count) == (100, 0)


def test_admin_notes_are_saved_through_the_service_and_stay_off_the_shopper_pages(admin_client, order, auth_client):
    item = order.items.get()
    inline = {"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "1", "items-MIN_NUM_FORMS": "0",
              "items-MAX_NUM_FORMS": "1000", "items-0-id": str(item.pk), "items-0-order": str(order.pk)}  # fmt: skip
    body = {"notes": "", "admin_notes": "Called the customer", **inline}
    response = admin_client.post(f"{ORDERS}{order.pk}/change/", body)
    assert response.status_code == 302, response.content.decode()[:3000]
    order.refresh_from_db()
    assert order.admin_notes == "Called the customer"
    assert "Called the customer" not in auth_client.get(f"/account/orders/{order.order_number}/").content.decode()
