"""Every field an answer always carries is ``required`` in the schema, so generated clients type it
as present (not ``Unset | ...``). Real answers of the journeys (product list and detail, cart, order,
review) are walked alongside their documented schema; a property they carry that the schema leaves
optional fails here."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from reviews.tests.helpers import review_payload
from shop.catalog.tests.factories import ProductFactory
from shop.orders.tests.helpers import place

pytestmark = pytest.mark.django_db

# Properties an answer may leave out, and when: "Component.property".
SOMETIMES_ABSENT = {
    # A deleted account's author is {"id": null, "name": "Former customer"}.
    "AuthorOutput.skin_type",
    "AuthorOutput.is_expert",
    "AuthorOutput.community_score",
    # Only the author (and staff) see their review's moderation state.
    "ReviewOutput.status",
    "ReviewOutput.moderation_notes",
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node, value):
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        elif "oneOf" in node and value is not None:
            options = [option for option in node["oneOf"] if option.get("type") != "null"]
            if len(options) != 1:
                return node  # a union of scalars (an enum or blank)
            node = options[0]
        else:
            return node


def _optional_present(schema, node, value, where, found):
    if value is None:
        return
    name = node.get("$ref", "").rsplit("/", 1)[-1] or where
    node = _resolve(schema, node, value)
    if isinstance(value, dict) and "properties" in node:
        required = set(node.get("required", []))
        for key, item in value.items():
            assert key in node["properties"], f"{where}.{key} is not documented"
            if key not in required and f"{name}.{key}" not in SOMETIMES_ABSENT:
                found.add(f"{name}.{key}")
            _optional_present(schema, node["properties"][key], item, f"{where}.{key}", found)
    elif isinstance(value, list) and "items" in node:
        for item in value:
            _optional_present(schema, node["items"], item, f"{where}[]", found)


def _check(schema, client, method, url, path=None, **kwargs):
    response = getattr(client, method)(url, format="json", **kwargs) if kwargs else getattr(client, method)(url)
    assert response.status_code in (200, 201), response.json()
    operation = schema["paths"][path or url][method]
    documented = operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    found = set()
    _optional_present(schema, documented, response.json(), url, found)
    return found


def test_always_present_fields_are_required(schema, auth_client, user):
    product = ProductFactory()
    order, _ = place(auth_client, user)
    number = order["order_number"]
    auth_client.post("/api/v1/cart/items", {"product_id": product.pk, "quantity": 2}, format="json")
    review = auth_client.post(f"/api/v1/products/{product.pk}/reviews", review_payload(), format="json")
    assert review.status_code == 201, review.json()
    review_id = review.json()["data"]["id"]

    found = set()
    found |= _check(schema, auth_client, "get", "/api/v1/products")
    found |= _check(schema, auth_client, "get", f"/api/v1/products/{product.slug}", "/api/v1/products/{lookup}")
    found |= _check(schema, auth_client, "get", "/api/v1/cart")
    found |= _check(schema, auth_client, "get", "/api/v1/orders")
    found |= _check(schema, auth_client, "get", f"/api/v1/orders/{number}", "/api/v1/orders/{order_number}")
    found |= _check(
        schema, auth_client, "get", f"/api/v1/products/{product.pk}/reviews", "/api/v1/products/{product_id}/reviews"
    )
    found |= _check(schema, auth_client, "get", f"/api/v1/reviews/{review_id}", "/api/v1/reviews/{review_id}")

    assert sorted(found) == [], "\n".join(sorted(found))


# --- Every reachable answer of the other areas, validated by openapi-core ---------------------------
#
# The root conftest checks every 2xx GET/POST answer a test client receives against its documented
# response (skincare.tests.schema_answers): required fields present, null only where nullable, types
# and enums as documented. The journey below reaches the answers of accounts, addresses, wishlist,
# coupons, notifications, Q&A, progress journals, community, staff analytics and files, and asserts
# it did, so an operation dropped from the journey is noticed too.

AREAS = (
    "/api/v1/auth/",
    "/api/v1/user/",
    "/api/v1/wishlist",
    "/api/v1/coupons/",
    "/api/v1/notifications",
    "/api/v1/questions/",
    "/api/v1/answers/",
    "/api/v1/progress",
    "/api/v1/community/",
    "/api/v1/staff/analytics/",
    "/api/v1/files",
    "/api/v1/uploads/",
    "/api/v1/upload/",
)
# GET/POST answers of those areas the journey does not reach, and why.
NOT_REACHED = {
    # Binary or CSV bodies: the file itself, and the analytics exports (checked in ml/tests).
    "GET /api/v1/files/{public_id}/content",
    *(f"GET /api/v1/staff/analytics/{name}/export" for name in ("community", "customers", "feedback", "products")),
    *(f"GET /api/v1/staff/analytics/{name}/export" for name in ("sales", "search-trends", "skin-types")),
    *(f"GET /api/v1/staff/analytics/{name}/export" for name in ("recommendations", "sentiment")),
    "GET /api/v1/staff/analytics/efficacy/{product_id}/export",
    # Needs the nightly ETL's efficacy rows (ml/tests/test_staff_api.py runs it, under this same check).
    "GET /api/v1/staff/analytics/efficacy/{product_id}",
    # Token flows whose token only exists in an e-mail (covered by shop/accounts/tests with the outbox).
    "POST /api/v1/auth/reset-password",
    "POST /api/v1/auth/verify-email",
    # Old aliases of POST /progress/entries/{entry_id}/photo and /uploads/{context}: the same views.
    "POST /api/v1/progress/{entry_id}/photo",
    "POST /api/v1/upload/progress-photo",
    "POST /api/v1/upload/question-image",
    "POST /api/v1/upload/review-photo",
    "POST /api/v1/upload/profile-picture",
}


def test_documented_answers_are_what_the_answer_validator_enforces():
    """A body missing a required field, or null where the schema does not allow it, is refused."""
    import json

    from openapi_core.testing import MockRequest, MockResponse

    from skincare.tests.schema_answers import schema_answers

    answers = schema_answers()
    request = MockRequest("http://testserver", "get", "/api/v1/notifications/unread-count")
    valid = {"status": "success", "data": {"unread": 2}}
    answers.openapi.validate_response(request, MockResponse(json.dumps(valid).encode(), 200))
    for body in ({"status": "success", "data": {}}, {"status": "success", "data": {"unread": None}}):
        with pytest.raises(Exception, match="not valid for schema"):
            answers.openapi.validate_response(request, MockResponse(json.dumps(body).encode(), 200))


def _jpeg():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.files.tests.factories import jpeg_bytes

    return SimpleUploadedFile("face.jpg", jpeg_bytes(), content_type="image/jpeg")


def test_every_area_answer_matches_its_schema(api_client, auth_client, user, staff_client, run_on_commit):
    from feedback.models import Notification
    from reviews.models import Answer, Question
    from shop.accounts.tests.factories import ExpertFactory
    from skincare.tests.schema_answers import schema_answers

    def ok(response, status=200):
        assert response.status_code == status, response.content[:500]
        return response.json()["data"]

    product = ProductFactory()
    place(auth_client, user)

    # Accounts: register, log in, refresh, profile, password, logout.
    register = {"email": "journey@example.com", "password": "Niacinamide-10-percent", "first_name": "Jo"}
    ok(api_client.post("/api/v1/auth/register", register, format="json"), 201)
    ok(api_client.post("/api/v1/auth/resend-verification", {"email": "journey@example.com"}, format="json"))
    tokens = ok(api_client.post("/api/v1/auth/login", register, format="json"))
    ok(api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json"))
    ok(api_client.post("/api/v1/auth/forgot-password", {"email": "journey@example.com"}, format="json"))
    ok(auth_client.get("/api/v1/auth/me"))
    ok(auth_client.get("/api/v1/auth/profile/picture"))
    ok(auth_client.post("/api/v1/auth/profile/picture", {"file": _jpeg()}, format="multipart"), 201)
    ok(auth_client.get("/api/v1/auth/profile/picture"))
    user.set_password("Old-password-123")
    user.save()
    password = {"old_password": "Old-password-123", "new_password": "Retinol-at-night-99"}
    ok(auth_client.post("/api/v1/auth/change-password", password, format="json"))
    fresh = ok(api_client.post("/api/v1/auth/login", register, format="json"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {fresh['access']}")
    ok(api_client.post("/api/v1/auth/logout", {"refresh": fresh["refresh"]}, format="json"))
    api_client.credentials()

    # Addresses.
    address = {"address_line1": "12 Street 310", "city": "Phnom Penh", "country": "KH", "postal_code": "12000"}
    address_id = ok(auth_client.post("/api/v1/user/addresses", address, format="json"), 201)["id"]
    ok(auth_client.get("/api/v1/user/addresses"))
    ok(auth_client.get(f"/api/v1/user/addresses/{address_id}"))
    ok(auth_client.post(f"/api/v1/user/addresses/{address_id}/default"))

    # Wishlist and coupons.
    ok(auth_client.post("/api/v1/wishlist", {"product_id": product.pk}, format="json"), 201)
    ok(auth_client.get("/api/v1/wishlist"))
    coupon = {"code": "GLOW10", "name": "Glow", "type": "percentage", "value": "10"}
    ok(staff_client.post("/api/v1/staff/coupons", coupon, format="json"), 201)
    ok(auth_client.get("/api/v1/coupons/available"))
    ok(auth_client.post("/api/v1/coupons/validate", {"code": "GLOW10"}, format="json"))

    # Notifications (the order placed above sent one).
    assert Notification.objects.filter(user=user).exists()
    notification_id = ok(auth_client.get("/api/v1/notifications"))[0]["id"]
    ok(auth_client.get("/api/v1/notifications/unread-count"))
    ok(auth_client.post(f"/api/v1/notifications/{notification_id}/read"))
    ok(auth_client.post("/api/v1/notifications/read-all"))
    ok(auth_client.get("/api/v1/notifications/preferences"))
    ok(auth_client.post("/api/v1/notifications/preferences", {"push_enabled": False}, format="json"))
    device = {"token": "fcm:journey-1", "platform": "android"}
    ok(auth_client.post("/api/v1/notifications/devices", device, format="json"), 201)

    # Q&A: a question, an expert's answer, votes, reports, staff verification.
    question = {"question": "Does this sting on sensitive skin after shaving?"}
    question_id = ok(auth_client.post(f"/api/v1/products/{product.pk}/questions", question, format="json"), 201)["id"]
    Question.objects.filter(pk=question_id).update(status="approved")
    expert = APIClient()
    expert.force_authenticate(ExpertFactory())
    answer = {"answer": "Not usually: it has no alcohol or fragrance.", "expert_credentials": "Dermatologist"}
    answer_id = ok(expert.post(f"/api/v1/questions/{question_id}/answers", answer, format="json"), 201)["id"]
    Answer.objects.filter(pk=answer_id).update(status="approved")
    ok(api_client.get(f"/api/v1/questions/{question_id}"))
    ok(api_client.get(f"/api/v1/questions/{question_id}/answers"))
    ok(expert.post(f"/api/v1/questions/{question_id}/vote"), 201)
    ok(auth_client.post(f"/api/v1/answers/{answer_id}/vote", {"vote_type": "helpful"}, format="json"), 201)
    ok(expert.post(f"/api/v1/questions/{question_id}/report", {"reason": "spam"}, format="json"), 201)
    ok(auth_client.post(f"/api/v1/answers/{answer_id}/report", {"reason": "spam"}, format="json"), 201)
    ok(staff_client.post(f"/api/v1/staff/answers/{answer_id}/verify", {"notes": "accurate"}, format="json"))
    ok(auth_client.get("/api/v1/user/questions"))

    # Progress journal: start, weekly entry with a photo, timeline, lists, completion.
    journal_id = ok(auth_client.post(f"/api/v1/progress/start/{product.pk}", {"is_public": True}, format="json"), 201)[
        "id"
    ]
    entry = {"journal_id": journal_id, "week_number": 1, "overall_satisfaction": 4, "skin_improvement": 3}
    entry_id = ok(auth_client.post("/api/v1/progress/update", entry, format="json"), 201)["id"]
    photo = ok(auth_client.post("/api/v1/uploads/progress", {"files": [_jpeg()]}, format="multipart"), 201)
    photo_body = {"photos": [{"file_id": photo[0]["id"], "photo_type": "progress"}]}
    ok(auth_client.post(f"/api/v1/progress/entries/{entry_id}/photo", photo_body, format="json"), 201)
    ok(auth_client.get(f"/api/v1/progress/{journal_id}/timeline"))
    ok(auth_client.get("/api/v1/progress"))
    ok(api_client.get(f"/api/v1/progress/product/{product.pk}"))
    ok(auth_client.get(f"/api/v1/progress/user/{user.pk}"))
    ok(auth_client.post(f"/api/v1/progress/{journal_id}/complete", {"completion_notes": "Calmer."}, format="json"))
    second = ok(auth_client.post(f"/api/v1/progress/start/{product.pk}", {}, format="json"), 201)["id"]
    ok(auth_client.post(f"/api/v1/progress/{second}/abandon"))

    # Community and the user's feedback pages.
    ok(api_client.get("/api/v1/community/leaders"))
    for name in ("dashboard", "forms", "impact", "reputation", "stats"):
        ok(auth_client.get(f"/api/v1/user/feedback/{name}"))
    ok(auth_client.get("/api/v1/user/reviews"))

    # Staff analytics.
    events = {
        "events": [{"type": "product_view", "session_id": "s-1", "product_id": product.pk, "duration_seconds": 5}]
    }
    assert auth_client.post("/api/v1/analytics/events", events, format="json").status_code == 202
    for name in (
        "community",
        "customers",
        "feedback",
        "products",
        "recommendations",
        "sales",
        "search-trends",
        "sentiment",
        "skin-types",
    ):
        ok(staff_client.get(f"/api/v1/staff/analytics/{name}"))

    # Files.
    uploaded = ok(auth_client.post("/api/v1/uploads/review", {"files": [_jpeg()]}, format="multipart"), 201)
    ok(auth_client.get("/api/v1/files"))
    ok(auth_client.get(f"/api/v1/files/{uploaded[0]['id']}"))

    documented = {
        f"{method.upper()} {path}"
        for path, item in schema_answers().schema["paths"].items()
        for method in item
        if method in ("get", "post") and path.startswith(AREAS) and path != "/api/v1/staff/analytics"
    }
    assert sorted(documented - schema_answers().checked - NOT_REACHED) == []
