"""Answers are produced by the serializers that document them (``skincare.api.output``).

``output`` reads plain attributes with one ``attrgetter`` and keeps one ready serializer per thread; these
tests hold it to what DRF itself renders from the same serializer, in every context the views use, and
check that one answer's context never leaks into the next.
"""

import datetime
import json

import pytest
from django.test import RequestFactory
from rest_framework.renderers import JSONRenderer

from reviews import selectors
from reviews import serializers as s
from reviews.models import (
    Answer,
    AnswerMedia,
    ContentStatus,
    ProgressEntry,
    ProgressJournal,
    ProgressMedia,
    Question,
    Review,
    ReviewMedia,
)
from reviews.tests.test_reviews_api import upload_photo
from shop.accounts.tests.factories import ExpertFactory, UserFactory
from skincare.api import output as output_module
from skincare.api.output import output

pytestmark = pytest.mark.django_db
APPROVED = ContentStatus.APPROVED


def _json(data):
    return json.loads(JSONRenderer().render(data))


def _drf(serializer_class, instance, request, *, many=False, **context):
    """DRF's own rendering: every field through its get_attribute and to_representation."""

    def plain_plan(self):
        return [(field.field_name, field, None, None) for field in self._readable_fields]

    original = output_module.OutputSerializer._plan
    output_module.OutputSerializer._plan = property(plain_plan)
    try:
        return serializer_class(instance, many=many, context={"request": request, **context}).data
    finally:
        output_module.OutputSerializer._plan = original


@pytest.fixture
def request_():
    return RequestFactory().get("/api/v1/anything")


@pytest.fixture
def content(product):
    author, expert = UserFactory(last_name="Sok"), ExpertFactory()
    review = Review.objects.create(
        product=product, user=author, rating=4, title="Calm", review_text="Calmer skin.", status=APPROVED
    )
    ReviewMedia.objects.create(review=review, file=upload_photo(author), status=APPROVED, photo_type="before")
    gone = Review.objects.create(product=product, user=None, rating=2, title="Gone", status=APPROVED)
    question = Question.objects.create(product=product, user=author, question="Does it sting?", status=APPROVED)
    answer = Answer.objects.create(question=question, user=expert, answer="No.", is_from_expert=True, status=APPROVED)
    AnswerMedia.objects.create(answer=answer, file=upload_photo(expert, context="qa"), status=APPROVED)
    journal = ProgressJournal.objects.create(
        user=author, product=product, goals="Less redness", is_public=True, notes_status=ContentStatus.PENDING
    )
    entry = ProgressEntry.objects.create(
        journal=journal,
        week_number=1,
        progress_date=datetime.date(2026, 1, 5),
        skin_condition_notes="Red cheeks",
        overall_satisfaction=3,
        skin_improvement=2,
        redness_reduced=True,
        photo_count=1,
        has_photos=True,
    )
    ProgressMedia.objects.create(
        entry=entry, file=upload_photo(author, context="progress"), status=ContentStatus.PENDING
    )
    return {"review": review, "gone": gone, "question": question, "answer": answer, "journal": journal}


def test_every_answer_renders_as_drf_renders_it(content, product, request_):
    reviews = list(selectors.reviews_for_product(product_id=product.pk))
    questions = list(selectors.questions_for_product(product_id=product.pk))
    answers = list(selectors.answers_for_question(question_id=content["question"].pk))
    journals = list(selectors.journals_for_user(user=content["journal"].user))
    timeline, _own, _entries = selectors.journal_for_viewer(journal_id=content["journal"].pk, user=None)
    votes = {content["review"].pk: "helpful"}
    cases = [
        (s.ReviewOutput, reviews, {"many": True, "review_votes": votes}),
        (s.ReviewOutput, reviews, {"many": True, "own": True}),
        (s.QuestionOutput, questions, {"many": True, "top_answer": True, "voted_questions": {content["question"].pk}}),
        (s.QuestionOutput, content["question"], {"own": True}),
        (s.AnswerOutput, answers, {"many": True, "answer_votes": {content["answer"].pk: "unhelpful"}}),
        (s.JournalOutput, journals, {"many": True, "own": True, "with_entries": True}),
        (s.JournalOutput, journals, {"many": True, "with_entries": True}),
        (s.JournalTimelineOutput, timeline, {"with_entries": True}),
    ]
    for serializer_class, instance, context in cases:
        assert _json(output(serializer_class, instance, request_, **context)) == _json(
            _drf(serializer_class, instance, request_, **context)
        ), (serializer_class.__name__, context)


def test_answers_carry_what_the_viewer_may_see(content, product, request_):
    gone, review = _json(output(s.ReviewOutput, [content["gone"], content["review"]], request_, many=True))
    assert gone["author"] == {"id": None, "name": "Former customer"}
    assert review["author"]["name"] == f"{content['review'].user.first_name} S."
    assert "status" not in review and "status" not in review["media"][0]
    assert review["media"][0]["url"].startswith("http://testserver/")

    own = _json(output(s.ReviewOutput, content["review"], request_, own=True, review_votes={review["id"]: "helpful"}))
    assert own["status"] == "approved" and own["media"][0]["status"] == "approved" and own["my_vote"] == "helpful"
    # The next answer of the same shape starts from its own context: no flag, no vote left over.
    again = _json(output(s.ReviewOutput, content["review"], request_))
    assert "status" not in again and again["my_vote"] is None

    [question] = _json(output(s.QuestionOutput, list(selectors.questions_for_product(product_id=product.pk)), request_,
                              many=True, top_answer=True, voted_questions=set()))  # fmt: skip
    assert question["voted_helpful"] is False and question["top_answer"]["author"]["is_expert"] is True
    assert "top_answer" not in _json(output(s.QuestionOutput, content["question"], request_))

    # A public journal whose text moderation has not approved: others see it blank and no private photo.
    timeline, _own, _entries = selectors.journal_for_viewer(journal_id=content["journal"].pk, user=None)
    public = _json(output(s.JournalTimelineOutput, timeline, request_, with_entries=True))
    assert public["goals"] == "" and "baseline_notes" not in public
    assert public["entries"][0]["skin_condition_notes"] == "" and public["entries"][0]["photos"] == []
    assert public["entries"][0]["photo_count"] == 0 and public["entries"][0]["has_photos"] is False
    assert public["entries"][0]["improvements"] == ["redness_reduced"]
    assert public["summary"]["weeks_recorded"] == 1 and public["summary"]["improvement_weeks"] == {"redness_reduced": 1}
    owner = _json(output(s.JournalOutput, timeline, request_, own=True, with_entries=True))
    assert owner["goals"] == "Less redness" and owner["notes_status"] == "pending"
    assert owner["entries"][0]["skin_condition_notes"] == "Red cheeks" and owner["entries"][0]["photo_count"] == 1
