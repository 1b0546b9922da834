from django.urls import path

from ml import pages

app_name = "ml"

urlpatterns = [
    path("go/<int:product_id>/", pages.recommendation_go, name="recommendation-go"),
    path("hide/", pages.recommendation_hide, name="recommendation-hide"),
    path("routine/", pages.routine_page, name="routine"),
    path("routine/cart/", pages.routine_add_to_cart, name="routine-cart"),
]
