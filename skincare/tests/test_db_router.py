"""The analytics read-replica router's rules and its configuration from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import connections, router

from skincare.db_router import REPLICA_ALIAS, AnalyticsReplicaRouter

ROOT = Path(__file__).resolve().parents[2]


def test_writes_and_migrations_never_go_to_the_replica(settings):
    settings.DATABASE_ROUTERS = ["skincare.db_router.AnalyticsReplicaRouter"]
    settings.ANALYTICS_REPLICA_MODELS = ["auth.group"]
    assert router.db_for_write(Group) == "default"
    assert router.db_for_write(Permission) == "default"
    assert router.allow_migrate(REPLICA_ALIAS, "auth") is False
    assert router.allow_migrate("default", "auth") is True


def test_without_a_replica_alias_analytics_reads_stay_on_the_primary(settings):
    settings.ANALYTICS_REPLICA_MODELS = ["auth.group"]
    assert REPLICA_ALIAS not in connections
    assert AnalyticsReplicaRouter().db_for_read(Group) == "default"
    assert AnalyticsReplicaRouter().db_for_read(Permission) == "default"


PROBE = """
import json, django
from django.conf import settings
django.setup()
replica = settings.DATABASES.get("replica")
print(json.dumps({
    "routers": getattr(settings, "DATABASE_ROUTERS", []),
    "replica": replica and {k: replica[k] for k in ("ENGINE", "HOST", "PORT", "NAME")},
    "mirror": replica and replica["TEST"].get("MIRROR"),
}))
"""


def _probe(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_REPLICA_URL", "DATABASE_URL")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "skincare.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_replica_is_configured_only_by_database_replica_url():
    assert _probe() == {"routers": [], "replica": None, "mirror": None}
    configured = _probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/shop",
        DATABASE_REPLICA_URL="postgres://reader@db-replica:5433/shop",
    )
    assert configured["routers"] == ["skincare.db_router.AnalyticsReplicaRouter"]
    assert configured["replica"] == {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "db-replica",
        "PORT": 5433,
        "NAME": "shop",
    }
    assert configured["mirror"] == "default"
