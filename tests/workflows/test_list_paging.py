"""The web UI's ticket list pages with the capped paginator (workflows/pagination.py): an exact count
below the cap, "at least" above it, pages past the cap still served, and a page's queries the same
however many tickets match. A small cap and page size stand in for 1,000 and 25."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import open_ticket
from workflows.pagination import CappedPaginator
from workflows.views import ticket_list

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(ticket_list, "PAGE_SIZE", 2)
    monkeypatch.setattr(CappedPaginator, "cap", 3)


@pytest.fixture
def make_tickets(office, segment):
    def make(n):
        return [open_ticket(reporter=office, segment=segment) for _ in range(n)]

    return make


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def numbers(response):
    return [t.number for t in response.context["tickets"]]


def newest_first(tickets):
    return [t.number for t in sorted(tickets, key=lambda t: (t.reported_at, t.pk), reverse=True)]


def test_below_the_cap_the_count_is_exact(office_client, make_tickets, small_pages):
    made = newest_first(make_tickets(3))
    first = office_client.get(LIST)
    html = first.content.decode()
    assert first.context["paginator"].count_exact and first.context["paginator"].count == 3
    assert "共 3 件" in html and "第 1–2 件,共 3 件" in html and "至少" not in html
    assert 'rel="next"' in html and 'rel="last"' in html  # the number of pages is known
    second = office_client.get(LIST, {"page": 2})
    assert numbers(first) + numbers(second) == made
    assert 'rel="next"' not in second.content.decode()
    # Forgiving, as Paginator.get_page: past the end is the last page, a bad number the first.
    assert numbers(office_client.get(LIST, {"page": 99})) == numbers(second)
    assert numbers(office_client.get(LIST, {"page": "x"})) == numbers(first)


def test_above_the_cap_it_says_at_least_and_pages_go_on(office_client, make_tickets, small_pages):
    made = newest_first(make_tickets(5))
    first = office_client.get(LIST)
    html = first.content.decode()
    paginator = first.context["paginator"]
    assert (paginator.count, paginator.count_exact) == (3, False)
    assert "至少 3 件" in html and "第 1–2 件,至少 3 件" in html and "共 3 件" not in html
    assert 'rel="next"' in html and 'rel="last"' not in html  # the number of pages is unknown

    seen, page, footers = [], 1, []
    while True:
        response = office_client.get(LIST, {"page": page})
        assert response.status_code == 200 and response.context["page_obj"].number == page
        seen += numbers(response)
        footers.append(response.context["page_obj"].end_index())
        if 'rel="next"' not in response.content.decode():
            break
        page += 1
    assert seen == made  # page 3 lies past the cap and is served; it is the last
    assert footers == [2, 4, 5]
    # A page past the cap names the rows it shows, never "rows 5–5 of at least 3".
    assert "第 5–5 件,至少 5 件" in response.content.decode() and "至少 5 件" in response.content.decode()
    assert 'rel="prev"' in response.content.decode() and 'rel="first"' in response.content.decode()


def test_past_the_rows_beyond_the_cap_is_the_last_page_the_count_vouches_for(office_client, make_tickets,
                                                                             small_pages):
    made = newest_first(make_tickets(5))
    # The real last page would take counting every row: page 2 (rows 3–4, within the cap of 3) is known to exist.
    for page in (4, 99, 0, -1):
        response = office_client.get(LIST, {"page": page})
        assert response.status_code == 200
        assert response.context["page_obj"].number == 2 and numbers(response) == made[2:4]
        assert 'rel="next"' in response.content.decode()
    assert numbers(office_client.get(LIST, {"page": "x"})) == made[:2]


def list_queries(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params or {}).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_a_page_costs_the_same_queries_however_many_rows_match(office_client, make_tickets, small_pages):
    make_tickets(2)
    list_queries(office_client)  # warm the per-process caches (session, calendar): not a page's cost
    exact = list_queries(office_client)
    make_tickets(6)  # 8 rows, past the cap of 3
    capped = list_queries(office_client)
    past_the_cap = list_queries(office_client, {"page": 4})
    assert len(capped) == len(exact) and len(past_the_cap) == len(exact)
    # The count reads at most cap + 1 ids, not every matching row.
    def ticket_counts(queries):
        return [sql.upper() for sql in queries if "COUNT(" in sql.upper() and '"TICKETS_TICKET"' in sql.upper()]

    assert len(ticket_counts(capped)) == 1 and "LIMIT 4" in ticket_counts(capped)[0]
    assert len(ticket_counts(past_the_cap)) == 1 and "LIMIT 4" in ticket_counts(past_the_cap)[0]


def test_at_least_in_english(office_client, make_tickets, small_pages):
    make_tickets(5)
    office_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = office_client.get(LIST).content.decode()
    assert "at least 3 tickets" in html and "1–2 of at least 3" in html
    assert "至少" not in html and "rel=\"last\"" not in html and "Next" in html
    html = office_client.get(LIST, {"page": 3}).content.decode()
    assert "5–5 of at least 5" in html and "First" in html


HOME = reverse("tickets:home")


def queue_rows(response):
    html = response.content.decode()
    queue = html[html.index('id="hz-queue"'):]
    return queue.count('class="hz-ticket-row"')


def test_the_home_page_shows_the_oldest_of_a_long_queue_and_how_many_there_are(
    office_client, make_tickets, monkeypatch
):
    from workflows.views import home

    monkeypatch.setattr(home, "LIST_SHOWN", 2)
    make_tickets(2)
    response = office_client.get(HOME)
    assert queue_rows(response) == 2
    assert "全部 2 件" not in response.content.decode()  # everything is on the page: no link to more

    make_tickets(1)
    with CaptureQueriesContext(connection) as three:
        response = office_client.get(HOME)
    assert queue_rows(response) == 2
    assert "?state=reported&amp;ordering=reported_at" in response.content.decode()
    assert "全部 3 件" in response.content.decode()

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    make_tickets(3)
    with CaptureQueriesContext(connection) as six:
        response = office_client.get(HOME)
    assert queue_rows(response) == 2
    assert "全部(至少 3 件)" in response.content.decode()
    # The oldest reports first, and the page costs the same however long the queue is.
    assert len(six.captured_queries) == len(three.captured_queries)


def test_the_home_page_says_at_least_in_english(office_client, make_tickets, monkeypatch):
    from workflows.views import home

    monkeypatch.setattr(home, "LIST_SHOWN", 1)
    monkeypatch.setattr(CappedPaginator, "cap", 1)
    make_tickets(3)
    office_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "all (at least 1 ticket)" in office_client.get(HOME).content.decode()
