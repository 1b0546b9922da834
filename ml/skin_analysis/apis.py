"""HTTP layer of skin analysis: parse, call a service or selector, serialize. Own analyses only."""

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from ml.skin_analysis import selectors, services
from ml.skin_analysis import serializers as s
from ml.skin_analysis.error_codes import SkinAnalysisErrorCode
from shop.catalog.selectors import product_list_queryset
from shop.catalog.serializers import product_list_item
from shop.files.error_codes import UPLOAD_REFUSALS, FileErrorCode
from shop.subscriptions.error_codes import SubscriptionErrorCode
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises
from skincare.api.pagination import PagePagination
from skincare.api.parsers import MultiPartParser
from skincare.errors import ApplicationError

TAGS = ["skin-analysis"]


def _not_found():
    return ApplicationError(SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_FOUND)


def _products_by_id(analyses):
    """The suggested products of every analysis given, in two queries whatever their number."""
    ids = {pk for analysis in analyses for pk in analysis.product_ids}
    if not ids:
        return {}
    return {product.pk: product_list_item(product) for product in product_list_queryset().filter(pk__in=ids)}


def _output(analysis, request):
    return s.skin_analysis_output(analysis, request, _products_by_id([analysis]))


class SkinAnalysisListApi(APIView):
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    parser_classes = [MultiPartParser]

    def get_throttles(self):
        # A scan shares the upload rate (ScopedRateThrottle lets a view without a scope through).
        self.throttle_scope = "upload" if self.request.method == "POST" else None
        return super().get_throttles()

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="skin_analysis_list",
        responses=s.SkinAnalysisOutput(many=True),
        summary="My skin analyses, newest first (pending and failed ones included)",
    )
    def get(self, request):
        paginator = PagePagination()
        page = list(paginator.paginate_queryset(selectors.skin_analysis_history(user=request.user), request, view=self))
        products = _products_by_id(page)
        return paginator.get_paginated_response([s.skin_analysis_output(a, request, products) for a in page])

    @raises(*UPLOAD_REFUSALS, SubscriptionErrorCode.QUOTA_EXCEEDED)
    @extend_schema(
        tags=TAGS,
        operation_id="skin_analysis_start",
        request={"multipart/form-data": s.SkinAnalysisStartInput},
        responses={201: s.SkinAnalysisOutput},
        summary="Analyse a face photo",
        description=(
            "Stores the photo privately (the `skin` upload rules: type from the content, size, dimensions) and "
            "answers the analysis, `pending` while it runs in the background; poll `GET skin-analysis/{id}`. "
            "A photo that is too dark, blurred or shows no face ends `failed` with `failure_code` and "
            "`failure_reason`, and is not counted. The scores are an estimate for cosmetic care, not a diagnosis."
        ),
    )
    def post(self, request):
        try:
            data = request.data
        except RequestDataTooBig as exc:
            raise ApplicationError(ApiErrorCode.PAYLOAD_TOO_LARGE, gettext("The request body is too large.")) from exc
        except TooManyFilesSent as exc:
            raise ApplicationError(FileErrorCode.TOO_MANY_FILES, gettext("Too many files in one request.")) from exc
        serializer = s.SkinAnalysisStartInput(data=data)
        serializer.is_valid(raise_exception=True)
        analysis = services.skin_analysis_start(user=request.user, upload=serializer.validated_data["photo"])
        analysis = selectors.skin_analysis_get(user=request.user, analysis_id=analysis.pk)
        return Response(_output(analysis, request), status=status.HTTP_201_CREATED)


class SkinAnalysisDetailApi(APIView):
    @raises(SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_FOUND)
    @extend_schema(tags=TAGS, operation_id="skin_analysis_get", responses=s.SkinAnalysisOutput, summary="One analysis")
    def get(self, request, analysis_id):
        analysis = selectors.skin_analysis_get(user=request.user, analysis_id=analysis_id)
        if analysis is None:
            raise _not_found()
        return Response(_output(analysis, request))

    @raises(SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_FOUND)
    @extend_schema(
        tags=TAGS,
        operation_id="skin_analysis_delete",
        responses={204: None},
        summary="Delete an analysis and its photo",
    )
    def delete(self, request, analysis_id):
        services.skin_analysis_delete(user=request.user, analysis_id=analysis_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SkinAnalysisCompareApi(APIView):
    @raises(SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_FOUND, SkinAnalysisErrorCode.SKIN_ANALYSIS_NOT_DONE)
    @extend_schema(
        tags=TAGS,
        operation_id="skin_analysis_compare",
        parameters=[
            OpenApiParameter(
                "from", int, OpenApiParameter.QUERY, required=True, description="The earlier analysis id."
            ),
            OpenApiParameter("to", int, OpenApiParameter.QUERY, required=True, description="The later analysis id."),
        ],
        responses=s.CompareOutput,
        summary="Metric deltas between two finished analyses",
    )
    def get(self, request):
        query = s.CompareQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = services.skin_analysis_compare(
            user=request.user, from_id=query.validated_data["from"], to_id=query.validated_data["to"]
        )
        products = _products_by_id([result["from"], result["to"]])
        data = s.CompareDeltasOutput(result).data
        data["from"] = s.skin_analysis_output(result["from"], request, products)
        data["to"] = s.skin_analysis_output(result["to"], request, products)
        return Response(data)


class SkinAnalysisTrendApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(
        tags=TAGS,
        operation_id="skin_analysis_trend",
        responses=s.TrendPointOutput(many=True),
        summary="Finished analyses oldest first: scores and acne severity over time",
    )
    def get(self, request):
        paginator = PagePagination()
        page = paginator.paginate_queryset(selectors.skin_analysis_trend(user=request.user), request, view=self)
        return paginator.get_paginated_response(
            [
                s.TrendPointOutput(
                    {
                        "id": a.pk,
                        "created_at": a.created_at,
                        "overall_score": a.overall_score,
                        "metrics": a.metrics,
                        "acne_severity": a.acne_severity,
                    }
                ).data
                for a in page
            ]
        )
