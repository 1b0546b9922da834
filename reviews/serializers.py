from rest_framework import serializers

from reviews.models import (
    IMPROVEMENT_FLAGS,
    Angle,
    ContentStatus,
    Lighting,
    PhotoType,
    ProgressPhotoType,
    ProgressStatus,
    QuestionCategory,
    SkinArea,
    UsageFrequency,
    VoteType,
)
from shop.accounts.models import SkinConcern, SkinType
from shop.files.services import file_url

RATING = {"min_value": 1, "max_value": 5}


def _aspect():
    return serializers.IntegerField(required=False, allow_null=True, **RATING)


def _text(max_length):
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length)


class ReviewPhotoInput(serializers.Serializer):
    file_id = serializers.UUIDField()
    photo_type = serializers.ChoiceField(choices=PhotoType.choices, required=False, allow_blank=True)
    photo_context = _text(300)
    skin_area = serializers.ChoiceField(choices=SkinArea.choices, required=False, allow_blank=True)
    lighting_condition = serializers.ChoiceField(choices=Lighting.choices, required=False, allow_blank=True)
    timeline_context = _text(50)
    days_of_usage = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)
    is_featured = serializers.BooleanField(required=False)


class ReviewInput(serializers.Serializer):
    rating = serializers.IntegerField(**RATING)
    title = _text(255)
    review_text = _text(2000)
    skin_type_at_review = serializers.ChoiceField(choices=SkinType.choices, required=False, allow_blank=True)
    usage_duration = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)
    visible_results = serializers.BooleanField(required=False)
    would_recommend = serializers.BooleanField(required=False)
    effectiveness_rating = _aspect()
    texture_rating = _aspect()
    scent_rating = _aspect()
    packaging_rating = _aspect()
    value_for_money_rating = _aspect()
    skin_condition_before = _text(500)
    skin_condition_after = _text(500)
    side_effects = _text(500)
    how_often_used = serializers.ChoiceField(choices=UsageFrequency.choices, required=False, allow_blank=True)
    application_method = _text(300)
    used_with_other_products = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=20
    )
    photos = ReviewPhotoInput(many=True, required=False, max_length=10)


class ReviewUpdateInput(ReviewInput):
    rating = serializers.IntegerField(required=False, **RATING)


class ReviewListFilter(serializers.Serializer):
    rating = serializers.CharField(required=False, help_text="One star value or a comma list, e.g. 4,5")
    skin_type = serializers.CharField(required=False, help_text="One skin type or a comma list")
    with_photos = serializers.BooleanField(required=False, allow_null=True, default=None)
    verified = serializers.BooleanField(required=False, allow_null=True, default=None)
    visible_results = serializers.BooleanField(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(choices=["most_helpful", "newest", "highest", "lowest"], required=False)

    def validate_rating(self, value):
        try:
            stars = sorted({int(part) for part in value.split(",") if part.strip()})
        except ValueError as exc:
            raise serializers.ValidationError("Star values 1..5, comma separated.") from exc
        if not stars or any(star < 1 or star > 5 for star in stars):
            raise serializers.ValidationError("Star values 1..5, comma separated.")
        return stars

    def validate_skin_type(self, value):
        types = sorted({part.strip() for part in value.split(",") if part.strip()})
        unknown = [t for t in types if t not in SkinType.values]
        if not types or unknown:
            raise serializers.ValidationError(f"Unknown skin type(s): {', '.join(unknown) or value}.")
        return types


class VoteInput(serializers.Serializer):
    vote_type = serializers.ChoiceField(choices=VoteType.choices)


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=["spam", "offensive", "medical_claims", "fake", "off_topic", "privacy", "other"]
    )
    details = _text(1000)


class DecisionInput(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StaffReviewFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=ContentStatus.choices, required=False)
    product_id = serializers.IntegerField(required=False, min_value=1)
    user_id = serializers.IntegerField(required=False, min_value=1)
    rating = serializers.IntegerField(required=False, **RATING)
    verified = serializers.BooleanField(required=False, allow_null=True, default=None)
    with_photos = serializers.BooleanField(required=False, allow_null=True, default=None)


# --- Q&A -----------------------------------------------------------------------------------------


class QAPhotoInput(serializers.Serializer):
    file_id = serializers.UUIDField()
    media_purpose = _text(30)
    description = _text(500)


class QuestionInput(serializers.Serializer):
    question = serializers.CharField(min_length=5, max_length=1000)
    skin_type_context = serializers.ChoiceField(choices=SkinType.choices, required=False, allow_blank=True)
    age_range = serializers.RegexField(r"^\d{2}-\d{2}$|^\d{2}\+$|^$", required=False, max_length=20)
    skin_concerns_context = serializers.ListField(
        child=serializers.ChoiceField(choices=SkinConcern.choices), required=False, max_length=10
    )
    photos = QAPhotoInput(many=True, required=False, max_length=5)


class QuestionListFilter(serializers.Serializer):
    category = serializers.ChoiceField(choices=QuestionCategory.choices, required=False)
    answered = serializers.BooleanField(required=False, allow_null=True, default=None)
    skin_type = serializers.ChoiceField(choices=SkinType.choices, required=False)
    sort = serializers.ChoiceField(choices=["newest", "most_helpful", "most_answered"], required=False)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(min_length=2, max_length=2000)
    expert_credentials = _text(500)
    photos = QAPhotoInput(many=True, required=False, max_length=5)


class VerifyInput(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    verified = serializers.BooleanField(required=False, default=True)


# --- Progress ------------------------------------------------------------------------------------


class ProgressStartInput(serializers.Serializer):
    goals = _text(1000)
    baseline_notes = _text(2000)
    is_public = serializers.BooleanField(required=False, default=False)


class ProgressPhotoInput(serializers.Serializer):
    file_id = serializers.UUIDField()
    photo_type = serializers.ChoiceField(choices=ProgressPhotoType.choices, required=False)
    skin_area = serializers.ChoiceField(choices=SkinArea.choices, required=False, allow_blank=True)
    angle = serializers.ChoiceField(choices=Angle.choices, required=False, allow_blank=True)
    lighting_condition = serializers.ChoiceField(choices=Lighting.choices, required=False, allow_blank=True)
    photo_quality_score = serializers.IntegerField(required=False, allow_null=True, **RATING)
    lighting_consistency = serializers.BooleanField(required=False)
    angle_consistency = serializers.BooleanField(required=False)
    photo_notes = _text(1000)
    comparison_notes = _text(1000)
    is_featured = serializers.BooleanField(required=False)


class ProgressPhotosInput(serializers.Serializer):
    photos = ProgressPhotoInput(many=True, min_length=1, max_length=6)


class ProgressEntryFields(serializers.Serializer):
    progress_date = serializers.DateField(required=False)
    skin_condition_notes = _text(1000)
    application_notes = _text(1000)
    lifestyle_factors = _text(1000)
    overall_satisfaction = serializers.IntegerField(**RATING)
    skin_improvement = serializers.IntegerField(**RATING)
    side_effects_severity = serializers.IntegerField(required=False, min_value=0, max_value=5)
    product_experience = serializers.IntegerField(required=False, allow_null=True, **RATING)


for _flag in IMPROVEMENT_FLAGS:
    ProgressEntryFields._declared_fields[_flag] = serializers.BooleanField(required=False)


class ProgressEntryInput(ProgressEntryFields):
    journal_id = serializers.IntegerField(required=False, min_value=1)
    product_id = serializers.IntegerField(required=False, min_value=1)
    week_number = serializers.IntegerField(min_value=1, max_value=52)
    photos = ProgressPhotoInput(many=True, required=False, max_length=6)

    def validate(self, attrs):
        if not attrs.get("journal_id") and not attrs.get("product_id"):
            raise serializers.ValidationError({"journal_id": ["Give journal_id or product_id."]})
        return attrs


class ProgressEntryUpdateInput(ProgressEntryFields):
    overall_satisfaction = serializers.IntegerField(required=False, **RATING)
    skin_improvement = serializers.IntegerField(required=False, **RATING)


class ProgressFinishInput(serializers.Serializer):
    completion_notes = _text(2000)


class ProgressListFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProgressStatus.choices, required=False)


# --- Output --------------------------------------------------------------------------------------


def author(user, *, badges=True):
    if user is None:
        return {"id": None, "name": "Former customer"}
    last = (user.last_name[:1] + ".") if user.last_name else ""
    data = {"id": user.pk, "name": f"{user.first_name} {last}".strip() or "Shopper", "skin_type": user.skin_type}
    if badges:
        data["is_expert"] = user.role == "expert"
        data["community_score"] = user.community_score
    return data


def file_output(file, request=None):
    return {
        "file_id": str(file.public_id),
        "media_type": file.media_type,
        "url": file_url(file=file, request=request),
        "thumbnail_url": file_url(file=file, size="medium", request=request),
        "is_public": file.is_public,
        "width": file.width,
        "height": file.height,
    }


def review_media_output(media, request=None, *, own=False):
    data = {
        "id": media.pk,
        "media_type": media.media_type,
        "photo_type": media.photo_type,
        "photo_context": media.photo_context,
        "skin_area": media.skin_area,
        "lighting_condition": media.lighting_condition,
        "timeline_context": media.timeline_context,
        "days_of_usage": media.days_of_usage,
        "is_featured": media.is_featured,
        **file_output(media.file, request),
    }
    if own:
        data["status"] = media.status
    return data


REVIEW_OUTPUT_FIELDS = (
    "rating", "title", "review_text", "skin_type_at_review", "usage_duration", "visible_results", "would_recommend",
    "effectiveness_rating", "texture_rating", "scent_rating", "packaging_rating", "value_for_money_rating",
    "skin_condition_before", "skin_condition_after", "side_effects", "how_often_used", "application_method",
    "used_with_other_products", "is_verified_purchase", "helpful_votes_count", "unhelpful_votes_count",
    "total_votes_count", "has_photos", "has_video", "media_count", "created_at", "updated_at",
)  # fmt: skip


def review_output(review, request=None, *, my_vote=None, own=False):
    data = {"id": review.pk, "product_id": review.product_id, "author": author(review.user)}
    for field in REVIEW_OUTPUT_FIELDS:
        data[field] = getattr(review, field)
    data["product"] = {"id": review.product_id, "name": review.product.name, "slug": review.product.slug}
    data["media"] = [review_media_output(m, request, own=own) for m in review.media.all()]
    data["my_vote"] = my_vote
    if own:
        data["status"] = review.status
        data["moderation_notes"] = review.moderation_notes
    return data


def question_media_output(media, request=None):
    return {
        "id": media.pk,
        "media_purpose": media.media_purpose,
        "description": media.description,
        **file_output(media.file, request),
    }


def answer_output(answer, request=None, *, my_vote=None, own=False):
    data = {
        "id": answer.pk,
        "question_id": answer.question_id,
        "author": author(answer.user),
        "answer": answer.answer,
        "is_from_verified_buyer": answer.is_from_verified_buyer,
        "is_from_expert": answer.is_from_expert,
        "expert_credentials": answer.expert_credentials,
        "is_verified_by_staff": answer.is_verified_by_admin,
        "verified_at": answer.verified_at,
        "helpful_votes": answer.helpful_votes,
        "unhelpful_votes": answer.unhelpful_votes,
        "media": [question_media_output(m, request) for m in answer.media.all()],
        "created_at": answer.created_at,
        "my_vote": my_vote,
    }
    if own:
        data["status"] = answer.status
        data["moderation_notes"] = answer.moderation_notes
    return data


def question_output(question, request=None, *, voted=False, own=False, answer_votes=None):
    answers = getattr(question, "approved_answers", None)
    data = {
        "id": question.pk,
        "product_id": question.product_id,
        "author": author(question.user),
        "question": question.question,
        "skin_type_context": question.skin_type_context,
        "age_range": question.age_range,
        "skin_concerns_context": question.skin_concerns_context,
        "category": question.question_category,
        "urgency_level": question.urgency_level,
        "is_answered": question.is_answered,
        "answer_count": question.answer_count,
        "helpful_votes": question.helpful_votes,
        "media": [question_media_output(m, request) for m in question.media.all()],
        "created_at": question.created_at,
        "voted_helpful": voted,
    }
    if answers is not None:
        top = answers[0] if answers else None
        data["top_answer"] = (
            answer_output(top, request, my_vote=(answer_votes or {}).get(top.pk)) if top is not None else None
        )
    if own:
        data["status"] = question.status
        data["moderation_notes"] = question.moderation_notes
    return data


def progress_media_output(media, request=None, *, own=False):
    data = {
        "id": media.pk,
        "photo_type": media.photo_type,
        "skin_area": media.skin_area,
        "angle": media.angle,
        "lighting_condition": media.lighting_condition,
        "photo_quality_score": media.photo_quality_score,
        "lighting_consistency": media.lighting_consistency,
        "angle_consistency": media.angle_consistency,
        "photo_notes": media.photo_notes,
        "comparison_notes": media.comparison_notes,
        "is_featured": media.is_featured,
        **file_output(media.file, request),
    }
    if own:
        data["status"] = media.status
    return data


ENTRY_OUTPUT_FIELDS = (
    "week_number", "progress_date", "skin_condition_notes", "application_notes", "lifestyle_factors",
    "overall_satisfaction", "skin_improvement", "side_effects_severity", "product_experience", *IMPROVEMENT_FLAGS,
    "has_photos", "photo_count", "created_at",
)  # fmt: skip


def entry_output(entry, request=None, *, own=False):
    data = {"id": entry.pk, "journal_id": entry.journal_id}
    for field in ENTRY_OUTPUT_FIELDS:
        data[field] = getattr(entry, field)
    data["improvements"] = [flag for flag in IMPROVEMENT_FLAGS if getattr(entry, flag)]
    data["photos"] = [progress_media_output(m, request, own=own) for m in entry.media.all()]
    if not own:
        data["photo_count"] = len(data["photos"])
        data["has_photos"] = bool(data["photos"])
    return data


def journal_output(journal, request=None, *, own=False, entries=None):
    data = {
        "id": journal.pk,
        "product": {"id": journal.product_id, "name": journal.product.name, "slug": journal.product.slug},
        "author": author(journal.user, badges=False),
        "status": journal.status,
        "skin_type": journal.skin_type,
        "goals": journal.goals,
        "is_public": journal.is_public,
        "completion_notes": journal.completion_notes,
        "started_at": journal.started_at,
        "ended_at": journal.ended_at,
        "entry_count": journal.entry_count,
    }
    if own:
        data["baseline_notes"] = journal.baseline_notes
    if entries is not None:
        data["entries"] = [entry_output(e, request, own=own) for e in entries]
    return data
