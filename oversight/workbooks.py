"""Bulletin and assessment as Excel workbooks, written from the same data the pages show."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .xlsx import pct_cell, setup_sheet

FIGURE_COLUMNS = [
    ("received", "收到问题"), ("closed", "销号"), ("closed_on_time", "按期销号"), ("still_open", "未销号"),
    ("overdue", "逾期"), ("escalated", "被督办"), ("rejected", "退回次数"), ("extensions", "延期次数"),
]
RATE_COLUMNS = [("resolution_rate", "问题解决率"), ("on_time_rate", "按期整改率"), ("patrol_rate", "巡河率")]


def _figure_headers():
    return [_(h) for _k, h in FIGURE_COLUMNS] + [_("应巡次数"), _("有效巡河")] + [_(h) for _k, h in RATE_COLUMNS]


def _figure_cells(sheet, row):
    return ([row.get(k, 0) for k, _h in FIGURE_COLUMNS] + [row.get("patrol_required", 0), row.get("patrol_done", 0)]
            + [pct_cell(sheet, row.get(k)) for k, _h in RATE_COLUMNS])


def bulletin_workbook(snapshot):
    workbook = Workbook(write_only=True)
    chiefs = workbook.create_sheet(_("按河长"))
    setup_sheet(chiefs, [_("河长"), _("所任河段"), *_figure_headers(), _("通报事项")], [10, 30] + [10] * 13 + [50])
    for row in snapshot["chiefs"]:
        chiefs.append([row["name"], "、".join(row["held"]), *_figure_cells(chiefs, row), ";".join(row["shortfalls"])])
    areas = workbook.create_sheet(_("按区域"))
    setup_sheet(areas, [_("区域"), *_figure_headers()], [18] + [10] * 13)
    for row in snapshot["areas"]:
        areas.append(["  " * row["depth"] + row["name"], *_figure_cells(areas, row)])
    named = workbook.create_sheet(_("通报点名"))
    setup_sheet(named, [_("河长"), _("事项")], [12, 80])
    for item in snapshot["named"]:
        named.append([item["name"], ";".join(item["reasons"])])
    return _bytes(workbook)


def assessment_workbook(rows, weights):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("考核排名"))
    headers = [_("名次"), _("河长"), _("得分"), _("巡河率"), _("问题解决率"), _("按期整改率"), _("未被督办率"),
               _("收到问题"), _("销号"), _("逾期"), _("被督办")]
    setup_sheet(sheet, headers, [7, 10, 8, 10, 11, 11, 11, 9, 8, 8, 8])
    for row in rows:
        c = row["components"]
        sheet.append([
            row["rank"], row["name"], row["score"], pct_cell(sheet, c["patrol_rate"]),
            pct_cell(sheet, c["resolution_rate"]), pct_cell(sheet, c["on_time_rate"]),
            pct_cell(sheet, c["escalation"]), row["received"], row["closed"], row["overdue"], row["escalated"],
        ])
    note = workbook.create_sheet(_("权重"))
    note.append([_("巡河率"), weights.patrol_rate])
    note.append([_("问题解决率"), weights.resolution_rate])
    note.append([_("按期整改率"), weights.on_time_rate])
    note.append([_("未被督办率"), weights.escalation])
    return _bytes(workbook)


def _bytes(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
