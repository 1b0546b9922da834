"""Review writes: create / update / delete, photos, votes, staff decisions and what a moderation
decision does to a review (visibility, product rating counters, user counters, notifications).

Progress journals are in ``reviews.progress``, questions and answers in ``reviews.qa``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from feedback import services as feedback_services
from feedback.models import ContentType, ModerationItem, ModerationStatus, NotificationType
from reviews import cache as review_cache
from reviews import error_codes, lock_objects
from reviews.community import user_avg_rating_refresh, user_counters_add
from reviews.models import USES_PER_DAY, ContentStatus, Review, ReviewMedia, ReviewVote, VoteType
from shop.catalog import lock_objects as catalog_locks
from shop.catalog.models import Product
from shop.catalog.selectors import product_active_get
from shop.catalog.services import product_set_rating
from shop.files.models import MediaType
from shop.files.selectors import file_get_owned
from shop.files.services import file_attach, file_delete
from shop.orders.models import OrderItem, OrderStatus
from shop.orders.replenishment import product_usage_set
from skincare.api import bulk
from skincare.api.error_codes import ApiErrorCode
from skincare.errors import ApplicationError

REVIEW_FIELDS = frozenset(
    {
        "rating", "title", "review_text", "skin_type_at_review", "usage_duration", "visible_results",
        "would_recommend", "effectiveness_rating", "texture_rating", "scent_rating", "packaging_rating",
        "value_for_money_rating", "skin_condition_before", "skin_condition_after", "side_effects", "how_often_used",
        "application_method", "used_with_other_products",
    }
)  # fmt: skip
REVIEW_MEDIA_FIELDS = (
    "photo_type", "photo_context", "skin_area", "lighting_condition", "timeline_context", "days_of_usage",
    "is_featured",
)  # fmt: skip
ITEM_TO_CONTENT_STATUS = {
    ModerationStatus.PENDING: ContentStatus.PENDING,
    ModerationStatus.NEEDS_REVIEW: ContentStatus.FLAGGED,
    ModerationStatus.APPROVED: ContentStatus.APPROVED,
    ModerationStatus.REJECTED: ContentStatus.REJECTED,
}


def max_media():
    return int(getattr(settings, "REVIEWS_MAX_MEDIA_PER_REVIEW", 5))


def active_product(product_id) -> Product:
    return product_active_get(product_id=product_id)


def delivered_order_item(*, user, product_id):
    """The user's latest delivered order line for the product: proof of a verified purchase."""
    return (
        OrderItem.objects.filter(order__user=user, order__status=OrderStatus.DELIVERED, product_id=product_id)
        .order_by("-order__delivered_at", "-id")
        .first()
    )


# --- Files ---------------------------------------------------------------------------------------


def usable_files(*, user, items, context, max_count, field="photos"):
    """Resolve ``[{"file_id": uuid, ...meta}]`` to the uploader's own, unattached files of ``context``."""
    items = list(items or [])
    if len(items) > max_count:
        raise ApplicationError(
            error_codes.TOO_MANY_MEDIA,
            gettext("At most %(max)d files.") % {"max": max_count},
            errors={field: [gettext("At most %(max)d files.") % {"max": max_count}]},
        )
    resolved, seen = [], set()
    for position, item in enumerate(items):
        public_id = item["file_id"]
        file = file_get_owned(public_id=public_id, owner=user)
        problem = None
        if file is None:
            problem = gettext("File %(file)s was not found among your uploads.")
        elif file.context != context:
            problem = gettext("File %(file)s was uploaded for '%(used)s', not '%(context)s'.")
        elif file.related_entity_type or public_id in seen:
            problem = gettext("File %(file)s is already used elsewhere.")
        if problem:
            raise ApplicationError(
                error_codes.FILE_NOT_USABLE,
                problem % {"file": public_id, "used": file and file.context, "context": context},
                errors={
                    field: [
                        f"{position}: "
                        + problem % {"file": public_id, "used": file and file.context, "context": context}
                    ]
                },
            )
        seen.add(public_id)
        resolved.append((file, item))
    return resolved


def submit_photo(*, content_type, media, user, file, caption="", metadata=None):
    item = feedback_services.moderation_submit(
        content_type=content_type,
        content_id=media.pk,
        user=user,
        text=caption,
        file=file,
        metadata=metadata or {},
    )
    if item.status != ModerationStatus.APPROVED:
        type(media).objects.filter(pk=media.pk).update(status=ITEM_TO_CONTENT_STATUS[item.status])


def _review_media_add(*, review, user, photos):
    existing = review.media.count()
    resolved = usable_files(user=user, items=photos, context="review", max_count=max_media() - existing)
    for position, (file, meta) in enumerate(resolved, start=existing):
        file_attach(file=file, entity_type="review", entity_id=review.pk)
        media = ReviewMedia.objects.create(
            review=review,
            file=file,
            media_type="video" if file.media_type == MediaType.VIDEO else "photo",
            sort_order=position,
            **{k: meta[k] for k in REVIEW_MEDIA_FIELDS if k in meta and meta[k] is not None},
        )
        submit_photo(
            content_type=ContentType.REVIEW_PHOTO,
            media=media,
            user=user,
            file=file,
            caption=media.photo_context,
            metadata={"review_id": review.pk, "product_id": review.product_id, "photo_type": media.photo_type},
        )


def review_media_refresh(*, review_id):
    """``has_photos`` / ``has_video`` / ``media_count`` count approved media only (what others see)."""
    approved = Q(media__status=ContentStatus.APPROVED)
    videos = approved & Q(media__media_type="video")
    row = (
        Review.objects.filter(pk=review_id)
        .values("product_id")
        .annotate(n=Count("media", filter=approved), videos=Count("media", filter=videos))
        .order_by()
    )
    row = next(iter(row), None)
    if row is None:
        return
    Review.objects.filter(pk=review_id).update(
        media_count=row["n"], has_photos=row["n"] - row["videos"] > 0, has_video=row["videos"] > 0
    )
    review_cache.summary_invalidate(product_ids=[row["product_id"]])
    review_cache.list_invalidate(product_ids=[row["product_id"]])


# --- Reviews -------------------------------------------------------------------------------------


def _moderation_text(review):
    parts = [
        review.title, review.review_text, review.skin_condition_before, review.skin_condition_after,
        review.side_effects, review.application_method,
    ]  # fmt: skip
    return "\n".join(part for part in parts if part)


def _check_products_used_with(product_ids, own_product_id):
    ids = [pid for pid in dict.fromkeys(product_ids or []) if pid != own_product_id]
    if len(ids) > 20:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("At most 20 products."),
            errors={"used_with_other_products": [gettext("Too many.")]},
        )
    found = set(Product.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pid for pid in ids if pid not in found]
    if missing:
        raise ApplicationError(
            error_codes.UNKNOWN_PRODUCTS,
            gettext("Some products do not exist."),
            errors={
                "used_with_other_products": [gettext("Unknown ids: %(ids)s.") % {"ids": ", ".join(map(str, missing))}]
            },
        )
    return ids


def _submit_review(review, user):
    item = feedback_services.moderation_submit(
        content_type=ContentType.REVIEW,
        content_id=review.pk,
        user=user,
        text=_moderation_text(review),
        metadata={"product_id": review.product_id, "rating": review.rating},
    )
    if item.status != ModerationStatus.APPROVED:
        Review.objects.filter(pk=review.pk).update(status=ITEM_TO_CONTENT_STATUS[item.status])
    review.refresh_from_db()
    return review


@transaction.atomic
def review_create(*, user, product_id, photos=None, **data) -> Review:
    unknown = set(data) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"Unknown review fields: {sorted(unknown)}")
    product = active_product(product_id)
    if Review.objects.filter(product=product, user=user).exists():
        raise ApplicationError(
            error_codes.REVIEW_EXISTS,
            gettext("You have already reviewed this product; edit your review instead."),
        )
    data["used_with_other_products"] = _check_products_used_with(data.get("used_with_other_products"), product.pk)
    if not data.get("skin_type_at_review"):
        data["skin_type_at_review"] = user.skin_type or ""
    order_item = delivered_order_item(user=user, product_id=product.pk)
    review = Review(
        product=product,
        user=user,
        order_item=order_item,
        is_verified_purchase=order_item is not None,
        status=ContentStatus.PENDING,
        **data,
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # a parallel request won
        raise ApplicationError(error_codes.REVIEW_EXISTS, gettext("You have already reviewed this product.")) from exc
    if photos:
        _review_media_add(review=review, user=user, photos=photos)
    return _submit_review(review, user)


def own_review(*, user, review_id, lock=False) -> Review:
    if not user.is_authenticated:
        review = None
    elif lock:
        review = lock_objects.review_lock(review_id=review_id, user=user)
    else:
        review = Review.objects.filter(pk=review_id, user=user).first()
    if review is None:
        raise ApplicationError(error_codes.REVIEW_NOT_FOUND, gettext("Review not found."))
    return review


def _leave_approval(review):
    """The review stops counting (edit back to moderation, rejection, deletion)."""
    user_counters_add(
        user_id=review.user_id,
        reviews=-1,
        verified_reviews=-1 if review.is_verified_purchase else 0,
        helpful=-review.helpful_votes_count,
    )


def _enter_approval(review):
    user_counters_add(
        user_id=review.user_id,
        reviews=1,
        verified_reviews=1 if review.is_verified_purchase else 0,
        helpful=review.helpful_votes_count,
    )


@transaction.atomic
def review_update(*, user, review_id, photos=None, **data) -> Review:
    """The author edits; the review goes back through moderation (clean edits are re-approved at once)."""
    unknown = set(data) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"Unknown review fields: {sorted(unknown)}")
    review = own_review(user=user, review_id=review_id, lock=True)
    if "used_with_other_products" in data:
        data["used_with_other_products"] = _check_products_used_with(
            data["used_with_other_products"], review.product_id
        )
    for field, value in data.items():
        setattr(review, field, value)
    if review.status == ContentStatus.APPROVED:
        _leave_approval(review)
    review.status = ContentStatus.PENDING
    review.moderation_notes = ""
    review.save()
    if photos:
        _review_media_add(review=review, user=user, photos=photos)
    review = _submit_review(review, user)
    product_rating_refresh(product_id=review.product_id)
    user_avg_rating_refresh(user_id=review.user_id)
    return review


@transaction.atomic
def review_delete(*, user, review_id, by_staff=False):
    review = (
        lock_objects.review_lock(review_id=review_id)
        if by_staff
        else own_review(user=user, review_id=review_id, lock=True)
    )
    if review is None:
        raise ApplicationError(error_codes.REVIEW_NOT_FOUND, gettext("Review not found."))
    if review.status == ContentStatus.APPROVED:
        _leave_approval(review)
    media = list(ReviewMedia.objects.filter(review=review).select_related("file"))
    feedback_services.moderation_withdraw(content_type=ContentType.REVIEW, content_ids=[review.pk])
    feedback_services.moderation_withdraw(content_type=ContentType.REVIEW_PHOTO, content_ids=[m.pk for m in media])
    product_id, author_id = review.product_id, review.user_id
    review.delete()
    for item in media:
        file_delete(file=item.file)
    product_rating_refresh(product_id=product_id)
    user_avg_rating_refresh(user_id=author_id)


def product_rating_refresh(*, product_id):
    """Recompute the product's figures from approved reviews, with the product row locked: its average
    and count, and how often reviewers use it (run-out estimates)."""
    catalog_locks.product_lock(product_id=product_id)
    totals = Review.objects.filter(product_id=product_id, status=ContentStatus.APPROVED).aggregate(
        avg=Avg("rating"), n=Count("id")
    )
    product_set_rating(product_id=product_id, rating_avg=totals["avg"] or 0, review_count=totals["n"])
    product_usage_refresh(product_ids=[product_id])
    review_cache.summary_invalidate(product_ids=[product_id])
    review_cache.list_invalidate(product_ids=[product_id])


def product_usage_refresh(*, product_ids):
    """Per product, the mean applications a day that approved reviews report (``USES_PER_DAY``; "as
    needed" and blank say nothing), for the shop's run-out estimates. One grouped query."""
    counts = (
        Review.objects.filter(
            product_id__in=product_ids, status=ContentStatus.APPROVED, how_often_used__in=USES_PER_DAY
        )
        .values_list("product_id", "how_often_used")
        .annotate(n=Count("id"))
        .order_by()
    )
    sums = {}
    for product_id, frequency, n in counts:
        reports, total = sums.get(product_id, (0, 0))
        sums[product_id] = (reports + n, total + USES_PER_DAY[frequency] * n)
    usage = {pk: ((total / reports).quantize(Decimal("0.001")), reports) for pk, (reports, total) in sums.items()}
    product_usage_set(product_ids=product_ids, usage=usage)


# --- Decisions -----------------------------------------------------------------------------------


def content_decision_apply(content, *, decision, notes, also=()):
    """A moderation decision on a review, question or answer (locked by the caller): approved clears
    the notes, anything else rejects with them. Returns (was approved before, is approved now)."""
    was_approved = content.status == ContentStatus.APPROVED
    approved = decision == ModerationStatus.APPROVED
    content.status = ContentStatus.APPROVED if approved else ContentStatus.REJECTED
    content.moderation_notes = "" if approved else (notes or "")
    content.save(update_fields=["status", "moderation_notes", "updated_at", *also])
    return was_approved, approved


def review_apply_decision(*, review_id, decision, by, notes):
    """Receiver side of ``moderation_decided`` for reviews; runs inside the deciding transaction."""
    review = lock_objects.review_lock(review_id=review_id)
    if review is None:
        return
    first_approval = review.approved_at is None
    if decision == ModerationStatus.APPROVED:
        review.approved_at = review.approved_at or timezone.now()
    was_approved, _ = content_decision_apply(review, decision=decision, notes=notes, also=["approved_at"])
    if review.status == ContentStatus.APPROVED and not was_approved:
        _enter_approval(review)
    elif review.status == ContentStatus.REJECTED and was_approved:
        _leave_approval(review)
    product_rating_refresh(product_id=review.product_id)
    user_avg_rating_refresh(user_id=review.user_id)

    product = review.product
    if review.user_id is None:
        return
    if review.status == ContentStatus.APPROVED and (first_approval or by is not None) and not was_approved:
        feedback_services.notification_create(
            user=review.user_id,
            type=NotificationType.REVIEW_APPROVED,
            title="Your review is live",
            message=f"Your review of {product.name} is now visible to other shoppers.",
            action_url=f"/products/{product.slug}/reviews/{review.pk}",
            related_type="review",
            related_id=review.pk,
        )
        if first_approval:
            feedback_services.wishlist_notify(
                product=product,
                kind="reviews",
                title=f"New review of {product.name}",
                message=f"Someone just reviewed {product.name} from your wishlist ({review.rating}/5).",
            )
    elif review.status == ContentStatus.REJECTED:
        reason = f" Reason: {notes}" if notes else ""
        feedback_services.notification_create(
            user=review.user_id,
            type=NotificationType.REVIEW_REJECTED,
            title="Your review was not published",
            message=f"Your review of {product.name} did not meet our community guidelines.{reason}",
            action_url=f"/account/reviews/{review.pk}",
            related_type="review",
            related_id=review.pk,
        )


def media_apply_decision(*, model, media_id, decision, after=None):
    media = lock_objects.media_lock(model=model, media_id=media_id)
    if media is None:
        return None
    media.status = ContentStatus.APPROVED if decision == ModerationStatus.APPROVED else ContentStatus.REJECTED
    media.save(update_fields=["status"])
    if after is not None:
        after(media)
    return media


def _moderation_item(content_type, content_id, *, user, text):
    item = ModerationItem.objects.filter(content_type=content_type, content_id=content_id).first()
    if item is None:  # content older than the queue: enter it now (without auto-approval side effects)
        item = ModerationItem.objects.create(
            content_type=content_type, content_id=content_id, user=user, content_text=text[:10000]
        )
    return item


def review_approve(*, review, by, notes=""):
    item = _moderation_item(ContentType.REVIEW, review.pk, user=review.user, text=_moderation_text(review))
    feedback_services.moderation_approve(item=item, by=by, notes=notes)
    review.refresh_from_db()
    return review


def review_reject(*, review, by, notes=""):
    item = _moderation_item(ContentType.REVIEW, review.pk, user=review.user, text=_moderation_text(review))
    feedback_services.moderation_reject(item=item, by=by, notes=notes)
    review.refresh_from_db()
    return review


REVIEW_BULK_ACTIONS = {"approve": review_approve, "reject": review_reject}
REVIEW_BULK_MAX = 100


def reviews_bulk_decide(*, review_ids, action, by, notes="") -> dict:
    """Approve or reject many reviews by id, each on its own (one refusal does not undo the others):
    ``{"action", "done": [ids], "skipped": [{"id", "code", "message"}]}`` (``skincare.api.bulk``); ``code``
    is ``NOT_FOUND`` or the error code the single decision raised (e.g. ``MODERATION_ALREADY_DECIDED``)."""
    handler = REVIEW_BULK_ACTIONS[action]
    ids = list(dict.fromkeys(review_ids))
    reviews = Review.objects.in_bulk(ids)
    done, skipped = [], []
    for review_id in ids:
        review = reviews.get(review_id)
        if review is None:
            skipped.append(bulk.not_found(review_id))
            continue
        try:
            with transaction.atomic():
                handler(review=review, by=by, notes=notes)
        except ApplicationError as exc:
            skipped.append(bulk.skipped(review_id, exc.error_code, exc.message))
            continue
        done.append(review_id)
    return {"action": action, "done": done, "skipped": skipped}


def review_flag(*, review, by, notes=""):
    item = _moderation_item(ContentType.REVIEW, review.pk, user=review.user, text=_moderation_text(review))
    feedback_services.moderation_escalate(item=item, by=by, notes=notes)
    if review.status == ContentStatus.PENDING:
        Review.objects.filter(pk=review.pk).update(status=ContentStatus.FLAGGED)
    review.refresh_from_db()
    return review


def review_report(*, user, review_id, reason, details=""):
    review = Review.objects.filter(pk=review_id, status=ContentStatus.APPROVED).first()
    if review is None:
        raise ApplicationError(error_codes.REVIEW_NOT_FOUND, gettext("Review not found."))
    return feedback_services.moderation_report(
        content_type=ContentType.REVIEW,
        content_id=review.pk,
        reporter=user,
        reason=reason,
        details=details,
        owner=review.user,
        text=_moderation_text(review),
        metadata={"product_id": review.product_id},
    )


@transaction.atomic
def reviews_mark_verified(*, user_id, product_ids):
    """An order was delivered: the buyer's reviews of those products become verified purchases."""
    reviews = lock_objects.reviews_lock(user_id=user_id, product_id__in=list(product_ids), is_verified_purchase=False)
    for review in reviews:
        order_item = delivered_order_item(user=review.user, product_id=review.product_id)
        Review.objects.filter(pk=review.pk).update(is_verified_purchase=True, order_item=order_item)
        if review.status == ContentStatus.APPROVED:
            user_counters_add(user_id=user_id, verified_reviews=1)
    if reviews:  # the summary counts verified reviews; the list shows them
        product_ids = [review.product_id for review in reviews]
        review_cache.summary_invalidate(product_ids=product_ids)
        review_cache.list_invalidate(product_ids=product_ids)
    return len(reviews)


# --- Votes ---------------------------------------------------------------------------------------


def _vote_deltas(old, new):
    helpful = (new == VoteType.HELPFUL) - (old == VoteType.HELPFUL)
    unhelpful = (new == VoteType.UNHELPFUL) - (old == VoteType.UNHELPFUL)
    total = (new is not None) - (old is not None)
    return helpful, unhelpful, total


def _apply_review_vote(review, old, new):
    helpful, unhelpful, total = _vote_deltas(old, new)
    Review.objects.filter(pk=review.pk).update(
        helpful_votes_count=F("helpful_votes_count") + helpful,
        unhelpful_votes_count=F("unhelpful_votes_count") + unhelpful,
        total_votes_count=F("total_votes_count") + total,
    )
    user_counters_add(user_id=review.user_id, helpful=helpful)
    review_cache.list_invalidate(product_ids=[review.product_id])  # the list shows the vote counts
    review.refresh_from_db(fields=["helpful_votes_count", "unhelpful_votes_count", "total_votes_count"])


@transaction.atomic
def review_vote(*, user, review_id, vote_type) -> tuple[Review, ReviewVote]:
    """One vote per user and review; voting the other way switches the vote, the same way twice is refused."""
    if vote_type not in VoteType.values:
        raise ApplicationError(
            ApiErrorCode.VALIDATION_ERROR,
            gettext("vote_type: helpful or unhelpful."),
            errors={"vote_type": [gettext("Invalid.")]},
        )
    review = lock_objects.review_lock(review_id=review_id, status=ContentStatus.APPROVED)
    if review is None:
        raise ApplicationError(error_codes.REVIEW_NOT_FOUND, gettext("Review not found."))
    vote, old = vote_upsert(vote_model=ReviewVote, target=review, what="review", user=user, vote_type=vote_type)
    _apply_review_vote(review, old, vote_type)
    return review, vote


# What a vote is refused with, per what it votes on (whole sentences, so each translates as one).
VOTE_MESSAGES = {
    "review": {
        "own": gettext_lazy("You cannot vote on your own review."),
        "helpful": gettext_lazy("You already voted this review helpful."),
        "unhelpful": gettext_lazy("You already voted this review unhelpful."),
        "voted": gettext_lazy("You already voted on this review."),
    },
    "answer": {
        "own": gettext_lazy("You cannot vote on your own answer."),
        "helpful": gettext_lazy("You already voted this answer helpful."),
        "unhelpful": gettext_lazy("You already voted this answer unhelpful."),
        "voted": gettext_lazy("You already voted on this answer."),
    },
}


def vote_upsert(*, vote_model, target, what, user, vote_type):
    """A helpful/unhelpful vote on a review or an answer (``target``, locked by the caller): one per
    user; voting the other way switches it, the same way twice and one's own content are refused.
    Returns (vote, the previous vote type or None)."""
    if target.user_id == user.pk:
        raise ApplicationError(error_codes.CANNOT_VOTE_OWN_CONTENT, VOTE_MESSAGES[what]["own"])
    target_field = what  # the vote's foreign key is named after what it votes on
    vote = vote_model.objects.filter(**{target_field: target}, user=user).first()
    if vote is not None and vote.vote_type == vote_type:
        raise ApplicationError(error_codes.ALREADY_VOTED, VOTE_MESSAGES[what][vote_type])
    old = vote.vote_type if vote else None
    if vote is None:
        try:
            with transaction.atomic():
                vote = vote_model.objects.create(**{target_field: target}, user=user, vote_type=vote_type)
        except IntegrityError as exc:
            raise ApplicationError(error_codes.ALREADY_VOTED, VOTE_MESSAGES[what]["voted"]) from exc
    else:
        vote.vote_type = vote_type
        vote.save(update_fields=["vote_type"])
    return vote, old


@transaction.atomic
def review_vote_remove(*, user, review_id) -> Review:
    review = lock_objects.review_lock(review_id=review_id, status=ContentStatus.APPROVED)
    vote = ReviewVote.objects.filter(review=review, user=user).first() if review else None
    if vote is None:
        raise ApplicationError(error_codes.VOTE_NOT_FOUND, gettext("You have not voted on this review."))
    old = vote.vote_type
    vote.delete()
    _apply_review_vote(review, old, None)
    return review
