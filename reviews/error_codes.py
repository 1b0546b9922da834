"""Error codes of the reviews app (reviews, votes, progress journals, Q&A, community)."""

from django.utils.translation import gettext_lazy as _

from skincare.errors import ErrorCode, export_members


class ReviewErrorCode(ErrorCode):
    REVIEW_NOT_FOUND = "REVIEW_NOT_FOUND", 404, _("Review not found.")
    REVIEW_EXISTS = "REVIEW_EXISTS", 409, _("You have already reviewed this product.")
    ALREADY_VOTED = "ALREADY_VOTED", 409, _("You have already voted.")
    VOTE_NOT_FOUND = "VOTE_NOT_FOUND", 404, _("You have not voted on this review.")
    CANNOT_VOTE_OWN_CONTENT = "CANNOT_VOTE_OWN_CONTENT", 403, _("You cannot vote on your own content.")
    FILE_NOT_USABLE = "FILE_NOT_USABLE", 400, _("This file cannot be used here.")
    TOO_MANY_MEDIA = "TOO_MANY_MEDIA", 400, _("Too many files.")
    # the body names products that do not exist
    UNKNOWN_PRODUCTS = "UNKNOWN_PRODUCTS", 400, _("Some products do not exist.")
    PROGRESS_NOT_FOUND = "PROGRESS_NOT_FOUND", 404, _("Progress journal not found.")
    PROGRESS_ALREADY_TRACKING = "PROGRESS_ALREADY_TRACKING", 409, _("You are already tracking this product.")
    PROGRESS_WEEK_EXISTS = "PROGRESS_WEEK_EXISTS", 409, _("This week is already recorded.")
    PROGRESS_NOT_ONGOING = "PROGRESS_NOT_ONGOING", 409, _("This journal is no longer ongoing.")
    QUESTION_NOT_FOUND = "QUESTION_NOT_FOUND", 404, _("Question not found.")
    ANSWER_NOT_FOUND = "ANSWER_NOT_FOUND", 404, _("Answer not found.")
    MODERATION_ITEM_MISSING = "MODERATION_ITEM_MISSING", 404, _("Moderation item not found.")
    USER_NOT_FOUND = "USER_NOT_FOUND", 404, _("User not found.")
    ALREADY_EXPERT = "ALREADY_EXPERT", 409, _("This user is already an expert.")
    MEDIA_NOT_FOUND = "MEDIA_NOT_FOUND", 404, _("Photo not found.")


export_members(ReviewErrorCode, globals())
