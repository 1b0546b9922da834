"""The quota holds under parallel requests on PostgreSQL (each thread its own connection)."""

import threading

import pytest
from django.db import connection, connections

from shop.accounts.tests.factories import UserFactory
from shop.subscriptions import services
from shop.subscriptions.models import QuotaUsage
from skincare.errors import ApplicationError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_parallel_consumers_never_pass_the_limit(settings):
    settings.SUBSCRIPTION_FREE_MONTHLY_SCANS = 5
    user = UserFactory()
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    outcomes = []
    lock = threading.Lock()

    def consume():
        try:
            barrier.wait()
            try:
                services.quota_consume(user=user, kind="skin_scan")
                outcome = "ok"
            except ApplicationError as exc:
                outcome = str(exc.code)
            with lock:
                outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=consume) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["QUOTA_EXCEEDED"] * 7 + ["ok"] * 5
    assert QuotaUsage.objects.get(user=user, kind="skin_scan").used == 5


def test_parallel_grants_chain_without_overlap():
    user = UserFactory()
    barrier = threading.Barrier(4)

    def grant():
        try:
            barrier.wait()
            services.premium_grant(user=user, days=10)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grant) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    grants = list(user.premium_grants.order_by("starts_at"))
    assert len(grants) == 4
    assert all(later.starts_at == earlier.ends_at for earlier, later in zip(grants, grants[1:], strict=False))
