"""Stock adjustments with a reason: the service, the staff API (admins only) and the admin form."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from shop.accounts.tests.factories import ModeratorFactory, StaffFactory
from shop.catalog import services
from shop.catalog.models import Product, ProductStatus, ProductVariant, StockAdjustment
from shop.catalog.tests.factories import ProductFactory, ProductVariantFactory
from skincare import events
from skincare.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def back_in_stock(run_on_commit):
    received = []

    def receiver(sender, product, **kwargs):
        received.append(product.pk)

    events.product_back_in_stock.connect(receiver, dispatch_uid="test-stock-adjust-back-in-stock")
    yield received
    events.product_back_in_stock.disconnect(dispatch_uid="test-stock-adjust-back-in-stock")


def _url(product_id):
    return f"/api/v1/staff/catalog/products/{product_id}/stock-adjustments"


# --- service -------------------------------------------------------------------------------------


def test_adjustment_changes_stock_and_records_who_when_why(back_in_stock):
    admin = StaffFactory()
    product = ProductFactory(stock_quantity=7)

    adjustment = services.stock_adjust(product=product, delta=24, reason="received", note="PO 118", by=admin)

    product.refresh_from_db()
    assert product.stock_quantity == 31
    row = StockAdjustment.objects.get()
    assert row == adjustment
    assert (row.product_id, row.variant_id, row.delta, row.quantity_before, row.quantity_after) == (
        product.pk, None, 24, 7, 31,
    )  # fmt: skip
    assert (row.reason, row.note, row.created_by_id) == ("received", "PO 118", admin.pk)
    assert back_in_stock == []  # it was never sold out


def test_removing_more_than_in_stock_is_refused_and_changes_nothing():
    product = ProductFactory(stock_quantity=3)

    with pytest.raises(ApplicationError) as excinfo:
        services.stock_adjust(product=product, delta=-4, reason="damaged", by=StaffFactory())

    assert excinfo.value.error_code == "STOCK_WOULD_GO_NEGATIVE"
    assert excinfo.value.message == "Only 3 in stock: cannot remove 4."
    product.refresh_from_db()
    assert product.stock_quantity == 3
    assert StockAdjustment.objects.count() == 0


def test_backorder_products_may_go_below_zero():
    product = ProductFactory(stock_quantity=1, allow_backorders=True)

    services.stock_adjust(product=product, delta=-3, reason="count", by=StaffFactory())

    product.refresh_from_db()
    assert product.stock_quantity == -2


@pytest.mark.parametrize(
    ("delta", "reason", "note", "errors"),
    [
        (0, "received", "", {"delta": ["A whole number other than 0, at most 1,000,000 either way."]}),
        (5, "gift", "", {"reason": ["One of: received, count, returned, damaged, expired, lost, import, other."]}),
        (5, "other", "  ", {"note": ['Say why when the reason is "other".']}),
        (5, "count", "x" * 501, {"note": ["At most 500 characters."]}),
    ],
)
def test_invalid_adjustments_are_refused(delta, reason, note, errors):
    product = ProductFactory(stock_quantity=3)
    with pytest.raises(ApplicationError) as excinfo:
        services.stock_adjust(product=product, delta=delta, reason=reason, note=note, by=StaffFactory())
    assert (excinfo.value.error_code, excinfo.value.errors) == ("VALIDATION_ERROR", errors)
    assert StockAdjustment.objects.count() == 0


def test_stock_coming_back_announces_back_in_stock(back_in_stock):
    product = ProductFactory(stock_quantity=0)
    draft = ProductFactory(stock_quantity=0, status=ProductStatus.DRAFT)

    services.stock_adjust(product=product, delta=5, reason="received", by=StaffFactory())
    services.stock_adjust(product=draft, delta=5, reason="received", by=StaffFactory())
    services.stock_adjust(product=product, delta=5, reason="received", by=StaffFactory())  # already in stock

    assert back_in_stock == [product.pk]


def test_variant_adjustment_changes_the_variant_only(back_in_stock):
    variant = ProductVariantFactory(stock_quantity=0, product__stock_quantity=9)
    product = variant.product

    row = services.stock_adjust(product=product, variant=variant, delta=2, reason="returned", by=StaffFactory())

    variant.refresh_from_db()
    product.refresh_from_db()
    assert (variant.stock_quantity, product.stock_quantity) == (2, 9)
    assert (row.variant_id, row.quantity_before, row.quantity_after) == (variant.pk, 0, 2)
    assert back_in_stock == [product.pk]


def test_a_variant_of_another_product_is_refused():
    variant = ProductVariantFactory()
    with pytest.raises(ApplicationError) as excinfo:
        services.stock_adjust(product=ProductFactory(), variant=variant, delta=1, reason="count", by=StaffFactory())
    assert excinfo.value.error_code == "VARIANT_NOT_FOUND"
    assert ProductVariant.objects.get().stock_quantity == 5


# --- staff API -----------------------------------------------------------------------------------


def test_admin_adjusts_stock_through_the_api():
    admin = StaffFactory(email="ops@example.com")
    product = ProductFactory(stock_quantity=4)
    client = APIClient()
    client.force_authenticate(admin)

    response = client.post(_url(product.pk), {"delta": -4, "reason": "expired", "note": "Batch 22"}, format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert {k: v for k, v in data.items() if k not in {"id", "created_at"}} == {
        "product_id": product.pk, "variant_id": None, "variant_name": None, "delta": -4, "quantity_before": 4,
        "quantity_after": 0, "reason": "expired", "note": "Batch 22", "created_by": {"id": admin.pk,
        "email": "ops@example.com"},
    }  # fmt: skip
    assert Product.objects.get(pk=product.pk).stock_quantity == 0


def test_api_refuses_negative_stock_with_a_409_and_changes_nothing(staff_client):
    product = ProductFactory(stock_quantity=2)

    response = staff_client.post(_url(product.pk), {"delta": -5, "reason": "lost"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "status": "error", "code": "STOCK_WOULD_GO_NEGATIVE", "message": "Only 2 in stock: cannot remove 5.",
        "errors": {"delta": ["At most 2 can be removed."]},
    }  # fmt: skip
    assert Product.objects.get(pk=product.pk).stock_quantity == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delta": 0, "reason": "count"}, "delta"),
        ({"delta": 2_000_000, "reason": "count"}, "delta"),
        ({"delta": "many", "reason": "count"}, "delta"),
        ({"delta": 3, "reason": "gift"}, "reason"),
        ({"delta": 3}, "reason"),
    ],
)
def test_api_validates_the_body(staff_client, body, field):
    product = ProductFactory(stock_quantity=2)
    response = staff_client.post(_url(product.pk), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert list(response.json()["errors"]) == [field]
    assert StockAdjustment.objects.count() == 0


def test_api_refuses_a_variant_of_another_product(staff_client):
    product, variant = ProductFactory(), ProductVariantFactory()
    response = staff_client.post(
        _url(product.pk), {"delta": 1, "reason": "count", "variant_id": variant.pk}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "VARIANT_NOT_FOUND"


def test_api_unknown_product_is_404(staff_client):
    response = staff_client.post(_url(999999), {"delta": 1, "reason": "count"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "PRODUCT_NOT_FOUND")


def test_history_lists_newest_first_in_constant_queries(staff_client, django_assert_num_queries):
    product = ProductFactory(stock_quantity=0)
    variant = ProductVariantFactory(product=product, stock_quantity=0)
    for delta in (5, 3):
        services.stock_adjust(product=product, delta=delta, reason="received", by=StaffFactory())
    services.stock_adjust(product=product, variant=variant, delta=1, reason="count", by=StaffFactory())

    staff_client.get(_url(product.pk))  # loads the staff member's permissions (cached on the user)
    # the product, the count, the page (user and variant joined)
    with django_assert_num_queries(3):
        response = staff_client.get(_url(product.pk))
    for _ in range(5):
        services.stock_adjust(product=product, delta=1, reason="received", by=StaffFactory())
    with django_assert_num_queries(3):
        staff_client.get(_url(product.pk))

    data = response.json()
    assert data["meta"]["total"] == 3
    assert [(row["delta"], row["quantity_after"], row["variant_name"]) for row in data["data"]] == [
        (1, 1, "30 ml"), (3, 8, None), (5, 5, None),
    ]  # fmt: skip


def test_moderators_may_not_adjust_or_read_stock():
    client = APIClient()
    client.force_authenticate(ModeratorFactory())
    product = ProductFactory(stock_quantity=2)
    assert client.post(_url(product.pk), {"delta": 1, "reason": "count"}, format="json").status_code == 403
    assert client.get(_url(product.pk)).status_code == 403
    assert Product.objects.get(pk=product.pk).stock_quantity == 2


# --- admin ---------------------------------------------------------------------------------------


def _admin(user):
    client = Client()
    client.force_login(user)
    return client


def test_admin_form_adjusts_stock_with_a_message_and_shows_the_history():
    admin = StaffFactory(email="ops@example.com")
    product = ProductFactory(name="Calm Serum", stock_quantity=2)
    client = _admin(admin)
    url = f"/admin/catalog/product/{product.pk}/stock/"

    response = client.post(url, {"delta": "10", "reason": "received", "note": "Delivery 7"}, follow=True)

    assert response.redirect_chain == [(f"/admin/catalog/product/{product.pk}/change/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Stock of Calm Serum: 2 → 12 (+10, Stock received)."]
    assert Product.objects.get(pk=product.pk).stock_quantity == 12
    page = client.get(url)
    assert page.context["history"] == [StockAdjustment.objects.get()]
    assert "Delivery 7" in page.content.decode()
    history = client.get(f"/admin/catalog/stockadjustment/?product__id__exact={product.pk}")
    assert history.status_code == 200
    assert list(history.context["cl"].result_list) == [StockAdjustment.objects.get()]


def test_admin_form_shows_the_refusal_and_changes_nothing():
    product = ProductFactory(stock_quantity=2)
    response = _admin(StaffFactory()).post(
        f"/admin/catalog/product/{product.pk}/stock/", {"delta": "-3", "reason": "lost"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"delta": ["At most 2 can be removed."]}
    assert Product.objects.get(pk=product.pk).stock_quantity == 2


def test_admin_product_page_keeps_stock_read_only():
    product = ProductFactory(stock_quantity=2)
    client = _admin(StaffFactory())
    page = client.get(f"/admin/catalog/product/{product.pk}/change/")
    assert "stock_quantity" not in page.context["adminform"].form.fields
    assert f"/admin/catalog/product/{product.pk}/stock/" in page.content.decode()
    assert "stock_quantity" in client.get("/admin/catalog/product/add/").context["adminform"].form.fields


def test_moderators_cannot_open_the_stock_form_or_history():
    product = ProductFactory(stock_quantity=2)
    client = _admin(ModeratorFactory())
    assert client.get(f"/admin/catalog/product/{product.pk}/stock/").status_code == 403
    assert (
        client.post(f"/admin/catalog/product/{product.pk}/stock/", {"delta": "1", "reason": "count"}).status_code == 403
    )
    assert client.get("/admin/catalog/stockadjustment/").status_code == 403
    assert Product.objects.get(pk=product.pk).stock_quantity == 2


def test_history_changelist_queries_do_not_grow_with_the_rows():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _admin(StaffFactory())
    variant = ProductVariantFactory(stock_quantity=0)

    def add_rows(n):
        for _ in range(n):
            services.stock_adjust(product=ProductFactory(), delta=1, reason="received", by=StaffFactory())
            services.stock_adjust(product=variant.product, variant=variant, delta=1, reason="count", by=StaffFactory())

    add_rows(2)
    client.get("/admin/catalog/stockadjustment/")  # session and permissions
    with CaptureQueriesContext(connection) as few:
        page = client.get("/admin/catalog/stockadjustment/")
    add_rows(6)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/admin/catalog/stockadjustment/")
    assert page.context["cl"].result_count == 16
    assert len(many) == len(few)
