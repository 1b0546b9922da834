"""Configuration comes only from the environment; these run Django in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "private": settings.STORAGES["private"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "mongo": settings.MONGODB_URL,
    "access_minutes": settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() / 60,
}))
"""
CONFIG_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "MONGODB_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "DEBUG",
    "SECRET_KEY",
    "EMAIL_BACKEND",
    "JWT_ACCESS_MINUTES",
    "CELERY_TASK_ALWAYS_EAGER",
    "JWT_SIGNING_KEY",
    "ALLOWED_HOSTS",
    "DB_CONN_MAX_AGE",
    "DB_PREPARED_STATEMENTS",
)


def _probe(script=PROBE, **env):
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "skincare.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_embedded_default_needs_nothing_installed():
    result = _probe()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.sqlite3",
        "cache": "skincare.observability.cache.LocMemCache",  # Django's, counting hits for /metrics
        "eager": True,
        "storage": "django.core.files.storage.FileSystemStorage",
        "private": "django.core.files.storage.FileSystemStorage",
        "email": "django.core.mail.backends.console.EmailBackend",
        "mongo": "",
        "access_minutes": 15.0,
    }


def test_environment_switches_each_service():
    result = _probe(
        DATABASE_URL="postgres://u@db:5432/shop",
        REDIS_URL="redis://cache:6379/0",
        CELERY_BROKER_URL="amqp://guest:guest@mq:5672//",
        MONGODB_URL="mongodb://mongo:27017",
        AWS_STORAGE_BUCKET_NAME="shop-media",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        JWT_ACCESS_MINUTES="5",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.postgresql",
        "cache": "django_redis.cache.RedisCache",
        "eager": False,
        "storage": "storages.backends.s3.S3Storage",
        "private": "storages.backends.s3.S3Storage",
        "email": "django.core.mail.backends.smtp.EmailBackend",
        "mongo": "mongodb://mongo:27017",
        "access_minutes": 5.0,
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    key_file = tmp_path / "secret_key"

    result = _probe(DEBUG="false", SECRET_KEY_FILE=str(key_file))

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert not key_file.exists()  # production never falls back to a generated key


def test_production_starts_with_a_real_secret_key():
    result = _probe(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


KEY_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"key": settings.SECRET_KEY, "jwt": settings.SIMPLE_JWT["SIGNING_KEY"]}))
"""
PUBLISHED_DEVELOPMENT_KEY = "insecure-development-key-change-me-in-production"


def test_without_secret_key_a_random_key_is_made_once_and_kept(tmp_path):
    # The embedded default used to sign JWTs with the key published in the repository.
    key_file = tmp_path / "keys" / "secret_key"

    first = _probe(KEY_PROBE, SECRET_KEY_FILE=str(key_file))
    second = _probe(KEY_PROBE, SECRET_KEY_FILE=str(key_file))

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    first_keys, second_keys = json.loads(first.stdout), json.loads(second.stdout)
    key = key_file.read_text().strip()
    assert first_keys == second_keys == {"key": key, "jwt": key}
    assert len(key) >= 50 and key != PUBLISHED_DEVELOPMENT_KEY
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert sorted(path.name for path in key_file.parent.iterdir()) == ["secret_key"]  # no drafts left


def test_each_checkout_gets_its_own_key(tmp_path):
    one = _probe(KEY_PROBE, SECRET_KEY_FILE=str(tmp_path / "one"))
    two = _probe(KEY_PROBE, SECRET_KEY_FILE=str(tmp_path / "two"))

    assert json.loads(one.stdout)["key"] != json.loads(two.stdout)["key"]


def test_concurrent_first_starts_agree_on_one_key(tmp_path):
    key_file = tmp_path / "secret_key"
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    env = {**clean, "DJANGO_SETTINGS_MODULE": "skincare.settings", "SECRET_KEY_FILE": str(key_file)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", KEY_PROBE], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(6)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]

    assert [process.returncode for process in processes] == [0] * 6, [err for _, err in outputs]
    assert {json.loads(out)["key"] for out, _ in outputs} == {key_file.read_text().strip()}


def test_a_key_file_without_a_key_is_refused(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("\n")

    result = _probe(KEY_PROBE, SECRET_KEY_FILE=str(key_file))

    assert result.returncode != 0
    assert f"{key_file} does not hold a secret key" in result.stderr


def test_secret_key_from_the_environment_wins_and_no_file_is_written(tmp_path):
    key_file = tmp_path / "secret_key"

    result = _probe(KEY_PROBE, SECRET_KEY="k" * 60, SECRET_KEY_FILE=str(key_file))

    assert json.loads(result.stdout) == {"key": "k" * 60, "jwt": "k" * 60}
    assert not key_file.exists()


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "production-key-" + "x7Q2" * 12, "ALLOWED_HOSTS": "shop.example.com"}


def _assert_deploy_checks_pass(env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "skincare.settings", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_is_clean_with_production_settings():
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    _assert_deploy_checks_pass({**clean, **PRODUCTION})


SECURITY_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "hsts": [settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD],
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
from django.test import Client
client = Client(HTTP_HOST="shop.example.com")
home, health, proxied = client.get("/"), client.get("/health"), client.get("/health", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "home": [home.status_code, home.get("Location")],
    "health": health.status_code,
    "hsts": proxied.get("Strict-Transport-Security"),
}))
"""


def test_production_defaults_to_https_with_hsts():
    result = _probe(SECURITY_PROBE, **PRODUCTION)

    assert result.returncode == 0, result.stderr
    settings_line, requests_line = result.stdout.strip().splitlines()
    assert json.loads(settings_line) == {
        "ssl_redirect": True,
        "proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "hsts": [31536000, True, True],
        "secure_cookies": [True, True],
    }
    # Plain HTTP is redirected, except the health probes; HTTPS (via the proxy header) gets HSTS.
    assert json.loads(requests_line) == {
        "home": [301, "https://shop.example.com/"],
        "health": 200,
        "hsts": "max-age=31536000; includeSubDomains; preload",
    }


def test_tls_proxy_header_and_redirect_are_configurable():
    result = _probe(SECURITY_PROBE, **PRODUCTION, SECURE_PROXY_SSL_HEADER="X-Scheme", SECURE_SSL_REDIRECT="false")
    direct = _probe(SECURITY_PROBE, **PRODUCTION, SECURE_PROXY_SSL_HEADER="")

    configured = json.loads(result.stdout.splitlines()[0])
    assert (configured["proxy_header"], configured["ssl_redirect"]) == (["HTTP_X_SCHEME", "https"], False)
    assert json.loads(direct.stdout.splitlines()[0])["proxy_header"] is None


def test_key_file_is_made_where_hard_links_are_not_supported(tmp_path, monkeypatch):
    from skincare.settings import local_secret_key

    def no_links(source, target):
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    key_file = tmp_path / "secret_key"

    key = local_secret_key(key_file)

    assert len(key) >= 50
    assert key_file.read_text().strip() == key
    assert local_secret_key(key_file) == key
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


def test_currency_outside_the_shop_set_is_refused():
    refused = _probe(CURRENCY="EUR")
    accepted = _probe(CURRENCY="KHR")

    assert refused.returncode != 0
    assert "CURRENCY must be one of USD, KHR, not 'EUR'" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr


PLAN_PROBE = """
import json, django
django.setup()
from django.db import connection
from skincare.prepared import Prepared

statement = Prepared("settings_probe", "SELECT count(*) FROM UNNEST($1::bigint[]) AS v(id)", ["bigint[]"])
with connection.cursor() as cursor:
    for _ in range(3):
        statement.run(cursor, [[1, 2, 3]])
    cursor.execute("SHOW plan_cache_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s", [statement.name])
    plans = list(cursor.fetchone())
    cursor.execute("SHOW statement_timeout")
    timeout = cursor.fetchone()[0]
print(json.dumps({"mode": mode, "plans": plans, "timeout": timeout}))
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs the PostgreSQL server of the run"
)
def test_with_prepared_statements_each_is_planned_once_and_options_in_the_url_are_kept():
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]

    def probe(**env):
        result = _probe(PLAN_PROBE, **env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    url = f"{server}/postgres"
    assert probe(DATABASE_URL=url, DB_CONN_MAX_AGE="600") == {
        "mode": "force_generic_plan",  # prepared statements are on with persistent connections
        "plans": [3, 0],
        "timeout": "0",
    }
    assert probe(DATABASE_URL=url, DB_CONN_MAX_AGE="600", DB_PREPARED_STATEMENTS="false")["mode"] == "auto"
    with_timeout = f"{url}?options=-c%20statement_timeout%3D5000"
    assert probe(DATABASE_URL=with_timeout, DB_CONN_MAX_AGE="600") == {
        "mode": "force_generic_plan",
        "plans": [3, 0],
        "timeout": "5s",
    }
    assert probe(DATABASE_URL=url, DB_CONN_MAX_AGE="600", DB_PREPARED_STATEMENTS="true")["plans"] == [3, 0]
    assert probe(DATABASE_URL=url, DB_CONN_MAX_AGE="0", DB_PREPARED_STATEMENTS="true")["plans"] == [3, 0]


ALL_SETTINGS_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: repr(getattr(settings, name)) for name in dir(settings) if name.isupper()}))
"""


def _env_example():
    """``.env.example``'s assignments, in order: the file a deployment copies to ``.env``."""
    pairs = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


def test_a_variable_left_empty_in_env_example_means_its_default():
    """`cp .env.example .env` leaves many variables empty; each must then mean "the default".

    The compose trial found MEDIA_ROOT= and PRIVATE_MEDIA_ROOT= read as the working directory: both roots
    became /app, and the private-files check refused to start the container.
    """
    empty = [name for name, value in _env_example() if value == ""]
    assert {"MEDIA_ROOT", "PRIVATE_MEDIA_ROOT", "STATIC_ROOT", "ML_MODEL_DIR"} <= set(empty)
    unset = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS and k not in empty}
    # The test run's own key file, so both processes see the same key.
    unset["SECRET_KEY_FILE"] = os.environ["SECRET_KEY_FILE"]

    def settings_with(env):
        result = subprocess.run(
            [sys.executable, "-c", ALL_SETTINGS_PROBE],
            cwd=ROOT,
            env={"DJANGO_SETTINGS_MODULE": "skincare.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    defaults = settings_with(unset)
    left_empty = settings_with({**{name: "" for name in empty}, **unset})

    assert {name: value for name, value in left_empty.items() if defaults.get(name) != value} == {}


def test_env_example_filled_in_as_the_deploy_guide_says_passes_the_deploy_checks(tmp_path):
    """docs/operations.md: copy .env.example, set SECRET_KEY and ALLOWED_HOSTS; the rest as written."""
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS and k != "SECRET_KEY_FILE"}
    example = dict(_env_example())
    example.update(SECRET_KEY="k" * 20 + "-deploy-guide-" + "x" * 30, ALLOWED_HOSTS="shop.example.com,localhost")
    example.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", REDIS_URL="", MONGODB_URL="")
    _assert_deploy_checks_pass({**clean, **example})
