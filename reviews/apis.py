import json

from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from feedback.error_codes import FeedbackErrorCode
from reviews import cache as review_cache
from reviews import error_codes, media, progress, qa, selectors, services
from reviews import serializers as s
from reviews.error_codes import ReviewErrorCode
from reviews.models import ContentStatus, Question, Review
from shop.catalog.apis import public_product_payload
from shop.catalog.error_codes import CatalogErrorCode
from shop.files.error_codes import FileErrorCode
from shop.subscriptions.error_codes import SubscriptionErrorCode
from skincare.api.bulk import BulkResultOutput, bulk_result
from skincare.api.conditional import rendered_key
from skincare.api.error_docs import raises
from skincare.api.output import output
from skincare.api.pagination import PagePagination
from skincare.api.permissions import HasStaffPermission, user_has_permission
from skincare.api.renderers import EnvelopeJSONRenderer
from skincare.errors import ApplicationError

REVIEW_TAGS = ["reviews"]
QA_TAGS = ["questions & answers"]
PROGRESS_TAGS = ["progress journals"]
STAFF_TAGS = ["reviews (staff)"]


def _valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _paginate(view, request, queryset, render):
    paginator = PagePagination()
    page = list(paginator.paginate_queryset(queryset, request, view=view))
    return paginator.get_paginated_response(render(page))


def _product_or_404(product_id):
    services.active_product(product_id)


REVIEW_LIST_PARAMS = (*s.ReviewListFilter._declared_fields, "page", "per_page")


def _renders_plain_json(request):
    """The answer is what the envelope renderer writes for ``application/json`` (no ``indent``)."""
    return isinstance(request.accepted_renderer, EnvelopeJSONRenderer) and (
        request.accepted_media_type == EnvelopeJSONRenderer.media_type
    )


def _with_votes(request, data, votes=None):
    """A page of reviews with the viewer's vote on each (``votes``: looked up when not given)."""
    if votes is None:
        votes = selectors.my_votes(user=request.user, review_ids=[row["id"] for row in data["data"]])
    if votes:
        data = {**data, "data": [{**row, "my_vote": votes.get(row["id"])} for row in data["data"]]}
    return data


def _enveloped(data):
    response = Response(data)
    response.enveloped = True
    return response


def _render(request, view, data):
    """The bytes DRF would send for the enveloped ``data`` (as ``Response(data)`` with ``enveloped``)."""
    response = Response(data)
    response.enveloped = True
    context = {"view": view, "request": request, "response": response}
    return request.accepted_renderer.render(data, request.accepted_media_type, context)


# --- Reviews -------------------------------------------------------------------------------------


class ProductReviewsApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=REVIEW_TAGS,
        parameters=[s.ReviewListFilter],
        responses=s.ReviewOutput(many=True),
        summary="Approved reviews of a product",
    )
    def get(self, request, product_id):
        # The page as everyone sees it (no viewer's votes) is cached, rendered, under the product's
        # list version (``reviews.cache``); a signed-in viewer's votes are looked up for it each time.
        params = [(name, request.query_params.getlist(name)) for name in REVIEW_LIST_PARAMS]
        digest = rendered_key(request, "reviews", [(name, values) for name, values in params if values])
        entry, product, version = review_cache.list_lookup(product_id=product_id, digest=digest)
        if product is None:  # not in the catalog's cache: 404 unless active (and now it is cached)
            product = public_product_payload(product_id)
        brief = (product["name"], product["name_km"], product["slug"])
        if entry is None or entry["product"] != brief:
            filters = _valid(s.ReviewListFilter, request.query_params)
            reviews = selectors.reviews_for_product(product_id=product_id, **filters)
            paginator = PagePagination()
            page = list(paginator.paginate_queryset(reviews, request, view=self))
            data = paginator.get_paginated_response(output(s.ReviewOutput, page, request, many=True)).data
            if not _renders_plain_json(request):
                return _enveloped(_with_votes(request, data))
            entry = {"product": brief, "ids": [review.pk for review in page], "content": _render(request, self, data)}
            review_cache.list_store(product_id=product_id, digest=digest, version=version, entry=entry)
        votes = selectors.my_votes(user=request.user, review_ids=entry["ids"])
        if not votes and _renders_plain_json(request):
            return HttpResponse(entry["content"], content_type="application/json")
        return _enveloped(_with_votes(request, json.loads(entry["content"]), votes))

    @raises(
        FileErrorCode.FILE_NOT_AVAILABLE,
        ReviewErrorCode.FILE_NOT_USABLE,
        ReviewErrorCode.TOO_MANY_MEDIA,
        ReviewErrorCode.UNKNOWN_PRODUCTS,
        CatalogErrorCode.PRODUCT_NOT_FOUND,
        ReviewErrorCode.REVIEW_EXISTS,
    )
    @extend_schema(
        tags=REVIEW_TAGS,
        request=s.ReviewInput,
        responses={201: s.ReviewOutput},
        summary="Write a review (one per product)",
    )
    def post(self, request, product_id):
        data = _valid(s.ReviewInput, request.data)
        review = services.review_create(user=request.user, product_id=product_id, **data)
        review = selectors.review_get_visible(review_id=review.pk, user=request.user)
        return Response(output(s.ReviewOutput, review, request, own=True), status=status.HTTP_201_CREATED)


class ProductReviewSummaryApi(APIView):
    permission_classes = [AllowAny]

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=REVIEW_TAGS, responses=s.ReviewSummaryOutput, summary="Rating histogram, aspects, rates, by skin type"
    )
    def get(self, request, product_id):
        return Response(selectors.review_summary_cached(product_id=product_id, with_sentiment=True))


def _visible_review(request, review_id):
    review = selectors.review_get_visible(review_id=review_id, user=request.user)
    if review is None:
        raise ApplicationError(error_codes.REVIEW_NOT_FOUND, gettext("Review not found."))
    return review


class ReviewDetailApi(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @raises(ReviewErrorCode.REVIEW_NOT_FOUND)
    @extend_schema(tags=REVIEW_TAGS, responses=s.ReviewOutput, summary="One review (others' only when approved)")
    def get(self, request, review_id):
        review = _visible_review(request, review_id)
        own = request.user.is_authenticated and review.user_id == request.user.pk
        votes = selectors.my_votes(user=request.user, review_ids=[review.pk])
        return Response(output(s.ReviewOutput, review, request, own=own, review_votes=votes))

    @raises(
        FileErrorCode.FILE_NOT_AVAILABLE,
        ReviewErrorCode.FILE_NOT_USABLE,
        ReviewErrorCode.TOO_MANY_MEDIA,
        ReviewErrorCode.UNKNOWN_PRODUCTS,
        ReviewErrorCode.REVIEW_NOT_FOUND,
    )
    @extend_schema(
        tags=REVIEW_TAGS,
        request=s.ReviewUpdateInput,
        responses=s.ReviewOutput,
        summary="Edit own review (back to moderation)",
    )
    def put(self, request, review_id):
        data = _valid(s.ReviewUpdateInput, request.data, partial=request.method == "PATCH")
        services.review_update(user=request.user, review_id=review_id, **data)
        review = _visible_review(request, review_id)
        return Response(output(s.ReviewOutput, review, request, own=True))

    patch = put

    @raises(ReviewErrorCode.REVIEW_NOT_FOUND)
    @extend_schema(tags=REVIEW_TAGS, responses={204: None})
    def delete(self, request, review_id):
        services.review_delete(user=request.user, review_id=review_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _vote_stats(review, my_vote):
    total = review.helpful_votes_count + review.unhelpful_votes_count
    return {
        "review_id": review.pk,
        "helpful": review.helpful_votes_count,
        "unhelpful": review.unhelpful_votes_count,
        "total": total,
        "helpful_ratio": round(review.helpful_votes_count / total, 4) if total else 0.0,
        "my_vote": my_vote,
    }


class ReviewVoteApi(APIView):
    @raises(ReviewErrorCode.CANNOT_VOTE_OWN_CONTENT, ReviewErrorCode.REVIEW_NOT_FOUND, ReviewErrorCode.ALREADY_VOTED)
    @extend_schema(
        tags=REVIEW_TAGS,
        request=s.VoteInput,
        responses={201: s.VoteStatsOutput},
        summary="Vote helpful / unhelpful (switching allowed)",
    )
    def post(self, request, review_id):
        data = _valid(s.VoteInput, request.data)
        review, vote = services.review_vote(user=request.user, review_id=review_id, vote_type=data["vote_type"])
        return Response(_vote_stats(review, vote.vote_type), status=status.HTTP_201_CREATED)

    @raises(ReviewErrorCode.VOTE_NOT_FOUND)
    @extend_schema(tags=REVIEW_TAGS, responses={200: s.VoteStatsOutput}, summary="Withdraw my vote")
    def delete(self, request, review_id):
        review = services.review_vote_remove(user=request.user, review_id=review_id)
        return Response(_vote_stats(review, None))


class ReviewVotesApi(APIView):
    permission_classes = [AllowAny]

    @raises(ReviewErrorCode.REVIEW_NOT_FOUND)
    @extend_schema(tags=REVIEW_TAGS, responses=s.VoteStatsOutput, summary="Vote statistics")
    def get(self, request, review_id):
        review = Review.objects.filter(pk=review_id, status=ContentStatus.APPROVED).first()
        if review is None:
            raise ApplicationError(error_codes.REVIEW_NOT_FOUND, gettext("Review not found."))
        vote = selectors.my_votes(user=request.user, review_ids=[review.pk]).get(review.pk)
        return Response(_vote_stats(review, vote))


class ReviewReportApi(APIView):
    @raises(FeedbackErrorCode.REPORT_OWN_CONTENT, ReviewErrorCode.REVIEW_NOT_FOUND, FeedbackErrorCode.ALREADY_REPORTED)
    @extend_schema(
        tags=REVIEW_TAGS,
        request=s.ReportInput,
        responses={201: s.ReportedOutput},
        summary="Report a review to the moderators",
    )
    def post(self, request, review_id):
        data = _valid(s.ReportInput, request.data)
        services.review_report(user=request.user, review_id=review_id, **data)
        return Response({"reported": True}, status=status.HTTP_201_CREATED)


class MyReviewsApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(
        tags=REVIEW_TAGS, responses=s.ReviewOutput(many=True), summary="My reviews in every moderation state"
    )
    def get(self, request):
        reviews = selectors.user_reviews(user=request.user)
        return _paginate(
            self, request, reviews, lambda page: output(s.ReviewOutput, page, request, many=True, own=True)
        )


# --- Staff: reviews ------------------------------------------------------------------------------


class StaffReviewListApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}
    pagination_class = PagePagination  # for the schema: get() pages with it by hand
    pending_only = False

    @raises()
    @extend_schema(tags=STAFF_TAGS, parameters=[s.StaffReviewFilter], responses=s.ReviewOutput(many=True))
    def get(self, request):
        filters = _valid(s.StaffReviewFilter, request.query_params)
        if self.pending_only:
            filters["status"] = None
        reviews = selectors.staff_reviews(**filters)
        if self.pending_only:
            reviews = reviews.filter(status__in=[ContentStatus.PENDING, ContentStatus.FLAGGED])
        return _paginate(
            self, request, reviews, lambda page: output(s.ReviewOutput, page, request, many=True, own=True)
        )


@extend_schema_view(
    get=extend_schema(
        tags=STAFF_TAGS,
        parameters=[s.StaffReviewFilter],
        responses=s.ReviewOutput(many=True),
        summary="Reviews waiting for a decision (pending or flagged)",
        description="Takes the same filters as the full list, except that `status` is ignored.",
    )
)
class StaffPendingReviewListApi(StaffReviewListApi):
    pending_only = True


class StaffReviewDetailApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"DELETE": "reviews.delete_review"}

    @raises(ReviewErrorCode.REVIEW_NOT_FOUND)
    @extend_schema(
        tags=STAFF_TAGS,
        responses={204: None},
        summary="Delete a review",
        description="Removes the review, its photos (files deleted) and queue items; the product's rating and the "
        "author's counters and average rating are recomputed.",
    )
    def delete(self, request, review_id):
        services.review_delete(user=request.user, review_id=review_id, by_staff=True)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _StaffReviewActionApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "reviews.change_review"}
    handler = None

    @raises(ReviewErrorCode.REVIEW_NOT_FOUND, FeedbackErrorCode.MODERATION_ALREADY_DECIDED)
    @extend_schema(tags=STAFF_TAGS, request=s.DecisionInput, responses=s.ReviewOutput)
    def post(self, request, review_id):
        data = _valid(s.DecisionInput, request.data)
        review = Review.objects.filter(pk=review_id).first()
        if review is None:
            raise ApplicationError(error_codes.REVIEW_NOT_FOUND, gettext("Review not found."))
        type(self).handler(review=review, by=request.user, notes=data["notes"])
        review = selectors.review_queryset(all_media=True).get(pk=review_id)
        return Response(output(s.ReviewOutput, review, request, own=True))


class StaffReviewBulkDecisionApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "reviews.change_review"}

    @raises()
    @extend_schema(
        tags=STAFF_TAGS,
        request=s.ReviewBulkDecisionInput,
        responses=BulkResultOutput,
        summary="Approve or reject reviews by id",
        description="Each review is decided on its own; the answer lists what was done and what was skipped, and why.",
    )
    def post(self, request):
        data = _valid(s.ReviewBulkDecisionInput, request.data)
        result = services.reviews_bulk_decide(
            review_ids=data["ids"], action=data["action"], by=request.user, notes=data["notes"]
        )
        return Response(bulk_result(done=result["done"], skipped=result["skipped"]))


class StaffReviewApproveApi(_StaffReviewActionApi):
    handler = services.review_approve


class StaffReviewRejectApi(_StaffReviewActionApi):
    handler = services.review_reject


class StaffReviewFlagApi(_StaffReviewActionApi):
    handler = services.review_flag


class StaffReviewAnalyticsApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_review"}

    @raises()
    @extend_schema(tags=STAFF_TAGS, responses=s.ReviewAnalyticsOutput, summary="Review counts and top products")
    def get(self, request):
        return Response(selectors.review_analytics())


# --- Q&A -----------------------------------------------------------------------------------------


class ProductQuestionsApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=QA_TAGS,
        parameters=[s.QuestionListFilter],
        responses=s.QuestionOutput(many=True),
        summary="Approved questions of a product, each with its top answer",
    )
    def get(self, request, product_id):
        _product_or_404(product_id)
        filters = _valid(s.QuestionListFilter, request.query_params)
        questions = selectors.questions_for_product(product_id=product_id, **filters)

        def render(page):
            voted = selectors.my_question_votes(user=request.user, question_ids=[q.pk for q in page])
            answer_ids = [q.approved_answers[0].pk for q in page if q.approved_answers]
            answer_votes = selectors.my_answer_votes(user=request.user, answer_ids=answer_ids)
            return output(
                s.QuestionOutput,
                page,
                request,
                many=True,
                top_answer=True,
                voted_questions=voted,
                answer_votes=answer_votes,
            )

        return _paginate(self, request, questions, render)

    @raises(
        FileErrorCode.FILE_NOT_AVAILABLE,
        ReviewErrorCode.FILE_NOT_USABLE,
        ReviewErrorCode.TOO_MANY_MEDIA,
        CatalogErrorCode.PRODUCT_NOT_FOUND,
        SubscriptionErrorCode.QUOTA_EXCEEDED,
    )
    @extend_schema(
        tags=QA_TAGS,
        request=s.QuestionInput,
        responses={201: s.QuestionOutput},
        summary="Ask a question (category set automatically)",
    )
    def post(self, request, product_id):
        data = _valid(s.QuestionInput, request.data)
        question = qa.question_create(user=request.user, product_id=product_id, **data)
        return Response(output(s.QuestionOutput, question, request, own=True), status=status.HTTP_201_CREATED)


class QuestionDetailApi(APIView):
    permission_classes = [AllowAny]

    @raises(ReviewErrorCode.QUESTION_NOT_FOUND)
    @extend_schema(tags=QA_TAGS, responses=s.QuestionOutput, summary="One approved question")
    def get(self, request, question_id):
        question = qa.question_visible(question_id=question_id)
        voted = selectors.my_question_votes(user=request.user, question_ids=[question.pk])
        return Response(output(s.QuestionOutput, question, request, voted_questions=voted))


class QuestionAnswersApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @raises(ReviewErrorCode.QUESTION_NOT_FOUND)
    @extend_schema(
        tags=QA_TAGS,
        responses=s.AnswerOutput(many=True),
        summary="Approved answers: experts and staff-verified first",
    )
    def get(self, request, question_id):
        qa.question_visible(question_id=question_id)
        answers = selectors.answers_for_question(question_id=question_id)

        def render(page):
            votes = selectors.my_answer_votes(user=request.user, answer_ids=[a.pk for a in page])
            return output(s.AnswerOutput, page, request, many=True, answer_votes=votes)

        return _paginate(self, request, answers, render)

    @raises(
        FileErrorCode.FILE_NOT_AVAILABLE,
        ReviewErrorCode.FILE_NOT_USABLE,
        ReviewErrorCode.TOO_MANY_MEDIA,
        ReviewErrorCode.QUESTION_NOT_FOUND,
    )
    @extend_schema(tags=QA_TAGS, request=s.AnswerInput, responses={201: s.AnswerOutput}, summary="Answer a question")
    def post(self, request, question_id):
        data = _valid(s.AnswerInput, request.data)
        answer = qa.answer_create(user=request.user, question_id=question_id, **data)
        return Response(output(s.AnswerOutput, answer, request, own=True), status=status.HTTP_201_CREATED)


class QuestionVoteApi(APIView):
    @raises(ReviewErrorCode.CANNOT_VOTE_OWN_CONTENT, ReviewErrorCode.QUESTION_NOT_FOUND, ReviewErrorCode.ALREADY_VOTED)
    @extend_schema(
        tags=QA_TAGS, request=None, responses={201: s.QuestionVoteOutput}, summary="Mark a question helpful (once)"
    )
    def post(self, request, question_id):
        question = qa.question_vote(user=request.user, question_id=question_id)
        return Response({"question_id": question.pk, "helpful_votes": question.helpful_votes}, status=201)


class QuestionReportApi(APIView):
    @raises(
        FeedbackErrorCode.REPORT_OWN_CONTENT, ReviewErrorCode.QUESTION_NOT_FOUND, FeedbackErrorCode.ALREADY_REPORTED
    )
    @extend_schema(tags=QA_TAGS, request=s.ReportInput, responses={201: s.ReportedOutput}, summary="Report a question")
    def post(self, request, question_id):
        data = _valid(s.ReportInput, request.data)
        qa.question_report(user=request.user, question_id=question_id, **data)
        return Response({"reported": True}, status=status.HTTP_201_CREATED)


class AnswerVoteApi(APIView):
    @raises(ReviewErrorCode.CANNOT_VOTE_OWN_CONTENT, ReviewErrorCode.ANSWER_NOT_FOUND, ReviewErrorCode.ALREADY_VOTED)
    @extend_schema(
        tags=QA_TAGS,
        request=s.VoteInput,
        responses={201: s.AnswerVoteOutput},
        summary="Vote an answer helpful / unhelpful",
    )
    def post(self, request, answer_id):
        data = _valid(s.VoteInput, request.data)
        answer, vote = qa.answer_vote(user=request.user, answer_id=answer_id, vote_type=data["vote_type"])
        return Response(
            {
                "answer_id": answer.pk,
                "helpful_votes": answer.helpful_votes,
                "unhelpful_votes": answer.unhelpful_votes,
                "my_vote": vote.vote_type,
            },
            status=status.HTTP_201_CREATED,
        )


class AnswerReportApi(APIView):
    @raises(FeedbackErrorCode.REPORT_OWN_CONTENT, ReviewErrorCode.ANSWER_NOT_FOUND, FeedbackErrorCode.ALREADY_REPORTED)
    @extend_schema(tags=QA_TAGS, request=s.ReportInput, responses={201: s.ReportedOutput}, summary="Report an answer")
    def post(self, request, answer_id):
        data = _valid(s.ReportInput, request.data)
        qa.answer_report(user=request.user, answer_id=answer_id, **data)
        return Response({"reported": True}, status=status.HTTP_201_CREATED)


class StaffAnswerVerifyApi(APIView):
    permission_classes = [HasStaffPermission]
    required_permissions = {"POST": "reviews.verify_answer"}

    @raises(ReviewErrorCode.ANSWER_NOT_FOUND)
    @extend_schema(
        tags=STAFF_TAGS,
        request=s.VerifyInput,
        responses=s.AnswerOutput,
        summary="Mark an answer as verified by staff",
    )
    def post(self, request, answer_id):
        data = _valid(s.VerifyInput, request.data)
        answer = qa.answer_verify(answer_id=answer_id, by=request.user, **data)
        answer = selectors.answers_for_question(question_id=answer.question_id).filter(pk=answer.pk).first() or answer
        return Response(output(s.AnswerOutput, answer, request, own=True))


class StaffQuestionsAwaitingExpertApi(APIView):
    """The expert's inbox: approved questions without an approved expert answer."""

    permission_classes = [HasStaffPermission]
    required_permissions = {"GET": "reviews.view_question"}
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    class FilterSerializer(serializers.Serializer):
        product_id = serializers.IntegerField(required=False, min_value=1)

    @raises()
    @extend_schema(
        tags=STAFF_TAGS,
        parameters=[FilterSerializer],
        responses=s.QuestionOutput(many=True),
        summary="Questions waiting for an expert answer (most urgent, then oldest, first)",
    )
    def get(self, request):
        filters = _valid(self.FilterSerializer, request.query_params)
        questions = selectors.questions_awaiting_expert(**filters)
        return _paginate(
            self, request, questions, lambda page: output(s.QuestionOutput, page, request, many=True, top_answer=True)
        )


class MyQuestionsApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises()
    @extend_schema(
        tags=QA_TAGS, responses=s.QuestionOutput(many=True), summary="My questions in every moderation state"
    )
    def get(self, request):
        questions = Question.objects.filter(user=request.user).prefetch_related("media__file").order_by("-id")
        return _paginate(
            self, request, questions, lambda page: output(s.QuestionOutput, page, request, many=True, own=True)
        )


# --- Progress ------------------------------------------------------------------------------------


class ProgressStartApi(APIView):
    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND, ReviewErrorCode.PROGRESS_ALREADY_TRACKING)
    @extend_schema(
        tags=PROGRESS_TAGS,
        request=s.ProgressStartInput,
        responses={201: s.JournalOutput},
        summary="Start tracking a product",
    )
    def post(self, request, product_id):
        data = _valid(s.ProgressStartInput, request.data)
        journal = progress.progress_start(user=request.user, product_id=product_id, **data)
        return Response(
            output(s.JournalOutput, journal, request, own=True, with_entries=True), status=status.HTTP_201_CREATED
        )


class ProgressUpdateApi(APIView):
    @raises(
        FileErrorCode.FILE_NOT_AVAILABLE,
        ReviewErrorCode.FILE_NOT_USABLE,
        ReviewErrorCode.TOO_MANY_MEDIA,
        ReviewErrorCode.PROGRESS_NOT_FOUND,
        ReviewErrorCode.PROGRESS_NOT_ONGOING,
        ReviewErrorCode.PROGRESS_WEEK_EXISTS,
    )
    @extend_schema(
        tags=PROGRESS_TAGS,
        request=s.ProgressEntryInput,
        responses={201: s.ProgressEntryOutput},
        summary="Weekly entry (one per week, 1-52)",
    )
    def post(self, request):
        data = _valid(s.ProgressEntryInput, request.data)
        entry = progress.progress_entry_add(user=request.user, **data)
        entry = type(entry).objects.prefetch_related("media__file").get(pk=entry.pk)
        return Response(output(s.ProgressEntryOutput, entry, request, own=True), status=status.HTTP_201_CREATED)


class ProgressEntryApi(APIView):
    @raises(ReviewErrorCode.PROGRESS_NOT_FOUND)
    @extend_schema(
        tags=PROGRESS_TAGS,
        request=s.ProgressEntryUpdateInput,
        responses=s.ProgressEntryOutput,
        summary="Edit own weekly entry",
    )
    def patch(self, request, entry_id):
        data = _valid(s.ProgressEntryUpdateInput, request.data, partial=True)
        entry = progress.progress_entry_update(user=request.user, entry_id=entry_id, **data)
        entry = type(entry).objects.prefetch_related("media__file").get(pk=entry.pk)
        return Response(output(s.ProgressEntryOutput, entry, request, own=True))

    put = patch


class ProgressUserApi(APIView):
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises(ReviewErrorCode.PROGRESS_NOT_FOUND)
    @extend_schema(
        tags=PROGRESS_TAGS,
        parameters=[s.ProgressListFilter],
        responses=s.JournalOutput(many=True),
        summary="A user's journals with their entries (own only; moderators see anyone's)",
    )
    def get(self, request, user_id=None):
        if (
            user_id is not None
            and user_id != request.user.pk
            and not user_has_permission(request.user, "reviews.view_progressjournal")
        ):
            raise ApplicationError(error_codes.PROGRESS_NOT_FOUND, gettext("Progress not found."))
        from shop.accounts.models import User

        owner = request.user if user_id in (None, request.user.pk) else User.objects.filter(pk=user_id).first()
        if owner is None:
            raise ApplicationError(error_codes.PROGRESS_NOT_FOUND, gettext("Progress not found."))
        filters = _valid(s.ProgressListFilter, request.query_params)
        journals = selectors.journals_for_user(user=owner, **filters)
        return _paginate(
            self,
            request,
            journals,
            lambda page: output(s.JournalOutput, page, request, many=True, own=True, with_entries=True),
        )


class ProgressProductApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = PagePagination  # for the schema: get() pages with it by hand

    @raises(CatalogErrorCode.PRODUCT_NOT_FOUND)
    @extend_schema(
        tags=PROGRESS_TAGS,
        responses=s.JournalOutput(many=True),
        summary="Public journals for a product (approved public photos only)",
    )
    def get(self, request, product_id):
        _product_or_404(product_id)
        journals = selectors.journals_for_product(product_id=product_id)
        return _paginate(
            self,
            request,
            journals,
            lambda page: output(s.JournalOutput, page, request, many=True, with_entries=True),
        )


class ProgressPhotoApi(APIView):
    @raises(
        FileErrorCode.FILE_NOT_AVAILABLE,
        ReviewErrorCode.FILE_NOT_USABLE,
        ReviewErrorCode.TOO_MANY_MEDIA,
        ReviewErrorCode.PROGRESS_NOT_FOUND,
    )
    @extend_schema(
        tags=PROGRESS_TAGS,
        request=s.ProgressPhotosInput,
        responses={201: s.ProgressMediaOutput(many=True)},
        summary="Attach uploaded photos to an entry",
    )
    def post(self, request, entry_id):
        data = _valid(s.ProgressPhotosInput, request.data)
        media = progress.progress_photos_add(user=request.user, entry_id=entry_id, photos=data["photos"])
        return Response(
            output(s.ProgressMediaOutput, media, request, many=True, own=True), status=status.HTTP_201_CREATED
        )


class ProgressTimelineApi(APIView):
    permission_classes = [AllowAny]

    @raises(ReviewErrorCode.PROGRESS_NOT_FOUND)
    @extend_schema(
        tags=PROGRESS_TAGS, responses=s.JournalTimelineOutput, summary="Week-by-week timeline with a summary"
    )
    def get(self, request, journal_id):
        journal, own, _entries = selectors.journal_for_viewer(journal_id=journal_id, user=request.user)
        if journal is None:
            raise ApplicationError(error_codes.PROGRESS_NOT_FOUND, gettext("Progress journal not found."))
        return Response(output(s.JournalTimelineOutput, journal, request, own=own, with_entries=True))


class _ProgressFinishApi(APIView):
    handler = None

    @raises(ReviewErrorCode.PROGRESS_NOT_FOUND, ReviewErrorCode.PROGRESS_NOT_ONGOING)
    @extend_schema(tags=PROGRESS_TAGS, request=s.ProgressFinishInput, responses=s.JournalOutput)
    def post(self, request, journal_id):
        data = _valid(s.ProgressFinishInput, request.data)
        journal = type(self).handler(user=request.user, journal_id=journal_id, **data)
        return Response(output(s.JournalOutput, journal, request, own=True))


class ProgressCompleteApi(_ProgressFinishApi):
    handler = progress.progress_complete


class ProgressAbandonApi(_ProgressFinishApi):
    handler = progress.progress_abandon


# --- Removing one photo ----------------------------------------------------------------------------


class _MediaRemoveApi(APIView):
    kind = None
    parent_kwarg = None

    def delete(self, request, media_id, **kwargs):
        media.media_remove(user=request.user, kind=self.kind, parent_id=kwargs[self.parent_kwarg], media_id=media_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    delete=extend_schema(tags=REVIEW_TAGS, responses={204: None}, summary="Remove a photo from my review")
)
class ReviewMediaRemoveApi(_MediaRemoveApi):
    error_codes = {"delete": (ReviewErrorCode.MEDIA_NOT_FOUND,)}

    kind, parent_kwarg = "review", "review_id"


@extend_schema_view(
    delete=extend_schema(tags=PROGRESS_TAGS, responses={204: None}, summary="Remove a photo from my progress entry")
)
class ProgressMediaRemoveApi(_MediaRemoveApi):
    error_codes = {"delete": (ReviewErrorCode.MEDIA_NOT_FOUND,)}

    kind, parent_kwarg = "progress", "entry_id"


@extend_schema_view(
    delete=extend_schema(tags=QA_TAGS, responses={204: None}, summary="Remove a photo from my question")
)
class QuestionMediaRemoveApi(_MediaRemoveApi):
    error_codes = {"delete": (ReviewErrorCode.MEDIA_NOT_FOUND,)}

    kind, parent_kwarg = "question", "question_id"


@extend_schema_view(delete=extend_schema(tags=QA_TAGS, responses={204: None}, summary="Remove a photo from my answer"))
class AnswerMediaRemoveApi(_MediaRemoveApi):
    error_codes = {"delete": (ReviewErrorCode.MEDIA_NOT_FOUND,)}

    kind, parent_kwarg = "answer", "answer_id"
