from celery import shared_task

from shop.accounts.services import password_reset_send


@shared_task(name="accounts.password_reset_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_send_task(*, email):
    """Look up the account and mail the reset link, off the request path (same work for any e-mail)."""
    password_reset_send(email=email)
