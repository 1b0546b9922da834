"""Every row lock of the analytics app, taken in pk order."""

from ml.models import AnalyticsDocument


def analytics_document_for_update(*, collection, key):
    return (
        AnalyticsDocument.objects.filter(collection=collection, key=key).order_by("pk").select_for_update(of=("self",))
    )
