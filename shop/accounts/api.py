from django.contrib.auth import logout as session_logout
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView

from shop.accounts import selectors, services
from shop.accounts.error_codes import AccountErrorCode
from shop.accounts.login_limits import client_ip
from shop.accounts.models import Address
from shop.accounts.serializers import (
    AddressSerializer,
    ChangePasswordInput,
    EmailInput,
    LoginInput,
    LoginOutput,
    MessageOutput,
    ProfileInput,
    RefreshInput,
    RegisterInput,
    ResetPasswordInput,
    TokenPairOutput,
    UserOutput,
    VerifyEmailInput,
)
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises

AUTH_TAG = ["auth"]
ADDRESS_TAG = ["addresses"]


def _message(text, code=status.HTTP_200_OK):
    return Response({"message": text}, status=code)


class AuthThrottled:
    """Anonymous auth endpoints share the stricter "auth" rate per client IP."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class RegisterApi(AuthThrottled, APIView):
    permission_classes = [AllowAny]

    @raises(AccountErrorCode.EMAIL_TAKEN, AccountErrorCode.WEAK_PASSWORD)
    @extend_schema(tags=AUTH_TAG, request=RegisterInput, responses={201: LoginOutput}, auth=[])
    def post(self, request):
        data = RegisterInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        tokens = services.tokens_for(user)
        return Response(
            {**tokens, "user": UserOutput(user, context={"request": request}).data}, status=status.HTTP_201_CREATED
        )


class LoginApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @raises(
        AccountErrorCode.INVALID_CREDENTIALS,
        AccountErrorCode.ACCOUNT_DISABLED,
        AccountErrorCode.TOO_MANY_LOGIN_ATTEMPTS,
    )
    @extend_schema(
        tags=AUTH_TAG,
        request=LoginInput,
        responses={200: LoginOutput},
        auth=[],
        description=(
            "E-mail + password to a JWT pair. After LOGIN_FAILURE_LIMIT failures per IP and e-mail (counted "
            "together with the web and admin login pages) the answer is 429 with Retry-After."
        ),
    )
    def post(self, request):
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user, tokens = services.user_login(
            request=request, email=data.validated_data["email"], password=data.validated_data["password"]
        )
        return Response({**tokens, "user": UserOutput(user, context={"request": request}).data})


class RefreshApi(TokenRefreshView):
    """Exchanges a refresh token for a new pair; the old refresh token is blacklisted (rotation)."""

    @raises(ApiErrorCode.TOKEN_INVALID)  # the refresh token in the body (the view reads no credentials)
    @extend_schema(tags=AUTH_TAG, request=RefreshInput, responses={200: TokenPairOutput}, auth=[])
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutApi(APIView):
    permission_classes = [AllowAny]

    @raises(AccountErrorCode.TOKEN_INVALID)
    @extend_schema(tags=AUTH_TAG, request=RefreshInput, responses={200: MessageOutput})
    def post(self, request):
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_logout(refresh=data.validated_data["refresh"])
        if request.session.session_key:
            session_logout(request)
        return _message("Logged out.")


class MeApi(APIView):
    @raises()
    @extend_schema(tags=AUTH_TAG, responses={200: UserOutput})
    def get(self, request):
        user = selectors.user_get(pk=request.user.pk)
        return Response(UserOutput(user, context={"request": request}).data)


class ProfileApi(APIView):
    def _update(self, request, partial):
        data = ProfileInput(data=request.data, partial=partial, context={"request": request})
        data.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, data=data.validated_data)
        return Response(UserOutput(selectors.user_get(pk=user.pk), context={"request": request}).data)

    @raises()
    @extend_schema(tags=AUTH_TAG, request=ProfileInput, responses={200: UserOutput})
    def put(self, request):
        return self._update(request, partial=True)

    @raises()
    @extend_schema(tags=AUTH_TAG, request=ProfileInput, responses={200: UserOutput})
    def patch(self, request):
        return self._update(request, partial=True)


class VerifyEmailApi(AuthThrottled, APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @raises(
        AccountErrorCode.TOKEN_INVALID,
        AccountErrorCode.TOKEN_EXPIRED,
        AccountErrorCode.VERIFICATION_CODE_INVALID,
        AccountErrorCode.VERIFICATION_CODE_EXPIRED,
        AccountErrorCode.VERIFICATION_CODE_LOCKED,
    )
    @extend_schema(
        tags=AUTH_TAG,
        request=VerifyEmailInput,
        responses={200: UserOutput},
        auth=[],
        description=(
            "Send the link's `token`, or the `email` and the 6-digit `code` from the e-mail. A code "
            "expires (`VERIFICATION_CODE_EXPIRED`, 400); a wrong one answers `VERIFICATION_CODE_INVALID` "
            "(400) and the fifth wrong one locks the code (`VERIFICATION_CODE_LOCKED`, 429) until a "
            "new e-mail is requested with `resend-verification`."
        ),
    )
    def post(self, request):
        data = VerifyEmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("token"):
            user = services.user_verify_email(token=values["token"])
        else:
            user = services.user_verify_email_code(email=values["email"], code=values["code"])
        return Response(UserOutput(user, context={"request": request}).data)


class ResendVerificationApi(AuthThrottled, APIView):
    permission_classes = [AllowAny]

    @raises()
    @extend_schema(
        tags=AUTH_TAG,
        request=EmailInput,
        responses={200: MessageOutput},
        description="Signed-in users may omit the e-mail. The answer never reveals whether an account exists.",
    )
    def post(self, request):
        if request.user.is_authenticated and "email" not in request.data:
            email = request.user.email
        else:
            data = EmailInput(data=request.data)
            data.is_valid(raise_exception=True)
            email = data.validated_data["email"]
        services.email_verification_resend(email=email)
        return _message("If the account exists and is not verified, a new link has been sent.")


class ForgotPasswordApi(AuthThrottled, APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @raises(AccountErrorCode.TOO_MANY_RESET_REQUESTS)
    @extend_schema(
        tags=AUTH_TAG,
        request=EmailInput,
        responses={200: MessageOutput},
        auth=[],
        description=(
            "The answer never reveals whether an account exists. Limited per e-mail and per IP "
            "(shared with the web reset page): 429 TOO_MANY_RESET_REQUESTS with Retry-After."
        ),
    )
    def post(self, request):
        data = EmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"], ip=client_ip(request))
        return _message("If an account exists for this e-mail, a reset link has been sent.")


class ResetPasswordApi(AuthThrottled, APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @raises(AccountErrorCode.TOKEN_INVALID, AccountErrorCode.WEAK_PASSWORD)
    @extend_schema(tags=AUTH_TAG, request=ResetPasswordInput, responses={200: MessageOutput}, auth=[])
    def post(self, request):
        data = ResetPasswordInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(**data.validated_data)
        return _message("Password changed. Sign in with the new password.")


class ChangePasswordApi(APIView):
    @raises(AccountErrorCode.WEAK_PASSWORD, AccountErrorCode.WRONG_PASSWORD)
    @extend_schema(
        tags=AUTH_TAG,
        request=ChangePasswordInput,
        responses={200: TokenPairOutput},
        description="Changes the password, revokes every refresh token, and returns a fresh pair.",
    )
    def post(self, request):
        data = ChangePasswordInput(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = services.password_change(user=request.user, **data.validated_data)
        return Response(tokens)


# --- addresses -----------------------------------------------------------------


@extend_schema(tags=ADDRESS_TAG)
class AddressListApi(generics.ListCreateAPIView):
    error_codes = {"get": (ApiErrorCode.NOT_FOUND,), "post": ()}

    serializer_class = AddressSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no signed-in user
            return Address.objects.none()
        return selectors.address_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.address_create(user=self.request.user, **serializer.validated_data)


@extend_schema(tags=ADDRESS_TAG)
class AddressDetailApi(generics.RetrieveUpdateDestroyAPIView):
    error_codes = {
        "delete": (ApiErrorCode.NOT_FOUND,),
        "get": (ApiErrorCode.NOT_FOUND,),
        "patch": (ApiErrorCode.NOT_FOUND,),
        "put": (ApiErrorCode.NOT_FOUND,),
    }

    serializer_class = AddressSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no signed-in user
            return Address.objects.none()
        # Another user's address is simply not found.
        return selectors.address_list(user=self.request.user)

    def perform_update(self, serializer):
        serializer.instance = services.address_update(address=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.address_delete(address=instance)


class AddressSetDefaultApi(APIView):
    @raises(ApiErrorCode.NOT_FOUND)
    @extend_schema(tags=ADDRESS_TAG, request=None, responses={200: AddressSerializer})
    def post(self, request, pk):
        address = get_object_or_404(selectors.address_list(user=request.user), pk=pk)
        return Response(AddressSerializer(services.address_set_default(address=address)).data)
