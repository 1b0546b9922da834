"""The skin analysis pages: upload, result with the SVG chart, history, compare; own analyses only."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ml.skin_analysis.models import SkinAnalysis
from ml.skin_analysis.synthetic import Face
from ml.skin_analysis.tests.conftest import photo
from ml.skin_analysis.tests.test_api import done_analysis

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_upload_form_takes_a_photo_with_the_front_camera(browser):
    html = browser.get("/skin/").content.decode()

    assert 'type="file" accept="image/*" capture="user"' in html
    assert 'enctype="multipart/form-data"' in html


def test_uploading_a_photo_shows_the_result_with_its_chart(browser, user):
    response = browser.post("/skin/", {"photo": photo()})

    analysis = SkinAnalysis.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == f"/skin/{analysis.pk}/"
    html = browser.get(response["Location"]).content.decode()
    assert f"Overall skin score: {analysis.overall_score} of 100" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert html.count('class="chart-bar"') == 10
    assert f'<th scope="row">Redness</th><td>{analysis.redness}</td>' in html
    assert analysis.feedback in html


def test_a_failed_analysis_page_says_why(browser, user):
    browser.post("/skin/", {"photo": photo(Face(size=400, brightness=0.25))})

    analysis = SkinAnalysis.objects.get(user=user)
    html = browser.get(f"/skin/{analysis.pk}/").content.decode()
    assert "This photo could not be analysed: The photo is too dark." in html
    assert "It does not count towards your scans." in html


def test_a_refused_upload_shows_the_error_next_to_the_field(browser, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = browser.post("/skin/", {"photo": SimpleUploadedFile("a.jpg", b"plain text", content_type="image/jpeg")})

    assert response.status_code == 400
    assert 'id="f-photo-error"' in response.content.decode()
    assert not SkinAnalysis.objects.exists()


def test_another_users_analysis_page_is_404(browser, other_user):
    theirs = done_analysis(other_user)

    assert browser.get(f"/skin/{theirs.pk}/").status_code == 404


def test_the_history_page_runs_a_constant_number_of_queries(browser, user, django_assert_num_queries):
    browser.get("/skin/")  # the session's first page does one-off work
    for _ in range(3):
        done_analysis(user)

    with django_assert_num_queries(5):  # session, user, cart badge, count, page
        browser.get("/skin/")
    for _ in range(5):
        done_analysis(user)
    with django_assert_num_queries(5):
        response = browser.get("/skin/")
    assert response.content.decode().count('href="/skin/') >= 8


def test_compare_page_shows_each_metric_change(browser, user):
    now = timezone.now()
    first = done_analysis(user, created_at=now - timedelta(days=7), redness=50)
    second = done_analysis(user, created_at=now, redness=64)

    html = browser.get(f"/skin/compare/?from={first.pk}&to={second.pk}").content.decode()

    assert "Change over 7 days: overall 0" in html
    assert '<th scope="row">Redness</th><td>50</td><td>64</td><td>+14</td>' in html


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/skin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
