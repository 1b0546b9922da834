from django.urls import path

from ml import apis

urlpatterns = [
    path("analytics/events", apis.EventIngestApi.as_view(), name="analytics-events"),
]
