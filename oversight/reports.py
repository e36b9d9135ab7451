"""The monthly bulletin / assessment report for a period and area, as plain JSON-able data.

The same structure is shown on the page, stored as a published bulletin's frozen snapshot,
and written to Excel, so what the office publishes is exactly what it saw.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patrols.selectors import patrol_duties
from tickets.models import ChiefAppointment

from . import figures as f

SNAPSHOT_VERSION = 1


def display_name(user):
    return (user.get_full_name() or "").strip() or user.get_username()


def _chief_areas(chief_ids, period):
    """Each chief's segments and levels during the period, for the row's label."""
    held = {}
    for a in (
        ChiefAppointment.objects.filter(chief_id__in=chief_ids, start_date__lt=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .select_related("segment__river")
        .order_by("segment__code")
    ):
        held.setdefault(a.chief_id, []).append(f"{a.segment.river.name}{a.segment.name}({a.get_level_display()})")
    return held


def _shortfalls(row):
    reasons = []
    if row["patrol_missed"]:
        reasons.append(
            _("巡河不及时:%(n)s 个巡河周期未完成(%(done)s/%(req)s)")
            % {"n": row["patrol_missed"], "done": row["patrol_done"], "req": row["patrol_required"]}
        )
    if row["overdue"]:
        reasons.append(_("问题逾期未整改 %(n)s 件") % {"n": row["overdue"]})
    if row["rejected"]:
        reasons.append(_("整改不到位被退回 %(n)s 次") % {"n": row["rejected"]})
    if row["reopened"]:
        reasons.append(_("已销号问题重新整改 %(n)s 件") % {"n": row["reopened"]})
    if row["high_escalation"]:
        reasons.append(_("问题被提级督办(二级及以上)%(n)s 件") % {"n": row["high_escalation"]})
    return reasons


def build_report(period, area=None):
    chiefs = f.figures_by_chief(period, area)
    duties = patrol_duties(start=period.start, end=period.end, area=area)
    patrol_by_chief, patrol_by_leaf = {}, {}
    for d in duties:
        for bucket, key in ((patrol_by_chief, d.chief_id), (patrol_by_leaf, d.area_id)):
            row = bucket.setdefault(key, {"patrol_required": 0, "patrol_done": 0, "patrol_missed": 0})
            row["patrol_required"] += d.required
            row["patrol_done"] += d.done
            row["patrol_missed"] += len(d.missed_periods)

    chief_ids = set(chiefs) | set(patrol_by_chief)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=chief_ids)}
    held = _chief_areas(chief_ids, period)
    chief_rows = []
    for chief_id in chief_ids:
        row = dict.fromkeys(f.FIGURES, 0) | chiefs.get(chief_id, {})
        row |= patrol_by_chief.get(chief_id, {"patrol_required": 0, "patrol_done": 0, "patrol_missed": 0})
        row.update(chief_id=chief_id, name=display_name(users[chief_id]), held=held.get(chief_id, []))
        f.with_rates(row)
        row["shortfalls"] = _shortfalls(row)
        chief_rows.append(row)
    chief_rows.sort(key=lambda r: (-len(r["shortfalls"]), r["name"]))

    areas = f.areas_in_scope(area)
    fields = [*f.FIGURES, "patrol_required", "patrol_done"]
    leaf = {k: dict(v) for k, v in f.figures_by_leaf_area(period, area).items() if k is not None}
    for area_id, row in patrol_by_leaf.items():
        leaf.setdefault(area_id, dict.fromkeys(f.FIGURES, 0)).update(row)
    rolled = f.roll_up(leaf, areas, fields)
    area_rows = []
    for a in areas:
        row = rolled[a["id"]]
        row.update(area_id=a["id"], name=a["name"], level=a["level"], depth=a["depth"])
        area_rows.append(f.with_rates(row))

    totals = dict.fromkeys(fields, 0)
    for row in leaf.values():
        for name in fields:
            totals[name] += row.get(name, 0)
    f.with_rates(totals)

    return {
        "version": SNAPSHOT_VERSION,
        "period": {"kind": period.kind, "code": period.code, "label": str(period.label),
                   "start": period.start.isoformat(), "end": period.end.isoformat()},
        "area": {"id": area.pk, "name": area.name} if area else None,
        "generated_at": timezone.now().isoformat(),
        "totals": totals,
        "chiefs": chief_rows,
        "areas": area_rows,
        "named": [{"chief_id": r["chief_id"], "name": r["name"], "reasons": r["shortfalls"]}
                  for r in chief_rows if r["shortfalls"]],
    }
