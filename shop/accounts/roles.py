"""Staff roles as data: which Django model permissions each role holds.

One model serves the staff API and the Django admin. Each staff role is a ``Group`` of the same
name holding the permissions below; ``user.has_perm(...)`` answers for both (superusers hold
everything). A user's groups and ``is_staff`` follow ``user.role``: ``User.save`` calls
``user_role_groups_sync`` whenever the role may have changed, so no path (service, admin form,
factory, ``createsuperuser``) can leave them apart. The groups' permissions are rewritten from
this module after every ``migrate`` (``role_groups_sync``, connected in ``AccountsConfig.ready``).
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext

from shop.accounts.models import Role

ALL_PERMISSIONS = "__all__"

# Custom permissions (declared in the models' Meta.permissions).
MODERATE_USER = "accounts.moderate_user"  # suspend / reactivate, recalculate the community score
VERIFY_ANSWER = "reviews.verify_answer"
ANSWER_AS_EXPERT = "reviews.answer_as_expert"

MODERATOR_PERMISSIONS = frozenset(
    {
        # moderation queue and the reports attached to it
        "feedback.view_moderationitem",
        "feedback.change_moderationitem",
        "feedback.view_moderationreport",
        # reviews, Q&A and progress journals
        "reviews.view_review",
        "reviews.change_review",
        "reviews.delete_review",
        "reviews.view_reviewmedia",
        "reviews.view_question",
        "reviews.change_question",
        "reviews.view_questionmedia",
        "reviews.view_answer",
        "reviews.change_answer",
        "reviews.view_answermedia",
        "reviews.view_progressjournal",
        "reviews.change_progressjournal",
        "reviews.view_progressentry",
        "reviews.view_progressmedia",
        # photos under moderation (private ones included)
        "files.view_uploadedfile",
        # community: read users' public profile, suspend for abuse
        "accounts.view_user",
        MODERATE_USER,
    }
)

EXPERT_PERMISSIONS = frozenset(
    {
        "reviews.view_question",  # the questions waiting for an expert
        "reviews.view_answer",
        VERIFY_ANSWER,
        ANSWER_AS_EXPERT,
    }
)

# Role -> permissions. Admin holds every permission of every installed app.
ROLE_PERMISSIONS = {
    Role.ADMIN: ALL_PERMISSIONS,
    Role.MODERATOR: MODERATOR_PERMISSIONS,
    Role.EXPERT: EXPERT_PERMISSIONS,
    Role.CUSTOMER: frozenset(),
}

# Role -> the Group that carries its permissions (customers have none).
ROLE_GROUPS = {Role.ADMIN: "admin", Role.MODERATOR: "moderator", Role.EXPERT: "expert"}


def role_is_staff(role) -> bool:
    """Staff roles log into the Django admin (where they see only their part)."""
    return Role(role) in ROLE_GROUPS


def _permission_objects(codenames):
    wanted = {tuple(name.split(".", 1)) for name in codenames}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(codename__in={c for _, c in wanted})
        if (p.content_type.app_label, p.codename) in wanted
    }
    missing = sorted(f"{app}.{code}" for app, code in wanted - found.keys())
    if missing:
        raise ImproperlyConfigured(f"Role permissions that do not exist: {', '.join(missing)}")
    return list(found.values())


@transaction.atomic
def role_groups_sync():
    """Create the role groups and set each one's permissions exactly to the role's data."""
    for role, name in ROLE_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = ROLE_PERMISSIONS[role]
        if permissions == ALL_PERMISSIONS:
            group.permissions.set(Permission.objects.all())
        else:
            group.permissions.set(_permission_objects(permissions))


def role_groups_sync_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """post_migrate for the accounts app: permissions of later apps do not exist yet at this
    point, so create them all first (idempotent), then write the groups."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    role_groups_sync()


def user_role_groups_sync(user):
    """Put ``user`` in exactly the group of its role (other, non-role groups are left alone)."""
    wanted = ROLE_GROUPS.get(Role(user.role))
    current = set(user.groups.filter(name__in=ROLE_GROUPS.values()).values_list("name", flat=True))
    if current == ({wanted} if wanted else set()):
        return
    stale = current - {wanted}
    if stale:
        user.groups.remove(*Group.objects.filter(name__in=stale))
    if wanted and wanted not in current:
        group, created = Group.objects.get_or_create(name=wanted)
        if created:  # a database migrated before the groups existed
            role_groups_sync()
        user.groups.add(group)
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def role_permission_table():
    """Rows of (permission, {role: held}) for the docs, over every permission a non-admin role names."""
    names = sorted(set().union(*(p for p in ROLE_PERMISSIONS.values() if p != ALL_PERMISSIONS)))
    return [
        (name, {role: perms == ALL_PERMISSIONS or name in perms for role, perms in ROLE_PERMISSIONS.items()})
        for name in names
    ]


def moderation_refusal(*, actor, target):
    """Why ``actor`` may not suspend or reactivate ``target`` (None when they may): nobody acts on
    their own account; a moderator acts on shoppers and experts, admins and moderators (and
    superusers) are an admin's to change."""
    if actor.pk == target.pk:
        return gettext("that is your own account.")
    shopper_or_expert = target.role in (Role.CUSTOMER, Role.EXPERT) and not target.is_superuser
    if not shopper_or_expert and not actor.has_perm("accounts.change_user"):
        return gettext("only an admin changes staff accounts.")
    return None
