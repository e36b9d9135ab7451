"""Importing a batch of problems from Excel (a provincial notice, an inspection's list).

Every row is checked before anything is written; then all rows are opened in one transaction,
through the same service as the form, or none are. Errors name the Excel row and column.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from tickets.errors import TicketValidationError
from tickets.models import Category, Segment, Severity, Source
from workflows import services as flow_services

from .xlsx import HEADER_FONT

MAX_ROWS = 2000

# (field, header, required, width)
COLUMNS = [
    ("segment", gettext_lazy("河段编码"), True, 12),
    ("source", gettext_lazy("问题来源"), True, 12),
    ("source_reference", gettext_lazy("来源文号"), False, 22),
    ("received_on", gettext_lazy("收到日期"), False, 12),
    ("category", gettext_lazy("问题类别"), True, 14),
    ("severity", gettext_lazy("严重程度"), False, 10),
    ("description", gettext_lazy("问题描述"), True, 50),
    ("address", gettext_lazy("地点描述"), False, 24),
    ("latitude", gettext_lazy("纬度"), False, 11),
    ("longitude", gettext_lazy("经度"), False, 11),
]
SOURCES_WITH_REFERENCE = {Source.PROCURATORATE_ADVICE, Source.PROVINCIAL_NOTICE}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("第 %(row)s 行「%(column)s」:%(message)s") % {
            "row": self.row, "column": self.column, "message": self.message,
        }


class ImportRejected(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


def header_of(field):
    return str(next(h for f, h, _r, _w in COLUMNS if f == field))


def template_workbook():
    """The template to download: headers, an example row, drop-downs for the coded columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("问题清单")
    for index, (_f, header, required, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=f"{header}*" if required else str(header))
        cell.font = HEADER_FONT
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    for column, choices in (("B", Source), ("E", Category), ("F", Severity)):
        labels = ",".join(str(label) for label in choices.labels)
        validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        validation.add(f"{column}2:{column}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)
    example = workbook.create_sheet(_("填写说明"))
    example.append([_("列"), _("说明")])
    example.append([str(header_of("segment")), _("河段编码,见系统中的河段列表")])
    example.append([str(header_of("source")), "、".join(str(x) for x in Source.labels)])
    example.append([str(header_of("category")), "、".join(str(x) for x in Category.labels)])
    example.append([str(header_of("source_reference")), _("检察建议、省级督办必填")])
    example.append([str(header_of("received_on")), _("日期,如 2026-03-05;不填为今天")])
    return workbook


def template_bytes():
    buffer = BytesIO()
    template_workbook().save(buffer)
    return buffer.getvalue()


def _choice(value, choices):
    text = str(value or "").strip()
    by_label = {str(label): code for code, label in choices.choices}
    if text in by_label:
        return by_label[text]
    return text if text in choices.values else None


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    return dt.date.fromisoformat(text) if text else None


def _decimal(value):
    if value in (None, ""):
        return None
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise InvalidOperation
    return number


def _parse_row(number, cells, segments, today):
    """(fields for open_ticket, [RowError])."""
    values = {field: cells[i] if i < len(cells) else None for i, (field, *_rest) in enumerate(COLUMNS)}
    errors = []

    def fail(field, message):
        errors.append(RowError(number, header_of(field), message))

    for field, _h, required, _w in COLUMNS:
        if required and str(values[field] or "").strip() == "":
            fail(field, _("必填"))
    fields = {"description": str(values["description"] or "").strip(), "address": str(values["address"] or "").strip(),
              "source_reference": str(values["source_reference"] or "").strip()}
    code = str(values["segment"] or "").strip()
    if code:
        fields["segment"] = segments.get(code)
        if fields["segment"] is None:
            fail("segment", _("没有编码为 %(code)s 的河段") % {"code": code})
    for field, choices in (("source", Source), ("category", Category), ("severity", Severity)):
        if str(values[field] or "").strip():
            fields[field] = _choice(values[field], choices)
            if fields[field] is None:
                fail(field, _("无法识别「%(v)s」") % {"v": values[field]})
    fields.setdefault("severity", Severity.MINOR)
    if fields.get("source") in SOURCES_WITH_REFERENCE and not fields["source_reference"]:
        fail("source_reference", _("检察建议和督办通知须填写文号"))
    try:
        fields["received_on"] = _date(values["received_on"])
        if fields["received_on"] and fields["received_on"] > today:
            fail("received_on", _("收到日期不能晚于今天"))
    except ValueError:
        fail("received_on", _("日期格式应为 2026-03-05"))
    for field, limit in (("latitude", 90), ("longitude", 180)):
        try:
            fields[field] = _decimal(values[field])
            if fields[field] is not None and not -limit <= fields[field] <= limit:
                fail(field, _("超出范围"))
        except (InvalidOperation, ValueError):
            fail(field, _("请输入数字"))
    if (fields.get("latitude") is None) != (fields.get("longitude") is None) and not any(
        e.column in (header_of("latitude"), header_of("longitude")) for e in errors
    ):
        fail("longitude", _("经纬度须同时填写"))
    return fields, errors


def read_rows(upload):
    """[(excel row number, [cell values])] of the first sheet, blank rows skipped."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportRejected([RowError(0, _("文件"), _("无法读取 Excel 文件(.xlsx)"))]) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        rows.append((number, list(cells)))
        if len(rows) > MAX_ROWS:
            raise ImportRejected([RowError(number, _("文件"), _("一次最多导入 %(n)s 行") % {"n": MAX_ROWS})])
    workbook.close()
    return rows


def import_problems(*, actor, upload):
    """Open one ticket per row; return the tickets. Raises ImportRejected naming every bad cell."""
    rows = read_rows(upload)
    if not rows:
        raise ImportRejected([RowError(2, _("文件"), _("没有数据行"))])
    codes = {str(c[0]).strip() for _n, c in rows if c and c[0] is not None}
    segments = {s.code: s for s in Segment.objects.filter(code__in=codes)}
    today = timezone.localdate()
    parsed, errors = [], []
    for number, cells in rows:
        fields, row_errors = _parse_row(number, cells, segments, today)
        parsed.append((number, fields))
        errors += row_errors
    if errors:
        raise ImportRejected(errors)
    tickets = []
    current = None
    try:
        with transaction.atomic():
            for number, fields in parsed:
                current = number
                tickets.append(flow_services.open_ticket(reporter=actor, **fields))
    except TicketValidationError as exc:
        # Rules only the service knows (or a race): the transaction is gone, name the row.
        names = {f: str(h) for f, h, _r, _w in COLUMNS}
        raise ImportRejected(
            [RowError(current, names.get(field, field), str(msg)) for field, msg in exc.errors.items()]
        ) from exc
    return tickets
