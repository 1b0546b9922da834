import pytest

from shop.accounts.models import User
from shop.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    return client


def test_user_changelist_filters_and_search(admin_client):
    UserFactory(email="acne.fan@example.com", skin_type="acne")
    UserFactory(email="dry.skin@example.com", skin_type="dry")
    response = admin_client.get("/admin/accounts/user/", {"skin_type": "acne", "q": "fan"})
    assert response.status_code == 200
    assert b"acne.fan@example.com" in response.content
    assert b"dry.skin@example.com" not in response.content


def test_user_change_and_add_pages_load(admin_client, user):
    assert admin_client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200
    assert admin_client.get("/admin/accounts/user/add/").status_code == 200


def test_suspend_and_activate_actions(admin_client, api_client):
    target = UserFactory(email="target@example.com")
    tokens = api_client.post(
        "/api/v1/auth/login", {"email": "target@example.com", "password": DEFAULT_PASSWORD}
    ).json()["data"]

    admin_client.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert target.is_active is False
    assert api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 401

    admin_client.post("/admin/accounts/user/", {"action": "activate_users", "_selected_action": [target.pk]})
    target.refresh_from_db()
    assert target.is_active is True


def test_staff_cannot_suspend_themselves(admin_client, staff_user):
    admin_client.post("/admin/accounts/user/", {"action": "suspend_users", "_selected_action": [staff_user.pk]})
    staff_user.refresh_from_db()
    assert staff_user.is_active is True


def test_promote_to_expert_action(admin_client):
    target = UserFactory()
    admin_client.post("/admin/accounts/user/", {"action": "make_expert", "_selected_action": [target.pk]})
    assert User.objects.get(pk=target.pk).role == "expert"


def test_customer_cannot_open_admin(client, user):
    client.force_login(user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
