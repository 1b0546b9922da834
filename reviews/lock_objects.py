"""Every row lock the reviews app takes, in one place.

Each lock covers only this app's own rows (``of=("self",)``: joins in the filter never lock the
product, the journal's user or the question), taken in pk order. Flows that need several lock the
parent before its media (review -> review media, entry -> progress media, question/answer -> their
media). ``select_for_update`` is a no-op on SQLite, where writes are serialised anyway.
"""

from reviews.models import Answer, ProgressEntry, ProgressJournal, Question, Review


def _locked(model, **filters):
    return model.objects.select_for_update(of=("self",)).filter(**filters).order_by("pk")


def review_lock(*, review_id, **filters) -> Review | None:
    return _locked(Review, pk=review_id, **filters).first()


def reviews_lock(**filters) -> list[Review]:
    return list(_locked(Review, **filters))


def media_lock(*, model, media_id, **filters):
    return _locked(model, pk=media_id, **filters).first()


def journal_lock(**filters) -> ProgressJournal | None:
    return _locked(ProgressJournal, **filters).first()


def entry_lock(*, entry_id, **filters) -> ProgressEntry | None:
    return _locked(ProgressEntry, pk=entry_id, **filters).first()


def question_lock(*, question_id, **filters) -> Question | None:
    return _locked(Question, pk=question_id, **filters).first()


def answer_lock(*, answer_id, **filters) -> Answer | None:
    return _locked(Answer, pk=answer_id, **filters).first()
