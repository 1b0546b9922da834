"""Receivers connected in ``ReviewsConfig.ready``: moderation decisions change the visibility of
reviews, questions, answers and photos; a delivered order makes the buyer's reviews verified; an
author's profile change or deletion refreshes the review lists that show them; any write of a
question, answer, answer vote, journal or weekly entry refreshes the product pages' rendering of
them (``cache.page_content_invalidate``)."""

import logging

from django.db.models.signals import post_delete, post_save, pre_delete

from feedback.models import ContentType
from reviews import cache as review_cache
from reviews import progress, qa, services
from reviews.media import media_detach_file
from reviews.models import (
    Answer,
    AnswerMedia,
    AnswerVote,
    ProgressEntry,
    ProgressJournal,
    ProgressMedia,
    Question,
    QuestionMedia,
    ReviewMedia,
)
from shop.accounts.models import User
from skincare import events

logger = logging.getLogger(__name__)


def _review_media_after(media):
    services.review_media_refresh(review_id=media.review_id)


def on_moderation_decided(sender, content_type, content_id, decision, by=None, notes="", **kwargs):
    if content_type == ContentType.REVIEW:
        services.review_apply_decision(review_id=content_id, decision=decision, by=by, notes=notes)
    elif content_type == ContentType.QUESTION:
        qa.question_apply_decision(question_id=content_id, decision=decision, by=by, notes=notes)
    elif content_type == ContentType.ANSWER:
        qa.answer_apply_decision(answer_id=content_id, decision=decision, by=by, notes=notes)
    elif content_type == ContentType.REVIEW_PHOTO:
        services.media_apply_decision(
            model=ReviewMedia, media_id=content_id, decision=decision, after=_review_media_after
        )
    elif content_type == ContentType.QUESTION_PHOTO:
        services.media_apply_decision(
            model=QuestionMedia, media_id=content_id, decision=decision, after=qa.qa_media_refresh
        )
    elif content_type == ContentType.ANSWER_PHOTO:
        services.media_apply_decision(
            model=AnswerMedia, media_id=content_id, decision=decision, after=qa.qa_media_refresh
        )
    elif content_type == ContentType.PROGRESS_NOTE:
        progress.journal_notes_apply_decision(journal_id=content_id, decision=decision)
        review_cache.page_content_invalidate()  # the journal's goals show once approved
    elif content_type == ContentType.PROGRESS_PHOTO:
        services.media_apply_decision(model=ProgressMedia, media_id=content_id, decision=decision)


def on_order_status_changed(sender, order, old_status, new_status, **kwargs):
    if new_status != "delivered" or order.user_id is None:
        return
    try:
        product_ids = set(order.items.values_list("product_id", flat=True))
        services.reviews_mark_verified(user_id=order.user_id, product_ids=product_ids)
    except Exception:  # noqa: BLE001 - never break the order flow
        logger.exception("Marking reviews verified for order %s failed", order.pk)


def on_file_deleted(sender, file, **kwargs):
    media_detach_file(file_id=file.pk)


def on_user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """A name, skin type, role or score change shows in the user's reviews (``AuthorOutput``)."""
    if created or (update_fields is not None and not review_cache.AUTHOR_FIELDS.intersection(update_fields)):
        return
    review_cache.list_invalidate_for_authors(user_ids=[instance.pk])


def on_user_deleting(sender, instance, **kwargs):
    """The user's reviews stay, by a "Former customer" (``Review.user`` is set null): their products are
    looked up before the deletion unlinks them."""
    review_cache.list_invalidate(product_ids=review_cache.author_product_ids([instance.pk]))


def on_page_content_changed(sender, **kwargs):
    review_cache.page_content_invalidate()


PAGE_CONTENT_MODELS = (Question, Answer, AnswerVote, ProgressJournal, ProgressEntry)


def connect():
    for model in PAGE_CONTENT_MODELS:
        for signal, when in ((post_save, "saved"), (post_delete, "deleted")):
            uid = f"reviews-page-content-{model._meta.model_name}-{when}"
            signal.connect(on_page_content_changed, sender=model, dispatch_uid=uid)
    post_save.connect(on_user_saved, sender=User, dispatch_uid="reviews-author-saved")
    pre_delete.connect(on_user_deleting, sender=User, dispatch_uid="reviews-author-deleting")
    events.file_deleted.connect(on_file_deleted, dispatch_uid="reviews-file-deleted")
    events.moderation_decided.connect(on_moderation_decided, dispatch_uid="reviews-moderation-decided")
    events.order_status_changed.connect(on_order_status_changed, dispatch_uid="reviews-order-delivered")
