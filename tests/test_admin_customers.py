"""Customers and coupons in the admin: actions through the services with exact messages; the
customer page's activity sections per role."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from feedback import services as feedback_services
from reviews.models import Review
from reviews.tests.helpers import deliver
from shop.accounts.models import User
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, StaffFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.coupons.models import Coupon, CouponUsage
from shop.coupons.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _messages(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def _act(client, url, action, *objects):
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True)


def test_make_moderator_moves_role_and_group_and_says_who(user):
    staff = StaffFactory()

    response = _act(_login(staff), USERS, "make_moderator", user, staff)

    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.is_staff, list(stored.groups.values_list("name", flat=True))) == (
        "moderator",
        True,
        ["moderator"],
    )
    assert _messages(response) == [
        ("success", f"1 user made moderator: {user.email}."),
        ("warning", f"{staff.email} was not made moderator: that is your own account."),
    ]


def test_make_expert_twice_says_already_expert(user):
    client = _login(StaffFactory())
    _act(client, USERS, "make_expert", user)

    response = _act(client, USERS, "make_expert", user)

    assert _messages(response) == [
        ("warning", f"{user.email} was not made expert: already expert."),
        ("warning", "No user was made expert."),
    ]


def test_moderator_suspends_a_shopper_and_is_told_why_staff_was_refused(user):
    admin_user = StaffFactory()

    response = _act(_login(ModeratorFactory()), USERS, "suspend_users", user, admin_user)

    assert User.objects.get(pk=user.pk).is_active is False
    assert User.objects.get(pk=admin_user.pk).is_active is True
    assert _messages(response) == [
        ("success", f"1 user suspended: {user.email}."),
        ("warning", f"{admin_user.email} was not suspended: only an admin changes staff accounts."),
    ]


def test_activate_brings_a_suspended_user_back(user):
    client = _login(StaffFactory())
    _act(client, USERS, "suspend_users", user)

    response = _act(client, USERS, "activate_users", user)

    assert User.objects.get(pk=user.pk).is_active is True
    assert _messages(response) == [("success", f"1 user activated: {user.email}.")]


@pytest.fixture
def active_customer(user):
    product = ProductFactory()
    order = deliver(user, product)
    User.objects.filter(pk=user.pk).update(total_orders=1, total_spent=Decimal("10.00"), community_score=42)
    Review.objects.create(product=product, user=user, rating=4, title="Fine", review_text="Fine", status="approved")
    item = feedback_services.moderation_submit(content_type="review", content_id=999, user=user, text="This cures acne")
    return {"user": User.objects.get(pk=user.pk), "order": order, "item": item}


def _sections(response):
    assert response.status_code == 200
    return {s["key"]: {i["label"]: i["value"] for i in s["items"]} for s in response.context["customer_sections"]}


def test_admin_sees_orders_reviews_reports_and_community_on_the_customer_page(active_customer):
    customer, order = active_customer["user"], active_customer["order"]

    sections = _sections(_login(StaffFactory()).get(f"{USERS}{customer.pk}/change/"))

    assert list(sections) == ["orders", "reviews", "reports", "community"]
    assert sections["orders"] == {
        "Orders": 1,
        "Total spent": Decimal("10.00"),
        f"{order.order_number} · {order.created_at:%Y-%m-%d}": "Delivered · 10.00",
    }
    assert sections["reviews"] == {
        "Reviews": 1,
        "Reviews approved": 1,
        "Reviews rejected": 0,
        "Questions": 0,
        "Answers": 0,
    }
    assert sections["reports"] == {
        "Their content waiting for moderation": 1,
        "Their content reported by others": 0,
        "Their content rejected": 0,
        "Reports they filed": 0,
    }
    assert sections["community"]["Community score"] == 42


def test_customer_page_links_open_the_lists_of_that_customer(active_customer):
    customer = active_customer["user"]
    client = _login(StaffFactory())
    sections = {s["key"]: s for s in client.get(f"{USERS}{customer.pk}/change/").context["customer_sections"]}
    UserFactory()  # someone else's content must not show

    counts = {}
    for key, label in (
        ("orders", "Orders"),
        ("reviews", "Reviews"),
        ("reports", "Their content waiting for moderation"),
    ):
        url = next(i["url"] for i in sections[key]["items"] if i["label"] == label)
        counts[key] = client.get(url).context["cl"].result_count
    assert counts == {"orders": 1, "reviews": 1, "reports": 1}


def test_moderator_sees_no_orders_on_the_customer_page(active_customer):
    customer = active_customer["user"]

    response = _login(ModeratorFactory()).get(f"{USERS}{customer.pk}/change/")

    assert list(_sections(response)) == ["reviews", "reports", "community"]
    assert active_customer["order"].order_number.encode() not in response.content


def test_expert_cannot_open_the_customer_page(active_customer):
    assert _login(ExpertFactory()).get(f"{USERS}{active_customer['user'].pk}/change/").status_code == 403


def test_coupon_deactivate_and_activate_say_what_changed():
    active, inactive = CouponFactory(code="SPRING"), CouponFactory(code="OLD", status="inactive")
    client = _login(StaffFactory())

    response = _act(client, "/admin/coupons/coupon/", "deactivate", active, inactive)

    assert set(Coupon.objects.values_list("status", flat=True)) == {"inactive"}
    assert _messages(response) == [
        ("success", "1 coupon(s) deactivated: SPRING."),
        ("warning", "Already inactive: OLD."),
    ]
    response = _act(client, "/admin/coupons/coupon/", "activate", active)
    assert Coupon.objects.get(pk=active.pk).status == "active"
    assert _messages(response) == [("success", "1 coupon(s) activated: SPRING.")]


def test_coupon_page_shows_its_usage(user):
    coupon = CouponFactory(code="SAVE5", usage_limit=10)
    first, second = deliver(user, ProductFactory()), deliver(user, ProductFactory())
    CouponUsage.objects.create(coupon=coupon, user=user, order=first, discount_amount=Decimal("5.00"))
    CouponUsage.objects.create(
        coupon=coupon, user=user, order=second, discount_amount=Decimal("3.00"), released_at=first.created_at
    )

    page = _login(StaffFactory()).get(f"/admin/coupons/coupon/{coupon.pk}/change/")

    assert b"1 use(s) of 10 \xc2\xb7 1 released by cancelled orders \xc2\xb7 5.00 given in discounts" in page.content
