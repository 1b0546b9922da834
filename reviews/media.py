"""Photos leave the content that shows them: one removed by its author, or every one whose file is
deleted (``skincare.events.file_deleted``, sent inside the deleting transaction). Either way the
queue item goes and the parent's photo counters are recomputed in the same transaction."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from feedback import services as feedback_services
from feedback.models import ContentType
from reviews import error_codes, lock_objects
from reviews.models import AnswerMedia, ProgressEntry, ProgressMedia, QuestionMedia, ReviewMedia
from reviews.qa import qa_media_refresh
from reviews.services import review_media_refresh
from shop.files.services import file_delete
from skincare.errors import ApplicationError


def progress_media_refresh(*, entry_id):
    """``photo_count`` / ``has_photos`` count every photo of the entry (its owner sees them all)."""
    count = ProgressMedia.objects.filter(entry_id=entry_id).count()
    ProgressEntry.objects.filter(pk=entry_id).update(photo_count=count, has_photos=count > 0)


@dataclass(frozen=True)
class _Kind:
    model: type
    parent: str  # foreign key to the content showing the photo
    owner: str  # lookup from the media to the author of that content
    content_type: str
    lock_parent: object
    refresh: object


KINDS = {
    "review": _Kind(
        ReviewMedia, "review", "review__user", ContentType.REVIEW_PHOTO,
        lambda pk: lock_objects.review_lock(review_id=pk),
        lambda media: review_media_refresh(review_id=media.review_id),
    ),
    "progress": _Kind(
        ProgressMedia, "entry", "entry__journal__user", ContentType.PROGRESS_PHOTO,
        lambda pk: lock_objects.entry_lock(entry_id=pk),
        lambda media: progress_media_refresh(entry_id=media.entry_id),
    ),
    "question": _Kind(
        QuestionMedia, "question", "question__user", ContentType.QUESTION_PHOTO,
        lambda pk: lock_objects.question_lock(question_id=pk),
        qa_media_refresh,
    ),
    "answer": _Kind(
        AnswerMedia, "answer", "answer__user", ContentType.ANSWER_PHOTO,
        lambda pk: lock_objects.answer_lock(answer_id=pk),
        qa_media_refresh,
    ),
}  # fmt: skip


def _detach(kind, media_rows):
    for media in media_rows:
        kind.lock_parent(getattr(media, f"{kind.parent}_id"))
        feedback_services.moderation_withdraw(content_type=kind.content_type, content_ids=[media.pk])
        kind.model.objects.filter(pk=media.pk).delete()
        kind.refresh(media)
    return len(media_rows)


@transaction.atomic
def media_detach_file(*, file_id) -> int:
    """The file was deleted: every photo showing it goes. Returns how many."""
    return sum(_detach(kind, list(kind.model.objects.filter(file_id=file_id))) for kind in KINDS.values())


@transaction.atomic
def media_remove(*, user, kind, parent_id, media_id) -> None:
    """The author removes one photo from their review, progress entry, question or answer; its file is deleted."""
    kind = KINDS[kind]
    media = (
        kind.model.objects.filter(pk=media_id, **{f"{kind.parent}_id": parent_id, kind.owner: user})
        .select_related("file")
        .first()
    )
    if media is None:
        raise ApplicationError(error_codes.MEDIA_NOT_FOUND, gettext("Photo not found."))
    file_delete(file=media.file)  # detaches through file_deleted
    _detach(kind, list(kind.model.objects.filter(pk=media.pk)))  # the file was already deleted: detach anyway
