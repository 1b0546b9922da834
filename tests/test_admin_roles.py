"""The Django admin shows each role exactly its part (groups + model permissions)."""

import pytest
from django.contrib import admin
from django.test import Client

from feedback import services as feedback_services
from feedback.models import ModerationItem
from reviews.models import Answer, ContentStatus, Question
from reviews.tests.helpers import deliver
from shop.accounts.models import Role, User
from shop.accounts.tests.factories import AddressFactory, ExpertFactory, ModeratorFactory, StaffFactory, UserFactory
from shop.catalog.tests.factories import ProductFactory
from shop.coupons.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db

OUR_PACKAGES = ("shop.", "feedback.", "reviews.", "skincare.")


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _index_models(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    return {
        f"{app['app_label']}.{model['object_name']}" for app in response.context["app_list"] for model in app["models"]
    }


@pytest.fixture
def money_pages(user):
    product = ProductFactory()
    order = deliver(user, product)
    address = AddressFactory(user=user)
    coupon = CouponFactory()
    return [
        "/admin/orders/order/",
        f"/admin/orders/order/{order.pk}/change/",
        "/admin/orders/paymentrefund/",
        "/admin/coupons/coupon/",
        f"/admin/coupons/coupon/{coupon.pk}/change/",
        "/admin/coupons/coupon/add/",
        "/admin/catalog/product/",
        f"/admin/catalog/product/{product.pk}/change/",
        "/admin/catalog/product/export-csv/",
        "/admin/catalog/product/import-csv/",
        "/admin/accounts/address/",
        f"/admin/accounts/address/{address.pk}/change/",
        "/admin/auth/group/",
    ]


def test_moderator_admin_shows_moderation_and_community_only(user):
    assert _index_models(_login(ModeratorFactory())) == {
        "feedback.ModerationItem",
        "reviews.Review",
        "reviews.Question",
        "reviews.Answer",
        "reviews.ProgressJournal",
        "files.UploadedFile",
        "accounts.User",
    }


def test_moderator_is_refused_every_money_order_coupon_price_and_address_page(money_pages):
    client = _login(ModeratorFactory())
    assert {url: client.get(url).status_code for url in money_pages} == {url: 403 for url in money_pages}


def test_admin_opens_every_page(money_pages):
    client = _login(StaffFactory())
    assert {url: client.get(url).status_code for url in money_pages} == {url: 200 for url in money_pages}


def test_moderator_works_the_moderation_queue(user):
    items = [
        feedback_services.moderation_submit(content_type="review", content_id=n, user=user, text="This cures acne")
        for n in (1, 2)
    ]
    client = _login(ModeratorFactory())
    page = client.get("/admin/feedback/moderationitem/", {"queue": "open"})
    assert page.status_code == 200 and b"This cures acne" in page.content
    assert client.get(f"/admin/feedback/moderationitem/{items[0].pk}/change/").status_code == 200

    client.post("/admin/feedback/moderationitem/", {"action": "reject", "_selected_action": [items[0].pk]})

    assert list(ModerationItem.objects.order_by("pk").values_list("status", flat=True)) == [
        "rejected",
        items[1].status,
    ]


def test_moderator_sees_a_public_profile_without_money_contact_or_addresses(user):
    user.phone = "+85512345678"
    user.save(update_fields=["phone"])
    AddressFactory(user=user, address_line1="77 Secret Street")
    client = _login(ModeratorFactory())

    changelist = client.get("/admin/accounts/user/")
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")

    assert changelist.status_code == 200 and b"column-total_spent" not in changelist.content
    assert b"0 users" in client.get("/admin/accounts/user/", {"q": "+85512345678"}).content
    assert page.status_code == 200
    assert user.email.encode() in page.content and b"community_score" in page.content
    assert b"+85512345678" not in page.content and b"77 Secret Street" not in page.content
    assert b"total_spent" not in page.content


def test_moderator_cannot_change_a_role_or_promote(user):
    client = _login(ModeratorFactory())
    assert client.post(f"/admin/accounts/user/{user.pk}/change/", {"role": "admin"}).status_code == 403
    client.post("/admin/accounts/user/", {"action": "make_expert", "_selected_action": [user.pk]})
    assert User.objects.get(pk=user.pk).role == Role.CUSTOMER


def test_moderator_suspends_shoppers_but_not_staff(user):
    admin_user = StaffFactory()
    client = _login(ModeratorFactory())

    client.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [user.pk, admin_user.pk]})

    assert User.objects.get(pk=user.pk).is_active is False
    assert User.objects.get(pk=admin_user.pk).is_active is True


def test_expert_admin_shows_questions_and_answers_and_verifies(user):
    question = Question.objects.create(product=ProductFactory(), user=user, question="Safe with retinol?")
    answer = Answer.objects.create(question=question, user=user, answer="Yes, at night.")
    expert = ExpertFactory()
    client = _login(expert)

    assert _index_models(client) == {"reviews.Question", "reviews.Answer"}
    assert client.get("/admin/reviews/question/", {"is_answered__exact": "0"}).status_code == 200
    for url in ("/admin/reviews/review/", "/admin/feedback/moderationitem/", "/admin/accounts/user/"):
        assert client.get(url).status_code == 403, url

    client.post("/admin/reviews/answer/", {"action": "approve_qa", "_selected_action": [answer.pk]})
    assert Answer.objects.get(pk=answer.pk).status == ContentStatus.PENDING  # approving is the moderator's
    client.post("/admin/reviews/answer/", {"action": "verify_answers", "_selected_action": [answer.pk]})
    answer.refresh_from_db()
    assert (answer.is_verified_by_admin, answer.verified_by_id) == (True, expert.pk)


def _change_form_data(client, user):
    form = client.get(f"/admin/accounts/user/{user.pk}/change/").context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = field.prepare_value(form[name].value())
        if value is not None:
            data[name] = value
    return {**data, "addresses-TOTAL_FORMS": "0", "addresses-INITIAL_FORMS": "0"}


def test_admin_changing_a_role_in_the_form_moves_groups_and_is_staff(user):
    client = _login(StaffFactory())
    data = _change_form_data(client, user)
    assert {"is_staff", "groups", "user_permissions", "is_superuser"}.isdisjoint(data)

    response = client.post(f"/admin/accounts/user/{user.pk}/change/", {**data, "role": "moderator"})

    assert response.status_code == 302
    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.is_staff, list(stored.groups.values_list("name", flat=True))) == (
        "moderator",
        True,
        ["moderator"],
    )
    client.post(f"/admin/accounts/user/{user.pk}/change/", {**data, "role": "customer"})
    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.is_staff, stored.groups.count()) == ("customer", False, 0)


def test_promote_action_makes_an_expert_with_the_expert_group(user):
    _login(StaffFactory()).post("/admin/accounts/user/", {"action": "make_expert", "_selected_action": [user.pk]})
    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.is_staff, list(stored.groups.values_list("name", flat=True))) == (
        "expert",
        True,
        ["expert"],
    )


def test_every_custom_admin_action_declares_its_permission():
    undeclared = sorted(
        f"{type(model_admin).__name__}.{name}"
        for model_admin in admin.site._registry.values()
        for func, name, _ in model_admin._get_base_actions()
        if func.__module__.startswith(OUR_PACKAGES) and not getattr(func, "allowed_permissions", None)
    )
    assert undeclared == []


def test_customer_cannot_enter_the_admin():
    response = _login(UserFactory()).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
