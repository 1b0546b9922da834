from celery import shared_task

from shop.files.services import files_cleanup


@shared_task(name="files.cleanup")
def cleanup_files():
    """Hourly (CELERY_BEAT_SCHEDULE): expire temporary files, purge deleted blobs, remove stray blobs."""
    return files_cleanup()
