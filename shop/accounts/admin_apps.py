from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``ShopAdminSite`` as ``admin.site`` (listed in INSTALLED_APPS)."""

    default_site = "shop.accounts.admin_site.ShopAdminSite"
