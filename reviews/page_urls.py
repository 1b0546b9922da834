from django.urls import path

from reviews import pages, review_pages

app_name = "reviews-pages"

urlpatterns = [
    path("<int:review_id>/vote/", pages.review_vote, name="vote"),
    path("<int:review_id>/report/", pages.review_report, name="report"),
    path("write/<int:product_id>/", review_pages.review_write, name="write"),
    path("ask/<int:product_id>/", review_pages.question_ask, name="ask"),
]
