"""The label filters of the shop's templates name a stored choice value in the page's language, and pass a
value they do not know through as it is."""

import pytest
from django.template import Context, Template
from django.utils import translation


def render(name, value):
    return Template(f"{{% load storefront %}}{{{{ value|{name} }}}}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("name", "value", "english"),
    [
        ("skin_type_label", "acne", "Acne-prone"),
        ("concern_label", "pores", "Large pores"),
        ("usage_time_label", "am_pm", "Morning and evening"),
        ("order_status_label", "shipped", "Shipped"),
        ("event_label", "fulfillment_status_changed", "Fulfilment status changed"),
    ],
)
def test_each_label_filter_names_its_values(name, value, english):
    with translation.override("en"):
        assert render(name, value) == english
        assert render(name, "something-new") == "something-new"
    with translation.override("km"):
        khmer = render(name, value)
    assert khmer not in (english, value, "")
