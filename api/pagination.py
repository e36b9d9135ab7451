"""Pages whose count costs the same however many rows match.

A province's overdue list has ~100,000 tickets and a search for a common word ~10,000: counting them
all on every page made the count, not the page, the cost of a request, growing with the table.
The count stops at COUNT_CAP: ``SELECT count(*) FROM (SELECT id … LIMIT cap + 1)``. Beyond it the
response says ``count_exact: false`` ("at least ``count``"), and pages past the cap still work: a
page reads one row more than it shows to know whether there is a next one. Every request costs the
same two queries (count, page), however many rows match.

Why 1,000: counting costs a visit per row counted. At a million tickets, counting a search to 10,000
took 30 ms of a 70 ms request (the page itself 8 ms); to 1,000 it takes a tenth of that. 1,000 rows
are 50 pages of 20: past that, people narrow the filter rather than page, and province-wide figures
come from the reports, not from a list's count.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 1_000


class CappedPage(Page):
    """A page that knows whether another follows without knowing how many rows there are."""

    more = None  # set when the count stopped at the cap

    def has_next(self):
        return super().has_next() if self.more is None else self.more


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def _counted(self):
        rows = self.object_list
        if not hasattr(rows, "values"):  # a list: its length costs nothing
            return len(rows), True
        # Only the ids, unordered: the count neither joins nor sorts what a row shows.
        n = rows.order_by().values("pk")[: self.cap + 1].count()
        return min(n, self.cap), n <= self.cap

    @property
    def count(self):
        return self._counted[0]

    @property
    def count_exact(self):
        return self._counted[1]

    def validate_number(self, number):
        if self.count_exact:
            return super().validate_number(number)
        # Past the cap the number of pages is unknown: any page may exist, an empty one is a 404 (page()).
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if self.count_exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)


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
