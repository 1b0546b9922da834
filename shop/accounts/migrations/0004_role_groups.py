"""The groups of the staff roles. Their permissions are written after every ``migrate`` by
``shop.accounts.roles.role_groups_sync`` (post_migrate), because Django creates permissions only
then, and a migration here cannot see the models of the apps that build on accounts."""

from django.db import migrations

ROLE_GROUPS = ["admin", "moderator", "expert"]


def groups_create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_moderate_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(groups_create, groups_delete)]
