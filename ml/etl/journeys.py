"""``feedback_stream`` (one document per review, progress entry, question and answer created in a
window, keyed by kind and id, so a re-run refreshes the moderation state) and
``user_feedback_journey`` (per user: purchases and approved feedback in time order, with counts).

Texts are not copied into the lake, only their length. A review analysed on approval carries its
``sentiment``, ``sentiment_score`` and ``key_topics`` (aspects it speaks of), and
``requires_immediate_attention`` when ml flagged it for staff (negative, naming a possible injury)."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F

from feedback.models import ContentType as ModerationContentType
from feedback.models import FlagReason, ModerationItem
from ml.etl.common import PURCHASED, day_bounds
from ml.etl.runner import JobResult
from ml.store import get_store, iso
from reviews.models import Answer, ContentStatus, ProgressEntry, Question, Review
from shop.orders.models import OrderItem

ENGAGEMENT = ("total_purchases", "total_reviews", "total_progress_entries", "total_questions", "total_answers")


def _stream_document(event_type, feedback_type, row, **data):
    return {
        "event_type": event_type,
        "event_data": {
            "user_id": row["user_id"],
            "product_id": row["product_id"],
            "content_id": row["pk"],
            "feedback_type": feedback_type,
            **data,
        },  # fmt: skip
        "processing_status": {
            "moderation_status": row.get("status", ContentStatus.APPROVED),
            "moderation_passed": row.get("status", ContentStatus.APPROVED) == ContentStatus.APPROVED,
        },
        "timestamp": iso(row["created_at"]),
    }


def _safety_flagged(review_ids):
    rows = ModerationItem.objects.filter(content_type=ModerationContentType.REVIEW, content_id__in=review_ids)
    return {pk for pk, reasons in rows.values_list("content_id", "flagged_reasons") if FlagReason.SAFETY in reasons}


def feedback_stream(*, date_from, date_to, progress):
    start, _ = day_bounds(date_from)
    _, end = day_bounds(date_to)
    window = {"created_at__gte": start, "created_at__lt": end}
    keyed = []
    reviews = list(Review.objects.filter(**window).values(
        "pk", "user_id", "product_id", "status", "created_at", "rating", "review_text", "skin_type_at_review",
        "usage_duration", "is_verified_purchase", "sentiment_score", "sentiment_label", "extracted_topics",
    ))  # fmt: skip
    flagged = _safety_flagged([row["pk"] for row in reviews if row["sentiment_score"] is not None])
    for row in reviews:
        document = _stream_document(
            "review_submitted", "review", row, rating=row["rating"], content_length=len(row["review_text"]),
            user_skin_type=row["skin_type_at_review"] or None, usage_duration_days=row["usage_duration"],
            is_verified_purchase=row["is_verified_purchase"],
        )  # fmt: skip
        if row["sentiment_score"] is not None:
            document["event_data"].update(
                sentiment=row["sentiment_label"],
                sentiment_score=float(row["sentiment_score"]),
                key_topics=[t["name"] for t in row["extracted_topics"] if t.get("kind") == "aspect"],
            )
            document["processing_status"]["sentiment_processed"] = True
            document["requires_immediate_attention"] = row["pk"] in flagged
        keyed.append((f"review:{row['pk']}", document))
    progress(1, 4)
    for row in ProgressEntry.objects.filter(**window).values(
        "pk", "created_at", "week_number", "skin_condition_notes", "overall_satisfaction", "skin_improvement",
        user_id=F("journal__user_id"), product_id=F("journal__product_id"), skin_type=F("journal__skin_type"),
    ):  # fmt: skip
        keyed.append((f"progress:{row['pk']}", _stream_document(
            "progress_updated", "progress", row, content_length=len(row["skin_condition_notes"]),
            user_skin_type=row["skin_type"] or None, week_number=row["week_number"],
            overall_satisfaction=row["overall_satisfaction"], skin_improvement=row["skin_improvement"],
        )))  # fmt: skip
    progress(2, 4)
    for row in Question.objects.filter(**window).values(
        "pk", "user_id", "product_id", "status", "created_at", "question", "skin_type_context"
    ):
        keyed.append((f"question:{row['pk']}", _stream_document(
            "question_asked", "question", row, content_length=len(row["question"]),
            user_skin_type=row["skin_type_context"] or None,
        )))  # fmt: skip
    progress(3, 4)
    for row in Answer.objects.filter(**window).values(
        "pk", "user_id", "status", "created_at", "answer", "is_from_expert", "is_from_verified_buyer",
        product_id=F("question__product_id"),
    ):  # fmt: skip
        keyed.append((f"answer:{row['pk']}", _stream_document(
            "answer_provided", "answer", row, content_length=len(row["answer"]),
            is_from_expert=row["is_from_expert"], is_verified_purchase=row["is_from_verified_buyer"],
        )))  # fmt: skip
    progress(4, 4)
    written = get_store().upsert_many("feedback_stream", keyed)
    return JobResult(rows_read=len(keyed), rows_written=written)


def user_feedback_journey(*, progress):
    timelines = defaultdict(list)
    counts = defaultdict(lambda: defaultdict(int))
    for row in OrderItem.objects.filter(order__status__in=PURCHASED, order__user__isnull=False).values(
        "product_id", "quantity", user_id=F("order__user_id"), date=F("order__created_at")
    ):
        timelines[row["user_id"]].append({"product_id": row["product_id"], "event_type": "purchased",
                                           "date": row["date"], "quantity": row["quantity"]})  # fmt: skip
        counts[row["user_id"]]["total_purchases"] += 1
    for row in Review.objects.filter(status=ContentStatus.APPROVED, user__isnull=False).values(
        "user_id", "product_id", "rating", "usage_duration", "visible_results", "would_recommend", date=F("created_at")
    ):
        timelines[row["user_id"]].append({
            "product_id": row["product_id"], "event_type": "review", "date": row["date"], "rating": row["rating"],
            "usage_duration_days": row["usage_duration"], "visible_results": row["visible_results"],
            "would_recommend": row["would_recommend"],
        })  # fmt: skip
        counts[row["user_id"]]["total_reviews"] += 1
    for row in ProgressEntry.objects.values(
        "week_number", "skin_improvement", user_id=F("journal__user_id"), product_id=F("journal__product_id"),
        date=F("created_at"),
    ):  # fmt: skip
        timelines[row["user_id"]].append({"product_id": row["product_id"], "event_type": "progress_update",
                                           "date": row["date"], "week_number": row["week_number"],
                                           "skin_improvement": row["skin_improvement"]})  # fmt: skip
        counts[row["user_id"]]["total_progress_entries"] += 1
    approved = {"status": ContentStatus.APPROVED, "user__isnull": False}
    questions = Question.objects.filter(**approved).values("user_id", "product_id", date=F("created_at"))
    answers = Answer.objects.filter(**approved).values(
        "user_id", date=F("created_at"), product_id=F("question__product_id")
    )
    for rows, kind in ((questions, "question"), (answers, "answer")):
        for row in rows:
            timelines[row["user_id"]].append({"product_id": row["product_id"], "event_type": kind, "date": row["date"]})
            counts[row["user_id"]][f"total_{kind}s"] += 1
    profiles = {
        row["pk"]: row
        for row in get_user_model().objects.filter(pk__in=list(timelines)).values("pk", "skin_type", "skin_concerns")
    }
    keyed = []
    for index, user_id in enumerate(sorted(timelines), start=1):
        timeline = sorted(timelines[user_id], key=lambda e: (e["date"], e["event_type"], e["product_id"]))
        summary = {name: counts[user_id][name] for name in ENGAGEMENT}
        keyed.append((str(user_id), {
            "user_id": user_id,
            "skin_profile": {"skin_type": profiles[user_id]["skin_type"],
                             "concerns": profiles[user_id]["skin_concerns"]},  # fmt: skip
            "feedback_timeline": [{**event, "date": iso(event["date"])} for event in timeline],
            "engagement_summary": summary,
        }))  # fmt: skip
        progress(index, len(timelines))
    expires_at = datetime.now(UTC) + timedelta(days=settings.ANALYTICS_EVENT_RETENTION_DAYS)
    store = get_store()
    written = store.upsert_many("user_feedback_journey", keyed, expires_at=expires_at)
    kept = set(timelines)
    for doc in store.find("user_feedback_journey"):
        if doc["user_id"] not in kept:
            store.delete("user_feedback_journey", {"user_id": doc["user_id"]})
    return JobResult(rows_read=sum(len(t) for t in timelines.values()), rows_written=written)
