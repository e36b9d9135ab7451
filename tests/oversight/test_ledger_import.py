"""Batch import: all rows or none, errors name the row and the column."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from oversight.ledger_import import ImportRejected, import_problems
from tickets.models import Ticket
from workflows.selectors import open_task

from .scenario import NOW, clock

pytestmark = pytest.mark.django_db


def _upload(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["河段编码*", "问题来源*", "来源文号", "收到日期", "问题类别*", "严重程度", "问题描述*", "地点描述", "纬度", "经度"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("problems.xlsx", buffer.getvalue())


GOOD = [
    ["S1", "省级督办", "省河长办督〔2026〕3号", "2026-04-01", "乱堆", "较重", "河滩堆放建筑垃圾", "一村桥下", 30.1, 120.2],
    ["S2", "provincial_notice", "省河长办督〔2026〕3号", None, "乱建", None, "河道管理范围内违建", "", None, None],
]


def test_good_batch_opens_every_ticket_through_the_flow(world):
    before = Ticket.objects.count()
    with clock(NOW):
        tickets = import_problems(actor=world.office, upload=_upload(GOOD))
    assert Ticket.objects.count() == before + 2
    first = Ticket.objects.get(pk=tickets[0].pk)
    assert (first.source, first.category, first.severity, str(first.received_on)) == (
        "provincial_notice", "illegal_dumping", "serious", "2026-04-01")
    assert open_task(first).flow_task.name == "assign"


def test_one_bad_row_saves_nothing_and_names_row_and_column(world):
    rows = [*GOOD, ["S1", "省级督办", "督〔2026〕4号", None, "乱扔", None, "描述", None, None, None]]
    before = Ticket.objects.count()
    with clock(NOW), pytest.raises(ImportRejected) as caught:
        import_problems(actor=world.office, upload=_upload(rows))
    assert Ticket.objects.count() == before
    assert [(e.row, e.column) for e in caught.value.errors] == [(4, "问题类别")]
    assert "第 4 行「问题类别」" in str(caught.value.errors[0])


def test_every_bad_cell_is_reported(world):
    rows = [["S9", "检察建议", None, "明天", None, None, "", None, 91, None]]
    with clock(NOW), pytest.raises(ImportRejected) as caught:
        import_problems(actor=world.office, upload=_upload(rows))
    assert {e.column for e in caught.value.errors} == {"河段编码", "来源文号", "收到日期", "问题类别", "问题描述", "纬度"}


def test_upload_page_reports_the_row(client, world):
    client.force_login(world.office)
    bad = [*GOOD, ["S1", "群众举报", None, None, "乱堆", None, "", None, None, None]]
    before = Ticket.objects.count()
    with clock(NOW):
        response = client.post(reverse("oversight:import"), {"file": _upload(bad)})
    assert response.status_code == 400
    assert "第 4 行「问题描述」" in response.content.decode()
    assert Ticket.objects.count() == before


def test_template_downloads_with_headers(client, world):
    client.force_login(world.office)
    response = client.get(reverse("oversight:import-template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:2] == ["河段编码*", "问题来源*"]
    assert sheet.freeze_panes == "A2"
