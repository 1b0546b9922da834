from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "shop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from shop.accounts.demo import seed_accounts
        from shop.accounts.roles import role_groups_sync_after_migrate
        from skincare.demo import register_demo_step

        register_demo_step("accounts", 10, seed_accounts)
        post_migrate.connect(role_groups_sync_after_migrate, sender=self, dispatch_uid="accounts-role-groups")
