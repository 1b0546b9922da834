"""Staff analytics: sales, search trends, efficacy curves, recommendation click-through, review
sentiment and the other reports, each with a CSV export."""

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ml import error_codes, selectors
from ml.csv_export import csv_response
from ml.error_codes import AnalyticsErrorCode
from ml.etl.feedback import IMPROVEMENTS
from ml.freshness import read_or_last_good
from skincare.api.error_docs import raises
from skincare.api.permissions import HasStaffPermission
from skincare.errors import ApplicationError

TAGS = ["staff: analytics"]
MAX_DAYS = {"sales": 366, "search": 92, "recommendations": 92}
CSV = {(200, "text/csv"): OpenApiResponse(response={"type": "string"}, description="The report as a CSV file.")}


class RangeInput(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        today = datetime.now(UTC).date()
        attrs.setdefault("date_to", today)
        attrs.setdefault("date_from", attrs["date_to"] - timedelta(days=29))
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_from": [gettext("Must not be after date_to.")]})
        if (attrs["date_to"] - attrs["date_from"]).days + 1 > self.context["max_days"]:
            raise serializers.ValidationError(
                {"date_from": [gettext("At most %(max)d days.") % {"max": self.context["max_days"]}]}
            )
        return attrs


class SearchTrendsInput(RangeInput):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class ProductsInput(SearchTrendsInput):
    pass


class LimitInput(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100)


def _input(serializer_class, request, max_days):
    data = serializer_class(data=request.query_params, context={"max_days": max_days})
    data.is_valid(raise_exception=True)
    return data.validated_data


def _store_read(func, *, empty, **kwargs):
    """A store-backed report, or its last good copy flagged ``stale`` while the store is down."""
    return read_or_last_good(func.__name__, func, empty=empty, **kwargs)


def _csv(report, filename, header, rows):
    """The CSV twin says in headers whether the figures are the last good copy (store down)."""
    response = csv_response(filename, header, rows)
    response["X-Analytics-Stale"] = "true" if report["stale"] else "false"
    response["X-Analytics-As-Of"] = report["as_of"].isoformat() if report["as_of"] else ""
    return response


class FreshnessOutput(serializers.Serializer):
    stale = serializers.BooleanField(
        help_text="True when the analytics store did not answer and these are the last good figures."
    )
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="When the figures were read from the store; null: none could be read yet."
    )


class SalesDayOutput(serializers.Serializer):
    date = serializers.DateField()
    total_orders = serializers.IntegerField()
    total_revenue = serializers.DecimalField(max_digits=12, decimal_places=2)
    average_order_value = serializers.DecimalField(max_digits=10, decimal_places=2)
    new_customers = serializers.IntegerField()
    returning_customers = serializers.IntegerField()


class SalesTotalsOutput(serializers.Serializer):
    total_orders = serializers.IntegerField()
    total_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    average_order_value = serializers.DecimalField(max_digits=10, decimal_places=2)
    new_customers = serializers.IntegerField()
    returning_customers = serializers.IntegerField()


class SalesReportOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    totals = SalesTotalsOutput()
    days = SalesDayOutput(many=True)


SALES_FIELDS = ["date", "total_orders", "total_revenue", "average_order_value", "new_customers", "returning_customers"]


class StaffSalesApi(APIView):
    """Daily sales from the ``order_analytics`` roll-up (``date_from``/``date_to``, default the last 30 days)."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=SalesReportOutput)
    def get(self, request):
        report = selectors.sales_report(**_input(RangeInput, request, MAX_DAYS["sales"]))
        return Response(SalesReportOutput(report).data)


class StaffSalesExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=CSV)
    def get(self, request):
        report = selectors.sales_report(**_input(RangeInput, request, MAX_DAYS["sales"]))
        rows = [[day[field] for field in SALES_FIELDS] for day in report["days"]]
        return csv_response(f"sales_{report['date_from']}_{report['date_to']}.csv", SALES_FIELDS, rows)


class SearchQueryOutput(serializers.Serializer):
    query = serializers.CharField()
    searches = serializers.IntegerField()
    zero_results = serializers.IntegerField()
    clicked = serializers.IntegerField()
    click_through_rate = serializers.FloatField(allow_null=True)
    cart_adds = serializers.IntegerField()
    purchases = serializers.IntegerField()


class SearchTrendsOutput(FreshnessOutput):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    total_searches = serializers.IntegerField(allow_null=True)
    click_through_rate = serializers.FloatField(allow_null=True)
    zero_result_searches = serializers.IntegerField(allow_null=True)
    top_queries = SearchQueryOutput(many=True)
    zero_result_queries = SearchQueryOutput(many=True)


SEARCH_FIELDS = ["query", "searches", "zero_results", "clicked", "click_through_rate", "cart_adds", "purchases"]


class StaffSearchTrendsApi(APIView):
    """Top and zero-result queries with click-through and conversions (at most 92 days)."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "ml.view_analyticsdocument"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[SearchTrendsInput], responses=SearchTrendsOutput)
    def get(self, request):
        report = _store_read(
            selectors.search_trends,
            empty=selectors.search_trends_empty,
            **_input(SearchTrendsInput, request, MAX_DAYS["search"]),
        )
        return Response(SearchTrendsOutput(report).data)


class StaffSearchTrendsExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "ml.view_analyticsdocument"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[SearchTrendsInput], responses=CSV)
    def get(self, request):
        report = _store_read(
            selectors.search_trends,
            empty=selectors.search_trends_empty,
            **_input(SearchTrendsInput, request, MAX_DAYS["search"]),
        )
        rows = [[row[field] for field in SEARCH_FIELDS] for row in report["top_queries"]]
        return _csv(report, f"search_trends_{report['date_from']}_{report['date_to']}.csv", SEARCH_FIELDS, rows)


class ImprovementOutput(serializers.Serializer):
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class EfficacyWeekOutput(serializers.Serializer):
    week = serializers.IntegerField()
    users = serializers.IntegerField()
    improvements = serializers.DictField(child=ImprovementOutput())


class EfficacyOutput(FreshnessOutput):
    product_id = serializers.IntegerField()
    analysis_date = serializers.CharField(allow_null=True)
    curves = serializers.DictField(child=EfficacyWeekOutput(many=True), help_text="by skin type, and 'all'")


def _efficacy(product_id):
    report = _store_read(selectors.efficacy_report, empty=selectors.efficacy_empty, product_id=product_id)
    if report["stale"] is False and report["analysis_date"] is None:
        raise ApplicationError(error_codes.ANALYTICS_NOT_FOUND, gettext("No feedback analytics for this product yet."))
    return report


class StaffEfficacyApi(APIView):
    """Share of users reporting each improvement by week of use (progress journals), per skin type."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises(AnalyticsErrorCode.ANALYTICS_NOT_FOUND)
    @extend_schema(tags=TAGS, responses=EfficacyOutput)
    def get(self, request, product_id):
        return Response(EfficacyOutput(_efficacy(product_id)).data)


class StaffEfficacyExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises(AnalyticsErrorCode.ANALYTICS_NOT_FOUND)
    @extend_schema(tags=TAGS, responses=CSV)
    def get(self, request, product_id):
        report = _efficacy(product_id)
        rows = [
            [skin_type, week["week"], week["users"], flag, week["improvements"][flag]["count"],
             week["improvements"][flag]["share"]]
            for skin_type, weeks in report["curves"].items()
            for week in weeks
            for flag in IMPROVEMENTS
        ]  # fmt: skip
        header = ["skin_type", "week", "users", "improvement", "count", "share"]
        return _csv(report, f"efficacy_product_{product_id}.csv", header, rows)


class ProductPerformanceOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    views = serializers.IntegerField()
    orders = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    conversion_rate = serializers.FloatField(allow_null=True)


class ProductsReportOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    products = ProductPerformanceOutput(many=True)


PRODUCT_FIELDS = ["product_id", "name", "views", "orders", "revenue", "conversion_rate"]


class StaffProductsApi(APIView):
    """Products by revenue from the ``product_analytics`` roll-up (at most 366 days)."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[ProductsInput], responses=ProductsReportOutput)
    def get(self, request):
        report = selectors.product_performance(**_input(ProductsInput, request, MAX_DAYS["sales"]))
        return Response(ProductsReportOutput(report).data)


class StaffProductsExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[ProductsInput], responses=CSV)
    def get(self, request):
        report = selectors.product_performance(**_input(ProductsInput, request, MAX_DAYS["sales"]))
        rows = [[row[field] for field in PRODUCT_FIELDS] for row in report["products"]]
        return csv_response(f"products_{report['date_from']}_{report['date_to']}.csv", PRODUCT_FIELDS, rows)


class FeedbackProductOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    analysis_date = serializers.CharField()
    total_reviews = serializers.IntegerField()
    avg_rating = serializers.FloatField(allow_null=True)
    results_rate = serializers.FloatField(allow_null=True)
    recommendation_rate = serializers.FloatField(allow_null=True)
    repurchase_rate = serializers.FloatField(allow_null=True)
    trend_direction = serializers.CharField()
    slope_per_month = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)


class FeedbackOverviewOutput(FreshnessOutput):
    products = FeedbackProductOutput(many=True)


FEEDBACK_FIELDS = list(FeedbackProductOutput().fields)


class StaffFeedbackOverviewApi(APIView):
    """Per product, the last ``feedback_analytics`` run's headline figures, most reviewed first."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[LimitInput], responses=FeedbackOverviewOutput)
    def get(self, request):
        report = _store_read(
            selectors.feedback_overview, empty=selectors.feedback_overview_empty, **_input(LimitInput, request, None)
        )
        return Response(FeedbackOverviewOutput(report).data)


class StaffFeedbackOverviewExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[LimitInput], responses=CSV)
    def get(self, request):
        report = _store_read(
            selectors.feedback_overview, empty=selectors.feedback_overview_empty, **_input(LimitInput, request, None)
        )
        rows = [[row[field] for field in FEEDBACK_FIELDS] for row in report["products"]]
        return _csv(report, "feedback_overview.csv", FEEDBACK_FIELDS, rows)


class TopProductOutput(serializers.Serializer):
    product_id = serializers.IntegerField()
    avg_rating = serializers.FloatField()
    review_count = serializers.IntegerField()


class SkinTypeOutput(serializers.Serializer):
    skin_type = serializers.CharField()
    products = serializers.IntegerField()
    review_count = serializers.IntegerField()
    avg_rating = serializers.FloatField(allow_null=True)
    results_rate = serializers.FloatField(allow_null=True)
    top_products = TopProductOutput(many=True)


class SkinTypesOutput(FreshnessOutput):
    skin_types = SkinTypeOutput(many=True)


class TopLimitInput(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=5)


SKIN_FIELDS = ["skin_type", "products", "review_count", "avg_rating", "results_rate"]


class StaffSkinTypesApi(APIView):
    """Per skin type (reviewer's skin type at review time), across products; ``limit`` top products each."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[TopLimitInput], responses=SkinTypesOutput)
    def get(self, request):
        report = _store_read(
            selectors.skin_type_insights,
            empty=selectors.skin_type_insights_empty,
            **_input(TopLimitInput, request, None),
        )
        return Response(SkinTypesOutput(report).data)


class StaffSkinTypesExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[TopLimitInput], responses=CSV)
    def get(self, request):
        report = _store_read(
            selectors.skin_type_insights,
            empty=selectors.skin_type_insights_empty,
            **_input(TopLimitInput, request, None),
        )
        rows = [[row[field] for field in SKIN_FIELDS] for row in report["skin_types"]]
        return _csv(report, "skin_types.csv", SKIN_FIELDS, rows)


class CustomerDayOutput(serializers.Serializer):
    date = serializers.CharField()
    new_registrations = serializers.IntegerField(allow_null=True)
    total_users = serializers.IntegerField(allow_null=True)
    active_users = serializers.IntegerField(allow_null=True)
    new_customers = serializers.IntegerField(allow_null=True)
    returning_customers = serializers.IntegerField(allow_null=True)


class CustomerReportOutput(FreshnessOutput):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    days = CustomerDayOutput(many=True)


CUSTOMER_FIELDS = list(CustomerDayOutput().fields)


class StaffCustomersApi(APIView):
    """Per day: registrations, total and active users, new and returning customers (at most 366 days)."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=CustomerReportOutput)
    def get(self, request):
        report = _store_read(
            selectors.customer_report,
            empty=selectors.customer_report_empty,
            **_input(RangeInput, request, MAX_DAYS["sales"]),
        )
        return Response(CustomerReportOutput(report).data)


class StaffCustomersExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "orders.view_order"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=CSV)
    def get(self, request):
        report = _store_read(
            selectors.customer_report,
            empty=selectors.customer_report_empty,
            **_input(RangeInput, request, MAX_DAYS["sales"]),
        )
        rows = [[day[field] for field in CUSTOMER_FIELDS] for day in report["days"]]
        return _csv(report, f"customers_{report['date_from']}_{report['date_to']}.csv", CUSTOMER_FIELDS, rows)


class ContentOutcomeOutput(serializers.Serializer):
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    awaiting_moderation = serializers.IntegerField()
    approval_rate = serializers.FloatField(allow_null=True)


class CommunityHealthOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    reviews = ContentOutcomeOutput()
    questions = ContentOutcomeOutput()
    answers = ContentOutcomeOutput()
    answered_question_rate = serializers.FloatField(allow_null=True)
    progress_entries = serializers.IntegerField()
    contributors = serializers.IntegerField()


def _community_rows(report):
    rows = [[kind, metric, report[kind][metric]] for kind in ("reviews", "questions", "answers")
            for metric in ContentOutcomeOutput().fields]  # fmt: skip
    rows += [
        ["community", name, report[name]] for name in ("answered_question_rate", "progress_entries", "contributors")
    ]
    return rows


class StaffCommunityHealthApi(APIView):
    """Reviews, questions, answers and progress entries created in the range (at most 366 days)."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=CommunityHealthOutput)
    def get(self, request):
        report = selectors.community_health(**_input(RangeInput, request, MAX_DAYS["sales"]))
        return Response(CommunityHealthOutput(report).data)


class StaffCommunityHealthExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=CSV)
    def get(self, request):
        report = selectors.community_health(**_input(RangeInput, request, MAX_DAYS["sales"]))
        filename = f"community_{report['date_from']}_{report['date_to']}.csv"
        return csv_response(filename, ["section", "metric", "value"], _community_rows(report))


class RecommendationCountsOutput(serializers.Serializer):
    impressions = serializers.IntegerField(help_text="Products shown in a recommendation list")
    clicks = serializers.IntegerField()
    ignores = serializers.IntegerField(help_text='"Not interested"')
    click_through_rate = serializers.FloatField(allow_null=True, help_text="clicks / impressions; null without any")


class RecommendationSurfaceOutput(RecommendationCountsOutput):
    recommendation_type = serializers.CharField(help_text="The list: for_me, similar, bought_together, popular...")
    page_type = serializers.CharField(help_text="Where it was shown: home, product, cart, order...")


class RecommendationDayOutput(RecommendationCountsOutput):
    date = serializers.CharField()


class RecommendationReportOutput(FreshnessOutput):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    totals = RecommendationCountsOutput(allow_null=True, help_text="null while the store could not be read yet")
    surfaces = RecommendationSurfaceOutput(many=True)
    days = RecommendationDayOutput(many=True)


RECOMMENDATION_FIELDS = ["recommendation_type", "page_type", *RecommendationCountsOutput().fields]


class StaffRecommendationsApi(APIView):
    """Recommendation click-through per recommender and surface, and per day (at most 92 days)."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "ml.view_analyticsdocument"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=RecommendationReportOutput)
    def get(self, request):
        report = _store_read(
            selectors.recommendation_click_through,
            empty=selectors.recommendation_click_through_empty,
            **_input(RangeInput, request, MAX_DAYS["recommendations"]),
        )
        return Response(RecommendationReportOutput(report).data)


class StaffRecommendationsExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "ml.view_analyticsdocument"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=CSV)
    def get(self, request):
        report = _store_read(
            selectors.recommendation_click_through,
            empty=selectors.recommendation_click_through_empty,
            **_input(RangeInput, request, MAX_DAYS["recommendations"]),
        )
        rows = [[row[field] for field in RECOMMENDATION_FIELDS] for row in report["surfaces"]]
        filename = f"recommendations_{report['date_from']}_{report['date_to']}.csv"
        return _csv(report, filename, RECOMMENDATION_FIELDS, rows)


class SentimentCountsOutput(serializers.Serializer):
    reviews = serializers.IntegerField(help_text="Approved reviews with a sentiment label")
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    negative = serializers.IntegerField()
    positive_share = serializers.FloatField(allow_null=True)
    neutral_share = serializers.FloatField(allow_null=True)
    negative_share = serializers.FloatField(allow_null=True)


class SentimentWeekOutput(SentimentCountsOutput):
    week_start = serializers.DateField(help_text="Monday (UTC)")


class SentimentReportOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    totals = SentimentCountsOutput()
    weeks = SentimentWeekOutput(many=True)


SENTIMENT_FIELDS = ["week_start", *SentimentCountsOutput().fields]


class StaffSentimentApi(APIView):
    """Review sentiment per week: approved reviews written in the range, positive / neutral / negative
    (at most 366 days)."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=SentimentReportOutput)
    def get(self, request):
        report = selectors.sentiment_by_week(**_input(RangeInput, request, MAX_DAYS["sales"]))
        return Response(SentimentReportOutput(report).data)


class StaffSentimentExportApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=TAGS, parameters=[RangeInput], responses=CSV)
    def get(self, request):
        report = selectors.sentiment_by_week(**_input(RangeInput, request, MAX_DAYS["sales"]))
        rows = [[week[field] for field in SENTIMENT_FIELDS] for week in report["weeks"]]
        return csv_response(f"sentiment_{report['date_from']}_{report['date_to']}.csv", SENTIMENT_FIELDS, rows)
