"""Demo-data steps.

Each app registers its steps in ``AppConfig.ready()``; ``manage.py seed_demo`` runs
them in order. Steps must be idempotent and accept ``(scale, progress)`` where
``progress(done, total, label)`` reports advancement.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

BATCH = 1000


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: callable


_steps: dict[str, DemoStep] = {}


def register_demo_step(name, order, run):
    _steps[name] = DemoStep(name=name, order=order, run=run)


def demo_steps():
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


def analyze(*models):
    """Fresh planner statistics for tables the demo steps just filled or are about to read
    (PostgreSQL). Each step runs in one transaction, so autovacuum (when it runs at all) has not
    seen the new rows yet, and plans made for near-empty tables turn joins into full scans."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def _dates_as_given(model):
    fields = [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield [f.attname for f in fields]
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def bulk_create_dated(model, objects, *, batch_size=BATCH):
    """``bulk_create`` that keeps each object's ``_demo_date`` as its creation (and last update)
    time: ``auto_now_add`` / ``auto_now`` would stamp every demo row with the current time, and
    rewriting the dates afterwards (``bulk_update``) is slow and bloats the tables."""
    objects = list(objects)
    with _dates_as_given(model) as names:
        for obj in objects:
            for name in names:
                if getattr(obj, name, None) is None:
                    setattr(obj, name, obj._demo_date)
        return model.objects.bulk_create(objects, batch_size=batch_size)
