import pytest
from django.urls import reverse

from patrols.models import Patrol
from tests.factories import AppointmentFactory, UserFactory
from tests.oversight.scenario import at, clock

pytestmark = pytest.mark.django_db


def test_chief_records_a_patrol_in_the_ui(client, segment):
    chief = AppointmentFactory(segment=segment, chief__username="chief").chief
    client.force_login(chief)
    with clock(at(3, 20, 12)):
        response = client.post(reverse("patrols:create"), {
            "segment": segment.pk, "started_at": "2026-03-20 09:00", "ended_at": "2026-03-20 09:40",
            "distance_m": 2500, "notes": "", "finding_category": "garbage", "finding_description": "垃圾",
        })
    patrol = Patrol.objects.get()
    assert response.status_code == 302 and response.url == reverse("patrols:detail", args=[patrol.pk])
    client.force_login(chief)
    page = client.get(response.url).content.decode()
    assert patrol.findings.get().ticket.number in page


def test_chiefs_see_only_their_own_patrols(client, world):
    client.force_login(world.b)
    page = client.get(reverse("patrols:list")).content.decode()
    assert "一段" not in page
    mine = Patrol.objects.filter(chief=world.a).first()
    assert client.get(reverse("patrols:detail", args=[mine.pk])).status_code == 404
    client.force_login(world.office)
    assert client.get(reverse("patrols:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("patrols:list") + "?invalid=1").status_code == 200


def test_office_needs_to_name_the_chief(client, segment):
    office = UserFactory(username="office", roles=["office"])
    client.force_login(office)
    response = client.post(reverse("patrols:create"), {"segment": segment.pk, "started_at": "2026-03-20 09:00",
                                                       "ended_at": "2026-03-20 09:40", "distance_m": 2500})
    assert response.status_code == 200 and not Patrol.objects.exists()


def test_the_patrol_list_counts_no_further_than_the_cap_and_still_pages_on(client, world, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflows.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 1)
    client.force_login(world.office)
    total = Patrol.objects.count()
    assert total > 1
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("patrols:list"))
    (count_sql,) = [q["sql"] for q in queries.captured_queries
                    if "COUNT(" in q["sql"].upper() and '"patrols_patrol"' in q["sql"]]
    assert "LIMIT 2" in count_sql  # the cap and one more, however many patrols there are
    assert first.context["page_obj"].paginator.count_exact is False
    assert len(first.context["patrols"]) == min(total, 30)
