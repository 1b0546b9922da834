"""The cart API reads its lines in one joined query (``selectors.cart_lines_joined``): the same answer
as whole products give, in a fixed number of statements."""

from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from shop.cart.models import Cart, CartLine
from shop.cart.selectors import cart_lines, cart_lines_joined, cart_price
from shop.cart.serializers import cart_output
from shop.cart.tests.factories import CategoryFactory, ProductFactory, VariantFactory
from shop.catalog.models import ProductMedia, ProductStatus
from shop.coupons.tests.factories import CouponFactory
from shop.files.tests.factories import UploadedFileFactory

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart"
ITEMS = "/api/v1/cart/items"


def _answer(cart, lines, request):
    prices, coupon, problem = cart_price(cart, lines=lines)
    return cart_output(
        cart=cart, prices=prices, coupon=coupon, coupon_problem=problem, include_token=True, request=request
    )


def test_joined_lines_answer_exactly_as_whole_products():
    parent = CategoryFactory()
    pictured = ProductFactory(price=Decimal("19.99"), compare_at_price=Decimal("25.00"), category__parent=parent)
    ProductMedia.objects.create(
        product=pictured, file=UploadedFileFactory(thumbnails={"small": "t/s.jpg"}), is_primary=True, alt_text="A"
    )
    ProductMedia.objects.create(product=pictured, file=UploadedFileFactory(), is_primary=False, sort_order=1)
    plain = ProductFactory(price=Decimal("7.10"), stock_quantity=2)
    variant = VariantFactory(price=Decimal("12.00"), stock_quantity=0)
    hidden = ProductFactory(status=ProductStatus.DRAFT)
    coupon = CouponFactory(value=Decimal("15.00"))
    coupon.applicable_categories.add(parent)  # eligibility reads the category's parent
    cart = Cart.objects.create(coupon=coupon)
    for product, line_variant, quantity in (
        (pictured, None, 2),
        (plain, None, 3),  # more than in stock
        (variant.product, variant, 1),  # variant sold out
        (variant.product, None, 1),
        (hidden, None, 1),
    ):
        CartLine.objects.create(cart=cart, product=product, variant=line_variant, quantity=quantity)
    cart.refresh_from_db()
    request = APIRequestFactory().get(CART, HTTP_HOST="localhost")

    joined = _answer(cart, cart_lines_joined(cart), request)

    assert joined == _answer(cart, cart_lines(cart, from_cache=False), request)
    items = joined["items"]
    assert [item["problem"] for item in items] == [None, "insufficient_stock", "out_of_stock", None, "unavailable"]
    assert items[0]["product"]["image"]["thumbnail"] == "http://localhost/media/t/s.jpg"
    assert items[0]["product"]["brand"]["name"] == pictured.brand.name
    assert (items[1]["product"]["brand"]["slug"], items[1]["product"]["image"]) == (plain.brand.slug, None)
    assert items[2]["variant"] == {"id": variant.pk, "name": variant.name, "sku": variant.sku}
    assert joined["discount"] == "6.00"  # 15 % of the pictured line (39.98), the only one in the category


def test_the_user_cart_with_its_lines_is_the_cart_and_its_joined_lines(user):
    from shop.accounts.tests.factories import UserFactory
    from shop.cart.selectors import cart_of_user, cart_of_user_with_lines

    pictured = ProductFactory()
    ProductMedia.objects.create(
        product=pictured, file=UploadedFileFactory(thumbnails={"s": "t/s.jpg"}), is_primary=True
    )
    ProductMedia.objects.create(product=pictured, file=UploadedFileFactory(), is_primary=False, sort_order=1)
    variant = VariantFactory()
    cart = Cart.objects.create(user=user, coupon=CouponFactory())
    for product, line_variant, quantity in (
        (pictured, None, 2),
        (variant.product, variant, 1),
        (ProductFactory(), None, 3),
    ):
        CartLine.objects.create(cart=cart, product=product, variant=line_variant, quantity=quantity)
    CartLine.objects.filter(cart=cart, product=pictured).update(created_at=timezone.now() + timedelta(hours=1))
    empty = UserFactory()
    Cart.objects.create(user=empty)
    request = APIRequestFactory().get(CART, HTTP_HOST="localhost")

    for _ in range(2):  # compiled, then reused
        read, lines = cart_of_user_with_lines(user_id=user.pk)
        expected = cart_of_user(user_id=user.pk)
        assert [getattr(read, f.attname) for f in Cart._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in Cart._meta.concrete_fields
        ]
        assert [line.product.pk for line in lines] == [variant.product_id, lines[1].product.pk, pictured.pk]
        assert _answer(read, lines, request) == _answer(expected, cart_lines_joined(expected), request)
        assert cart_of_user_with_lines(user_id=empty.pk)[1] == []
        assert cart_of_user_with_lines(user_id=empty.pk)[0].pk == cart_of_user(user_id=empty.pk).pk
        assert cart_of_user_with_lines(user_id=empty.pk + 1000) == (None, [])


def test_cart_read_with_a_coupon_reads_the_coupon_and_its_scope(auth_client, django_assert_num_queries):
    auth_client.post(ITEMS, {"product_id": ProductFactory().pk}, format="json")
    coupon = CouponFactory()
    assert auth_client.post("/api/v1/cart/coupon", {"code": coupon.code}, format="json").status_code == 200
    with django_assert_num_queries(4):  # + the coupon, its products and its categories
        response = auth_client.get(CART)
    assert response.json()["data"]["coupon"]["code"] == coupon.code


def test_the_answer_after_a_change_carries_the_written_expiry_and_coupon(auth_client):
    """No re-read of the cart after a change: what the answer says is what a later read finds."""
    product = ProductFactory()
    added = auth_client.post(ITEMS, {"product_id": product.pk}, format="json").json()["data"]
    assert added["expires_at"] == auth_client.get(CART).json()["data"]["expires_at"]
    coupon = CouponFactory()
    applied = auth_client.post("/api/v1/cart/coupon", {"code": coupon.code}, format="json").json()["data"]
    assert applied["coupon"]["code"] == coupon.code
    assert applied["expires_at"] == auth_client.get(CART).json()["data"]["expires_at"] != added["expires_at"]
    cleared = auth_client.delete(CART).json()["data"]
    assert (cleared["coupon"], cleared["items"]) == (None, [])
    assert cleared["expires_at"] == auth_client.get(CART).json()["data"]["expires_at"]


def test_adding_is_one_upsert_under_the_lock(auth_client, user, django_assert_num_queries):
    product = ProductFactory()
    auth_client.get(CART)
    # PostgreSQL: the user's cart, the checks, lock, upsert and touch in one statement
    # (``lock_objects.user_cart_line_add_checked``), and the answer's lines. SQLite: the cart, the product's
    # checked columns, then savepoint, lock, upsert, release, and the answer's lines.
    expected = 2 if connection.vendor == "postgresql" else 7
    with django_assert_num_queries(expected):
        response = auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    assert response.status_code == 201
    with django_assert_num_queries(expected):
        response = auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 3}, format="json")
    assert [item["quantity"] for item in response.json()["data"]["items"]] == [5]
    assert list(CartLine.objects.filter(cart__user=user).values_list("quantity", flat=True)) == [5]


def test_a_refused_addition_leaves_the_line_and_the_cart_as_they_were(auth_client, user):
    product = ProductFactory(stock_quantity=6)
    variant = VariantFactory(stock_quantity=200)
    auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 5}, format="json")
    auth_client.post(ITEMS, {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 98}, format="json")
    before = Cart.objects.get(user=user).updated_at

    stock = auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    assert (stock.status_code, stock.json()["code"], stock.json()["message"]) == (
        409,
        "INSUFFICIENT_STOCK",
        "Only 6 left in stock.",
    )
    limit = auth_client.post(
        ITEMS, {"product_id": variant.product_id, "variant_id": variant.pk, "quantity": 2}, format="json"
    )
    assert (limit.status_code, limit.json()["code"]) == (400, "QUANTITY_TOO_LARGE")

    lines = CartLine.objects.filter(cart__user=user).order_by("id")
    assert [(line.variant_id, line.quantity) for line in lines] == [(None, 5), (variant.pk, 98)]
    assert Cart.objects.get(user=user).updated_at == before
    added = auth_client.post(ITEMS, {"product_id": variant.product_id, "variant_id": variant.pk}, format="json")
    assert [item["quantity"] for item in added.json()["data"]["items"]] == [5, 99]


def _primary(product):
    from shop.catalog.selectors import primary_media_prefetch

    return type(product).objects.prefetch_related(primary_media_prefetch()).get(pk=product.pk)


@pytest.mark.parametrize(
    "file_values",
    [
        {"thumbnails": {"small": "t/s.jpg", "large": "t/l é.jpg"}},
        {"thumbnails": {}},
        {"thumbnails": {"small": "t/p.jpg"}, "is_public": False},
    ],
)
def test_line_image_is_the_catalog_product_image(file_values):
    from shop.cart.serializers import line_image
    from shop.catalog.serializers import product_image

    product = ProductFactory()
    file = UploadedFileFactory(**file_values)
    ProductMedia.objects.create(product=product, file=file, is_primary=True, alt_text="A", alt_text_km="ក")
    request = APIRequestFactory().get(CART, HTTP_HOST="localhost")
    loaded = _primary(product)

    for _ in range(2):  # built, then from the process's memo
        assert line_image(loaded, request=request) == product_image(loaded, request=request)
        assert line_image(loaded) == product_image(loaded)

    file.thumbnails = {"small": "t/changed.jpg"}
    file.is_public = not file.is_public
    file.save()
    ProductMedia.objects.filter(product=product).update(alt_text="B")
    reloaded = _primary(product)
    assert line_image(reloaded, request=request) == product_image(reloaded, request=request)
    assert line_image(reloaded, request=request)["alt_text"] == "B"
    assert line_image(_primary(ProductFactory()), request=request) is None


def test_line_image_is_made_absolute_for_each_origin():
    from shop.cart.serializers import line_image, request_origin
    from shop.catalog.serializers import product_image

    product = ProductFactory()
    ProductMedia.objects.create(
        product=product, file=UploadedFileFactory(thumbnails={"small": "t/s.jpg"}), is_primary=True
    )
    loaded = _primary(product)
    factory = APIRequestFactory()
    requests = [
        factory.get(CART, HTTP_HOST="localhost"),
        factory.get(CART, HTTP_HOST="127.0.0.1"),
        factory.get(CART, HTTP_HOST="localhost", secure=True),
    ]

    for _ in range(2):  # built, then from the process's memo
        for request in requests:
            expected = product_image(loaded, request=request)
            assert line_image(loaded, request=request) == expected
            assert line_image(loaded, request=request, origin=request_origin(request)) == expected
    assert {line_image(loaded, request=request)["thumbnail"] for request in requests} == {
        "http://localhost/media/t/s.jpg",
        "http://127.0.0.1/media/t/s.jpg",
        "https://localhost/media/t/s.jpg",
    }
    answer = line_image(loaded, request=requests[0])
    answer["thumbnails"]["small"] = "changed"  # an answer is the caller's: the memo keeps its own
    assert line_image(loaded, request=requests[0]) == product_image(loaded, request=requests[0])


def test_cart_answer_follows_a_changed_image(api_client):
    product = ProductFactory()
    file = UploadedFileFactory(thumbnails={"small": "t/before.jpg"})
    ProductMedia.objects.create(product=product, file=file, is_primary=True)
    token = api_client.post(ITEMS, {"product_id": product.pk}, format="json").json()["data"]["token"]

    def thumbnail():
        answer = api_client.get(CART, HTTP_X_CART_TOKEN=token).json()["data"]
        return answer["items"][0]["product"]["image"]["thumbnail"]

    assert thumbnail().endswith("/media/t/before.jpg")
    file.thumbnails = {"small": "t/after.jpg"}
    file.save()
    assert thumbnail().endswith("/media/t/after.jpg")


def test_product_active_checked_reads_what_the_orm_read():
    from shop.cart.selectors import product_active_checked
    from shop.catalog.models import Product

    active = ProductFactory(stock_quantity=4, allow_backorders=True)
    draft = ProductFactory(status=ProductStatus.DRAFT)
    fields = ("id", "status", "track_inventory", "allow_backorders", "stock_quantity")

    for _ in range(2):  # compiled, then reused
        got = product_active_checked(product_id=active.pk)
        expected = Product.objects.filter(pk=active.pk, status=ProductStatus.ACTIVE).only(*fields).first()
        assert [getattr(got, name) for name in fields] == [getattr(expected, name) for name in fields]
        assert got.get_deferred_fields() == expected.get_deferred_fields()
    assert product_active_checked(product_id=draft.pk) is None
    assert product_active_checked(product_id=draft.pk + 1000) is None


def test_adding_to_a_deleted_cart_or_past_the_limit_is_refused_in_order():
    from shop.cart.services import cart_add_line
    from skincare.errors import ApplicationError

    product = ProductFactory(stock_quantity=0)
    gone = Cart.objects.create()
    Cart.objects.filter(pk=gone.pk).delete()
    kept = Cart.objects.create()
    kept.refresh_from_db()
    before = kept.updated_at

    def refusal(cart, quantity):
        with pytest.raises(ApplicationError) as refused:
            cart_add_line(cart=cart, product_id=product.pk, quantity=quantity)
        return refused.value.error_code

    # the cart first (it is locked first), then the line limit, then the stock
    assert refusal(gone, 100) == "CART_NOT_FOUND"
    assert refusal(kept, 100) == "QUANTITY_TOO_LARGE"
    assert refusal(kept, 1) == "INSUFFICIENT_STOCK"
    assert not CartLine.objects.filter(cart=kept).exists()
    assert Cart.objects.get(pk=kept.pk).updated_at == before


@pytest.mark.parametrize(
    ("product_values", "variant_values", "held", "quantity", "refusal"),
    [
        ({"stock_quantity": 5}, None, 0, 5, None),  # up to the stock
        ({"stock_quantity": 5}, None, 0, 6, "INSUFFICIENT_STOCK"),
        ({"stock_quantity": 5}, None, 3, 2, None),  # the line's total judged
        ({"stock_quantity": 5}, None, 3, 3, "INSUFFICIENT_STOCK"),
        ({"stock_quantity": 0}, None, 0, 1, "INSUFFICIENT_STOCK"),
        ({"stock_quantity": -2, "allow_backorders": True}, None, 0, 7, None),  # not limited
        ({"stock_quantity": 0, "track_inventory": False}, None, 0, 99, None),
        ({"stock_quantity": 1000}, None, 0, 100, "QUANTITY_TOO_LARGE"),
        ({"stock_quantity": 1000}, None, 98, 2, "QUANTITY_TOO_LARGE"),
        ({"stock_quantity": 0}, {"stock_quantity": 4}, 0, 4, None),  # the variant's stock counts
        ({"stock_quantity": 100}, {"stock_quantity": 3}, 0, 4, "INSUFFICIENT_STOCK"),
        ({"stock_quantity": 0, "track_inventory": False}, {"stock_quantity": 0}, 0, 9, None),
        ({"stock_quantity": 100}, {"is_active": False}, 0, 1, "VALIDATION_ERROR"),
        ({"status": ProductStatus.DRAFT}, None, 0, 1, "VALIDATION_ERROR"),  # "Product not found."
        ({"status": ProductStatus.ARCHIVED}, None, 0, 1, "VALIDATION_ERROR"),
    ],
)
@pytest.mark.parametrize("prepared", [False, True])
def test_an_addition_adds_exactly_what_the_checks_allow(
    auth_client,
    user,
    django_assert_num_queries,
    settings,
    prepared,
    product_values,
    variant_values,
    held,
    quantity,
    refusal,
):
    """On PostgreSQL the checks run inside the one statement (``lock_objects.user_cart_line_add_checked``, prepared
    with ``DB_PREPARED_STATEMENTS``); what it lets through is added in it (2 statements a request), what it refuses
    goes the checked way, which answers why and writes nothing."""
    settings.DB_PREPARED_STATEMENTS = prepared
    product = ProductFactory(**product_values)
    variant = VariantFactory(product=product, **variant_values) if variant_values is not None else None
    body = {"product_id": product.pk, "variant_id": variant.pk if variant else None, "quantity": quantity}
    if held:
        assert auth_client.post(ITEMS, {**body, "quantity": held}, format="json").status_code == 201
    else:
        auth_client.get(CART)
    before = Cart.objects.get(user=user).updated_at

    if refusal is None and connection.vendor == "postgresql":
        with django_assert_num_queries(2) as queries:
            response = auth_client.post(ITEMS, body, format="json")
        assert [q["sql"].startswith("EXECUTE ") for q in queries.captured_queries] == [prepared, prepared]
    else:
        response = auth_client.post(ITEMS, body, format="json")

    lines = list(CartLine.objects.filter(cart__user=user).values_list("product_id", "variant_id", "quantity"))
    if refusal is None:
        assert response.status_code == 201
        assert lines == [(product.pk, variant.pk if variant else None, held + quantity)]
        assert [item["quantity"] for item in response.json()["data"]["items"]] == [held + quantity]
        assert Cart.objects.get(user=user).updated_at > before
    else:
        assert (response.status_code // 100, response.json()["code"]) == (4, refusal)
        assert lines == ([(product.pk, variant.pk if variant else None, held)] if held else [])
        assert Cart.objects.get(user=user).updated_at == before


def test_line_instances_are_what_from_db_builds():
    from django.db.models import signals

    from shop.cart.selectors import _JOINED, _loaded

    product = ProductFactory()
    variant = VariantFactory(product=product)
    ProductMedia.objects.create(product=product, file=UploadedFileFactory(), is_primary=True)
    sources = {
        "Product": product,
        "Brand": product.brand,
        "Category": product.category,
        "ProductVariant": variant,
        "ProductMedia": product.media.get(),
        "UploadedFile": product.media.get().file,
    }
    for model, _, names in _JOINED:
        values = model.objects.filter(pk=sources[model.__name__].pk).values_list(*names).get()
        built, expected = _loaded(model, names, values), model.from_db("default", names, values)
        assert type(built) is model
        assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
            k: v for k, v in expected.__dict__.items() if k != "_state"
        }
        assert (built._state.adding, built._state.db) == (False, "default")
        assert built.get_deferred_fields() == expected.get_deferred_fields()

    seen = []
    receiver = lambda sender, instance, **kwargs: seen.append(instance)  # noqa: E731
    signals.post_init.connect(receiver, sender=type(product))
    try:
        names = _JOINED[0][2]
        values = type(product).objects.filter(pk=product.pk).values_list(*names).get()
        built = _loaded(type(product), names, values)
        assert len(seen) == 1 and seen[0] is built  # a model with init receivers: built by from_db
    finally:
        signals.post_init.disconnect(receiver, sender=type(product))


def test_a_kept_cart_answer_changes_with_what_it_shows(auth_client, user, monkeypatch, settings):
    """A GET answers from ``serializers.cart_answer_memo`` when nothing it shows changed, and anew when a
    price, the stock, a product, a line, the coupon or the settings change (none of them through the
    cart's services here, so no cache version is bumped)."""
    from shop.cart import apis
    from shop.catalog.models import Product
    from shop.coupons.models import Coupon

    product = ProductFactory(price=Decimal("10.00"), stock_quantity=20)
    variant = VariantFactory(price=Decimal("4.00"))
    auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    built = []
    build = apis.cart_output
    monkeypatch.setattr(apis, "cart_output", lambda **kwargs: (built.append(kwargs["cart"].pk), build(**kwargs))[1])

    def get():
        return auth_client.get(CART).json()["data"]

    first = get()
    assert (first["subtotal"], len(built)) == ("20.00", 1)
    assert (get(), len(built)) == (first, 1)  # nothing changed: the kept answer

    Product.objects.filter(pk=product.pk).update(price=Decimal("11.00"))
    assert get()["subtotal"] == "22.00"
    Product.objects.filter(pk=product.pk).update(stock_quantity=1)
    assert [(i["problem"], i["available_quantity"]) for i in get()["items"]] == [("insufficient_stock", 1)]
    Product.objects.filter(pk=product.pk).update(stock_quantity=20, name="Renamed")
    assert [i["product"]["name"] for i in get()["items"]] == ["Renamed"]
    CartLine.objects.filter(cart__user=user).update(quantity=3)
    assert [i["quantity"] for i in get()["items"]] == [3]
    auth_client.post(ITEMS, {"product_id": variant.product_id, "variant_id": variant.pk}, format="json")
    assert get()["subtotal"] == "37.00"
    type(variant).objects.filter(pk=variant.pk).update(price=Decimal("5.00"))
    assert get()["subtotal"] == "38.00"
    settings.TAX_RATE = Decimal("0.20")
    assert get()["tax"] == "7.60"
    assert (get(), len(built)) == (get(), len(built))  # kept again

    coupon = CouponFactory(min_order_value=Decimal("30.00"))
    assert auth_client.post("/api/v1/cart/coupon", {"code": coupon.code}, format="json").status_code == 200
    assert get()["coupon"]["code"] == coupon.code
    Coupon.objects.filter(pk=coupon.pk).update(min_order_value=Decimal("100.00"))
    assert get()["coupon_problem"]["code"] == "COUPON_MIN_ORDER_NOT_MET"


def _statement_run(sql):
    """The text of the statement that ``sql`` (as captured) ran: a prepared one's as it was prepared."""
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [sql.split()[1].split("(")[0]])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("prepared", [False, True])
def test_the_lines_statements_read_the_querysets_rows(user, django_assert_num_queries, settings, prepared):
    """On PostgreSQL the lines are read by ``selectors._lines_sql`` (LATERAL subqueries, cheap to plan), prepared
    once per connection with ``DB_PREPARED_STATEMENTS``: the rows of the ORM's querysets, column for column and in
    their order, for every shape of line."""
    settings.DB_PREPARED_STATEMENTS = prepared
    from shop.accounts.tests.factories import UserFactory
    from shop.cart import selectors

    pictured = ProductFactory()
    ProductMedia.objects.create(
        product=pictured, file=UploadedFileFactory(thumbnails={"s": "t/s.jpg"}), is_primary=True
    )
    ProductMedia.objects.create(product=pictured, file=UploadedFileFactory(), is_primary=False, sort_order=1)
    gallery_only = ProductFactory()  # media, none of it primary
    ProductMedia.objects.create(product=gallery_only, file=UploadedFileFactory(), is_primary=False)
    variant = VariantFactory()
    cart = Cart.objects.create(user=user)
    for product, line_variant, quantity in (
        (pictured, None, 2),
        (variant.product, variant, 1),
        (variant.product, None, 4),
        (gallery_only, None, 3),
        (ProductFactory(category__parent=CategoryFactory()), None, 5),
    ):
        CartLine.objects.create(cart=cart, product=product, variant=line_variant, quantity=quantity)
    # The order is the lines' ``created_at``, then id: not the order of their ids.
    CartLine.objects.filter(cart=cart, product=pictured).update(created_at=timezone.now() + timedelta(hours=1))
    empty = UserFactory()
    Cart.objects.create(user=empty)

    for user_id in (user.pk, empty.pk, empty.pk + 1000):  # lines, none, no cart
        expected = list(selectors._user_cart_lines_queryset(user_id))
        rows, convert = selectors._compiled_fetch(
            "user_cart_lines", selectors._user_cart_lines_queryset, user_id, partial(selectors._lines_sql, by_user=True)
        )
        assert (convert(rows) if rows else rows) == expected
    assert len(expected) == 0 and rows == []
    assert selectors._line_rows(cart.pk) == list(selectors._lines_queryset(cart.pk))
    assert [row[0] for row in selectors._line_rows(cart.pk)][-1] == CartLine.objects.get(cart=cart, product=pictured).pk

    for read in (lambda: selectors.cart_lines_joined(cart), lambda: selectors.cart_of_user_read(user_id=user.pk)):
        with django_assert_num_queries(1) as queries:
            read()
        sql = queries.captured_queries[0]["sql"]
        assert sql.startswith("EXECUTE ") is (prepared and connection.vendor == "postgresql")
        assert ("LATERAL" in _statement_run(sql)) is (connection.vendor == "postgresql")


def test_a_kept_cart_body_is_what_the_renderer_renders(auth_client, monkeypatch):
    """A kept cart answer is served as the body kept with it (``cart_answer_memo(render=…)``): the same bytes and
    headers as DRF's rendering of the answer, in each content language and for other negotiations."""
    from shop.cart import apis, serializers

    product = ProductFactory(name="Serum", name_km="សេរ៉ូម")
    auth_client.post(ITEMS, {"product_id": product.pk, "quantity": 2}, format="json")
    serializers._ANSWERS.clear()
    seen = set()
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "km"}, {"HTTP_ACCEPT": "application/json; indent=2"}, {}):
        with monkeypatch.context() as patched:
            patched.setattr(apis, "EnvelopeJSONRenderer", type("Other", (), {}))  # DRF renders the answer
            rendered = auth_client.get(CART, **headers)
        kept = auth_client.get(CART, **headers)
        assert (kept.status_code, kept.content) == (200, rendered.content)
        assert dict(kept.items()) | {"X-Request-ID": ""} == dict(rendered.items()) | {"X-Request-ID": ""}
        seen.add(kept.content)
    assert len(seen) == 3  # English, Khmer, indented: three bodies
    assert "សេរ៉ូម" in auth_client.get(CART, HTTP_ACCEPT_LANGUAGE="km").json()["data"]["items"][0]["product"]["name"]
    assert isinstance(auth_client.get(CART), apis.HttpResponse) and not hasattr(auth_client.get(CART), "data")


_USED = ("shop_cart_add_01_", "shop_cart_lines_", "shop_cart_user_cart_lines_")  # addition by user, no variant


def _prepared_cart_statements():
    """{name prefix: (name, prepare time, generic plans)} of the statements a signed-in addition and GET use, as
    prepared on this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, prepare_time, generic_plans FROM pg_prepared_statements")
        return {prefix: row for row in cursor.fetchall() for prefix in _USED if row[0].startswith(prefix)}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_cart_statements_are_prepared_once_per_connection(auth_client, user, settings):
    """With ``DB_PREPARED_STATEMENTS`` a cart GET and an addition run ``EXECUTE`` of statements prepared once on
    the connection: PostgreSQL stops planning them (generic plans) and the request counts one statement each.
    Statements dropped behind the app's back are prepared again (outside a transaction)."""
    settings.DB_PREPARED_STATEMENTS = True
    product = ProductFactory()
    assert auth_client.post(ITEMS, {"product_id": product.pk}, format="json").status_code == 201
    first = auth_client.get(CART).json()["data"]
    prepared = _prepared_cart_statements()
    assert set(prepared) == set(_USED)

    with CaptureQueriesContext(connection) as queries:
        for _ in range(8):
            assert auth_client.get(CART).json()["data"] == first
    get = prepared["shop_cart_user_cart_lines_"][0]
    assert [q["sql"] for q in queries.captured_queries] == [f"EXECUTE {get}({user.pk})"] * 8
    again = _prepared_cart_statements()
    assert {prefix: row[:2] for prefix, row in again.items()} == {prefix: row[:2] for prefix, row in prepared.items()}
    assert again["shop_cart_user_cart_lines_"][2] > 0  # run without planning

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert auth_client.get(CART).json()["data"] == first
    added = auth_client.post(ITEMS, {"product_id": product.pk}, format="json").json()["data"]
    assert [item["quantity"] for item in added["items"]] == [2]
    assert set(_prepared_cart_statements()) == set(_USED)
