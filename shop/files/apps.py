from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "shop.files"
    label = "files"
    verbose_name = "Uploaded files"

    def ready(self):
        from shop.files import checks  # noqa: F401 - registers the system checks
