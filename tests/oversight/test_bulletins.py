"""Bulletins: generate, publish (frozen, chiefs named are notified), beat entry, pages and access."""

import datetime as dt

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from notifications.models import Notification
from oversight import periods
from oversight.bulletins import bulletin_generate, bulletin_publish
from oversight.models import Bulletin
from oversight.tasks import generate_monthly_bulletin
from tickets import services
from tickets.errors import TicketPermissionDenied, TicketStateConflict

from .scenario import NOW, at, clock

pytestmark = pytest.mark.django_db

MARCH = periods.month(2026, 3)


def test_published_bulletin_is_frozen(world):
    with clock(NOW):
        bulletin = bulletin_generate(period=MARCH, actor=world.office)
        bulletin_publish(bulletin=bulletin, actor=world.office)
    frozen = Bulletin.objects.get(pk=bulletin.pk).snapshot
    # Later edits: T5 is closed, and a late-entered March problem appears.
    with clock(at(4, 6)):
        services.ticket_open(reporter=world.office, segment=world.s1, source="public_report", category="garbage",
                             description="补录", received_on=dt.date(2026, 3, 30))
    with clock(at(4, 7)):
        bulletin_generate(period=MARCH, actor=world.office)
        bulletin_generate(period=MARCH)
    assert Bulletin.objects.get(pk=bulletin.pk).snapshot == frozen
    assert Bulletin.objects.count() == 1
    with clock(at(4, 8)), pytest.raises(TicketStateConflict):
        bulletin_publish(bulletin=bulletin, actor=world.office)


def test_draft_is_regenerated(world):
    with clock(NOW):
        draft = bulletin_generate(period=MARCH)
    totals = draft.snapshot["totals"]
    with clock(at(4, 6)):
        t5 = services.ticket_start(ticket=world.t5, actor=world.a)
    with clock(at(4, 7)):
        again = bulletin_generate(period=MARCH)
    assert again.pk == draft.pk
    assert again.snapshot["generated_at"] != draft.snapshot["generated_at"]
    assert again.snapshot["totals"]["received"] == totals["received"]
    assert t5.state == "rectifying"


def test_publishing_notifies_the_chiefs_it_names(world):
    with clock(NOW):
        bulletin = bulletin_generate(period=MARCH)
        bulletin_publish(bulletin=bulletin, actor=world.office)
    notes = Notification.objects.filter(kind="bulletin")
    assert {n.recipient_id for n in notes} == {world.a.pk, world.b.pk}
    note = notes.get(recipient=world.a)
    assert "2026年3月" in note.title and "巡河不及时" in note.body
    assert note.link == reverse("oversight:bulletin", args=[bulletin.pk])


def test_only_the_office_generates_and_publishes(world):
    with clock(NOW), pytest.raises(TicketPermissionDenied):
        bulletin_generate(period=MARCH, actor=world.a)
    with clock(NOW):
        bulletin = bulletin_generate(period=MARCH)
    with clock(NOW), pytest.raises(TicketPermissionDenied):
        bulletin_publish(bulletin=bulletin, actor=world.a)


def test_beat_entry_and_task_draft_the_previous_month(world):
    entry = PeriodicTask.objects.get(task="oversight.tasks.generate_monthly_bulletin")
    assert (entry.crontab.day_of_month, entry.crontab.hour, entry.enabled) == ("1", "1", True)
    with clock(at(4, 1, 1, 30)):
        pk = generate_monthly_bulletin.delay().get()
    bulletin = Bulletin.objects.get(pk=pk)
    assert (bulletin.period_kind, bulletin.period_start, bulletin.status) == ("month", dt.date(2026, 3, 1), "draft")


def test_pages_excel_and_print(client, world):
    with clock(NOW):
        bulletin = bulletin_generate(period=MARCH)
    client.force_login(world.office)
    page = client.get(reverse("oversight:bulletin", args=[bulletin.pk])).content.decode()
    assert "甲河长" in page and "问题解决率 = 销号" in page and "60.0%" in page
    printable = client.get(reverse("oversight:bulletin", args=[bulletin.pk]) + "?print=1").content.decode()
    assert "<!DOCTYPE html>" in printable and "甲河长" in printable
    response = client.get(reverse("oversight:bulletin-xlsx", args=[bulletin.pk]))
    import io

    workbook = load_workbook(io.BytesIO(response.content))
    chiefs = workbook["按河长"]
    row = next(r for r in chiefs.iter_rows(min_row=2, values_only=True) if r[0] == "甲河长")
    assert row[2:10] == (4, 3, 2, 2, 1, 0, 1, 1)
    assert row[12:15] == (pytest.approx(0.6), pytest.approx(2 / 3), pytest.approx(0.6))
    assert [r[0] for r in workbook["通报点名"].iter_rows(min_row=2, values_only=True)] == ["甲河长", "乙河长"]


def test_chiefs_see_published_bulletins_only(client, world):
    with clock(NOW):
        draft = bulletin_generate(period=MARCH)
        published = bulletin_generate(period=periods.month(2026, 2))
        bulletin_publish(bulletin=published, actor=world.office)
    client.force_login(world.a)
    assert client.get(reverse("oversight:bulletin", args=[draft.pk])).status_code == 404
    assert client.get(reverse("oversight:bulletin", args=[published.pk])).status_code == 200
    assert client.post(reverse("oversight:bulletin-publish", args=[draft.pk])).status_code == 403
    listing = client.get(reverse("oversight:bulletins")).content.decode()
    assert "2026年2月" in listing and "2026年3月" not in listing


def test_generate_and_publish_through_the_pages(client, world):
    client.force_login(world.office)
    with clock(NOW):
        response = client.post(reverse("oversight:bulletin-generate"), {"period": "2026-03", "area": world.v1.pk})
    bulletin = Bulletin.objects.get()
    assert response.url == reverse("oversight:bulletin", args=[bulletin.pk])
    assert bulletin.area == world.v1
    client.force_login(world.office)
    client.post(reverse("oversight:bulletin-publish", args=[bulletin.pk]))
    bulletin.refresh_from_db()
    assert bulletin.is_published
