"""API authentication: simplejwt's ``JWTAuthentication`` without a user query on every request.

simplejwt loads the whole user row for every signed-in API request (``get_user``) to check that
the account still exists and is active. Here the few columns that authentication and the
permission checks read (``AUTH_FIELDS``) are cached per user, and ``request.user`` is a ``User``
with only those loaded: reading any other field loads all the others at once, from the database,
in one query (``User.refresh_from_db``), so profile fields and counters are as fresh as before.

The cached entry is stored with the user's *auth version*, and a hit is one ``MGET`` of the entry
and the current version. Every save or deletion of a user, a change of their groups or
permissions, and ``tokens_revoke_all`` bump the version (at once and again after commit,
``auth_user_changed``), so a suspended, deleted or demoted user is seen as such on their next
request. A reader that read the row before a change commits can only store it under a version
nobody reads any more (as ``shop.cart.cache`` does for cart lines). ``TIMEOUT`` bounds what a change
made behind the ORM's back (raw SQL) could leave cached.
"""

import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow

from shop.accounts.models import User

# What authentication, DRF's permission classes and the signed-in hot paths read from request.user.
# Each of them changes only through ``User.save()`` (no queryset ``update()`` writes them).
# In the model's field order, as ``Model.from_db`` takes a subset of columns.
AUTH_FIELDS = tuple(
    f.attname
    for f in User._meta.concrete_fields
    if f.attname in {"id", "email", "is_active", "is_staff", "is_superuser", "role", "language"}
)
TIMEOUT = 300


def _keys(user_id):
    base = f"accounts:auth-user:v1:{user_id}"
    return base, f"{base}:version"


def _bump(user_id):
    _, version_key = _keys(user_id)
    try:
        cache.incr(version_key)
    except ValueError:  # no version yet (or evicted): never restart from a number in use
        cache.add(version_key, time.time_ns(), timeout=None)


def auth_user_changed(user_id):
    """Forget the cached authentication columns of ``user_id`` (now, and again after commit)."""
    _bump(user_id)
    transaction.on_commit(lambda: _bump(user_id))


def _partial_user(values):
    user = User.from_db(DEFAULT_DB_ALIAS, AUTH_FIELDS, values)
    user._load_deferred_together = True
    return user


def auth_user_get(user_id):
    """The user ``user_id`` with ``AUTH_FIELDS`` loaded (from the cache when current), or None."""
    entry_key, version_key = _keys(user_id)
    found = cache.get_many([entry_key, version_key])
    version, entry = found.get(version_key), found.get(entry_key)
    if entry is not None and version is not None and entry[0] == version:
        return _partial_user(entry[1])
    if version is None:
        cache.add(version_key, time.time_ns(), timeout=None)
        version = cache.get(version_key)
    values = User.objects.filter(pk=user_id).values_list(*AUTH_FIELDS).first()
    if values is None:
        return None
    if version is not None:  # None: the cache is down
        cache.set(entry_key, (version, values), TIMEOUT)
    return _partial_user(values)


# (raw access token, the settings that verify it) -> its payload, once simplejwt verified it (signature, type,
# id). Per process, bounded. A hit checks the expiry again (simplejwt's ``check_exp``, same leeway); the
# user is read and checked on every request as before (``get_user``).
_VERIFIED = {}
VERIFIED_MAX = 4096


def _verified_key(raw_token):
    s = api_settings
    return (raw_token, s.SIGNING_KEY, s.VERIFYING_KEY, s.ALGORITHM, s.AUDIENCE, s.ISSUER, s.LEEWAY, s.JWK_URL)


class CachedJWTAuthentication(JWTAuthentication):
    """``JWTAuthentication`` reading the user through ``auth_user_get``; same answers, same errors.

    An access token's signature is verified once per process (``_VERIFIED``; ~40 µs per request): an
    expired, tampered, or differently signed token is refused exactly as simplejwt refuses it."""

    def get_validated_token(self, raw_token):
        if tuple(api_settings.AUTH_TOKEN_CLASSES) != (AccessToken,):
            return super().get_validated_token(raw_token)
        key = _verified_key(raw_token)
        payload = _VERIFIED.get(key)
        if payload is not None:
            token = AccessToken.__new__(AccessToken)
            token.token, token.current_time, token.payload = raw_token, aware_utcnow(), dict(payload)
            try:
                token.check_exp()
            except TokenError:  # expired since: forgotten, and refused below as simplejwt refuses it
                _VERIFIED.pop(key, None)
            else:
                return token
        token = super().get_validated_token(raw_token)
        if type(token) is AccessToken:
            if len(_VERIFIED) >= VERIFIED_MAX:
                _VERIFIED.clear()
            _VERIFIED[key] = dict(token.payload)
        return token

    def get_user(self, validated_token):
        if api_settings.CHECK_REVOKE_TOKEN or api_settings.USER_ID_FIELD not in ("id", "pk"):
            return super().get_user(validated_token)
        try:
            user_id = int(validated_token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError):
            return super().get_user(validated_token)  # simplejwt's own error
        user = auth_user_get(user_id)
        if user is None or (api_settings.CHECK_USER_IS_ACTIVE and not user.is_active):
            return super().get_user(validated_token)  # "User not found" / "User is inactive", as before
        return user


class CachedJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of simplejwt's class (``jwtAuth``), for this subclass."""

    target_class = "shop.accounts.authentication.CachedJWTAuthentication"


def user_saved_or_deleted(sender, instance, **kwargs):
    auth_user_changed(instance.pk)


def user_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Groups or permissions of users changed, from either side of the relation. Nothing of them is
    cached (permission checks query them), but a role change moves a user between groups: bumped too."""
    if not reverse:
        if action.startswith("post_"):
            auth_user_changed(instance.pk)
    elif action in ("post_add", "post_remove"):
        for user_id in pk_set or ():
            auth_user_changed(user_id)
    elif action == "pre_clear":  # from the group / permission side: its users are still in the table
        other = "group_id" if hasattr(sender, "group_id") else "permission_id"
        for user_id in sender.objects.filter(**{other: instance.pk}).values_list("user_id", flat=True):
            auth_user_changed(user_id)
