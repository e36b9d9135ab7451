"""The ticket search (?q=): the bigram index on PostgreSQL finds exactly what plain icontains found."""

import pytest
from django.db import connection
from django.db.models import Q

from tests.factories import open_ticket
from tickets.models import Ticket
from workflows.filters import TicketFilter

pytestmark = pytest.mark.django_db

DESCRIPTIONS = [
    "河道内有油污,请尽快清理",
    "岸边堆放建筑垃圾",
    "油 污分开写的不算",  # the pair 油污 is not in it
    "生活污水直排",
    "Plastic BAGS in the water",
    "100% 漂浮物_待核实",
    "油",
]
QUERIES = [
    "油污", "垃圾", "污水", "污", "油", "建筑垃圾", "plastic", "bags in", "BAGS", "s i", "100%", "%", "_", "物_待",
    "ZG-", "-0000", "检察", "JC〔2026〕", "〔2026〕7号", "没有这个词", "垃圾 岸边", "清理\n岸边",
]


@pytest.fixture
def tickets(office, segment):
    made = [open_ticket(reporter=office, segment=segment, description=text) for text in DESCRIPTIONS]
    made.append(open_ticket(reporter=office, segment=segment, description="督办", source="procuratorate_advice",
                            source_reference="检察建议 JC〔2026〕7号"))
    return made


def searched(value):
    return set(TicketFilter({"q": value}, queryset=Ticket.objects.all()).qs.values_list("number", flat=True))


def plain_icontains(value):
    value = value.strip()
    return set(
        Ticket.objects.filter(
            Q(number__icontains=value) | Q(description__icontains=value) | Q(source_reference__icontains=value)
        ).values_list("number", flat=True)
    )


def test_search_finds_what_icontains_finds(tickets):
    for value in QUERIES:
        assert searched(value) == plain_icontains(value), value
    assert len(searched("油污")) == 1
    assert searched("检察") == {tickets[-1].number}
    assert searched(tickets[3].number) == {tickets[3].number}


def test_search_through_the_api(tickets, office, api_for):
    response = api_for(office).get("/api/tickets/", {"q": "垃圾"})
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [tickets[1].number]


@pytest.mark.postgres
def test_two_character_search_uses_the_bigram_index(tickets):
    sql, params = TicketFilter({"q": "油污"}, queryset=Ticket.objects.all()).qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of rows: the planner would rightly scan them (or walk the date index for the order);
        # forbid both to see that the bigram index can serve the condition.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_search_bigrams_idx" in plan, plan


@pytest.mark.postgres
def test_pairs_are_upper_cased_like_icontains():
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_bigrams('ab油'), search_bigrams('a'), search_bigrams('x', 'y')")
        assert cursor.fetchone() == (["AB", "B油"], [], ["X\n", "\nY"])
