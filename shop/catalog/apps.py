from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shop.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from shop.catalog import lookups, signals  # noqa: F401 - registers the JSON lookup
        from shop.catalog.demo import register_demo_steps

        signals.connect()
        register_demo_steps()

        from shop.catalog import invariants

        invariants.register()
