from datetime import date

from ml.etl import jobs
from ml.models import AnalyticsDocument
from ml.tests.test_etl import at, order
from reviews.models import Answer, ProgressEntry, ProgressJournal, Question, Review
from shop.accounts.tests.factories import UserFactory
from shop.catalog.tests.factories import ProductFactory


def documents(collection):
    return dict(AnalyticsDocument.objects.filter(collection=collection).values_list("key", "doc"))


def dated(model, pk, when):
    model.objects.filter(pk=pk).update(created_at=at(when))


def build(relational_store):
    product = ProductFactory()
    user = UserFactory(skin_type="oily", skin_concerns=["acne"])
    other = UserFactory()
    order(user, "2026-03-01T09:00", [(product, 2, "10.00")], status="delivered")
    review = Review.objects.create(
        product=product, user=user, rating=4, review_text="Calmer skin", skin_type_at_review="oily",
        usage_duration=21, visible_results=True, is_verified_purchase=True, status="approved",
    )  # fmt: skip
    dated(Review, review.pk, "2026-03-22T10:00")
    journal = ProgressJournal.objects.create(user=user, product=product, skin_type="oily")
    entry = ProgressEntry.objects.create(
        journal=journal, week_number=2, progress_date=date(2026, 3, 15), overall_satisfaction=4, skin_improvement=3,
        skin_condition_notes="less red",
    )  # fmt: skip
    dated(ProgressEntry, entry.pk, "2026-03-15T08:00")
    question = Question.objects.create(product=product, user=other, question="Safe for pregnancy?", status="pending")
    dated(Question, question.pk, "2026-03-22T11:00")
    answer = Answer.objects.create(question=question, user=user, answer="Ask a doctor.", status="approved")
    dated(Answer, answer.pk, "2026-03-23T09:00")
    return product, user, other, review, entry, question, answer


def test_feedback_stream_for_a_window(relational_store):
    product, user, other, review, entry, question, answer = build(relational_store)

    result = jobs.feedback_stream_run(date_from="2026-03-22", date_to="2026-03-23")

    docs = documents("feedback_stream")
    assert sorted(docs) == [f"answer:{answer.pk}", f"question:{question.pk}", f"review:{review.pk}"]  # not week 2
    assert docs[f"review:{review.pk}"] == {
        "event_type": "review_submitted",
        "event_data": {
            "user_id": user.pk, "product_id": product.pk, "content_id": review.pk, "feedback_type": "review",
            "rating": 4, "content_length": 11, "user_skin_type": "oily", "usage_duration_days": 21,
            "is_verified_purchase": True,
        },
        "processing_status": {"moderation_status": "approved", "moderation_passed": True},
        "timestamp": "2026-03-22T10:00:00.000Z",
    }  # fmt: skip
    assert docs[f"question:{question.pk}"]["processing_status"] == {
        "moderation_status": "pending",
        "moderation_passed": False,
    }
    assert docs[f"answer:{answer.pk}"]["event_data"]["product_id"] == product.pk
    assert (result.rows_read, result.rows_written) == (3, 3)

    Question.objects.filter(pk=question.pk).update(status="approved")
    jobs.feedback_stream_run(date_from="2026-03-22", date_to="2026-03-23")

    again = documents("feedback_stream")
    assert again[f"question:{question.pk}"]["processing_status"]["moderation_passed"] is True
    assert {k: v for k, v in again.items() if k != f"question:{question.pk}"} == {
        k: v for k, v in docs.items() if k != f"question:{question.pk}"
    }


def test_user_feedback_journey(relational_store):
    product, user, other, review, entry, question, answer = build(relational_store)

    jobs.user_feedback_journey_run()
    first = documents("user_feedback_journey")
    jobs.user_feedback_journey_run()

    assert documents("user_feedback_journey") == first
    assert sorted(first) == [str(user.pk)]  # the other user's question is still pending
    assert first[str(user.pk)] == {
        "user_id": user.pk,
        "skin_profile": {"skin_type": "oily", "concerns": ["acne"]},
        "feedback_timeline": [
            {"product_id": product.pk, "event_type": "purchased", "date": "2026-03-01T09:00:00.000Z", "quantity": 2},
            {"product_id": product.pk, "event_type": "progress_update", "date": "2026-03-15T08:00:00.000Z",
             "week_number": 2, "skin_improvement": 3},
            {"product_id": product.pk, "event_type": "review", "date": "2026-03-22T10:00:00.000Z", "rating": 4,
             "usage_duration_days": 21, "visible_results": True, "would_recommend": True},
            {"product_id": product.pk, "event_type": "answer", "date": "2026-03-23T09:00:00.000Z"},
        ],
        "engagement_summary": {
            "total_purchases": 1, "total_reviews": 1, "total_progress_entries": 1, "total_questions": 0,
            "total_answers": 1,
        },
    }  # fmt: skip
    assert AnalyticsDocument.objects.get(collection="user_feedback_journey").expires_at is not None
