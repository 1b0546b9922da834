"""The notifications page: the shopper's inbox, mark read, and channel preferences per type."""

import pytest
from django.core.cache import cache
from django.test import Client

from feedback import services
from feedback.models import Notification, NotificationPreference
from shop.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/account/notifications/"


@pytest.fixture
def shopper():
    return UserFactory(email="dara@example.com")


@pytest.fixture
def shopper_client(shopper):
    client = Client()
    client.force_login(shopper)
    return client


def _notify(user, title, **extra):
    return Notification.objects.create(user=user, type="order_update", title=title, message=f"{title}.", **extra)


def test_the_page_needs_a_signed_in_shopper(client):
    response = client.get(PAGE)

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_the_inbox_lists_only_mine_newest_first_in_constant_queries(shopper, shopper_client, django_assert_num_queries):
    _notify(shopper, "Shipped")
    _notify(shopper, "Delivered")
    _notify(UserFactory(), "Someone else's")
    shopper_client.get(PAGE)
    cache.clear()

    with django_assert_num_queries(7):
        response = shopper_client.get(PAGE)
    for n in range(30):
        _notify(shopper, f"More {n}")
    cache.clear()
    with django_assert_num_queries(7):
        more = shopper_client.get(PAGE)

    assert [n.title for n in response.context["page"].object_list] == ["Delivered", "Shipped"]
    assert "Someone else" not in response.content.decode()
    assert len(more.context["page"].object_list) == 20
    assert more.context["page"].paginator.count == 32
    assert [n.title for n in shopper_client.get(PAGE + "?page=2").context["page"].object_list][-2:] == [
        "Delivered",
        "Shipped",
    ]


def test_mark_one_and_all_read(shopper, shopper_client):
    first, second = _notify(shopper, "Shipped"), _notify(shopper, "Delivered")

    response = shopper_client.post(f"{PAGE}{first.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, PAGE)
    assert list(Notification.objects.order_by("pk").values_list("is_read", flat=True)) == [True, False]

    shopper_client.post(f"{PAGE}read-all/")
    assert list(Notification.objects.order_by("pk").values_list("is_read", flat=True)) == [True, True]
    assert second.pk


def test_anothers_notification_stays_unread(shopper_client):
    other = _notify(UserFactory(), "Not yours")

    response = shopper_client.post(f"{PAGE}{other.pk}/read/", follow=True)

    assert "Notification not found." in response.content.decode()
    assert Notification.objects.get().is_read is False


def test_the_preferences_form_saves_channels_per_type(shopper, shopper_client):
    response = shopper_client.post(
        f"{PAGE}preferences/", {"email_enabled": "on", "order_update.email": "on", "community.push": "on"}
    )

    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=shopper)
    assert (preference.email_enabled, preference.push_enabled) == (True, False)
    assert preference.type_settings["order_update"] == {"email": True, "push": False}
    assert preference.type_settings["community"] == {"email": False, "push": True}
    assert services.channels_for(preference, "order_update") == {"email": True, "push": False}
    page = shopper_client.get(PAGE).content.decode()
    assert 'name="order_update.email" aria-label="Order update by e-mail" checked' in page
    assert 'name="order_update.push" aria-label="Order update by push">' in page


def test_switching_email_off_keeps_the_per_type_choices_on_the_form(shopper, shopper_client):
    shopper_client.post(f"{PAGE}preferences/", {"order_update.email": "on"})

    page = shopper_client.get(PAGE)

    order_update = next(t for t in page.context["types"] if t["value"] == "order_update")
    assert (order_update["email"], order_update["push"]) == (True, False)
    assert NotificationPreference.objects.get(user=page.wsgi_request.user).email_enabled is False


def test_posts_need_csrf(shopper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    notification = _notify(shopper, "Shipped")

    assert client.post(f"{PAGE}{notification.pk}/read/").status_code == 403
    assert client.get(f"{PAGE}{notification.pk}/read/").status_code == 405
    assert Notification.objects.get().is_read is False


def test_the_notifications_page_speaks_khmer(shopper, shopper_client):
    shopper_client.cookies["django_language"] = "km"

    html = shopper_client.get(PAGE).content.decode()

    assert "<h1>ការជូនដំណឹង</h1>" in html
    assert '<th scope="row">ព័ត៌មានថ្មីអំពីការបញ្ជាទិញ</th>' in html
