"""An access token's signature is verified once per process (``shop.accounts.authentication._VERIFIED``):
expired, tampered, foreign and refused-user tokens are still refused, with simplejwt's own answers."""

import time
from datetime import timedelta
from unittest import mock

import jwt
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from shop.accounts import authentication
from shop.accounts.services import tokens_for, user_suspend
from shop.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart"


@pytest.fixture(autouse=True)
def empty_memo():
    authentication._VERIFIED.clear()
    yield
    authentication._VERIFIED.clear()


def client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def decodes():
    """Counts simplejwt's signature checks."""
    from rest_framework_simplejwt.backends import TokenBackend

    return mock.patch.object(TokenBackend, "decode", autospec=True, side_effect=TokenBackend.decode)


def test_a_token_is_verified_once_and_answers_as_its_user():
    user, other = UserFactory(), UserFactory()
    client, other_client = client_with(tokens_for(user)["access"]), client_with(tokens_for(other)["access"])
    with decodes() as decode:
        assert client.get("/api/v1/auth/me").json()["data"]["email"] == user.email
        assert client.get("/api/v1/auth/me").json()["data"]["email"] == user.email
        assert other_client.get("/api/v1/auth/me").json()["data"]["email"] == other.email
    assert decode.call_count == 2  # once per token


def test_an_expired_token_is_refused_after_it_was_verified():
    user = UserFactory()
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=1))
    client = client_with(str(token))
    assert client.get(CART).status_code == 200  # verified and remembered
    time.sleep(1.1)

    refused = client.get(CART)

    authentication._VERIFIED.clear()
    never_remembered = client.get(CART)
    assert refused.status_code == 401
    assert refused.json() == never_remembered.json()  # simplejwt's own "expired" answer


def test_a_tampered_token_is_refused_although_the_original_was_verified():
    user, other = UserFactory(), UserFactory()
    raw = tokens_for(user)["access"]
    assert client_with(raw).get(CART).status_code == 200
    header, payload, signature = raw.split(".")
    other_payload = tokens_for(other)["access"].split(".")[1]
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

    for forged in (f"{header}.{other_payload}.{signature}", f"{header}.{payload}.{flipped}"):
        refused = client_with(forged).get(CART)
        assert (refused.status_code, refused.json()["code"]) == (401, "TOKEN_INVALID")


def test_a_token_signed_with_another_key_is_refused():
    user = UserFactory()
    assert client_with(tokens_for(user)["access"]).get(CART).status_code == 200
    payload = AccessToken.for_user(user).payload  # valid claims, signed with a key that is not the shop's
    foreign = jwt.encode(payload, "another-key-of-at-least-32-bytes!!", algorithm="HS256")
    refused = client_with(foreign).get(CART)
    assert (refused.status_code, refused.json()["code"]) == (401, "TOKEN_INVALID")


def test_a_suspended_or_deleted_user_is_refused_with_a_remembered_token():
    user, gone = UserFactory(), UserFactory()
    client, gone_client = client_with(tokens_for(user)["access"]), client_with(tokens_for(gone)["access"])
    assert client.get(CART).status_code == 200 and gone_client.get(CART).status_code == 200

    user_suspend(user=user)
    gone.delete()

    assert client.get(CART).status_code == 401
    assert gone_client.get(CART).status_code == 401


def test_the_memo_is_bounded():
    user = UserFactory()
    with mock.patch.object(authentication, "VERIFIED_MAX", 3):
        for _ in range(5):
            assert client_with(str(AccessToken.for_user(user))).get(CART).status_code == 200
            assert len(authentication._VERIFIED) <= 3
