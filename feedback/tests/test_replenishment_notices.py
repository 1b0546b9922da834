"""A due replenishment reminder becomes a notification (in-app, e-mail and push per preferences)."""

from datetime import date

import pytest
from django.core import mail

from feedback.models import Notification, NotificationType
from shop.catalog.tests.factories import ProductFactory
from shop.orders.models import OrderItem
from skincare import events

pytestmark = pytest.mark.django_db
LIST = "/api/v1/notifications"


def due(user, product, number="SK-2603-ABCD1234"):
    events.replenishment_due.send(
        sender=OrderItem, user_id=user.pk, product=product, order_number=number, runs_out_on=date(2026, 4, 20)
    )


def test_a_due_reminder_notifies_with_a_reorder_button(auth_client, user):
    product = ProductFactory(name="Niacinamide serum")
    due(user, product)
    notice = Notification.objects.get(user=user)
    assert notice.type == NotificationType.REPLENISHMENT
    assert notice.title == "Running low on Niacinamide serum?"
    assert notice.message == "By our estimate your Niacinamide serum runs out around 2026-04-20."
    assert notice.action_url == "/account/orders/SK-2603-ABCD1234/"
    assert notice.action_buttons[0] == {
        "label": "Reorder",
        "method": "POST",
        "url": "/api/v1/orders/SK-2603-ABCD1234/reorder",
    }
    assert mail.outbox[-1].to == [user.email]
    shown = auth_client.get(LIST).json()["data"][0]
    assert (shown["type"], shown["related_key"]) == ("replenishment", "SK-2603-ABCD1234")


def test_the_email_follows_the_preferences(auth_client, user):
    response = auth_client.post(f"{LIST}/preferences", {"types": {"replenishment": {"email": False}}}, format="json")
    assert response.status_code == 200, response.json()
    due(user, ProductFactory())
    assert Notification.objects.filter(user=user, type="replenishment").count() == 1  # in-app kept
    assert mail.outbox == []
