from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.subscriptions import selectors, services
from shop.subscriptions.serializers import (
    PremiumGrantFilter,
    PremiumGrantInput,
    PremiumGrantOutput,
    SubscriptionOutput,
)
from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination, paginated_response
from skincare.api.permissions import HasStaffPermission

TAGS = ["subscription"]


class SubscriptionApi(APIView):
    @raises()
    @extend_schema(
        tags=TAGS,
        summary="My plan, its limits, what I used and when each count resets",
        responses=SubscriptionOutput,
    )
    def get(self, request):
        return Response(SubscriptionOutput(selectors.subscription_status(user=request.user)).data)


class StaffPremiumGrantsApi(APIView):
    """Premium granted by hand (support, partners): admins only."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "subscriptions.view_premiumgrant", "POST": "subscriptions.add_premiumgrant"}
    pagination_class = PagePagination

    @raises()
    @extend_schema(
        tags=TAGS, summary="Premium grants, newest first", parameters=[PremiumGrantFilter],
        responses=PremiumGrantOutput(many=True),
    )  # fmt: skip
    def get(self, request):
        filters = PremiumGrantFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        grants = selectors.premium_grant_list(user_id=filters.validated_data.get("user_id"))
        return paginated_response(self, request, grants, render=lambda page: PremiumGrantOutput(page, many=True).data)

    @raises()
    @extend_schema(
        tags=TAGS, summary="Grant premium for a number of days (after any premium the user has)",
        request=PremiumGrantInput, responses={201: PremiumGrantOutput},
    )  # fmt: skip
    def post(self, request):
        data = PremiumGrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.premium_grant(
            user=data.validated_data["user_id"],
            days=data.validated_data["days"],
            note=data.validated_data["note"],
            granted_by=request.user,
        )
        return Response(PremiumGrantOutput(grant).data, status=status.HTTP_201_CREATED)
