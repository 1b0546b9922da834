from skincare.models import FailedTask


def failed_task_list(*, task_name=None, request_id=None):
    """Failed task runs, newest first, optionally for one task or one request id."""
    rows = FailedTask.objects.all()
    if task_name:
        rows = rows.filter(task_name=task_name)
    if request_id:
        rows = rows.filter(request_id=request_id)
    return rows.order_by("-failed_at", "-id")
