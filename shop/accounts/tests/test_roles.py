import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from shop.accounts import roles, services
from shop.accounts.models import Role, User
from shop.accounts.tests.factories import ExpertFactory, ModeratorFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _names(permissions):
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions.select_related("content_type")}


def _role_groups(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_fresh_migrate_gives_each_role_group_exactly_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {"admin", "moderator", "expert"}
    assert _names(Group.objects.get(name="moderator").permissions.all()) == roles.MODERATOR_PERMISSIONS
    assert _names(Group.objects.get(name="expert").permissions.all()) == roles.EXPERT_PERMISSIONS
    admin_permissions = _names(Group.objects.get(name="admin").permissions.all())
    assert admin_permissions == _names(Permission.objects.all())
    assert {"orders.add_paymentrefund", "coupons.add_coupon", "accounts.view_address"} <= admin_permissions


def test_migrate_restores_a_tampered_role_group():
    moderator = Group.objects.get(name="moderator")
    moderator.permissions.add(Permission.objects.get(content_type__app_label="orders", codename="change_order"))
    moderator.permissions.remove(Permission.objects.get(codename="view_moderationitem"))

    call_command("migrate", verbosity=0, interactive=False)

    assert _names(moderator.permissions.all()) == roles.MODERATOR_PERMISSIONS


def test_role_data_naming_a_missing_permission_is_refused(monkeypatch):
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.EXPERT, frozenset({"reviews.view_answer", "reviews.fly_answer"}))
    with pytest.raises(ImproperlyConfigured, match="reviews.fly_answer"):
        roles.role_groups_sync()


@pytest.mark.parametrize(
    ("role", "group", "is_staff"),
    [("admin", "admin", True), ("moderator", "moderator", True), ("expert", "expert", True), ("customer", None, False)],
)
def test_role_change_sets_group_and_is_staff(role, group, is_staff):
    user = ModeratorFactory()
    user.groups.add(Group.objects.create(name="newsletter"))  # a non-role group stays

    services.user_set_role(user=user, role=role)

    stored = User.objects.get(pk=user.pk)
    assert (stored.role, stored.is_staff) == (role, is_staff)
    assert _role_groups(user) == ({group} if group else set()) | {"newsletter"}


def test_every_save_path_keeps_groups_and_is_staff_with_the_role():
    user = UserFactory()
    assert (user.is_staff, _role_groups(user)) == (False, set())

    user.role = Role.MODERATOR
    user.save(update_fields=["role"])  # is_staff is saved with the role even when not named
    stored = User.objects.get(pk=user.pk)
    assert (stored.is_staff, _role_groups(user)) == (True, {"moderator"})

    user.role = Role.CUSTOMER
    user.save()
    stored = User.objects.get(pk=user.pk)
    assert (stored.is_staff, _role_groups(user)) == (False, set())

    created = User.objects.create_user("new.expert@example.com", "x", role=Role.EXPERT, is_staff=False)
    assert (User.objects.get(pk=created.pk).is_staff, _role_groups(created)) == (True, {"expert"})


def test_saving_other_fields_does_not_touch_groups(django_assert_num_queries):
    user = ModeratorFactory()
    user.first_name = "Sophea"
    with django_assert_num_queries(1):
        user.save(update_fields=["first_name"])


@pytest.mark.parametrize(
    ("factory", "held", "refused"),
    [
        (
            ModeratorFactory,
            {"feedback.change_moderationitem", "reviews.change_review", "accounts.view_user", roles.MODERATE_USER},
            {
                "orders.view_order",
                "orders.change_order",
                "orders.add_paymentrefund",
                "coupons.add_coupon",
                "catalog.change_product",
                "accounts.view_address",
                "accounts.change_user",
                roles.VERIFY_ANSWER,
            },
        ),
        (
            ExpertFactory,
            {roles.VERIFY_ANSWER, roles.ANSWER_AS_EXPERT, "reviews.view_question"},
            {"feedback.view_moderationitem", "reviews.change_answer", "reviews.view_review", "orders.view_order"},
        ),
        (UserFactory, set(), {"reviews.view_question", "feedback.view_moderationitem", "orders.view_order"}),
        (StaffFactory, {"orders.change_order", "coupons.add_coupon", roles.VERIFY_ANSWER, "auth.change_group"}, set()),
    ],
)
def test_each_role_holds_its_permissions_and_no_others(factory, held, refused):
    user = User.objects.get(pk=factory().pk)
    assert {p for p in held | refused if user.has_perm(p)} == held


def test_superuser_keeps_everything_whatever_the_role():
    user = UserFactory(role=Role.CUSTOMER, is_superuser=True)
    stored = User.objects.get(pk=user.pk)
    assert stored.is_staff is True
    assert stored.has_perm("orders.add_paymentrefund") and stored.has_perm(roles.VERIFY_ANSWER)


def test_suspended_admin_holds_nothing():
    user = StaffFactory()
    services.user_suspend(user=user)
    assert User.objects.get(pk=user.pk).has_perm("orders.view_order") is False
