from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from feedback import error_codes, list_cache, selectors, services
from feedback.error_codes import FeedbackErrorCode
from feedback.serializers import (
    BulkActionInput,
    DecisionInput,
    ModerationItemOutput,
    ModerationStatsOutput,
    NotificationFilterInput,
    NotificationOutput,
    NotificationsUpdatedOutput,
    PreferencesInput,
    PreferencesOutput,
    ProductFeedbackInput,
    ProductFeedbackOutput,
    PushDeviceDeleteInput,
    PushDeviceInput,
    PushDeviceOutput,
    QueueFilterInput,
    StatsInput,
    UnreadCountOutput,
    notification_rows,
)
from shop.catalog.error_codes import CatalogErrorCode
from skincare.api import user_pages
from skincare.api.bulk import BulkResultOutput, bulk_result
from skincare.api.error_docs import raises
from skincare.api.filters import with_sort_alias
from skincare.api.pagination import PagePagination, plain_page_number
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

MODERATION_TAGS = ["moderation (staff)"]
NOTIFICATION_TAGS = ["notifications"]
FEEDBACK_TAGS = ["feedback forms"]


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _paginate(view, request, queryset, render):
    paginator = PagePagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(render(page))


# --- Moderation (staff) -------------------------------------------------------------------------


class ModerationQueueApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "feedback.view_moderationitem"}
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(
        tags=MODERATION_TAGS,
        summary="Moderation queue (open items by default, highest priority first)",
        parameters=[QueueFilterInput],
        responses=ModerationItemOutput(many=True),
    )
    def get(self, request):
        filters = _valid(QueueFilterInput, with_sort_alias(request.query_params))
        queue = selectors.moderation_queue(ordering=filters.pop("sort", None), **filters)
        return _paginate(
            self, request, queue, lambda page: ModerationItemOutput(page, many=True, context={"request": request}).data
        )


def _item_or_404(item_id):
    item = selectors.moderation_item_get(item_id=item_id)
    if item is None:
        raise ApplicationError(error_codes.MODERATION_ITEM_NOT_FOUND, gettext("Moderation item not found."))
    return item


class ModerationItemApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "feedback.view_moderationitem"}

    @raises(FeedbackErrorCode.MODERATION_ITEM_NOT_FOUND)
    @extend_schema(tags=MODERATION_TAGS, responses=ModerationItemOutput)
    def get(self, request, item_id):
        return Response(ModerationItemOutput(_item_or_404(item_id), context={"request": request}).data)


class _ModerationActionApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "feedback.change_moderationitem"}
    action = None

    @raises(FeedbackErrorCode.MODERATION_ITEM_NOT_FOUND, FeedbackErrorCode.MODERATION_ALREADY_DECIDED)
    @extend_schema(tags=MODERATION_TAGS, request=DecisionInput, responses=ModerationItemOutput)
    def post(self, request, item_id):
        data = _valid(DecisionInput, request.data)
        handler = {
            "approve": services.moderation_approve,
            "reject": services.moderation_reject,
            "escalate": services.moderation_escalate,
        }[self.action]
        handler(item=item_id, by=request.user, notes=data["notes"])
        return Response(ModerationItemOutput(_item_or_404(item_id), context={"request": request}).data)


class ModerationApproveApi(_ModerationActionApi):
    action = "approve"


class ModerationRejectApi(_ModerationActionApi):
    action = "reject"


class ModerationEscalateApi(_ModerationActionApi):
    action = "escalate"


class ModerationBulkActionApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "feedback.change_moderationitem"}

    @raises(
        FeedbackErrorCode.MODERATION_INVALID_ACTION,
        FeedbackErrorCode.MODERATION_ITEM_NOT_FOUND,
        FeedbackErrorCode.MODERATION_ALREADY_DECIDED,
    )
    @extend_schema(
        tags=MODERATION_TAGS,
        request=BulkActionInput,
        responses=BulkResultOutput,
        summary="Approve / reject / escalate many items",
    )
    def post(self, request):
        data = _valid(BulkActionInput, request.data)
        result = services.moderation_bulk_action(by=request.user, **data)
        return Response(bulk_result(done=result["done"], skipped=result["skipped"]))


class ModerationStatsApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "feedback.view_moderationitem"}

    @raises()
    @extend_schema(
        tags=MODERATION_TAGS,
        parameters=[StatsInput],
        responses=ModerationStatsOutput,
        summary="Queue sizes and time to decision",
    )
    def get(self, request):
        data = _valid(StatsInput, request.query_params)
        return Response(selectors.moderation_stats(days=data["days"]))


# --- Notifications ------------------------------------------------------------------------------


class NotificationListApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(
        tags=NOTIFICATION_TAGS, parameters=[NotificationFilterInput], responses=NotificationOutput(many=True)
    )
    def get(self, request):
        params = request.query_params
        filters = _valid(NotificationFilterInput, params) if any(n not in ("page", "per_page") for n in params) else {}
        page = plain_page_number(params)
        if page is not None:  # a page by its number: cached, else rows and total in one statement
            paginator = PagePagination()
            per_page = paginator.get_page_size(request)
            parts = (page, per_page, filters.get("unread"), filters.get("type") or "")
            cached, tag = user_pages.cached_page(list_cache.SCOPE, request.user.pk, parts)
            if cached is not None:
                return cached
            rows, total, next_expiry = selectors.notifications_page(
                user=request.user, offset=(page - 1) * per_page, limit=per_page, **filters
            )
            if total is not None or page == 1:
                data = notification_rows(rows)
                response = paginator.page_response(data, number=page, per_page=per_page, total=total or 0)
                expires = next_expiry.timestamp() if next_expiry is not None else None
                return user_pages.store_page(
                    list_cache.SCOPE, request.user.pk, parts, tag, response, self, expires=expires
                )
        # ``page=last``, a page past the end (404): the generic paginator, its answers and errors.
        notifications = selectors.notifications_for(user=request.user, **filters)
        return _paginate(self, request, notifications, lambda page: NotificationOutput(page, many=True).data)


class NotificationReadApi(APIView):
    @raises(FeedbackErrorCode.NOTIFICATION_NOT_FOUND)
    @extend_schema(tags=NOTIFICATION_TAGS, request=None, responses=NotificationOutput)
    def put(self, request, notification_id):
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationOutput(notification).data)

    post = put


class NotificationDetailApi(APIView):
    @raises(FeedbackErrorCode.NOTIFICATION_NOT_FOUND)
    @extend_schema(tags=NOTIFICATION_TAGS, responses={204: None}, summary="Dismiss a notification")
    def delete(self, request, notification_id):
        services.notification_dismiss(user=request.user, notification_id=notification_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAllApi(APIView):
    @raises()
    @extend_schema(tags=NOTIFICATION_TAGS, request=None, responses=NotificationsUpdatedOutput)
    def put(self, request):
        return Response({"updated": services.notifications_mark_all_read(user=request.user)})

    post = put


class NotificationUnreadCountApi(APIView):
    @raises()
    @extend_schema(tags=NOTIFICATION_TAGS, responses=UnreadCountOutput)
    def get(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})


def _preferences_output(preference):
    from feedback.models import NotificationType

    return {
        "email_enabled": preference.email_enabled,
        "push_enabled": preference.push_enabled,
        "types": {
            type_name: services.channels_for(preference, type_name) | {"in_app": True}
            for type_name in NotificationType.values
        },
    }


class NotificationPreferencesApi(APIView):
    @raises()
    @extend_schema(
        tags=NOTIFICATION_TAGS, responses=PreferencesOutput, summary="Channel preferences (in-app is always on)"
    )
    def get(self, request):
        return Response(_preferences_output(services.notification_preferences_get(user=request.user)))

    @raises(FeedbackErrorCode.INVALID_PREFERENCES)
    @extend_schema(
        tags=NOTIFICATION_TAGS,
        request=PreferencesInput,
        responses=PreferencesOutput,
        description='Per-type overrides in `types`, e.g. `{"answer_helpful": {"email": false, "push": true}}`.',
    )
    def post(self, request):
        data = _valid(PreferencesInput, request.data)
        preference = services.notification_preferences_update(user=request.user, **data)
        return Response(_preferences_output(preference))

    put = patch = post


class PushDeviceApi(APIView):
    @raises()
    @extend_schema(
        tags=NOTIFICATION_TAGS,
        request=PushDeviceInput,
        responses={201: PushDeviceOutput},
        summary="Register a push token",
    )
    def post(self, request):
        data = _valid(PushDeviceInput, request.data)
        device = services.push_device_register(user=request.user, **data)
        return Response({"token": device.token, "platform": device.platform}, status=status.HTTP_201_CREATED)

    @raises(FeedbackErrorCode.PUSH_DEVICE_NOT_FOUND)
    @extend_schema(exclude=True)
    def delete(self, request):
        """The former form with the token in a JSON body, kept for installed apps; not in the schema."""
        data = _valid(PushDeviceDeleteInput, request.data)
        services.push_device_unregister(user=request.user, token=data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PushDeviceDetailApi(APIView):
    @raises(FeedbackErrorCode.PUSH_DEVICE_NOT_FOUND)
    @extend_schema(
        tags=NOTIFICATION_TAGS,
        responses={204: None},
        summary="Unregister a push token",
        description="The token goes in the path (URL-encoded). A token not registered to the user answers 404.",
    )
    def delete(self, request, token):
        data = _valid(PushDeviceDeleteInput, {"token": token})
        services.push_device_unregister(user=request.user, token=data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Product feedback forms ---------------------------------------------------------------------


class ProductFeedbackApi(APIView):
    @raises(
        FeedbackErrorCode.INVALID_FEEDBACK_RESPONSES,
        FeedbackErrorCode.ORDER_ITEM_NOT_FOUND,
        CatalogErrorCode.PRODUCT_NOT_FOUND,
    )
    @extend_schema(tags=FEEDBACK_TAGS, request=ProductFeedbackInput, responses={201: ProductFeedbackOutput})
    def post(self, request, product_id):
        data = _valid(ProductFeedbackInput, request.data)
        response = services.product_feedback_submit(user=request.user, product_id=product_id, **data)
        return Response(ProductFeedbackOutput(response).data, status=status.HTTP_201_CREATED)


class MyProductFeedbackApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(tags=FEEDBACK_TAGS, responses=ProductFeedbackOutput(many=True))
    def get(self, request):
        forms = selectors.product_feedback_for_user(user=request.user)
        return _paginate(self, request, forms, lambda page: ProductFeedbackOutput(page, many=True).data)


class StaffProductFeedbackApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "feedback.view_productfeedbackresponse"}
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(tags=FEEDBACK_TAGS, responses=ProductFeedbackOutput(many=True))
    def get(self, request, product_id):
        forms = selectors.product_feedback_for_product(product_id=product_id)
        return _paginate(self, request, forms, lambda page: ProductFeedbackOutput(page, many=True).data)
