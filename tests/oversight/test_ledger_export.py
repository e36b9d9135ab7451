"""The ledger export, opened back with openpyxl and checked cell by cell."""

import datetime as dt

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oversight.ledger_export import headers
from oversight.models import ExportStatus, LedgerExport

from .scenario import NOW, clock

pytestmark = pytest.mark.django_db


def _export(client, user, query="", capture=None):
    client.force_login(user)
    # The job runs after commit; keep the clock on until it has.
    with clock(NOW), capture(execute=True):
        response = client.post(reverse("oversight:export-start"), {"query": query})
    assert response.status_code == 302
    export = LedgerExport.objects.get()
    client.force_login(user)  # the session saved under the test clock has expired by the real one
    return export


def _sheet(export):
    with export.file.open("rb") as handle:
        workbook = load_workbook(handle)
    return workbook.worksheets[0]


def test_export_every_cell_of_a_row(client, world, django_capture_on_commit_callbacks):
    export = _export(client, world.office, "source=supervisor_feedback", capture=django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.total == export.done == 9
    sheet = _sheet(export)
    assert [c.value for c in sheet[1]] == headers()
    assert headers()[:3] == ["编号", "问题来源", "来源文号"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["H"].width == 40
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    t2 = [c.value for c in rows[world.t2.number]]
    assert t2 == [
        world.t2.number, "监督反馈", None, world.s1.river.name, "一段", "一村", "河道垃圾", "河道内有垃圾", "甲河长",
        dt.datetime(2026, 3, 2, 11, 0), dt.datetime(2026, 3, 5, 23, 59, 59), "已销号", dt.datetime(2026, 3, 8, 10, 0),
        "逾期2天", 0, 1, 0,
    ]
    assert rows[world.t2.number][9].number_format == "yyyy-mm-dd hh:mm"
    assert rows[world.t4.number][13].value == "按期" and rows[world.t4.number][14].value == 1
    assert rows[world.t3.number][13].value == "逾期44天"  # due 02-20 23:59:59, now 04-05 10:00
    assert rows[world.t6.number][16].value == 2
    assert rows[world.t7.number][13].value == "" or rows[world.t7.number][13].value is None


def test_export_applies_the_list_filters(client, world, django_capture_on_commit_callbacks):
    export = _export(client, world.office, f"chief={world.b.pk}", capture=django_capture_on_commit_callbacks)
    numbers = [r[0].value for r in _sheet(export).iter_rows(min_row=2)]
    assert numbers == [world.t6.number]


def test_export_progress_and_download(client, world, django_capture_on_commit_callbacks):
    export = _export(client, world.office, capture=django_capture_on_commit_callbacks)
    status = client.get(reverse("oversight:export-status", args=[export.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["download"]
    response = client.get(status["download"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_chief_may_not_export(client, world):
    client.force_login(world.a)
    assert client.post(reverse("oversight:export-start"), {"query": ""}).status_code == 403
    assert client.get(reverse("oversight:ledger")).status_code == 403
