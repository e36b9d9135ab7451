"""Message text from templates: notifications/messages/<language>/<kind>.txt.

The first line of a rendered template is the title, the rest the body. Each message is
rendered per channel ("inapp", "email", "markdown"), so the templates decide where a link
goes and how it looks; the wording lives in the templates only, one folder per language.
"""

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, engines
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from . import conf
from .models import Language

TEMPLATE_DIR = "notifications/messages"
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def display_name(user):
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def format_deadline(value):
    """A deadline as the office reads it: Asia/Shanghai (TIME_ZONE), to the minute."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def ticket_context(ticket):
    segment = ticket.segment
    return {
        "ticket": ticket,
        "number": ticket.number,
        "river": segment.river.name,
        "segment": segment.name,
        "area": segment.area.name,
        "category": ticket.get_category_display(),
        "description": ticket.description,
        "deadline": format_deadline(ticket.due_at),
        "chief_name": display_name(ticket.responsible_chief) if ticket.responsible_chief_id else "",
        "url": conf.site_url() + conf.ticket_path(ticket.number),
    }


def event_context(event, *, user, reason):
    ticket = event.ticket
    payload = event.payload or {}
    context = ticket_context(ticket)
    # Reminders and escalations carry the deadline they are about; prefer it to the ticket's current one.
    if payload.get("due_at"):
        context["deadline"] = format_deadline(payload["due_at"])
    if payload.get("old_due_at"):
        context["old_deadline"] = format_deadline(payload["old_due_at"])
    context.update(
        event=event,
        payload=payload,
        recipient=user,
        recipient_name=display_name(user),
        reason=reason,
        actor_name=display_name(event.actor) if event.actor_id else "",
    )
    return context


def _language(language):
    return language if language in Language.values else Language.ZH_HANS


def render(kind, context, *, language, channel):
    """Render the message for ``kind`` in ``language`` for one channel; unknown kinds use default.txt."""
    language = _language(language)
    names = [f"{TEMPLATE_DIR}/{lang}/{name}.txt" for lang in (language, Language.ZH_HANS) for name in (kind, "default")]
    template = engines["django"].engine.select_template(names)
    with translation.override(language):
        # Plain text and markdown, not HTML: autoescaping would turn "<" and "&" in a description into entities.
        text = template.render(Context({**context, "channel": channel, "language": language}, autoescape=False))
    lines = [line.rstrip() for line in text.strip().splitlines()]
    title, body = lines[0].strip(), "\n".join(lines[1:]).strip()
    return Message(title=title[:200], body=_BLANK_RUNS.sub("\n\n", body))
