from django.urls import path

from reviews import pages

app_name = "journal"

urlpatterns = [
    path("", pages.journal_list, name="list"),
    path("start/", pages.journal_start, name="start"),
    path("<int:journal_id>/", pages.journal_detail, name="detail"),
    path("<int:journal_id>/entries/", pages.journal_entry_add, name="entry-add"),
    path("<int:journal_id>/finish/", pages.journal_finish, name="finish"),
]
