from skincare.api import error_codes
from skincare.api.exceptions import ApiError
from skincare.api.pagination import PagePagination


class StrictPagePagination(PagePagination):
    """``PagePagination`` that answers 400 for a bad ``per_page`` instead of clamping it."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ApiError(
                error_codes.VALIDATION_ERROR,
                f"per_page must be an integer from 1 to {self.max_page_size}.",
                errors={self.page_size_query_param: [f"Expected 1..{self.max_page_size}."]},
            )
        return size
