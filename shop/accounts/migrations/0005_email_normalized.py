"""Store every e-mail in its normalised form (NFKC + casefold), the form login looks up exactly.

Rows are folded one by one. When several rows fold to the same address, one keeps it: the row
already spelled that way, else the oldest (lowest id). The others are left unchanged and listed
on stdout; they can no longer sign in by e-mail until staff merge or rename them in the admin.
Nothing is deleted and no row's data other than ``email`` changes. Reversing leaves the data as is.
"""

import unicodedata

from django.db import IntegrityError, migrations, transaction


def _fold(value):
    # Frozen copy of shop.accounts.emails.email_normalize as of this migration.
    text = unicodedata.normalize("NFKC", (value or "").strip())
    return unicodedata.normalize("NFKC", text.casefold()).strip()


def emails_normalize(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    db = schema_editor.connection.alias
    groups = {}
    for pk, email in User.objects.using(db).order_by("pk").values_list("pk", "email"):
        groups.setdefault(_fold(email), []).append((pk, email))
    left = []
    for folded, rows in groups.items():
        if any(email == folded for _pk, email in rows):
            left += [(pk, email, folded) for pk, email in rows if email != folded]
            continue
        (keeper_pk, keeper_email), *others = rows
        left += [(pk, email, folded) for pk, email in others]
        try:
            with transaction.atomic(using=db):
                User.objects.using(db).filter(pk=keeper_pk).update(email=folded)
        except IntegrityError:
            left.append((keeper_pk, keeper_email, folded))
    for pk, email, folded in left:
        print(f"\n  accounts.User {pk}: e-mail {email!r} folds to {folded!r}, which another account has; left unchanged")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_role_groups")]

    operations = [migrations.RunPython(emails_normalize, migrations.RunPython.noop, elidable=True)]
