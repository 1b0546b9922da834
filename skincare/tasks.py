from celery import shared_task

from skincare.mail import templated_email_send
from skincare.observability.celery_hooks import worker_heartbeat_record


@shared_task(name="skincare.send_templated_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_templated_email(*, to, template, context):
    """Render ``templates/<template>.txt`` (and ``.html`` when present) and send it."""
    templated_email_send(to=to, template=template, context=context)


@shared_task(name="skincare.heartbeat", ignore_result=True)
def heartbeat():
    """Scheduled by beat every HEALTH_HEARTBEAT_SECONDS: its run proves a worker is taking tasks."""
    worker_heartbeat_record()


@shared_task(name="skincare.outbox_flush")
def outbox_flush_task():
    """Publish the tasks kept while the broker was down (skincare/outbox.py)."""
    from skincare.outbox import outbox_flush

    return outbox_flush()
