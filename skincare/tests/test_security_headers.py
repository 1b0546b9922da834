"""The Content-Security-Policy and the pages that must work under it (issue 8, section 4)."""

from html.parser import HTMLParser

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response):
    directives = (item.strip().split(" ", 1) for item in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in directives}


class _Scripts(HTMLParser):
    """Scripts a page loads, and anything a ``script-src 'self'`` policy would block."""

    def __init__(self):
        super().__init__()
        self.sources, self.blocked, self._inline = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.blocked += [f"{tag} {name}=" for name in attrs if name.startswith("on")]
        if tag == "script":
            if attrs.get("src"):
                self.sources.append(attrs["src"])
            else:
                self._inline = True
        for name in ("href", "src", "action"):
            if (attrs.get(name) or "").lower().startswith("javascript:"):
                self.blocked.append(f"{tag} {name}=javascript:")

    def handle_data(self, data):
        if self._inline and data.strip():
            self.blocked.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline = False


def same_origin(url):
    return url.startswith("/") and not url.startswith("//")


def scripts(response):
    parser = _Scripts()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/login/", "/api/docs/", "/api/v1/products"])
def test_every_response_carries_the_policy(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert policy(response) == POLICY


def test_staff_admin_pages_carry_the_policy_and_run_no_inline_script(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)

    for url in ("/admin/", "/admin/files/fileuploadconfig/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == POLICY
        parsed = scripts(response)
        assert parsed.blocked == [], url
        assert all(same_origin(src) for src in parsed.sources), parsed.sources


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/login/"])
def test_pages_run_no_inline_script(client, url):
    parsed = scripts(client.get(url))

    assert parsed.blocked == []
    assert all(same_origin(src) for src in parsed.sources)


def test_swagger_ui_loads_its_init_script_from_this_origin():
    client = Client()
    page = client.get("/api/docs/")
    parsed = scripts(page)

    assert parsed.blocked == []
    assert parsed.sources == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]
    init = client.get("/api/docs/?script=")
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in init.content
