"""The ledger (台账) as an Excel workbook: one row per ticket, the ticket list's filters.

Written by a background job (tasks.export_ledger) in openpyxl's write-only mode, reading the
tickets with a server-side iterator: memory stays flat whatever the row count. Why not stream
the response: an .xlsx is a zip whose directory is written last, and openpyxl assembles the
zip only in save(), so a "streamed" response would still keep the browser waiting for the
whole file and die behind a proxy timeout at 100k rows; a job with a progress row does not.
"""

import logging
import math
import tempfile

from django.core.files import File
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from tickets.models import Category, EventKind, Source, TicketEvent, TicketState
from tickets.selectors import ticket_list
from workflows.filters import TicketFilter

from .models import ExportStatus, LedgerExport
from .xlsx import dt_cell, setup_sheet

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000
CHUNK = 2000

COLUMNS = [
    # (header, width)
    (gettext_lazy("编号"), 17), (gettext_lazy("问题来源"), 11), (gettext_lazy("来源文号"), 20), (gettext_lazy("河流"), 12), (gettext_lazy("河段"), 14),
    (gettext_lazy("所在区域"), 12), (gettext_lazy("问题类别"), 14), (gettext_lazy("问题描述"), 40), (gettext_lazy("责任河长"), 10),
    (gettext_lazy("交办时间"), 17), (gettext_lazy("整改期限"), 17), (gettext_lazy("状态"), 9), (gettext_lazy("销号时间"), 17),
    (gettext_lazy("按期/逾期"), 12), (gettext_lazy("延期次数"), 9), (gettext_lazy("退回次数"), 9), (gettext_lazy("督办层级"), 9),
]

FIELDS = [
    "number", "source", "source_reference", "segment__river__name", "segment__name", "segment__area__name",
    "category", "description", "responsible_chief__username", "responsible_chief__first_name",
    "responsible_chief__last_name", "assigned_at", "due_at", "state", "closed_at", "submitted_at",
    "extensions", "rejection_count", "escalation_level",
]


def headers():
    return [str(title) for title, _w in COLUMNS]


def ledger_queryset(*, viewer, query=""):
    """The viewer's tickets narrowed by the list's filters (a query string, as the list page sends)."""
    base = ticket_list(viewer=viewer).order_by("reported_at", "pk")
    filterset = TicketFilter(QueryDict(query), queryset=base)
    queryset = filterset.qs if filterset.is_valid() else base
    extensions = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.EXTENSION_APPROVED)
        .values("ticket").annotate(n=Count("pk")).values("n")
    )
    return queryset.annotate(
        extensions=Coalesce(Subquery(extensions, output_field=IntegerField()), 0)
    ).values(*FIELDS)


def _days_late(later, earlier):
    return max(1, math.ceil((later - earlier).total_seconds() / 86400))


def timeliness(row, now):
    """按期 / 逾期N天 / 未到期: the accepted submission against the deadline in force."""
    due, submitted = row["due_at"], row["submitted_at"]
    if row["state"] == TicketState.CANCELLED or due is None:
        return ""
    if submitted is not None:
        return _("按期") if submitted <= due else _("逾期%(n)s天") % {"n": _days_late(submitted, due)}
    if now > due:
        return _("逾期%(n)s天") % {"n": _days_late(now, due)}
    return _("未到期")


def _chief(row):
    # As User.get_full_name(), which the bulletin uses too.
    full = f"{row['responsible_chief__first_name'] or ''} {row['responsible_chief__last_name'] or ''}".strip()
    return full or row["responsible_chief__username"] or ""


def write_rows(sheet, rows, *, on_progress=None):
    sources, categories, states = dict(Source.choices), dict(Category.choices), dict(TicketState.choices)
    now = timezone.now()
    count = 0
    for row in rows:
        sheet.append([
            row["number"], str(sources.get(row["source"], row["source"])), row["source_reference"],
            row["segment__river__name"], row["segment__name"], row["segment__area__name"],
            str(categories.get(row["category"], row["category"])), row["description"], _chief(row),
            dt_cell(sheet, row["assigned_at"]), dt_cell(sheet, row["due_at"]),
            str(states.get(row["state"], row["state"])), dt_cell(sheet, row["closed_at"]),
            timeliness(row, now), row["extensions"], row["rejection_count"], row["escalation_level"],
        ])
        count += 1
        if on_progress and count % PROGRESS_EVERY == 0:
            on_progress(count)
    return count


def write_ledger(target, queryset, *, on_progress=None):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("问题台账"))
    setup_sheet(sheet, headers(), [w for _t, w in COLUMNS])
    count = write_rows(sheet, queryset.iterator(chunk_size=CHUNK), on_progress=on_progress)
    workbook.save(target)
    return count


def run_export(export_id):
    """The job: fill the export's file, reporting progress on its row. Safe to run twice."""
    export = LedgerExport.objects.select_related("requested_by").get(pk=export_id)
    if export.status == ExportStatus.DONE:
        return export
    queryset = ledger_queryset(viewer=export.requested_by, query=export.query)
    LedgerExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, total=queryset.count(), done=0)

    def progress(n):
        LedgerExport.objects.filter(pk=export.pk).update(done=n)

    try:
        with tempfile.TemporaryFile() as handle:
            count = write_ledger(handle, queryset, on_progress=progress)
            handle.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            export.file.save(f"ledger-{stamp}-{export.pk}.xlsx", File(handle), save=False)
    except Exception as exc:
        LedgerExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        # The row says it failed and the page shows it; the user asks again rather than a blind retry.
        logger.exception("ledger export %s failed", export.pk)
        return export
    LedgerExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE, file=export.file.name, done=count, total=count, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


def request_export(*, actor, query):
    from django.db import transaction

    from .tasks import export_ledger

    export = LedgerExport.objects.create(requested_by=actor, query=query[:2000], created_at=timezone.now())
    transaction.on_commit(lambda: export_ledger.delay(export.pk))
    return export
