from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from shop.accounts.demo import seed_accounts
        from skincare.demo import register_demo_step

        register_demo_step("accounts", 10, seed_accounts)
