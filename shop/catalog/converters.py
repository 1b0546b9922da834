"""``/products/{product_id}/...`` takes the product's id or its slug, as the product detail does."""

from django.urls import register_converter
from django.urls.converters import get_converters


class ProductIdOrSlugConverter:
    """A slug becomes the product's id here, so the views keep receiving an int; an unknown slug matches
    no route (404 in the envelope)."""

    regex = r"[0-9]+|[-a-zA-Z0-9_]+"

    def to_python(self, value):
        if value.isdigit():
            return int(value)
        from shop.catalog.models import Product

        product_id = Product.objects.filter(slug=value).values_list("pk", flat=True).first()
        if product_id is None:
            raise ValueError(f"No product with the slug {value!r}.")
        return product_id

    def to_url(self, value):
        return str(value)


if "product" not in get_converters():
    register_converter(ProductIdOrSlugConverter, "product")
