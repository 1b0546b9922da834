import math

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class PagePagination(PageNumberPagination):
    """``?page=&per_page=`` (max 100); the envelope gets ``meta`` with the totals."""

    page_size_query_param = "per_page"
    max_page_size = 100

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
