"""``/account/reviews/`` and ``/account/questions/``: the shopper's own reviews and questions."""

from django.urls import path

from reviews import review_pages

app_name = "my-reviews"

urlpatterns = [
    path("reviews/", review_pages.my_reviews, name="list"),
    path("reviews/<int:review_id>/", review_pages.review_edit, name="detail"),
    path("reviews/<int:review_id>/delete/", review_pages.review_delete, name="delete"),
    path(
        "reviews/<int:review_id>/photos/<int:media_id>/remove/",
        review_pages.review_photo_remove,
        name="photo-remove",
    ),
    path("questions/", review_pages.my_questions, name="questions"),
]
