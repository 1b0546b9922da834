"""E-mails rendered from templates. Inside ``one_connection()`` they share one backend connection."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

_shared = ContextVar("skincare_mail_connection", default=None)


@contextmanager
def one_connection():
    """The e-mails sent inside go over one connection of the e-mail backend (``get_connection()`` once, opened
    at the first e-mail, closed at the end) instead of one each: one SMTP login for a batch of e-mails. A send
    that fails closes it; the next e-mail opens it again."""
    if _shared.get() is not None:  # nested: the outermost one closes it
        yield
        return
    connection = get_connection()
    token = _shared.set(connection)
    try:
        yield
    finally:
        _shared.reset(token)
        connection.close()


def templated_email_send(*, to, template, context):
    """Send ``<template>_subject.txt`` / ``<template>.txt`` (+ optional ``.html``) to ``to``."""
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}.txt", context)
    connection = _shared.get()
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection)
    try:
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    except TemplateDoesNotExist:
        pass
    if connection is None:
        message.send()
        return
    try:
        connection.open()  # a no-op once open: the backend then keeps it open across ``send_messages``
        message.send()
    except Exception:
        connection.close()  # maybe broken: the next e-mail opens a new one
        raise


def templated_email_enqueue(*, to, template, context):
    """Queue the e-mail once the surrounding transaction commits (eager without a broker)."""
    from skincare.tasks import send_templated_email

    transaction.on_commit(lambda: send_templated_email.delay(to=to, template=template, context=context))
