"""Progress journals: start tracking a product, one entry per week (1-52), photos, complete/abandon."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from feedback import services as feedback_services
from feedback.models import ContentType, ModerationStatus
from reviews import error_codes, lock_objects
from reviews.models import (
    ENTRY_TEXT_FIELDS,
    IMPROVEMENT_FLAGS,
    ContentStatus,
    ProgressEntry,
    ProgressJournal,
    ProgressMedia,
    ProgressStatus,
)
from reviews.services import ITEM_TO_CONTENT_STATUS, active_product, submit_photo, usable_files
from shop.files.services import file_attach
from skincare.api.error_codes import ApiErrorCode
from skincare.errors import ApplicationError

ENTRY_FIELDS = frozenset(
    {
        "progress_date", "skin_condition_notes", "application_notes", "lifestyle_factors", "overall_satisfaction",
        "skin_improvement", "side_effects_severity", "product_experience", *IMPROVEMENT_FLAGS,
    }
)  # fmt: skip
PHOTO_FIELDS = (
    "photo_type", "skin_area", "angle", "lighting_condition", "photo_quality_score", "lighting_consistency",
    "angle_consistency", "photo_notes", "comparison_notes", "is_featured",
)  # fmt: skip
MAX_PHOTOS_PER_ENTRY = 5  # the seed's progress upload config: 5 photos per entry


def _not_found():
    return ApplicationError(error_codes.PROGRESS_NOT_FOUND, gettext("Progress journal not found."))


def _check_progress_date(data):
    """A weekly entry records what happened: its date cannot be in the future (no DB constraint can say
    so with a moving date, so every write goes through here)."""
    progress_date = data.get("progress_date")
    today = timezone.localdate()
    if progress_date is not None and progress_date > today:
        message = gettext("progress_date cannot be in the future (today is %(today)s).") % {"today": today.isoformat()}
        raise ApplicationError(ApiErrorCode.VALIDATION_ERROR, message, errors={"progress_date": [message]})


# --- Moderation of the public text -----------------------------------------------------------------


def journal_public_text(journal) -> str:
    """Everything of a journal others can read: goals, completion notes and every entry's notes."""
    parts = [journal.goals, journal.completion_notes]
    for entry in ProgressEntry.objects.filter(journal_id=journal.pk).order_by("week_number"):
        parts.extend(getattr(entry, field) for field in ENTRY_TEXT_FIELDS)
    return "\n".join(part for part in parts if part)


def _screen_public_text(journal):
    """A public journal's text goes through the review queue (``progress_note``) on every change;
    others see it only once approved. Private journals leave the queue."""
    if not journal.is_public:
        feedback_services.moderation_withdraw(content_type=ContentType.PROGRESS_NOTE, content_ids=[journal.pk])
        ProgressJournal.objects.filter(pk=journal.pk).update(notes_status=ContentStatus.PENDING)
        return
    ProgressJournal.objects.filter(pk=journal.pk).update(notes_status=ContentStatus.PENDING)
    item = feedback_services.moderation_submit(
        content_type=ContentType.PROGRESS_NOTE,
        content_id=journal.pk,
        user=journal.user,
        text=journal_public_text(journal),
        metadata={"journal_id": journal.pk, "product_id": journal.product_id},
    )
    if item.status != ModerationStatus.APPROVED:
        ProgressJournal.objects.filter(pk=journal.pk).update(notes_status=ITEM_TO_CONTENT_STATUS[item.status])


def journal_notes_apply_decision(*, journal_id, decision):
    """Receiver side of ``moderation_decided`` for ``progress_note``; inside the deciding transaction."""
    status = ContentStatus.APPROVED if decision == ModerationStatus.APPROVED else ContentStatus.REJECTED
    ProgressJournal.objects.filter(pk=journal_id).update(notes_status=status)


@transaction.atomic
def progress_start(*, user, product_id, goals="", baseline_notes="", is_public=False) -> ProgressJournal:
    product = active_product(product_id)
    if ProgressJournal.objects.filter(user=user, product=product, status=ProgressStatus.ONGOING).exists():
        raise ApplicationError(
            error_codes.PROGRESS_ALREADY_TRACKING,
            gettext("You are already tracking this product."),
        )
    try:
        with transaction.atomic():
            journal = ProgressJournal.objects.create(
                user=user,
                product=product,
                skin_type=user.skin_type or "",
                goals=goals,
                baseline_notes=baseline_notes,
                is_public=is_public,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            error_codes.PROGRESS_ALREADY_TRACKING,
            gettext("You are already tracking this product."),
        ) from exc
    if journal.is_public:
        _screen_public_text(journal)
    journal.refresh_from_db()
    return journal


def own_journal(*, user, journal_id, lock=False) -> ProgressJournal:
    if lock:
        journal = lock_objects.journal_lock(pk=journal_id, user=user)
    else:
        journal = ProgressJournal.objects.filter(pk=journal_id, user=user).first()
    if journal is None:
        raise _not_found()
    return journal


def _ongoing(journal):
    if journal.status != ProgressStatus.ONGOING:
        raise ApplicationError(
            error_codes.PROGRESS_NOT_ONGOING,
            gettext("This journal is %(status)s; start a new one to keep tracking.") % {"status": journal.status},
        )


@transaction.atomic
def progress_entry_add(*, user, week_number, journal_id=None, product_id=None, photos=None, **data) -> ProgressEntry:
    """Weekly update of the user's ongoing journal (by ``journal_id``, or by ``product_id``)."""
    unknown = set(data) - ENTRY_FIELDS
    if unknown:
        raise TypeError(f"Unknown entry fields: {sorted(unknown)}")
    _check_progress_date(data)
    if journal_id is not None:
        journal = own_journal(user=user, journal_id=journal_id, lock=True)
    else:
        journal = lock_objects.journal_lock(user=user, product_id=product_id, status=ProgressStatus.ONGOING)
        if journal is None:
            raise ApplicationError(
                error_codes.PROGRESS_NOT_FOUND,
                gettext("You are not tracking this product; start tracking it first."),
            )
    _ongoing(journal)
    if not 1 <= int(week_number) <= 52:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("week_number must be 1..52."),
            errors={"week_number": [gettext("1..52.")]},
        )
    if ProgressEntry.objects.filter(journal=journal, week_number=week_number).exists():
        raise ApplicationError(
            error_codes.PROGRESS_WEEK_EXISTS,
            gettext("Week %(week)d is already recorded; edit that entry instead.") % {"week": week_number},
            errors={"week_number": [gettext("Already recorded.")]},
        )
    data.setdefault("progress_date", timezone.localdate())
    try:
        with transaction.atomic():
            entry = ProgressEntry.objects.create(journal=journal, week_number=week_number, **data)
    except IntegrityError as exc:
        raise ApplicationError(
            error_codes.PROGRESS_WEEK_EXISTS, gettext("Week %(week)d is already recorded.") % {"week": week_number}
        ) from exc
    ProgressJournal.objects.filter(pk=journal.pk).update(entry_count=F("entry_count") + 1, updated_at=timezone.now())
    if journal.is_public:
        _screen_public_text(journal)
    if photos:
        progress_photos_add(user=user, entry_id=entry.pk, photos=photos)
        entry.refresh_from_db()
    return entry


@transaction.atomic
def progress_entry_update(*, user, entry_id, **data) -> ProgressEntry:
    unknown = set(data) - ENTRY_FIELDS
    if unknown:
        raise TypeError(f"Unknown entry fields: {sorted(unknown)}")
    _check_progress_date(data)
    entry = lock_objects.entry_lock(entry_id=entry_id, journal__user=user)
    if entry is None:
        raise ApplicationError(error_codes.PROGRESS_NOT_FOUND, gettext("Progress entry not found."))
    for field, value in data.items():
        setattr(entry, field, value)
    entry.save()
    journal = lock_objects.journal_lock(pk=entry.journal_id)  # one screening of the journal text at a time
    if journal.is_public and any(field in data for field in ENTRY_TEXT_FIELDS):
        _screen_public_text(journal)
    return entry


def progress_entry_feedback_set(*, entry_id, text, source) -> bool:
    """Store the week's personal feedback (written by ml). An UPDATE, not ``save()``: it sends no
    ``post_save`` (which asks for new feedback) and leaves ``updated_at`` as the person left it."""
    return bool(ProgressEntry.objects.filter(pk=entry_id).update(feedback=text, feedback_source=source))


@transaction.atomic
def progress_photos_add(*, user, entry_id, photos) -> list[ProgressMedia]:
    entry = lock_objects.entry_lock(entry_id=entry_id, journal__user=user)
    if entry is None:
        raise ApplicationError(error_codes.PROGRESS_NOT_FOUND, gettext("Progress entry not found."))
    existing = entry.media.count()
    resolved = usable_files(user=user, items=photos, context="progress", max_count=MAX_PHOTOS_PER_ENTRY - existing)
    created = []
    for position, (file, meta) in enumerate(resolved, start=existing):
        file_attach(file=file, entity_type="progress", entity_id=entry.pk)
        media = ProgressMedia.objects.create(
            entry=entry,
            file=file,
            sort_order=position,
            **{k: meta[k] for k in PHOTO_FIELDS if k in meta and meta[k] is not None},
        )
        submit_photo(
            content_type=ContentType.PROGRESS_PHOTO, media=media, user=user, file=file, caption=media.photo_notes,
            metadata={"journal_id": entry.journal_id, "week": entry.week_number, "private": not file.is_public},
        )  # fmt: skip
        created.append(media)
    count = existing + len(created)
    ProgressEntry.objects.filter(pk=entry.pk).update(photo_count=count, has_photos=count > 0)
    return created


@transaction.atomic
def progress_finish(*, user, journal_id, outcome, completion_notes="") -> ProgressJournal:
    journal = own_journal(user=user, journal_id=journal_id, lock=True)
    _ongoing(journal)
    journal.status = outcome
    journal.completion_notes = completion_notes or ""
    journal.ended_at = timezone.now()
    journal.save(update_fields=["status", "completion_notes", "ended_at", "updated_at"])
    if journal.is_public and journal.completion_notes:
        _screen_public_text(journal)
        journal.refresh_from_db()
    return journal


def progress_complete(*, user, journal_id, completion_notes="") -> ProgressJournal:
    return progress_finish(
        user=user, journal_id=journal_id, outcome=ProgressStatus.COMPLETED, completion_notes=completion_notes
    )


def progress_abandon(*, user, journal_id, completion_notes="") -> ProgressJournal:
    return progress_finish(
        user=user, journal_id=journal_id, outcome=ProgressStatus.ABANDONED, completion_notes=completion_notes
    )


@transaction.atomic
def progress_update_visibility(*, user, journal_id, is_public) -> ProgressJournal:
    journal = own_journal(user=user, journal_id=journal_id, lock=True)
    was_public, journal.is_public = journal.is_public, bool(is_public)
    journal.save(update_fields=["is_public", "updated_at"])
    if journal.is_public != was_public:
        _screen_public_text(journal)
        journal.refresh_from_db()
    return journal
