from django.urls import path

from ml.skin_analysis import apis

urlpatterns = [
    path("skin-analysis", apis.SkinAnalysisListApi.as_view(), name="skin-analysis-list"),
    path("skin-analysis/compare", apis.SkinAnalysisCompareApi.as_view(), name="skin-analysis-compare"),
    path("skin-analysis/trend", apis.SkinAnalysisTrendApi.as_view(), name="skin-analysis-trend"),
    path("skin-analysis/<int:analysis_id>", apis.SkinAnalysisDetailApi.as_view(), name="skin-analysis-detail"),
]
