"""The ETL jobs by name, each run through ``etl_run`` (logged in ``EtlRun``) by its Celery task and
its management command."""

from datetime import UTC, datetime

from ml.etl.common import parse_day, yesterday
from ml.etl.daily import daily_metrics
from ml.etl.feedback import feedback_analytics
from ml.etl.journeys import feedback_stream, user_feedback_journey
from ml.etl.purchases import purchase_patterns
from ml.etl.runner import etl_run


def daily_metrics_run(*, day=None, progress=None):
    return etl_run(job="daily_metrics", func=daily_metrics, progress=progress, day=parse_day(day or yesterday()))


def purchase_patterns_run(*, progress=None):
    return etl_run(job="purchase_patterns", func=purchase_patterns, progress=progress)


def feedback_analytics_run(*, as_of=None, progress=None):
    as_of = parse_day(as_of or datetime.now(UTC).date())
    return etl_run(job="feedback_analytics", func=feedback_analytics, progress=progress, as_of=as_of)


def feedback_stream_run(*, date_from=None, date_to=None, progress=None):
    """Default window: yesterday and today (UTC), so content and its moderation state are caught."""
    today = datetime.now(UTC).date()
    date_to = parse_day(date_to or today)
    date_from = parse_day(date_from or yesterday())
    return etl_run(job="feedback_stream", func=feedback_stream, progress=progress, date_from=date_from, date_to=date_to)


def user_feedback_journey_run(*, progress=None):
    return etl_run(job="user_feedback_journey", func=user_feedback_journey, progress=progress)


def recommendations_precompute_run(*, progress=None):
    from ml.recommendations import recommendations_precompute  # numpy/scipy only when it runs

    return etl_run(job="recommendations_precompute", func=recommendations_precompute, progress=progress)
