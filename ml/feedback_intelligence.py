"""Review sentiment in the shop: the model learnt from the shop's rated reviews, the fields written
on each approved review, and the flag raised for staff when a negative review names a possible
injury. The scoring itself is ``ml.sentiment`` (plain Python); this module feeds it the database."""

import logging
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from feedback.models import ContentType, FlagReason
from feedback.services import moderation_flag
from ml.models import ModelKind, TrainedModel
from ml.sentiment import ASPECTS, MODEL_VERSION, analyze, review_text
from ml.sentiment.trained import MIN_REVIEWS, ReviewTextModel
from ml.store import get_store, iso
from reviews.cache import summary_invalidate as review_summary_invalidate
from reviews.models import ContentStatus, Review
from reviews.selectors import sentiment_summary

logger = logging.getLogger(__name__)

MODELS_KEPT = 3
CHUNK = 500
_loaded = {"pk": None, "model": None}


def _approved_texts():
    return (
        Review.objects.filter(status=ContentStatus.APPROVED)
        .values_list("pk", "title", "review_text", "side_effects", "rating", "user_id")
        .order_by("pk")
    )


def sentiment_model_train(*, now=None) -> TrainedModel | None:
    """Fit ``ReviewTextModel`` on every approved review and its stars; None below ``MIN_REVIEWS``."""
    rows = [(review_text(title, body, side), rating) for _, title, body, side, rating, _ in _approved_texts()]
    rows = [(text, rating) for text, rating in rows if text.strip()]
    if len(rows) < MIN_REVIEWS:
        logger.info("Sentiment model not trained: %s rated reviews with text (need %s)", len(rows), MIN_REVIEWS)
        return None
    model = ReviewTextModel().fit([t for t, _ in rows], [r for _, r in rows])
    now = now or datetime.now(UTC)
    with transaction.atomic():
        saved = TrainedModel.objects.create(
            kind=ModelKind.SENTIMENT,
            version=f"{MODEL_VERSION}+ridge-{now:%Y%m%d%H%M%S}",
            trained_at=now,
            samples=len(rows),
            parameters={"alpha": model.alpha, "min_df": model.min_df, "ngrams": [1, 2]},
            payload=model.to_bytes(),
        )
        stale = TrainedModel.objects.filter(kind=ModelKind.SENTIMENT).values_list("pk", flat=True)[MODELS_KEPT:]
        TrainedModel.objects.filter(pk__in=list(stale)).delete()
    return saved


def sentiment_model_current() -> tuple[ReviewTextModel | None, str]:
    """The newest trained sentiment model (loaded once per process and version) and the version string
    scores carry: the lexicon's alone while no model has been trained."""
    latest = TrainedModel.objects.filter(kind=ModelKind.SENTIMENT).values_list("pk", "version").first()
    if latest is None:
        return None, MODEL_VERSION
    pk, version = latest
    if _loaded["pk"] != pk:
        payload = TrainedModel.objects.values_list("payload", flat=True).get(pk=pk)
        _loaded.update(pk=pk, model=ReviewTextModel.from_bytes(bytes(payload)))
    return _loaded["model"], version


def text_sentiment(*, text) -> dict:
    """What ``POST /api/v1/ml/feedback/analyze-sentiment`` answers."""
    model, version = sentiment_model_current()
    result = analyze(text, model=model).as_dict()
    result["model_version"] = version
    return result


def _fields(analysis) -> dict:
    return {
        "sentiment_score": Decimal(str(analysis.score)).quantize(Decimal("0.01")),
        "sentiment_label": analysis.label,
        "extracted_topics": analysis.topics(),
    }


def _flag(review_id, user_id, text, analysis):
    if not analysis.needs_attention:
        return False
    details = {"terms": analysis.safety_terms, "sentiment_score": analysis.score}
    item = moderation_flag(
        content_type=ContentType.REVIEW,
        content_id=review_id,
        reason=FlagReason.SAFETY.value,
        details=details,
        owner_id=user_id,
        text=text,
    )
    return item is not None


def review_sentiment_apply(*, review_id) -> Review | None:
    """Score one approved review, store the fields, flag it for staff when it needs attention."""
    row = _approved_texts().filter(pk=review_id).first()
    if row is None:  # rejected or deleted since the task was queued
        return None
    _, title, body, side, _, user_id = row
    text = review_text(title, body, side)
    model, _ = sentiment_model_current()
    analysis = analyze(text, model=model)
    with transaction.atomic():
        Review.objects.filter(pk=review_id).update(**_fields(analysis))
        _flag(review_id, user_id, text, analysis)
    review = Review.objects.get(pk=review_id)
    review_summary_invalidate(product_ids=[review.product_id])  # the summary carries sentiment
    return review


def reviews_sentiment_rescore(*, only_missing=False, progress=None) -> dict:
    """Score every approved review (or those not scored yet) with the current model, in chunks."""
    model, _ = sentiment_model_current()
    rows = _approved_texts()
    if only_missing:
        rows = rows.filter(sentiment_score__isnull=True)
    rows = list(rows)
    scored = flagged = 0
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        texts = [review_text(title, body, side) for _, title, body, side, _, _ in chunk]
        learnt = model.predict(texts) if model is not None else [None] * len(texts)
        updates = []
        with transaction.atomic():
            for (pk, *_rest, user_id), text, learnt_score in zip(chunk, texts, learnt, strict=True):
                analysis = analyze(text, model=_Fixed(learnt_score) if learnt_score is not None else None)
                updates.append(Review(pk=pk, **_fields(analysis)))
                flagged += _flag(pk, user_id, text, analysis)
            Review.objects.bulk_update(updates, ["sentiment_score", "sentiment_label", "extracted_topics"])
        scored += len(chunk)
        review_summary_invalidate()  # the summaries carry sentiment
        if progress:
            progress(scored, len(rows))
    return {"scored": scored, "flagged": flagged}


class _Fixed:
    """A model answering a score already predicted in bulk (one sklearn call per chunk)."""

    def __init__(self, value):
        self.value = value

    def predict(self, texts):
        return [self.value for _ in texts]


def seed_sentiment(*, scale, progress):
    """Demo step (after the reviews, before the analytics): train on the demo reviews, score them all."""
    sentiment_model_train()
    reviews_sentiment_rescore(progress=lambda done, total: progress(done, total, "reviews scored"))
    product_intelligence_run()


# --- Product intelligence (seed 001 ``product_intelligence``) -----------------------------------

MIN_EVIDENCE = 3  # reviews speaking of an aspect, on each side of a comparison
MIN_GAP = 0.1  # sentiment difference (on -1..1) that counts as a strength or a weakness


def _aspect_cells(rows):
    """{aspect: [sentiments]} over reviews (each review's aspect score counts once)."""
    cells = defaultdict(list)
    for row in rows:
        for topic in row["extracted_topics"] or []:
            if topic.get("kind") == "aspect" and topic.get("name") in ASPECTS:
                cells[topic["name"]].append(float(topic["sentiment"]))
    return cells


def _mean(values):
    return round(sum(values) / len(values), 4) if values else None


def product_intelligence_documents(*, as_of=None) -> list[tuple[str, dict]]:
    """Per product with analysed reviews: aspect sentiment against the rest of its category, the
    strengths and weaknesses that differ by at least ``MIN_GAP`` with ``MIN_EVIDENCE`` reviews on each
    side, the recurring themes, and the rating against the category's."""
    as_of = as_of or datetime.now(UTC)
    rows = list(
        Review.objects.filter(status=ContentStatus.APPROVED, sentiment_score__isnull=False)
        .values(
            "product_id",
            "rating",
            "sentiment_score",
            "sentiment_label",
            "extracted_topics",
            category=F("product__category_id"),
        )
        .order_by("product_id", "pk")
    )
    by_product, by_category = defaultdict(list), defaultdict(list)
    for row in rows:
        by_product[row["product_id"]].append(row)
        by_category[row["category"]].append(row)
    documents = []
    for product_id, own in by_product.items():
        category = own[0]["category"]
        others = [r for r in by_category[category] if r["product_id"] != product_id]
        mine, theirs = _aspect_cells(own), _aspect_cells(others)
        aspects, strengths, weaknesses = {}, [], []
        for name in ASPECTS:
            product_score, category_score = _mean(mine.get(name, [])), _mean(theirs.get(name, []))
            entry = {
                "aspect": name,
                "product_sentiment": product_score,
                "category_sentiment": category_score,
                "difference": None
                if None in (product_score, category_score)
                else round(product_score - category_score, 4),
                "evidence_count": len(mine.get(name, [])),
                "category_evidence_count": len(theirs.get(name, [])),
            }
            aspects[name] = entry
            if (
                entry["difference"] is None
                or min(entry["evidence_count"], entry["category_evidence_count"]) < MIN_EVIDENCE
            ):
                continue
            if entry["difference"] >= MIN_GAP:
                strengths.append(entry)
            elif entry["difference"] <= -MIN_GAP:
                weaknesses.append(entry)
        themes = sentiment_summary((r["sentiment_score"], r["sentiment_label"], r["extracted_topics"]) for r in own)
        documents.append(
            (
                str(product_id),
                {
                    "product_id": product_id,
                    "category_id": category,
                    "analyzed_reviews": len(own),
                    "category_analyzed_reviews": len(others),
                    "avg_rating": _mean([r["rating"] for r in own]),
                    "category_avg_rating": _mean([r["rating"] for r in others]),
                    "avg_sentiment": themes["avg_score"],
                    "category_avg_sentiment": _mean([float(r["sentiment_score"]) for r in others]),
                    "aspects": aspects,
                    "strengths": sorted(strengths, key=lambda e: (-e["difference"], e["aspect"])),
                    "weaknesses": sorted(weaknesses, key=lambda e: (e["difference"], e["aspect"])),
                    "positive_themes": themes["positive_themes"],
                    "negative_themes": themes["negative_themes"],
                    "analysis_date": iso(as_of),
                    "model_version": MODEL_VERSION,
                },
            )
        )
    return documents


def product_intelligence_run(*, as_of=None) -> int:
    """Rewrite the ``product_intelligence`` documents (nightly after the sentiment rescore)."""
    store = get_store()
    documents = product_intelligence_documents(as_of=as_of)
    written = store.upsert_many("product_intelligence", documents)
    kept = {doc["product_id"] for _, doc in documents}
    for doc in store.find("product_intelligence"):
        if doc["product_id"] not in kept:
            store.delete("product_intelligence", {"product_id": doc["product_id"]})
    return written


def product_intelligence(*, product_id) -> dict | None:
    docs = get_store().find("product_intelligence", {"product_id": product_id})
    return docs[0] if docs else None
