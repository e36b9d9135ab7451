"""Template helpers for the web UI: the menu, sortable headers, and the audit trail's wording."""

import datetime as dt

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tickets import rules
from tickets.models import AreaLevel, AttachmentKind, Category, Severity, Source, TicketState

register = template.Library()


@register.simple_tag
def ui_site():
    """The product's viewflow Site, for pages mounted outside it (they still get its frame and menu)."""
    from workflows.urls import site

    return site


def _optional_url(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The menu entries this user may use, the current one marked."""
    request = context["request"]
    user = request.user
    items = [
        ("tickets:home", "inbox", _("我的待办")),
        ("tickets:list", "list_alt", _("工单列表")),
    ]
    if rules.may_open(user):
        items.append(("tickets:open", "add_circle", _("上报问题")))
    # The notification centre is its own app; it gets a menu entry once it is mounted.
    items.append(("notifications:list", "notifications", _("通知中心")))
    items.append(("patrols:list", "directions_walk", _("巡河记录")))
    if rules.is_office(user):
        items += [
            ("oversight:dashboard", "insights", _("统计看板")),
            ("oversight:ledger", "table_view", _("问题台账")),
            ("oversight:bulletins", "campaign", _("月通报")),
            ("oversight:assessment", "leaderboard", _("河长考核")),
        ]
    elif rules.is_chief(user):
        items.append(("oversight:bulletins", "campaign", _("月通报")))
    if user.is_staff:
        items.append(("admin:index", "admin_panel_settings", _("后台管理")))
    match = request.resolver_match
    current = match.view_name if match else ""
    if current in ("tickets:detail", "tickets:action"):
        current = "tickets:list"
    entries = []
    for name, icon, label in items:
        url = _optional_url(name)
        if url is None:
            continue
        section = name.split(":")[0]
        active = name == current or (section not in ("tickets", "admin") and current.startswith(f"{section}:"))
        entries.append({"url": url, "icon": icon, "label": label, "active": active, "name": name})
    return entries


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_link(context, field):
    """(url, direction) for a sortable column: ascending first, then descending, then back."""
    current = context["request"].GET.get("ordering", "")
    if current == field:
        new, direction = f"-{field}", "asc"
    elif current == f"-{field}":
        new, direction = "", "desc"
    else:
        new, direction = field, ""
    return {"url": query_with(context, ordering=new, page=None), "direction": direction}


STATE_COLOURS = {
    TicketState.REPORTED: "reported",
    TicketState.ASSIGNED: "assigned",
    TicketState.RECTIFYING: "rectifying",
    TicketState.SUBMITTED: "submitted",
    TicketState.VERIFIED: "verified",
    TicketState.CLOSED: "closed",
    TicketState.CANCELLED: "cancelled",
}


@register.filter
def state_class(state):
    return f"hz-state hz-state--{STATE_COLOURS.get(state, 'other')}"


@register.filter
def state_label(state):
    return TicketState(state).label if state in TicketState.values else state


@register.filter
def person(user):
    """A user's name as the office writes it (full name, else login), or a dash."""
    if not user:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def level_label(level):
    return AreaLevel(level).label if level in AreaLevel.values else level


# What a payload key means, in the order the timeline shows it. Keys not listed (ids, hashes) are not shown.
PAYLOAD_LABELS = [
    ("chief_name", _("责任河长")),
    ("to_chief_name", _("新责任河长")),
    ("level", _("层级")),
    ("old_due_at", _("原整改期限")),
    ("due_at", _("整改期限")),
    ("instructions", _("交办要求")),
    ("measures", _("整改措施")),
    ("reason", _("理由")),
    ("comment", _("意见")),
    ("text", _("备注")),
    ("kind", _("附件类型")),
    ("name", _("文件")),
    ("source", _("问题来源")),
    ("source_reference", _("来源文号")),
    ("category", _("问题类别")),
    ("severity", _("严重程度")),
    ("received_on", _("收到日期")),
]
CHOICES = {
    "level": AreaLevel,
    "kind": AttachmentKind,
    "source": Source,
    "category": Category,
    "severity": Severity,
}


def _format_value(key, value):
    if key in CHOICES and value in CHOICES[key].values:
        return CHOICES[key](value).label
    if isinstance(value, str) and key.endswith("_at"):
        parsed = parse_datetime(value)
        if parsed is not None:
            return date_format(timezone.localtime(parsed), "Y-m-d H:i")
    if isinstance(value, str) and key.endswith("_on"):
        parsed = parse_date(value)
        if parsed is not None:
            return date_format(parsed, "Y-m-d")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return value


@register.filter
def event_details(event):
    """[(label, value)] of what the event's payload says, for the timeline."""
    payload = dict(event.payload or {})
    people = getattr(event, "people", {})
    # Names from the user rows (loaded by the view) rather than the login recorded in the payload.
    for name_key, id_key in (("chief_name", "chief"), ("to_chief_name", "to_chief")):
        if payload.get(id_key) in people:
            payload[name_key] = people[payload[id_key]]
    return [
        (label, _format_value(key, payload[key]))
        for key, label in PAYLOAD_LABELS
        if payload.get(key) not in (None, "")
    ]
