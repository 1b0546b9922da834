"""Progress journal pages: start, weekly entries with a private photo, the ratings chart, finish."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reviews import progress
from reviews.models import ProgressEntry, ProgressJournal, ProgressMedia, ProgressStatus
from shop.accounts.tests.factories import UserFactory
from shop.files.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

# session, user, header (categories menu, cart), then the journal(s), their entries and entry photos
DETAIL_QUERIES = 7
LIST_QUERIES = 6


@pytest.fixture
def shopper(db):
    return UserFactory(skin_type="oily")


@pytest.fixture
def shopper_client(shopper):
    client = Client()
    client.force_login(shopper)
    return client


def entry_form(week, **extra):
    return {"week_number": week, "overall_satisfaction": 4, "skin_improvement": 3, **extra}


def photo(color=(200, 100, 50)):
    return SimpleUploadedFile("week.jpg", jpeg_bytes(color=color), content_type="image/jpeg")


@pytest.mark.parametrize("url", ["/journal/", "/journal/start/?product=1", "/journal/1/"])
def test_pages_redirect_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_start_creates_the_journal_and_opens_it(shopper_client, shopper, product):
    page = shopper_client.get(f"/journal/start/?product={product.pk}")
    assert page.status_code == 200 and product.name in page.content.decode()

    response = shopper_client.post(
        "/journal/start/", {"product_id": product.pk, "goals": "Fewer breakouts", "baseline_notes": "Oily T-zone"}
    )

    journal = ProgressJournal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/journal/{journal.pk}/"
    assert (journal.user, journal.product, journal.goals, journal.status) == (
        shopper, product, "Fewer breakouts", ProgressStatus.ONGOING
    )  # fmt: skip


def test_start_twice_shows_the_service_message_and_changes_nothing(shopper_client, shopper, product):
    progress.progress_start(user=shopper, product_id=product.pk)

    response = shopper_client.post("/journal/start/", {"product_id": product.pk})

    assert response.status_code == 409
    assert "You are already tracking this product." in response.content.decode()
    assert ProgressJournal.objects.count() == 1


def test_start_for_an_unknown_product_is_404(shopper_client):
    assert shopper_client.get("/journal/start/?product=999999").status_code == 404
    assert shopper_client.post("/journal/start/", {"product_id": "x"}).status_code == 404
    assert ProgressJournal.objects.count() == 0


def test_weekly_entry_with_a_private_photo_shows_on_the_timeline_to_the_owner_only(shopper_client, shopper, product):
    journal = progress.progress_start(user=shopper, product_id=product.pk)

    response = shopper_client.post(
        f"/journal/{journal.pk}/entries/", {**entry_form(1, skin_condition_notes="Calmer"), "photo": photo()}
    )

    assert response.status_code == 302
    entry = ProgressEntry.objects.get(journal=journal)
    media = ProgressMedia.objects.select_related("file").get(entry=entry)
    assert (entry.week_number, entry.overall_satisfaction, entry.skin_improvement, entry.photo_count) == (1, 4, 3, 1)
    assert media.file.is_public is False and media.file.related_entity_id == entry.pk
    content_url = f"/api/v1/files/{media.file.public_id}/content"
    page = shopper_client.get(f"/journal/{journal.pk}/").content.decode()
    assert f'src="{content_url}"' in page and "Calmer" in page
    assert shopper_client.get(content_url).status_code == 200
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(content_url).status_code == 404
    assert stranger.get(f"/journal/{journal.pk}/").status_code == 404


def test_entry_field_errors_show_next_to_the_fields_and_nothing_is_saved(shopper_client, shopper, product):
    journal = progress.progress_start(user=shopper, product_id=product.pk)

    response = shopper_client.post(f"/journal/{journal.pk}/entries/", {"week_number": 60, "skin_improvement": 9})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="f-week_number-error"' in page and 'id="f-overall_satisfaction-error"' in page
    assert 'id="f-skin_improvement-error"' in page
    assert ProgressEntry.objects.count() == 0


def test_a_week_recorded_twice_is_refused_with_the_service_message(shopper_client, shopper, product):
    journal = progress.progress_start(user=shopper, product_id=product.pk)
    shopper_client.post(f"/journal/{journal.pk}/entries/", entry_form(2))

    response = shopper_client.post(f"/journal/{journal.pk}/entries/", entry_form(2, overall_satisfaction=1))

    assert response.status_code == 409
    assert "Week 2 is already recorded; edit that entry instead." in response.content.decode()
    assert list(ProgressEntry.objects.values_list("week_number", "overall_satisfaction")) == [(2, 4)]


def test_a_file_that_is_not_an_image_is_refused_next_to_the_photo_field(shopper_client, shopper, product):
    journal = progress.progress_start(user=shopper, product_id=product.pk)
    fake = SimpleUploadedFile("week.jpg", b"not an image", content_type="image/jpeg")

    response = shopper_client.post(f"/journal/{journal.pk}/entries/", {**entry_form(1), "photo": fake})

    assert response.status_code == 400
    assert 'id="f-photo-error"' in response.content.decode()
    assert ProgressEntry.objects.count() == 0


def test_chart_and_table_show_the_weekly_ratings(shopper_client, shopper, product):
    journal = progress.progress_start(user=shopper, product_id=product.pk)
    for week, rating in ((1, 2), (2, 5)):
        progress.progress_entry_add(
            user=shopper, journal_id=journal.pk, week_number=week, overall_satisfaction=rating, skin_improvement=3
        )

    page = shopper_client.get(f"/journal/{journal.pk}/").content.decode()

    assert 'role="img" aria-labelledby="chart-title-journal chart-desc-journal"' in page
    assert "<title>Week 1: 2</title>" in page and "<title>Week 2: 5</title>" in page
    assert '<tr><th scope="row">Week 1</th><td>2</td></tr><tr><th scope="row">Week 2</th><td>5</td></tr>' in page


@pytest.mark.parametrize("outcome,status", [("complete", "completed"), ("abandon", "abandoned")])
def test_finish_closes_the_journal(shopper_client, shopper, product, outcome, status):
    journal = progress.progress_start(user=shopper, product_id=product.pk)

    response = shopper_client.post(
        f"/journal/{journal.pk}/finish/", {"outcome": outcome, "completion_notes": "Done for now"}
    )

    assert response.status_code == 302
    journal.refresh_from_db()
    assert (journal.status, journal.completion_notes) == (status, "Done for now")
    assert "Add a weekly entry" not in shopper_client.get(f"/journal/{journal.pk}/").content.decode()


def test_finish_with_an_unknown_outcome_changes_nothing(shopper_client, shopper, product):
    journal = progress.progress_start(user=shopper, product_id=product.pk)

    shopper_client.post(f"/journal/{journal.pk}/finish/", {"outcome": "explode"})

    journal.refresh_from_db()
    assert journal.status == ProgressStatus.ONGOING


def test_another_shoppers_journal_cannot_be_written(shopper_client, product):
    other = UserFactory()
    journal = progress.progress_start(user=other, product_id=product.pk)

    assert shopper_client.post(f"/journal/{journal.pk}/entries/", entry_form(1)).status_code == 404
    assert shopper_client.post(f"/journal/{journal.pk}/finish/", {"outcome": "complete"}).status_code == 404
    journal.refresh_from_db()
    assert journal.status == ProgressStatus.ONGOING and ProgressEntry.objects.count() == 0


def _query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_weeks(user, journal, weeks):
    for week in weeks:
        progress.progress_entry_add(
            user=user, journal_id=journal.pk, week_number=week, overall_satisfaction=3, skin_improvement=3
        )


def test_pages_run_a_constant_number_of_queries(shopper_client, shopper, product):
    from shop.catalog.tests.factories import ProductFactory

    journal = progress.progress_start(user=shopper, product_id=product.pk)
    _add_weeks(shopper, journal, [1])
    detail_small, list_small = (
        _query_count(shopper_client, f"/journal/{journal.pk}/"),
        _query_count(shopper_client, "/journal/"),
    )
    _add_weeks(shopper, journal, [2, 3, 4])
    second = progress.progress_start(user=shopper, product_id=ProductFactory().pk)
    _add_weeks(shopper, second, [1, 2])

    assert _query_count(shopper_client, f"/journal/{journal.pk}/") == detail_small == DETAIL_QUERIES
    assert _query_count(shopper_client, "/journal/") == list_small == LIST_QUERIES
