"""The API's pages: DRF's page-number pagination over the capped paginator the web UI's lists use
(workflows/pagination.py says why a count stops at COUNT_CAP), with ``count_exact`` in the response."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from workflows.pagination import COUNT_CAP, CappedPage, CappedPaginator

__all__ = ["COUNT_CAP", "CappedPage", "CappedPaginator", "PageNumber"]


class PageNumber(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response({
            "count": paginator.count,
            "count_exact": paginator.count_exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "count_exact", "results"]
        response["properties"]["count"] = {
            "type": "integer",
            "example": 123,
            "description": (
                f"结果条数;超过 {COUNT_CAP} 条时只数到 {COUNT_CAP},即“至少 {COUNT_CAP} 条” / "
                f"the number of results, counted up to {COUNT_CAP}: when count_exact is false there are "
                f"at least this many."
            ),
        }
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "example": True,
                "description": "false:count 为下限(至少这么多条) / false: count is a lower bound (at least).",
            },
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        return response
