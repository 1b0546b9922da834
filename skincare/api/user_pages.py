"""Signed-in list pages kept rendered per user, under versions that every change of their rows replaces.

A page entry is ``(tag, expires, content)``: the versions it was built under, when its rows stop being
valid on their own (a notification's ``expires_at``; None: never) and the rendered JSON. A hit is one
``MGET`` of the scope's generation, the user's version and the entry; it counts only when both versions
are still the ones the entry was built under and ``expires`` has not passed.

Versions are random tokens, replaced when the rows are written and again after the writing transaction
commits (``on_commit``): a reader that took a token before the commit stores its page under a token
that nothing matches any more. Inside a ``skincare.deferred`` batch (a checkout and its two commits) there is
no replacement at write time (nothing in the batch reads the lists): the replacements after commit go together,
in one round trip with the batch's other after-commit writes, when the batch ends (before the answer leaves).
``user_changed`` replaces one user's version (a row saved through the model), ``all_changed`` the scope's
generation (bulk writes whose users are not known without a query). A reader that finds a version missing
creates it before reading the rows.

With Redis unreachable (``CACHE_IGNORE_EXCEPTIONS``) reads miss and the rows come from the database; a
version replacement lost then is bounded by ``ENTRY_TIMEOUT``.

A list's models route their writes here: ``InvalidatingQuerySet`` for queryset writes, ``row_saved`` and
``user_changed`` from their ``post_save`` / ``post_delete`` receivers.
"""

import time
import uuid

from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpResponse
from django.utils import translation

from skincare import deferred

VERSION_TIMEOUT = 60 * 60 * 24 * 7
ENTRY_TIMEOUT = 60 * 10


def _now():
    return time.time()


def _keys(scope, user_id, parts):
    page = ":".join(str(part) for part in parts)
    return (
        f"userpages:{scope}:gen",
        f"userpages:{scope}:v:{user_id}",
        f"userpages:{scope}:page:{user_id}:{translation.get_language()}:{page}",
    )


def _replace(keys, *, pipe=None):
    """New tokens for ``keys``: one ``SET``, or one pipeline of them (``set_many``) for several; with ``pipe`` (a
    Redis pipeline), queued there."""
    if pipe is not None:
        for key in keys:
            cache.client.set(key, uuid.uuid4().hex, VERSION_TIMEOUT, client=pipe)
    elif len(keys) == 1:
        cache.set(keys[0], uuid.uuid4().hex, VERSION_TIMEOUT)
    elif keys:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, VERSION_TIMEOUT)


def _replace_committed(groups):
    """The replacements after commit of a ``skincare.deferred`` batch (a checkout's two transactions), each key
    once, with the batch's other after-commit Redis writes (``deferred.redis_after_commit``): one round trip."""
    keys = list(dict.fromkeys(key for keys in groups for key in keys))
    deferred.redis_after_commit(lambda pipe: _replace(keys, pipe=pipe), plain=lambda: _replace(keys))


def _now_and_on_commit(*keys):
    if not keys:
        return
    in_atomic_block = transaction.get_connection().in_atomic_block  # outside one the write is committed already
    if deferred.in_batch():
        # A batch (a checkout) reads none of the lists it writes: one replacement after its commits, with its
        # other after-commit writes, is enough. Other readers see the rows only from the commit on, and what
        # they stored under the old versions is dropped before the answer leaves (as it is after a commit
        # outside a batch, until its ``on_commit`` runs).
        if in_atomic_block:
            transaction.on_commit(lambda: deferred.defer(AFTER_COMMIT, keys, flush=_replace_committed))
        else:
            deferred.defer(AFTER_COMMIT, keys, flush=_replace_committed)
        return
    _replace(keys)  # the writing transaction itself (and tests, whose transaction never commits) reads fresh
    if in_atomic_block:  # pages other readers built from the rows before the commit
        transaction.on_commit(lambda: deferred.defer(AFTER_COMMIT, keys, flush=_replace_committed))


AFTER_COMMIT = "user_pages.after_commit"


def user_changed(scope, user_id):
    """Rows of ``user_id`` in ``scope`` changed: their cached pages are dropped, now and after commit."""
    if user_id is not None:
        _now_and_on_commit(f"userpages:{scope}:v:{user_id}")


def users_changed(scope, user_ids):
    """``user_changed`` of each of ``user_ids``, their versions replaced in one round trip now and one after
    commit."""
    _now_and_on_commit(*dict.fromkeys(f"userpages:{scope}:v:{user_id}" for user_id in user_ids if user_id is not None))


def all_changed(scope):
    """Rows of unknown users in ``scope`` changed: every cached page of the scope is dropped, now and after
    commit."""
    _now_and_on_commit(f"userpages:{scope}:gen")


def row_saved(scope, user_id, *, created, update_fields, not_listed=frozenset()):
    """A row of ``user_id`` saved through the model (``post_save``): that user's pages are dropped, and every
    user's when a whole-row save (the admin) or a save of ``user`` may have moved the row from another user.
    A save of ``not_listed`` columns only keeps the pages."""
    if update_fields is not None and set(update_fields) <= not_listed:
        return
    user_changed(scope, user_id)
    if not created and (update_fields is None or "user" in update_fields):
        all_changed(scope)


UNKNOWN_USER = object()


class InvalidatingQuerySet(models.QuerySet):
    """Queryset writes of a list's rows drop its cached pages.

    ``update``, ``bulk_update`` and ``delete`` drop every user's pages (their users are not known without a
    query) unless only ``not_listed`` columns are written; ``bulk_create`` drops the pages of the new rows'
    users, and every user's when ``user_of`` cannot tell a row's user without a query.
    """

    scope = None  # the list's scope, set by each subclass
    not_listed = frozenset()  # columns the list neither shows nor filters on

    @staticmethod
    def user_of(obj):
        """The user id of a new row, or ``UNKNOWN_USER`` when finding it would take a query."""
        return obj.user_id

    def update(self, **kwargs):
        done = super().update(**kwargs)
        self._columns_written(kwargs)
        return done

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        users = {self.user_of(obj) for obj in created}
        if UNKNOWN_USER in users:
            all_changed(self.scope)
        users_changed(self.scope, sorted(users - {UNKNOWN_USER}))
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        done = super().bulk_update(objs, fields, *args, **kwargs)
        self._columns_written(fields)
        return done

    def delete(self):
        done = super().delete()
        all_changed(self.scope)
        return done

    def _columns_written(self, fields):
        if not set(fields) <= self.not_listed:
            all_changed(self.scope)


def cached_page(scope, user_id, parts):
    """``(response, tag)``: the cached answer (or None) and the versions to store a fresh page under."""
    gen_key, version_key, page_key = _keys(scope, user_id, parts)
    found = cache.get_many([gen_key, version_key, page_key])
    tag = (found.get(gen_key), found.get(version_key))
    entry = found.get(page_key)
    if entry is not None and None not in tag and entry[0] == tag and (entry[1] is None or _now() < entry[1]):
        return HttpResponse(entry[2], content_type="application/json"), tag
    if None in tag:  # first read (or evicted): versions exist before the rows are read
        cache.add(gen_key, uuid.uuid4().hex, VERSION_TIMEOUT)
        cache.add(version_key, uuid.uuid4().hex, VERSION_TIMEOUT)
        found = cache.get_many([gen_key, version_key])
        tag = (found.get(gen_key), found.get(version_key))
    return None, tag


def store_page(scope, user_id, parts, tag, response, view, *, expires=None):
    """Render the paginated ``response`` as the API would, keep it under ``tag``, and answer it."""
    from skincare.api.renderers import EnvelopeJSONRenderer

    content = EnvelopeJSONRenderer().render(response.data, "application/json", {"response": response, "view": view})
    if None not in tag:
        timeout = ENTRY_TIMEOUT
        if expires is not None:
            timeout = min(timeout, max(1, int(expires - _now()) + 1))
        cache.set(_keys(scope, user_id, parts)[2], (tag, expires, content), timeout)
    return HttpResponse(content, content_type="application/json")
