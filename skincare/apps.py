from django.apps import AppConfig


class SkincareConfig(AppConfig):
    name = "skincare"
    verbose_name = "Skincare platform"
