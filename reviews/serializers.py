from dataclasses import dataclass

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import get_attribute

from feedback.serializers import ProductBriefOutput
from reviews.community import LEVELS, POINTS, reputation
from reviews.models import (
    ASPECT_FIELDS,
    IMPROVEMENT_FLAGS,
    SENTIMENT_ASPECTS,
    Angle,
    ContentStatus,
    Lighting,
    PhotoType,
    ProgressEntry,
    ProgressPhotoType,
    ProgressStatus,
    QuestionCategory,
    Review,
    SkinArea,
    Urgency,
    UsageFrequency,
    VoteType,
)
from reviews.selectors import timeline_summary
from shop.accounts.models import Role, SkinConcern, SkinType, User
from shop.files.models import MediaType
from shop.files.services import file_url
from skincare.api.output import OutputModelSerializer, OutputSerializer

RATING = {"min_value": 1, "max_value": 5}
# An id from the client: bounded so an out-of-range number is a 400, never a database overflow (500).
ID = {"min_value": 1, "max_value": 2**31 - 1}


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
        child=serializers.IntegerField(**ID), required=False, max_length=20
    )
    photos = ReviewPhotoInput(many=True, required=False, max_length=10)


class ReviewUpdateInput(ReviewInput):
    rating = serializers.IntegerField(required=False, **RATING)


class ReviewListFilter(serializers.Serializer):
    rating = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        max_length=5,
        help_text="Star values; repeat the parameter (rating=4&rating=5). A comma list (4,5) is accepted too.",
    )
    skin_type = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=10,
        help_text="Skin types; repeat the parameter. A comma list is accepted too.",
    )
    with_photos = serializers.BooleanField(required=False, allow_null=True, default=None)
    verified = serializers.BooleanField(required=False, allow_null=True, default=None)
    visible_results = serializers.BooleanField(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(choices=["most_helpful", "newest", "highest", "lowest"], required=False)

    def validate_rating(self, value):
        try:
            stars = sorted({int(part) for raw in value for part in raw.split(",") if part.strip()})
        except ValueError as exc:
            raise serializers.ValidationError(gettext("Star values 1..5, comma separated.")) from exc
        if not stars or any(star < 1 or star > 5 for star in stars):
            raise serializers.ValidationError(gettext("Star values 1..5, comma separated."))
        return stars

    def validate_skin_type(self, value):
        types = sorted({part.strip() for raw in value for part in raw.split(",") if part.strip()})
        unknown = [t for t in types if t not in SkinType.values]
        if not types or unknown:
            raise serializers.ValidationError(
                gettext("Unknown skin type(s): %(types)s.") % {"types": ", ".join(unknown) or ",".join(value)}
            )
        return types


class VoteInput(serializers.Serializer):
    vote_type = serializers.ChoiceField(choices=VoteType.choices)


REPORT_REASONS = ["spam", "offensive", "medical_claims", "fake", "off_topic", "privacy", "other"]


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=REPORT_REASONS)
    details = _text(1000)


@extend_schema_serializer(component_name="ReviewDecisionInput")
class DecisionInput(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReviewBulkDecisionInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(**ID), min_length=1, max_length=100)
    action = serializers.ChoiceField(choices=["approve", "reject"])
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StaffReviewFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=ContentStatus.choices, required=False)
    product_id = serializers.IntegerField(required=False, **ID)
    user_id = serializers.IntegerField(required=False, **ID)
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
    photos = ProgressPhotoInput(many=True, min_length=1, max_length=5)


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
    journal_id = serializers.IntegerField(required=False, **ID)
    product_id = serializers.IntegerField(required=False, **ID)
    week_number = serializers.IntegerField(min_value=1, max_value=52)
    photos = ProgressPhotoInput(many=True, required=False, max_length=6)

    def validate(self, attrs):
        if not attrs.get("journal_id") and not attrs.get("product_id"):
            raise serializers.ValidationError({"journal_id": [gettext("Give journal_id or product_id.")]})
        return attrs


class ProgressEntryUpdateInput(ProgressEntryFields):
    overall_satisfaction = serializers.IntegerField(required=False, **RATING)
    skin_improvement = serializers.IntegerField(required=False, **RATING)


class ProgressFinishInput(serializers.Serializer):
    completion_notes = _text(2000)


class ProgressListFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProgressStatus.choices, required=False)


# --- Output --------------------------------------------------------------------------------------
# Every answer is produced by the serializer that documents it: one definition per response, so the
# schema cannot drift from what is sent. What depends on the viewer comes from the context the view
# sets (``output`` below):
#   request                         absolute file URLs
#   own                             the viewer wrote the content (or is staff acting on it): own-only
#                                   fields appear, and every photo counts
#   review_votes / answer_votes     {pk: vote type}: the viewer's votes on the rows of the answer
#   voted_questions                 pks of the questions the viewer marked helpful
#   top_answer                      product question lists: each question's first approved answer
#   with_entries                    journals list their (prefetched) entries

OWN_ONLY = "Only for the author (and staff)."
LEVEL_CHOICES = [(name, name) for _, name in LEVELS]


OWN_FIELDS = {"status": "own", "moderation_notes": "own"}


class AuthorNameField(serializers.CharField):
    """First name and last initial."""

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, user):
        last = (user.last_name[:1] + ".") if user.last_name else ""
        return f"{user.first_name} {last}".strip() or "Shopper"


class IsExpertField(serializers.BooleanField):
    def get_attribute(self, user):
        return user.role == Role.EXPERT


class JournalAuthorOutput(OutputSerializer):
    id = serializers.IntegerField()
    name = AuthorNameField()
    skin_type = serializers.ChoiceField(choices=SkinType.choices)


FORMER_CUSTOMER = object()


class AuthorOutput(OutputSerializer):
    """A deleted account is ``{"id": null, "name": "Former customer"}``."""

    id = serializers.IntegerField(allow_null=True)
    name = AuthorNameField(help_text='First name and last initial; "Former customer" for a deleted account.')
    skin_type = serializers.ChoiceField(choices=SkinType.choices, required=False)
    is_expert = IsExpertField(required=False)
    community_score = serializers.IntegerField(required=False)

    def get_attribute(self, instance):
        user = super().get_attribute(instance)
        return FORMER_CUSTOMER if user is None else user

    def to_representation(self, user):
        if user is FORMER_CUSTOMER:
            return {"id": None, "name": "Former customer"}
        return super().to_representation(user)


class FileUrlField(serializers.CharField):
    """The absolute URL of a media row's file (``size``: a thumbnail)."""

    def __init__(self, *, size=None, **kwargs):
        self.size = size
        super().__init__(source="file", **kwargs)

    def to_representation(self, file):
        return file_url(file=file, size=self.size, request=self.context.get("request"))


class FileOutput(OutputSerializer):
    # The uploaded file a media row shows.
    file_id = serializers.UUIDField(source="file.public_id", help_text="The uploaded file's public id.")
    media_type = serializers.ChoiceField(choices=MediaType.choices, source="file.media_type")
    url = FileUrlField()
    thumbnail_url = FileUrlField(size="medium")
    is_public = serializers.BooleanField(source="file.is_public")
    width = serializers.IntegerField(allow_null=True, source="file.width")
    height = serializers.IntegerField(allow_null=True, source="file.height")


class ViewerVoteField(serializers.ChoiceField):
    """The viewer's vote on the row, from the votes the view looked up for the whole answer."""

    def __init__(self, *, votes, **kwargs):
        self.votes = votes
        super().__init__(choices=VoteType.choices, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        return self.context.get(self.votes, {}).get(instance.pk)


class ModeratedTextField(serializers.CharField):
    """Public journal text: others see it blank until moderation approved the journal's text."""

    def __init__(self, *, status_source, **kwargs):
        self.status_attrs = status_source.split(".")
        super().__init__(allow_blank=True, **kwargs)

    def get_attribute(self, instance):
        if self.context.get("own") or get_attribute(instance, self.status_attrs) == ContentStatus.APPROVED:
            return super().get_attribute(instance)
        return ""


class ReviewMediaOutput(FileOutput):
    only_when = {"status": "own"}

    id = serializers.IntegerField()
    photo_type = serializers.ChoiceField(choices=PhotoType.choices, allow_blank=True)
    photo_context = serializers.CharField(allow_blank=True)
    skin_area = serializers.ChoiceField(choices=SkinArea.choices, allow_blank=True)
    lighting_condition = serializers.ChoiceField(choices=Lighting.choices, allow_blank=True)
    timeline_context = serializers.CharField(allow_blank=True)
    days_of_usage = serializers.IntegerField(allow_null=True)
    is_featured = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ContentStatus.choices, required=False, help_text=OWN_ONLY)


REVIEW_OUTPUT_FIELDS = (
    "rating", "title", "review_text", "skin_type_at_review", "usage_duration", "visible_results", "would_recommend",
    "effectiveness_rating", "texture_rating", "scent_rating", "packaging_rating", "value_for_money_rating",
    "skin_condition_before", "skin_condition_after", "side_effects", "how_often_used", "application_method",
    "used_with_other_products", "is_verified_purchase", "helpful_votes_count", "unhelpful_votes_count",
    "total_votes_count", "has_photos", "has_video", "media_count", "created_at", "updated_at",
)  # fmt: skip


class ReviewOutput(OutputModelSerializer):
    only_when = OWN_FIELDS

    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    author = AuthorOutput(source="user")
    skin_type_at_review = serializers.ChoiceField(choices=SkinType.choices, allow_blank=True)
    how_often_used = serializers.ChoiceField(choices=UsageFrequency.choices, allow_blank=True)
    used_with_other_products = serializers.ListField(child=serializers.IntegerField(), help_text="Product ids.")
    product = ProductBriefOutput()
    media = ReviewMediaOutput(many=True, help_text="Approved media; the author and staff see all of it.")
    my_vote = ViewerVoteField(votes="review_votes", help_text="The signed-in user's vote on this review.")
    status = serializers.ChoiceField(choices=ContentStatus.choices, required=False, help_text=OWN_ONLY)
    moderation_notes = serializers.CharField(required=False, allow_blank=True, help_text=OWN_ONLY)

    class Meta:
        model = Review
        fields = [
            "id", "product_id", "author", *REVIEW_OUTPUT_FIELDS, "product", "media", "my_vote", "status",
            "moderation_notes",
        ]  # fmt: skip
        read_only_fields = REVIEW_OUTPUT_FIELDS  # for the model fields not declared above


class QuestionMediaOutput(FileOutput):
    id = serializers.IntegerField()
    media_purpose = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)


class AnswerOutput(OutputSerializer):
    only_when = OWN_FIELDS

    id = serializers.IntegerField()
    question_id = serializers.IntegerField()
    author = AuthorOutput(source="user")
    answer = serializers.CharField()
    is_from_verified_buyer = serializers.BooleanField()
    is_from_expert = serializers.BooleanField()
    expert_credentials = serializers.CharField(allow_blank=True)
    is_verified_by_staff = serializers.BooleanField(source="is_verified_by_admin")
    verified_at = serializers.DateTimeField(allow_null=True)
    helpful_votes = serializers.IntegerField()
    unhelpful_votes = serializers.IntegerField()
    media = QuestionMediaOutput(many=True)
    created_at = serializers.DateTimeField()
    my_vote = ViewerVoteField(votes="answer_votes")
    status = serializers.ChoiceField(choices=ContentStatus.choices, required=False, help_text=OWN_ONLY)
    moderation_notes = serializers.CharField(required=False, allow_blank=True, help_text=OWN_ONLY)


class VotedHelpfulField(serializers.BooleanField):
    def get_attribute(self, question):
        return question.pk in self.context.get("voted_questions", ())


class QuestionOutput(OutputSerializer):
    only_when = {**OWN_FIELDS, "top_answer": "top_answer"}

    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    author = AuthorOutput(source="user")
    question = serializers.CharField()
    skin_type_context = serializers.ChoiceField(choices=SkinType.choices, allow_blank=True)
    age_range = serializers.CharField(allow_blank=True)
    skin_concerns_context = serializers.ListField(child=serializers.ChoiceField(choices=SkinConcern.choices))
    category = serializers.ChoiceField(choices=QuestionCategory.choices, allow_blank=True, source="question_category")
    urgency_level = serializers.ChoiceField(choices=Urgency.choices)
    is_answered = serializers.BooleanField()
    answer_count = serializers.IntegerField()
    helpful_votes = serializers.IntegerField()
    media = QuestionMediaOutput(many=True)
    created_at = serializers.DateTimeField()
    voted_helpful = VotedHelpfulField(help_text="Whether the signed-in user marked it helpful.")
    top_answer = AnswerOutput(
        required=False, allow_null=True, help_text="In product question lists: the first approved answer, or null."
    )
    status = serializers.ChoiceField(choices=ContentStatus.choices, required=False, help_text=OWN_ONLY)
    moderation_notes = serializers.CharField(required=False, allow_blank=True, help_text=OWN_ONLY)


class ProgressMediaOutput(FileOutput):
    only_when = {"status": "own"}

    id = serializers.IntegerField()
    photo_type = serializers.ChoiceField(choices=ProgressPhotoType.choices)
    skin_area = serializers.ChoiceField(choices=SkinArea.choices, allow_blank=True)
    angle = serializers.ChoiceField(choices=Angle.choices, allow_blank=True)
    lighting_condition = serializers.ChoiceField(choices=Lighting.choices, allow_blank=True)
    photo_quality_score = serializers.IntegerField(allow_null=True)
    lighting_consistency = serializers.BooleanField()
    angle_consistency = serializers.BooleanField()
    photo_notes = serializers.CharField(allow_blank=True)
    comparison_notes = serializers.CharField(allow_blank=True)
    is_featured = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ContentStatus.choices, required=False, help_text=OWN_ONLY)


ENTRY_OUTPUT_FIELDS = (
    "week_number", "progress_date", "skin_condition_notes", "application_notes", "lifestyle_factors",
    "overall_satisfaction", "skin_improvement", "side_effects_severity", "product_experience", *IMPROVEMENT_FLAGS,
    "has_photos", "photo_count", "created_at",
)  # fmt: skip


class ImprovementsField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=IMPROVEMENT_FLAGS), source="*", **kwargs)

    def to_representation(self, entry):
        return [flag for flag in IMPROVEMENT_FLAGS if getattr(entry, flag)]


class VisiblePhotoCountField(serializers.IntegerField):
    """The owner sees the stored counter; others the photos they are shown (approved, public)."""

    def get_attribute(self, entry):
        return entry.photo_count if self.context.get("own") else len(entry.media.all())


class HasVisiblePhotosField(serializers.BooleanField):
    def get_attribute(self, entry):
        return entry.has_photos if self.context.get("own") else bool(entry.media.all())


class ProgressEntryOutput(OutputModelSerializer):
    id = serializers.IntegerField()
    journal_id = serializers.IntegerField()
    skin_condition_notes = ModeratedTextField(status_source="journal.notes_status", read_only=True)
    application_notes = ModeratedTextField(status_source="journal.notes_status", read_only=True)
    lifestyle_factors = ModeratedTextField(status_source="journal.notes_status", read_only=True)
    has_photos = HasVisiblePhotosField(read_only=True)
    photo_count = VisiblePhotoCountField(read_only=True)
    improvements = ImprovementsField(help_text="The improvement flags that are set.")
    photos = ProgressMediaOutput(many=True, source="media", help_text="Others see approved public photos only.")

    class Meta:
        model = ProgressEntry
        fields = ["id", "journal_id", *ENTRY_OUTPUT_FIELDS, "improvements", "photos"]
        read_only_fields = ENTRY_OUTPUT_FIELDS


class JournalOutput(OutputSerializer):
    """Others see the journal's text (goals, completion notes, entries' notes) only once moderation approved it."""

    only_when = {"baseline_notes": "own", "notes_status": "own", "entries": "with_entries"}

    id = serializers.IntegerField()
    product = ProductBriefOutput()
    author = JournalAuthorOutput(source="user")
    status = serializers.ChoiceField(choices=ProgressStatus.choices)
    skin_type = serializers.ChoiceField(choices=SkinType.choices, allow_blank=True)
    goals = ModeratedTextField(status_source="notes_status")
    is_public = serializers.BooleanField()
    completion_notes = ModeratedTextField(status_source="notes_status")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    entry_count = serializers.IntegerField()
    baseline_notes = serializers.CharField(
        required=False, allow_blank=True, help_text="Only for the owner (and staff)."
    )
    notes_status = serializers.ChoiceField(
        choices=ContentStatus.choices,
        required=False,
        help_text="Only for the owner (and staff): moderation of the public text; others see goals, completion "
        "notes and entries' notes blank until it is approved.",
    )
    entries = ProgressEntryOutput(many=True, required=False, help_text="Weekly entries, when the answer lists them.")


HISTOGRAM_HELP = 'Stars ("5" to "1") -> count.'
StarHistogramOutput = type(
    "StarHistogramOutput",
    (serializers.Serializer,),
    {str(star): serializers.IntegerField() for star in range(5, 0, -1)},
)
StarHistogramPercentOutput = type(
    "StarHistogramPercentOutput",
    (serializers.Serializer,),
    {str(star): serializers.FloatField(help_text="Share of all reviews, 0..1.") for star in range(5, 0, -1)},
)
AspectAveragesOutput = type(
    "AspectAveragesOutput",
    (serializers.Serializer,),
    {field.removesuffix("_rating"): serializers.FloatField(allow_null=True) for field in ASPECT_FIELDS},
)


class ReviewGroupStatsOutput(serializers.Serializer):
    count = serializers.IntegerField()
    avg_rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="Like the product's rating_avg."
    )
    recommend_rate = serializers.FloatField(help_text="0..1")
    results_rate = serializers.FloatField(help_text="Share with visible results, 0..1.")
    verified_count = serializers.IntegerField()
    aspects = AspectAveragesOutput(help_text="Average aspect ratings (null when nobody rated the aspect).")


class SkinTypeReviewStatsOutput(ReviewGroupStatsOutput):
    histogram = StarHistogramOutput(help_text=HISTOGRAM_HELP)


ReviewsBySkinTypeOutput = type(
    "ReviewsBySkinTypeOutput",
    (serializers.Serializer,),
    {key: SkinTypeReviewStatsOutput(required=False) for key in [*SkinType.values, "unknown"]},
)


SentimentLabelCountsOutput = type(
    "SentimentLabelCountsOutput",
    (serializers.Serializer,),
    {label: serializers.IntegerField() for label in ("positive", "neutral", "negative")},
)
SentimentAspectsOutput = type(
    "SentimentAspectsOutput",
    (serializers.Serializer,),
    {
        name: serializers.FloatField(allow_null=True, help_text="-1..1, null when no review spoke of it.")
        for name in SENTIMENT_ASPECTS
    },
)


class SentimentThemeOutput(serializers.Serializer):
    theme = serializers.CharField(help_text='e.g. "fast_results", "caused_irritation"')
    frequency = serializers.IntegerField(help_text="Reviews that raise it")
    avg_sentiment = serializers.FloatField(help_text="-1..1")
    example_phrases = serializers.ListField(child=serializers.CharField(), help_text="Up to 3, from the reviews")


class ReviewSentimentSummaryOutput(serializers.Serializer):
    analyzed_count = serializers.IntegerField(help_text="Approved reviews analysed so far")
    avg_score = serializers.FloatField(allow_null=True, help_text="Mean sentiment -1..1, null before any analysis")
    labels = SentimentLabelCountsOutput()
    aspects = SentimentAspectsOutput(help_text="Mean sentiment of the sentences about each aspect")
    positive_themes = SentimentThemeOutput(many=True, help_text="Up to 5, most frequent first")
    negative_themes = SentimentThemeOutput(many=True, help_text="Up to 5, most frequent first")


class ReviewSummaryOutput(ReviewGroupStatsOutput):
    """What ``selectors.review_summary`` returns (approved reviews only)."""

    product_id = serializers.IntegerField()
    histogram = StarHistogramOutput(help_text=HISTOGRAM_HELP)
    histogram_percent = StarHistogramPercentOutput()
    with_photos_count = serializers.IntegerField()
    by_skin_type = ReviewsBySkinTypeOutput(
        help_text='The same figures per reviewer skin type ("unknown" when not given); only types with reviews.'
    )
    sentiment = ReviewSentimentSummaryOutput(help_text="From the text of approved reviews, analysed on approval")


class VoteStatsOutput(serializers.Serializer):
    review_id = serializers.IntegerField()
    helpful = serializers.IntegerField()
    unhelpful = serializers.IntegerField()
    total = serializers.IntegerField()
    helpful_ratio = serializers.FloatField(help_text="helpful / total, 0..1 (0 without votes).")
    my_vote = serializers.ChoiceField(choices=VoteType.choices, allow_null=True)


class ReportedOutput(serializers.Serializer):
    reported = serializers.BooleanField()


ReviewsByStatusOutput = type(
    "ReviewsByStatusOutput",
    (serializers.Serializer,),
    {value: serializers.IntegerField() for value in ContentStatus.values},
)


class ApprovedReviewsOutput(serializers.Serializer):
    count = serializers.IntegerField()
    avg_rating = serializers.FloatField(allow_null=True)
    verified_rate = serializers.FloatField()
    recommend_rate = serializers.FloatField()
    results_rate = serializers.FloatField()
    histogram = StarHistogramOutput(help_text=HISTOGRAM_HELP)


class TopReviewedProductOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    name_km = serializers.CharField()
    reviews = serializers.IntegerField()
    avg_rating = serializers.FloatField(allow_null=True)


class ReviewAnalyticsOutput(serializers.Serializer):
    by_status = ReviewsByStatusOutput(help_text="All reviews by status.")
    approved = ApprovedReviewsOutput()
    top_products = TopReviewedProductOutput(many=True, help_text="The 10 products with most approved reviews.")


class QuestionVoteOutput(serializers.Serializer):
    question_id = serializers.IntegerField()
    helpful_votes = serializers.IntegerField()


class AnswerVoteOutput(serializers.Serializer):
    answer_id = serializers.IntegerField()
    helpful_votes = serializers.IntegerField()
    unhelpful_votes = serializers.IntegerField()
    my_vote = serializers.ChoiceField(choices=VoteType.choices)


class TimelineSummaryOutput(serializers.Serializer):
    """What ``selectors.timeline_summary`` returns; without entries only ``weeks_recorded`` (0)."""

    weeks_recorded = serializers.IntegerField()
    first_week = serializers.IntegerField(required=False)
    last_week = serializers.IntegerField(required=False)
    satisfaction_start = serializers.IntegerField(required=False)
    satisfaction_latest = serializers.IntegerField(required=False)
    satisfaction_change = serializers.IntegerField(required=False)
    improvement_start = serializers.IntegerField(required=False)
    improvement_latest = serializers.IntegerField(required=False)
    max_side_effects_severity = serializers.IntegerField(required=False)
    improvement_weeks = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Improvement flag -> weeks it was reported (flags never reported are left out).",
    )
    photos = serializers.IntegerField(required=False)

    def get_attribute(self, journal):
        # As the timeline's field: summed up from the (prefetched) entries it lists.
        return timeline_summary(list(journal.entries.all()))


class JournalTimelineOutput(JournalOutput):
    entries = ProgressEntryOutput(many=True)
    summary = TimelineSummaryOutput()


# --- Community -----------------------------------------------------------------------------------


class ReviewCountsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    approved = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Pending or flagged.")
    rejected = serializers.IntegerField()
    verified = serializers.IntegerField(help_text="Approved verified purchases.")
    avg_rating_given = serializers.FloatField(allow_null=True)
    with_photos = serializers.IntegerField()


class QuestionCountsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    approved = serializers.IntegerField()
    answered = serializers.IntegerField()


class AnswerCountsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    approved = serializers.IntegerField()
    verified_by_staff = serializers.IntegerField()


class ProgressCountsOutput(serializers.Serializer):
    total = serializers.IntegerField()
    ongoing = serializers.IntegerField()
    completed = serializers.IntegerField()
    entries = serializers.IntegerField()


class FeedbackStatsOutput(serializers.Serializer):
    """What ``selectors.user_feedback_stats`` returns."""

    reviews = ReviewCountsOutput()
    questions = QuestionCountsOutput()
    answers = AnswerCountsOutput()
    progress = ProgressCountsOutput()


class ProductNameOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_km = serializers.CharField()


class HelpfulReviewOutput(serializers.Serializer):
    id = serializers.IntegerField()
    product = ProductNameOutput()
    helpful_votes = serializers.IntegerField()


class FeedbackImpactOutput(serializers.Serializer):
    """What ``selectors.user_feedback_impact`` returns."""

    review_helpful_votes = serializers.IntegerField()
    people_found_reviews_helpful = serializers.IntegerField()
    answer_helpful_votes = serializers.IntegerField()
    people_found_answers_helpful = serializers.IntegerField()
    questions_answered = serializers.IntegerField()
    most_helpful_reviews = HelpfulReviewOutput(many=True, help_text="Up to 5.")


CommunityPointsOutput = type(
    "CommunityPointsOutput",
    (serializers.Serializer,),
    {key: serializers.IntegerField() for key in POINTS},
)


class ReputationOutput(serializers.Serializer):
    """What ``reviews.community.reputation`` returns."""

    community_score = serializers.IntegerField()
    level = serializers.ChoiceField(choices=LEVEL_CHOICES)
    next_level = serializers.ChoiceField(choices=LEVEL_CHOICES, allow_null=True, help_text="Null at the top level.")
    points_to_next_level = serializers.IntegerField()
    badges = serializers.ListField(
        child=serializers.CharField(),
        help_text="Any of expert, prolific_reviewer, helpful_voice, community_helper.",
    )
    is_expert = serializers.BooleanField()
    points = CommunityPointsOutput(help_text="Points per contribution.")


class RankedReputationOutput(ReputationOutput):
    rank = serializers.IntegerField(help_text="1 + active users with a higher score.")


class FeedbackDashboardOutput(serializers.Serializer):
    stats = FeedbackStatsOutput()
    impact = FeedbackImpactOutput()
    reputation = RankedReputationOutput()
    recent_reviews = ReviewOutput(many=True, help_text="My 5 newest reviews, any state.")


@dataclass(frozen=True)
class CommunityLeader:
    rank: int
    user: User


class LevelField(serializers.ChoiceField):
    """The community level of a user's score."""

    def __init__(self, **kwargs):
        super().__init__(choices=LEVEL_CHOICES, **kwargs)

    def to_representation(self, user):
        return reputation(user)["level"]


class CommunityLeaderOutput(serializers.Serializer):
    # Made from a ``CommunityLeader``.
    rank = serializers.IntegerField()
    user = AuthorOutput()
    community_score = serializers.IntegerField(source="user.community_score")
    reviews_written = serializers.IntegerField(source="user.reviews_written")
    helpful_votes_received = serializers.IntegerField(source="user.helpful_votes_received")
    answers_provided = serializers.IntegerField(source="user.answers_provided")
    level = LevelField(source="user")


class StaffCommunityLeaderOutput(CommunityLeaderOutput):
    email = serializers.EmailField(source="user.email")
    role = serializers.ChoiceField(choices=Role.choices, source="user.role")


class PromotedExpertOutput(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    expertise_areas = serializers.ListField(child=serializers.CharField())


class CommunityScoreOutput(ReputationOutput):
    # Made from ``reputation(user)`` with the ``user`` added.
    id = serializers.IntegerField(source="user.pk")
    reviews_written = serializers.IntegerField(source="user.reviews_written")
    helpful_votes_received = serializers.IntegerField(source="user.helpful_votes_received")
    questions_asked = serializers.IntegerField(source="user.questions_asked")
    answers_provided = serializers.IntegerField(source="user.answers_provided")


class FeedbackHistoryMetaOutput(serializers.Serializer):
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    total = serializers.IntegerField()
    total_pages = serializers.IntegerField()
    stats = FeedbackStatsOutput(help_text="The user's contribution counts.")
    reputation = ReputationOutput()


class FeedbackHistoryPageOutput(serializers.Serializer):
    """The whole answer: the usual page envelope with stats and reputation added to ``meta``."""

    status = serializers.ChoiceField(choices=[("success", "success")])
    data = ReviewOutput(many=True)
    meta = FeedbackHistoryMetaOutput()
