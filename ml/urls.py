from django.urls import path

from ml import apis, feedback_apis, rec_apis, staff_apis

urlpatterns = [
    path("recommendations/for-me", rec_apis.RecommendationsForMeApi.as_view(), name="recommendations-for-me"),
    path(
        "recommendations/similar/<int:product_id>",
        rec_apis.RecommendationsSimilarApi.as_view(),
        name="recommendations-similar",
    ),
    path(
        "recommendations/bought-together/<int:product_id>",
        rec_apis.RecommendationsBoughtTogetherApi.as_view(),
        name="recommendations-bought-together",
    ),
    path("recommendations/popular", rec_apis.RecommendationsPopularApi.as_view(), name="recommendations-popular"),
    path(
        "recommendations/trending/<str:skin_type>",
        rec_apis.RecommendationsTrendingApi.as_view(),
        name="recommendations-trending",
    ),
    path(
        "recommendations/skin-based", rec_apis.RecommendationsSkinBasedApi.as_view(), name="recommendations-skin-based"
    ),
    path(
        "recommendations/feedback-based",
        rec_apis.RecommendationsFeedbackBasedApi.as_view(),
        name="recommendations-feedback-based",
    ),
    path("recommendations/feedback", rec_apis.RecommendationFeedbackApi.as_view(), name="recommendations-feedback"),
    path(
        "recommendations/avoided-ingredients",
        rec_apis.AvoidedIngredientsApi.as_view(),
        name="recommendations-avoided-ingredients",
    ),
    path("recommendations/routine", rec_apis.RoutineApi.as_view(), name="recommendations-routine"),
    path(
        "ingredients/compatibility",
        rec_apis.IngredientCompatibilityApi.as_view(),
        name="ingredients-compatibility",
    ),
    path("analytics/events", apis.EventIngestApi.as_view(), name="analytics-events"),
    path(
        "ml/feedback/analyze-sentiment",
        feedback_apis.AnalyzeSentimentApi.as_view(),
        name="ml-feedback-analyze-sentiment",
    ),
    path(
        "ml/feedback/predict-satisfaction",
        feedback_apis.PredictSatisfactionApi.as_view(),
        name="ml-feedback-predict-satisfaction",
    ),
    path(
        "ml/predictions/repurchase-likelihood",
        feedback_apis.RepurchaseLikelihoodApi.as_view(),
        name="ml-predictions-repurchase-likelihood",
    ),
    path(
        "staff/products/<int:product_id>/feedback-intelligence",
        feedback_apis.StaffProductIntelligenceApi.as_view(),
        name="staff-product-feedback-intelligence",
    ),
    path("staff/analytics/sales", staff_apis.StaffSalesApi.as_view(), name="staff-analytics-sales"),
    path("staff/analytics/sales/export", staff_apis.StaffSalesExportApi.as_view(), name="staff-analytics-sales-csv"),
    path("staff/analytics/search-trends", staff_apis.StaffSearchTrendsApi.as_view(), name="staff-analytics-search"),
    path(
        "staff/analytics/search-trends/export",
        staff_apis.StaffSearchTrendsExportApi.as_view(),
        name="staff-analytics-search-csv",
    ),
    path("staff/analytics/products", staff_apis.StaffProductsApi.as_view(), name="staff-analytics-products"),
    path(
        "staff/analytics/products/export",
        staff_apis.StaffProductsExportApi.as_view(),
        name="staff-analytics-products-csv",
    ),
    path("staff/analytics/feedback", staff_apis.StaffFeedbackOverviewApi.as_view(), name="staff-analytics-feedback"),
    path(
        "staff/analytics/feedback/export",
        staff_apis.StaffFeedbackOverviewExportApi.as_view(),
        name="staff-analytics-feedback-csv",
    ),
    path("staff/analytics/skin-types", staff_apis.StaffSkinTypesApi.as_view(), name="staff-analytics-skin-types"),
    path(
        "staff/analytics/skin-types/export",
        staff_apis.StaffSkinTypesExportApi.as_view(),
        name="staff-analytics-skin-types-csv",
    ),
    path("staff/analytics/customers", staff_apis.StaffCustomersApi.as_view(), name="staff-analytics-customers"),
    path(
        "staff/analytics/customers/export",
        staff_apis.StaffCustomersExportApi.as_view(),
        name="staff-analytics-customers-csv",
    ),
    path("staff/analytics/community", staff_apis.StaffCommunityHealthApi.as_view(), name="staff-analytics-community"),
    path(
        "staff/analytics/community/export",
        staff_apis.StaffCommunityHealthExportApi.as_view(),
        name="staff-analytics-community-csv",
    ),
    path(
        "staff/analytics/efficacy/<int:product_id>",
        staff_apis.StaffEfficacyApi.as_view(),
        name="staff-analytics-efficacy",
    ),
    path(
        "staff/analytics/efficacy/<int:product_id>/export",
        staff_apis.StaffEfficacyExportApi.as_view(),
        name="staff-analytics-efficacy-csv",
    ),
    path(
        "staff/analytics/recommendations",
        staff_apis.StaffRecommendationsApi.as_view(),
        name="staff-analytics-recommendations",
    ),
    path(
        "staff/analytics/recommendations/export",
        staff_apis.StaffRecommendationsExportApi.as_view(),
        name="staff-analytics-recommendations-csv",
    ),
    path("staff/analytics/sentiment", staff_apis.StaffSentimentApi.as_view(), name="staff-analytics-sentiment"),
    path(
        "staff/analytics/sentiment/export",
        staff_apis.StaffSentimentExportApi.as_view(),
        name="staff-analytics-sentiment-csv",
    ),
]
