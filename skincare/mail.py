from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def templated_email_send(*, to, template, context):
    """Send ``<template>_subject.txt`` / ``<template>.txt`` (+ optional ``.html``) to ``to``."""
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    try:
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    except TemplateDoesNotExist:
        pass
    message.send()


def templated_email_enqueue(*, to, template, context):
    """Queue the e-mail once the surrounding transaction commits (eager without a broker)."""
    from skincare.tasks import send_templated_email

    transaction.on_commit(lambda: send_templated_email.delay(to=to, template=template, context=context))
