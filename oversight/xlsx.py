"""Small helpers for the workbooks we write: local dates, bold headers, widths, frozen header."""

import datetime as dt

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
HEADER_FONT = Font(bold=True)


def excel_datetime(value):
    """Excel has no time zones: write the office's local wall time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def setup_sheet(sheet, headers, widths):
    """Widths and the frozen header row must be set before the first row of a write-only sheet."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="center")
        cells.append(cell)
    sheet.append(cells)


def cell(sheet, value, number_format=None):
    if number_format is None:
        return value
    result = WriteOnlyCell(sheet, value=value)
    result.number_format = number_format
    return result


def dt_cell(sheet, value):
    return cell(sheet, excel_datetime(value), DATETIME_FORMAT) if value else None


def date_cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return cell(sheet, value, DATE_FORMAT)


def pct_cell(sheet, value):
    return cell(sheet, value, PERCENT_FORMAT) if value is not None else None
