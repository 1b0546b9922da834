"""Moderation queue, in-app notifications (with per-channel preferences and push devices) and
product feedback forms (seed 001 ``moderation_queue``, ``notifications``, ``product_feedback_responses``).

The content being moderated lives in higher apps (reviews, questions, answers, photos); the queue
only stores ``content_type`` + ``content_id`` and a snapshot, and announces decisions through
``skincare.events.moderation_decided``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from feedback.list_cache import NotificationQuerySet


class ContentType(models.TextChoices):
    REVIEW = "review", "Review"
    QUESTION = "question", "Question"
    ANSWER = "answer", "Answer"
    REVIEW_PHOTO = "review_photo", "Review photo"
    QUESTION_PHOTO = "question_photo", "Question photo"
    ANSWER_PHOTO = "answer_photo", "Answer photo"
    PROGRESS_PHOTO = "progress_photo", "Progress photo"
    PROGRESS_NOTE = "progress_note", "Progress journal text"


PHOTO_CONTENT_TYPES = frozenset(
    {ContentType.REVIEW_PHOTO, ContentType.QUESTION_PHOTO, ContentType.ANSWER_PHOTO, ContentType.PROGRESS_PHOTO}
)


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    NEEDS_REVIEW = "needs_review", "Needs review (flagged)"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


OPEN_STATUSES = (ModerationStatus.PENDING, ModerationStatus.NEEDS_REVIEW)


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam"
    TOXICITY = "toxicity", "Toxic or abusive"
    MEDICAL_CLAIMS = "medical_claims", "Medical claims"
    USER_REPORTED = "user_reported", "Reported by users"
    PHOTO = "photo", "User photo"
    SAFETY = "safety", "Possible harm to a customer"


class ModerationItem(models.Model):
    content_type = models.CharField(max_length=30, choices=ContentType.choices)
    content_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_items"
    )

    content_text = models.TextField(blank=True)
    content_metadata = models.JSONField(default=dict, blank=True)
    file = models.ForeignKey("files.UploadedFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contains_files = models.BooleanField(default=False)

    flagged_reasons = models.JSONField(default=list, blank=True)
    auto_flagged = models.BooleanField(default=False)
    auto_approved = models.BooleanField(default=False)
    user_reported = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)

    spam_probability = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    toxicity_score = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    medical_claims_detected = models.BooleanField(default=False)
    screen_details = models.JSONField(default=dict, blank=True, help_text="What the automatic screen matched")

    status = models.CharField(
        max_length=20, choices=ModerationStatus.choices, default=ModerationStatus.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_notes = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    priority_level = models.PositiveSmallIntegerField(default=3, help_text="1 = highest, 5 = lowest")
    escalated = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority_level", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "content_id"], name="feedback_moderation_one_per_content"),
            models.CheckConstraint(
                condition=Q(priority_level__gte=1, priority_level__lte=5), name="feedback_moderation_priority_1_5"
            ),
            models.CheckConstraint(
                condition=Q(spam_probability__gte=0, spam_probability__lte=1)
                & Q(toxicity_score__gte=0, toxicity_score__lte=1),
                name="feedback_moderation_scores_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "priority_level", "created_at"]),
            models.Index(fields=["escalated", "status"]),
        ]

    def __str__(self):
        return f"{self.content_type} #{self.content_id} ({self.status})"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class ModerationReport(models.Model):
    """One user's report of a piece of content; one per user and item."""

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=30)
    details = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item", "reporter"], name="feedback_report_once_per_user")]

    def __str__(self):
        return f"report of {self.item_id} by {self.reporter_id}"


# --- Notifications ------------------------------------------------------------------------------


class NotificationType(models.TextChoices):
    REVIEW_APPROVED = "review_approved", "Review approved"
    REVIEW_REJECTED = "review_rejected", "Review rejected"
    QUESTION_ANSWERED = "question_answered", "Question answered"
    ANSWER_HELPFUL = "answer_helpful", "Answer marked helpful"
    CONTENT_REJECTED = "content_rejected", "Question, answer or photo rejected"
    WISHLIST_SALE = "wishlist_sale", "Wishlist item on sale"
    WISHLIST_RESTOCK = "wishlist_restock", "Wishlist item back in stock"
    WISHLIST_REVIEWS = "wishlist_reviews", "New review on a wishlist item"
    ORDER_UPDATE = "order_update", "Order update"
    REPLENISHMENT = "replenishment", "Running low on a product"
    COMMUNITY = "community", "Community (expert status, reputation)"
    ACHIEVEMENT = "achievement", "Achievement unlocked"
    GOAL = "goal", "Goal milestone"


class NotificationPriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=50, choices=NotificationType.choices)
    title = models.CharField(max_length=255)
    message = models.TextField()
    action_url = models.CharField(max_length=500, blank=True)
    thumbnail_url = models.CharField(max_length=500, blank=True)
    action_buttons = models.JSONField(default=list, blank=True)
    related_type = models.CharField(max_length=50, blank=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related_key = models.CharField(
        max_length=64, blank=True, help_text="How the API addresses the related object (an order's number)."
    )
    file = models.ForeignKey("files.UploadedFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    is_read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(
        max_length=10, choices=NotificationPriority.choices, default=NotificationPriority.NORMAL
    )

    email_wanted = models.BooleanField(default=False, help_text="Preference at creation time")
    push_wanted = models.BooleanField(default=False, help_text="Preference at creation time")
    email_sent = models.BooleanField(default=False)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    push_sent = models.BooleanField(default=False)
    push_sent_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    # Queryset writes drop the cached notification lists (feedback.list_cache).
    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["user"], condition=Q(is_read=False), name="feedback_notif_unread"),
        ]

    def __str__(self):
        return f"{self.type} -> {self.user_id}"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PUSH = "push", "Push"


class NotificationPreference(models.Model):
    """Channel switches plus per-type overrides: ``{"answer_helpful": {"email": false, "push": true}}``.

    In-app notifications are always kept (they are the inbox); e-mail and push follow these settings.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(default=True)
    push_enabled = models.BooleanField(default=True)
    type_settings = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"preferences of {self.user_id}"


class PushPlatform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS"
    WEB = "web", "Web"


class PushDevice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_devices")
    token = models.CharField(max_length=512, unique=True)
    platform = models.CharField(max_length=10, choices=PushPlatform.choices, default=PushPlatform.ANDROID)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self):
        return f"{self.platform} device of {self.user_id}"


# --- Product feedback forms ---------------------------------------------------------------------


class ContactMethod(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    IN_APP = "in_app", "In-app"


class ProductFeedbackResponse(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="product_feedback")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    order_item = models.ForeignKey(
        "orders.OrderItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responses = models.JSONField()
    overall_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    allow_followup_contact = models.BooleanField(default=False)
    preferred_contact_method = models.CharField(max_length=20, choices=ContactMethod.choices, blank=True)
    processed_for_analytics = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall_rating__isnull=True) | Q(overall_rating__gte=1, overall_rating__lte=5),
                name="feedback_form_rating_1_5",
            )
        ]
        indexes = [models.Index(fields=["product", "-created_at"])]

    def __str__(self):
        return f"feedback form {self.user_id}/{self.product_id}"
