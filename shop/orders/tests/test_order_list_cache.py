"""The cached order list (shop.orders.list_cache): a hit runs no SQL, and every write path that changes
what the list shows is reflected in the next answer."""

from decimal import Decimal

import pytest

from shop.accounts.tests.factories import UserFactory
from shop.cart.tests.factories import ProductFactory
from shop.orders import services
from shop.orders.models import Order, OrderItem
from shop.orders.tests.helpers import ORDERS, checkout, fill_cart, place

pytestmark = pytest.mark.django_db
D = Decimal


def _order(user, number, *, status="pending", payment_status="pending", email=None, quantity=1):
    order = Order.objects.create(
        order_number=number,
        user=user,
        customer_email=email or (user.email if user else "guest@example.com"),
        currency="USD",
        subtotal=D("10.00"),
        total=D("10.00"),
        status=status,
        payment_status=payment_status,
    )
    OrderItem.objects.create(
        order=order,
        product=ProductFactory(),
        product_name="P",
        quantity=quantity,
        unit_price=10,
        total_price=10 * quantity,
    )
    return order


def _rows(client, **params):
    return [(r["order_number"], r["status"], r["payment_status"], r["item_count"]) for r in _list(client, **params)]


def _list(client, **params):
    response = client.get(ORDERS, params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_a_cached_page_runs_no_sql_and_answers_the_same(auth_client, user, django_assert_num_queries):
    _order(user, "SO-C1")
    _order(user, "SO-C2")
    with django_assert_num_queries(1):
        first = auth_client.get(ORDERS, {"page": 1})
    with django_assert_num_queries(0):
        second = auth_client.get(ORDERS, {"page": 1})
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert second["Allow"] == first["Allow"]
    assert second.json()["meta"] == {"page": 1, "per_page": 20, "total": 2, "total_pages": 1}
    with django_assert_num_queries(1):  # another page size is another page
        assert auth_client.get(ORDERS, {"per_page": 1}).json()["meta"]["total_pages"] == 2


def test_pages_are_per_user_and_per_language(auth_client, user, other_user, django_assert_num_queries):
    from rest_framework.test import APIClient

    _order(user, "SO-MINE")
    _order(other_user, "SO-THEIRS")
    other = APIClient()
    other.force_authenticate(other_user)
    assert _rows(auth_client)[0][0] == "SO-MINE"
    assert _rows(other)[0][0] == "SO-THEIRS"
    _order(other_user, "SO-THEIRS-2")  # another user's change keeps my page
    with django_assert_num_queries(0):
        assert [row[0] for row in _rows(auth_client)] == ["SO-MINE"]
    with django_assert_num_queries(1):
        khmer = auth_client.get(ORDERS, HTTP_ACCEPT_LANGUAGE="km")
    assert [row["order_number"] for row in khmer.json()["data"]] == ["SO-MINE"]


def test_checkout_cancel_and_staff_changes_show_at_once(auth_client, user, staff_user):
    data, _ = place(auth_client, user)
    number = data["order_number"]
    assert _rows(auth_client) == [(number, "confirmed", "paid", 1)]
    second, _ = place(auth_client, user, quantity=3)
    assert _rows(auth_client) == [(second["order_number"], "confirmed", "paid", 3), (number, "confirmed", "paid", 1)]
    auth_client.post(f"{ORDERS}/{second['order_number']}/cancel")
    assert _rows(auth_client)[0][1:3] == ("cancelled", "refunded")
    order = Order.objects.get(order_number=number)
    services.order_status_update(order=order, new_status="processing", by=staff_user)
    assert _rows(auth_client)[1][1] == "processing"
    services.order_fulfillment_update(order=Order.objects.get(pk=order.pk), fulfillment_status="partial", by=staff_user)
    assert _list(auth_client)[1]["fulfillment_status"] == "partial"
    services.order_refund(order=Order.objects.get(pk=order.pk), amount=D("1.00"), reason="dent", by=staff_user)
    assert _rows(auth_client)[1][2] == "partially_refunded"


def test_unpaid_expiry_shows_at_once(auth_client, user, settings):
    from datetime import timedelta

    from django.utils import timezone

    order = _order(user, "SO-UNPAID")  # a card order, nothing paid
    type(user).objects.filter(pk=user.pk).update(total_orders=1, total_spent=order.total)  # as checkout counts it
    assert _rows(auth_client)[0][1] == "pending"
    later = timezone.now() + timedelta(minutes=settings.ORDER_UNPAID_TIMEOUT_MINUTES + 1)
    assert services.orders_expire_unpaid(now=later) == [order.order_number]
    assert _rows(auth_client)[0][1] == "cancelled"


def test_queryset_writes_and_whole_row_saves_show_at_once(auth_client, user, other_user):
    order = _order(user, "SO-Q")
    assert _rows(auth_client) == [("SO-Q", "pending", "pending", 1)]
    Order.objects.filter(pk=order.pk).update(status="processing")
    assert _rows(auth_client)[0][1] == "processing"
    OrderItem.objects.bulk_create(
        [OrderItem(order=order, product=ProductFactory(), product_name="Q", quantity=2, unit_price=1, total_price=2)]
    )
    assert _rows(auth_client)[0][3] == 3
    OrderItem.objects.filter(order=order, quantity=2).update(quantity=4, total_price=4)
    assert _rows(auth_client)[0][3] == 5
    OrderItem.objects.filter(order=order, quantity=4).delete()
    assert _rows(auth_client)[0][3] == 1
    OrderItem.objects.bulk_create(  # lines whose order is not at hand: every user's pages go
        [
            OrderItem(
                order_id=order.pk, product=ProductFactory(), product_name="R", quantity=1, unit_price=1, total_price=1
            )
        ]
    )
    assert _rows(auth_client)[0][3] == 2
    order.refresh_from_db()
    order.user = other_user  # the admin's whole-row save: the order leaves this user's list
    order.save()
    assert _rows(auth_client) == []
    Order.objects.filter(pk=order.pk).update(user=user)
    assert [row[0] for row in _rows(auth_client)] == ["SO-Q"]
    Order.objects.get(pk=order.pk).delete()
    assert _rows(auth_client) == []


def test_writes_the_list_does_not_show_keep_the_page(auth_client, user, django_assert_num_queries):
    order = _order(user, "SO-KEEP")
    _list(auth_client)
    items = list(order.items.all())
    for item in items:
        item.runs_out_on = order.created_at.date()
    OrderItem.objects.bulk_update(items, ["runs_out_on"])
    OrderItem.objects.filter(order=order).update(runs_out_on=None)
    with django_assert_num_queries(0):
        _list(auth_client)


def test_claimed_guest_orders_show_at_once(auth_client, user):
    _order(None, "SO-GUEST", email=user.email)
    assert _rows(auth_client) == []
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    assert services.guest_orders_claim(user=user) == ["SO-GUEST"]
    assert [row[0] for row in _rows(auth_client)] == ["SO-GUEST"]


def test_a_page_read_before_a_write_is_not_served_after_it(auth_client, user, rf):
    """A reader that took the versions before a write commits stores a page nobody is served."""
    from skincare.api import user_pages

    order = _order(user, "SO-RACE")
    _, tag = user_pages.cached_page("orders", user.pk, (1, 20))  # the reader takes the versions, then...
    Order.objects.filter(pk=order.pk).update(status="processing")  # ...a write lands before it stores
    from rest_framework.response import Response

    stale = Response({"status": "success", "data": [], "meta": {}})
    stale.enveloped = True
    user_pages.store_page("orders", user.pk, (1, 20), tag, stale, None)
    assert _rows(auth_client)[0][1] == "processing"


def test_a_new_shopper_and_an_empty_list(api_client):
    shopper = UserFactory()
    api_client.force_authenticate(shopper)
    assert _list(api_client) == []
    _order(shopper, "SO-FIRST")
    assert [row["order_number"] for row in _list(api_client)] == ["SO-FIRST"]


def test_a_checkout_replaces_its_shoppers_version_once_when_it_ends(
    auth_client, user, monkeypatch, django_capture_on_commit_callbacks
):
    """A checkout replaces the shopper's version once, after its commits (one replacement for the order's two
    saves, placed and paid, when its ``skincare.deferred.batch`` ends), none at write time: nothing in the
    checkout reads the list. The lines, inserted with the order, add no Redis write of their own. The list shows
    both lines at once."""
    from skincare.api import user_pages

    replaced, replace = [], user_pages._replace
    monkeypatch.setattr(user_pages, "_replace", lambda keys, **kw: replaced.extend(keys) or replace(keys, **kw))
    _list(auth_client)
    fill_cart(user, (ProductFactory(), 1), (ProductFactory(), 2))

    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    assert [key for key in replaced if key.startswith("userpages:orders:")] == [f"userpages:orders:v:{user.pk}"]
    assert _rows(auth_client) == [(response.json()["data"]["order_number"], "confirmed", "paid", 3)]


@pytest.mark.django_db(transaction=True)
def test_a_committed_checkout_replaces_its_shoppers_version_after_its_commits_once(auth_client, user, monkeypatch):
    """With real commits, the replacements after the order's two commits go together when the checkout ends
    (``skincare.deferred.batch``): one Redis write for the order's two saves, in the batch's pipeline, none at
    write time. The next read shows the paid order."""
    from skincare.api import user_pages

    replaced, replace = [], user_pages._replace
    monkeypatch.setattr(user_pages, "_replace", lambda keys, **kw: replaced.append(list(keys)) or replace(keys, **kw))
    _list(auth_client)
    fill_cart(user, (ProductFactory(), 1), (ProductFactory(), 2))

    response = checkout(auth_client, user)

    assert response.status_code == 201, response.json()
    key = f"userpages:orders:v:{user.pk}"
    assert [keys for keys in replaced if any(k.startswith("userpages:orders:") for k in keys)] == [[key]]
    assert _rows(auth_client) == [(response.json()["data"]["order_number"], "confirmed", "paid", 3)]
