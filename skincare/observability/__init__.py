"""Request ids in logs, Prometheus metrics and Celery task bookkeeping (docs/observability.md)."""
