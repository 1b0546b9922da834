"""Ids and numbers past the database's range are a 4xx page, never a 500."""

import pytest
from django.test import Client

from shop.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


@pytest.fixture
def signed_in():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    return client


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (f"/cart/lines/{HUGE}/", {"quantity": "1"}),
        ("/cart/add/", {"product_id": HUGE, "quantity": "1"}),
        ("/cart/add/", {"product_id": "1", "variant_id": HUGE}),
        ("/wishlist/add/", {"product_id": "2147483647"}),
        (f"/reviews/{HUGE}/vote/", {"vote_type": "helpful"}),
        (f"/reviews/{HUGE}/report/", {"reason": "spam"}),
    ],
)
def test_out_of_range_ids_in_page_posts(signed_in, path, data):
    response = signed_in.post(path, data)

    assert 300 <= response.status_code < 500


def test_out_of_range_numbers_in_listing_filters(signed_in):
    response = signed_in.get("/search/", {"page": "99999999999", "min_price": "1e999", "max_price": HUGE})

    assert response.status_code == 400
    assert "Some filters could not be used:" in response.content.decode()
