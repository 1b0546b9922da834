"""A deleted file leaves every review, progress entry, question and answer that showed it; authors
remove one photo at a time. Counters and the moderation queue follow in the same transaction."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from feedback.models import ModerationItem
from feedback.services import moderation_approve
from reviews.models import Answer, AnswerMedia, ProgressEntry, ProgressMedia, Question, QuestionMedia, Review
from reviews.tests.helpers import review_payload
from shop.accounts.tests.factories import UserFactory
from shop.files.models import FileStatus, UploadedFile
from shop.files.services import file_upload
from shop.files.tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(user, context, color=(200, 120, 90)):
    data = SimpleUploadedFile("photo.jpg", jpeg_bytes(color=color), content_type="image/jpeg")
    return file_upload(owner=user, context=context, uploads=[data], temporary=True)[0]


def approve_photos(staff_user):
    for item in ModerationItem.objects.filter(content_type__endswith="_photo", status="pending"):
        moderation_approve(item=item, by=staff_user)


def reviewed_with_photos(user, product, staff_user, n=2):
    photos = [upload(user, "review", color=(40 * i, 90, 120)) for i in range(n)]
    response = client_of(user).post(
        f"/api/v1/products/{product.pk}/reviews",
        review_payload(photos=[{"file_id": str(p.public_id)} for p in photos]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    approve_photos(staff_user)
    return Review.objects.get(pk=response.json()["data"]["id"]), photos


def public_review(product):
    return APIClient().get(f"/api/v1/products/{product.pk}/reviews").json()["data"][0]


def test_deleting_an_attached_review_photo_detaches_it(user, product, staff_user):
    review, (kept, deleted) = reviewed_with_photos(user, product, staff_user)
    assert public_review(product)["media_count"] == 2

    response = client_of(user).delete(f"/api/v1/files/{deleted.public_id}")

    assert response.status_code == 204
    shown = public_review(product)
    assert [m["file_id"] for m in shown["media"]] == [str(kept.public_id)]
    assert shown["media_count"] == 1 and shown["has_photos"] is True
    review.refresh_from_db()
    assert review.media_count == 1
    assert list(ModerationItem.objects.filter(content_type="review_photo").values_list("file_id", flat=True)) == [
        kept.pk
    ]
    deleted.refresh_from_db()
    assert deleted.status == FileStatus.DELETED


def test_author_removes_one_review_photo(user, product, staff_user):
    review, (removed, kept) = reviewed_with_photos(user, product, staff_user)
    media = review.media.get(file=removed)
    url = f"/api/v1/reviews/{review.pk}/media/{media.pk}"

    assert client_of(UserFactory()).delete(url).status_code == 404
    assert client_of(staff_user).delete(url).status_code == 404
    assert review.media.count() == 2

    response = client_of(user).delete(url)

    assert response.status_code == 204
    assert list(review.media.values_list("file_id", flat=True)) == [kept.pk]
    review.refresh_from_db()
    assert (review.media_count, review.has_photos) == (1, True)
    removed.refresh_from_db()
    assert removed.status == FileStatus.DELETED
    user.refresh_from_db()
    assert user.files_uploaded == 1
    assert ModerationItem.objects.filter(content_type="review_photo").count() == 1
    again = client_of(user).delete(url)
    assert again.status_code == 404 and again.json()["code"] == "MEDIA_NOT_FOUND"


def test_deleting_a_progress_photo_updates_the_entry(user, product, staff_user):
    client = client_of(user)
    journal_id = client.post(f"/api/v1/progress/start/{product.pk}", {}, format="json").json()["data"]["id"]
    entry_id = client.post(
        "/api/v1/progress/update",
        {"journal_id": journal_id, "week_number": 1, "overall_satisfaction": 4, "skin_improvement": 3},
        format="json",
    ).json()["data"]["id"]
    photos = [upload(user, "progress", color=(30 * i, 60, 90)) for i in range(3)]
    added = client.post(
        f"/api/v1/progress/entries/{entry_id}/photo",
        {"photos": [{"file_id": str(p.public_id)} for p in photos]},
        format="json",
    )
    assert added.status_code == 201
    assert ProgressEntry.objects.get(pk=entry_id).photo_count == 3

    assert client.delete(f"/api/v1/files/{photos[0].public_id}").status_code == 204
    entry = ProgressEntry.objects.get(pk=entry_id)
    assert (entry.photo_count, entry.has_photos) == (2, True)

    second = ProgressMedia.objects.get(file=photos[1])
    assert client_of(UserFactory()).delete(f"/api/v1/progress/entries/{entry_id}/photos/{second.pk}").status_code == 404
    assert client.delete(f"/api/v1/progress/entries/{entry_id}/photos/{second.pk}").status_code == 204
    third = ProgressMedia.objects.get(file=photos[2])
    assert client.delete(f"/api/v1/progress/entries/{entry_id}/photos/{third.pk}").status_code == 204

    entry.refresh_from_db()
    assert (entry.photo_count, entry.has_photos) == (0, False)
    assert ProgressMedia.objects.count() == 0
    assert ModerationItem.objects.filter(content_type="progress_photo").count() == 0
    timeline = client.get(f"/api/v1/progress/{journal_id}/timeline").json()["data"]
    assert timeline["entries"][0]["photos"] == []


def test_question_and_answer_photos_detach(user, product, staff_user):
    asker, answerer = user, UserFactory()
    q_photo, a_photo, a_photo_2 = upload(asker, "qa"), upload(answerer, "qa"), upload(answerer, "qa", (1, 2, 3))
    question_id = (
        client_of(asker)
        .post(
            f"/api/v1/products/{product.pk}/questions",
            {"question": "Does it pill under sunscreen?", "photos": [{"file_id": str(q_photo.public_id)}]},
            format="json",
        )
        .json()["data"]["id"]
    )
    answer_id = (
        client_of(answerer)
        .post(
            f"/api/v1/questions/{question_id}/answers",
            {"answer": "Not for me.", "photos": [{"file_id": str(p.public_id)} for p in (a_photo, a_photo_2)]},
            format="json",
        )
        .json()["data"]["id"]
    )
    approve_photos(staff_user)
    assert Question.objects.get(pk=question_id).media_count == 1
    assert Answer.objects.get(pk=answer_id).media_count == 2

    assert client_of(asker).delete(f"/api/v1/files/{q_photo.public_id}").status_code == 204
    assert client_of(answerer).delete(f"/api/v1/files/{a_photo.public_id}").status_code == 204

    question, answer = Question.objects.get(pk=question_id), Answer.objects.get(pk=answer_id)
    assert (question.media_count, question.has_media) == (0, False)
    assert (answer.media_count, answer.has_media) == (1, True)
    assert QuestionMedia.objects.count() == 0

    media = AnswerMedia.objects.get(file=a_photo_2)
    assert client_of(asker).delete(f"/api/v1/answers/{answer_id}/media/{media.pk}").status_code == 404
    assert client_of(answerer).delete(f"/api/v1/answers/{answer_id}/media/{media.pk}").status_code == 204
    answer.refresh_from_db()
    assert (answer.media_count, answer.has_media) == (0, False)
    assert UploadedFile.objects.get(pk=a_photo_2.pk).status == FileStatus.DELETED
    shown = APIClient().get(f"/api/v1/questions/{question_id}/answers").json()["data"][0]
    assert shown["media"] == []


def test_question_photo_removal_endpoint(user, product, staff_user):
    photo = upload(user, "qa")
    question_id = (
        client_of(user)
        .post(
            f"/api/v1/products/{product.pk}/questions",
            {"question": "Is it fragrance free?", "photos": [{"file_id": str(photo.public_id)}]},
            format="json",
        )
        .json()["data"]["id"]
    )
    approve_photos(staff_user)
    media = QuestionMedia.objects.get()
    assert client_of(user).delete(f"/api/v1/questions/{question_id + 1}/media/{media.pk}").status_code == 404
    assert client_of(user).delete(f"/api/v1/questions/{question_id}/media/{media.pk}").status_code == 204
    question = Question.objects.get(pk=question_id)
    assert (question.media_count, question.has_media, QuestionMedia.objects.count()) == (0, False, 0)
