"""Staff API twins of the customer workflows in the admin: list with filters, detail, update,
suspend / activate, addresses. Changes go through ``shop.accounts.services``."""

import django_filters
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts import error_codes, selectors, services
from shop.accounts.error_codes import AccountErrorCode
from shop.accounts.models import Role, SkinType, User
from shop.accounts.roles import moderation_refusal
from shop.accounts.serializers import AddressSerializer, ProfileInput, UserOutput
from skincare.api.error_docs import raises
from skincare.api.filters import UtcIsoDateTimeFilter
from skincare.api.pagination import PagePagination
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

TAGS = ["staff: customers"]


class StaffCustomerOutput(UserOutput):
    class Meta(UserOutput.Meta):
        fields = [*UserOutput.Meta.fields, "is_active", "last_login"]
        read_only_fields = fields


class StaffCustomerUpdateInput(ProfileInput):
    role = serializers.ChoiceField(choices=Role.choices, required=False)

    def validate_expertise_areas(self, value):
        target_role = self.initial_data.get("role") or self.context["customer"].role
        if value and target_role != Role.EXPERT:
            raise serializers.ValidationError(gettext("Only experts list expertise areas."))
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))


CUSTOMER_SORTS = [f"{sign}{field}" for field in ("date_joined", "total_spent", "community_score") for sign in ("", "-")]


class StaffCustomerFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()
    email_verified = django_filters.BooleanFilter()
    skin_type = django_filters.ChoiceFilter(choices=SkinType.choices)
    joined_from = UtcIsoDateTimeFilter(field_name="date_joined", lookup_expr="gte")
    joined_to = UtcIsoDateTimeFilter(field_name="date_joined", lookup_expr="lt")
    q = django_filters.CharFilter(method="search", label="E-mail or name")
    sort = django_filters.ChoiceFilter(choices=[(key, key) for key in CUSTOMER_SORTS], method="filter_sort")

    class Meta:
        model = User
        fields = []

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(value, "-pk" if value.startswith("-") else "pk")

    def search(self, queryset, name, value):
        return selectors.customer_search(queryset, value.strip())


def _customer(user_id):
    customer = selectors.customers_for_staff().filter(pk=user_id).first()
    if customer is None:
        raise ApplicationError(error_codes.CUSTOMER_NOT_FOUND, gettext("Customer not found."))
    return customer


class StaffCustomerListApi(generics.ListAPIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "accounts.change_user"}  # contact details and money: admins
    serializer_class = StaffCustomerOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = StaffCustomerFilter

    def get_queryset(self):
        return selectors.customers_for_staff()

    @raises()
    @extend_schema(tags=TAGS, summary="Customers (filter by role, state, skin type, sign-up date; search)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class StaffCustomerDetailApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "accounts.change_user", "PATCH": "accounts.change_user"}

    @raises(AccountErrorCode.CUSTOMER_NOT_FOUND)
    @extend_schema(tags=TAGS, responses=StaffCustomerOutput)
    def get(self, request, user_id):
        return Response(StaffCustomerOutput(_customer(user_id), context={"request": request}).data)

    @raises(AccountErrorCode.CUSTOMER_NOT_FOUND, AccountErrorCode.MODERATION_NOT_ALLOWED)
    @extend_schema(tags=TAGS, request=StaffCustomerUpdateInput, responses=StaffCustomerOutput)
    def patch(self, request, user_id):
        customer = _customer(user_id)
        data = StaffCustomerUpdateInput(data=request.data, context={"request": request, "customer": customer})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        role = values.pop("role", None)
        if role is not None and customer.pk == request.user.pk and role != customer.role:
            raise ApplicationError(
                error_codes.MODERATION_NOT_ALLOWED,
                gettext("You cannot change your own role."),
                errors={"role": [gettext("Ask another admin.")]},
            )
        if values:
            services.profile_update(user=customer, data=values)
        if role is not None and role != customer.role:
            services.user_set_role(user=customer, role=role)
        return Response(StaffCustomerOutput(_customer(user_id), context={"request": request}).data)


class _StaffCustomerStateApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "accounts.moderate_user"}
    perform = None

    def post(self, request, user_id):
        customer = _customer(user_id)
        refusal = moderation_refusal(actor=request.user, target=customer)
        if refusal:
            raise ApplicationError(
                error_codes.MODERATION_NOT_ALLOWED, gettext("Not allowed: %(reason)s") % {"reason": refusal}
            )
        type(self).perform(user=customer)
        return Response(StaffCustomerOutput(_customer(user_id), context={"request": request}).data)


class StaffCustomerSuspendApi(_StaffCustomerStateApi):
    perform = staticmethod(services.user_suspend)

    @raises(AccountErrorCode.CUSTOMER_NOT_FOUND, AccountErrorCode.MODERATION_NOT_ALLOWED)
    @extend_schema(tags=TAGS, request=None, responses=StaffCustomerOutput, summary="Suspend (logs out everywhere)")
    def post(self, request, user_id):
        return super().post(request, user_id)


class StaffCustomerActivateApi(_StaffCustomerStateApi):
    perform = staticmethod(services.user_activate)

    @raises(AccountErrorCode.CUSTOMER_NOT_FOUND, AccountErrorCode.MODERATION_NOT_ALLOWED)
    @extend_schema(tags=TAGS, request=None, responses=StaffCustomerOutput, summary="Reactivate")
    def post(self, request, user_id):
        return super().post(request, user_id)


class StaffCustomerAddressesApi(generics.ListAPIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "accounts.view_address"}
    serializer_class = AddressSerializer
    pagination_class = PagePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.address_list(user=None).none()
        return selectors.address_list(user=_customer(self.kwargs["user_id"]))

    @raises(AccountErrorCode.CUSTOMER_NOT_FOUND)
    @extend_schema(tags=TAGS, summary="The customer's addresses")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
