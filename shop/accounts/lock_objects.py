"""Every lock on account rows, in one place: only the user row (``of=("self",)``). Other apps (file
uploads, addresses) serialise per-user work on it. ``select_for_update`` is a no-op on SQLite."""

from shop.accounts.models import User


def user_lock(*, user_id, **filters) -> User | None:
    return User.objects.select_for_update(of=("self",)).filter(pk=user_id, **filters).order_by("pk").first()
