from django.urls import path

from reviews import pages

app_name = "reviews-pages"

urlpatterns = [
    path("<int:review_id>/vote/", pages.review_vote, name="vote"),
    path("<int:review_id>/report/", pages.review_report, name="report"),
]
