import json
from datetime import timedelta

from django.conf import settings
from django.core.signals import setting_changed
from rest_framework import serializers

from shop.cart.models import MAX_LINE_QUANTITY
from shop.cart.pricing import INSUFFICIENT_STOCK, OUT_OF_STOCK, UNAVAILABLE
from shop.catalog.media import media_absolute
from shop.catalog.models import ProductStatus
from shop.catalog.serializers import BrandRefSerializer, ImageSerializer, brand_ref, media_payload
from shop.coupons.models import CouponType
from skincare.api.content_language import content_language_is_khmer
from skincare.api.fields import CurrencyField

# Quantities above this are refused by the serializer before any service runs (huge numbers
# would otherwise overflow integer columns); the business limit is MAX_LINE_QUANTITY.
QUANTITY_FIELD_MAX = 10_000


class CartAddInput(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)  # cart_add_input: _ID_MAX
    variant_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_FIELD_MAX, default=1)


_ID_MAX = 2**31 - 1


def _plain_int(value, low, high):
    return type(value) is int and low <= value <= high


def cart_add_input(data):
    """``CartAddInput``'s validated data of ``data`` (the request's body), or its ``ValidationError``.

    A JSON object of plain integers within the fields' bounds (what the apps send) is taken as it is:
    building the serializer's fields for each request cost more than the rest of parsing the body (0.36
    of 6.1 profiled ms an addition). Anything else (strings, floats, booleans, a form) goes through the
    serializer, which answers as before.
    """
    if type(data) is dict:
        product_id, variant_id, quantity = data.get("product_id"), data.get("variant_id"), data.get("quantity", 1)
        if (
            _plain_int(product_id, 1, _ID_MAX)
            and (variant_id is None or _plain_int(variant_id, 1, _ID_MAX))
            and _plain_int(quantity, 1, QUANTITY_FIELD_MAX)
        ):
            return {"product_id": product_id, "variant_id": variant_id, "quantity": quantity}
    serializer = CartAddInput(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CartUpdateInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, max_value=QUANTITY_FIELD_MAX, help_text="0 removes the item.")


class CouponCodeInput(serializers.Serializer):
    code = serializers.CharField(max_length=50, trim_whitespace=True)


def money(value):
    return str(value)


# Rendered cart images (``media_payload`` without a request, so relative URLs), by every value they are
# built from: an entry is only ever found for the same media and file columns, so it cannot be stale.
# Emptied when settings change (storages, URLs: tests) and when full.
_IMAGES = {}
_IMAGES_MAX = 4096


# Cart answers by the rows they were built from (``cart_answer_memo``); emptied as ``_IMAGES``.
_ANSWERS = {}
_ANSWERS_MAX = 1024


def _images_clear(**kwargs):
    _IMAGES.clear()
    _ANSWERS.clear()


setting_changed.connect(_images_clear, dispatch_uid="shop.cart.serializers.images")


def _image_key(media):
    file = media.file
    file_values = (
        None
        if file is None
        else (
            file.pk,
            file.public_id,
            getattr(file.file, "name", file.file),  # a key (str) or a FieldFile
            json.dumps(file.thumbnails, sort_keys=True),
            file.is_public,
            file.width,
            file.height,
        )
    )
    return (media.pk, media.alt_text, media.alt_text_km, media.sort_order, media.is_primary, file_values)


def _memo(key, build, *, store=_IMAGES, most=_IMAGES_MAX):
    """``store[key]``, built and kept when missing; a full store is emptied first (bounded memory)."""
    payload = store.get(key)
    if payload is None:
        payload = build()
        if len(store) >= most:
            store.clear()
        store[key] = payload
    return payload


def request_origin(request):
    """What ``request.build_absolute_uri`` puts before a path (``scheme://host``): an absolute URL made
    from a path (or a scheme-relative URL) depends on the request through this alone."""
    return f"{request.scheme}://{request.get_host()}"


def line_image(product, *, request=None, origin=None):
    """``catalog.serializers.product_image`` of a cart line's product (``primary_media`` loaded), the same
    payload; the storage URLs of an image are built once per process, and made absolute for the request
    (``media_absolute``, as the catalog's cached payloads are) once per process and origin (``origin``:
    ``request_origin(request)``, which callers rendering many lines compute once)."""
    primary = product.primary_media
    if not primary:
        return None
    media = primary[0]
    key = _image_key(media)
    payload = _memo(key, lambda: media_payload(media, request=None))
    if request is not None:
        origin = origin or request_origin(request)
        payload = _memo((key, origin), lambda: media_absolute(payload, request))
    return {**payload, "thumbnails": dict(payload["thumbnails"])}


def product_brief(product, variant=None, *, request=None, origin=None):
    return {
        "id": product.pk,
        "name": product.name,
        "name_km": product.name_km,
        "slug": product.slug,
        "sku": product.sku,
        "brand": brand_ref(product.brand) if "brand" in product._state.fields_cache else None,
        "compare_at_price": money(product.compare_at_price) if product.compare_at_price else None,
        "status": product.status,
        "image": line_image(product, request=request, origin=origin),
    }


def coupon_brief(coupon):
    if coupon is None:
        return None
    return {
        "code": coupon.code,
        "name": coupon.name,
        "type": coupon.type,
        "value": money(coupon.value),
        "max_discount": money(coupon.max_discount) if coupon.max_discount is not None else None,
    }


def prices_output(prices):
    return {
        "subtotal": money(prices.subtotal),
        "discount": money(prices.discount),
        "shipping": money(prices.shipping),
        "tax": money(prices.tax),
        "total": money(prices.total),
    }


def cart_answer_memo(*, key, request, build, render=None):
    """``build()`` (a cart's answer without a coupon, by ``cart_output``), kept per process by ``key``
    (``selectors.JoinedRead.key``: every column of the cart and of its lines that pricing and the answer
    read, as read) and the request's origin (absolute image URLs). Everything else it depends on is
    settings (tax, shipping, currency, expiry; emptied when they change), so an entry is only ever found
    for an answer built from the same values: a change of price, stock, lines, product or image changes
    the key. Callers do not change the answer they get. A cart with a coupon is not kept (whether a coupon
    applies depends on time and on the user's orders).

    ``render``: ``render(answer)`` is the answer's body as the API renders it, and the body is returned
    instead, kept with the answer once per content language (the renderer answers ``X_km`` as ``X`` in
    Khmer): a kept answer was rendered again on every request (140 of 2,018 µs CPU a cart GET with the timers
    of ``benchmarks/cart_cpu.py --sections``).
    """
    try:
        memo_key = (key, request_origin(request))
        hash(memo_key)
    except TypeError:  # a value the driver gave that cannot be hashed: no memo
        answer = build()
        return answer if render is None else render(answer)
    entry = _memo(memo_key, lambda: (build(), {}), store=_ANSWERS, most=_ANSWERS_MAX)
    if render is None:
        return entry[0]
    bodies, khmer = entry[1], content_language_is_khmer()
    body = bodies.get(khmer)
    if body is None:
        body = bodies[khmer] = render(entry[0])
    return body


def cart_output(*, cart, prices, coupon, coupon_problem, include_token, request=None):
    origin = request_origin(request) if request is not None else None
    items = []
    for line in prices.lines:
        items.append(
            {
                "id": line.id,
                "product": product_brief(line.product, request=request, origin=origin),
                "variant": (
                    {"id": line.variant.pk, "name": line.variant.name, "sku": line.variant.sku}
                    if line.variant is not None
                    else None
                ),
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
                "available": line.available,
                "available_quantity": line.available_quantity,
                "problem": line.problem,
            }
        )
    data = {
        "id": cart.pk,
        "items": items,
        "item_count": sum(line.quantity for line in prices.lines),
        "currency": settings.CURRENCY,
        **prices_output(prices),
        "coupon": coupon_brief(coupon) if coupon_problem is None else None,
        "coupon_problem": ({**coupon_problem, "code_entered": coupon.code} if coupon_problem else None),
        "free_shipping_threshold": money(settings.FREE_SHIPPING_THRESHOLD),
        "max_line_quantity": MAX_LINE_QUANTITY,
        "expires_at": (cart.updated_at + timedelta(days=settings.CART_TTL_DAYS)) if cart.updated_at else None,
    }
    if include_token:
        data["token"] = str(cart.token)
    return data


MONEY = {"max_digits": 10, "decimal_places": 2}


class CartProductOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="In the request's language (Khmer when name_km is set).")
    name_km = serializers.CharField()
    slug = serializers.CharField()
    sku = serializers.CharField()
    brand = BrandRefSerializer(allow_null=True)
    compare_at_price = serializers.DecimalField(**MONEY, allow_null=True)
    status = serializers.ChoiceField(choices=ProductStatus.choices)
    image = ImageSerializer(allow_null=True, help_text="The primary image.")


class CartVariantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sku = serializers.CharField()


class CartLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    product = CartProductOutput()
    variant = CartVariantOutput(allow_null=True)
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    line_total = serializers.DecimalField(**MONEY)
    available = serializers.BooleanField(help_text="False when the line cannot be bought as it is (see problem).")
    available_quantity = serializers.IntegerField(allow_null=True, help_text="Stock left; null when not limited.")
    problem = serializers.ChoiceField(
        choices=[(value, value) for value in (OUT_OF_STOCK, INSUFFICIENT_STOCK, UNAVAILABLE)], allow_null=True
    )


class CartCouponOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=CouponType.choices)
    value = serializers.DecimalField(**MONEY)
    max_discount = serializers.DecimalField(**MONEY, allow_null=True)


class CartCouponProblemOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Error code: why the coupon no longer applies.")
    message = serializers.CharField()
    code_entered = serializers.CharField(help_text="The coupon code on the cart.")


class CartOutput(serializers.Serializer):
    """Documentation only: the cart body is built by ``cart_output``."""

    id = serializers.IntegerField()
    items = CartLineOutput(many=True)
    item_count = serializers.IntegerField()
    currency = CurrencyField()
    subtotal = serializers.DecimalField(**MONEY)
    discount = serializers.DecimalField(**MONEY)
    shipping = serializers.DecimalField(**MONEY)
    tax = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    coupon = CartCouponOutput(allow_null=True, help_text="The applied coupon; null when none or it stopped applying.")
    coupon_problem = CartCouponProblemOutput(allow_null=True)
    free_shipping_threshold = serializers.DecimalField(**MONEY)
    max_line_quantity = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    token = serializers.UUIDField(required=False, help_text="Guests only: send it back as X-Cart-Token.")
