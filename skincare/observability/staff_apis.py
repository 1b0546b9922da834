from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination, paginated_response
from skincare.api.permissions import HasStaffPermission
from skincare.observability import selectors


class FailedTaskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task_id = serializers.CharField()
    task_name = serializers.CharField()
    args = serializers.CharField(help_text="repr() of the positional arguments, cut at 4,000 characters.")
    kwargs = serializers.CharField(help_text="repr() of the keyword arguments, cut at 4,000 characters.")
    exception_type = serializers.CharField()
    exception_message = serializers.CharField()
    traceback = serializers.CharField()
    retries = serializers.IntegerField(help_text="Retries made before the task gave up.")
    request_id = serializers.CharField(help_text="The X-Request-ID of the request that queued the task, if any.")
    failed_at = serializers.DateTimeField()


class StaffFailedTaskListApi(APIView):
    """Celery task runs that failed for good (after their retries), newest first."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "skincare.view_failedtask"}
    pagination_class = PagePagination

    class FilterSerializer(serializers.Serializer):
        task_name = serializers.CharField(
            max_length=255, required=False, help_text="Only this task, e.g. ml.etl_daily_metrics."
        )
        request_id = serializers.CharField(max_length=128, required=False)

    @raises()  # only the common codes (a bad filter or page: VALIDATION_ERROR)
    @extend_schema(parameters=[FilterSerializer], responses=FailedTaskOutputSerializer(many=True))
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            self,
            request,
            selectors.failed_task_list(**filters.validated_data),
            lambda page: FailedTaskOutputSerializer(page, many=True).data,
        )
