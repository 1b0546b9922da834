"""Every row lock of subscriptions: the user's row serialises premium grants for that user, so two
grants at once chain one after the other instead of overlapping."""

from django.contrib.auth import get_user_model


def subscriber_lock(*, user_id):
    return get_user_model().objects.filter(pk=user_id).order_by("pk").select_for_update(of=("self",)).first()
