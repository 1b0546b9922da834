from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.catalog.error_codes import CatalogErrorCode
from shop.catalog.selectors import primary_media_prefetch
from shop.wishlist import services
from shop.wishlist.error_codes import WishlistErrorCode
from shop.wishlist.models import WishlistFeedback, WishlistItem
from shop.wishlist.serializers import AddInput, FeedbackSerializer, WishlistItemOutput, item_output
from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination

TAGS = ["wishlist"]


class WishlistApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(tags=TAGS, summary="My wishlist (paginated)", responses=WishlistItemOutput(many=True))
    def get(self, request):
        qs = (
            WishlistItem.objects.filter(user=request.user)
            .select_related("product__brand")
            .prefetch_related(primary_media_prefetch("product__media"))
        )
        paginator = PagePagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        feedback = {
            f.product_id: f
            for f in WishlistFeedback.objects.filter(user=request.user, product_id__in=[i.product_id for i in page])
        }
        return paginator.get_paginated_response(
            [item_output(item, feedback.get(item.product_id), request=request) for item in page]
        )

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=TAGS,
        request=AddInput,
        responses={201: WishlistItemOutput, 200: WishlistItemOutput},
        description="201 when added, 200 when the product was already on the wishlist.",
    )
    def post(self, request):
        data = AddInput(data=request.data)
        data.is_valid(raise_exception=True)
        item, created = services.wishlist_add(user=request.user, **data.validated_data)
        item = (
            WishlistItem.objects.select_related("product__brand")
            .prefetch_related(primary_media_prefetch("product__media"))
            .get(pk=item.pk)
        )
        return Response(
            item_output(item, None, request=request), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @raises()
    @extend_schema(tags=TAGS, operation_id="wishlist_clear", responses={204: None}, summary="Empty the wishlist")
    def delete(self, request):
        services.wishlist_clear(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WishlistItemApi(APIView):
    @raises(WishlistErrorCode.WISHLIST_ITEM_NOT_FOUND)
    @extend_schema(tags=TAGS, operation_id="wishlist_remove", responses={204: None}, summary="Remove a product")
    def delete(self, request, product_id):
        services.wishlist_remove(user=request.user, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WishlistFeedbackApi(APIView):
    @raises(WishlistErrorCode.WISHLIST_ITEM_NOT_FOUND)
    @extend_schema(tags=TAGS, request=FeedbackSerializer, responses=FeedbackSerializer)
    def put(self, request, product_id):
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.wishlist_feedback_save(user=request.user, product_id=product_id, **data.validated_data)
        return Response(FeedbackSerializer(feedback).data)
