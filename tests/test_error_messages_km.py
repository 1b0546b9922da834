"""Every message the API can answer has a Khmer translation, in the catalogue of the app that says it.

Error codes carry a default message (``ErrorCode`` members: ``NAME = "NAME", status, _("...")``);
services, selectors and serializers mark their own messages for translation. These tests walk the
enums and the source, so a new code or message without Khmer fails here, not in front of a user.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from reviews.tests.helpers import review_payload
from shop.catalog.tests.factories import ProductFactory
from skincare.errors import error_code_classes
from skincare.tests.test_locale import po_entries

ROOT = Path(settings.BASE_DIR)
KHMER = re.compile(r"[\u1780-\u17ff]")
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop"}
# Calls whose message argument reaches an API answer: (name, index of the message argument).
MESSAGE_CALLS = {"ApplicationError": 1, "_fail": 1, "InspectionError": 1, "ValidationError": 0, "ParseError": 0}
# Pages, the admin and commands speak through the project catalogue (locale/), checked by
# shop/storefront/tests/test_translations.py; everything else answers the API.
NOT_API = {"admin.py", "pages.py", "page_urls.py", "forms.py"}
SKIP_DIRS = {".venv", "tests", "migrations", "node_modules", "management", "templatetags", "storefront"}
APPS = ["skincare", "shop", "feedback", "reviews", "ml"]


def api_modules():
    for top in APPS:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if parts & SKIP_DIRS or path.name in NOT_API or path.name.startswith("test_"):
                continue
            yield path


def app_catalogue(path):
    """The catalogue of the app a module belongs to (``shop/<app>/locale`` or ``<app>/locale``)."""
    parts = path.relative_to(ROOT).parts
    app = ROOT.joinpath(*parts[:2]) if parts[0] == "shop" else ROOT / parts[0]
    return app / "locale" / "km" / "LC_MESSAGES" / "django.po"


def _name(func):
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def marked_messages(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in MARKERS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def literal_messages(tree):
    """String literals and f-strings given as a message, directly or in an ``errors`` dict/list."""

    def strings(node):
        if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
            return
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            yield node
        elif isinstance(node, ast.Dict):
            for value in node.values:
                yield from strings(value)
        elif isinstance(node, (ast.List, ast.Tuple)):
            for item in node.elts:
                yield from strings(item)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in MESSAGE_CALLS:
            continue
        position = MESSAGE_CALLS[_name(node.func)]
        arguments = node.args[position : position + 1] + [k.value for k in node.keywords if k.arg == "errors"]
        for argument in arguments:
            for literal in strings(argument):
                yield literal.lineno, ast.unparse(literal)


def test_every_error_code_has_a_khmer_message():
    members = [member for cls in error_code_classes() for member in cls]
    assert len(members) > 130

    untranslated = []
    for member in members:
        if member.message is None:
            untranslated.append(f"{type(member).__name__}.{member}: no message")
            continue
        with translation.override("en"):
            english = str(member.message)
        with translation.override("km"):
            khmer = str(member.message)
        if khmer == english or not KHMER.search(khmer):
            untranslated.append(f"{type(member).__name__}.{member}: {english!r}")
    assert untranslated == []


def test_every_marked_api_message_is_translated_in_its_app_catalogue():
    project = po_entries(ROOT / "locale" / "km" / "LC_MESSAGES" / "django.po")
    catalogues, missing, seen = {}, [], 0
    for path in api_modules():
        po = app_catalogue(path)
        if po not in catalogues:
            catalogues[po] = po_entries(po) if po.exists() else {}
        for line, msgid in marked_messages(ast.parse(path.read_text(encoding="utf-8"))):
            seen += 1
            khmer = catalogues[po].get(msgid) or project.get(msgid)
            if not khmer or not KHMER.search(khmer):
                missing.append(f"{path.relative_to(ROOT)}:{line} {msgid!r} (expected in {po.relative_to(ROOT)})")
    assert seen > 300
    assert missing == []


def test_api_messages_are_marked_for_translation():
    """A message written as a plain literal or f-string cannot be translated (f-strings cannot even
    be extracted): messages are ``gettext("... %(name)s ...") % {...}``."""
    literals = []
    for path in api_modules():
        for line, source in literal_messages(ast.parse(path.read_text(encoding="utf-8"))):
            literals.append(f"{path.relative_to(ROOT)}:{line} {source}")
    assert literals == []


def test_the_checks_see_unmarked_messages():
    tree = ast.parse(
        'raise ApplicationError(code, "Plain.", errors={"f": [f"At most {n}."]})\n'
        'raise ApplicationError(code, gettext("Marked."), errors={"f": [gettext("Also %(n)s.") % {"n": n}]})\n'
        'raise ValidationError(f"Unknown {value}.")\n'
    )
    assert [line for line, _ in literal_messages(tree)] == [1, 1, 3]
    assert list(marked_messages(tree)) == [(2, "Marked."), (2, "Also %(n)s.")]


@pytest.mark.django_db
def test_an_error_is_answered_in_khmer_when_asked(client_for_new_user):
    client = client_for_new_user()
    product = ProductFactory()
    url = f"/api/v1/products/{product.pk}/reviews"
    assert client.post(url, review_payload(), format="json").status_code == 201

    khmer = client.post(url, review_payload(), format="json", HTTP_ACCEPT_LANGUAGE="km")
    english = client.post(url, review_payload(), format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert khmer.status_code == english.status_code == 409
    assert khmer["Content-Language"] == "km"
    assert khmer.json() == {
        "status": "error",
        "code": "REVIEW_EXISTS",
        "message": "អ្នកបានវាយតម្លៃផលិតផលនេះរួចហើយ។ សូមកែការវាយតម្លៃរបស់អ្នកជំនួសវិញ។",
        "errors": {},
    }
    assert english.json()["message"] == "You have already reviewed this product; edit your review instead."


@pytest.mark.django_db
def test_a_message_with_values_keeps_them_in_khmer(api_client):
    khmer = api_client.get("/api/v1/products", {"per_page": 500}, HTTP_ACCEPT_LANGUAGE="km")
    english = api_client.get("/api/v1/products", {"per_page": 500})

    assert khmer.status_code == english.status_code == 400
    assert khmer.json() == {
        "status": "error",
        "code": "VALIDATION_ERROR",
        "message": "per_page ត្រូវតែជាចំនួនគត់ពី 1 ដល់ 100។",
        "errors": {"per_page": ["ត្រូវតែពី 1 ដល់ 100។"]},
    }
    assert english.json()["message"] == "per_page must be an integer from 1 to 100."


@pytest.mark.django_db
def test_a_code_without_a_specific_message_answers_its_default_in_khmer(client_for_new_user):
    """``ApplicationError(code)`` says the code's own message, in the request's language."""
    client = client_for_new_user()

    khmer = client.get("/api/v1/questions/999999/answers", HTTP_ACCEPT_LANGUAGE="km")

    assert khmer.status_code == 404
    assert khmer.json()["code"] == "QUESTION_NOT_FOUND"
    assert khmer.json()["message"] == "រកមិនឃើញសំណួរនេះទេ។"


@pytest.fixture
def client_for_new_user(db):
    from rest_framework.test import APIClient

    from shop.accounts.tests.factories import UserFactory

    def make():
        client = APIClient()
        client.force_authenticate(UserFactory())
        return client

    return make
