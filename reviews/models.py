"""Reviews, review media and votes; progress journals; product Q&A (seed 001 section 4).

Every piece of user content carries a moderation ``status``; only ``approved`` content is shown
to other users. The feedback app's moderation queue decides, this app applies the decision
(``reviews.receivers``).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from shop.accounts.models import SkinType


class ContentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    FLAGGED = "flagged", "Flagged"


class UsageFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    TWICE_DAILY = "twice_daily", "Twice daily"
    WEEKLY = "weekly", "Weekly"
    TWO_THREE_A_WEEK = "2-3_times_week", "2-3 times a week"
    AS_NEEDED = "as_needed", "As needed"


# Applications a day each reported frequency stands for ("as needed" says nothing about an amount).
USES_PER_DAY = {
    UsageFrequency.TWICE_DAILY: Decimal(2),
    UsageFrequency.DAILY: Decimal(1),
    UsageFrequency.TWO_THREE_A_WEEK: Decimal("2.5") / 7,
    UsageFrequency.WEEKLY: Decimal(1) / 7,
}


class VoteType(models.TextChoices):
    HELPFUL = "helpful", "Helpful"
    UNHELPFUL = "unhelpful", "Unhelpful"


def _rating_check(field, name, *, nullable=True, low=1):
    condition = Q(**{f"{field}__gte": low, f"{field}__lte": 5})
    if nullable:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name)


# Aspects ml scores in review text (stored in ``Review.extracted_topics``; ml.sentiment.ASPECTS is the same).
SENTIMENT_ASPECTS = ("effectiveness", "texture", "scent", "packaging", "value", "results", "side_effects")
ASPECT_FIELDS = ("effectiveness_rating", "texture_rating", "scent_rating", "packaging_rating", "value_for_money_rating")


class Review(models.Model):
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    order_item = models.ForeignKey(
        "orders.OrderItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255, blank=True)
    review_text = models.TextField(blank=True)

    skin_type_at_review = models.CharField(max_length=20, choices=SkinType.choices, blank=True)
    usage_duration = models.PositiveIntegerField(null=True, blank=True, help_text="Days of use before reviewing")
    visible_results = models.BooleanField(default=False)
    would_recommend = models.BooleanField(default=True)

    effectiveness_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    texture_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    scent_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    packaging_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    value_for_money_rating = models.PositiveSmallIntegerField(null=True, blank=True)

    skin_condition_before = models.TextField(blank=True)
    skin_condition_after = models.TextField(blank=True)
    side_effects = models.TextField(blank=True)

    how_often_used = models.CharField(max_length=20, choices=UsageFrequency.choices, blank=True)
    application_method = models.TextField(blank=True)
    used_with_other_products = models.JSONField(default=list, blank=True, help_text="Product ids")

    is_verified_purchase = models.BooleanField(default=False)
    helpful_votes_count = models.PositiveIntegerField(default=0)
    unhelpful_votes_count = models.PositiveIntegerField(default=0)
    total_votes_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ContentStatus.choices, default=ContentStatus.PENDING)
    moderation_notes = models.TextField(blank=True, help_text="Shown to the author when rejected")
    approved_at = models.DateTimeField(null=True, blank=True)

    has_photos = models.BooleanField(default=False)
    has_video = models.BooleanField(default=False)
    media_count = models.PositiveSmallIntegerField(default=0)

    sentiment_score = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    # Written by ml when the review is approved ("" / null until then): the blended score, its seed-001
    # label, and aspect scores and themes as [{"kind": "aspect" | "theme", "name", "sentiment", ...}].
    sentiment_label = models.CharField(max_length=20, blank=True)
    extracted_topics = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "user"], name="reviews_review_one_per_user_product"),
            _rating_check("rating", "reviews_review_rating_1_5", nullable=False),
            *[_rating_check(field, f"reviews_review_{field}_1_5") for field in ASPECT_FIELDS],
            models.CheckConstraint(
                condition=Q(sentiment_score__isnull=True) | Q(sentiment_score__gte=-1, sentiment_score__lte=1),
                name="reviews_review_sentiment_score_range",
            ),
            models.CheckConstraint(
                condition=Q(sentiment_label__in=["", "positive", "negative", "neutral"]),
                name="reviews_review_sentiment_label_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "status", "-created_at"], name="reviews_product_newest"),
            models.Index(fields=["product", "status", "-helpful_votes_count"], name="reviews_product_helpful"),
            models.Index(fields=["product", "status", "rating"], name="reviews_product_rating"),
            models.Index(fields=["user", "-created_at"], name="reviews_user_newest"),
            models.Index(fields=["status", "-created_at"], name="reviews_status_newest"),
            # Every review, newest first (the staff reviews API and the admin list): the default ordering.
            models.Index(fields=["-created_at", "-id"], name="reviews_newest"),
        ]

    def __str__(self):
        return f"{self.rating}* review of {self.product_id} by {self.user_id}"


class MediaBase(models.Model):
    file = models.ForeignKey("files.UploadedFile", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=ContentStatus.choices, default=ContentStatus.PENDING)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "id"]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk} ({self.status})"


class PhotoType(models.TextChoices):
    BEFORE = "before", "Before"
    AFTER = "after", "After"
    DURING = "during", "During"
    PRODUCT_SHOT = "product_shot", "Product shot"
    PACKAGING = "packaging", "Packaging"
    TEXTURE = "texture", "Texture"


class SkinArea(models.TextChoices):
    FACE = "face", "Face"
    FULL_FACE = "full_face", "Full face"
    FOREHEAD = "forehead", "Forehead"
    CHEEKS = "cheeks", "Cheeks"
    CHIN = "chin", "Chin"
    NOSE = "nose", "Nose"
    UNDER_EYES = "under_eyes", "Under eyes"
    PROBLEM_AREA = "problem_area", "Problem area"
    TEXTURE_CLOSEUP = "texture_closeup", "Texture close-up"
    BODY = "body", "Body"


class Lighting(models.TextChoices):
    NATURAL = "natural", "Natural"
    INDOOR = "indoor", "Indoor"
    FLASH = "flash", "Flash"
    RING_LIGHT = "ring_light", "Ring light"
    CONSISTENT_SETUP = "consistent_setup", "Consistent setup"


class ReviewMedia(MediaBase):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="media")
    media_type = models.CharField(max_length=10, choices=[("photo", "Photo"), ("video", "Video")], default="photo")
    photo_type = models.CharField(max_length=20, choices=PhotoType.choices, blank=True)
    photo_context = models.CharField(max_length=300, blank=True)
    skin_area = models.CharField(max_length=30, choices=SkinArea.choices, blank=True)
    lighting_condition = models.CharField(max_length=20, choices=Lighting.choices, blank=True)
    timeline_context = models.CharField(max_length=50, blank=True, help_text="baseline, week_1, week_4, final_results")
    days_of_usage = models.PositiveIntegerField(null=True, blank=True)
    is_featured = models.BooleanField(default=False)

    class Meta(MediaBase.Meta):
        verbose_name_plural = "review media"
        constraints = [models.UniqueConstraint(fields=["file"], name="reviews_review_media_file_once")]
        indexes = [models.Index(fields=["review", "status"])]


class ReviewVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_votes")
    vote_type = models.CharField(max_length=10, choices=VoteType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="reviews_vote_once_per_user")]

    def __str__(self):
        return f"{self.vote_type} on review {self.review_id} by {self.user_id}"


# --- Progress journals ----------------------------------------------------------------------------


class ProgressStatus(models.TextChoices):
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


class WeekFeedbackSource(models.TextChoices):
    TEMPLATE = "template", "Templates"
    LLM = "llm", "Language model"


class ProgressJournal(models.Model):
    """One user tracking one product over up to 52 weeks."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_journals")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="progress_journals")
    status = models.CharField(max_length=10, choices=ProgressStatus.choices, default=ProgressStatus.ONGOING)
    skin_type = models.CharField(max_length=20, choices=SkinType.choices, blank=True)
    goals = models.TextField(blank=True)
    baseline_notes = models.TextField(blank=True)
    is_public = models.BooleanField(default=False, help_text="Shown (without private photos) on the product page")
    completion_notes = models.TextField(blank=True)
    notes_status = models.CharField(
        max_length=10,
        choices=ContentStatus.choices,
        default=ContentStatus.PENDING,
        help_text="Moderation of the text others see (goals, completion notes, entries' notes); public journals only",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    entry_count = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], condition=Q(status="ongoing"), name="reviews_progress_one_ongoing"
            )
        ]
        indexes = [models.Index(fields=["product", "is_public", "status"]), models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"progress of {self.user_id} on {self.product_id}"


IMPROVEMENT_FLAGS = (
    "acne_reduced", "skin_texture_improved", "hydration_improved", "redness_reduced", "pores_minimized",
    "brightness_improved", "scarring_reduced", "oil_control_improved", "fine_lines_reduced",
)  # fmt: skip


ENTRY_TEXT_FIELDS = ("skin_condition_notes", "application_notes", "lifestyle_factors")


class ProgressEntry(models.Model):
    journal = models.ForeignKey(ProgressJournal, on_delete=models.CASCADE, related_name="entries")
    week_number = models.PositiveSmallIntegerField()
    progress_date = models.DateField()
    skin_condition_notes = models.TextField(blank=True)
    application_notes = models.TextField(blank=True)
    lifestyle_factors = models.TextField(blank=True)

    overall_satisfaction = models.PositiveSmallIntegerField()
    skin_improvement = models.PositiveSmallIntegerField()
    side_effects_severity = models.PositiveSmallIntegerField(default=0)
    product_experience = models.PositiveSmallIntegerField(null=True, blank=True)

    acne_reduced = models.BooleanField(default=False)
    skin_texture_improved = models.BooleanField(default=False)
    hydration_improved = models.BooleanField(default=False)
    redness_reduced = models.BooleanField(default=False)
    pores_minimized = models.BooleanField(default=False)
    brightness_improved = models.BooleanField(default=False)
    scarring_reduced = models.BooleanField(default=False)
    oil_control_improved = models.BooleanField(default=False)
    fine_lines_reduced = models.BooleanField(default=False)

    has_photos = models.BooleanField(default=False)
    photo_count = models.PositiveSmallIntegerField(default=0)
    # Personal feedback on the week, for the owner only: written after each save by ml (from the
    # entry, the history, the latest skin scans and the products tracked), through
    # ``progress.progress_entry_feedback_set``.
    feedback = models.TextField(blank=True)
    feedback_source = models.CharField(max_length=20, choices=WeekFeedbackSource.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["week_number", "id"]
        verbose_name_plural = "progress entries"
        constraints = [
            models.UniqueConstraint(fields=["journal", "week_number"], name="reviews_progress_one_entry_per_week"),
            models.CheckConstraint(
                condition=Q(week_number__gte=1, week_number__lte=52), name="reviews_progress_week_1_52"
            ),
            _rating_check("overall_satisfaction", "reviews_progress_satisfaction_1_5", nullable=False),
            _rating_check("skin_improvement", "reviews_progress_improvement_1_5", nullable=False),
            _rating_check("side_effects_severity", "reviews_progress_side_effects_0_5", nullable=False, low=0),
            _rating_check("product_experience", "reviews_progress_experience_1_5"),
        ]

    def __str__(self):
        return f"week {self.week_number} of journal {self.journal_id}"


class ProgressPhotoType(models.TextChoices):
    PROGRESS = "progress", "Progress"
    SIDE_EFFECT = "side_effect", "Side effect"
    BASELINE = "baseline", "Baseline"
    COMPARISON = "comparison", "Comparison"


class Angle(models.TextChoices):
    FRONT = "front", "Front"
    LEFT_SIDE = "left_side", "Left side"
    RIGHT_SIDE = "right_side", "Right side"
    CLOSEUP = "closeup", "Close-up"
    WIDE = "wide", "Wide"


class ProgressMedia(MediaBase):
    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE, related_name="media")
    photo_type = models.CharField(max_length=20, choices=ProgressPhotoType.choices, default=ProgressPhotoType.PROGRESS)
    skin_area = models.CharField(max_length=30, choices=SkinArea.choices, blank=True)
    angle = models.CharField(max_length=20, choices=Angle.choices, blank=True)
    lighting_condition = models.CharField(max_length=20, choices=Lighting.choices, blank=True)
    photo_quality_score = models.PositiveSmallIntegerField(null=True, blank=True)
    lighting_consistency = models.BooleanField(default=False)
    angle_consistency = models.BooleanField(default=False)
    photo_notes = models.TextField(blank=True)
    comparison_notes = models.TextField(blank=True)
    is_featured = models.BooleanField(default=False)

    class Meta(MediaBase.Meta):
        verbose_name_plural = "progress media"
        constraints = [
            models.UniqueConstraint(fields=["file"], name="reviews_progress_media_file_once"),
            _rating_check("photo_quality_score", "reviews_progress_media_quality_1_5"),
        ]


# --- Questions & answers --------------------------------------------------------------------------


class QuestionCategory(models.TextChoices):
    INGREDIENTS = "ingredients", "Ingredients"
    USAGE = "usage", "Usage"
    RESULTS = "results", "Results"
    SIDE_EFFECTS = "side_effects", "Side effects"
    COMPATIBILITY = "compatibility", "Compatibility"
    GENERAL = "general", "General"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


class Question(models.Model):
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="questions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    question = models.TextField()
    skin_type_context = models.CharField(max_length=20, choices=SkinType.choices, blank=True)
    age_range = models.CharField(max_length=20, blank=True)
    skin_concerns_context = models.JSONField(default=list, blank=True)

    is_answered = models.BooleanField(default=False)
    answer_count = models.PositiveIntegerField(default=0)
    helpful_votes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ContentStatus.choices, default=ContentStatus.PENDING)
    moderation_notes = models.TextField(blank=True)

    question_category = models.CharField(max_length=20, choices=QuestionCategory.choices, blank=True)
    urgency_level = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    has_media = models.BooleanField(default=False)
    media_count = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["product", "status", "-created_at"], name="reviews_question_product"),
            models.Index(fields=["user", "-created_at"], name="reviews_question_user"),
        ]

    def __str__(self):
        return self.question[:60]

    @property
    def top_answer(self):
        """The first approved answer, on questions loaded with them (``selectors._answers_prefetch``)."""
        answers = self.approved_answers
        return answers[0] if answers else None


class QuestionMedia(MediaBase):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="media")
    media_purpose = models.CharField(max_length=30, blank=True)
    description = models.TextField(blank=True)

    class Meta(MediaBase.Meta):
        verbose_name_plural = "question media"
        constraints = [models.UniqueConstraint(fields=["file"], name="reviews_question_media_file_once")]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="reviews_question_vote_once")]

    def __str__(self):
        return f"helpful on question {self.question_id} by {self.user_id}"


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    answer = models.TextField()
    is_from_verified_buyer = models.BooleanField(default=False)
    is_from_expert = models.BooleanField(default=False)
    expert_credentials = models.TextField(blank=True)
    helpful_votes = models.PositiveIntegerField(default=0)
    unhelpful_votes = models.PositiveIntegerField(default=0)

    is_verified_by_admin = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verification_notes = models.TextField(blank=True)

    has_media = models.BooleanField(default=False)
    media_count = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ContentStatus.choices, default=ContentStatus.PENDING)
    moderation_notes = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_from_expert", "-is_verified_by_admin", "-helpful_votes", "created_at", "id"]
        indexes = [models.Index(fields=["question", "status"]), models.Index(fields=["user", "-created_at"])]
        permissions = [
            ("verify_answer", "Can mark an answer as verified"),
            ("answer_as_expert", "Can answer with the expert badge"),
        ]

    def __str__(self):
        return self.answer[:60]


class AnswerMedia(MediaBase):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="media")
    media_purpose = models.CharField(max_length=30, blank=True)
    description = models.TextField(blank=True)

    class Meta(MediaBase.Meta):
        verbose_name_plural = "answer media"
        constraints = [models.UniqueConstraint(fields=["file"], name="reviews_answer_media_file_once")]


class AnswerVote(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    vote_type = models.CharField(max_length=10, choices=VoteType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "user"], name="reviews_answer_vote_once")]

    def __str__(self):
        return f"{self.vote_type} on answer {self.answer_id} by {self.user_id}"
