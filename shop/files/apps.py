from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "shop.files"
    label = "files"
    verbose_name = "Uploaded files"
