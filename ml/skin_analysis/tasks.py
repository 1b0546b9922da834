from celery import shared_task

from ml.skin_analysis import services


@shared_task(name="skin_analysis.run", acks_late=True, soft_time_limit=120, time_limit=180)
def skin_analysis_run_task(analysis_id):
    """Analyse one pending scan; a repeat delivery finds it finished and does nothing."""
    analysis = services.skin_analysis_run(analysis_id=analysis_id)
    return None if analysis is None else analysis.status


@shared_task(name="skin_analysis.fail_stuck")
def skin_analyses_fail_stuck_task():
    """Beat: fail scans whose analysis task was lost (``SKIN_ANALYSIS_STUCK_MINUTES``)."""
    return services.skin_analyses_fail_stuck()


@shared_task(name="skin_analysis.journal_week_feedback", soft_time_limit=60, time_limit=90)
def journal_week_feedback_task(entry_id):
    """Write the personal feedback on one progress-journal week (idempotent: it is rewritten whole)."""
    from ml.skin_analysis.week_feedback import journal_week_feedback_write

    return journal_week_feedback_write(entry_id=entry_id) is not None
