from django.urls import path

from ml.skin_analysis import pages

app_name = "skin"

urlpatterns = [
    path("", pages.skin_home, name="home"),
    path("compare/", pages.skin_compare, name="compare"),
    path("<int:analysis_id>/", pages.skin_detail, name="detail"),
]
