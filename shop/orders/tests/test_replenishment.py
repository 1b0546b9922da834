"""Replenishment reminders: run-out estimates on delivery, the daily task with a moving clock,
once per purchase, opt-outs, reorder from the order."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.cart.models import Cart, CartLine
from shop.cart.tests.factories import ProductFactory
from shop.catalog.models import ProductStatus
from shop.orders.models import Order, ReplenishmentReminder
from shop.orders.replenishment import replenishment_due, replenishment_reminders_send
from shop.orders.tasks import replenishment_reminders_task
from shop.orders.tests.helpers import checkout, fill_cart
from skincare import events

pytestmark = pytest.mark.django_db
D = Decimal
STAFF = "/api/v1/staff/orders"
DELIVERED_AT = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """``clock(when)`` sets ``timezone.now()``."""

    def move(when):
        monkeypatch.setattr(timezone, "now", lambda: when)

    return move


@pytest.fixture
def announced():
    received = []

    def receiver(sender, user_id, product, order_number, runs_out_on, **kwargs):
        received.append((user_id, product.pk, order_number, runs_out_on))

    events.replenishment_due.connect(receiver, dispatch_uid="test-replenishment")
    yield received
    events.replenishment_due.disconnect(dispatch_uid="test-replenishment")


def serum(**kwargs):
    """30 ml of serum at the default 0.6 ml a day: 50 days per bottle."""
    return ProductFactory(product_type="serum", size_amount=D("30.00"), size_unit="ml", price=D("20.00"), **kwargs)


def delivered(auth_client, staff_client, user, clock, *lines, when=DELIVERED_AT):
    clock(when - timedelta(days=2))
    fill_cart(user, *lines)
    number = checkout(auth_client, user).json()["data"]["order_number"]
    assert staff_client.post(f"{STAFF}/{number}/ship", {"tracking_number": "T1"}, format="json").status_code == 200
    clock(when)
    response = staff_client.patch(f"{STAFF}/{number}", {"status": "delivered"}, format="json")
    assert response.status_code == 200, response.json()
    return Order.objects.get(order_number=number)


def at(day):
    return datetime.combine(day, datetime.min.time().replace(hour=9), tzinfo=UTC)


def test_delivery_estimates_when_each_line_runs_out(auth_client, staff_client, user, clock):
    no_size = ProductFactory()
    order = delivered(auth_client, staff_client, user, clock, (serum(), 2), (no_size, 1))
    dates = {item.product_id: item.runs_out_on for item in order.items.all()}
    assert dates[no_size.pk] is None
    assert [d for d in dates.values() if d] == [DELIVERED_AT.date() + timedelta(days=100)]  # 2 x 50 days


def test_the_daily_task_reminds_once_a_few_days_before(auth_client, staff_client, user, clock, announced, settings):
    settings.REPLENISHMENT_REMIND_DAYS_BEFORE = 5
    product = serum()
    order = delivered(auth_client, staff_client, user, clock, (product, 1))
    runs_out = DELIVERED_AT.date() + timedelta(days=50)

    clock(at(runs_out - timedelta(days=6)))
    assert replenishment_reminders_task.delay().get() == 0
    clock(at(runs_out - timedelta(days=5)))
    assert replenishment_reminders_task.delay().get() == 1
    assert announced == [(user.pk, product.pk, order.order_number, runs_out)]
    clock(at(runs_out - timedelta(days=4)))
    assert replenishment_reminders_send() == 0  # once per purchase
    assert ReplenishmentReminder.objects.get().order_item.order_id == order.pk
    assert len(announced) == 1


def test_no_reminder_when_opted_out_or_bought_again(auth_client, staff_client, user, clock, announced):
    opted, rebought, other = serum(), serum(), serum()
    delivered(auth_client, staff_client, user, clock, (opted, 1), (rebought, 1), (other, 1))
    assert (
        auth_client.post("/api/v1/replenishment/opt-outs", {"product_id": opted.pk}, format="json").status_code == 201
    )
    clock(DELIVERED_AT + timedelta(days=10))
    Cart.objects.filter(user=user).delete()  # the old cart expired meanwhile
    fill_cart(user, (rebought, 1))
    assert checkout(auth_client, user).status_code == 201

    clock(at(DELIVERED_AT.date() + timedelta(days=46)))
    assert replenishment_reminders_send() == 1
    assert [product_id for _, product_id, _, _ in announced] == [other.pk]


def test_the_due_selection_is_one_query(auth_client, staff_client, user, clock, django_assert_num_queries):
    delivered(auth_client, staff_client, user, clock, (serum(), 1), (serum(), 1))
    with django_assert_num_queries(1):
        rows = list(replenishment_due(today=DELIVERED_AT.date() + timedelta(days=46)))
    assert len(rows) == 2


def test_opt_outs_api(auth_client, user):
    product = serum()
    url = "/api/v1/replenishment/opt-outs"
    assert auth_client.post(url, {"product_id": product.pk}, format="json").status_code == 201
    assert auth_client.post(url, {"product_id": product.pk}, format="json").status_code == 201  # idempotent
    listed = auth_client.get(url).json()
    assert [(row["product_id"], row["product_name"]) for row in listed["data"]] == [(product.pk, product.name)]
    assert listed["meta"]["total"] == 1
    assert auth_client.delete(f"{url}/{product.pk}").status_code == 204
    assert auth_client.get(url).json()["data"] == []
    missing = auth_client.post(url, {"product_id": 999_999}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (404, "PRODUCT_NOT_FOUND")


def test_reorder_builds_a_cart_and_reports_unavailable_items(auth_client, user):
    available, gone, short = ProductFactory(stock_quantity=10), ProductFactory(), ProductFactory(stock_quantity=5)
    fill_cart(user, (available, 2), (gone, 1), (short, 3))
    data = checkout(auth_client, user).json()["data"]
    gone.status = ProductStatus.ARCHIVED
    gone.save()
    short.stock_quantity = 1
    short.save()

    response = auth_client.post(f"/api/v1/orders/{data['order_number']}/reorder")
    assert response.status_code == 200, response.json()
    body = response.json()["data"]
    assert body["added"] == 1
    assert sorted((row["product_name"], row["code"]) for row in body["unavailable"]) == sorted(
        [(gone.name, "PRODUCT_UNAVAILABLE"), (short.name, "INSUFFICIENT_STOCK")]
    )
    assert [(line["product"]["id"], line["quantity"]) for line in body["cart"]["items"]] == [(available.pk, 2)]
    assert list(CartLine.objects.filter(cart__user=user).values_list("product_id", "quantity")) == [(available.pk, 2)]


def test_reorder_of_someone_elses_order_is_not_found(auth_client, user, other_user):
    from rest_framework.test import APIClient

    fill_cart(user, (ProductFactory(), 1))
    number = checkout(auth_client, user).json()["data"]["order_number"]
    other = APIClient()
    other.force_authenticate(other_user)
    response = other.post(f"/api/v1/orders/{number}/reorder")
    assert (response.status_code, response.json()["code"]) == (404, "ORDER_NOT_FOUND")


def test_reorder_answers_the_cart_with_its_product_images(auth_client, user):
    """Found by the fuzzer: the reorder answer fed the already rendered cart back through a serializer
    whose image fields read products, so any product with an image answered 500."""
    from shop.catalog.models import ProductMedia
    from shop.files.tests.factories import UploadedFileFactory

    product = ProductFactory(stock_quantity=10)
    file = UploadedFileFactory(
        context="product",
        is_public=True,
        file="uploads/products/reorder.jpg",
        thumbnails={"small": "uploads/products/reorder-small.jpg"},
    )
    ProductMedia.objects.create(product=product, file=file, is_primary=True)
    fill_cart(user, (product, 2))
    data = checkout(auth_client, user).json()["data"]

    response = auth_client.post(f"/api/v1/orders/{data['order_number']}/reorder")
    assert response.status_code == 200, response.content
    (line,) = response.json()["data"]["cart"]["items"]
    assert (line["product"]["id"], line["quantity"]) == (product.pk, 2)
    image = line["product"]["image"]
    assert image["url"] == "http://testserver/media/uploads/products/reorder.jpg"
    assert image["thumbnail"] == "http://testserver/media/uploads/products/reorder-small.jpg"
