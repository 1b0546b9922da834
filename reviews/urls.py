from django.urls import path

import shop.catalog.converters  # noqa: F401 - registers the <product:...> converter
from reviews import apis, community_apis

urlpatterns = [
    # Reviews
    path("products/<product:product_id>/reviews", apis.ProductReviewsApi.as_view(), name="product-reviews"),
    path(
        "products/<product:product_id>/reviews/summary",
        apis.ProductReviewSummaryApi.as_view(),
        name="product-review-summary",
    ),
    path("reviews/<int:review_id>", apis.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<int:review_id>/vote", apis.ReviewVoteApi.as_view(), name="review-vote"),
    path("reviews/<int:review_id>/votes", apis.ReviewVotesApi.as_view(), name="review-votes"),
    path("reviews/<int:review_id>/report", apis.ReviewReportApi.as_view(), name="review-report"),
    path("user/reviews", apis.MyReviewsApi.as_view(), name="my-reviews"),
    path("reviews/<int:review_id>/media/<int:media_id>", apis.ReviewMediaRemoveApi.as_view(), name="review-media"),
    # Staff reviews
    path("staff/reviews", apis.StaffReviewListApi.as_view(), name="staff-reviews"),
    path("staff/reviews/pending", apis.StaffPendingReviewListApi.as_view(), name="staff-reviews-pending"),
    path("staff/reviews/bulk-action", apis.StaffReviewBulkDecisionApi.as_view(), name="staff-reviews-bulk-action"),
    path("staff/reviews/analytics", apis.StaffReviewAnalyticsApi.as_view(), name="staff-reviews-analytics"),
    path("staff/reviews/<int:review_id>", apis.StaffReviewDetailApi.as_view(), name="staff-review-detail"),
    path("staff/reviews/<int:review_id>/approve", apis.StaffReviewApproveApi.as_view(), name="staff-review-approve"),
    path("staff/reviews/<int:review_id>/reject", apis.StaffReviewRejectApi.as_view(), name="staff-review-reject"),
    path("staff/reviews/<int:review_id>/flag", apis.StaffReviewFlagApi.as_view(), name="staff-review-flag"),
    path("staff/answers/<int:answer_id>/verify", apis.StaffAnswerVerifyApi.as_view(), name="staff-answer-verify"),
    path(
        "staff/questions/awaiting-expert",
        apis.StaffQuestionsAwaitingExpertApi.as_view(),
        name="staff-questions-awaiting-expert",
    ),
    # Q&A
    path("products/<product:product_id>/questions", apis.ProductQuestionsApi.as_view(), name="product-questions"),
    path("questions/<int:question_id>", apis.QuestionDetailApi.as_view(), name="question-detail"),
    path("questions/<int:question_id>/answers", apis.QuestionAnswersApi.as_view(), name="question-answers"),
    path("questions/<int:question_id>/vote", apis.QuestionVoteApi.as_view(), name="question-vote"),
    path("questions/<int:question_id>/report", apis.QuestionReportApi.as_view(), name="question-report"),
    path("answers/<int:answer_id>/vote", apis.AnswerVoteApi.as_view(), name="answer-vote"),
    path("answers/<int:answer_id>/report", apis.AnswerReportApi.as_view(), name="answer-report"),
    path("user/questions", apis.MyQuestionsApi.as_view(), name="my-questions"),
    path(
        "questions/<int:question_id>/media/<int:media_id>",
        apis.QuestionMediaRemoveApi.as_view(),
        name="question-media",
    ),
    path("answers/<int:answer_id>/media/<int:media_id>", apis.AnswerMediaRemoveApi.as_view(), name="answer-media"),
    # Progress journals
    path("progress/start/<int:product_id>", apis.ProgressStartApi.as_view(), name="progress-start"),
    path("progress/update", apis.ProgressUpdateApi.as_view(), name="progress-update"),
    path("progress", apis.ProgressUserApi.as_view(), name="progress-mine"),
    path("progress/user/<int:user_id>", apis.ProgressUserApi.as_view(), name="progress-user"),
    path("progress/product/<int:product_id>", apis.ProgressProductApi.as_view(), name="progress-product"),
    path("progress/entries/<int:entry_id>", apis.ProgressEntryApi.as_view(), name="progress-entry"),
    path("progress/entries/<int:entry_id>/photo", apis.ProgressPhotoApi.as_view(), name="progress-photo"),
    path("progress/<int:entry_id>/photo", apis.ProgressPhotoApi.as_view(), name="progress-photo-seed"),
    path(
        "progress/entries/<int:entry_id>/photos/<int:media_id>",
        apis.ProgressMediaRemoveApi.as_view(),
        name="progress-media",
    ),
    path("progress/<int:journal_id>/timeline", apis.ProgressTimelineApi.as_view(), name="progress-timeline"),
    path("progress/<int:journal_id>/complete", apis.ProgressCompleteApi.as_view(), name="progress-complete"),
    path("progress/<int:journal_id>/abandon", apis.ProgressAbandonApi.as_view(), name="progress-abandon"),
    # Community
    path("user/feedback/dashboard", community_apis.FeedbackDashboardApi.as_view(), name="feedback-dashboard"),
    path("user/feedback/stats", community_apis.FeedbackStatsApi.as_view(), name="feedback-stats"),
    path("user/feedback/impact", community_apis.FeedbackImpactApi.as_view(), name="feedback-impact"),
    path("user/feedback/reputation", community_apis.FeedbackReputationApi.as_view(), name="feedback-reputation"),
    path("community/leaders", community_apis.CommunityLeadersApi.as_view(), name="community-leaders"),
    path(
        "staff/users/community-leaders",
        community_apis.StaffCommunityLeadersApi.as_view(),
        name="staff-community-leaders",
    ),
    path(
        "staff/users/<int:user_id>/promote-expert",
        community_apis.StaffPromoteExpertApi.as_view(),
        name="staff-promote-expert",
    ),
    path(
        "staff/users/<int:user_id>/community-score",
        community_apis.StaffCommunityScoreApi.as_view(),
        name="staff-community-score",
    ),
    path(
        "staff/users/<int:user_id>/feedback-history",
        community_apis.StaffFeedbackHistoryApi.as_view(),
        name="staff-feedback-history",
    ),
]
