"""Read-replica routing for analytics reads (docs/operations.md, "Scaling out").

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias and install
``AnalyticsReplicaRouter``: reads of the analytics tables (``ANALYTICS_REPLICA_MODELS``; the
relational analytics store's documents and the daily roll-ups) go to the replica, so staff reports and
ETL scans do not load the primary. Everything else, and every write, goes to ``default``. A read made
inside a transaction on the primary stays on the primary: it may need to see that transaction's own
uncommitted writes or the rows it locked, which a replica cannot show. Nothing is ever migrated on the
replica (it follows the primary by streaming replication).

Unset (the default) there is one database and no router.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"


class AnalyticsReplicaRouter:
    def _analytics(self, model):
        return model._meta.label_lower in settings.ANALYTICS_REPLICA_MODELS

    def db_for_read(self, model, **hints):
        in_transaction = connections[DEFAULT_DB_ALIAS].in_atomic_block
        if self._analytics(model) and REPLICA_ALIAS in connections and not in_transaction:
            return REPLICA_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: relations between them are always fine.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA_ALIAS
