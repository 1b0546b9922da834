from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class AccountsConfig(AppConfig):
    name = "shop.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from shop.accounts.authentication import user_relations_changed, user_saved_or_deleted
        from shop.accounts.demo import seed_accounts
        from shop.accounts.models import User
        from shop.accounts.roles import role_groups_sync_after_migrate
        from skincare.demo import register_demo_step

        register_demo_step("accounts", 10, seed_accounts)
        post_migrate.connect(role_groups_sync_after_migrate, sender=self, dispatch_uid="accounts-role-groups")
        # The cached authentication columns of a user (shop.accounts.authentication) follow every change.
        post_save.connect(user_saved_or_deleted, sender=User, dispatch_uid="accounts-auth-user-saved")
        post_delete.connect(user_saved_or_deleted, sender=User, dispatch_uid="accounts-auth-user-deleted")
        for through in (User.groups.through, User.user_permissions.through):
            m2m_changed.connect(
                user_relations_changed, sender=through, dispatch_uid=f"accounts-auth-{through.__name__}"
            )
