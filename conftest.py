import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from skincare.service_outage import broker_outage, redis_outage


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path):
    """Each test gets its own media folders, an empty cache and a fast password hasher, and starts in the
    default language."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    settings.ML_MODEL_DIR = tmp_path / "ml_models"
    storages = dict(settings.STORAGES)
    if storages["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages["default"] = {**storages["default"], "OPTIONS": {"location": str(tmp_path / "media")}}
        storages["private"] = {
            **storages["private"],
            "OPTIONS": {"location": str(tmp_path / "private_media"), "base_url": None},
        }
        settings.STORAGES = storages
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    broker_outage.reset()  # a failure seen by an earlier test's broker or Redis
    redis_outage.reset()
    yield
    # A test client request in Khmer leaves Khmer active in this thread (LocaleMiddleware activates the
    # request's language and nothing resets it); the next test starts in the default language.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _answered_error_codes_are_documented():
    """Every error code a view answers during a test must be documented on that operation
    (``@raises`` or the common codes of ``skincare.api.error_docs``)."""
    from skincare.api import exceptions
    from skincare.api.error_docs import documents

    answered = []

    def observe(view_class, method, code, status):
        if hasattr(view_class, method) and not documents(view_class, method, code, status):
            answered.append(f"{view_class.__module__}.{view_class.__qualname__}.{method}: {code} ({status})")

    exceptions.answer_observers.append(observe)
    yield
    exceptions.answer_observers.remove(observe)
    if answered:
        pytest.fail("Undocumented error codes answered:\n" + "\n".join(sorted(set(answered))), pytrace=False)


@pytest.fixture(autouse=True)
def _answers_match_the_schema(monkeypatch):
    """Every 2xx GET/POST answer under /api/v1/ a test client receives matches its documented
    response (openapi-core; ``skincare.tests.schema_answers``)."""
    from django.test.client import Client

    from skincare.tests.schema_answers import check_answer

    request = Client.request
    monkeypatch.setattr(Client, "request", lambda self, **kwargs: check_answer(request(self, **kwargs)))


@pytest.fixture
def run_on_commit(monkeypatch):
    """Run ``transaction.on_commit`` callbacks (e-mails, tasks, signals) at once, as a real commit
    would; pytest-django's test transaction never commits."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def throttle_rates(monkeypatch):
    """Set throttle rates for one test (DRF reads them into a class attribute at import)."""
    from rest_framework.throttling import SimpleRateThrottle

    def set_rates(**rates):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})

    return set_rates


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    from shop.accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from shop.accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    from shop.accounts.tests.factories import StaffFactory

    return StaffFactory()


@pytest.fixture
def auth_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def staff_client(staff_user):
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and on PostgreSQL a warning naming any other session still connected
    to it when the tests end (dropping the database then fails with "is being accessed by other users")."""
    yield
    import threading
    import warnings

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, client_port, state, backend_start, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        others = cursor.fetchall()
    if others:
        threads = ", ".join(sorted(thread.name for thread in threading.enumerate()))
        warnings.warn(f"Sessions still on the test database: {others}; this process's threads: {threads}", stacklevel=1)
