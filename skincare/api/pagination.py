import math

from django.utils.translation import gettext
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from skincare.api import error_codes
from skincare.errors import ApplicationError


class PagePagination(PageNumberPagination):
    """``?page=&per_page=`` (1..100); the envelope gets ``meta`` with the totals.

    A bad ``per_page`` answers 400 rather than being silently clamped.
    """

    page_size_query_param = "per_page"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ApplicationError(
                error_codes.VALIDATION_ERROR,
                gettext("per_page must be an integer from 1 to %(max)d.") % {"max": self.max_page_size},
                errors={self.page_size_query_param: [gettext("Expected 1..%(max)d.") % {"max": self.max_page_size}]},
            )
        return size

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return self.page_response(data, number=self.page.number, per_page=paginator.per_page, total=paginator.count)

    @staticmethod
    def page_response(data, *, number, per_page, total):
        """The envelope of one page whose rows and total the view fetched itself (same ``meta``)."""
        response = Response(
            {
                "status": "success",
                "data": data,
                "meta": {
                    "page": number,
                    "per_page": per_page,
                    "total": total,
                    "total_pages": max(1, math.ceil(total / per_page)) if per_page else 1,
                },
            }
        )
        response.enveloped = True
        return response

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["status", "data", "meta"],
            "properties": {
                "status": {"type": "string", "enum": ["success"]},
                "data": schema,
                "meta": {"$ref": "#/components/schemas/PageMeta"},
            },
        }


def plain_page_number(params):
    """``page`` when it is absent (1) or a whole number from 1, else None: ``page=last`` and anything else are
    left to ``PagePagination`` (its answers and errors). For views that fetch a page and its total themselves."""
    raw = params.get("page") or "1"
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        return None
    return int(raw)


def paginated_response(view, request, items, render=list):
    """Page a list or queryset by hand (``render`` turns the page into rows): every GET list answers ``meta``.

    The view sets ``pagination_class = PagePagination`` so the schema documents the page.
    """
    paginator = PagePagination()
    page = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(render(page))
