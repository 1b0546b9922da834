"""A client generated from the published schema works: the contract a mobile team builds on.

``openapi-python-client`` generates a package from ``/api/schema/`` of a live server, every generated
module must import, and a shopper's journey runs through the generated functions only: register,
verify, login, browse with repeated filters, cart with a coupon, checkout, pay, review with a photo,
notifications, logout. Every request and response of the journey is validated strictly against the
same schema by ``openapi-core``, so a body the schema does not describe (an undocumented status, a
``null`` where the schema forbids one, a missing required field) fails here.
"""

import importlib
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from django.core import mail
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from werkzeug.datastructures import ImmutableMultiDict

from shop.catalog.tests.factories import BrandFactory, ProductFactory
from shop.coupons.tests.factories import CouponFactory
from shop.files.models import FileUploadConfig
from shop.files.tests.factories import jpeg_bytes

PACKAGE = "skincare_api_client"
OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"


def _generator():
    script = Path(sys.executable).with_name("openapi-python-client")
    return str(script) if script.exists() else shutil.which("openapi-python-client")


@pytest.fixture(scope="module")
def published_schema(live_server, django_db_blocker):
    # The live server may share the test's SQLite connection: its request handling opens it.
    with django_db_blocker.unblock():
        response = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=120)
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def generated(published_schema, tmp_path_factory):
    """The package openapi-python-client generates from the published schema, imported."""
    tmp_path = tmp_path_factory.mktemp("generated")
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(published_schema))
    result = subprocess.run(
        [
            _generator(),
            "generate",
            "--path",
            str(schema_file),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


class StrictValidator:
    """httpx event hooks: each request and response is checked against the schema by openapi-core."""

    def __init__(self, schema):
        self.openapi = OpenAPI.from_dict(schema)
        self.checked = []

    def _request(self, request):
        url = request.url
        content_type = request.headers.get("content-type", "").split(";")[0] or "application/json"
        # A multipart body is a stream httpx has sent; the response check needs only the operation.
        body = request.content if content_type == "application/json" else None
        return MockRequest(
            host_url=f"{url.scheme}://{url.netloc.decode()}",
            method=request.method,
            path=url.path,
            args=ImmutableMultiDict(list(url.params.multi_items())),
            headers=dict(request.headers),
            data=body,
            content_type=content_type,
        )

    def on_response(self, response):
        response.read()
        request = self._request(response.request)
        if request.content_type == "application/json" and request.body:
            self.openapi.validate_request(request)
        self.openapi.validate_response(
            request,
            MockResponse(
                data=response.content,
                status_code=response.status_code,
                headers=dict(response.headers),
                content_type=response.headers.get("content-type", "application/json").split(";")[0],
            ),
        )
        self.checked.append(f"{response.request.method} {response.request.url.path} {response.status_code}")


def _operation(package, operation_id):
    """The generated module of an operation (``api/<tag>/<operation_id>.py``)."""
    [path] = Path(package.__file__).parent.joinpath("api").glob(f"*/{operation_id}.py")
    return importlib.import_module(f"{package.__name__}.api.{path.parent.name}.{operation_id}")


def _model(package, name):
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def test_every_generated_module_imports(generated):
    names = [module.name for module in pkgutil.walk_packages(generated.__path__, f"{PACKAGE}.")]
    failures = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, not only the first
            failures[name] = repr(exc)
    assert failures == {}
    assert len([name for name in names if ".api." in name]) >= 100


def _seed_review_uploads():
    """The review upload rules of the data migration (a transactional test before this one flushed them)."""
    seeded = importlib.import_module("shop.files.migrations.0002_seed_upload_configs")
    [config] = [config for config in seeded.CONFIGS if config["context"] == "review"]
    FileUploadConfig.objects.update_or_create(
        context="review", defaults={**config, "max_frames": 50, "max_total_pixels": 20_000_000}
    )


# The live server sees only committed rows: the test commits its data.
@pytest.mark.django_db(transaction=True)
def test_shopper_journey_through_the_generated_client(generated, published_schema, live_server):
    _seed_review_uploads()
    brand = BrandFactory(name="Glow Lab", slug="glow-lab")
    serum = ProductFactory(name="Acne Serum", price=Decimal("20.00"), stock_quantity=5, concerns=["acne"], brand=brand)
    ProductFactory(name="Pore Toner", price=Decimal("12.00"), stock_quantity=5, concerns=["pores"], brand=brand)
    ProductFactory(name="Dry Cream", price=Decimal("30.00"), stock_quantity=5, concerns=["dryness"], brand=brand)
    CouponFactory(code="WELCOME10", value=Decimal("10.00"))
    validator = StrictValidator(published_schema)
    hooks = {"response": [validator.on_response]}
    client_module = importlib.import_module(f"{PACKAGE}.client")
    types = importlib.import_module(f"{PACKAGE}.types")
    anonymous = client_module.Client(
        base_url=live_server.url, timeout=httpx.Timeout(120), httpx_args={"event_hooks": hooks}
    )

    def call(operation_id, client, expected_status, **kwargs):
        response = _operation(generated, operation_id).sync_detailed(client=client, **kwargs)
        assert response.status_code == expected_status, response.content
        return response

    email = f"journey-{uuid.uuid4().hex[:8]}@example.com"
    password = "A-long-journey-passphrase-7"
    register = _model(generated, "RegisterInputRequest").from_dict(
        {"email": email, "password": password, "first_name": "Sok", "last_name": "Dara"}
    )
    call("auth_register_create", anonymous, 201, body=register)
    [verification] = [message for message in mail.outbox if email in message.to]
    code = re.search(r"^(\d{6})$", verification.body, re.MULTILINE).group(1)  # the app's way: the 6-digit code
    verified = call(
        "auth_verify_email_create",
        anonymous,
        200,
        body=_model(generated, "VerifyEmailInputRequest").from_dict({"email": email, "code": code}),
    )
    assert verified.parsed.data.email_verified is True

    login = call(
        "auth_login_create",
        anonymous,
        200,
        body=_model(generated, "LoginInputRequest")(email=email, password=password),
    )
    tokens = login.parsed.data
    shopper = client_module.AuthenticatedClient(
        base_url=live_server.url, token=tokens.access, timeout=httpx.Timeout(120), httpx_args={"event_hooks": hooks}
    )

    concern, sort = _model(generated, "ProductsListConcernItem"), _model(generated, "ProductsListSort")
    browsed = call("products_list", shopper, 200, concern=[concern("acne"), concern("pores")], sort=sort("price"))
    assert [item.name for item in browsed.parsed.data] == ["Pore Toner", "Acne Serum"]
    assert browsed.parsed.meta.total == 2
    detail = call("products_retrieve", shopper, 200, lookup=serum.slug)
    assert detail.parsed.data.id == serum.pk

    added = call(
        "cart_items_create",
        shopper,
        201,
        body=_model(generated, "CartAddInputRequest").from_dict({"product_id": serum.pk, "quantity": 2}),
    )
    assert added.parsed.data.subtotal == "40.00"
    with_coupon = call(
        "cart_coupon_create", shopper, 200, body=_model(generated, "CouponCodeInputRequest")(code="WELCOME10")
    )
    assert (with_coupon.parsed.data.subtotal, with_coupon.parsed.data.discount) == ("40.00", "4.00")

    checkout = _model(generated, "CheckoutInputRequest").from_dict(
        {
            "shipping_address": {
                "first_name": "Sok",
                "last_name": "Dara",
                "phone": "+85512345678",
                "address_line1": "12 Street 240",
                "city": "Phnom Penh",
                "postal_code": "12207",
                "country": "KH",
            },
            "payment_method": "card",
            "card_number": DECLINED_CARD,
        }
    )
    placed = call("orders_create", shopper, 201, body=checkout)
    order = placed.parsed.data
    assert (order.status, order.payment_status, order.total) == ("pending", "failed", "43.10")
    paid = call(
        "orders_pay_create",
        shopper,
        200,
        order_number=order.order_number,
        body=_model(generated, "PayInputRequest")(card_number=OK_CARD),
    )
    assert (paid.parsed.data.status, paid.parsed.data.payment_status) == ("confirmed", "paid")

    photo = types.File(payload=BytesIO(jpeg_bytes()), file_name="face.jpg", mime_type="image/jpeg")
    uploaded = call(
        "upload_review_photo_create", shopper, 201, body=_model(generated, "FileUploadRequestRequest")(files=[photo])
    )
    [file] = uploaded.parsed.data
    review = _model(generated, "ReviewInputRequest").from_dict(
        {
            "rating": 5,
            "title": "Clear skin in a month",
            "review_text": "Fewer breakouts after four weeks of evening use.",
            "photos": [{"file_id": str(file.id)}],
        }
    )
    reviewed = call("products_reviews_create", shopper, 201, product_id=serum.slug, body=review)
    assert len(reviewed.parsed.data.media) == 1

    notifications = call("notifications_list", shopper, 200)
    assert notifications.parsed.meta.total == len(notifications.parsed.data)
    order_keys = {row.related_key for row in notifications.parsed.data if row.related_type == "order"}
    assert order_keys == {order.order_number}  # the number the order endpoints take, not the internal id
    call("notifications_unread_count_retrieve", shopper, 200)

    call("auth_logout_create", shopper, 200, body=_model(generated, "RefreshInputRequest")(refresh=tokens.refresh))
    assert len(validator.checked) == 14
