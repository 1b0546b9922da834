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
        total = self.page.paginator.count
        per_page = self.page.paginator.per_page
        response = Response(
            {
                "status": "success",
                "data": data,
                "meta": {
                    "page": self.page.number,
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


def paginated_response(view, request, items, render=list):
    """Page a list or queryset by hand (``render`` turns the page into rows): every GET list answers ``meta``.

    The view sets ``pagination_class = PagePagination`` so the schema documents the page.
    """
    paginator = PagePagination()
    page = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(render(page))
