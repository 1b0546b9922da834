"""Signed-in API requests read the user's authentication columns from the cache
(``shop.accounts.authentication``); every change to the account is seen on the very next request."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from shop.accounts import authentication
from shop.accounts.authentication import auth_user_get
from shop.accounts.models import Role, User
from shop.accounts.services import tokens_for, user_activate, user_set_role, user_suspend
from shop.accounts.tests.factories import UserFactory
from shop.testing import ChangeBeforeStore

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"
CART = "/api/v1/cart"
STAFF = "/api/v1/staff/customers"


def jwt_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    return client


def test_a_signed_in_request_reads_no_user_row_once_cached(django_assert_num_queries):
    user = UserFactory()
    client = jwt_client(user)
    assert client.get(CART).status_code == 200  # fills the cache (and creates the cart)
    with django_assert_num_queries(1):  # the cart with its lines (one joined read); no user row
        response = client.get(CART)
    assert response.status_code == 200


def test_suspension_and_reactivation_apply_to_the_next_request():
    user = UserFactory()
    client = jwt_client(user)
    assert client.get(CART).status_code == 200
    user_suspend(user=user)
    refused = client.get(CART)
    assert (refused.status_code, refused.json()["code"]) == (401, "AUTHENTICATION_FAILED")
    user_activate(user=user)
    assert client.get(CART).status_code == 200


def test_a_deleted_user_is_refused_at_once():
    user = UserFactory()
    client = jwt_client(user)
    assert client.get(CART).status_code == 200
    user.delete()
    assert client.get(CART).status_code == 401


def test_a_role_change_applies_to_the_next_request():
    user = UserFactory()
    client = jwt_client(user)
    assert client.get(STAFF).status_code == 403
    user_set_role(user=user, role=Role.ADMIN)
    assert client.get(STAFF).status_code == 200
    user_set_role(user=User.objects.get(pk=user.pk), role=Role.CUSTOMER)
    assert client.get(STAFF).status_code == 403


def test_profile_fields_and_counters_are_always_read_fresh():
    """Only the authentication columns are cached: a write that skips ``save()`` (counters kept with
    ``update()``) shows on the next request."""
    user = UserFactory(first_name="Dara")
    client = jwt_client(user)
    assert client.get(ME).json()["data"]["first_name"] == "Dara"
    User.objects.filter(pk=user.pk).update(first_name="Sophea", total_orders=7)
    data = client.get(ME).json()["data"]
    assert data["first_name"] == "Sophea"


def test_other_columns_load_together_in_one_query(django_assert_num_queries):
    user = UserFactory(first_name="Dara")
    auth_user_get(user.pk)
    with django_assert_num_queries(0):
        cached = auth_user_get(user.pk)
        assert (cached.pk, cached.email, cached.is_active, cached.role) == (user.pk, user.email, True, Role.CUSTOMER)
    with django_assert_num_queries(1):
        assert (cached.first_name, cached.skin_type, cached.total_orders) == ("Dara", user.skin_type, 0)


def test_a_full_save_of_the_cached_user_writes_every_column():
    user = UserFactory(first_name="Dara", last_name="Chan")
    before = User.objects.get(pk=user.pk).updated_at
    cached = auth_user_get(user.pk)
    cached.role = Role.EXPERT
    cached.save()
    saved = User.objects.get(pk=user.pk)
    assert (saved.role, saved.first_name, saved.last_name) == (Role.EXPERT, "Dara", "Chan")
    assert saved.updated_at > before
    assert auth_user_get(user.pk).role == Role.EXPERT


def test_group_changes_from_either_side_drop_the_entry():
    user = UserFactory()
    group = Group.objects.create(name="testers")
    for change in (
        lambda: user.groups.add(group),
        lambda: group.user_set.remove(user),
        lambda: group.user_set.add(user),
        lambda: group.user_set.clear(),
    ):
        auth_user_get(user.pk)
        entry_key, version_key = authentication._keys(user.pk)
        version = cache.get(version_key)
        change()
        assert cache.get(version_key) != version


def test_a_reader_that_read_before_a_suspension_leaves_nothing_stale(monkeypatch):
    user = UserFactory()
    monkeypatch.setattr(authentication, "cache", ChangeBeforeStore(lambda: user_suspend(user=user)))
    assert auth_user_get(user.pk).is_active is True  # read before the change
    monkeypatch.setattr(authentication, "cache", cache)
    assert auth_user_get(user.pk).is_active is False
    assert jwt_client(user).get(CART).status_code == 401
