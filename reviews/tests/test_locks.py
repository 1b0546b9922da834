"""On PostgreSQL every lock the reviews flows take is ``FOR UPDATE OF`` one table, its own: a moderation
decision or a vote never locks the product (except the rating refresh's own catalog lock) or the user."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from feedback.models import ModerationItem
from feedback.services import moderation_approve
from reviews import lock_objects, qa
from reviews.models import Answer, ProgressEntry, ProgressJournal, Question, Review, ReviewMedia
from reviews.services import review_create, review_vote
from reviews.tests.helpers import review_payload
from shop.accounts.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="FOR UPDATE OF is PostgreSQL SQL"),
]

CLAIM = "This cures acne, better than any prescription."


def locked_tables(func):
    """Each locking statement's ``FOR UPDATE OF`` list, in the order they ran."""
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        func()
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    return [re.search(r"FOR UPDATE OF (.+?)(?: NOWAIT| SKIP LOCKED)?$", sql).group(1) for sql in locks]


def test_each_lock_object_locks_only_its_own_table(user, product):
    review = Review.objects.create(product=product, user=user, rating=4)
    journal = ProgressJournal.objects.create(user=user, product=product)
    entry = ProgressEntry.objects.create(journal=journal, week_number=1, progress_date="2026-01-05",
                                         overall_satisfaction=3, skin_improvement=3)  # fmt: skip
    question = Question.objects.create(product=product, user=user, question="Vegan?")
    answer = Answer.objects.create(question=question, user=user, answer="Yes.")
    calls = {
        '"reviews_review"': [
            lambda: lock_objects.review_lock(review_id=review.pk, user=user),
            lambda: lock_objects.reviews_lock(user_id=user.pk, product__name=product.name),
        ],
        '"reviews_reviewmedia"': [lambda: lock_objects.media_lock(model=ReviewMedia, media_id=1, review__user=user)],
        '"reviews_progressjournal"': [lambda: lock_objects.journal_lock(pk=journal.pk, user__email=user.email)],
        '"reviews_progressentry"': [lambda: lock_objects.entry_lock(entry_id=entry.pk, journal__user=user)],
        '"reviews_question"': [lambda: lock_objects.question_lock(question_id=question.pk, product=product)],
        '"reviews_answer"': [lambda: lock_objects.answer_lock(answer_id=answer.pk, question__status="approved")],
    }
    for table, functions in calls.items():
        for function in functions:
            assert locked_tables(function) == [table]


def test_a_review_decision_locks_the_item_the_review_and_the_product_row_only(product, staff_user):
    review = review_create(user=UserFactory(), product_id=product.pk, **review_payload(review_text=CLAIM))
    item = ModerationItem.objects.get(content_type="review", content_id=review.pk)

    tables = locked_tables(lambda: moderation_approve(item=item, by=staff_user))

    assert tables == ['"feedback_moderationitem"', '"reviews_review"', '"catalog_product"']


def test_an_answer_decision_and_a_vote_lock_their_own_rows(product, staff_user):
    question = Question.objects.create(product=product, user=UserFactory(), question="Vegan?", status="approved")
    answer = Answer.objects.create(question=question, user=UserFactory(), answer="Yes.")
    review = review_create(user=UserFactory(), product_id=product.pk, **review_payload())

    assert locked_tables(
        lambda: qa.answer_apply_decision(answer_id=answer.pk, decision="approved", by=staff_user, notes="")
    ) == ['"reviews_answer"']
    assert locked_tables(lambda: review_vote(user=UserFactory(), review_id=review.pk, vote_type="helpful")) == [
        '"reviews_review"'
    ]
