"""Product questions and answers: ask, answer, vote, staff verification, moderation decisions."""

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext

from feedback import services as feedback_services
from feedback.models import ContentType, ModerationStatus, NotificationType
from reviews import error_codes, lock_objects
from reviews.categorize import categorize, urgency
from reviews.community import user_counters_add
from reviews.models import (
    Answer,
    AnswerMedia,
    AnswerVote,
    ContentStatus,
    Question,
    QuestionMedia,
    QuestionVote,
    VoteType,
)
from reviews.services import (
    ITEM_TO_CONTENT_STATUS,
    _moderation_item,
    active_product,
    content_decision_apply,
    delivered_order_item,
    submit_photo,
    usable_files,
    vote_upsert,
)
from shop.accounts.roles import ANSWER_AS_EXPERT
from shop.files.services import file_attach
from shop.subscriptions.models import QuotaKind
from shop.subscriptions.services import quota_check, quota_consume
from skincare.api.permissions import user_has_permission
from skincare.errors import ApplicationError

MAX_QA_MEDIA = 3


def _not_found(code):
    return ApplicationError(code)


def _attach(*, owner_obj, media_model, fk, user, photos, content_type, entity_type):
    resolved = usable_files(user=user, items=photos, context="qa", max_count=MAX_QA_MEDIA)
    for position, (file, meta) in enumerate(resolved):
        file_attach(file=file, entity_type=entity_type, entity_id=owner_obj.pk)
        media = media_model.objects.create(
            file=file,
            sort_order=position,
            media_purpose=meta.get("media_purpose") or "",
            description=meta.get("description") or "",
            **{fk: owner_obj},
        )
        submit_photo(
            content_type=content_type, media=media, user=user, file=file, caption=media.description,
            metadata={entity_type + "_id": owner_obj.pk},
        )  # fmt: skip


def _submit(content_type, obj, user, text, metadata):
    item = feedback_services.moderation_submit(
        content_type=content_type, content_id=obj.pk, user=user, text=text, metadata=metadata
    )
    if item.status != ModerationStatus.APPROVED:
        type(obj).objects.filter(pk=obj.pk).update(status=ITEM_TO_CONTENT_STATUS[item.status])
    obj.refresh_from_db()
    return obj


# --- Questions -----------------------------------------------------------------------------------


@transaction.atomic
def question_create(
    *, user, product_id, question, skin_type_context="", age_range="", skin_concerns_context=None, photos=None
) -> Question:
    quota_check(user=user, kind=QuotaKind.QUESTION)
    product = active_product(product_id)
    obj = Question.objects.create(
        product=product,
        user=user,
        question=question,
        skin_type_context=skin_type_context or user.skin_type or "",
        age_range=age_range or "",
        skin_concerns_context=list(skin_concerns_context or []),
        question_category=categorize(question),
        urgency_level=urgency(question),
    )
    if photos:
        _attach(
            owner_obj=obj, media_model=QuestionMedia, fk="question", user=user, photos=photos,
            content_type=ContentType.QUESTION_PHOTO, entity_type="question",
        )  # fmt: skip
    quota_consume(user=user, kind=QuotaKind.QUESTION)  # in the transaction: a refusal undoes the question
    return _submit(ContentType.QUESTION, obj, user, question, {"product_id": product.pk})


def question_visible(*, question_id) -> Question:
    question = Question.objects.filter(pk=question_id, status=ContentStatus.APPROVED).select_related("product").first()
    if question is None:
        raise _not_found(error_codes.QUESTION_NOT_FOUND)
    return question


def question_apply_decision(*, question_id, decision, by, notes):
    question = lock_objects.question_lock(question_id=question_id)
    if question is None:
        return
    was_approved, approved = content_decision_apply(question, decision=decision, notes=notes)
    if approved and not was_approved:
        user_counters_add(user_id=question.user_id, questions=1)
    elif not approved and was_approved:
        user_counters_add(user_id=question.user_id, questions=-1)
    if not approved and question.user_id:
        _content_rejected(question.user_id, "question", question.pk, question.product, notes)


def _content_rejected(user_id, what, object_id, product, notes):
    reason = f" Reason: {notes}" if notes else ""
    feedback_services.notification_create(
        user=user_id,
        type=NotificationType.CONTENT_REJECTED,
        title=f"Your {what} was not published",
        message=f"Your {what} about {product.name} did not meet our community guidelines.{reason}",
        related_type=what,
        related_id=object_id,
    )


@transaction.atomic
def question_vote(*, user, question_id):
    question = lock_objects.question_lock(question_id=question_id, status=ContentStatus.APPROVED)
    if question is None:
        raise _not_found(error_codes.QUESTION_NOT_FOUND)
    if question.user_id == user.pk:
        raise ApplicationError(error_codes.CANNOT_VOTE_OWN_CONTENT, gettext("You cannot vote on your own question."))
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=question, user=user)
    except IntegrityError as exc:
        raise ApplicationError(error_codes.ALREADY_VOTED, gettext("You already found this question helpful.")) from exc
    Question.objects.filter(pk=question.pk).update(helpful_votes=F("helpful_votes") + 1)
    question.refresh_from_db(fields=["helpful_votes"])
    return question


def question_report(*, user, question_id, reason, details=""):
    question = question_visible(question_id=question_id)
    return feedback_services.moderation_report(
        content_type=ContentType.QUESTION, content_id=question.pk, reporter=user, reason=reason, details=details,
        owner=question.user, text=question.question, metadata={"product_id": question.product_id},
    )  # fmt: skip


# --- Answers -------------------------------------------------------------------------------------


@transaction.atomic
def answer_create(*, user, question_id, answer, expert_credentials="", photos=None) -> Answer:
    question = question_visible(question_id=question_id)
    is_expert = user_has_permission(user, ANSWER_AS_EXPERT)  # experts and admins: the expert badge
    obj = Answer.objects.create(
        question=question,
        user=user,
        answer=answer,
        is_from_verified_buyer=delivered_order_item(user=user, product_id=question.product_id) is not None,
        is_from_expert=is_expert,
        expert_credentials=(expert_credentials or "") if is_expert else "",
    )
    if photos:
        _attach(
            owner_obj=obj, media_model=AnswerMedia, fk="answer", user=user, photos=photos,
            content_type=ContentType.ANSWER_PHOTO, entity_type="answer",
        )  # fmt: skip
    return _submit(
        ContentType.ANSWER, obj, user, answer, {"question_id": question.pk, "product_id": question.product_id}
    )


def _question_answer_count(question_id, delta):
    Question.objects.filter(pk=question_id).update(answer_count=Greatest(F("answer_count") + delta, 0))
    Question.objects.filter(pk=question_id).update(
        is_answered=Case(When(answer_count__gt=0, then=Value(True)), default=Value(False))
    )


def answer_apply_decision(*, answer_id, decision, by, notes):
    answer = lock_objects.answer_lock(answer_id=answer_id)
    if answer is None:
        return
    was_approved, approved = content_decision_apply(answer, decision=decision, notes=notes)
    question = answer.question
    if approved and not was_approved:
        _question_answer_count(question.pk, 1)
        user_counters_add(user_id=answer.user_id, answers=1, helpful=answer.helpful_votes)
        if question.user_id and question.user_id != answer.user_id:
            who = (
                "An expert"
                if answer.is_from_expert
                else ("A verified buyer" if answer.is_from_verified_buyer else "Someone")
            )
            feedback_services.notification_create(
                user=question.user_id,
                type=NotificationType.QUESTION_ANSWERED,
                title="Your question was answered",
                message=f"{who} answered your question about {question.product.name}.",
                action_url=f"/products/{question.product.slug}/questions/{question.pk}",
                related_type="question",
                related_id=question.pk,
            )
    elif not approved and was_approved:
        _question_answer_count(question.pk, -1)
        user_counters_add(user_id=answer.user_id, answers=-1, helpful=-answer.helpful_votes)
    if not approved and answer.user_id:
        _content_rejected(answer.user_id, "answer", answer.pk, question.product, notes)


def answer_visible(*, answer_id, lock=False) -> Answer:
    visible = {"status": ContentStatus.APPROVED, "question__status": ContentStatus.APPROVED}
    if lock:
        answer = lock_objects.answer_lock(answer_id=answer_id, **visible)
    else:
        answer = Answer.objects.filter(pk=answer_id, **visible).first()
    if answer is None:
        raise _not_found(error_codes.ANSWER_NOT_FOUND)
    return answer


@transaction.atomic
def answer_vote(*, user, answer_id, vote_type):
    answer = answer_visible(answer_id=answer_id, lock=True)
    vote, old = vote_upsert(vote_model=AnswerVote, target=answer, what="answer", user=user, vote_type=vote_type)
    helpful = (vote_type == VoteType.HELPFUL) - (old == VoteType.HELPFUL)
    unhelpful = (vote_type == VoteType.UNHELPFUL) - (old == VoteType.UNHELPFUL)
    Answer.objects.filter(pk=answer.pk).update(
        helpful_votes=F("helpful_votes") + helpful, unhelpful_votes=F("unhelpful_votes") + unhelpful
    )
    user_counters_add(user_id=answer.user_id, helpful=helpful)
    if helpful > 0 and answer.user_id:
        feedback_services.notification_create(
            user=answer.user_id,
            type=NotificationType.ANSWER_HELPFUL,
            title="Your answer helped someone",
            message="Someone marked your answer as helpful.",
            related_type="answer",
            related_id=answer.pk,
        )
    answer.refresh_from_db(fields=["helpful_votes", "unhelpful_votes"])
    return answer, vote


@transaction.atomic
def answer_verify(*, answer_id, by, notes="", verified=True) -> Answer:
    answer = lock_objects.answer_lock(answer_id=answer_id)
    if answer is None:
        raise _not_found(error_codes.ANSWER_NOT_FOUND)
    answer.is_verified_by_admin = verified
    answer.verified_at = timezone.now() if verified else None
    answer.verified_by = by if verified else None
    answer.verification_notes = notes or ""
    answer.save(update_fields=["is_verified_by_admin", "verified_at", "verified_by", "verification_notes"])
    return answer


def answer_report(*, user, answer_id, reason, details=""):
    answer = answer_visible(answer_id=answer_id)
    return feedback_services.moderation_report(
        content_type=ContentType.ANSWER, content_id=answer.pk, reporter=user, reason=reason, details=details,
        owner=answer.user, text=answer.answer, metadata={"question_id": answer.question_id},
    )  # fmt: skip


def qa_approve(*, obj, by, notes=""):
    content_type = ContentType.QUESTION if isinstance(obj, Question) else ContentType.ANSWER
    text = obj.question if isinstance(obj, Question) else obj.answer
    item = _moderation_item(content_type, obj.pk, user=obj.user, text=text)
    return feedback_services.moderation_approve(item=item, by=by, notes=notes)


def qa_media_refresh(media):
    model, parent_field = (QuestionMedia, "question") if isinstance(media, QuestionMedia) else (AnswerMedia, "answer")
    parent_id = getattr(media, f"{parent_field}_id")
    count = model.objects.filter(**{f"{parent_field}_id": parent_id, "status": ContentStatus.APPROVED}).count()
    parent_model = Question if parent_field == "question" else Answer
    parent_model.objects.filter(pk=parent_id).update(media_count=count, has_media=count > 0)
