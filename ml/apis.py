from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ml import services, tracking
from ml.serializers import EventBatchSerializer
from skincare.api.error_docs import raises


class EventIngestApi(APIView):
    """Record a batch of 1..100 analytics events (anonymous allowed).

    Answers 202 once the events are buffered; they reach the analytics store in bulk. The
    client address is kept only as its /24 (IPv6 /48) network.
    """

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "analytics"
    InputSerializer = EventBatchSerializer

    class OutputSerializer(serializers.Serializer):
        accepted = serializers.IntegerField()

        class Meta:
            ref_name = "AnalyticsEventsAccepted"

    @raises()
    @extend_schema(
        tags=["analytics"],
        operation_id="analytics_events_record",
        summary="Record analytics events",
        request=EventBatchSerializer,
        responses={202: OutputSerializer},
    )
    def post(self, request):
        batch = self.InputSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        device = tracking.device_info(request)
        user_id = request.user.pk if request.user.is_authenticated else None
        events = []
        for item in batch.validated_data["events"]:
            item = dict(item)
            event_type, session_id, occurred_at = (
                item.pop("type"),
                item.pop("session_id"),
                item.pop("occurred_at", None),
            )
            events.append(
                services.event_build(
                    event_type=event_type,
                    data=item,
                    user_id=user_id,
                    session_id=session_id,
                    device_info=device,
                    source="client",
                    occurred_at=occurred_at,
                )
            )
        services.events_record(events=events)
        return Response(self.OutputSerializer({"accepted": len(events)}).data, status=status.HTTP_202_ACCEPTED)
