from decimal import Decimal

import pytest
from django.core import mail

from feedback import services
from feedback.models import Notification, NotificationType, PushDevice
from shop.accounts.tests.factories import UserFactory
from shop.wishlist.models import WishlistFeedback, WishlistItem

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications"


def notify(user, type=NotificationType.REVIEW_APPROVED, **kwargs):
    return services.notification_create(user=user, type=type, title="Hello", message="Something happened", **kwargs)


def test_list_read_unread_count_and_read_all(auth_client, user, other_user):
    first, second = notify(user), notify(user, NotificationType.ANSWER_HELPFUL)
    notify(other_user)
    response = auth_client.get(LIST)
    assert response.status_code == 200 and response.json()["meta"]["total"] == 2
    assert auth_client.get(f"{LIST}/unread-count").json()["data"] == {"unread": 2}
    read = auth_client.put(f"{LIST}/{first.pk}/read")
    assert read.status_code == 200 and read.json()["data"]["is_read"] is True
    assert auth_client.get(LIST, {"unread": "true"}).json()["meta"]["total"] == 1
    assert auth_client.get(LIST, {"type": "answer_helpful"}).json()["data"][0]["id"] == second.pk
    assert auth_client.put(f"{LIST}/read-all").json()["data"] == {"updated": 1}
    assert auth_client.get(f"{LIST}/unread-count").json()["data"] == {"unread": 0}
    assert auth_client.delete(f"{LIST}/{second.pk}").status_code == 204
    assert auth_client.get(LIST).json()["meta"]["total"] == 1


def test_other_users_notifications_are_404(auth_client, other_user):
    theirs = notify(other_user)
    assert auth_client.put(f"{LIST}/{theirs.pk}/read").status_code == 404
    assert auth_client.delete(f"{LIST}/{theirs.pk}").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).is_read is False


def test_anonymous_and_bad_filters(api_client, auth_client):
    assert api_client.get(LIST).status_code == 401
    assert auth_client.get(LIST, {"type": "nope"}).status_code == 400
    assert auth_client.get(LIST, {"per_page": 500}).status_code == 400


def test_list_query_count_is_constant(auth_client, user, django_assert_num_queries):
    for _ in range(30):
        notify(user)
    with django_assert_num_queries(1):  # the page and its total (a window count) in one statement
        assert len(auth_client.get(LIST, {"per_page": 30}).json()["data"]) == 30
    params = {"per_page": 30, "unread": "true", "type": "review_approved"}
    with django_assert_num_queries(1):
        assert len(auth_client.get(LIST, params).json()["data"]) == 30


def _varied_notifications(user):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    made = [
        notify(user, action_buttons=[{"label": "Open", "url": "/o/1"}, {"label": "Later", "extra": None}]),
        notify(user, NotificationType.ORDER_UPDATE, related_type="order", related_id=42, related_key="SO-42"),
        notify(user, NotificationType.WISHLIST_SALE, thumbnail_url="/media/t.jpg", action_url="/p/x/"),
        notify(user, priority="high"),
        notify(user),
    ]
    Notification.objects.filter(pk=made[4].pk).update(expires_at=now + timedelta(days=2))
    Notification.objects.filter(pk=made[1].pk).update(is_read=True, read_at=now - timedelta(hours=3))
    expired, dismissed = notify(user), notify(user)
    Notification.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(seconds=1))
    Notification.objects.filter(pk=dismissed.pk).update(dismissed_at=now)
    return made, expired, dismissed


@pytest.mark.parametrize("zone", ["UTC", "Asia/Phnom_Penh"])
def test_notification_rows_match_the_serializer(user, zone):
    """The list renders value rows by hand: every key and value as ``NotificationOutput`` writes them."""
    from django.utils import timezone

    from feedback.selectors import notifications_for, notifications_page
    from feedback.serializers import NotificationOutput, notification_rows

    made, expired, dismissed = _varied_notifications(user)
    with timezone.override(zone):
        rows, total, next_expiry = notifications_page(user=user, offset=0, limit=50)
        expected = NotificationOutput(notifications_for(user=user), many=True).data
        rendered = notification_rows(rows)
    assert total == 5 and next_expiry == Notification.objects.get(pk=made[4].pk).expires_at
    assert [row["id"] for row in rendered] == [n.pk for n in reversed(made)]  # expired and dismissed left out
    assert [list(row) for row in rendered] == [list(row) for row in expected]  # same keys, same order
    assert rendered == [dict(row) for row in expected]
    assert rendered[-1]["action_buttons"] == [{"label": "Open", "url": "/o/1"}, {"label": "Later", "extra": None}]
    assert rendered[-2]["read_at"] is not None and rendered[0]["expires_at"] is not None


def test_list_pages_filters_and_totals(auth_client, user, other_user):
    made, _, _ = _varied_notifications(user)
    notify(other_user)
    newest_first = [n.pk for n in reversed(made)]

    def page(**params):
        body = auth_client.get(LIST, params).json()
        return [row["id"] for row in body["data"]], body["meta"]

    assert page() == (newest_first, {"page": 1, "per_page": 20, "total": 5, "total_pages": 1})
    assert page(per_page=2, page=2) == (newest_first[2:4], {"page": 2, "per_page": 2, "total": 5, "total_pages": 3})
    assert page(per_page=2, page="last") == (newest_first[4:], {"page": 3, "per_page": 2, "total": 5, "total_pages": 3})
    assert page(unread="true", per_page=1)[1]["total"] == 4
    assert page(unread="false") == ([made[1].pk], {"page": 1, "per_page": 20, "total": 1, "total_pages": 1})
    assert page(type="wishlist_sale")[0] == [made[2].pk]
    assert page(type="achievement") == ([], {"page": 1, "per_page": 20, "total": 0, "total_pages": 1})
    for params in ({"page": 4, "per_page": 2}, {"page": 0}, {"page": "x"}, {"type": "achievement", "page": 2}):
        response = auth_client.get(LIST, params)
        assert response.status_code == 404, params
        assert response.json()["code"] == "NOT_FOUND"


def test_email_follows_preferences(auth_client, user):
    notify(user)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "Something happened" in mail.outbox[0].body
    assert Notification.objects.filter(email_sent=True).count() == 1
    # answer_helpful: no e-mail by default
    notify(user, NotificationType.ANSWER_HELPFUL)
    assert len(mail.outbox) == 1
    response = auth_client.post(f"{LIST}/preferences", {"types": {"review_approved": {"email": False}}}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["types"]["review_approved"] == {"email": False, "push": True, "in_app": True}
    notify(user)
    assert len(mail.outbox) == 1
    auth_client.post(f"{LIST}/preferences", {"email_enabled": False}, format="json")
    notify(user, NotificationType.WISHLIST_SALE)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=user).count() == 4  # in-app always kept


@pytest.mark.parametrize(
    "payload",
    [
        {"types": {"nope": {"email": True}}},
        {"types": {"review_approved": {"sms": True}}},
        {"types": {"review_approved": {"email": "maybe"}}},
        {"types": "all"},
        {"email_enabled": "perhaps"},
    ],
)
def test_bad_preferences_are_400(auth_client, payload):
    response = auth_client.post(f"{LIST}/preferences", payload, format="json")
    assert response.status_code == 400 and response.json()["status"] == "error"


def test_push_devices(auth_client, user, other_user):
    assert auth_client.post(f"{LIST}/devices", {"token": "tok-1", "platform": "ios"}, format="json").status_code == 201
    assert auth_client.post(f"{LIST}/devices", {"token": "tok-1", "platform": "ios"}, format="json").status_code == 201
    assert PushDevice.objects.filter(user=user).count() == 1
    assert auth_client.post(f"{LIST}/devices", {"platform": "ios"}, format="json").status_code == 400
    assert auth_client.post(f"{LIST}/devices", {"token": "x", "platform": "nokia"}, format="json").status_code == 400
    PushDevice.objects.create(user=other_user, token="theirs")
    assert auth_client.delete(f"{LIST}/devices", {"token": "theirs"}, format="json").status_code == 404
    assert auth_client.delete(f"{LIST}/devices", {"token": "tok-1"}, format="json").status_code == 204


# --- Events -------------------------------------------------------------------------------------


def test_order_status_change_creates_notification(user):
    from shop.orders.models import Order
    from skincare import events

    order = Order.objects.create(
        order_number="SO-1", user=user, customer_email=user.email, currency="USD", subtotal=10, total=10
    )
    events.order_status_changed.send(sender=Order, order=order, old_status="paid", new_status="shipped", by=None)
    events.order_placed.send(sender=Order, order=order)
    notes = list(Notification.objects.filter(user=user).order_by("id"))
    assert [n.type for n in notes] == ["order_update", "order_update"]
    assert notes[0].title == "Order SO-1 shipped" and notes[0].related_type == "order"
    assert notes[0].email_wanted is False  # the orders app e-mails these itself


def test_price_drop_notifies_wishers_who_want_it(product, user, other_user):
    from shop.catalog.services import product_update

    third = UserFactory()
    for shopper in (user, other_user, third):
        WishlistItem.objects.create(user=shopper, product=product)
    WishlistFeedback.objects.create(user=other_user, product=product, notify_on_sale=False)
    product_update(product=product, data={"price": Decimal("7.50")})
    sale = Notification.objects.filter(type="wishlist_sale")
    assert set(sale.values_list("user_id", flat=True)) == {user.pk, third.pk}
    assert "7.50" in sale.first().message
    # a second drop within the cooldown does not notify again
    product_update(product=product, data={"price": Decimal("7.00")})
    assert sale.count() == 2
    # a price rise notifies nobody
    product_update(product=product, data={"price": Decimal("12.00")})
    assert sale.count() == 2


def test_back_in_stock_notifies(product, user, other_user):
    from shop.catalog.services import product_update

    product_update(product=product, data={"stock_quantity": 0})
    WishlistItem.objects.create(user=user, product=product)
    WishlistItem.objects.create(user=other_user, product=product)
    WishlistFeedback.objects.create(user=other_user, product=product, notify_on_restock=False)
    product_update(product=product, data={"stock_quantity": 5})
    restock = Notification.objects.filter(type="wishlist_restock")
    assert list(restock.values_list("user_id", flat=True)) == [user.pk]


def test_bulk_price_change_notifies(product, user):
    from shop.catalog.services import products_bulk_update

    WishlistItem.objects.create(user=user, product=product)
    products_bulk_update(product_ids=[product.pk], price_change_percent=-20)
    assert Notification.objects.filter(user=user, type="wishlist_sale").count() == 1
