"""Configuration comes only from the environment; these run Django in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

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
)


def _probe(**env):
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
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
        "cache": "django.core.cache.backends.locmem.LocMemCache",
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


def test_production_refuses_default_secret_key():
    result = _probe(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _probe(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
