"""Pages whose count costs the same however many rows match (the web UI's lists and the API's).

A province's overdue list has ~100,000 tickets and a search for a common word ~10,000: counting them
all on every page made the count, not the page, the cost of a request, growing with the table.
The count stops at COUNT_CAP: ``SELECT count(*) FROM (SELECT id … LIMIT cap + 1)``. Beyond it the
count is a lower bound (``count_exact`` is False: "at least ``count``"), and pages past the cap still
work: a page reads one row more than it shows to know whether there is a next one. Every request
costs the same two queries (count, page), however many rows match.

Why 1,000: counting costs a visit per row counted. At a million tickets, counting a search to 10,000
took 30 ms of a 70 ms request (the page itself 8 ms); to 1,000 it takes a tenth of that. 1,000 rows
are 50 pages of 20: past that, people narrow the filter rather than page, and province-wide figures
come from the reports, not from a list's count.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedPage(Page):
    """A page that knows whether another follows without knowing how many rows there are."""

    more = None  # set when the count stopped at the cap

    def has_next(self):
        return super().has_next() if self.more is None else self.more

    def end_index(self):
        if self.more is None:
            return super().end_index()
        # Past the cap the last page is not num_pages: the rows read say where this one ends.
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0

    def count_at_least(self):
        """The rows known to exist: the capped count, or more on a page that lies past the cap (a list
        must not say "rows 1,026–1,050 of at least 1,000")."""
        return max(self.paginator.count, self.end_index())


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

    def get_page(self, number):
        """Always a page, as Paginator.get_page: a bad number is page 1; out of range, the last page.
        Past the cap the last page is unknown (finding it means counting every row, the cost the cap
        avoids), so a number past the rows gets the last page the count vouches for: num_pages, whose
        rows lie within the cap, with a link to the next."""
        if self.count_exact:
            return super().get_page(number)
        try:
            number = self.validate_number(number)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = self.num_pages
        try:
            return self.page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)
