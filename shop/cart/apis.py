from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.cart import services
from shop.cart.error_codes import CartErrorCode
from shop.cart.selectors import cart_lines_joined, cart_price
from shop.cart.serializers import (
    CartAddInput,
    CartOutput,
    CartUpdateInput,
    CouponCodeInput,
    cart_add_input,
    cart_answer_memo,
    cart_output,
)
from shop.catalog.error_codes import CatalogErrorCode
from shop.coupons.error_codes import COUPON_REFUSALS
from skincare.api.conditional import render_answer
from skincare.api.error_docs import raises
from skincare.api.negotiation import JSON
from skincare.api.renderers import EnvelopeJSONRenderer

TAGS = ["cart"]
TOKEN_HEADER = OpenApiParameter(
    "X-Cart-Token", str, OpenApiParameter.HEADER, required=False, description="Guest cart token (from a cart response)."
)


class CartBaseApi(APIView):
    """Guests and signed-in users alike; guests are identified by their cart token."""

    permission_classes = [AllowAny]

    def cart(self, request, create=True, with_lines=False):
        return services.cart_resolve(request=request, create=create, with_lines=with_lines)

    def respond(self, request, cart, code=status.HTTP_200_OK):
        # The services keep ``cart.updated_at`` and ``cart.coupon_id`` as they wrote them: no re-read.
        read = getattr(cart, "joined_read", None)  # read with the cart by a GET (``with_lines``)
        if read is not None and cart.coupon_id is None:
            build = lambda: self.answer(request, cart, read.lines)  # noqa: E731 - used by both branches
            if request.accepted_media_type == JSON and type(request.accepted_renderer) is EnvelopeJSONRenderer:
                # The kept body, as the renderer would render it for this negotiation (no parameters: no indent).
                body = cart_answer_memo(
                    key=read.key,
                    request=request,
                    build=build,
                    render=lambda data: render_answer(self, data, enveloped=False),
                )
                return HttpResponse(body, status=code, content_type=JSON)
            data = cart_answer_memo(key=read.key, request=request, build=build)
        else:
            data = self.answer(request, cart, read.lines if read is not None else cart_lines_joined(cart))
        return Response(data, status=code)

    def answer(self, request, cart, lines):
        user = request.user if request.user.is_authenticated else None
        prices, coupon, problem = cart_price(cart, user=user, lines=lines)
        return cart_output(
            cart=cart,
            prices=prices,
            coupon=coupon,
            coupon_problem=problem,
            include_token=cart.user_id is None,
            request=request,
        )


class CartApi(CartBaseApi):
    @raises()
    @extend_schema(tags=TAGS, parameters=[TOKEN_HEADER], responses=CartOutput, summary="Cart with current prices")
    def get(self, request):
        return self.respond(request, self.cart(request, with_lines=True))

    @raises(CartErrorCode.CART_NOT_FOUND)
    @extend_schema(tags=TAGS, parameters=[TOKEN_HEADER], responses={200: CartOutput}, summary="Empty the cart")
    def delete(self, request):
        cart = self.cart(request)
        services.cart_clear(cart=cart)
        return self.respond(request, cart)


class CartItemsApi(CartBaseApi):
    @raises(
        CartErrorCode.PRODUCT_UNAVAILABLE,
        CartErrorCode.QUANTITY_TOO_LARGE,
        CartErrorCode.CART_NOT_FOUND,
        CatalogErrorCode.PRODUCT_NOT_FOUND,
        CartErrorCode.INSUFFICIENT_STOCK,
    )
    @extend_schema(tags=TAGS, parameters=[TOKEN_HEADER], request=CartAddInput, responses={201: CartOutput})
    def post(self, request):
        cart = services.cart_resolve_add_line(request=request, **cart_add_input(request.data))
        return self.respond(request, cart, status.HTTP_201_CREATED)


class CartItemApi(CartBaseApi):
    @raises(
        CartErrorCode.PRODUCT_UNAVAILABLE,
        CartErrorCode.QUANTITY_TOO_LARGE,
        CartErrorCode.CART_LINE_NOT_FOUND,
        CartErrorCode.CART_NOT_FOUND,
        CartErrorCode.INSUFFICIENT_STOCK,
    )
    @extend_schema(tags=TAGS, parameters=[TOKEN_HEADER], request=CartUpdateInput, responses=CartOutput)
    def patch(self, request, line_id):
        data = CartUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart = self.cart(request)
        services.cart_update_line(cart=cart, line_id=line_id, quantity=data.validated_data["quantity"])
        return self.respond(request, cart)

    @raises(CartErrorCode.CART_LINE_NOT_FOUND, CartErrorCode.CART_NOT_FOUND)
    @extend_schema(tags=TAGS, parameters=[TOKEN_HEADER], responses={200: CartOutput})
    def delete(self, request, line_id):
        cart = self.cart(request)
        services.cart_remove_line(cart=cart, line_id=line_id)
        return self.respond(request, cart)


class CartCouponApi(CartBaseApi):
    @raises(
        *COUPON_REFUSALS,
        CartErrorCode.CART_NOT_FOUND,
    )
    @extend_schema(tags=TAGS, parameters=[TOKEN_HEADER], request=CouponCodeInput, responses=CartOutput)
    def post(self, request):
        data = CouponCodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart = self.cart(request)
        services.cart_apply_coupon(cart=cart, code=data.validated_data["code"], user=request.user)
        return self.respond(request, cart)

    @raises(CartErrorCode.CART_NOT_FOUND)
    @extend_schema(tags=TAGS, parameters=[TOKEN_HEADER], responses={200: CartOutput})
    def delete(self, request):
        cart = self.cart(request)
        services.cart_remove_coupon(cart=cart)
        return self.respond(request, cart)
