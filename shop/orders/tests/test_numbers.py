import pytest

from shop.orders import numbers
from shop.orders.tests.helpers import place

pytestmark = pytest.mark.django_db


def test_a_number_already_used_is_drawn_again(auth_client, user, monkeypatch):
    first, _ = place(auth_client, user)
    drawn = iter([first["order_number"], first["order_number"], "SK-2611-FRESH001"])
    monkeypatch.setattr(numbers, "_candidate", lambda: next(drawn))
    second, _ = place(auth_client, user)
    assert second["order_number"] == "SK-2611-FRESH001"


def test_bulk_generation_never_repeats_within_a_batch(monkeypatch):
    drawn = iter(["SK-2611-AAAAAAAA", "SK-2611-AAAAAAAA", "SK-2611-BBBBBBBB"])
    monkeypatch.setattr(numbers, "_candidate", lambda: next(drawn))
    taken = set()
    assert [numbers.order_number_generate(taken=taken) for _ in range(2)] == ["SK-2611-AAAAAAAA", "SK-2611-BBBBBBBB"]
