"""Log records that carry the request and task context, as JSON lines or plain text.

``LOG_FORMAT=json`` (the default when DEBUG is off) writes one JSON object per line, which log
shippers read without parsing rules; ``text`` is for people reading a terminal.
"""

import json
import logging
from datetime import UTC, datetime

from skincare.observability.context import current

CONTEXT_FIELDS = ("request_id", "user_id", "route", "task_id", "task_name")
_PLAIN = (str, int, float, bool)

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", *CONTEXT_FIELDS}


class ContextFilter(logging.Filter):
    """Copies the current request/task context onto each record (None outside one)."""

    def filter(self, record):
        context = current()
        if context is None:
            for field in CONTEXT_FIELDS:
                if not hasattr(record, field):
                    setattr(record, field, None)
            return True
        record.request_id = context.request_id
        record.user_id = context.current_user_id()
        record.route = context.route
        record.task_id = context.task_id
        record.task_name = context.task_name
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (ISO 8601 UTC), level, logger, message, context, extras."""

    def format(self, record):
        created = datetime.fromtimestamp(record.created, UTC)
        entry = {
            "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        for key, value in record.__dict__.items():
            # Plain values passed with extra= only: Celery attaches a task's arguments and result as a
            # dict ("data"), which would copy customers' e-mail addresses and tokens into the logs.
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_") and isinstance(value, _PLAIN):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s user_id=%(user_id)s] %(message)s"


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING dict for settings: one console handler with the context filter."""
    formatter = {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"default": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "default"}},
        "root": {"handlers": ["console"], "level": level},
    }
