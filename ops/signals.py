"""Log context across the request → transaction → Celery task path.

- Each audit event (tickets.signals.event_recorded) tags the rest of the request's log lines with
  the ticket number, and writes one log line of its own: an operator can follow a ticket in the logs.
- A task sent during a request carries the request id; the worker logs it on the task's lines.
- A task that beat scheduled records when it last ran (ops.Heartbeat), so the status page can show
  the last deadline sweep without knowing that app.
"""

import logging

from celery import signals as celery_signals

from . import context

log = logging.getLogger("ops.events")


def on_event_recorded(sender, event, **kwargs):
    number = getattr(event.ticket, "number", "")
    context.bind_ticket(number)
    log.info(
        "ticket %s: %s",
        number,
        event.kind,
        extra={"ticket": number, "event": event.kind, "from_state": event.from_state, "to_state": event.to_state,
               "actor_id": event.actor_id},
    )


def on_before_task_publish(headers=None, **kwargs):
    request_id = context.request_id.get()
    if headers is not None and request_id != "-":
        headers.setdefault("request_id", request_id)


def on_task_prerun(task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) or (task.request.id or "-")
    context.request_id.set(request_id)
    context.ticket.set("")


def on_task_success(sender=None, **kwargs):
    name = getattr(sender.request, "periodic_task_name", None)
    if name and sender.name != "ops.beat_heartbeat":  # that one writes its own row
        from .services import heartbeat_record

        try:
            heartbeat_record(name=name)
        except Exception:  # a heartbeat must never fail the task it reports on
            log.exception("could not record the run of %s", name)


def on_beat_init(**kwargs):
    """Send a heartbeat as soon as beat starts: a fresh deployment is ready in seconds, not at the
    first 30-second tick."""
    from .tasks import beat_heartbeat

    try:
        beat_heartbeat.delay()
    except Exception:
        log.exception("could not send the first beat heartbeat")


def connect():
    from tickets.signals import event_recorded

    event_recorded.connect(on_event_recorded, dispatch_uid="ops.log_ticket_event")
    celery_signals.before_task_publish.connect(on_before_task_publish, dispatch_uid="ops.request_id_out", weak=False)
    celery_signals.task_prerun.connect(on_task_prerun, dispatch_uid="ops.request_id_in", weak=False)
    celery_signals.task_success.connect(on_task_success, dispatch_uid="ops.periodic_seen", weak=False)
    celery_signals.beat_init.connect(on_beat_init, dispatch_uid="ops.first_heartbeat", weak=False)
